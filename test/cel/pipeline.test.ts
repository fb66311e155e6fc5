// The raw documents the Agent's CEL programs publish (as the harness emits them, plus the fields the
// Agent adds) go through the package's ingest pipelines without errors, each gets a distinct _id, and
// the result validates against the data stream's fields.
import { createExecutor, loadPackagePipelines } from '@lastpass-elastic/ingest';
import { fleetPipelineName, loadPackage, validateDocument } from '@lastpass-elastic/package-model';
import { startSimulator, type RunningSimulator } from '@lastpass-elastic/simulator';
import { ACCOUNT, HASH, ROOT, agentDocument, harness, render } from './support';

const pkg = loadPackage(ROOT);
const executor = createExecutor({
  pipelines: loadPackagePipelines(pkg),
  now: () => new Date('2024-11-05T01:00:00Z'),
});

describe('CEL documents through the package pipelines', () => {
  let sim: RunningSimulator;
  beforeAll(async () => {
    sim = await startSimulator({
      seed: 9,
      events: 1500,
      pageSize: 300,
      users: 25,
      sharedFolders: 8,
      start: '2024-10-30T00:00:00Z',
      end: '2024-11-05T00:00:00Z',
      now: '2024-11-05T01:00:00Z',
      accountNumber: ACCOUNT,
      provisioningHash: HASH,
    });
  });
  afterAll(() => sim.close());

  test.each(['event_report', 'user', 'detailed_shared_folder'])('%s', async (name) => {
    const stream = render(name, sim, { initial_interval: '240h', page_size: 10 });
    const run = await harness(stream, sim).input.run();
    expect(run.errors).toEqual([]);
    expect(run.events.length).toBeGreaterThan(0);
    const ds = pkg.dataStreams.find((d) => d.name === name);
    if (ds === undefined) throw new Error(name);
    const ids = new Set<string>();
    for (const event of run.events) {
      const result = executor.process(fleetPipelineName(pkg, ds), {
        _index: `logs-lastpass_enterprise.${name}-default`,
        _source: agentDocument(event, stream),
      });
      if (result.kind !== 'indexed') throw new Error(`${name}: ${JSON.stringify(result)}`);
      expect(result._id).toBeDefined();
      ids.add(String(result._id));
      expect(validateDocument(ds, result._source)).toEqual([]);
      expect(JSON.stringify(result._source)).not.toContain(HASH);
    }
    expect(ids.size).toBe(run.events.length);
  });
});
