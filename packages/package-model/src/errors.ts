/** The package-model error catalog: stable codes; none of them is retryable (they are all about files on disk). */
export const PACKAGE_MODEL_ERRORS = {
  PACKAGE_MODEL_READ_FAILED: 'a file could not be read',
  PACKAGE_MODEL_PARSE_FAILED: 'a YAML or JSON file does not parse',
  PACKAGE_MODEL_INVALID: 'a file does not have the shape the model needs',
  PACKAGE_MODEL_UNKNOWN_ECS_FIELD: 'an `external: ecs` field is not in the pinned ECS version',
} as const;

export type PackageModelErrorCode = keyof typeof PACKAGE_MODEL_ERRORS;

/** A problem found while reading the package, naming the file and (when known) the path inside it. */
export interface PackageProblem {
  readonly code: PackageModelErrorCode;
  readonly file: string;
  readonly path: string;
  readonly message: string;
}

export class PackageModelError extends Error {
  readonly code: PackageModelErrorCode;
  readonly file: string;
  readonly path: string;
  readonly retryable = false;

  constructor(problem: PackageProblem) {
    super(`${problem.file}${problem.path ? ` ${problem.path}` : ''}: ${problem.message}`);
    this.name = 'PackageModelError';
    this.code = problem.code;
    this.file = problem.file;
    this.path = problem.path;
  }
}
