import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { Ajv, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { parse } from 'yaml';
import { z } from 'zod';
import { compareCore, parseSemVer } from '../semver';

/** Where package-spec sits by default: `../shared/package-spec` beside the repository root. */
export function defaultSpecDir(root: string): string {
  return join(root, '..', 'shared', 'package-spec');
}

const patchOpSchema = z.discriminatedUnion('op', [
  z.object({ op: z.literal('remove'), path: z.string() }),
  z.object({ op: z.literal('add'), path: z.string(), value: z.unknown() }),
  z.object({ op: z.literal('replace'), path: z.string(), value: z.unknown() }),
]);
type PatchOp = z.infer<typeof patchOpSchema>;
const specFileSchema = z.object({
  spec: z.record(z.string(), z.unknown()),
  versions: z.array(z.object({ before: z.string(), patch: z.array(patchOpSchema) })).optional(),
});

function pointer(path: string): string[] {
  return path
    .split('/')
    .slice(1)
    .map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'));
}

type Json = Record<string, unknown> | unknown[];
function isContainer(v: unknown): v is Json {
  return typeof v === 'object' && v !== null;
}

/** RFC 6902 add/remove/replace (with `/-` append), applied in place. */
export function applyPatch(doc: Record<string, unknown>, ops: PatchOp[], file: string): void {
  for (const op of ops) {
    const parts = pointer(op.path);
    const last = parts.pop();
    let parent: unknown = doc;
    for (const p of parts) parent = isContainer(parent) ? (parent as Record<string, unknown>)[p] : undefined;
    if (!isContainer(parent) || last === undefined)
      throw new Error(`${file}: patch path ${op.path} does not exist`);
    if (Array.isArray(parent)) {
      const index = last === '-' ? parent.length : Number(last);
      if (op.op === 'remove') parent.splice(index, 1);
      else if (op.op === 'add') parent.splice(index, 0, op.value);
      else parent[index] = op.value;
    } else if (op.op === 'remove') delete parent[last];
    else parent[last] = op.value;
  }
}

/** A spec file's `spec` with every `versions` patch whose `before` is newer than `version`, in file order. */
function patchedSpec(file: string, version: string): Record<string, unknown> {
  const parsed = specFileSchema.parse(parse(readFileSync(file, 'utf8')));
  const target = parseSemVer(version);
  if (!target) throw new Error(`format_version ${version} is not a semantic version`);
  const ops = (parsed.versions ?? []).flatMap((v) => {
    const before = parseSemVer(v.before);
    return before && compareCore(before, target) > 0 ? v.patch : [];
  });
  const spec = JSON.parse(JSON.stringify(parsed.spec)) as Record<string, unknown>;
  applyPatch(spec, ops, file);
  return spec;
}

function listSpecFiles(dir: string, suffix: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir).sort()) {
    const full = join(dir, entry);
    if (statSync(full).isDirectory()) out.push(...listSpecFiles(full, suffix));
    else if (entry.endsWith(suffix)) out.push(full);
  }
  return out;
}

/** The context formats need: the directory of the file being validated and the package root. */
export interface FormatContext {
  fileDir: string;
  root: string;
}

const SCHEMA_ID_BASE = 'https://package-spec.invalid/spec/integration/';

export interface LoadedSpec {
  version: string;
  integrationDir: string;
  /** Folder specs by path relative to spec/integration (e.g. `spec.yml`, `data_stream/spec.yml`). */
  folderSpecs: Map<string, Record<string, unknown>>;
  /** Validates a parsed file against `<relative schema path>`; the context feeds the custom formats. */
  validate(schemaPath: string, data: unknown, context: FormatContext): AjvError[];
}

export interface AjvError {
  instancePath: string;
  keyword: string;
  message: string;
  params: Record<string, unknown>;
  schemaPath: string;
}

/** format_versions listed in package-spec's own changelog. */
export function specVersions(specDir: string): string[] {
  const log = z
    .array(z.object({ version: z.union([z.string(), z.number()]) }).loose())
    .parse(parse(readFileSync(join(specDir, 'spec', 'changelog.yml'), 'utf8')));
  return log.map((e) => String(e.version).replace(/-.*$/, ''));
}

const cache = new Map<string, LoadedSpec>();

/** Loads and patches package-spec for one format_version (cached per spec dir and version). */
export function loadSpec(specDir: string, version: string): LoadedSpec {
  const key = `${specDir}\u0000${version}`;
  const hit = cache.get(key);
  if (hit) return hit;
  const integrationDir = join(specDir, 'spec', 'integration');
  let context: FormatContext = { fileDir: '', root: '' };
  const ajv = new Ajv({
    strict: true,
    strictTypes: false,
    strictRequired: false,
    strictTuples: false,
    allErrors: true,
  });
  const addFormats = addFormatsModule as unknown as (a: Ajv) => Ajv;
  addFormats(ajv);
  for (const keyword of ['example', 'min_items', 'minContent']) ajv.addKeyword({ keyword });
  ajv.addFormat('relative-path', {
    type: 'string',
    validate: (value: string) => {
      const target = join(context.fileDir, value.replace(/^\//, ''));
      return existsSync(target) && statSync(target).isFile() && statSync(target).size <= 3 * 1024 * 1024;
    },
  });
  ajv.addFormat('data-stream-name', {
    type: 'string',
    validate: (value: string) => existsSync(join(context.root, 'data_stream', value)),
  });
  // One walk: `<name>.spec.yml` are file schemas, `spec.yml` are folder specs.
  const folderSpecs = new Map<string, Record<string, unknown>>();
  for (const file of listSpecFiles(integrationDir, 'spec.yml')) {
    const rel = relative(integrationDir, file).split('\\').join('/');
    if (rel.endsWith('.spec.yml'))
      ajv.addSchema({ ...patchedSpec(file, version), $id: SCHEMA_ID_BASE + rel });
    else if (rel === 'spec.yml' || rel.endsWith('/spec.yml'))
      folderSpecs.set(rel, patchedSpec(file, version));
  }
  const compiled = new Map<string, ValidateFunction>();
  const loaded: LoadedSpec = {
    version,
    integrationDir,
    folderSpecs,
    validate(schemaPath, data, ctx) {
      let fn = compiled.get(schemaPath);
      if (!fn) {
        const got = ajv.getSchema(SCHEMA_ID_BASE + schemaPath);
        if (!got) throw new Error(`package-spec has no schema ${schemaPath}`);
        fn = got;
        compiled.set(schemaPath, fn);
      }
      context = ctx;
      fn(data);
      return (fn.errors ?? []).map((e) => ({
        instancePath: e.instancePath,
        keyword: e.keyword,
        message: e.message ?? 'is invalid',
        params: e.params as Record<string, unknown>,
        schemaPath: e.schemaPath,
      }));
    },
  };
  cache.set(key, loaded);
  return loaded;
}
