/** Not on a terminal, long work logs progress (issue #15 §10): start, every few seconds, each stream's end, stop. */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { PassThrough } from 'node:stream';
import { startSimulator, type RunningSimulator } from '@lastpass-elastic/simulator';
import { Secret } from '../src/config/secret';
import { PROGRESS_LOG_INTERVAL_MS, ProgressLog } from '../src/observability/progress';
import { runCollect } from '../src/run';
import { ManualClock, recordingLogger, testAccount, testConfig } from './support/harness';

const ROOT = resolve(__dirname, '../../..');

const zero = { fetched: 0, indexed: 0, duplicates: 0, failed: 0, api_calls: 0 };

describe('ProgressLog', () => {
  it('writes one info line per stream at most every 5 s of the injected clock, with the rate', () => {
    const clock = new ManualClock(0);
    const { lines, logger } = recordingLogger(clock);
    const log = new ProgressLog(logger, () => clock.now());
    log.start('1', 'event_report');
    for (const t of [1000, 4999, 5000, 7000, 9999, 10_000, 16_000]) {
      clock.current = t;
      log.update('1', 'event_report', t / 20_000, { ...zero, fetched: t, indexed: t, api_calls: t / 1000 });
    }
    expect(lines.map((l) => l.at)).toEqual([5000, 10_000, 16_000]);
    expect(lines[0]?.level).toBe('info');
    expect(lines[0]?.obj).toMatchObject({
      code: 'PROGRESS',
      account_number: '1',
      stream: 'event_report',
      percent: 25,
      fetched: 5000,
      events_per_second: 1000,
    });
    expect(lines[0]?.msg).toBe(
      'event_report: 25% of the planned work, fetched=5000 indexed=5000 duplicates=0 failed=0 api_calls=5 (1000 events/s)',
    );
    expect(log.end('1', 'event_report')).toBe(16_000);
    expect(PROGRESS_LOG_INTERVAL_MS).toBe(5000);
  });
});

describe('collect without a terminal', () => {
  let sim: RunningSimulator;
  beforeAll(async () => {
    sim = await startSimulator({
      events: 1000,
      pageSize: 100,
      start: new Date('2024-06-01T00:00:00Z'),
      end: new Date('2024-06-01T12:00:00Z'),
    });
  });
  afterAll(async () => {
    await sim.close();
  });

  async function run(once: boolean, abortAfterResults?: number) {
    const clock = new ManualClock(Date.parse('2024-06-01T13:00:00Z'));
    const { lines, logger } = recordingLogger(clock);
    const dir = mkdtempSync(join(tmpdir(), 'lpe-progress-'));
    const account = testAccount({
      url: sim.url,
      accountNumber: sim.options.accountNumber,
      provisioningHash: new Secret(sim.options.provisioningHash),
    });
    account.eventReport.pageLimit = 100;
    account.eventReport.initialIntervalMs = 14 * 3_600_000;
    const config = { ...testConfig([account]), stateDir: join(dir, 'state'), outputDir: join(dir, 'out') };
    const controller = new AbortController();
    const stdout = new PassThrough();
    let results = 0;
    stdout.on('data', (c: Buffer) => {
      results += c
        .toString()
        .split('\n')
        .filter((l) => l.startsWith('stream=')).length;
      if (abortAfterResults !== undefined && results >= abortAfterResults) controller.abort();
    });
    const outcome = await runCollect({
      config,
      env: {},
      stdout,
      stderr: new PassThrough(),
      interactive: false,
      once,
      strict: false,
      signal: controller.signal,
      clock,
      // each request is paced by 1 s of the manual clock: the backfill lasts long enough to report progress
      client: { clock, minIntervalMs: 1000, backfillIntervalMs: 1000, timeoutMs: 0 },
      packageRoot: ROOT,
      logger,
    });
    return { outcome, lines };
  }

  it('--once: a line at start, progress every 5 s, one at the stream end and one at stop', async () => {
    const { outcome, lines } = await run(true);
    expect(outcome.exitCode).toBe(0);
    const codes = lines.map((l) => l.obj.code);
    expect(codes[0]).toBe('COLLECT_STARTED');
    expect(lines[0]?.msg).toBe('collect started (once): 1 account(s), streams event_report, output ndjson');
    expect(codes.at(-1)).toBe('COLLECT_STOPPED');
    expect(lines.at(-1)?.msg).toBe('collect stopped: 1 stream run(s), 0 failed, exit code 0');
    const progress = lines.filter((l) => l.obj.code === 'PROGRESS');
    expect(progress.length).toBeGreaterThanOrEqual(2);
    progress.slice(1).forEach((l, i) => {
      expect(l.at - (progress[i]?.at ?? 0)).toBeGreaterThanOrEqual(5000);
    });
    expect(progress.every((l) => l.level === 'info')).toBe(true);
    const done = lines.filter((l) => l.obj.code === 'STREAM_DONE');
    expect(done).toHaveLength(1);
    expect(done[0]?.obj).toMatchObject({ stream: 'event_report', outcome: 'ok', indexed: 1000 });
    expect(done[0]?.msg).toMatch(/^stream=event_report fetched=1000 indexed=1000 /);
  }, 60_000);

  it('continuous: each poll ends with a line, and stopping is said', async () => {
    const { outcome, lines } = await run(false, 2);
    expect(outcome.exitCode).toBe(0);
    expect(lines[0]?.msg).toContain('collect started (continuous)');
    expect(lines.filter((l) => l.obj.code === 'STREAM_DONE')).toHaveLength(2);
    const codes = lines.map((l) => l.obj.code);
    expect(codes).toContain('COLLECT_STOPPING');
    expect(codes.at(-1)).toBe('COLLECT_STOPPED');
  }, 60_000);
});
