/** Error catalog of `setup` (stable codes; `retryable` says whether running again later may succeed). */
export const SETUP_ERRORS = {
  SETUP_CONFIG: { retryable: false, exitCode: 2 },
  SETUP_UNREACHABLE: { retryable: true, exitCode: 1 },
  SETUP_TLS: { retryable: false, exitCode: 1 },
  SETUP_AUTH_FAILED: { retryable: false, exitCode: 1 },
  SETUP_FORBIDDEN: { retryable: false, exitCode: 1 },
  SETUP_DOWNGRADE_REFUSED: { retryable: false, exitCode: 1 },
  SETUP_VERSION_CONFLICT: { retryable: true, exitCode: 1 },
  SETUP_TOO_LARGE: { retryable: false, exitCode: 1 },
  SETUP_PACKAGE_REJECTED: { retryable: false, exitCode: 1 },
  SETUP_RATE_LIMITED: { retryable: true, exitCode: 1 },
  SETUP_UNSUPPORTED_VERSION: { retryable: false, exitCode: 1 },
  SETUP_INVALID_PACKAGE: { retryable: false, exitCode: 1 },
  SETUP_REQUEST_FAILED: { retryable: true, exitCode: 1 },
  SETUP_RULES_REJECTED: { retryable: false, exitCode: 1 },
} as const;

export type SetupErrorCode = keyof typeof SETUP_ERRORS;

/** A one-line, secret-free explanation of why setup stopped. */
export class SetupError extends Error {
  readonly retryable: boolean;
  readonly exitCode: number;
  constructor(
    readonly code: SetupErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'SetupError';
    this.retryable = SETUP_ERRORS[code].retryable;
    this.exitCode = SETUP_ERRORS[code].exitCode;
  }
}
