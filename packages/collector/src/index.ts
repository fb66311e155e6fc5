/** The collector: LastPass client, streams, sync loop, checkpoint store, sinks (Elasticsearch, NDJSON). */
export * from './lastpass';
export {
  CollectorError,
  collectorErrorCatalog,
  describeError,
  isCollectorError,
  type CollectorErrorCode,
} from './errors';
export {
  DEFAULTS,
  loadConfigFile,
  readSecretFile,
  resolveConfig,
  type AccountConfig,
  type CollectorConfig,
  type ConfigFlags,
  type ElasticsearchConfig,
  type EventReportSettings,
  type InventorySettings,
} from './config/load';
export { STREAM_IDS, configFileSchema, type StreamId } from './config/schema';
export { Secret } from './config/secret';
export { formatDuration, parseDuration } from './config/duration';
export { AccountZone } from './time/account-zone';
export {
  FileCheckpointStore,
  MemoryCheckpointStore,
  STATE_FORMAT,
  parseStateFile,
  type CheckpointStore,
  type StreamState,
  type StreamCounts,
} from './checkpoint/store';
export { assignOccurrences, createEventReportStream, eventReportCursorSchema } from './streams/event-report';
export { createUserStream } from './streams/user';
export { createDetailedSharedFolderStream } from './streams/detailed-shared-folder';
export { snapshotCursorSchema } from './streams/snapshot';
export type { Batch, RawDocument, Stream } from './streams/types';
export type { ReportingSource, SharedFolderSource, UserSource } from './streams/sources';
export type { Sink, Verdict } from './sink/types';
export { MemorySink, contractId } from './sink/memory';
export { NdjsonSink } from './sink/ndjson';
export { ElasticsearchSink, createElasticsearchClient } from './sink/elasticsearch';
// createPackageProcessor (./sink/package-processor) is not re-exported: it loads the ingest executor and
// the package reader, which only the NDJSON output needs (run.ts imports it when that output is chosen).
export { findPackageRoot } from './sink/package-root';
export { FileDeadLetters, MemoryDeadLetters, type DeadLetters } from './sink/dead-letter';
export {
  collectForever,
  collectOnce,
  streamsFor,
  type CollectorDeps,
  type LastPassSource,
} from './sync/collector';
export { runStream, summaryLine, type StreamRunResult } from './sync/run-stream';
export { EXIT_STATE_LOCKED, runCollect, type RunCollectOptions, type RunCollectResult } from './run';
export { acquireStateLock, LOCK_FILE, type StateLock } from './checkpoint/lock';
export { readStatus, type StatusRow } from './status';
export { createLogger, silentLogger, type Logger } from './observability/logger';
export { HEAP_GROWING_PERCENT, limitHeapGrowth } from './observability/heap';
