import { ecsField } from './ecs';
import type { PackageProblem } from './errors';
import { fieldsFileSchema, firstIssue, type RawField } from './schemas';
import { readStructured } from './yaml';

/** One leaf (or nested/object container) field, flattened to its dotted name, `external: ecs` resolved. */
export interface FieldDefinition {
  name: string;
  /** Effective mapping type: as declared, else ECS's for `external: ecs`, else `keyword` (Fleet's default). */
  type: string;
  /** The type as written in the fields file (absent when ECS or the default supplied it). */
  declaredType?: string;
  description?: string;
  external?: 'ecs';
  value?: string;
  pattern?: string;
  date_format?: string;
  object_type?: string;
  unit?: string;
  metric_type?: string;
  /** ECS `normalize` (e.g. ['array']). */
  normalize?: string[];
  /** ECS allowed values (event.kind, event.category, event.type, event.outcome). */
  allowedValues?: string[];
  /** ECS expected values. */
  expectedValues?: string[];
  /** Absolute path of the fields file that defines it. */
  source: string;
  /** The entry as written, without its nested `fields` list. */
  raw: Record<string, unknown>;
}

/** Group-like containers whose children carry the real definitions. */
function isContainer(entry: RawField): boolean {
  return entry.fields !== undefined && (entry.type === undefined || entry.type === 'group');
}

function str(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

function define(
  name: string,
  entry: RawField,
  source: string,
  problems: PackageProblem[],
  path: string,
): FieldDefinition {
  const { fields: _children, ...raw } = entry;
  const external = raw['external'];
  const declaredType = str(raw['type']);
  const field: FieldDefinition = { name, type: declaredType ?? 'keyword', source, raw };
  if (declaredType !== undefined) field.declaredType = declaredType;
  const assign = (
    key: 'description' | 'value' | 'pattern' | 'date_format' | 'object_type' | 'unit' | 'metric_type',
    value: unknown,
  ): void => {
    const s = str(value);
    if (s !== undefined) field[key] = s;
  };
  if (external !== undefined) {
    if (external !== 'ecs') {
      problems.push({
        code: 'PACKAGE_MODEL_INVALID',
        file: source,
        path,
        message: `field "${name}": external must be "ecs", got ${JSON.stringify(external)}`,
      });
    } else {
      field.external = 'ecs';
      const ecs = ecsField(name);
      if (!ecs) {
        problems.push({
          code: 'PACKAGE_MODEL_UNKNOWN_ECS_FIELD',
          file: source,
          path,
          message: `field "${name}" is declared external: ecs but ECS has no such field`,
        });
      } else {
        if (declaredType === undefined) field.type = ecs.type;
        assign('description', ecs.description);
        assign('pattern', ecs.pattern);
        assign('object_type', ecs.object_type);
        if (ecs.normalize && ecs.normalize.length > 0) field.normalize = ecs.normalize;
        if (ecs.allowed_values) field.allowedValues = ecs.allowed_values.map((v) => v.name);
        if (ecs.expected_values) field.expectedValues = ecs.expected_values;
      }
    }
  }
  for (const key of [
    'description',
    'value',
    'pattern',
    'date_format',
    'object_type',
    'unit',
    'metric_type',
  ] as const) {
    assign(key, raw[key]);
  }
  return field;
}

function walk(
  entries: RawField[],
  prefix: string,
  source: string,
  path: string,
  out: FieldDefinition[],
  problems: PackageProblem[],
): void {
  entries.forEach((entry, index) => {
    const name = prefix ? `${prefix}.${entry.name}` : entry.name;
    const here = `${path}[${index}]`;
    if (!isContainer(entry)) out.push(define(name, entry, source, problems, here));
    if (entry.fields) walk(entry.fields, name, source, `${here}.fields`, out, problems);
  });
}

/** Flattens parsed fields-file entries into dotted definitions, resolving `external: ecs`. */
export function flattenFields(
  entries: RawField[],
  source: string,
  problems: PackageProblem[],
): FieldDefinition[] {
  const out: FieldDefinition[] = [];
  walk(entries, '', source, '', out, problems);
  return out;
}

/** Reads and flattens one `fields/*.yml` file; problems are appended, never thrown. */
export function readFieldsFile(file: string, problems: PackageProblem[]): FieldDefinition[] {
  const read = readStructured(file);
  if (!read.ok) {
    problems.push(read.problem);
    return [];
  }
  if (read.value === null) return [];
  const parsed = fieldsFileSchema.safeParse(read.value);
  if (!parsed.success) {
    const issue = firstIssue(parsed.error);
    problems.push({ code: 'PACKAGE_MODEL_INVALID', file, path: issue.path, message: issue.message });
    return [];
  }
  return flattenFields(parsed.data, file, problems);
}
