import { createHash } from 'node:crypto';
import type { StreamId } from '../config/schema';
import type { RawDocument } from '../streams/types';
import type { Sink, Verdict } from './types';

/**
 * The `_id` the package pipelines make (contracts §4), computed in TypeScript for the in-memory sink of
 * contract tests. Production ids are made only by the ingest pipeline.
 */
export function contractId(stream: StreamId, doc: RawDocument): string {
  const message = JSON.parse(doc.message) as Record<string, unknown>;
  const str = (v: unknown): string => (typeof v === 'string' ? v : JSON.stringify(v ?? null));
  const parts: string[] = [doc._conf.account_number];
  if (stream === 'event_report')
    parts.push(
      ...['Time', 'Username', 'IP_Address', 'Action', 'Data'].map((k) => str(message[k])),
      String(doc.lastpass_enterprise?.event_report?.occurrence ?? ''),
    );
  else {
    parts.push(doc.lastpass_enterprise?.snapshot?.id ?? '');
    if (stream === 'user') parts.push(str(message.id ?? message.username));
    else
      parts.push(str(message.id), str((message.users as { username?: unknown } | undefined)?.username ?? ''));
  }
  return createHash('sha1').update(parts.join('\u0000')).digest('base64');
}

/**
 * An in-memory, create-only store keyed by `_id`: what a data stream with a deterministic id does.
 * Faults can be scheduled: `failNextWrites` makes the next writes throw (an outage), `rejectIds` answers
 * a permanent per-item failure.
 */
export class MemorySink implements Sink {
  readonly documents = new Map<StreamId, Map<string, RawDocument>>();
  readonly writes: { stream: StreamId; count: number }[] = [];
  failNextWrites = 0;
  rejectWhen: ((doc: RawDocument) => boolean) | undefined;

  constructor(private readonly idOf: (stream: StreamId, doc: RawDocument) => string = contractId) {}

  write(stream: StreamId, documents: readonly RawDocument[]): Promise<Verdict[]> {
    if (this.failNextWrites > 0) {
      this.failNextWrites--;
      return Promise.reject(new Error('memory sink: scheduled outage'));
    }
    this.writes.push({ stream, count: documents.length });
    let store = this.documents.get(stream);
    if (store === undefined) {
      store = new Map();
      this.documents.set(stream, store);
    }
    const verdicts = documents.map((doc): Verdict => {
      if (this.rejectWhen?.(doc) === true)
        return { status: 'failed', type: 'mapper_parsing_exception', reason: 'rejected by test' };
      const id = this.idOf(stream, doc);
      if (store.has(id)) return { status: 'duplicate', id };
      store.set(id, doc);
      return { status: 'indexed', id };
    });
    return Promise.resolve(verdicts);
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}
