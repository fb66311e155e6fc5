import { CelHarnessError } from './errors';
import { formatGoTime } from './golayout';
import { parseJsonInCelRealm } from './realm';

/**
 * Conversions between CEL values as cel-js represents them (int = bigint, double = number,
 * bytes = Uint8Array, timestamp = Date, map = plain object, list = array) and JSON, following Go's
 * `encoding/json` as mito uses it: map keys sorted, `<`, `>`, `&` escaped, bytes as base64,
 * timestamps as RFC 3339 with nanoseconds; JSON numbers decode as doubles.
 */
export type CelMap = Record<string, unknown>;

export function isCelMap(v: unknown): v is CelMap {
  if (typeof v !== 'object' || v === null || Object.prototype.toString.call(v) !== '[object Object]')
    return false;
  const proto: unknown = Object.getPrototypeOf(v);
  return proto === null || (proto as { constructor?: { name?: string } }).constructor?.name === 'Object';
}

/** Go's json.Marshal of a CEL value (ConvertToNative to JSON). */
export function encodeJson(value: unknown): string {
  return encode(value).replace(
    /[<>&\u2028\u2029]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

function encode(value: unknown): string {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return JSON.stringify(value);
    case 'bigint':
      return value.toString();
    case 'number':
      if (!Number.isFinite(value))
        throw new CelHarnessError('CEL_EVALUATION_FAILED', `encode_json: unsupported value: ${value}`);
      return JSON.stringify(value);
    default:
      break;
  }
  if (Array.isArray(value)) return `[${value.map(encode).join(',')}]`;
  const tag = Object.prototype.toString.call(value);
  if (tag === '[object Uint8Array]')
    return JSON.stringify(Buffer.from(value as Uint8Array).toString('base64'));
  if (tag === '[object Date]')
    return JSON.stringify(formatGoTime(value as Date, '2006-01-02T15:04:05.999999999Z07:00'));
  if (isCelMap(value)) {
    const keys = Object.keys(value).sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${encode(value[k])}`).join(',')}}`;
  }
  throw new CelHarnessError(
    'CEL_UNSUPPORTED',
    `encode_json: a ${(value as object).constructor.name} value is not emulated by this harness`,
  );
}

/** mito's decode_json: every JSON number becomes a double. */
export function decodeJson(text: string): unknown {
  try {
    return parseJsonInCelRealm(text);
  } catch (e) {
    throw new Error(`decode_json: ${(e as Error).message}`);
  }
}

/** A CEL value as a plain JSON value (what the Agent publishes): bigint → number, bytes → base64, timestamp → RFC 3339. */
export function toJsonValue(value: unknown): unknown {
  return JSON.parse(encode(value)) as unknown;
}

/** JSON data (e.g. a persisted cursor) as the CEL input sees it after a restart: numbers are doubles. */
export function fromJsonValue(value: unknown): unknown {
  return parseJsonInCelRealm(JSON.stringify(value));
}
