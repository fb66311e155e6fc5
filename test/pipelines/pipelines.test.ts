// Every package pipeline test case (data_stream/*/_dev/test/pipeline, elastic-package's format) runs through
// the local executor and must match its -expected.json. With TEST_ELASTICSEARCH_URL set, the same cases also go
// to the real cluster's _simulate and both outputs are compared; otherwise that part is skipped with a notice.
import { join } from 'node:path';
import {
  createExecutor,
  describeDifferences,
  loadPackagePipelines,
  readCaseEvents,
  runCaseEvents,
  runPipelineTests,
} from '@lastpass-elastic/ingest';
import { fleetPipelineName, loadPackage } from '@lastpass-elastic/package-model';

const root = join(__dirname, '..', '..');
const pkg = loadPackage(root);
const NOW = new Date('2026-01-01T00:00:00Z');
const report = runPipelineTests(pkg, { update: false, now: () => NOW });

describe('package pipeline tests (local executor)', () => {
  it('finds pipeline test cases', () => {
    expect(report.cases.length).toBeGreaterThan(0);
  });

  it.each(report.cases.map((c) => [`${c.dataStream}/${c.file}`, c] as const))('%s', (_name, c) => {
    expect(c.failures).toEqual([]);
    expect(c.passed).toBe(true);
  });
});

const clusterUrl = process.env['TEST_ELASTICSEARCH_URL'];
const describeCluster = clusterUrl === undefined ? describe.skip : describe;
if (clusterUrl === undefined) {
  process.stdout.write(
    'test/pipelines: real-cluster comparison skipped: TEST_ELASTICSEARCH_URL is not set\n',
  );
}

async function es(method: string, path: string, body?: unknown): Promise<unknown> {
  const response = await fetch(new URL(path, clusterUrl), {
    method,
    headers: { 'content-type': 'application/json' },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  const json: unknown = await response.json();
  if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${JSON.stringify(json)}`);
  return json;
}

describeCluster('package pipeline tests against a real cluster (_simulate)', () => {
  const pipelines = loadPackagePipelines(pkg);
  const executor = createExecutor({ pipelines, now: () => NOW });

  beforeAll(async () => {
    for (const [name, definition] of Object.entries(pipelines))
      await es('PUT', `/_ingest/pipeline/${name}`, definition);
  });

  const cases = report.cases.map((c) => [`${c.dataStream}/${c.file}`, c] as const);
  it.each(cases)('%s gives the same documents locally and on the cluster', async (_name, c) => {
    const ds = pkg.dataStreams.find((d) => d.name === c.dataStream)!;
    const events = readCaseEvents(join(ds.dir, '_dev', 'test', 'pipeline', c.file), {});
    const local = runCaseEvents(executor, pkg, ds, events).docs;
    const answer = (await es('POST', `/_ingest/pipeline/${fleetPipelineName(pkg, ds)}/_simulate`, {
      docs: events.map((e) => ({ _index: `${ds.type}-${ds.dataset}-default`, _source: e })),
    })) as { docs: ({ doc?: { _source: Record<string, unknown> } } | null)[] };
    const remote = answer.docs.map((d) => d?.doc?._source ?? null);
    expect(describeDifferences(remote, local)).toEqual([]);
  });
});
