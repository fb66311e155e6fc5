import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, posix } from 'node:path';
import { z } from 'zod';
import { parseJson, parseYaml } from '@lastpass-elastic/package-model';
import type { Report } from './findings';
import type { AjvError, LoadedSpec } from './spec-loader';

export type CheckMode = 'source' | 'build';

const itemSchema: z.ZodType<FolderItem> = z.lazy(() =>
  z.looseObject({
    type: z.enum(['file', 'folder']),
    name: z.string().optional(),
    pattern: z.string().optional(),
    forbiddenPatterns: z.array(z.string()).optional(),
    required: z.boolean().optional(),
    contents: z.array(itemSchema).optional(),
    additionalContents: z.boolean().optional(),
    $ref: z.string().optional(),
    contentMediaType: z.string().optional(),
    allowLink: z.boolean().optional(),
    validationMode: z.enum(['source', 'build']).optional(),
    sizeLimit: z.string().optional(),
    configurationSizeLimit: z.string().optional(),
  }),
);
interface FolderItem {
  type: 'file' | 'folder';
  name?: string | undefined;
  pattern?: string | undefined;
  forbiddenPatterns?: string[] | undefined;
  required?: boolean | undefined;
  contents?: FolderItem[] | undefined;
  additionalContents?: boolean | undefined;
  $ref?: string | undefined;
  contentMediaType?: string | undefined;
  allowLink?: boolean | undefined;
  validationMode?: 'source' | 'build' | undefined;
  sizeLimit?: string | undefined;
  configurationSizeLimit?: string | undefined;
}
const folderSchema = z.looseObject({
  contents: z.array(itemSchema).optional(),
  additionalContents: z.boolean().optional(),
  sizeLimit: z.string().optional(),
  configurationSizeLimit: z.string().optional(),
});
type FolderSpec = z.infer<typeof folderSchema>;

const UNITS: Record<string, number> = { B: 1, KB: 1024, MB: 1024 ** 2, GB: 1024 ** 3 };
function bytes(limit: string | undefined): number | undefined {
  const m = limit ? /^(\d+)\s*(B|KB|MB|GB)$/.exec(limit) : null;
  return m ? Number(m[1]) * (UNITS[m[2] ?? 'B'] ?? 1) : undefined;
}

export interface StructureOptions {
  root: string;
  mode: CheckMode;
  packageName: string;
  spec: LoadedSpec;
  report: Report;
}

interface Limits {
  sizeLimit: number | undefined;
  configurationSizeLimit: number | undefined;
}

/** Maps ajv errors to findings; drops the redundant combinator summaries. */
export function reportSchemaErrors(
  errors: AjvError[],
  file: string,
  schemaPath: string,
  report: Report,
): void {
  const isPipeline = schemaPath.endsWith('pipeline.spec.yml');
  // The JSE00001 rule is an if/then with `contains`: ajv reports one error per array item; collapse them.
  const renameLists = new Set<string>();
  const rest = errors.filter((e) => {
    if (isPipeline && (e.keyword === 'contains' || e.schemaPath.includes('/contains/'))) {
      renameLists.add(e.instancePath.split('/')[1] ?? 'processors');
      return false;
    }
    return true;
  });
  for (const list of renameLists) {
    report(
      'SPEC_RENAME_MESSAGE',
      file,
      list,
      'renaming message to event.original needs `if: ctx.event?.original == null` on the rename and a `remove` of message with `ignore_missing: true` and `if: ctx.event?.original != null` (JSE00001)',
    );
  }
  const meaningful = rest.filter(
    (e) =>
      !['if', 'anyOf', 'oneOf', 'allOf'].includes(e.keyword) || (rest.length === 1 && renameLists.size === 0),
  );
  const seen = new Set<string>();
  for (const e of meaningful) {
    const path = e.instancePath.split('/').slice(1).join('.');
    let code: 'SPEC_SCHEMA' | 'SPEC_SECRET_VAR' = 'SPEC_SCHEMA';
    let message = e.message;
    if (e.keyword === 'required' && e.params['missingProperty'] === 'secret') {
      code = 'SPEC_SECRET_VAR';
      message = 'a var of type password or with a secret-looking name must set `secret: true` (or false)';
    } else if (e.keyword === 'not') {
      message = 'Must not be present';
    } else if (e.keyword === 'additionalProperties') {
      message = `additional property "${String(e.params['additionalProperty'])}" not allowed`;
    } else if (e.keyword === 'enum') {
      const allowed = e.params['allowedValues'];
      const list = Array.isArray(allowed) ? allowed.map(String) : [];
      message = `must be one of ${list.slice(0, 12).join(', ')}${list.length > 12 ? ', …' : ''}`;
    }
    const key = `${code}|${path}|${message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    report(code, file, path, message);
  }
}

function resolveFolder(
  spec: LoadedSpec,
  fromSpec: string,
  item: FolderItem,
): { folder: FolderSpec; specPath: string } {
  if (item.$ref) {
    const target = posix.normalize(posix.join(posix.dirname(fromSpec), item.$ref));
    const raw = spec.folderSpecs.get(target);
    if (!raw) throw new Error(`package-spec folder spec ${target} (from ${fromSpec}) not found`);
    const base = folderSchema.parse(raw);
    return {
      folder: {
        ...base,
        ...(item.additionalContents !== undefined ? { additionalContents: item.additionalContents } : {}),
      },
      specPath: target,
    };
  }
  return { folder: folderSchema.parse(item), specPath: fromSpec };
}

function matches(item: FolderItem, entry: string, packageName: string): boolean {
  const sub = (p: string): RegExp => new RegExp(p.replace('{PACKAGE_NAME}', packageName), 'u');
  const hit =
    item.name !== undefined
      ? item.name === entry
      : item.pattern !== undefined && sub(item.pattern).test(entry);
  return hit && !(item.forbiddenPatterns ?? []).some((p) => sub(p).test(entry));
}

/**
 * Walks a package tree against the package-spec folder specs (elastic/package-spec folder_spec.go
 * semantics): unknown entries, type and mode mismatches, `.link` files, required items, size limits,
 * parse/`---` rules for YAML, and each file's JSON schema. Hidden entries (`.git`, `.ci`, …) are skipped;
 * unknown directories where additional contents are allowed are not descended into.
 */
export function walkStructure(opts: StructureOptions): void {
  const rootSpec = folderSchema.parse(opts.spec.folderSpecs.get('spec.yml'));
  walkFolder(opts, opts.root, rootSpec, 'spec.yml', {
    sizeLimit: bytes(rootSpec.sizeLimit),
    configurationSizeLimit: bytes(rootSpec.configurationSizeLimit),
  });
}

function walkFolder(
  opts: StructureOptions,
  dir: string,
  folder: FolderSpec,
  specPath: string,
  inherited: Limits,
): void {
  const { report, mode } = opts;
  const contents = folder.contents ?? [];
  const found = new Set<FolderItem>();
  for (const entry of readdirSync(dir).sort()) {
    if (entry.startsWith('.')) continue;
    const full = join(dir, entry);
    const isDir = statSync(full).isDirectory();
    const isLink = !isDir && entry.endsWith('.link');
    const lookupName = isLink ? entry.slice(0, -'.link'.length) : entry;
    if (
      specPath.endsWith('_dev/test/pipeline/spec.yml') &&
      /-expected\.json$/.test(entry) &&
      !/\.(json|log)-expected\.json$/.test(entry)
    ) {
      // Otherwise it matches the test-case pattern and fails the event schema, which hides the real mistake.
      const fixed = entry.replace(/-expected\.json$/, '.json-expected.json');
      report(
        'SPEC_STRUCTURE',
        full,
        '',
        `expected results are named after the whole case file: rename to ${fixed}`,
      );
      continue;
    }
    const item = contents.find((c) => matches(c, lookupName, opts.packageName));
    if (!item) {
      if (folder.additionalContents === false) {
        report(
          'SPEC_STRUCTURE',
          full,
          '',
          `${isDir ? 'folder' : 'file'} "${entry}" is not allowed here by package-spec`,
        );
      } else if (isDir && entry.includes('-')) {
        report('SPEC_STRUCTURE', full, '', `unknown folder "${entry}" must not contain "-"`);
      }
      continue;
    }
    found.add(item);
    if ((item.type === 'folder') !== isDir) {
      report('SPEC_STRUCTURE', full, '', `"${entry}" must be a ${item.type}`);
      continue;
    }
    if (item.validationMode && item.validationMode !== mode) {
      report(
        'SPEC_STRUCTURE',
        full,
        '',
        `"${entry}" is only allowed in ${item.validationMode} mode (this is a ${mode} check)`,
      );
      continue;
    }
    if (isLink) {
      if (!item.allowLink || mode === 'build')
        report('SPEC_STRUCTURE', full, '', `link file "${entry}" is not allowed here`);
      continue;
    }
    const limits: Limits = {
      sizeLimit: bytes(item.sizeLimit) ?? inherited.sizeLimit,
      configurationSizeLimit: bytes(item.configurationSizeLimit) ?? inherited.configurationSizeLimit,
    };
    if (isDir) {
      const sub = resolveFolder(opts.spec, specPath, item);
      walkFolder(opts, full, sub.folder, sub.specPath, {
        sizeLimit: bytes(sub.folder.sizeLimit) ?? limits.sizeLimit,
        configurationSizeLimit: bytes(sub.folder.configurationSizeLimit) ?? limits.configurationSizeLimit,
      });
    } else {
      checkFile(opts, full, item, specPath, limits);
    }
  }
  for (const item of contents) {
    if (item.required && !found.has(item) && !(item.validationMode && item.validationMode !== mode)) {
      report(
        'SPEC_REQUIRED',
        join(dir, item.name ?? item.pattern ?? '?'),
        '',
        `required ${item.type} "${item.name ?? item.pattern ?? '?'}" is missing`,
      );
    }
  }
}

function checkFile(
  opts: StructureOptions,
  file: string,
  item: FolderItem,
  specPath: string,
  limits: Limits,
): void {
  const { report } = opts;
  const size = statSync(file).size;
  if (limits.sizeLimit !== undefined && size > limits.sizeLimit) {
    report('SPEC_FILE', file, '', `file is ${size} bytes, above the limit of ${limits.sizeLimit}`);
    return;
  }
  const media = item.contentMediaType;
  if (!media) return;
  if (size === 0) {
    report('SPEC_FILE', file, '', 'file is empty');
    return;
  }
  const text = readFileSync(file, 'utf8');
  let data: unknown;
  if (media.startsWith('application/x-yaml')) {
    if (limits.configurationSizeLimit !== undefined && size > limits.configurationSizeLimit) {
      report(
        'SPEC_FILE',
        file,
        '',
        `YAML file is ${size} bytes, above the limit of ${limits.configurationSizeLimit}`,
      );
      return;
    }
    if (media.includes('require-document-dashes=true') && !text.startsWith('---')) {
      report('SPEC_FILE', file, '', 'document dashes are required (start the file with "---")');
    }
    const parsed = parseYaml(text, file);
    if (!parsed.ok) {
      report('SPEC_FILE', file, '', parsed.problem.message);
      return;
    }
    data = parsed.value;
  } else if (media === 'application/json') {
    const parsed = parseJson(text, file);
    if (!parsed.ok) {
      report('SPEC_FILE', file, '', parsed.problem.message);
      return;
    }
    data = parsed.value;
  } else {
    return;
  }
  if (item.$ref) {
    const schemaPath = posix
      .normalize(posix.join(posix.dirname(specPath), item.$ref))
      .replace(/^(\.\.\/)+integration\//, '');
    const errors = opts.spec.validate(schemaPath, data, { fileDir: dirname(file), root: opts.root });
    reportSchemaErrors(errors, file, schemaPath, report);
  }
}
