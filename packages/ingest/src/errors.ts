/** Error catalog of the ingest executor. Codes are stable strings; `retryable` is always false here. */
export type IngestErrorCode =
  | 'INGEST_UNSUPPORTED_PROCESSOR'
  | 'INGEST_UNKNOWN_PROCESSOR'
  | 'INGEST_UNSUPPORTED_FEATURE'
  | 'INGEST_INVALID_CONFIG'
  | 'INGEST_INVALID_CONDITION'
  | 'INGEST_PIPELINE_NOT_FOUND'
  | 'INGEST_PIPELINE_LOAD_FAILED'
  | 'INGEST_INVALID_DOCUMENT'
  | 'INGEST_GEOIP_DATABASE';

/** A load-time (configuration) error: the pipeline cannot be compiled. */
export class IngestError extends Error {
  readonly retryable = false;
  constructor(
    readonly code: IngestErrorCode,
    message: string,
    readonly details: {
      readonly pipeline?: string;
      readonly processorType?: string;
      readonly processorTag?: string;
      readonly propertyName?: string;
      /** Elasticsearch's exception type for this configuration error (`parse_exception`, ...). */
      readonly esType?: string;
    } = {},
  ) {
    super(message);
    this.name = 'IngestError';
  }
}

/**
 * A document-level failure with Elasticsearch's exception type and message, e.g.
 * `illegal_argument_exception` / `field [a] not present as part of path [a]`.
 */
export class ProcessingError extends Error {
  constructor(
    readonly type: string,
    message: string,
  ) {
    super(message);
    this.name = 'ProcessingError';
  }
}

export function illegalArgument(message: string): ProcessingError {
  return new ProcessingError('illegal_argument_exception', message);
}

/**
 * Thrown through the processor chain: the root cause plus where it happened (Elasticsearch's
 * IngestProcessorException headers). Handlers read the innermost processor's type and tag.
 */
export class ProcessorFailure extends Error {
  constructor(
    override readonly cause: ProcessingError,
    readonly processorType: string,
    readonly processorTag: string | undefined,
    readonly pipeline: string | undefined,
  ) {
    super(cause.message);
    this.name = 'ProcessorFailure';
  }
}

/** Normalises anything thrown by a processor into Elasticsearch's root-cause form. */
export function rootCause(error: unknown): ProcessingError {
  if (error instanceof ProcessorFailure) return error.cause;
  if (error instanceof ProcessingError) return error;
  if (error instanceof IngestError)
    return new ProcessingError(error.details.esType ?? 'illegal_argument_exception', error.message);
  if (error instanceof RangeError) return new ProcessingError('illegal_argument_exception', error.message);
  return new ProcessingError('exception', error instanceof Error ? error.message : String(error));
}
