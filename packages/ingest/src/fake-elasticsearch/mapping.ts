import { isIP } from 'node:net';
import type { EsErrorDetail } from './responses';

export type JsonObject = Record<string, unknown>;

export function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Index settings flattened to `index.*` keys with string (or string-array) values, as Elasticsearch stores them. */
export type FlatSettings = Record<string, string | string[]>;

export function flattenSettings(settings: unknown, into: FlatSettings = {}): FlatSettings {
  const walk = (value: unknown, prefix: string): void => {
    if (isObject(value)) {
      for (const [key, child] of Object.entries(value)) walk(child, prefix === '' ? key : `${prefix}.${key}`);
      return;
    }
    if (value === null || value === undefined || prefix === '') return;
    const key = prefix.startsWith('index.') ? prefix : `index.${prefix}`;
    into[key] = Array.isArray(value) ? value.map((v: unknown) => scalarText(v)) : scalarText(value);
  };
  walk(settings, '');
  return into;
}

/** Flat settings back to the nested form Elasticsearch answers with (`{index: {default_pipeline: ...}}`). */
export function nestSettings(flat: FlatSettings): JsonObject {
  const out: JsonObject = {};
  for (const [key, value] of Object.entries(flat).sort(([a], [b]) => a.localeCompare(b))) {
    const parts = key.split('.');
    let node = out;
    parts.forEach((part, i) => {
      if (i === parts.length - 1) {
        node[part] = value;
        return;
      }
      const next = node[part];
      if (isObject(next)) node = next;
      else {
        const created: JsonObject = {};
        node[part] = created;
        node = created;
      }
    });
  }
  return out;
}

/** Deep merge of `properties` (later wins per field), dynamic templates by name, other keys replaced. */
export function mergeMappings(base: JsonObject, next: unknown): JsonObject {
  if (!isObject(next)) return base;
  const out: JsonObject = { ...base };
  for (const [key, value] of Object.entries(next)) {
    if (key === 'properties' && isObject(value)) {
      out['properties'] = mergeProperties(isObject(base['properties']) ? base['properties'] : {}, value);
    } else if (key === 'dynamic_templates' && Array.isArray(value)) {
      const added: unknown[] = value;
      const existing = Array.isArray(base['dynamic_templates'])
        ? (base['dynamic_templates'] as unknown[])
        : [];
      const names = new Set(added.filter(isObject).flatMap((t) => Object.keys(t)));
      out['dynamic_templates'] = [
        ...existing.filter((t) => !isObject(t) || !Object.keys(t).some((n) => names.has(n))),
        ...added,
      ];
    } else {
      out[key] = structuredClone(value);
    }
  }
  return out;
}

function mergeProperties(base: JsonObject, next: JsonObject): JsonObject {
  const out: JsonObject = { ...base };
  for (const [name, field] of Object.entries(next)) {
    const previous = out[name];
    out[name] =
      isObject(previous) &&
      isObject(field) &&
      (isObject(previous['properties']) || isObject(field['properties']))
        ? mergeMappings(previous, field)
        : structuredClone(field);
  }
  return out;
}

const LEAF_ANY = new Set([
  'flattened',
  'geo_point',
  'geo_shape',
  'shape',
  'point',
  'histogram',
  'dense_vector',
  'sparse_vector',
  'passthrough',
  'percolator',
  'join',
  'completion',
  'search_as_you_type',
  'alias',
]);
const INTEGERS = new Set(['long', 'integer', 'short', 'byte', 'unsigned_long']);
const FLOATS = new Set(['float', 'double', 'half_float', 'scaled_float']);
const MALFORMABLE = new Set([...INTEGERS, ...FLOATS, 'date', 'date_nanos', 'ip', 'boolean']);
const ISO_DATE =
  /^[+-]?\d{4,9}(-\d{2}(-\d{2}(T\d{2}(:\d{2}(:\d{2}([.,]\d{1,9})?)?)?(Z|[+-]\d{2}(:?\d{2})?)?)?)?)?$/;

/** A scalar's text as Elasticsearch prints it (objects as JSON). */
export function scalarText(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint')
    return String(value);
  return JSON.stringify(value) ?? '';
}

function preview(value: unknown): string {
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  return text.length > 20 ? `${text.slice(0, 20)}...` : text;
}

export interface CheckContext {
  id: string;
  /** `index.mapping.ignore_malformed` of the target index. */
  ignoreMalformed: boolean;
}

/**
 * Checks a document against an index's mapping the way the mapper would reject it: a concrete value
 * for an object field, an object for a leaf field, a value a numeric/date/ip/boolean field cannot
 * parse (unless ignore_malformed), a constant_keyword mismatch, an unmapped field under `dynamic: strict`.
 * Unset constant_keyword values are fixed in `mapping` by the first document, as Elasticsearch does.
 * Returns the error detail of the first problem, or null.
 */
export function checkDocument(
  mapping: JsonObject,
  source: JsonObject,
  ctx: CheckContext,
): EsErrorDetail | null {
  const fail = (path: string, type: string, value: unknown, cause?: EsErrorDetail): EsErrorDetail => ({
    type: 'document_parsing_exception',
    reason: `[1:1] failed to parse field [${path}] of type [${type}] in document with id '${ctx.id}'. Preview of field's value: '${preview(value)}'`,
    ...(cause === undefined ? {} : { caused_by: cause }),
  });

  const checkLeaf = (field: JsonObject, type: string, value: unknown, path: string): EsErrorDetail | null => {
    if (value === null) return null;
    if (isObject(value))
      return fail(path, type, value, {
        type: 'illegal_state_exception',
        reason: `Can't get text on a START_OBJECT at 1:1`,
      });
    const malformed = (reason: string): EsErrorDetail | null => {
      if (MALFORMABLE.has(type) && (ctx.ignoreMalformed || field['ignore_malformed'] === true)) return null;
      return fail(path, type, value, { type: 'illegal_argument_exception', reason });
    };
    if (INTEGERS.has(type) || FLOATS.has(type)) {
      const number =
        typeof value === 'number'
          ? value
          : typeof value === 'string' && value.trim() !== ''
            ? Number(value)
            : Number.NaN;
      if (!Number.isFinite(number)) return malformed(`For input string: "${scalarText(value)}"`);
      return null;
    }
    if (type === 'boolean') {
      if (typeof value === 'boolean' || value === 'true' || value === 'false' || value === '') return null;
      return malformed(`Failed to parse value [${scalarText(value)}] as only [true] or [false] are allowed.`);
    }
    if (type === 'date' || type === 'date_nanos') {
      if (field['format'] !== undefined) return null; // custom formats are not emulated
      if (
        typeof value === 'number' ||
        (typeof value === 'string' && (ISO_DATE.test(value) || /^-?\d+$/.test(value)))
      )
        return null;
      return malformed(
        `failed to parse date field [${scalarText(value)}] with format [strict_date_optional_time||epoch_millis]`,
      );
    }
    if (type === 'ip') {
      if (typeof value === 'string' && isIP(value) !== 0) return null;
      return malformed(`'${scalarText(value)}' is not an IP string literal.`);
    }
    if (type === 'constant_keyword') {
      const text = scalarText(value);
      const expected = field['value'];
      if (expected === undefined) {
        field['value'] = text;
        return null;
      }
      if (expected !== text) {
        return fail(path, type, value, {
          type: 'illegal_argument_exception',
          reason: `[constant_keyword] field [${path}] only accepts values that are equal to the value defined in the mappings [${scalarText(expected)}], but got [${text}]`,
        });
      }
    }
    return null;
  };

  const checkValue = (
    field: JsonObject | undefined,
    value: unknown,
    path: string,
    strict: boolean,
  ): EsErrorDetail | null => {
    if (Array.isArray(value)) {
      for (const element of value) {
        const error = checkValue(field, element, path, strict);
        if (error) return error;
      }
      return null;
    }
    if (field === undefined) return isObject(value) ? visit(undefined, value, path, strict) : null;
    const type = typeof field['type'] === 'string' ? field['type'] : 'object';
    if (type === 'object' || type === 'nested') {
      if (value === null) return null;
      if (!isObject(value)) {
        return {
          type: 'document_parsing_exception',
          reason: `[1:1] object mapping for [${path}] tried to parse field [${path.split('.').pop() ?? path}] as object, but found a concrete value`,
        };
      }
      const dynamic = field['dynamic'];
      return visit(
        isObject(field['properties']) ? field['properties'] : {},
        value,
        path,
        dynamic === undefined ? strict : dynamic === 'strict',
      );
    }
    if (LEAF_ANY.has(type)) return null;
    return checkLeaf(field, type, value, path);
  };

  const visit = (
    properties: JsonObject | undefined,
    object: JsonObject,
    prefix: string,
    strict: boolean,
  ): EsErrorDetail | null => {
    for (const [key, value] of Object.entries(object)) {
      const segments = key.split('.');
      let props = properties;
      let path = prefix;
      let field: JsonObject | undefined;
      for (let i = 0; i < segments.length; i += 1) {
        const segment = segments[i] ?? '';
        path = path === '' ? segment : `${path}.${segment}`;
        const candidate = props?.[segment];
        field = isObject(candidate) ? candidate : undefined;
        if (field === undefined && props !== undefined && strict) {
          return {
            type: 'strict_dynamic_mapping_exception',
            reason: `[1:1] mapping set to strict, dynamic introduction of [${segment}] within [${prefix === '' ? '_doc' : prefix}] is not allowed`,
          };
        }
        if (i < segments.length - 1) {
          if (
            field !== undefined &&
            typeof field['type'] === 'string' &&
            field['type'] !== 'object' &&
            field['type'] !== 'nested'
          ) {
            if (LEAF_ANY.has(field['type'])) return null;
            return {
              type: 'document_parsing_exception',
              reason: `[1:1] Could not dynamically add mapping for field [${key}]. Existing mapping for [${path}] must be of type object but found [${field['type']}].`,
            };
          }
          props = field !== undefined && isObject(field['properties']) ? field['properties'] : undefined;
        }
      }
      const error = checkValue(field, value, path, strict);
      if (error) return error;
    }
    return null;
  };

  const root = isObject(mapping['properties']) ? mapping['properties'] : {};
  return visit(root, source, '', mapping['dynamic'] === 'strict');
}

/** The first field whose type `next` would change (`PUT _mapping` refuses that), as Elasticsearch words it. */
export function mappingConflict(existing: JsonObject, next: JsonObject, prefix = ''): string | null {
  const before = isObject(existing['properties']) ? existing['properties'] : {};
  const after = isObject(next['properties']) ? next['properties'] : {};
  for (const [name, field] of Object.entries(after)) {
    const old = before[name];
    if (!isObject(old) || !isObject(field)) continue;
    const path = prefix === '' ? name : `${prefix}.${name}`;
    const oldType = typeof old['type'] === 'string' ? old['type'] : 'object';
    const newType = typeof field['type'] === 'string' ? field['type'] : 'object';
    if (oldType !== newType)
      return `mapper [${path}] cannot be changed from type [${oldType}] to [${newType}]`;
    const inner = mappingConflict(old, field, path);
    if (inner !== null) return inner;
  }
  return null;
}

/** Reads a dotted path from a document that may use nested objects, dotted keys, or both. */
export function getPath(source: unknown, path: string): unknown {
  if (!isObject(source)) return undefined;
  if (path in source) return source[path];
  const parts = path.split('.');
  for (let i = 1; i < parts.length; i += 1) {
    const head = parts.slice(0, i).join('.');
    if (head in source) {
      const found = getPath(source[head], parts.slice(i).join('.'));
      if (found !== undefined) return found;
    }
  }
  return undefined;
}

/** The query subset the fake's `_search` and `_count` understand. Anything else is refused, not ignored. */
export function matchesQuery(source: JsonObject, id: string, query: unknown): boolean {
  if (query === undefined) return true;
  if (!isObject(query)) throw new TypeError('query must be an object');
  const [kind, body] = Object.entries(query)[0] ?? ['match_all', {}];
  const values = (v: unknown): unknown[] => (Array.isArray(v) ? v : [v]);
  switch (kind) {
    case 'match_all':
      return true;
    case 'ids':
      return isObject(body) && Array.isArray(body['values']) && body['values'].includes(id);
    case 'exists':
      return (
        isObject(body) && typeof body['field'] === 'string' && getPath(source, body['field']) !== undefined
      );
    case 'term':
    case 'terms': {
      if (!isObject(body)) return false;
      const [field, raw] = Object.entries(body)[0] ?? ['', undefined];
      const wanted = kind === 'term' ? [isObject(raw) ? raw['value'] : raw] : values(raw);
      return values(getPath(source, field)).some((v) =>
        wanted.some((w) => w === v || String(w) === String(v)),
      );
    }
    case 'range': {
      // Numbers compare as numbers, dates (RFC 3339 / epoch text) as instants, anything else as text.
      if (!isObject(body)) return false;
      const [field, bounds] = Object.entries(body)[0] ?? ['', undefined];
      if (!isObject(bounds)) return false;
      return values(getPath(source, field)).some((v) =>
        Object.entries(bounds).every(([op, bound]) => {
          const c = compareValues(v, bound);
          if (c === undefined) return op === 'format' || op === 'time_zone' || op === 'boost';
          if (op === 'gte') return c >= 0;
          if (op === 'gt') return c > 0;
          if (op === 'lte') return c <= 0;
          if (op === 'lt') return c < 0;
          return true;
        }),
      );
    }
    case 'bool': {
      if (!isObject(body)) return false;
      const all = [...values(body['must'] ?? []), ...values(body['filter'] ?? [])];
      const none = values(body['must_not'] ?? []);
      const any = values(body['should'] ?? []);
      return (
        all.every((q) => matchesQuery(source, id, q)) &&
        !none.some((q) => matchesQuery(source, id, q)) &&
        (any.length === 0 || any.some((q) => matchesQuery(source, id, q)))
      );
    }
    default:
      throw new TypeError(
        `query [${kind}] is not emulated by the fake Elasticsearch (match_all, ids, exists, term, terms, range, bool are)`,
      );
  }
}

/**
 * A full ISO 8601 / RFC 3339 date text (`2024-03-10`, `2024-03-10T06:30:00Z`, …): only these compare as
 * instants (ISO_DATE above, what a date field accepts, also takes a bare year, which a keyword sorts as text).
 */
const ISO_DAY_OR_INSTANT =
  /^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?$/i;
const instantOf = (v: unknown): number =>
  typeof v === 'string' && ISO_DAY_OR_INSTANT.test(v) ? Date.parse(v) : Number.NaN;

/**
 * Orders two field values as a `range` query or a `sort` would: numbers numerically, two ISO date texts as
 * instants, otherwise as text (V8's Date.parse also takes "Jan 2" or some base64 ids, which a keyword sorts
 * as text); undefined when either side is missing or not a scalar.
 */
export function compareValues(a: unknown, b: unknown): number | undefined {
  const scalar = (v: unknown): v is string | number | boolean =>
    typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean';
  if (!scalar(a) || !scalar(b)) return undefined;
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  const da = instantOf(a);
  const db = instantOf(b);
  if (!Number.isNaN(da) && !Number.isNaN(db)) return da - db;
  const ta = String(a);
  const tb = String(b);
  return ta < tb ? -1 : ta > tb ? 1 : 0;
}

/** `sort` of `_search`: `[{field: {order, missing}}]`, `[{field: "desc"}]` or `["field"]` (missing values last). */
export function sortKeys(sort: unknown): { field: string; desc: boolean }[] {
  const list = sort === undefined ? [] : Array.isArray(sort) ? sort : [sort];
  return list.map((entry) => {
    if (typeof entry === 'string') return { field: entry, desc: false };
    if (!isObject(entry)) throw new TypeError('sort entries must be field names or objects');
    const [field, spec] = Object.entries(entry)[0] ?? ['', undefined];
    const order = isObject(spec) ? spec['order'] : spec;
    if (order !== undefined && order !== 'asc' && order !== 'desc')
      throw new TypeError(`sort order must be asc or desc, got ${JSON.stringify(order)}`);
    if (isObject(spec) && spec['missing'] !== undefined && spec['missing'] !== '_last')
      throw new TypeError('the fake Elasticsearch sorts missing values last only');
    return { field, desc: order === 'desc' };
  });
}
