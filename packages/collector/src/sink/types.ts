import type { StreamId } from '../config/schema';
import type { RawDocument } from '../streams/types';

/**
 * The sink's answer for one document (architecture-models.md §2.6). Transient trouble (429, 5xx,
 * connection errors) is retried inside the sink; if it cannot be resolved the sink throws instead of
 * answering, and nothing is committed.
 */
export type Verdict =
  | { status: 'indexed'; id: string | undefined }
  | { status: 'duplicate'; id: string | undefined }
  | { status: 'dropped' }
  | { status: 'failed'; type: string; reason: string };

export interface Sink {
  /** One verdict per document, same order. */
  write(stream: StreamId, documents: readonly RawDocument[]): Promise<Verdict[]>;
  close(): Promise<void>;
}
