import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { z } from 'zod';
import { fleetTransformVersion, loadPackage, type PackageModel } from '@lastpass-elastic/package-model';
import { renderDashboard, renderDataView } from './dashboards';
import { DEFINITIONS_DIR, KibanaDefinitionError, readDefinitions } from './definitions';
import { renderRule } from './rules';

/** The kibana/ folders the generator owns: every file in them is generated (others are removed). */
export const GENERATED_FOLDERS = ['dashboard', 'index_pattern', 'security_rule'];
/** Content hashes per asset version (a changed asset must change its version: Kibana and Fleet upgrade by it). */
export const VERSIONS_LOCK = join(DEFINITIONS_DIR, 'versions.lock.json');

const lockSchema = z.strictObject({
  rules: z.record(z.string(), z.strictObject({ name: z.string(), version: z.number(), sha256: z.string() })),
  transforms: z.record(z.string(), z.strictObject({ version: z.string(), sha256: z.string() })),
});
type Lock = z.infer<typeof lockSchema>;

const json = (value: unknown): string => `${JSON.stringify(value, null, 2)}\n`;
const sha256 = (value: unknown): string => createHash('sha256').update(JSON.stringify(value)).digest('hex');

function readLock(root: string): Lock | undefined {
  const file = join(root, VERSIONS_LOCK);
  if (!existsSync(file)) return undefined;
  const parsed = lockSchema.safeParse(JSON.parse(readFileSync(file, 'utf8')));
  if (!parsed.success)
    throw new KibanaDefinitionError(`${file}: not a versions lock (${parsed.error.message})`);
  return parsed.data;
}

/**
 * The lock for the current assets; refuses an asset whose content changed while its version did not
 * (a rule's `version`, a transform's `_meta.fleet_transform_version`) or whose version went down.
 */
function nextLock(root: string, pkg: PackageModel, rules: Record<string, unknown>[]): Lock {
  const previous = readLock(root);
  const lock: Lock = { rules: {}, transforms: {} };
  for (const rule of rules) {
    const attributes = rule['attributes'] as Record<string, unknown>;
    const id = String(attributes['rule_id']);
    const version = Number(attributes['version']);
    const entry = { name: String(attributes['name']), version, sha256: sha256(attributes) };
    const old = previous?.rules[id];
    if (old && old.version === version && old.sha256 !== entry.sha256)
      throw new KibanaDefinitionError(
        `rule ${entry.name} (${id}) changed but its version is still ${version}: raise version in its definition`,
      );
    if (old && version < old.version)
      throw new KibanaDefinitionError(
        `rule ${entry.name} (${id}): version ${version} is lower than ${old.version}`,
      );
    lock.rules[id] = entry;
  }
  // A rule keeps its rule_id for life: Kibana tracks installed rules, alerts and exceptions by it.
  for (const [id, old] of Object.entries(previous?.rules ?? {})) {
    if (lock.rules[id] !== undefined) continue;
    const renamed = Object.entries(lock.rules).find(([, e]) => e.name === old.name);
    if (renamed)
      throw new KibanaDefinitionError(
        `rule ${old.name} changed its rule_id from ${id} to ${renamed[0]}: keep the rule_id (remove the rule from versions.lock.json only to retire it)`,
      );
  }
  for (const t of pkg.transforms) {
    const version = fleetTransformVersion(t);
    const entry = { version, sha256: sha256(t.config) };
    const old = previous?.transforms[t.name];
    if (old && old.version === version && old.sha256 !== entry.sha256)
      throw new KibanaDefinitionError(
        `transform ${t.name} changed but _meta.fleet_transform_version is still ${version}: Fleet would not reinstall it on upgrade`,
      );
    lock.transforms[t.name] = entry;
  }
  return lock;
}

/**
 * Renders `_dev/shared/kibana/` into the files of `kibana/` (relative path → content), plus the versions
 * lock. Undefined when the package has no definitions. Throws KibanaDefinitionError naming the file.
 */
export function generateKibanaAssets(root: string, model?: PackageModel): Map<string, string> | undefined {
  const defs = readDefinitions(root);
  if (!defs) return undefined;
  const pkg = model ?? loadPackage(root);
  const views = new Map(defs.dataViews.map((v) => [v.id, v]));
  const out = new Map<string, string>();
  const add = (rel: string, content: string): void => {
    if (out.has(rel)) throw new KibanaDefinitionError(`two definitions produce ${rel}`);
    out.set(rel, content);
  };
  for (const view of defs.dataViews) add(`kibana/index_pattern/${view.id}.json`, json(renderDataView(view)));
  for (const { file, def } of defs.dashboards)
    add(`kibana/dashboard/${def.id}.json`, json(renderDashboard(pkg, views, def, file)));
  const rules = defs.rules.map(({ file, def }) => {
    if (!defs.ruleDefaults) throw new KibanaDefinitionError('rules need rule_defaults.yml');
    return renderRule(pkg, defs.ruleDefaults, def, file);
  });
  const ids = new Set<string>();
  for (const rule of rules) {
    const attributes = rule['attributes'] as Record<string, unknown>;
    const ruleId = String(attributes['rule_id']);
    if (ids.has(ruleId)) throw new KibanaDefinitionError(`rule_id ${ruleId} is used by two rules`);
    ids.add(ruleId);
    add(`kibana/security_rule/${String(rule['id'])}.json`, json(rule));
  }
  add(VERSIONS_LOCK.split('\\').join('/'), json(nextLock(root, pkg, rules)));
  return out;
}

function generatedFilesOnDisk(root: string): string[] {
  const out: string[] = [];
  for (const folder of GENERATED_FOLDERS) {
    const dir = join(root, 'kibana', folder);
    if (!existsSync(dir)) continue;
    for (const f of readdirSync(dir).sort()) out.push(`kibana/${folder}/${f}`);
  }
  if (existsSync(join(root, VERSIONS_LOCK))) out.push(VERSIONS_LOCK.split('\\').join('/'));
  return out;
}

export interface KibanaDrift {
  /** Generated files whose content on disk differs, or that are missing. */
  stale: string[];
  /** Files in the generated folders that the definitions do not produce. */
  extra: string[];
}

/** Compares kibana/ with the generator's output; undefined when the package has no definitions. */
export function kibanaAssetsDrift(root: string, model?: PackageModel): KibanaDrift | undefined {
  const expected = generateKibanaAssets(root, model);
  if (!expected) return undefined;
  const stale: string[] = [];
  for (const [rel, content] of expected) {
    const file = join(root, rel);
    if (!existsSync(file) || readFileSync(file, 'utf8') !== content) stale.push(rel);
  }
  const extra = generatedFilesOnDisk(root).filter((rel) => !expected.has(rel));
  return { stale, extra };
}

/** Writes kibana/ from the definitions (and removes files they no longer produce); returns what changed. */
export function writeKibanaAssets(root: string): { written: string[]; removed: string[] } {
  const expected = generateKibanaAssets(root);
  if (!expected) throw new KibanaDefinitionError(`no definitions in ${join(root, DEFINITIONS_DIR)}`);
  const written: string[] = [];
  for (const [rel, content] of expected) {
    const file = join(root, rel);
    if (existsSync(file) && readFileSync(file, 'utf8') === content) continue;
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, content);
    written.push(rel);
  }
  const removed = generatedFilesOnDisk(root).filter((rel) => !expected.has(rel));
  for (const rel of removed) rmSync(join(root, rel));
  return { written, removed };
}
