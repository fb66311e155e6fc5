import { collectOnce } from '../src/sync/collector';
import type { RawDocument } from '../src/streams/types';
import type { ReportingRecord } from '../src/streams/sources';
import { FakeReporting, makeHistory, recordCounts, type FakeBehaviour } from './support/fake-reporting';
import {
  HOUR,
  ManualClock,
  memoryDeps,
  MINUTE,
  noInventory,
  testAccount,
  testConfig,
} from './support/harness';

const ZONE = 'America/New_York';
// Across the 2024 fall-back (2024-11-03 06:00Z: 01:00-01:59 local happens twice).
const START = Date.parse('2024-11-02T12:00:00Z');
const END = Date.parse('2024-11-03T18:00:00Z');

function delivered(docs: Iterable<RawDocument>) {
  return recordCounts([...docs].map((d) => JSON.parse(d.message) as ReportingRecord));
}

const matrix: FakeBehaviour[] = [];
for (const order of ['newest-first', 'oldest-first'] as const)
  for (const fromInclusive of [true, false])
    for (const toInclusive of [true, false])
      for (const ambiguousTime of ['earlier', 'later'] as const)
        for (const next of [true, false])
          matrix.push({ order, fromInclusive, toInclusive, ambiguousTime, next, pageSize: 500 });

describe('event_report delivers every event exactly once, whatever the unverified API behaviours', () => {
  const truth = makeHistory({ zone: ZONE, start: START, end: END, events: 4000, seed: 7, burst: 120 });
  const expected = recordCounts(truth.map((e) => e.record));

  it('the history exercises the hard cases', () => {
    const repeatedHour = truth.filter((e) => e.record.Time.startsWith('2024-11-03 01:'));
    const passes = new Set(repeatedHour.map((e) => e.instant >= Date.parse('2024-11-03T06:00:00Z')));
    expect(passes.size).toBe(2);
    expect(Math.max(...expected.values())).toBeGreaterThan(30);
  });

  it.each(matrix.map((b) => [JSON.stringify(b), b] as const))('%s', async (_name, behaviour) => {
    const clock = new ManualClock(START + 7 * HOUR);
    const api = new FakeReporting(truth, ZONE, behaviour, () => clock.now());
    const { deps, sink } = memoryDeps(clock, { reporting: (r) => api.reporting(r), ...noInventory });
    const account = testAccount();
    account.eventReport.pageLimit = behaviour.pageSize;
    const config = testConfig([account]);
    const options = { signal: new AbortController().signal, strict: false, since: START - HOUR };
    // A backfill, then overlapping polls every 50 minutes until well after the end.
    while (clock.now() < END + 3 * HOUR) {
      const results = await collectOnce(config, deps, options);
      expect(results.map((r) => r.outcome)).toEqual(['ok']);
      clock.current += 50 * MINUTE;
    }
    const got = delivered(sink.documents.get('event_report')?.values() ?? []);
    expect(got).toEqual(expected);
  });
});
