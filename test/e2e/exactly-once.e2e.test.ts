import { MemorySink } from '@lastpass-elastic/collector';
import {
  startSimulator,
  type RunningSimulator,
  type SimulatorOptionsInput,
} from '@lastpass-elastic/simulator';
import {
  accountFor,
  configFor,
  elasticsearchSink,
  fakeElasticsearchWithPackage,
  harness,
  HASH,
  HOUR,
  messageCounts,
  MINUTE,
  pollUntil,
  truthCounts,
  virtualClock,
} from './support';

// A week around the 2024 fall-back in New York (2024-11-03, 01:00-01:59 happens twice).
const START = new Date('2024-10-31T00:00:00Z');
const END = new Date('2024-11-07T00:00:00Z');

async function simulate(options: SimulatorOptionsInput): Promise<RunningSimulator> {
  return startSimulator({
    start: START,
    end: END,
    now: new Date(START.getTime() + 30 * HOUR),
    seed: 11,
    provisioningHash: HASH,
    ...options,
  });
}

describe('exactly once through the real client and the simulator (HTTP)', () => {
  const combos: SimulatorOptionsInput[] = [];
  for (const nextMode of ['older-microtime', 'repeat-last'] as const)
    for (const order of ['newest-first', 'oldest-first'] as const)
      for (const fromInclusive of [true, false])
        for (const toInclusive of [true, false])
          for (const ambiguousTime of ['earlier', 'later'] as const)
            combos.push({ nextMode, order, fromInclusive, toInclusive, ambiguousTime });

  it.each(combos.map((c) => [JSON.stringify(c), c] as const))(
    'every simulated event exactly once, overlapping polls, in-memory sink: %s',
    async (_name, combo) => {
      const sim = await simulate({ ...combo, events: 4000, pageSize: 600, lateArrivalSeconds: 90 });
      try {
        const sink = new MemorySink();
        const { deps } = harness(sim, sink);
        const config = configFor(accountFor(sim));
        const results = await pollUntil(sim, config, deps, {
          since: START.getTime() - HOUR,
          stepMs: 7 * HOUR,
          until: END.getTime() + HOUR,
        });
        expect(results.filter((r) => r.outcome !== 'ok')).toEqual([]);
        const got = messageCounts(
          [...(sink.documents.get('event_report')?.values() ?? [])].map((d) => d.message),
        );
        expect(got).toEqual(truthCounts(sim, END.getTime()));
      } finally {
        await sim.close();
      }
    },
  );

  it('> 25,000 events across the DST change into the fake Elasticsearch: real pipeline ids, 409s, nothing new on a re-run', async () => {
    const sim = await simulate({
      events: 26_000,
      pageSize: 2000,
      order: 'newest-first',
      nextMode: 'older-microtime',
    });
    const fake = await fakeElasticsearchWithPackage(() => sim.clock.now());
    try {
      const sink = elasticsearchSink(fake, virtualClock(sim));
      await sink.preflight(['event_report']);
      const { deps } = harness(sim, sink);
      const config = configFor(accountFor(sim));
      const results = await pollUntil(sim, config, deps, {
        since: START.getTime() - HOUR,
        stepMs: 24 * HOUR,
        until: END.getTime() + 10 * MINUTE,
      });
      expect(results.every((r) => r.outcome === 'ok')).toBe(true);
      const docs = fake.documents('logs-lastpass_enterprise.event_report-default');
      const truth = truthCounts(sim, END.getTime());
      const total = [...truth.values()].reduce((a, b) => a + b, 0);
      expect(total).toBeGreaterThan(25_000);
      expect(docs.size).toBe(total);
      const messages = [...docs.values()].map(
        (d) =>
          (d.event as { original?: string } | undefined)?.original ??
          JSON.stringify((d.lastpass_enterprise as { event_report: unknown }).event_report),
      );
      expect(messages).toHaveLength(total);
      const indexed = results.reduce((n, r) => n + r.counts.indexed, 0);
      expect(indexed).toBe(total);
      // Ids are the pipeline's and event.id carries them.
      for (const [id, doc] of [...docs].slice(0, 50)) expect((doc.event as { id: string }).id).toBe(id);
      // Run again: nothing new.
      const again = await pollUntil(sim, config, deps, { since: START.getTime(), stepMs: 0, until: 0 });
      expect(again[0]?.counts.indexed).toBe(0);
      // A collector that lost its state re-reads the last day: every document is answered 409.
      const fresh = harness(sim, sink);
      const replay = await pollUntil(sim, config, fresh.deps, {
        since: END.getTime() - 24 * HOUR,
        stepMs: 0,
        until: 0,
      });
      expect(replay[0]?.counts.indexed).toBe(0);
      expect(replay[0]?.counts.duplicates).toBe(replay[0]?.counts.fetched);
      expect(replay[0]?.counts.duplicates).toBeGreaterThan(1000);
      expect(fake.documents('logs-lastpass_enterprise.event_report-default').size).toBe(total);
      await sink.close();
    } finally {
      await fake.close();
      await sim.close();
    }
  }, 60_000);
});
