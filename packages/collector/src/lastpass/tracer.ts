/**
 * Opt-in request tracer: one redacted NDJSON line per HTTP attempt. The client replaces the
 * provisioning hash (and every occurrence of it in any string) before an entry reaches a tracer.
 */
import { appendFileSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';

export interface TraceEntry {
  /** RFC 3339 time the attempt started (client clock). */
  time: string;
  command: string;
  /** 1-based attempt number within one client call. */
  attempt: number;
  /** The request body with `provhash` replaced by `[REDACTED]`. */
  request: Record<string, unknown>;
  /** HTTP status, absent for network errors and timeouts. */
  status?: number;
  durationMs: number;
  responseBytes?: number;
  /** `ok` or the error code of the attempt. */
  outcome: string;
  retryAfterMs?: number;
  /** First bytes of a failing body (redacted). */
  excerpt?: string;
}

export interface RequestTracer {
  record(entry: TraceEntry): void;
}

/** Appends each entry as one JSON line to `file` (created with its folder). */
export function createNdjsonTracer(file: string): RequestTracer {
  mkdirSync(dirname(file), { recursive: true });
  return {
    record(entry: TraceEntry): void {
      appendFileSync(file, `${JSON.stringify(entry)}\n`);
    },
  };
}
