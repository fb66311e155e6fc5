import type { StreamId } from '../config/schema';
import type { Logger } from '../observability/logger';

/** Marks a document made by `documentFactory`: the envelope parts it shares with its siblings. */
export const SHARED_ENVELOPE = Symbol('lastpass-elastic.sharedEnvelope');

/** The frozen envelope parts of one factory and their JSON, ready to copy into request bodies. */
export interface SharedEnvelope {
  readonly dataStream: RawDocument['data_stream'];
  readonly conf: RawDocument['_conf'];
  readonly tags: readonly string[];
  /** UTF-8 of `,"data_stream":…,"_conf":…,"tags":[…]`. */
  readonly bytes: Buffer;
}

/** The raw document an input ships (contracts §3): the same for this collector and the Agent's CEL program. */
export interface RawDocument {
  /** Not serialized (a symbol key); lets sinks write the shared parts from `bytes`. */
  readonly [SHARED_ENVELOPE]?: SharedEnvelope;
  /**
   * Never set by an input (contracts §3): the Elastic Agent sets `@timestamp` on every event it
   * publishes, so a raw document carrying one would be sent with the key twice; the pipelines make it.
   */
  '@timestamp'?: never;
  message: string;
  data_stream: { type: 'logs'; dataset: string; namespace: string };
  _conf: { account_number: string; time_zone: string };
  tags: string[];
  lastpass_enterprise?: {
    event_report?: { occurrence: number };
    /** Users and shared folders: the snapshot's id and start time (RFC 3339, UTC, whole seconds). */
    snapshot?: { id: string; started_at: string };
  };
}

/** What a stream yields: documents to write, then (optionally) the cursor that is safe once they are acknowledged. */
export interface Batch {
  documents: RawDocument[];
  /** Committed by the sync loop only after every document above has a verdict. Absent: nothing to commit yet. */
  commit?: unknown;
  /**
   * Persist this cursor before anything else is written, whatever the commit pacing (a snapshot's
   * identity must be in the state file before its first document exists).
   */
  persistNow?: boolean;
  /**
   * Records the input itself refused (malformed: e.g. `Time` not a wall-clock text), as the documents they
   * would have been, with the reason: dead-lettered by the sync loop with this batch (never written to
   * the output), counted as failed; the cursor may pass them (issue #15 §6).
   */
  rejected?: { document: RawDocument; type: string; reason: string }[];
  /** Records received from LastPass for this batch (before any de-duplication). */
  fetched: number;
  apiCalls: number;
  /** Operator notes merged into the stream's health at commit (e.g. the time-zone self-check). */
  notes?: Record<string, string>;
  /** For progress bars: how far through the stream's planned work this batch is, 0..1. */
  progress?: number;
}

export interface StreamContext {
  /** The last committed cursor as stored (unknown: each stream validates its own). */
  cursor: unknown;
  /** Epoch ms; the collector's (injectable) clock. */
  now(): number;
  signal: AbortSignal;
  logger: Logger;
  /** `--since`: first window start when there is no cursor (event_report only). */
  since?: number | undefined;
}

/** One LastPass data set read as an async sequence of batches; never commits anything itself. */
export interface Stream {
  readonly id: StreamId;
  read(context: StreamContext): AsyncGenerator<Batch, void, undefined>;
}

/** Fixed per (account, stream): the envelope of every document (contracts §3). */
export interface DocumentEnvelope {
  accountNumber: string;
  timeZone: string;
  namespace: string;
  tags: string[];
  preserveOriginalEvent: boolean;
}

/**
 * Makes the documents of one (stream, envelope): `data_stream`, `_conf` and `tags` are built once,
 * frozen and shared by every document it makes (fewer allocations per record), and their JSON is
 * encoded once (`SHARED_ENVELOPE`, for sinks). `fromText` takes a `message` that is already the
 * record's JSON text.
 */
export function documentFactory(
  stream: StreamId,
  envelope: DocumentEnvelope,
): { fromRecord: (message: unknown) => RawDocument; fromText: (message: string) => RawDocument } {
  const dataStream = Object.freeze({
    type: 'logs' as const,
    dataset: `lastpass_enterprise.${stream}`,
    namespace: envelope.namespace,
  });
  const conf = Object.freeze({ account_number: envelope.accountNumber, time_zone: envelope.timeZone });
  const tags = Object.freeze(
    envelope.preserveOriginalEvent && !envelope.tags.includes('preserve_original_event')
      ? [...envelope.tags, 'preserve_original_event']
      : [...envelope.tags],
  );
  const shared: SharedEnvelope = Object.freeze({
    dataStream,
    conf,
    tags,
    bytes: Buffer.from(
      `,"data_stream":${JSON.stringify(dataStream)},"_conf":${JSON.stringify(conf)},"tags":${JSON.stringify(tags)}`,
    ),
  });
  const fromText = (message: string): RawDocument => ({
    message,
    data_stream: dataStream,
    _conf: conf,
    tags: tags as string[],
    [SHARED_ENVELOPE]: shared,
  });
  return { fromText, fromRecord: (message) => fromText(JSON.stringify(message)) };
}

export function makeDocument(stream: StreamId, envelope: DocumentEnvelope, message: unknown): RawDocument {
  return documentFactory(stream, envelope).fromRecord(message);
}
