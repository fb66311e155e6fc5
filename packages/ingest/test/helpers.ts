import { createExecutor, type ProcessResult } from '../src';

export const NOW = new Date('2024-05-01T12:00:00.123Z');

/** Runs one document through an inline pipeline built from `processors` (and optional pipeline-level on_failure). */
export function run(
  processors: unknown[],
  source: Record<string, unknown>,
  extra: { on_failure?: unknown[]; pipelines?: Record<string, unknown> } = {},
): ProcessResult {
  const executor = createExecutor({
    pipelines: {
      ...(extra.pipelines ?? {}),
      main: { processors, ...(extra.on_failure !== undefined ? { on_failure: extra.on_failure } : {}) },
    },
    now: () => NOW,
  });
  return executor.process('main', { _index: 'logs-test-default', _source: source });
}

/** The `_source` of an indexed result; fails the test otherwise. */
export function source(result: ProcessResult): Record<string, unknown> {
  if (result.kind !== 'indexed')
    throw new Error(`expected an indexed document, got ${JSON.stringify(result)}`);
  return result._source;
}

/** The error of a failed result; fails the test otherwise. */
export function failure(result: ProcessResult): { type: string; reason: string } {
  if (result.kind !== 'error') throw new Error(`expected an error, got ${JSON.stringify(result)}`);
  return result.error;
}
