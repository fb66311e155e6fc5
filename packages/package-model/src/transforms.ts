import { existsSync, readdirSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { z } from 'zod';
import type { PackageProblem } from './errors';
import { readFieldsFile, type FieldDefinition } from './fields';
import { firstIssue } from './schemas';
import { readStructured } from './yaml';

/**
 * The parts of `elasticsearch/transform/<name>/transform.yml` the model reads (loose: the full shape
 * is package-spec's `transform.spec.yml`, checked by package-tools `check`).
 */
export const transformConfigSchema = z.looseObject({
  description: z.string().optional(),
  source: z.looseObject({
    index: z.union([z.string(), z.array(z.string())]),
    query: z.record(z.string(), z.unknown()).optional(),
  }),
  dest: z.looseObject({
    index: z.string().min(1),
    pipeline: z.string().optional(),
    aliases: z
      .array(z.looseObject({ alias: z.string().min(1), move_on_creation: z.boolean().optional() }))
      .optional(),
  }),
  latest: z.looseObject({ unique_key: z.array(z.string()), sort: z.string() }).optional(),
  pivot: z.looseObject({}).optional(),
  frequency: z.string().optional(),
  sync: z
    .looseObject({ time: z.looseObject({ field: z.string(), delay: z.string().optional() }) })
    .optional(),
  retention_policy: z
    .looseObject({ time: z.looseObject({ field: z.string(), max_age: z.string() }) })
    .optional(),
  settings: z.record(z.string(), z.unknown()).optional(),
  _meta: z.record(z.string(), z.unknown()).optional(),
});
export type TransformConfig = z.infer<typeof transformConfigSchema>;

export const transformManifestSchema = z.looseObject({
  start: z.boolean().optional(),
  destination_index_template: z.record(z.string(), z.unknown()).optional(),
});
export type TransformManifest = z.infer<typeof transformManifestSchema>;

/** Fleet's default when `_meta.fleet_transform_version` is absent. */
export const DEFAULT_FLEET_TRANSFORM_VERSION = '0.1.0';

export interface TransformModel {
  /** Folder name (`elasticsearch/transform/<name>`): Fleet's transform module id. */
  name: string;
  /** Absolute path of the folder. */
  dir: string;
  /** Absolute path of transform.yml. */
  file: string;
  config: TransformConfig;
  /** transform.yml's manifest.yml, when present. */
  manifest: TransformManifest | undefined;
  /** Flattened over every `fields/*.yml` (sorted by file name), `external: ecs` resolved. */
  fields: FieldDefinition[];
}

function listDir(dir: string): string[] {
  return existsSync(dir) && statSync(dir).isDirectory() ? readdirSync(dir).sort() : [];
}

function parsed<T>(
  schema: z.ZodType<T>,
  file: string,
  problems: PackageProblem[],
  optional: boolean,
): T | undefined {
  if (optional && !existsSync(file)) return undefined;
  const read = readStructured(file);
  if (!read.ok) {
    problems.push(read.problem);
    return undefined;
  }
  const result = schema.safeParse(read.value);
  if (!result.success) {
    const issue = firstIssue(result.error);
    problems.push({ code: 'PACKAGE_MODEL_INVALID', file, path: issue.path, message: issue.message });
    return undefined;
  }
  return result.data;
}

/** Reads every `elasticsearch/transform/<name>/` of the package; problems are appended, never thrown. */
export function readTransforms(root: string, problems: PackageProblem[]): TransformModel[] {
  const base = join(root, 'elasticsearch', 'transform');
  const out: TransformModel[] = [];
  for (const name of listDir(base)) {
    const dir = join(base, name);
    if (!statSync(dir).isDirectory()) continue;
    const file = join(dir, 'transform.yml');
    const config = parsed(transformConfigSchema, file, problems, false);
    if (config === undefined) continue;
    const manifest = parsed(transformManifestSchema, join(dir, 'manifest.yml'), problems, true);
    const fieldsDir = join(dir, 'fields');
    const fields = listDir(fieldsDir)
      .filter((f) => f.endsWith('.yml'))
      .flatMap((f) => readFieldsFile(join(fieldsDir, f), problems));
    out.push({ name: basename(dir), dir, file, config, manifest, fields });
  }
  return out;
}

/** `_meta.fleet_transform_version`, or Fleet's default. */
export function fleetTransformVersion(t: TransformModel): string {
  const v = t.config._meta?.['fleet_transform_version'];
  return typeof v === 'string' && v !== '' ? v : DEFAULT_FLEET_TRANSFORM_VERSION;
}

/**
 * The id Fleet installs the transform under: `logs-<package>.<folder>-default-<fleet_transform_version>`
 * (versioned by fleet_transform_version, not by the package version: Fleet reinstalls a transform only
 * when that changes).
 */
export function fleetTransformId(packageName: string, t: TransformModel): string {
  return `logs-${packageName}.${t.name}-default-${fleetTransformVersion(t)}`;
}

/** Fleet's index template for the destination index: `logs-<package>.<folder>-template` (priority 250). */
export function transformIndexTemplateName(packageName: string, t: TransformModel): string {
  return `logs-${packageName}.${t.name}-template`;
}

/** The index name readers should query: the `move_on_creation` alias (it follows upgrades), else dest.index. */
export function transformReadName(t: TransformModel): string {
  return t.config.dest.aliases?.find((a) => a.move_on_creation === true)?.alias ?? t.config.dest.index;
}

/** The source index patterns, as a list. */
export function transformSourceIndices(t: TransformModel): string[] {
  const index = t.config.source.index;
  return typeof index === 'string' ? [index] : index;
}

/** Does an index name match a (comma-free) index pattern with `*` wildcards? */
export function indexPatternMatches(pattern: string, index: string): boolean {
  const re = new RegExp(
    `^${pattern
      .split('*')
      .map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
      .join('.*')}$`,
  );
  return re.test(index);
}
