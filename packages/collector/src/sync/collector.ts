import type { AccountConfig, CollectorConfig } from '../config/load';
import type { StreamId } from '../config/schema';
import type { CheckpointStore, StreamCounts } from '../checkpoint/store';
import type { Logger } from '../observability/logger';
import type { DeadLetters } from '../sink/dead-letter';
import type { Sink } from '../sink/types';
import { createDetailedSharedFolderStream } from '../streams/detailed-shared-folder';
import { createEventReportStream } from '../streams/event-report';
import type { ReportingSource, SharedFolderSource, UserSource } from '../streams/sources';
import type { DocumentEnvelope, Stream } from '../streams/types';
import { createUserStream } from '../streams/user';
import { runStream, type StreamRunResult } from './run-stream';

export type LastPassSource = ReportingSource & UserSource & SharedFolderSource;

/** Time for the scheduler: `sleep` must reject or resolve early when the signal aborts. */
export interface SchedulerClock {
  now(): number;
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

export interface CollectorDeps {
  clock: SchedulerClock;
  logger: Logger;
  store: CheckpointStore;
  sink: Sink;
  deadLetters: DeadLetters;
  /** One API client per account (the LastPass client in production, the simulator's in tests). */
  sourceFor(account: AccountConfig): LastPassSource;
}

export interface CollectOptions {
  signal: AbortSignal;
  strict: boolean;
  /** `--since` (epoch ms): first event-report window start when there is no cursor. */
  since?: number | undefined;
  /** See `RunStreamOptions.commitIntervalMs`. */
  commitIntervalMs?: number;
  onProgress?:
    | ((event: {
        accountNumber: string;
        stream: StreamId;
        fraction: number | undefined;
        counts: StreamCounts;
      }) => void)
    | undefined;
  /** A stream's run begins (before its state is read). */
  onStart?: (event: { accountNumber: string; stream: StreamId }) => void;
  onResult?: (result: StreamRunResult) => void;
}

/** The streams of one account that are enabled in its config and selected with `--streams`, in registry order. */
export function streamsFor(
  config: CollectorConfig,
  account: AccountConfig,
  source: LastPassSource,
): Stream[] {
  const envelope = (settings: { tags: string[]; preserveOriginalEvent: boolean }): DocumentEnvelope => ({
    accountNumber: account.accountNumber,
    timeZone: account.timeZone,
    namespace: config.namespace,
    tags: settings.tags,
    preserveOriginalEvent: settings.preserveOriginalEvent,
  });
  const out: Stream[] = [];
  for (const id of config.streams) {
    if (id === 'event_report' && account.eventReport.enabled)
      out.push(
        createEventReportStream({
          source,
          settings: account.eventReport,
          envelope: envelope(account.eventReport),
          apiUser: account.apiUser,
        }),
      );
    if (id === 'user' && account.user.enabled)
      out.push(createUserStream({ source, settings: account.user, envelope: envelope(account.user) }));
    if (id === 'detailed_shared_folder' && account.detailedSharedFolder.enabled)
      out.push(
        createDetailedSharedFolderStream({
          source,
          settings: account.detailedSharedFolder,
          envelope: envelope(account.detailedSharedFolder),
        }),
      );
  }
  return out;
}

function intervalOf(account: AccountConfig, stream: StreamId): number {
  if (stream === 'event_report') return account.eventReport.intervalMs;
  if (stream === 'user') return account.user.intervalMs;
  return account.detailedSharedFolder.intervalMs;
}

async function runOne(
  config: CollectorConfig,
  deps: CollectorDeps,
  options: CollectOptions,
  account: AccountConfig,
  stream: Stream,
  since: number | undefined,
): Promise<StreamRunResult> {
  options.onStart?.({ accountNumber: account.accountNumber, stream: stream.id });
  const result = await runStream({
    accountNumber: account.accountNumber,
    stream,
    store: deps.store,
    sink: deps.sink,
    deadLetters: deps.deadLetters,
    now: () => deps.clock.now(),
    logger: deps.logger,
    signal: options.signal,
    strict: options.strict,
    since,
    ...(options.commitIntervalMs === undefined ? {} : { commitIntervalMs: options.commitIntervalMs }),
    onProgress: (p) =>
      options.onProgress?.({ accountNumber: account.accountNumber, stream: stream.id, ...p }),
  });
  options.onResult?.(result);
  return result;
}

/** `collect --once`: every selected stream of every account once, accounts and streams in order. */
export async function collectOnce(
  config: CollectorConfig,
  deps: CollectorDeps,
  options: CollectOptions,
): Promise<StreamRunResult[]> {
  const results: StreamRunResult[] = [];
  for (const account of config.accounts) {
    const source = deps.sourceFor(account);
    for (const stream of streamsFor(config, account, source)) {
      if (options.signal.aborted) return results;
      const result = await runOne(config, deps, options, account, stream, options.since);
      results.push(result);
      if (result.outcome === 'failed' && options.strict && result.error?.code === 'SINK_DOCUMENT_REJECTED')
        return results;
    }
  }
  return results;
}

/**
 * `collect`: runs each stream whenever its interval has passed since its last run (the first run of
 * each is immediate), one call in flight at a time, until the signal aborts. The in-flight batch is
 * finished and committed before returning.
 */
export async function collectForever(
  config: CollectorConfig,
  deps: CollectorDeps,
  options: CollectOptions,
): Promise<void> {
  const jobs = config.accounts.flatMap((account) => {
    const source = deps.sourceFor(account);
    return streamsFor(config, account, source).map((stream) => ({
      account,
      stream,
      due: deps.clock.now(),
      runs: 0,
    }));
  });
  while (!options.signal.aborted && jobs.length > 0) {
    const now = deps.clock.now();
    for (const job of jobs) {
      if (options.signal.aborted) break;
      if (job.due > now) continue;
      // `--since` is for a stream's first window: later polls of this process start from their cursor
      await runOne(
        config,
        deps,
        options,
        job.account,
        job.stream,
        job.runs === 0 ? options.since : undefined,
      );
      job.runs++;
      job.due = deps.clock.now() + intervalOf(job.account, job.stream.id);
    }
    const next = Math.min(...jobs.map((j) => j.due));
    const wait = next - deps.clock.now();
    if (wait > 0) {
      try {
        await deps.clock.sleep(wait, options.signal);
      } catch {
        break; // aborted while idle
      }
    }
  }
}
