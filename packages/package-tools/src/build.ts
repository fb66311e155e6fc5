import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { unzipSync, zipSync, type Zippable } from 'fflate';
import { parse, stringify } from 'yaml';
import { ecsField, loadPackage } from '@lastpass-elastic/package-model';
import { checkPackage, type Finding } from './check';
import { isRecord } from './json';
import { defaultSpecDir } from './check/spec-loader';
import { ENCODED_ATTRIBUTES, ENCODED_NESTED } from './check/rules/kibana';

/** What may ship: everything else in the repository root (packages/, node_modules/, test/, _dev/, scripts/, output/, …) never does. */
export const BUILD_ALLOWLIST = [
  'manifest.yml',
  'changelog.yml',
  'LICENSE.txt',
  'NOTICE.txt',
  'validation.yml',
  'docs',
  'img',
  'kibana',
  'elasticsearch',
  'agent',
  'data_stream',
];
/** Kibana refuses uploads above this. */
export const MAX_ARCHIVE_BYTES = 100 * 1024 * 1024;
/** Every zip entry gets this time, so builds are byte-for-byte reproducible. */
// Local-time components: fflate writes DOS times from local fields, so this encodes the same bytes in every zone.
const FIXED_MTIME = new Date(2024, 0, 1, 0, 0, 0);

export type BuildErrorCode = 'BUILD_INVALID_PACKAGE' | 'BUILD_CHECK_FAILED';
export class BuildError extends Error {
  readonly code: BuildErrorCode;
  readonly retryable = false;
  readonly findings: Finding[];
  constructor(code: BuildErrorCode, message: string, findings: Finding[] = []) {
    super(message);
    this.name = 'BuildError';
    this.code = code;
    this.findings = findings;
  }
}

export interface BuildOptions {
  /** Default `<root>/build/packages`. */
  outDir?: string;
  /** package-spec for the build-mode check (default `<root>/../shared/package-spec`; null skips the schema part). */
  specDir?: string | null;
}

export interface BuildResult {
  zipPath: string;
  bytes: number;
  /** The unpacked built tree the zip was made from. */
  treeDir: string;
  files: number;
}

function listFiles(root: string, rel: string): string[] {
  const full = join(root, rel);
  if (!existsSync(full)) return [];
  if (statSync(full).isFile()) return [rel];
  return readdirSync(full)
    .sort()
    .filter((e) => !e.startsWith('.') && e !== '_dev')
    .flatMap((e) => listFiles(root, `${rel}/${e}`));
}

const ECS_KEYS = [
  'type',
  'description',
  'pattern',
  'index',
  'doc_values',
  'multi_fields',
  'object_type',
] as const;

/** Replaces `external: ecs` with the ECS definition (elastic-package external_fields.go semantics). */
function materialise(entries: unknown, prefix: string): unknown {
  if (!Array.isArray(entries)) return entries;
  return entries.map((entry: unknown) => {
    if (!isRecord(entry)) return entry;
    const name = typeof entry['name'] === 'string' ? entry['name'] : '';
    const full = prefix ? `${prefix}.${name}` : name;
    const out: Record<string, unknown> = { ...entry };
    if (Array.isArray(entry['fields'])) out['fields'] = materialise(entry['fields'], full);
    if (entry['external'] !== 'ecs') return out;
    const ecs = ecsField(full);
    if (!ecs)
      throw new BuildError(
        'BUILD_INVALID_PACKAGE',
        `field ${full} is external: ecs but ECS has no such field`,
      );
    const merged: Record<string, unknown> = { name };
    for (const key of ECS_KEYS) {
      const value =
        key === 'multi_fields' ? ecs.multi_fields?.map((m) => ({ name: m.name, type: m.type })) : ecs[key];
      if (value !== undefined) merged[key] = value;
    }
    // The package's own keys win (check's FIELDS_EXTERNAL_TYPE limits type changes to the allowed ones).
    for (const [k, v] of Object.entries(entry)) if (k !== 'external') merged[k] = v;
    return merged;
  });
}

/** Kibana's saved-object format: JSON-valued attributes as strings (panels' embeddableConfig too). */
export function encodeSavedObject(doc: unknown): unknown {
  if (!isRecord(doc) || !isRecord(doc['attributes'])) return doc;
  const enc = (v: unknown): unknown => (v === undefined || typeof v === 'string' ? v : JSON.stringify(v));
  const attributes: Record<string, unknown> = { ...doc['attributes'] };
  if (Array.isArray(attributes['panelsJSON'])) {
    attributes['panelsJSON'] = attributes['panelsJSON'].map((p: unknown) => {
      if (!isRecord(p) || !isRecord(p['embeddableConfig'])) return p;
      const cfg: Record<string, unknown> = { ...p['embeddableConfig'] };
      for (const key of ENCODED_ATTRIBUTES) if (key in cfg) cfg[key] = enc(cfg[key]);
      return { ...p, embeddableConfig: cfg };
    });
  }
  for (const key of ENCODED_ATTRIBUTES) if (key in attributes) attributes[key] = enc(attributes[key]);
  for (const [parent, keys] of Object.entries(ENCODED_NESTED)) {
    const holder = attributes[parent];
    if (!isRecord(holder)) continue;
    const copy: Record<string, unknown> = { ...holder };
    for (const key of keys) if (key in copy) copy[key] = enc(copy[key]);
    attributes[parent] = copy;
  }
  return { ...doc, attributes };
}

function transform(rel: string, content: Buffer): Buffer {
  if (/^(data_stream|elasticsearch\/transform)\/[^/]+\/fields\/[^/]+\.yml$/.test(rel)) {
    const fields: unknown = parse(content.toString('utf8'));
    return Buffer.from(stringify(materialise(fields, ''), { lineWidth: 0 }));
  }
  if (/^kibana\/[^/]+\/[^/]+\.json$/.test(rel)) {
    return Buffer.from(
      `${JSON.stringify(encodeSavedObject(JSON.parse(content.toString('utf8'))), null, 2)}\n`,
    );
  }
  return content;
}

/** Kibana's archive parse rules (fleet server/services/epm/archive/parse.ts) applied to the zip bytes. */
export function checkArchive(zip: Uint8Array, name: string, version: string): string[] {
  const problems: string[] = [];
  if (zip.byteLength >= MAX_ARCHIVE_BYTES)
    problems.push(`archive is ${zip.byteLength} bytes; Kibana accepts < ${MAX_ARCHIVE_BYTES}`);
  const top = `${name}-${version}/`;
  const entries = unzipSync(zip);
  for (const path of Object.keys(entries))
    if (!path.startsWith(top)) problems.push(`entry ${path} is outside the single top folder ${top}`);
  const text = (p: string): string | undefined => {
    const bytes = entries[top + p];
    return bytes ? Buffer.from(bytes).toString('utf8') : undefined;
  };
  const manifestText = text('manifest.yml');
  const manifest: unknown = manifestText === undefined ? undefined : parse(manifestText);
  if (!isRecord(manifest)) problems.push('manifest.yml is missing or not a mapping');
  else {
    for (const key of ['name', 'version', 'description', 'title', 'format_version', 'owner'])
      if (manifest[key] === undefined) problems.push(`manifest.yml lacks ${key}`);
    if (manifest['name'] !== name || manifest['version'] !== version)
      problems.push(
        `manifest name/version ${String(manifest['name'])}-${String(manifest['version'])} differ from the top folder ${top}`,
      );
  }
  const dsManifests = Object.keys(entries).filter((p) =>
    new RegExp(`^${top.replace(/[.]/g, '\\.')}data_stream/[^/]+/manifest\\.yml$`).test(p),
  );
  for (const p of dsManifests) {
    const ds: unknown = parse(Buffer.from(entries[p] ?? new Uint8Array()).toString('utf8'));
    if (!isRecord(ds) || typeof ds['title'] !== 'string' || typeof ds['type'] !== 'string')
      problems.push(`${p.slice(top.length)} needs title and type`);
  }
  return problems;
}

/**
 * Builds `<outDir>/<name>-<version>.zip` with one top folder `<name>-<version>/`: allowlisted files,
 * `external: ecs` materialised from @elastic/ecs, saved-object attributes encoded; then checks the
 * built tree in build mode and the zip against Kibana's archive rules. The zip is only moved into
 * place when everything passes. Deterministic: sorted entries, fixed times.
 */
export function buildPackage(rootArg: string, opts: BuildOptions = {}): BuildResult {
  const root = resolve(rootArg);
  const pkg = loadPackage(root);
  const { name, version } = pkg.manifest;
  const outDir = resolve(opts.outDir ?? join(root, 'build', 'packages'));
  const folder = `${name}-${version}`;
  const treeDir = join(outDir, folder);
  // Everything is written to a private staging folder first, so concurrent or failed builds never
  // leave a half-written tree or zip behind.
  mkdirSync(outDir, { recursive: true });
  const staging = mkdtempSync(join(outDir, `.staging-${folder}-`));
  try {
    const result = buildInto(root, staging, folder, name, version, opts);
    rmSync(treeDir, { recursive: true, force: true });
    renameSync(staging, treeDir);
    chmodSync(treeDir, 0o755);
    const zipPath = join(outDir, `${folder}.zip`);
    const tmp = `${zipPath}.${process.pid}.tmp`;
    writeFileSync(tmp, result.zip);
    renameSync(tmp, zipPath);
    return { zipPath, bytes: result.zip.byteLength, treeDir, files: result.files };
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
}

function buildInto(
  root: string,
  treeDir: string,
  folder: string,
  name: string,
  version: string,
  opts: BuildOptions,
): { zip: Uint8Array; files: number } {
  const files = BUILD_ALLOWLIST.flatMap((entry) => listFiles(root, entry)).sort();
  const contents = new Map<string, Uint8Array>();
  const dirs = new Set<string>();
  for (const rel of files) {
    const content = transform(rel, readFileSync(join(root, rel)));
    const target = join(treeDir, rel);
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, content);
    contents.set(rel, content);
    const parts = rel.split('/');
    for (let i = 1; i < parts.length; i += 1) dirs.add(parts.slice(0, i).join('/'));
  }
  const entries = [...[...dirs].map((d) => `${d}/`), ...files].sort();
  const zippable: Zippable = { [`${folder}/`]: [new Uint8Array(0), { mtime: FIXED_MTIME }] };
  for (const entry of entries) {
    const data = contents.get(entry) ?? new Uint8Array(0);
    zippable[`${folder}/${entry}`] = [data, { mtime: FIXED_MTIME, level: entry.endsWith('/') ? 0 : 9 }];
  }
  const zip = zipSync(zippable, { mtime: FIXED_MTIME });

  // The built tree sits outside the repository, so the default spec location is the source root's.
  const check = checkPackage(treeDir, {
    mode: 'build',
    specDir: opts.specDir === undefined ? defaultSpecDir(root) : opts.specDir,
  });
  const archive = checkArchive(zip, name, version).map((message): Finding => ({
    code: 'ARCHIVE',
    file: `${folder}.zip`,
    path: '',
    message,
  }));
  const findings = [...check.findings, ...archive];
  if (findings.length > 0) {
    throw new BuildError(
      'BUILD_CHECK_FAILED',
      `the built package fails ${findings.length} check(s); no zip written`,
      findings,
    );
  }
  return { zip, files: files.length };
}
