import type { StreamId } from '../config/schema';
import type { RawDocument } from '../streams/types';

/** A document after the ingest pipeline (what Elasticsearch would store), or why it was not stored. */
export type ProcessedDocument =
  | { kind: 'indexed'; id: string | undefined; source: Record<string, unknown> }
  | { kind: 'error'; type: string; reason: string }
  | { kind: 'dropped' };

/** Runs the package's pipelines locally (the NDJSON sink's stand-in for Elasticsearch's ingest node). */
export interface DocumentProcessor {
  process(stream: StreamId, document: RawDocument): ProcessedDocument;
}
