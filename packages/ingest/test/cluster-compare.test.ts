// Plumbing of the real-cluster comparison (request shapes, parsing of _simulate answers), exercised against the
// in-memory fake Elasticsearch. The fake runs this same executor, so this proves the wiring only, not fidelity.
import { join } from 'node:path';
import { loadPackage } from '@lastpass-elastic/package-model';
import { compareWithCluster, startFakeElasticsearch } from '../src';

const root = join(__dirname, '..', '..', '..');

describe('compareWithCluster (against the fake, wiring only)', () => {
  it('installs the pipelines and compares every case through _simulate', async () => {
    const now = () => new Date('2026-01-01T00:00:00Z');
    const fake = await startFakeElasticsearch({ now });
    try {
      const pkg = loadPackage(root);
      const compared = await compareWithCluster(pkg, fake.url, { dataStreams: ['user'], now });
      expect(compared.length).toBeGreaterThan(0);
      for (const c of compared) expect(c.differences).toEqual([]);
      expect(
        fake.requests.some(
          (r) => r.method === 'PUT' && r.path.startsWith('/_ingest/pipeline/logs-lastpass_enterprise.user-'),
        ),
      ).toBe(true);
      expect(fake.requests.some((r) => r.method === 'POST' && r.path.endsWith('/_simulate'))).toBe(true);
    } finally {
      await fake.close();
    }
  });
});
