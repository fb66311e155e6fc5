// The emulation measured against the real engine on the package's own programs: the same program, the
// same tenant, the same Agent-like driver — the emulation (cel-js) must publish exactly what mito does.
// (Expression-level divergences are in packages/cel-harness/test/divergence.test.ts.)
import { AgentInput, type PeriodicRunResult } from '@lastpass-elastic/cel-harness';
import { startSimulator, type RunningSimulator } from '@lastpass-elastic/simulator';
import { ACCOUNT, canonical, describeOnMito, HASH, initialIntervalReaching, MITO, render } from './support';

jest.setTimeout(180_000);

const START = '2024-11-02T00:00:00Z';

/** Published documents as parsed JSON, the snapshot stamp (the run's own start) replaced. */
const normalized = (run: PeriodicRunResult): string[] => [
  ...new Set(
    canonical(
      run.events
        .filter((e) => 'message' in e)
        .map((e) => {
          const le = e.lastpass_enterprise as { snapshot?: unknown } | undefined;
          return le?.snapshot === undefined ? e : { ...e, lastpass_enterprise: { snapshot: 'stamp' } };
        }),
    ),
  ),
];

describeOnMito('the emulation publishes what mito publishes, for each program', () => {
  let sim: RunningSimulator;
  beforeAll(async () => {
    sim = await startSimulator({
      seed: 13,
      events: 200,
      pageSize: 30,
      users: 23,
      invited: 2,
      sharedFolders: 9,
      start: START,
      end: '2024-11-05T00:00:00Z',
      accountNumber: ACCOUNT,
      provisioningHash: HASH,
    });
  });
  afterAll(() => sim.close());

  test.each([
    ['event_report', {}],
    ['user', { page_size: 6 }],
    ['detailed_shared_folder', { page_size: 4 }],
  ] as const)('%s', async (name, vars) => {
    const stream = render(name, sim, { initial_interval: initialIntervalReaching(START), ...vars });
    const runs: Record<string, PeriodicRunResult & { runs: number }> = {};
    const requests: Record<string, unknown[]> = {};
    for (const engine of ['mito', 'emulation'] as const) {
      const input = new AgentInput({
        config: stream.config,
        engine,
        ...(MITO === undefined ? {} : { mitoBin: MITO.path }),
      });
      const before = sim.requests.length;
      try {
        runs[engine] = await input.runIntervals(100, (r) =>
          name === 'event_report'
            ? r.events.length === 0 && r.errors.length === 0 && !r.wantMore
            : (input.currentState.cursor as { in_progress?: unknown }).in_progress === null,
        );
      } finally {
        await input.close();
      }
      requests[engine] = sim.requests.slice(before).map((r) => r.body?.data);
    }
    const [mito, emulation] = [runs.mito, runs.emulation];
    if (mito === undefined || emulation === undefined) throw new Error('both engines ran');
    expect(mito.errors).toEqual([]);
    expect(emulation.errors).toEqual([]);
    expect(normalized(mito).length).toBeGreaterThan(10);
    expect(normalized(emulation)).toEqual(normalized(mito));
    // The inventories' requests do not depend on the clock: the same pages in the same order.
    if (name !== 'event_report') expect(requests.emulation).toEqual(requests.mito);
  });
});
