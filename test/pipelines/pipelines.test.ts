// Every package pipeline test case (data_stream/*/_dev/test/pipeline, elastic-package's format) runs through
// the local executor and must match its -expected.json. With TEST_ELASTICSEARCH_URL set, the same cases also go
// to the real cluster's _simulate and both outputs are compared; otherwise that part is skipped with a notice.
import { join } from 'node:path';
import { compareWithCluster, runPipelineTests } from '@lastpass-elastic/ingest';
import { loadPackage } from '@lastpass-elastic/package-model';

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
if (clusterUrl === undefined || clusterUrl === '') {
  process.stdout.write(
    'test/pipelines: real-cluster comparison skipped: TEST_ELASTICSEARCH_URL is not set\n',
  );
}

(clusterUrl === undefined || clusterUrl === '' ? describe.skip : describe)(
  'package pipeline tests against a real cluster (_simulate)',
  () => {
    it('gives the same documents locally and on the cluster for every case', async () => {
      const compared = await compareWithCluster(pkg, clusterUrl ?? '', { now: () => NOW });
      expect(compared.length).toBe(report.cases.length);
      for (const c of compared)
        expect([`${c.dataStream}/${c.file}`, c.differences]).toEqual([`${c.dataStream}/${c.file}`, []]);
    }, 120_000);
  },
);
