// What the real engine cannot be made to show, because mito reads the real clock: a window whose end
// falls inside the repeated fall-back hour. Run on the emulation (a stand-in, measured against mito in
// packages/cel-harness/test/divergence.test.ts and test/cel/engines.test.ts) with the simulator's
// virtual clock.
import { startSimulator, type RunningSimulator } from '@lastpass-elastic/simulator';
import { ACCOUNT, HASH, harness, publishedPairs, render, truthPairs } from './support';

describe('event_report on the emulation with a virtual clock: a window end inside the repeated DST hour', () => {
  let sim: RunningSimulator;
  beforeAll(async () => {
    sim = await startSimulator({
      seed: 5,
      events: 2000,
      pageSize: 400, // the repeated hour fits in one answer (a request never cuts it, so it cannot be split)
      start: '2024-11-02T12:00:00Z',
      end: '2024-11-04T00:00:00Z',
      now: '2024-11-04T00:00:00Z',
      accountNumber: ACCOUNT,
      provisioningHash: HASH,
    });
  });
  afterAll(() => sim.close());

  test('the request reaches past the repeated hour; the next window reads both passes whole', async () => {
    // 06:32Z = 01:32 EST (second pass of 01:00-01:59 on 2024-11-03): the window end 06:30Z is ambiguous.
    sim.clock.set(new Date('2024-11-03T06:32:00Z'));
    const stream = render('event_report', sim, { initial_interval: '3h' });
    const { input } = harness(stream, sim);
    // Until the window is complete (with the clock standing still, every later interval would read the
    // last 5 minutes again, and with them the whole repeated hour).
    const windowDone = (): boolean => !('end' in (input.currentState.cursor as object));
    const before = sim.requests.length;
    const first = await input.runIntervals(40, windowDone);
    expect(first.errors).toEqual([]);
    const sent = sim.requests.slice(before).map((r) => r.body?.data as { from: string; to: string });
    // No bound inside the repeated hour; the last request ends after it (its planned end, inside the
    // hour, moved 2 hours later), and the window is committed at its (ambiguous) end.
    for (const d of sent) {
      expect(d.from.startsWith('2024-11-03 01:')).toBe(false);
      expect(d.to.startsWith('2024-11-03 01:')).toBe(false);
    }
    expect((sent.at(-1)?.to ?? '') > '2024-11-03 02:00:00').toBe(true);
    expect(input.currentState.cursor).toMatchObject({ upper: '2024-11-03T06:30:00Z' });
    const lo = Date.parse('2024-11-03T03:31:59Z'); // now - 3 h, read from one second earlier
    const firstWindow = sim.tenant.events.filter(
      (e) => e.instant >= lo && e.instant <= Date.parse('2024-11-03T06:32:00Z'),
    );
    // Whatever was visible then (up to the virtual now) is delivered, numbered as in the whole hour.
    expect(publishedPairs(first.events)).toEqual(truthPairs(firstWindow));

    // 40 minutes later: the next window starts 5 minutes before the committed end, inside the repeated
    // hour, so it moves 2 hours earlier: one request holds both passes of every wall-clock second.
    sim.clock.set(new Date('2024-11-03T07:10:00Z'));
    const at = sim.requests.length;
    const second = await input.runIntervals(40, windowDone);
    expect(second.errors).toEqual([]);
    const next = sim.requests.slice(at).map((r) => r.body?.data as { from: string; to: string });
    expect(next[0]?.from).toBe('2024-11-03 00:24:59'); // 06:24:59Z is 01:24:59 EST, ambiguous: 2 hours earlier
    const window = sim.tenant.events.filter(
      (e) => e.instant >= lo && e.instant <= Date.parse('2024-11-03T07:08:00Z'),
    );
    const twoPasses = window.filter((e) => e.record.Time.startsWith('2024-11-03 01:'));
    expect(new Set(twoPasses.map((e) => e.instant >= Date.parse('2024-11-03T06:00:00Z'))).size).toBe(2);
    // Both runs together: every pair of the repeated hour once (earlier labels are kept, later copies get the next ones).
    expect(publishedPairs([...first.events, ...second.events])).toEqual(truthPairs(window));
  });
});
