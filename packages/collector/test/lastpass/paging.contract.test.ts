/**
 * Client ↔ simulator: paging page by page over > 25,000 events returns every ground-truth event, in
 * order, for each `next` semantics, order and `next` type. The test drives `next` itself.
 */
import { AccountZone, type RunningSimulator, type StartOptions } from '@lastpass-elastic/simulator';
import type { LastPassClient, RawEvent } from '../../src/lastpass';
import { clientFor, withSimulator } from './helpers';

const EVENTS = 26_000;

async function pullAll(
  sim: RunningSimulator,
  client: LastPassClient,
  from: string,
  to: string,
): Promise<{ events: RawEvent[]; pages: number }> {
  const events: RawEvent[] = [];
  let next: string | number | null = null;
  let pages = 0;
  let previousLast: RawEvent | undefined;
  do {
    const page = await client.reporting({ from, to, ...(next === null ? {} : { next }) });
    pages++;
    expect(page.events.length).toBeLessThanOrEqual(sim.options.pageSize);
    let records = page.events;
    if (sim.options.nextMode === 'repeat-last' && previousLast !== undefined) {
      // This mode's next page starts with the last event of the previous one.
      expect(records[0]).toEqual(previousLast);
      records = records.slice(1);
    }
    events.push(...records);
    previousLast = page.events.at(-1);
    next = page.next;
    if (next !== null) expect(typeof next).toBe(sim.options.nextType);
  } while (next !== null);
  return { events, pages };
}

const cases: [string, StartOptions][] = [
  ['older-microtime, newest-first (defaults)', {}],
  ['repeat-last, newest-first', { nextMode: 'repeat-last' }],
  ['older-microtime, oldest-first', { order: 'oldest-first' }],
  [
    'repeat-last, oldest-first, next as string',
    { nextMode: 'repeat-last', order: 'oldest-first', nextType: 'string' },
  ],
];

describe.each(cases)('paging over %s', (_name, options) => {
  it('returns every ground-truth event exactly once, in the configured order', async () => {
    await withSimulator({ events: EVENTS, ...options }, async (sim) => {
      const { client } = clientFor(sim);
      const zone = new AccountZone(sim.options.timeZone);
      const from = zone.format(sim.options.start.getTime());
      const to = zone.format(sim.options.end.getTime());
      const { events, pages } = await pullAll(sim, client, from, to);
      const truth = sim.tenant.events.map((e) => e.record);
      const expected = sim.options.order === 'newest-first' ? [...truth].reverse() : truth;
      expect(events.length).toBe(EVENTS);
      expect(JSON.stringify(events)).toBe(JSON.stringify(expected));
      expect(pages).toBe(3);
      expect(client.apiCalls).toBe(pages);
    });
  });
});

it('a window narrower than the history returns exactly the ground truth inside it (both bounds inclusive by default)', async () => {
  await withSimulator({ events: 30_000, pageSize: 1_000 }, async (sim) => {
    const { client } = clientFor(sim);
    const zone = new AccountZone(sim.options.timeZone);
    const first = sim.tenant.events[5_000]!;
    const last = sim.tenant.events[12_345]!;
    const { events } = await pullAll(sim, client, first.record.Time, last.record.Time);
    const truth = sim.tenant.events
      .filter((e) => e.instant >= first.instant && e.instant <= last.instant)
      .map((e) => e.record)
      .reverse();
    expect(events).toEqual(truth);
    expect(zone.format(first.instant)).toBe(first.record.Time);
  });
});
