/**
 * The LastPass client's error catalog (architecture-models §2.5): every failure is classified once,
 * at the boundary, into a stable string `code` with a `retryable` flag. Match on `code`, not on
 * `instanceof`. Messages never contain the provisioning hash (the client redacts every excerpt).
 */
export const LASTPASS_ERRORS = {
  /** XML `<lastpass rc="Authorization Error"/>` with HTTP 200: wrong account number or hash. */
  LASTPASS_AUTH_FAILED: { retryable: false },
  /** An inventory command was refused; the "Restrict Enterprise API to event reporting" policy is the likely cause. */
  LASTPASS_COMMAND_RESTRICTED: { retryable: false },
  /** HTTP 429. `retryAfterMs` is set when the server sent `Retry-After`. */
  LASTPASS_RATE_LIMITED: { retryable: true },
  /** HTTP 5xx or a network error (connection refused, reset). */
  LASTPASS_UNAVAILABLE: { retryable: true },
  /** No complete answer within the per-request timeout. */
  LASTPASS_TIMEOUT: { retryable: true },
  /** A body that starts like JSON but ends early (connection cut mid-body). */
  LASTPASS_TRUNCATED_RESPONSE: { retryable: true },
  /** An HTML page (not LastPass's XML error body) with HTTP 200: a maintenance or proxy page; retried. */
  LASTPASS_HTML_RESPONSE: { retryable: true },
  /** The answer passed `response_max_bytes` (the download is stopped there). */
  LASTPASS_RESPONSE_TOO_LARGE: { retryable: false },
  /** Not JSON, or JSON of the wrong shape for the command (a vendor change). */
  LASTPASS_UNEXPECTED_RESPONSE: { retryable: false },
  /** HTTP status other than 200, 429 and 5xx. */
  LASTPASS_HTTP_ERROR: { retryable: false },
  /** XML `<lastpass rc="…"/>` with an rc other than `Authorization Error`. */
  LASTPASS_API_ERROR: { retryable: false },
  /** `reporting` answered with a `status` other than `OK` (compared case-insensitively). */
  LASTPASS_REPORT_FAILED: { retryable: false },
  /** A retryable error persisted past `maxAttempts` or `maxElapsedMs`; `cause` is the last error. */
  LASTPASS_RETRIES_EXHAUSTED: { retryable: true },
  /** The caller's `signal` aborted the call (shutdown); a request in flight was cancelled. */
  LASTPASS_ABORTED: { retryable: false },
  /** The caller passed an invalid option or request parameter (nothing was sent). */
  LASTPASS_INVALID_REQUEST: { retryable: false },
} as const satisfies Record<string, { retryable: boolean }>;

export type LastPassErrorCode = keyof typeof LASTPASS_ERRORS;

export interface LastPassErrorDetails {
  command?: string;
  status?: number;
  retryAfterMs?: number;
  attempts?: number;
  cause?: unknown;
}

export class LastPassError extends Error {
  readonly code: LastPassErrorCode;
  readonly retryable: boolean;
  readonly command: string | undefined;
  readonly status: number | undefined;
  readonly retryAfterMs: number | undefined;
  /** HTTP requests the failed call made (set on every error a call throws, retries included). */
  attempts: number | undefined;

  constructor(code: LastPassErrorCode, message: string, details: LastPassErrorDetails = {}) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.name = 'LastPassError';
    this.code = code;
    this.retryable = LASTPASS_ERRORS[code].retryable;
    this.command = details.command;
    this.status = details.status;
    this.retryAfterMs = details.retryAfterMs;
    this.attempts = details.attempts;
  }
}
