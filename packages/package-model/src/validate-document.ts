import { isIP } from 'node:net';
import type { FieldDefinition } from './fields';
import type { DataStreamModel } from './load';

export interface DocumentProblem {
  /** Dotted path of the offending value. */
  path: string;
  message: string;
  /** What is wrong: an undefined field, a value of the wrong type, an ECS allowed-value or normalize breach. */
  kind: 'undefined' | 'type' | 'allowed_value' | 'normalize';
}

const STRING_TYPES = new Set([
  'keyword',
  'constant_keyword',
  'wildcard',
  'text',
  'match_only_text',
  'version',
]);
const INTEGER_TYPES = new Set(['long', 'integer', 'short', 'byte', 'unsigned_long']);
const NUMBER_TYPES = new Set(['float', 'double', 'half_float', 'scaled_float']);
/** Types under which any sub-key is acceptable. */
const OPEN_TYPES = new Set(['object', 'flattened', 'nested']);

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function describe(value: unknown): string {
  return Array.isArray(value) ? 'array' : value === null ? 'null' : typeof value;
}

const patternCache = new Map<string, RegExp>();
function patternRegExp(pattern: string): RegExp {
  let re = patternCache.get(pattern);
  if (!re) {
    re = new RegExp(`^(?:${pattern})$`);
    patternCache.set(pattern, re);
  }
  return re;
}

type Mismatch = { kind: 'type' | 'allowed_value'; message: string };
const typeMismatch = (message: string): Mismatch => ({ kind: 'type', message });

/** Why `value` (one element) does not fit `field`, or undefined when it does. */
function typeProblem(field: FieldDefinition, value: unknown): Mismatch | undefined {
  const t = field.type;
  if (STRING_TYPES.has(t)) {
    if (typeof value !== 'string')
      return typeMismatch(`expected a string for ${t} field, got ${describe(value)}`);
    if (t === 'constant_keyword' && field.value !== undefined && value !== field.value) {
      return typeMismatch(`constant_keyword value must be "${field.value}", got "${value}"`);
    }
    if (field.allowedValues && !field.allowedValues.includes(value)) {
      return {
        kind: 'allowed_value',
        message: `"${value}" is not an allowed ECS value (expected one of ${field.allowedValues.join(', ')})`,
      };
    }
    if (field.pattern !== undefined && !patternRegExp(field.pattern).test(value)) {
      return typeMismatch(`"${value}" does not match the pattern ${field.pattern}`);
    }
    return undefined;
  }
  if (INTEGER_TYPES.has(t)) {
    return typeof value === 'number' && Number.isInteger(value)
      ? undefined
      : typeMismatch(`expected an integer for ${t} field, got ${describe(value)}`);
  }
  if (NUMBER_TYPES.has(t)) {
    return typeof value === 'number' && Number.isFinite(value)
      ? undefined
      : typeMismatch(`expected a number for ${t} field, got ${describe(value)}`);
  }
  switch (t) {
    case 'boolean':
      return typeof value === 'boolean'
        ? undefined
        : typeMismatch(`expected a boolean, got ${describe(value)}`);
    case 'date':
      if (typeof value === 'number' && Number.isFinite(value)) return undefined;
      if (typeof value !== 'string') return typeMismatch(`expected a date string, got ${describe(value)}`);
      return field.date_format !== undefined || !Number.isNaN(Date.parse(value))
        ? undefined
        : typeMismatch(`"${value}" is not a date`);
    case 'ip':
      return typeof value === 'string' && isIP(value) !== 0
        ? undefined
        : typeMismatch(`expected an IP address, got ${JSON.stringify(value)}`);
    case 'geo_point':
      return isPlainObject(value) || typeof value === 'string'
        ? undefined
        : typeMismatch(`expected a geo_point, got ${describe(value)}`);
    default:
      return undefined;
  }
}

/** How a data stream's fields answer for a dotted path; built once per fields list. */
export interface FieldIndex {
  /** The definition of `path`: the field of that name, else a wildcard (`*`) definition matching it. */
  readonly lookup: (path: string) => FieldDefinition | undefined;
  /** True when a parent of `path` is an object/flattened/nested field, under which any sub-key is acceptable. */
  readonly underOpen: (path: string) => boolean;
}

const indexes = new WeakMap<readonly FieldDefinition[], FieldIndex>();

/** The (cached) lookup of a data stream's fields, shared by validateDocument and check's pipeline rule. */
export function fieldIndex(ds: DataStreamModel): FieldIndex {
  const cached = indexes.get(ds.fields);
  if (cached) return cached;
  const byName = new Map(ds.fields.map((f) => [f.name, f]));
  const patterns = ds.fields
    .filter((f) => f.name.includes('*'))
    .map((f) => ({
      field: f,
      re: new RegExp(
        `^${f.name
          .split('*')
          .map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
          .join('[^.]+')}$`,
      ),
    }));
  const lookup = (path: string): FieldDefinition | undefined =>
    byName.get(path) ?? patterns.find((p) => p.re.test(path))?.field;
  const index: FieldIndex = {
    lookup,
    underOpen: (path) => {
      const parts = path.split('.');
      for (let i = parts.length - 1; i > 0; i -= 1) {
        const parent = lookup(parts.slice(0, i).join('.'));
        if (parent && OPEN_TYPES.has(parent.type)) return true;
      }
      return false;
    },
  };
  indexes.set(ds.fields, index);
  return index;
}

/**
 * Checks a document (an indexed `_source`) against a data stream's fields: every leaf must be a
 * defined field (or sit under an `object`/`flattened`/`nested` one), and each value must fit the
 * field's type, constant value, ECS allowed values and `normalize: array`. Null values are ignored,
 * as Elasticsearch ignores them.
 */
export function validateDocument(ds: DataStreamModel, doc: Record<string, unknown>): DocumentProblem[] {
  const { lookup, underOpen } = fieldIndex(ds);
  const problems: DocumentProblem[] = [];

  const visit = (path: string, value: unknown): void => {
    if (value === null || value === undefined) return;
    const field = lookup(path);
    if (field && !(isPlainObject(value) && field.type === 'group')) {
      const elements = Array.isArray(value) ? value : [value];
      if (field.normalize?.includes('array') && !Array.isArray(value)) {
        problems.push({
          path,
          kind: 'normalize',
          message: `field "${path}" must be an array (ECS normalize: array)`,
        });
      }
      for (const element of elements) {
        if (element === null) continue;
        if (isPlainObject(element) && !OPEN_TYPES.has(field.type) && field.type !== 'geo_point') {
          problems.push({
            path,
            kind: 'type',
            message: `field "${path}" is ${field.type} but holds an object`,
          });
          continue;
        }
        const why = typeProblem(field, element);
        if (why) problems.push({ path, kind: why.kind, message: `field "${path}": ${why.message}` });
      }
      return;
    }
    if (isPlainObject(value)) {
      for (const [key, child] of Object.entries(value)) visit(path ? `${path}.${key}` : key, child);
      return;
    }
    if (Array.isArray(value)) {
      const objects = value.filter(isPlainObject);
      if (objects.length === value.length) {
        for (const element of objects) visit(path, element);
        return;
      }
    }
    if (underOpen(path)) return;
    problems.push({
      path,
      kind: 'undefined',
      message: `field "${path}" is undefined in data stream ${ds.name}`,
    });
  };

  for (const [key, value] of Object.entries(doc)) visit(key, value);
  return problems;
}
