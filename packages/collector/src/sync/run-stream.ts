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
import type { Batch, Stream } from '../streams/types';

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
  /** After each batch: the stream's planned work done (the last known fraction, 0..1) and the run's counts. */
  onProgress?: (progress: { fraction: number | undefined; counts: StreamCounts }) => void;
}

type Rejected = NonNullable<Batch['rejected']>[number];

/** The number of HTTP requests a failed call made, when its error says (LastPass client errors do). */
function attemptsOf(error: unknown): number {
  const attempts = (error as { attempts?: unknown } | null)?.attempts;
  return typeof attempts === 'number' && Number.isInteger(attempts) && attempts > 0 ? attempts : 0;
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
  if (options.since !== undefined && stream.id === 'event_report' && state.cursor !== null) {
    const upper = (state.cursor as { upper?: unknown }).upper;
    const where = store.locate?.(accountNumber, stream.id) ?? `the ${stream.id} state file`;
    log.warn(
      { code: 'SINCE_IGNORED', cursor: typeof upper === 'string' ? upper : null },
      `--since ignored: ${stream.id} of account ${accountNumber} already has a cursor${typeof upper === 'string' ? ` (events up to ${upper} are delivered)` : ''}, which always wins; to read from --since again, stop the collector and delete ${where} (events already delivered are then answered as duplicates)`,
    );
  }
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
  let fraction: number | undefined;
  /** The batch being written: its fetched records and calls count even when its write fails (§8). */
  let inFlight: StreamCounts | undefined;
  try {
    const batches = readAhead(
      stream.read({ cursor: state.cursor, now: options.now, signal, logger: log, since: options.since }),
    );
    for await (const batch of batches) {
      const step = zeroCounts();
      step.fetched = batch.fetched;
      step.api_calls = batch.apiCalls;
      inFlight = step;
      const rejected: Rejected[] = [];
      if (batch.rejected !== undefined && batch.rejected.length > 0) {
        step.failed += batch.rejected.length;
        rejected.push(...batch.rejected);
        const first = batch.rejected[0];
        log.warn(
          {
            code: 'RECORD_INVALID',
            rejected: batch.rejected.length,
            type: first?.type,
            reason: first?.reason,
          },
          `${batch.rejected.length} record(s) malformed: dead-lettered, the stream goes on`,
        );
      }
      if (batch.documents.length > 0) {
        const verdicts = await sink.write(stream.id, batch.documents);
        if (verdicts.length !== batch.documents.length)
          throw new CollectorError(
            'SINK_OUTPUT_FAILED',
            `sink answered ${verdicts.length} verdicts for ${batch.documents.length} documents`,
          );
        const refused: Rejected[] = [];
        verdicts.forEach((v, i) => {
          if (v.status === 'indexed') step.indexed++;
          else if (v.status === 'duplicate') step.duplicates++;
          else if (v.status === 'failed') {
            step.failed++;
            const document = batch.documents[i];
            if (document !== undefined) refused.push({ document, type: v.type, reason: v.reason });
          }
        });
        if (refused.length > 0) {
          const first = refused[0];
          log.error(
            {
              code: 'SINK_DOCUMENT_REJECTED',
              rejected: refused.length,
              type: first?.type,
              reason: first?.reason,
            },
            'documents rejected by the output',
          );
          rejected.push(...refused);
        }
      }
      if (rejected.length > 0) {
        const first = rejected[0];
        if (options.strict) {
          add(counts, step);
          inFlight = undefined;
          throw new CollectorError(
            'SINK_DOCUMENT_REJECTED',
            `${rejected.length} document(s) rejected (${first?.type ?? ''}: ${first?.reason ?? ''}); --strict: stopping without committing`,
          );
        }
        const at = new Date(options.now());
        deadLetters.write(accountNumber, stream.id, rejected, at);
        state.health.dead_letters += rejected.length;
        pendingNotes.last_dead_letter = `${at.toISOString()}: ${rejected.length} document(s), first ${first?.type ?? ''}: ${first?.reason ?? ''} (${deadLetters.locate?.(accountNumber, stream.id) ?? 'dead-letter file'})`;
      }
      inFlight = undefined;
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
      if (batch.progress !== undefined) fraction = batch.progress;
      options.onProgress?.({ fraction, counts });
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
    // the summary counts what the failed run did: the batch whose write failed, the calls of a failed read
    if (inFlight !== undefined) {
      counts.fetched += inFlight.fetched;
      counts.api_calls += inFlight.api_calls;
    } else counts.api_calls += attemptsOf(error);
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
