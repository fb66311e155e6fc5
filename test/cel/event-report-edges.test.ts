import { startSimulator, type GroundTruthEvent, type RunningSimulator } from '@lastpass-elastic/simulator';
import { ACCOUNT, HASH, harness, render, sortKeys } from './support';

const key = (r: GroundTruthEvent['record']): string => JSON.stringify(sortKeys(r));

/** (record, occurrence) pairs per contracts §3, counted over the given events (by wall-clock Time). */
function truthIds(events: readonly GroundTruthEvent[]): string[] {
  const seen = new Map<string, number>();
  return events
    .map((e) => {
      const k = key(e.record);
      const n = seen.get(k) ?? 0;
      seen.set(k, n + 1);
      return `${k}#${n}`;
    })
    .sort();
}
const emittedIds = (events: readonly Record<string, unknown>[]): string[] =>
  [
    ...new Set(
      events.map(
        (e) =>
          `${JSON.stringify(sortKeys(JSON.parse(String(e.message))))}#${String((e.lastpass_enterprise as { event_report: { occurrence: number } }).event_report.occurrence)}`,
      ),
    ),
  ].sort();

describe('event_report CEL program: page boundaries inside a second, DST fall-back', () => {
  let sim: RunningSimulator;
  beforeAll(async () => {
    sim = await startSimulator({
      seed: 5,
      events: 4000,
      pageSize: 2,
      start: '2024-10-31T00:00:00Z',
      end: '2024-11-05T00:00:00Z',
      now: '2024-11-05T00:00:00Z',
      accountNumber: ACCOUNT,
      provisioningHash: HASH,
    });
  });
  afterAll(() => sim.close());

  test('identical same-second records split across pages keep distinct occurrences', async () => {
    const counts = new Map<string, GroundTruthEvent[]>();
    for (const e of sim.tenant.events) counts.set(key(e.record), [...(counts.get(key(e.record)) ?? []), e]);
    const burst = [...counts.values()].find(
      (g) => g.length >= 3 && g.every((e) => e.instant === g[0]?.instant),
    );
    expect(burst).toBeDefined();
    const at = burst?.[0]?.instant ?? 0;
    // Window [at - 30 s, at + 30 s]: now = at + 2 min (settle lag) + 30 s, initial_interval 3 min.
    sim.clock.set(new Date(at + 150_000));
    const stream = render('event_report', sim, { initial_interval: '180s' });
    const { input } = harness(stream, sim);
    const run = await input.run();
    expect(run.errors).toEqual([]);
    expect(run.executions).toBeGreaterThan(2);
    const inWindow = sim.tenant.events.filter((e) => e.instant >= at - 30_000 && e.instant <= at + 30_000);
    expect(emittedIds(run.events)).toEqual(truthIds(inWindow));
    expect(run.events).toHaveLength(inWindow.length);
  });

  test('a window end in the repeated hour waits; the next window reads both passes in one window', async () => {
    // 06:32Z = 01:32 EST (second pass of 01:00-01:59 on 2024-11-03): end 06:30Z is ambiguous → 04:30Z.
    sim.clock.set(new Date('2024-11-03T06:32:00Z'));
    const stream = render('event_report', sim, { initial_interval: '24h' });
    const first = harness(stream, sim);
    const r1 = await first.input.run();
    expect(r1.errors).toEqual([]);
    expect(r1.cursor).toEqual({ upper: '2024-11-03T04:30:00Z', upper_local: '2024-11-03 00:30:00' });
    sim.clock.set(new Date('2024-11-03T07:10:00Z'));
    const second = harness(stream, sim, r1.cursor);
    const before = sim.requests.length;
    const r2 = await second.input.run();
    expect(r2.errors).toEqual([]);
    const sent = sim.requests.slice(before).map((r) => r.body?.data as { from: string; to: string });
    expect(sent[0]).toEqual({ from: '2024-11-03 00:25:00', to: '2024-11-03 02:08:00' });
    expect(r2.cursor).toEqual({ upper: '2024-11-03T07:08:00Z', upper_local: '2024-11-03 02:08:00' });
    // Both passes of the repeated hour hold identical wall-clock records: all of them, numbered apart.
    const lo = Date.parse('2024-11-03T04:25:00Z');
    const hi = Date.parse('2024-11-03T07:08:00Z');
    const inWindow = sim.tenant.events.filter((e) => e.instant >= lo && e.instant <= hi);
    const twoPasses = inWindow.filter((e) => e.record.Time.startsWith('2024-11-03 01:'));
    expect(new Set(twoPasses.map((e) => e.instant >= Date.parse('2024-11-03T06:00:00Z'))).size).toBe(2);
    expect(emittedIds(r2.events)).toEqual(truthIds(inWindow));
  });
});
