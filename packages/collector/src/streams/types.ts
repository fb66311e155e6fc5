import type { StreamId } from '../config/schema';
import type { Logger } from '../observability/logger';

/** The raw document an input ships (contracts §3): the same for this collector and the Agent's CEL program. */
export interface RawDocument {
  '@timestamp'?: string;
  message: string;
  data_stream: { type: 'logs'; dataset: string; namespace: string };
  _conf: { account_number: string; time_zone: string };
  tags: string[];
  lastpass_enterprise?: {
    event_report?: { occurrence: number };
    snapshot?: { id: string };
  };
}

/** What a stream yields: documents to write, then (optionally) the cursor that is safe once they are acknowledged. */
export interface Batch {
  documents: RawDocument[];
  /** Committed by the sync loop only after every document above has a verdict. Absent: nothing to commit yet. */
  commit?: unknown;
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
 * Makes the documents of one (stream, envelope): `data_stream`, `_conf` and `tags` are built once and
 * shared by every document it makes (fewer allocations per record); nothing downstream mutates them
 * (sinks serialize documents, the local executor copies its input).
 */
export function documentFactory(
  stream: StreamId,
  envelope: DocumentEnvelope,
): (message: unknown) => RawDocument {
  const dataStream = {
    type: 'logs' as const,
    dataset: `lastpass_enterprise.${stream}`,
    namespace: envelope.namespace,
  };
  const conf = { account_number: envelope.accountNumber, time_zone: envelope.timeZone };
  const tags =
    envelope.preserveOriginalEvent && !envelope.tags.includes('preserve_original_event')
      ? [...envelope.tags, 'preserve_original_event']
      : [...envelope.tags];
  return (message) => ({ message: JSON.stringify(message), data_stream: dataStream, _conf: conf, tags });
}

export function makeDocument(stream: StreamId, envelope: DocumentEnvelope, message: unknown): RawDocument {
  return documentFactory(stream, envelope)(message);
}
