import {
  emptyHealth,
  zeroCounts,
  type CheckpointStore,
  type StreamCounts,
  type StreamState,
} from '../checkpoint/store';
import { CollectorError, describeError } from '../errors';
import type { Logger } from '../observability/logger';
import type { DeadLetters } from '../sink/dead-letter';
import type { Sink } from '../sink/types';
import type { Stream } from '../streams/types';

export interface StreamRunResult {
  stream: Stream['id'];
  accountNumber: string;
  counts: StreamCounts;
  /** `ok`, `failed` (error below), `blocked` (account policy refuses the command), `aborted` (signal). */
  outcome: 'ok' | 'failed' | 'blocked' | 'aborted';
  error?: { code: string; message: string };
}

export interface RunStreamOptions {
  accountNumber: string;
  stream: Stream;
  store: CheckpointStore;
  sink: Sink;
  deadLetters: DeadLetters;
  now: () => number;
  logger: Logger;
  signal: AbortSignal;
  strict: boolean;
  since?: number | undefined;
  /**
   * Persist the acknowledged cursor at most this often (ms, by `now`); 0 (the default) persists after
   * every batch. Between persists the cursor still never passes an unacknowledged event; a crash
   * re-reads at most this much, which the deterministic ids absorb (409 = duplicate).
   */
  commitIntervalMs?: number;
  onProgress?: (progress: { fraction: number | undefined; counts: StreamCounts }) => void;
}

function add(into: StreamCounts, from: StreamCounts): void {
  into.fetched += from.fetched;
  into.indexed += from.indexed;
  into.duplicates += from.duplicates;
  into.failed += from.failed;
  into.api_calls += from.api_calls;
}

/**
 * Reads one batch ahead, so the next LastPass request overlaps the sink's write of the current batch.
 * Batches still reach the loop in order, so commits stay in order; an early stop lets the read in
 * flight settle (its batch is dropped, never committed) and closes the stream.
 */
async function* readAhead<T>(source: AsyncGenerator<T, void, undefined>): AsyncGenerator<T, void, undefined> {
  let next = source.next();
  try {
    for (;;) {
      const result = await next;
      if (result.done === true) return;
      next = source.next();
      next.catch(() => undefined); // observed when awaited above; no unhandled rejection meanwhile
      yield result.value;
    }
  } finally {
    await next.catch(() => undefined);
    await source.return(undefined);
  }
}

/**
 * The sync loop for one stream — the only code that commits cursors. For each batch: write its
 * documents, wait for a verdict on every one, dead-letter permanent failures (or stop in strict mode),
 * and only then commit the cursor the batch carries. A failure before the commit leaves the previous
 * cursor in place, so the next run reads the same data again; deterministic ids absorb the repeat.
 */
export async function runStream(options: RunStreamOptions): Promise<StreamRunResult> {
  const { accountNumber, stream, store, sink, deadLetters, logger, signal } = options;
  const log = logger.child({ account_number: accountNumber, stream: stream.id });
  const loaded = await store.load(accountNumber, stream.id);
  const state: StreamState = loaded ?? { cursor: null, health: emptyHealth() };
  const counts = zeroCounts();
  const pending = zeroCounts();
  let pendingNotes: Record<string, string> = {};
  const commit = async (cursor: unknown): Promise<void> => {
    state.cursor = cursor;
    add(state.health.totals, pending);
    state.health.notes = { ...state.health.notes, ...pendingNotes };
    Object.assign(pending, zeroCounts());
    pendingNotes = {};
    await store.commit(accountNumber, stream.id, state, new Date(options.now()));
  };
  let outcome: StreamRunResult['outcome'] = 'ok';
  /** The newest cursor whose every event is acknowledged (persisted by `commit`, at most every interval). */
  let acknowledged: unknown = state.cursor;
  const interval = options.commitIntervalMs ?? 0;
  let lastCommit = options.now();
  try {
    const batches = readAhead(
      stream.read({ cursor: state.cursor, now: options.now, signal, logger: log, since: options.since }),
    );
    for await (const batch of batches) {
      const step = zeroCounts();
      step.fetched = batch.fetched;
      step.api_calls = batch.apiCalls;
      if (batch.documents.length > 0) {
        const verdicts = await sink.write(stream.id, batch.documents);
        if (verdicts.length !== batch.documents.length)
          throw new CollectorError(
            'SINK_OUTPUT_FAILED',
            `sink answered ${verdicts.length} verdicts for ${batch.documents.length} documents`,
          );
        const rejected: { document: (typeof batch.documents)[number]; type: string; reason: string }[] = [];
        verdicts.forEach((v, i) => {
          if (v.status === 'indexed') step.indexed++;
          else if (v.status === 'duplicate') step.duplicates++;
          else if (v.status === 'failed') {
            step.failed++;
            const document = batch.documents[i];
            if (document !== undefined) rejected.push({ document, type: v.type, reason: v.reason });
          }
        });
        if (rejected.length > 0) {
          const first = rejected[0];
          log.error(
            {
              code: 'SINK_DOCUMENT_REJECTED',
              rejected: rejected.length,
              type: first?.type,
              reason: first?.reason,
            },
            'documents rejected by the output',
          );
          if (options.strict) {
            add(counts, step);
            throw new CollectorError(
              'SINK_DOCUMENT_REJECTED',
              `${rejected.length} document(s) rejected (${first?.type ?? ''}: ${first?.reason ?? ''}); --strict: stopping without committing`,
            );
          }
          deadLetters.write(accountNumber, stream.id, rejected, new Date(options.now()));
          state.health.dead_letters += rejected.length;
        }
      }
      add(counts, step);
      add(pending, step);
      if (batch.notes !== undefined) pendingNotes = { ...pendingNotes, ...batch.notes };
      if (batch.commit !== undefined) {
        acknowledged = batch.commit;
        if (interval <= 0 || batch.persistNow === true || options.now() - lastCommit >= interval) {
          await commit(acknowledged);
          lastCommit = options.now();
        }
      }
      options.onProgress?.({ fraction: batch.progress, counts });
      if (signal.aborted) {
        outcome = 'aborted';
        break;
      }
    }
    if (outcome === 'ok') {
      state.health.last_success = new Date(options.now()).toISOString();
      delete state.health.notes.blocked_by_account_policy;
    }
    await commit(acknowledged);
    return { stream: stream.id, accountNumber, counts, outcome };
  } catch (error) {
    const described = describeError(error);
    const blocked = described.code === 'LASTPASS_COMMAND_RESTRICTED';
    state.health.last_error = {
      code: described.code,
      message: described.message,
      at: new Date(options.now()).toISOString(),
    };
    if (blocked)
      pendingNotes.blocked_by_account_policy =
        'the account policy "Restrict Enterprise API to event reporting" refuses this command; the event report is unaffected';
    // Health, and the cursor of the last acknowledged batch (which may not have been persisted yet)
    // with the counts of the batches it covers (the failing batch's were never added to `pending`).
    const cursor = acknowledged;
    try {
      await commit(cursor);
    } catch (commitError) {
      log.error(describeError(commitError), 'cannot record the error in the state file');
    }
    if (blocked) log.warn({ code: described.code }, described.message);
    else log.error({ code: described.code, retryable: described.retryable }, described.message);
    return {
      stream: stream.id,
      accountNumber,
      counts,
      outcome: blocked ? 'blocked' : 'failed',
      error: { code: described.code, message: described.message },
    };
  }
}

/** The final line per stream (issue §7). */
export function summaryLine(result: StreamRunResult): string {
  const c = result.counts;
  return `stream=${result.stream} fetched=${c.fetched} indexed=${c.indexed} duplicates=${c.duplicates} failed=${c.failed} api_calls=${c.api_calls} account=${result.accountNumber} outcome=${result.outcome}${
    result.error === undefined ? '' : ` error=${result.error.code}`
  }`;
}
