/**
 * The collector's error catalog (everything outside `lastpass/`, which has its own). Match on `code`,
 * never on the class or the message. `retryable` says whether trying the same thing later can succeed.
 */
export const collectorErrorCatalog = {
  CONFIG_INVALID: { retryable: false, usage: true },
  CHECKPOINT_UNREADABLE: { retryable: false, usage: true },
  CHECKPOINT_FOREIGN: { retryable: false, usage: true },
  CHECKPOINT_WRITE_FAILED: { retryable: true, usage: false },
  SINK_NOT_SET_UP: { retryable: false, usage: true },
  SINK_UNAVAILABLE: { retryable: true, usage: false },
  SINK_AUTH_FAILED: { retryable: false, usage: true },
  SINK_DOCUMENT_REJECTED: { retryable: false, usage: false },
  SINK_OUTPUT_FAILED: { retryable: false, usage: false },
  PIPELINE_UNAVAILABLE: { retryable: false, usage: true },
  STREAM_FAILED: { retryable: true, usage: false },
  COLLECT_ABORTED: { retryable: true, usage: false },
  /** Another collector holds the state directory's lock (exit code 75, EXIT_STATE_LOCKED). */
  STATE_LOCKED: { retryable: true, usage: false },
} as const satisfies Record<string, { retryable: boolean; usage: boolean }>;

export type CollectorErrorCode = keyof typeof collectorErrorCatalog;

export class CollectorError extends Error {
  readonly code: CollectorErrorCode;
  readonly retryable: boolean;
  /** A usage/configuration problem: the CLI exits 2 for these (contracts §2). */
  readonly usage: boolean;

  constructor(code: CollectorErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'CollectorError';
    this.code = code;
    this.retryable = collectorErrorCatalog[code].retryable;
    this.usage = collectorErrorCatalog[code].usage;
  }
}

export function isCollectorError(error: unknown): error is CollectorError {
  return error instanceof CollectorError;
}

/** `{code, message}` of any thrown value, for logs and state (never a stack with request bodies). */
export function describeError(error: unknown): { code: string; message: string; retryable: boolean } {
  if (error instanceof Error) {
    const withCode = error as Error & { code?: unknown; retryable?: unknown };
    return {
      code: typeof withCode.code === 'string' ? withCode.code : 'UNEXPECTED',
      message: error.message,
      retryable: typeof withCode.retryable === 'boolean' ? withCode.retryable : false,
    };
  }
  return { code: 'UNEXPECTED', message: String(error), retryable: false };
}
