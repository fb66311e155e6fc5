import { collectForever } from '../src/sync/collector';
import { FakeReporting, makeHistory } from './support/fake-reporting';
import {
  HOUR,
  ManualClock,
  memoryDeps,
  MINUTE,
  noInventory,
  testAccount,
  testConfig,
} from './support/harness';

describe('collect (scheduler)', () => {
  it('runs each stream at its interval on the injected clock until aborted, then returns', async () => {
    const start = Date.parse('2024-06-01T00:00:00Z');
    const truth = makeHistory({
      zone: 'America/New_York',
      start,
      end: start + 2 * HOUR,
      events: 300,
      seed: 1,
    });
    const clock = new ManualClock(start + HOUR);
    const api = new FakeReporting(
      truth,
      'America/New_York',
      {
        order: 'oldest-first',
        fromInclusive: true,
        toInclusive: false,
        ambiguousTime: 'later',
        pageSize: 100,
        next: false,
      },
      () => clock.now(),
    );
    const { deps, sink } = memoryDeps(clock, { reporting: (r) => api.reporting(r), ...noInventory });
    const account = testAccount();
    account.eventReport.pageLimit = 100;
    const controller = new AbortController();
    const runsAt: number[] = [];
    await collectForever(testConfig([account]), deps, {
      signal: controller.signal,
      strict: false,
      since: start - HOUR,
      onResult: (r) => {
        expect(r.outcome).toBe('ok');
        runsAt.push(clock.now());
        if (runsAt.length === 12) controller.abort();
      },
    });
    expect(runsAt.slice(1).map((t, i) => t - (runsAt[i] ?? 0))).toEqual(Array(11).fill(10 * MINUTE));
    expect(sink.documents.get('event_report')?.size).toBe(truth.length);
  });
});
