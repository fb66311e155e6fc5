/**
 * Issue #15 at the sync loop: a malformed record is dead-lettered and the stream goes on (§6); a `--since`
 * ignored because of a cursor is said (§2); a failed run's counts include what it did (§8); progress
 * keeps the last known fraction (§11); backfill pacing at default settings (§12).
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MockAgent } from 'undici';
import { startSimulator } from '@lastpass-elastic/simulator';
import { FileCheckpointStore, MemoryCheckpointStore } from '../src/checkpoint/store';
import { resolveConfig } from '../src/config/load';
import { createLastPassClient, type LastPassClientOptions } from '../src/lastpass';
import { FileDeadLetters, MemoryDeadLetters } from '../src/sink/dead-letter';
import { MemorySink } from '../src/sink/memory';
import { createEventReportStream } from '../src/streams/event-report';
import type { Batch, Stream } from '../src/streams/types';
import { readStatus } from '../src/status';
import { collectForever, collectOnce } from '../src/sync/collector';
import { runStream, type RunStreamOptions } from '../src/sync/run-stream';
import { FakeClock } from './lastpass/helpers';
import {
  HOUR,
  ManualClock,
  memoryDeps,
  MINUTE,
  noInventory,
  recordingLogger,
  TEST_ENVELOPE,
  testAccount,
  testConfig,
} from './support/harness';

const ZONE = 'America/New_York';
const envelope = TEST_ENVELOPE;
const NOW = Date.parse('2024-06-02T00:00:00Z');

/** runStream with the test account, in-memory parts and a recording logger, unless overridden. */
function runWith(stream: Stream, extra: Partial<RunStreamOptions> = {}) {
  return runStream({
    accountNumber: '8771312',
    stream,
    store: new MemoryCheckpointStore(),
    sink: new MemorySink(),
    deadLetters: new MemoryDeadLetters(),
    now: () => NOW,
    logger: recordingLogger().logger,
    signal: new AbortController().signal,
    strict: false,
    ...extra,
  });
}

/** The real client, its LastPass an undici MockAgent answering `body` to every call. */
function clientAnswering(body: string, overrides: Partial<LastPassClientOptions> = {}) {
  const agent = new MockAgent();
  agent.disableNetConnect();
  agent
    .get('https://lastpass.test')
    .intercept({ path: '/enterpriseapi.php', method: 'POST' })
    .reply(200, body, { headers: { 'content-type': 'text/xml;charset=UTF-8' } })
    .persist();
  return createLastPassClient({
    url: 'https://lastpass.test/enterpriseapi.php',
    accountNumber: '8771312',
    provisioningHash: 'hash-never-printed-1234',
    apiUser: 'unit',
    dispatcher: agent,
    clock: new FakeClock(NOW),
    timeoutMs: 0,
    minIntervalMs: 0,
    ...overrides,
  });
}

const good = (n: number) => ({
  Time: `2024-06-01 12:00:0${n}`,
  Username: `u${n}@example.com`,
  IP_Address: '10.0.0.1',
  Action: 'Log in',
  Data: '',
});

describe('a malformed record (§6)', () => {
  const body = JSON.stringify({
    status: 'OK',
    next: null,
    data: {
      Event1: good(1),
      Event2: { ...good(2), Time: 1_717_243_202 },
      Event3: { Time: '2024-06-01 12:00:03', IP_Address: '', Action: 'Log in', Data: '' },
      Event4: good(4),
    },
  });

  it('is dead-lettered with its reason, the others delivered, the cursor passes it; status and health show it', async () => {
    const stateDir = mkdtempSync(join(tmpdir(), 'lpe-bad-record-'));
    const store = new FileCheckpointStore(stateDir);
    const deadLetters = new FileDeadLetters(stateDir);
    const sink = new MemorySink();
    const stream = createEventReportStream({
      source: clientAnswering(body),
      settings: testAccount().eventReport,
      envelope,
      apiUser: 'unit',
    });
    const run = () => runWith(stream, { store, sink, deadLetters });
    const result = await run();
    expect(result.outcome).toBe('ok');
    expect(result.counts).toMatchObject({ fetched: 4, indexed: 2, failed: 2 });
    const lines = readFileSync(join(stateDir, '8771312', 'event_report.dead-letter.ndjson'), 'utf8')
      .trim()
      .split('\n')
      .map(
        (l) => JSON.parse(l) as { error: { type: string; reason: string }; document: { message: string } },
      );
    expect(lines.map((l) => l.error.type)).toEqual(['lastpass_invalid_record', 'lastpass_invalid_record']);
    expect(lines[0]?.error.reason).toMatch(/^reporting .* – .*: Event2\.Time: /);
    expect(lines[1]?.error.reason).toContain('Event3.Username: ');
    expect(JSON.parse(lines[0]?.document.message ?? '{}')).toMatchObject({ Time: 1_717_243_202 });
    const state = await store.load('8771312', 'event_report');
    expect((state?.cursor as { upper: string }).upper).toBe(new Date(NOW - 2 * MINUTE).toISOString());
    expect(state?.health.dead_letters).toBe(2);
    expect(state?.health.notes.last_dead_letter).toContain('2 document(s), first lastpass_invalid_record');
    expect(state?.health.notes.last_dead_letter).toContain('event_report.dead-letter.ndjson');
    const [row] = await readStatus(stateDir, NOW);
    expect(row).toMatchObject({ dead_letters: 2, last_error: null });
    expect(row?.notes.last_dead_letter).toContain('Event2.Time');
    // the next run goes on from the cursor: not stuck on the record
    expect((await run()).outcome).toBe('ok');
  });

  it('--strict stops without committing (as for a document the output rejects)', async () => {
    const store = new MemoryCheckpointStore();
    const deadLetters = new MemoryDeadLetters();
    const result = await runWith(
      createEventReportStream({
        source: clientAnswering(body),
        settings: testAccount().eventReport,
        envelope,
        apiUser: 'unit',
      }),
      { store, deadLetters, strict: true },
    );
    expect(result.outcome).toBe('failed');
    expect(result.error?.message).toContain('--strict: stopping without committing');
    expect(deadLetters.entries).toEqual([]);
    expect((await store.load('8771312', 'event_report'))?.cursor ?? null).toBeNull();
  });
});

describe('--since with a cursor (§2)', () => {
  it('is ignored with a warning that names the state file to delete; the scheduler passes it to the first poll only', async () => {
    const stateDir = mkdtempSync(join(tmpdir(), 'lpe-since-'));
    const clock = new ManualClock(NOW);
    const source = {
      reporting: () => Promise.resolve({ events: [], next: null, apiCalls: 1 }),
      ...noInventory,
    };
    const { deps } = memoryDeps(clock, source);
    const { lines, logger } = recordingLogger();
    const store = new FileCheckpointStore(stateDir);
    const controller = new AbortController();
    let runs = 0;
    await collectForever(
      testConfig([testAccount()]),
      { ...deps, store, logger },
      {
        signal: controller.signal,
        strict: false,
        since: NOW - 3 * HOUR,
        onResult: () => {
          if (++runs === 3) controller.abort();
        },
      },
    );
    // the first poll used --since (no cursor yet); later polls of the same process say nothing
    expect(lines.filter((l) => l.obj.code === 'SINCE_IGNORED')).toEqual([]);
    // a new process with --since and the cursor in place
    await collectOnce(
      testConfig([testAccount()]),
      { ...deps, store, logger },
      {
        signal: new AbortController().signal,
        strict: false,
        since: NOW - 30 * 24 * HOUR,
      },
    );
    const ignored = lines.filter((l) => l.obj.code === 'SINCE_IGNORED');
    expect(ignored).toHaveLength(1);
    expect(ignored[0]?.level).toBe('warn');
    expect(ignored[0]?.msg).toContain(
      '--since ignored: event_report of account 8771312 already has a cursor',
    );
    expect(ignored[0]?.msg).toContain(`delete ${join(stateDir, '8771312', 'event_report.json')}`);
  });
});

describe('counts of a failed run (§8)', () => {
  it('a LastPass failure after some pages: api_calls counts every request (retries included), fetched what was read', async () => {
    const sim = await startSimulator({
      events: 600,
      pageSize: 100,
      start: new Date('2024-06-01T00:00:00Z'),
      end: new Date('2024-06-01T06:00:00Z'),
      faults: [{ kind: 'server-error', after: 4, count: 100 }],
    });
    try {
      const clock = new FakeClock(Date.parse('2024-06-01T07:00:00Z'));
      const client = createLastPassClient({
        url: sim.url,
        accountNumber: sim.options.accountNumber,
        provisioningHash: sim.options.provisioningHash,
        apiUser: 'unit',
        clock,
        timeoutMs: 0,
        minIntervalMs: 0,
        retry: { maxAttempts: 3 },
      });
      const stream = createEventReportStream({
        source: client,
        settings: { ...testAccount().eventReport, pageLimit: 100 },
        envelope,
        apiUser: 'unit',
      });
      const result = await runWith(stream, {
        now: () => clock.now(),
        since: Date.parse('2024-05-31T23:00:00Z'),
      });
      expect(result.outcome).toBe('failed');
      expect(result.error?.code).toBe('LASTPASS_RETRIES_EXHAUSTED');
      expect(result.counts.api_calls).toBe(sim.requestCount);
      expect(result.counts.api_calls).toBe(client.apiCalls);
      expect(result.counts.fetched).toBeGreaterThan(0);
      expect(result.counts.fetched).toBe(result.counts.indexed + result.counts.duplicates);
    } finally {
      await sim.close();
    }
  });

  it('an output failure: the batch it was writing counts as fetched, with its calls', async () => {
    const sink = new MemorySink();
    sink.failNextWrites = 1;
    const stream: Stream = {
      id: 'event_report',
      async *read() {
        yield await Promise.resolve<Batch>({ documents: [], fetched: 0, apiCalls: 2 });
        yield { documents: [], fetched: 0, apiCalls: 1 };
        yield {
          documents: [
            {
              message: '{}',
              data_stream: {
                type: 'logs',
                dataset: 'lastpass_enterprise.event_report',
                namespace: 'default',
              },
              _conf: { account_number: '8771312', time_zone: ZONE },
              tags: [],
            },
          ],
          fetched: 7,
          apiCalls: 1,
        };
      },
    };
    const result = await runWith(stream, { sink });
    expect(result.outcome).toBe('failed');
    expect(result.counts).toMatchObject({ fetched: 7, api_calls: 4, indexed: 0 });
  });
});

describe('progress (§11)', () => {
  it('a batch without a fraction (a discarded full page) keeps the last known one', async () => {
    const fractions: (number | undefined)[] = [];
    const stream: Stream = {
      id: 'event_report',
      async *read() {
        for (const progress of [undefined, 0.2, undefined, undefined, 0.5, 1])
          yield await Promise.resolve<Batch>({
            documents: [],
            fetched: 0,
            apiCalls: 1,
            ...(progress === undefined ? {} : { progress }),
          });
      },
    };
    await runWith(stream, { onProgress: (p) => fractions.push(p.fraction) });
    expect(fractions).toEqual([undefined, 0.2, 0.2, 0.2, 0.5, 1]);
  });
});

describe('pacing at default settings (§12)', () => {
  it('a multi-page backfill waits 100 ms between requests, not 1 s', async () => {
    const sim = await startSimulator({
      events: 20_000,
      pageSize: 4_000,
      start: new Date('2024-06-01T00:00:00Z'),
      end: new Date('2024-06-02T00:00:00Z'),
    });
    try {
      const clock = new ManualClock(Date.parse('2024-06-02T01:00:00Z'));
      const account = testAccount();
      const client = createLastPassClient({
        url: sim.url,
        accountNumber: sim.options.accountNumber,
        provisioningHash: sim.options.provisioningHash,
        apiUser: 'unit',
        clock,
        timeoutMs: 0,
        // the defaults of `collect`: request_interval 1s, backfill_request_interval 100ms
        minIntervalMs: 1000,
        backfillIntervalMs: 100,
      });
      const { deps, sink } = memoryDeps(clock, {
        reporting: (r) => client.reporting(r),
        ...noInventory,
      });
      const started = clock.now();
      const [result] = await collectOnce(testConfig([account]), deps, {
        signal: new AbortController().signal,
        strict: false,
        since: Date.parse('2024-05-31T23:00:00Z'),
      });
      const elapsed = clock.now() - started;
      expect(result?.outcome).toBe('ok');
      expect(sink.documents.get('event_report')?.size).toBe(20_000);
      const calls = result?.counts.api_calls ?? 0;
      expect(calls).toBeGreaterThanOrEqual(8);
      // every request but the first followed an answer with records: 100 ms each (it was 1 s each)
      expect(elapsed).toBe((calls - 1) * 100);
    } finally {
      await sim.close();
    }
  });
});

describe('configuration of the new keys (§6, §12)', () => {
  it('backfill_request_interval and response_max_bytes: defaults 100ms and 64 MiB, set from the file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'lpe-keys-'));
    const env = { LASTPASS_ACCOUNT_NUMBER: '1', LASTPASS_PROVISIONING_HASH: 'h'.repeat(20) };
    const [defaults] = resolveConfig({}, env, dir).accounts;
    expect(defaults).toMatchObject({
      requestIntervalMs: 1000,
      backfillRequestIntervalMs: 100,
      responseMaxBytes: 64 * 1024 * 1024,
    });
    writeFileSync(join(dir, 'c.yml'), 'backfill_request_interval: 0s\nresponse_max_bytes: 2048\n');
    const [set] = resolveConfig({ config: 'c.yml' }, env, dir).accounts;
    expect(set).toMatchObject({ backfillRequestIntervalMs: 0, responseMaxBytes: 2048 });
  });
});
