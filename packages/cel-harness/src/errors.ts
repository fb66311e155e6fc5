/**
 * The harness's error catalog: stable string codes with a `retryable` flag. Messages never carry a
 * value of a redacted state key (the runner scrubs them before anything leaves the harness).
 */
export const CEL_HARNESS_ERRORS = {
  /** The `cel.yml.hbs` template did not render (unknown helper, bad variable). */
  CEL_TEMPLATE_INVALID: { retryable: false },
  /** The rendered template is not valid YAML or lacks `program`, `state`, `resource.url`, ... */
  CEL_CONFIG_INVALID: { retryable: false },
  /** The program does not parse, or calls a function the Agent's CEL environment does not have. */
  CEL_PROGRAM_INVALID: { retryable: false },
  /** A mito function or Go time layout that this harness does not emulate was used (fails instead of pretending). */
  CEL_UNSUPPORTED: { retryable: false },
  /** Evaluation failed (a CEL runtime error, or an HTTP transport error inside `do_request`/`post`). */
  CEL_EVALUATION_FAILED: { retryable: true },
  /** The program's result is not a map with `events` (a list of maps, or one map with `error`). */
  CEL_RESULT_INVALID: { retryable: false },
  /** Bad options given to the harness itself. */
  CEL_INVALID_OPTION: { retryable: false },
} as const satisfies Record<string, { retryable: boolean }>;

export type CelHarnessErrorCode = keyof typeof CEL_HARNESS_ERRORS;

export class CelHarnessError extends Error {
  readonly code: CelHarnessErrorCode;
  readonly retryable: boolean;
  constructor(code: CelHarnessErrorCode, message: string) {
    super(message);
    this.name = 'CelHarnessError';
    this.code = code;
    this.retryable = CEL_HARNESS_ERRORS[code].retryable;
  }
}
