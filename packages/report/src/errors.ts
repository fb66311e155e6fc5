/**
 * The report's error catalog. Match on `code`, never on the class or the message. `usage` errors are bad
 * input (flags, missing or unreadable data): the CLI prints the message as one line and exits 2
 * (contracts §2); the others exit 1. `retryable` says whether trying the same thing later can succeed.
 */
export const reportErrorCatalog = {
  REPORT_BAD_OPTION: { retryable: false, usage: true },
  REPORT_NO_DATA: { retryable: false, usage: true },
  REPORT_MISSING_STREAM: { retryable: false, usage: true },
  REPORT_INPUT_UNREADABLE: { retryable: false, usage: true },
  REPORT_OUTPUT_UNWRITABLE: { retryable: false, usage: true },
  REPORT_ELASTICSEARCH_AUTH: { retryable: false, usage: true },
  REPORT_ELASTICSEARCH_FAILED: { retryable: true, usage: false },
  REPORT_INVALID: { retryable: false, usage: false },
} as const satisfies Record<string, { retryable: boolean; usage: boolean }>;

export type ReportErrorCode = keyof typeof reportErrorCatalog;

export class ReportError extends Error {
  readonly code: ReportErrorCode;
  readonly retryable: boolean;
  /** Bad input: exit code 2. */
  readonly usage: boolean;

  constructor(code: ReportErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ReportError';
    this.code = code;
    this.retryable = reportErrorCatalog[code].retryable;
    this.usage = reportErrorCatalog[code].usage;
  }
}

export function isReportError(error: unknown): error is ReportError {
  return error instanceof ReportError;
}
