import { existsSync, readdirSync, statSync } from 'node:fs';
import { basename, extname, join, resolve } from 'node:path';
import { PackageModelError, type PackageProblem } from './errors';
import { readFieldsFile, type FieldDefinition } from './fields';
import {
  dataStreamManifestSchema,
  firstIssue,
  packageManifestSchema,
  type DataStreamManifest,
  type PackageManifest,
} from './schemas';
import { readTransforms, type TransformModel } from './transforms';
import { readStructured } from './yaml';

export interface PipelineFile {
  /** File name without extension; `default` is the entry pipeline. */
  base: string;
  /** Absolute path. */
  file: string;
}

export interface DataStreamModel {
  /** Folder name == stream id. */
  name: string;
  /** Absolute path of `data_stream/<name>`. */
  dir: string;
  /** `<package>.<name>` unless the manifest overrides `dataset`. */
  dataset: string;
  type: 'logs';
  manifest: DataStreamManifest;
  /** Flattened over every `fields/*.yml` (sorted by file name), `external: ecs` resolved. */
  fields: FieldDefinition[];
  /** Sorted by base name; `default` first when present. */
  pipelineFiles: PipelineFile[];
}

export interface PackageModel {
  root: string;
  manifest: PackageManifest;
  dataStreams: DataStreamModel[];
  /** `elasticsearch/transform/<name>/`, sorted by name. */
  transforms: TransformModel[];
}

export interface ReadPackageResult {
  /** Undefined only when the package manifest itself cannot be read. */
  model: PackageModel | undefined;
  problems: PackageProblem[];
}

function listDir(dir: string): string[] {
  return existsSync(dir) && statSync(dir).isDirectory() ? readdirSync(dir).sort() : [];
}

const PIPELINE_EXTENSIONS = new Set(['.yml', '.yaml', '.json']);

function readDataStream(
  pkgName: string,
  dir: string,
  problems: PackageProblem[],
): DataStreamModel | undefined {
  const name = basename(dir);
  const manifestFile = join(dir, 'manifest.yml');
  const read = readStructured(manifestFile);
  if (!read.ok) {
    problems.push(read.problem);
    return undefined;
  }
  const parsed = dataStreamManifestSchema.safeParse(read.value);
  if (!parsed.success) {
    const issue = firstIssue(parsed.error);
    problems.push({
      code: 'PACKAGE_MODEL_INVALID',
      file: manifestFile,
      path: issue.path,
      message: issue.message,
    });
    return undefined;
  }
  const manifest = parsed.data;
  if (manifest.type !== undefined && manifest.type !== 'logs') {
    problems.push({
      code: 'PACKAGE_MODEL_INVALID',
      file: manifestFile,
      path: 'type',
      message: `only "logs" data streams are supported, got "${manifest.type}"`,
    });
    return undefined;
  }
  const fieldsDir = join(dir, 'fields');
  const fields = listDir(fieldsDir)
    .filter((f) => f.endsWith('.yml'))
    .flatMap((f) => readFieldsFile(join(fieldsDir, f), problems));
  const pipelineDir = join(dir, 'elasticsearch', 'ingest_pipeline');
  const entry = manifest.ingest_pipeline ?? 'default';
  const pipelineFiles = listDir(pipelineDir)
    .filter((f) => PIPELINE_EXTENSIONS.has(extname(f)))
    .map((f) => ({ base: basename(f, extname(f)), file: join(pipelineDir, f) }))
    .sort((a, b) => (a.base === entry ? -1 : b.base === entry ? 1 : a.base.localeCompare(b.base)));
  return {
    name,
    dir,
    dataset: manifest.dataset ?? `${pkgName}.${name}`,
    type: 'logs',
    manifest,
    fields,
    pipelineFiles,
  };
}

/** Reads the package, collecting every problem instead of stopping at the first (used by `check`). */
export function readPackage(root: string): ReadPackageResult {
  const abs = resolve(root);
  const problems: PackageProblem[] = [];
  const manifestFile = join(abs, 'manifest.yml');
  const read = readStructured(manifestFile);
  if (!read.ok) return { model: undefined, problems: [read.problem] };
  const parsed = packageManifestSchema.safeParse(read.value);
  if (!parsed.success) {
    const issue = firstIssue(parsed.error);
    return {
      model: undefined,
      problems: [
        { code: 'PACKAGE_MODEL_INVALID', file: manifestFile, path: issue.path, message: issue.message },
      ],
    };
  }
  const manifest = parsed.data;
  const dsRoot = join(abs, 'data_stream');
  const dataStreams = listDir(dsRoot)
    .filter((d) => statSync(join(dsRoot, d)).isDirectory())
    .map((d) => readDataStream(manifest.name, join(dsRoot, d), problems))
    .filter((ds): ds is DataStreamModel => ds !== undefined);
  const transforms = readTransforms(abs, problems);
  return { model: { root: abs, manifest, dataStreams, transforms }, problems };
}

/** Reads the package; throws PackageModelError for the first problem (file and path named). */
export function loadPackage(root: string): PackageModel {
  const { model, problems } = readPackage(root);
  const first = problems[0];
  if (first) throw new PackageModelError(first);
  if (!model)
    throw new PackageModelError({
      code: 'PACKAGE_MODEL_READ_FAILED',
      file: join(resolve(root), 'manifest.yml'),
      path: '',
      message: 'cannot read the package manifest',
    });
  return model;
}

/** The data stream named `name`, or a PackageModelError listing the ones that exist. */
export function getDataStream(pkg: PackageModel, name: string): DataStreamModel {
  const ds = pkg.dataStreams.find((d) => d.name === name);
  if (!ds) {
    throw new PackageModelError({
      code: 'PACKAGE_MODEL_INVALID',
      file: join(pkg.root, 'data_stream'),
      path: name,
      message: `no data stream "${name}" (expected one of ${pkg.dataStreams.map((d) => d.name).join(', ')})`,
    });
  }
  return ds;
}
