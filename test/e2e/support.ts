import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import {
  collectOnce,
  createElasticsearchClient,
  createLastPassClient,
  ElasticsearchSink,
  MemoryCheckpointStore,
  MemoryDeadLetters,
  Secret,
  silentLogger,
  type AccountConfig,
  type CheckpointStore,
  type CollectorConfig,
  type CollectorDeps,
  type DeadLetters,
  type Logger,
  type Sink,
  type StreamId,
  type StreamRunResult,
} from '@lastpass-elastic/collector';
import { startFakeElasticsearch, type FakeElasticsearch } from '@lastpass-elastic/ingest';
import { loadPackage } from '@lastpass-elastic/package-model';
import { endpointFromEnv, planAssets, setupElasticsearch } from '@lastpass-elastic/package-tools';
import type { RunningSimulator } from '@lastpass-elastic/simulator';
import { testAccount } from '../../packages/collector/test/support/harness';

export const ROOT = resolve(__dirname, '../..');
export const HASH = 'e2e-provisioning-hash-5f1c9a7e';
export const MINUTE = 60_000;
export const HOUR = 60 * MINUTE;

export function tempDir(prefix: string): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return {
    dir,
    cleanup: () => {
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The collector's view of the simulator's virtual clock; sleeping never waits for real. */
export function virtualClock(sim: RunningSimulator) {
  return {
    now: () => sim.clock.now().getTime(),
    sleep: () => Promise.resolve(),
    random: () => 0.5,
  };
}

/** The collector's test account (its harness's defaults) pointed at the simulator, with small inventory pages. */
export function accountFor(
  sim: RunningSimulator,
  overrides: Partial<AccountConfig['eventReport']> = {},
): AccountConfig {
  const base = testAccount({
    accountNumber: sim.options.accountNumber,
    provisioningHash: new Secret(HASH),
    url: sim.url,
    timeZone: sim.options.timeZone,
  });
  return {
    ...base,
    eventReport: { ...base.eventReport, pageLimit: sim.options.pageSize, ...overrides },
    user: { ...base.user, pageSize: 25 },
    detailedSharedFolder: { ...base.detailedSharedFolder, pageSize: 5 },
  };
}

export function configFor(account: AccountConfig, streams: StreamId[] = ['event_report']): CollectorConfig {
  return {
    output: 'ndjson',
    outputDir: '/unused',
    stateDir: '/unused',
    namespace: 'default',
    ndjsonMaxBytes: 1 << 30,
    logLevel: 'silent',
    elasticsearch: undefined,
    accounts: [account],
    streams,
  };
}

/** The real LastPass client against the simulator: virtual clock, no rate limit, instant backoff. */
export function clientFor(sim: RunningSimulator, logger?: Logger) {
  return (account: AccountConfig) =>
    createLastPassClient({
      url: account.url,
      accountNumber: account.accountNumber,
      provisioningHash: account.provisioningHash.reveal(),
      apiUser: account.apiUser,
      clock: virtualClock(sim),
      timeoutMs: 0,
      minIntervalMs: 0,
      retry: { maxAttempts: 6, baseDelayMs: 1, maxDelayMs: 1, maxElapsedMs: 60_000 },
      ...(logger === undefined ? {} : { logger }),
    });
}

export interface Harness {
  deps: CollectorDeps;
  store: CheckpointStore;
  deadLetters: DeadLetters;
}

export function harness(sim: RunningSimulator, sink: Sink, extra: Partial<CollectorDeps> = {}): Harness {
  const store = extra.store ?? new MemoryCheckpointStore();
  const deadLetters = extra.deadLetters ?? new MemoryDeadLetters();
  const deps: CollectorDeps = {
    clock: virtualClock(sim),
    logger: silentLogger,
    store,
    sink,
    deadLetters,
    sourceFor: clientFor(sim),
    ...extra,
  };
  return { deps, store, deadLetters };
}

/** Polls every `stepMs` of virtual time from the simulator's `now` until `until`; returns every result. */
export async function pollUntil(
  sim: RunningSimulator,
  config: CollectorConfig,
  deps: CollectorDeps,
  options: { since: number; stepMs: number; until: number; strict?: boolean },
): Promise<StreamRunResult[]> {
  const all: StreamRunResult[] = [];
  const signal = new AbortController().signal;
  for (;;) {
    all.push(
      ...(await collectOnce(config, deps, { signal, strict: options.strict ?? false, since: options.since })),
    );
    if (sim.clock.now().getTime() >= options.until) return all;
    sim.clock.advance(options.stepMs);
  }
}

/** Ground truth as a multiset of records: JSON of the five values → count. */
export function truthCounts(sim: RunningSimulator, upTo: number): Map<string, number> {
  const counts = new Map<string, number>();
  for (const e of sim.tenant.events) {
    if (e.instant > upTo) continue;
    const key = JSON.stringify(e.record);
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return counts;
}

export function messageCounts(messages: Iterable<string>): Map<string, number> {
  const counts = new Map<string, number>();
  for (const m of messages) {
    const r = JSON.parse(m) as Record<string, unknown>;
    const key = JSON.stringify({
      Time: r.Time,
      Username: r.Username,
      IP_Address: r.IP_Address,
      Action: r.Action,
      Data: r.Data,
    });
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return counts;
}

/** A fake Elasticsearch with the package installed by the real `setup` code. */
export async function fakeElasticsearchWithPackage(
  now: () => Date,
  extra: { retainSources?: boolean } = {},
): Promise<FakeElasticsearch> {
  const fake = await startFakeElasticsearch({
    now,
    auth: { apiKey: 'ZTJlOmtleQ==' },
    recordRequests: false,
    ...extra,
  });
  const endpoint = endpointFromEnv('Elasticsearch', '--elasticsearch', fake.url, {
    ELASTICSEARCH_API_KEY: 'ZTJlOmtleQ==',
  });
  await setupElasticsearch(endpoint, planAssets(loadPackage(ROOT)));
  return fake;
}

export function elasticsearchSink(
  fake: FakeElasticsearch,
  clock: { now(): number; sleep(ms: number): Promise<void> },
): ElasticsearchSink {
  return new ElasticsearchSink({
    client: createElasticsearchClient({
      url: fake.url,
      auth: { kind: 'api_key', apiKey: new Secret('ZTJlOmtleQ==') },
      caFile: undefined,
      bulkMaxDocuments: 2000,
      bulkConcurrency: 2,
    }),
    namespace: 'default',
    clock,
    logger: silentLogger,
    // several chunks per LastPass page, two in flight: faults meet the concurrent path
    maxDocuments: 2000,
    concurrency: 2,
    retry: { baseDelayMs: 100, maxDelayMs: 5000, maxElapsedMs: 60_000 },
  });
}

/** Every file under `dir` whose text contains `needle`. */
export function filesContaining(dir: string, needle: string): string[] {
  const out: string[] = [];
  const walk = (d: string): void => {
    for (const name of readdirSync(d)) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else if (readFileSync(p, 'utf8').includes(needle)) out.push(p);
    }
  };
  walk(dir);
  return out;
}
