import type { AccountConfig, CollectorConfig } from '../../src/config/load';
import { Secret } from '../../src/config/secret';
import { MemoryCheckpointStore } from '../../src/checkpoint/store';
import { MemoryDeadLetters } from '../../src/sink/dead-letter';
import { MemorySink } from '../../src/sink/memory';
import type { CollectorDeps, LastPassSource } from '../../src/sync/collector';
import { silentLogger, type Logger } from '../../src/observability/logger';
import type { DocumentEnvelope } from '../../src/streams/types';

export const HOUR = 3_600_000;
export const MINUTE = 60_000;

export function testAccount(overrides: Partial<AccountConfig> = {}): AccountConfig {
  const common = { enabled: true, tags: ['forwarded'], preserveOriginalEvent: false };
  return {
    accountNumber: '8771312',
    provisioningHash: new Secret('test-hash-never-printed'),
    url: 'http://127.0.0.1:1/enterpriseapi.php',
    timeZone: 'America/New_York',
    apiUser: 'lastpass-elastic',
    httpClientTimeoutMs: 60_000,
    requestIntervalMs: 0,
    backfillRequestIntervalMs: 0,
    responseMaxBytes: 64 * 1024 * 1024,
    eventReport: {
      ...common,
      intervalMs: 10 * MINUTE,
      initialIntervalMs: 24 * HOUR,
      overlapMs: 5 * MINUTE,
      settleLagMs: 2 * MINUTE,
      pageLimit: 10_000,
    },
    user: { ...common, intervalMs: 24 * HOUR, pageSize: 2000 },
    detailedSharedFolder: { ...common, intervalMs: 24 * HOUR, pageSize: 1000 },
    ...overrides,
  };
}

export function testConfig(
  accounts: AccountConfig[],
  streams: CollectorConfig['streams'] = ['event_report'],
): CollectorConfig {
  return {
    output: 'ndjson',
    outputDir: '/nonexistent',
    stateDir: '/nonexistent',
    namespace: 'default',
    ndjsonMaxBytes: 1 << 20,
    logLevel: 'silent',
    elasticsearch: undefined,
    accounts,
    streams,
  };
}

/** A manual clock: `now` moves only when told; sleeping advances it (never waits for real). */
export class ManualClock {
  constructor(public current: number) {}
  now(): number {
    return this.current;
  }
  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    if (signal?.aborted === true) return Promise.reject(new Error('aborted'));
    this.current += ms;
    return Promise.resolve();
  }
}

export function memoryDeps(clock: ManualClock, source: LastPassSource) {
  const store = new MemoryCheckpointStore();
  const sink = new MemorySink();
  const deadLetters = new MemoryDeadLetters();
  const deps: CollectorDeps = {
    clock,
    logger: silentLogger,
    store,
    sink,
    deadLetters,
    sourceFor: () => source,
  };
  return { deps, store, sink, deadLetters };
}

export const noInventory = {
  getUserData: () => Promise.reject(new Error('not used')),
  getDetailedSharedFolderData: () => Promise.reject(new Error('not used')),
};

/** The event-report envelope of the test account. */
export const TEST_ENVELOPE: DocumentEnvelope = {
  accountNumber: '8771312',
  timeZone: 'America/New_York',
  namespace: 'default',
  tags: ['forwarded'],
  preserveOriginalEvent: false,
};

export interface LogLine {
  /** The `now` of the clock given, when the line was logged. */
  at: number;
  level: string;
  obj: Record<string, unknown>;
  msg: string;
}

/** A logger that keeps every line (children write to the same list). */
export function recordingLogger(clock: { now(): number } = { now: () => 0 }): {
  lines: LogLine[];
  logger: Logger;
} {
  const lines: LogLine[] = [];
  const make = (): Logger => {
    const put =
      (level: string) =>
      (obj: object, msg?: string): void => {
        lines.push({ at: clock.now(), level, obj: obj as Record<string, unknown>, msg: msg ?? '' });
      };
    return { info: put('info'), warn: put('warn'), error: put('error'), debug: () => undefined, child: make };
  };
  return { lines, logger: make() };
}
