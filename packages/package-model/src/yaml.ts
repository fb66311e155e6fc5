import { readFileSync } from 'node:fs';
import { parseDocument } from 'yaml';
import type { PackageModelErrorCode, PackageProblem } from './errors';

export type ReadResult = { ok: true; value: unknown } | { ok: false; problem: PackageProblem };

function failed(code: PackageModelErrorCode, file: string, error: unknown): ReadResult {
  const message = error instanceof Error ? error.message : String(error);
  return { ok: false, problem: { code, file, path: '', message } };
}

/**
 * Parses YAML the way package-spec's loader does: YAML 1.2 core schema (only true/false are
 * booleans), duplicate keys are errors, and the result is plain JSON (no Dates, no Maps).
 */
export function parseYaml(text: string, file: string): ReadResult {
  const doc = parseDocument(text, { uniqueKeys: true, schema: 'core', prettyErrors: false });
  const first = doc.errors[0];
  if (first) return failed('PACKAGE_MODEL_PARSE_FAILED', file, first.message.split('\n')[0] ?? 'YAML error');
  return { ok: true, value: JSON.parse(JSON.stringify(doc.toJS() ?? null)) as unknown };
}

export function parseJson(text: string, file: string): ReadResult {
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch (error) {
    return failed('PACKAGE_MODEL_PARSE_FAILED', file, error);
  }
}

/** Reads and parses a `.yml`/`.yaml` or `.json` file (by extension). */
export function readStructured(file: string): ReadResult {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    return failed('PACKAGE_MODEL_READ_FAILED', file, error);
  }
  return file.endsWith('.json') ? parseJson(text, file) : parseYaml(text, file);
}
