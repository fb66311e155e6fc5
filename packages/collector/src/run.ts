import { acquireStateLock, type StateLock } from './checkpoint/lock';
import { FileCheckpointStore } from './checkpoint/store';
import { fileHashSource } from './config/hash-file';
import type { CollectorConfig } from './config/load';
import { CollectorError, describeError } from './errors';
import { createLastPassClient, systemClock, type LastPassClientOptions } from './lastpass';
import { createLogger, type Logger } from './observability/logger';
import { ProgressLine, ProgressLog } from './observability/progress';
import { FileDeadLetters } from './sink/dead-letter';
import { createElasticsearchClient, ElasticsearchSink } from './sink/elasticsearch';
import { NdjsonSink } from './sink/ndjson';
import { findPackageRoot } from './sink/package-root';
import type { Sink } from './sink/types';
import { collectForever, collectOnce, type SchedulerClock } from './sync/collector';
import { summaryLine, type StreamRunResult } from './sync/run-stream';

/**
 * A stream's state file is rewritten (fsync'd) at most once a second during a backfill, not after
 * every page: a crash re-reads at most a second of acknowledged events, absorbed as duplicates.
 */
export const COMMIT_INTERVAL_MS = 1000;

/**
 * Exit code when another collector holds the state directory's lock (sysexits' EX_TEMPFAIL: try again
 * later). Not 2: under systemd (`RestartPreventExitStatus=2`) the service keeps retrying and starts once
 * the other collector (e.g. a manual `collect --once`) is done.
 */
export const EXIT_STATE_LOCKED = 75;

export interface RunCollectOptions {
  config: CollectorConfig;
  env: NodeJS.ProcessEnv;
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  /** Progress bars instead of info logs (stderr is a TTY). */
  interactive: boolean;
  once: boolean;
  strict: boolean;
  since?: number | undefined;
  signal: AbortSignal;
  /** The collector's clock (windows, scheduler, sink backoff); the system clock by default. */
  clock?: SchedulerClock & { random?(): number };
  /** Extra LastPass client options (tests and the demo: a virtual clock, no rate limit). */
  client?: Partial<
    Pick<
      LastPassClientOptions,
      'clock' | 'minIntervalMs' | 'backfillIntervalMs' | 'retry' | 'timeoutMs' | 'dispatcher'
    >
  >;
  packageRoot?: string;
  logger?: Logger;
}

export interface RunCollectResult {
  exitCode: number;
  results: StreamRunResult[];
}

/** Builds the sink of the configured output; the Elasticsearch one is checked against contracts §5 first. */
async function openSink(
  options: RunCollectOptions,
  logger: Logger,
  clock: SchedulerClock & { random?(): number },
): Promise<Sink> {
  const { config } = options;
  if (config.output === 'ndjson') {
    // Loaded only for this output: the ingest executor and the package reader weigh ~50 MB.
    const { createPackageProcessor } = await import('./sink/package-processor.js');
    const processor = createPackageProcessor({
      packageRoot: options.packageRoot ?? findPackageRoot(options.env),
      namespace: config.namespace,
      now: () => new Date(clock.now()),
    });
    return new NdjsonSink({
      dir: config.outputDir,
      namespace: config.namespace,
      processor,
      maxBytes: config.ndjsonMaxBytes,
    });
  }
  const es = config.elasticsearch;
  if (es === undefined)
    throw new CollectorError(
      'CONFIG_INVALID',
      'ELASTICSEARCH_URL: required when the output is elasticsearch',
    );
  const sink = new ElasticsearchSink({
    client: createElasticsearchClient(es),
    namespace: config.namespace,
    clock,
    logger,
    maxDocuments: es.bulkMaxDocuments,
    concurrency: es.bulkConcurrency,
    signal: options.signal,
  });
  try {
    await sink.preflight(config.streams);
  } catch (error) {
    await sink.close();
    throw error;
  }
  return sink;
}

/**
 * `collect` as a function: composes config, logger, checkpoint store, sink and one LastPass client per
 * account, runs once or until the signal, prints the final line per stream, returns the exit code
 * (0 ok, 1 the work failed, 2 configuration — e.g. Elasticsearch not set up — and EXIT_STATE_LOCKED, 75,
 * when another collector holds the state directory).
 */
export async function runCollect(options: RunCollectOptions): Promise<RunCollectResult> {
  const { config } = options;
  const clock = options.clock ?? systemClock;
  const logger =
    options.logger ??
    createLogger({
      level: options.interactive && config.logLevel === 'info' ? 'warn' : config.logLevel,
      destination: options.stderr,
    });
  const progress = options.interactive ? new ProgressLine(options.stderr) : undefined;
  const progressLog = options.interactive ? undefined : new ProgressLog(logger, () => clock.now());
  let lock: StateLock;
  try {
    lock = acquireStateLock(config.stateDir);
  } catch (error) {
    const d = describeError(error);
    options.stderr.write(`lastpass-elastic collect: ${d.message}\n`);
    return { exitCode: d.code === 'STATE_LOCKED' ? EXIT_STATE_LOCKED : 1, results: [] };
  }
  const releaseOnExit = (): void => {
    lock.release();
  };
  process.once('exit', releaseOnExit);
  try {
    return await collectLocked(options, logger, clock, progress, progressLog);
  } finally {
    lock.release();
    process.off('exit', releaseOnExit);
  }
}

async function collectLocked(
  options: RunCollectOptions,
  logger: Logger,
  clock: SchedulerClock & { random?(): number },
  progress: ProgressLine | undefined,
  progressLog: ProgressLog | undefined,
): Promise<RunCollectResult> {
  const { config } = options;
  let sink: Sink;
  try {
    sink = await openSink(options, logger, clock);
  } catch (error) {
    const d = describeError(error);
    options.stderr.write(`lastpass-elastic collect: ${d.message}\n`);
    return { exitCode: error instanceof CollectorError && error.usage ? 2 : 1, results: [] };
  }
  logger.info(
    {
      code: 'COLLECT_STARTED',
      mode: options.once ? 'once' : 'continuous',
      output: config.output,
      accounts: config.accounts.map((a) => a.accountNumber),
      streams: config.streams,
      state_dir: config.stateDir,
    },
    `collect started (${options.once ? 'once' : 'continuous'}): ${config.accounts.length} account(s), streams ${config.streams.join(', ')}, output ${config.output}`,
  );
  const onAbort = (): void => {
    logger.info({ code: 'COLLECT_STOPPING' }, 'stop requested: finishing the batch in flight');
  };
  options.signal.addEventListener('abort', onAbort, { once: true });
  const deps = {
    clock,
    logger,
    store: new FileCheckpointStore(config.stateDir),
    sink,
    deadLetters: new FileDeadLetters(config.stateDir),
    sourceFor: (account: CollectorConfig['accounts'][number]) =>
      createLastPassClient({
        url: account.url,
        accountNumber: account.accountNumber,
        provisioningHash:
          account.provisioningHashFile === undefined
            ? account.provisioningHash.reveal()
            : fileHashSource(account.provisioningHashFile, account.provisioningHash),
        apiUser: account.apiUser,
        timeoutMs: account.httpClientTimeoutMs,
        minIntervalMs: account.requestIntervalMs,
        backfillIntervalMs: account.backfillRequestIntervalMs,
        maxResponseBytes: account.responseMaxBytes,
        logger: logger.child({ account_number: account.accountNumber }),
        ...options.client,
      }),
  };
  const results: StreamRunResult[] = [];
  const credentials = credentialsWatch(config.accounts.length);
  const collectOptions = {
    signal: AbortSignal.any([options.signal, credentials.signal]),
    strict: options.strict,
    since: options.since,
    commitIntervalMs: COMMIT_INTERVAL_MS,
    onStart: (p: { accountNumber: string; stream: string }) => {
      progressLog?.start(p.accountNumber, p.stream);
    },
    onProgress: (p: {
      accountNumber: string;
      stream: string;
      fraction: number | undefined;
      counts: StreamRunResult['counts'];
    }) => {
      progress?.update(`${p.accountNumber} ${p.stream}`, p.fraction, p.counts);
      progressLog?.update(p.accountNumber, p.stream, p.fraction, p.counts);
    },
    onResult: (result: StreamRunResult) => {
      progress?.done();
      results.push(result);
      const tookMs = progressLog?.end(result.accountNumber, result.stream);
      logger.info(
        {
          code: 'STREAM_DONE',
          account_number: result.accountNumber,
          stream: result.stream,
          outcome: result.outcome,
          ...result.counts,
          ...(tookMs === undefined ? {} : { duration_ms: tookMs }),
          ...(result.error === undefined ? {} : { error: result.error.code }),
        },
        summaryLine(result),
      );
      credentials.record(result);
      options.stdout.write(`${summaryLine(result)}\n`);
      if (result.error !== undefined && options.interactive)
        options.stderr.write(`  ${result.stream}: ${result.error.code}: ${result.error.message}\n`);
    },
  };
  const stopped = (exitCode: number): RunCollectResult => {
    options.signal.removeEventListener('abort', onAbort);
    const failedStreams = results.filter((r) => r.outcome === 'failed').length;
    logger.info(
      { code: 'COLLECT_STOPPED', exit_code: exitCode, stream_runs: results.length, failed: failedStreams },
      `collect stopped: ${results.length} stream run(s), ${failedStreams} failed, exit code ${exitCode}`,
    );
    return { exitCode, results };
  };
  try {
    if (options.once) await collectOnce(config, deps, collectOptions);
    else await collectForever(config, deps, collectOptions);
  } catch (error) {
    const d = describeError(error);
    options.stderr.write(`lastpass-elastic collect: ${d.message}\n`);
    await sink.close();
    return stopped(error instanceof CollectorError && error.usage ? 2 : 1);
  }
  await sink.close();
  if (credentials.signal.aborted) {
    options.stderr.write(
      `lastpass-elastic collect: LastPass refused the credentials of every account (LASTPASS_AUTH_FAILED): fix the account number or provisioning hash, then start again (exit ${EXIT_CREDENTIALS_REFUSED})\n`,
    );
    return stopped(EXIT_CREDENTIALS_REFUSED);
  }
  return stopped(options.once ? onceExitCode(results) : 0);
}

/**
 * Exit code 3: LastPass refused the account number / provisioning hash (`LASTPASS_AUTH_FAILED`). Unlike
 * 1 (try again later) it stays wrong until someone acts, so the systemd units list it in
 * `RestartPreventExitStatus=` (contracts §2).
 */
export const EXIT_CREDENTIALS_REFUSED = 3;

/** `--once`: 3 when LastPass refused an account's credentials, else 1 when a stream failed, else 0. */
export function onceExitCode(results: readonly StreamRunResult[]): number {
  if (results.some((r) => r.error?.code === 'LASTPASS_AUTH_FAILED')) return EXIT_CREDENTIALS_REFUSED;
  return results.some((r) => r.outcome === 'failed') ? 1 : 0;
}

/**
 * Continuous `collect` stops (exit 3) once LastPass has refused the credentials of every account before
 * any stream of it succeeded: retrying cannot help, and a service manager should not restart it. An
 * account whose hash is refused after it worked (regenerated) stays scheduled: each retry re-reads its
 * hash file.
 */
function credentialsWatch(accounts: number): { signal: AbortSignal; record(result: StreamRunResult): void } {
  const controller = new AbortController();
  const refused = new Set<string>();
  const worked = new Set<string>();
  return {
    signal: controller.signal,
    record(result) {
      if (result.outcome === 'ok' || result.outcome === 'blocked') worked.add(result.accountNumber);
      else if (result.error?.code === 'LASTPASS_AUTH_FAILED' && !worked.has(result.accountNumber))
        refused.add(result.accountNumber);
      if (refused.size === accounts && accounts > 0) controller.abort();
    },
  };
}
