/** The LastPass Enterprise API client (read-only commands). Knows nothing about Elasticsearch. */
export {
  createLastPassClient,
  DEFAULT_LASTPASS_URL,
  type DetailedSharedFolderPage,
  type LastPassClient,
  type LastPassClientOptions,
  type RejectedEvent,
  type ReportingPage,
  type ReportingRequest,
  type SharedFolderPage,
  type UserDataPage,
} from './client';
export { systemClock, type Clock } from './clock';
export { fixedHash, type ProvisioningHashSource } from './hash-source';
export { LASTPASS_ERRORS, LastPassError, type LastPassErrorCode } from './errors';
export type { RawEvent, RawFolderMember, RawSharedFolder, RawUser } from './schemas';
export { createNdjsonTracer, type RequestTracer, type TraceEntry } from './tracer';
export type { Logger, RetryOptions } from './transport';
