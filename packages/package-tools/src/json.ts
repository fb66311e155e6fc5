/** A parsed JSON/YAML object. */
export type JsonObject = Record<string, unknown>;

/** A plain object (not null, not an array): the one guard every reader of parsed files uses. */
export function isRecord(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
