import { resolve } from 'node:path';
import { loadPackage, transformDestinations } from '@lastpass-elastic/package-model';
import { call, endpointFromEnv, planAssets, setupElasticsearch } from '../../src';

// Opt-in: installs the package's assets (transforms included) into a real cluster and reads back what the
// fake only models: the transform as Elasticsearch stores it, its state after _start, the destination index
// created from our template and the alias on it. Auth from ELASTICSEARCH_API_KEY / _USERNAME + _PASSWORD /
// ELASTICSEARCH_CA_FILE. It leaves the assets installed (as setup does).
const ES = process.env['TEST_ELASTICSEARCH_URL'];
if (ES === undefined)
  console.log('skipping real-cluster transform setup test: TEST_ELASTICSEARCH_URL is not set');

describe('setup --elasticsearch transforms against a real cluster (opt-in)', () => {
  (ES === undefined ? it.skip : it)(
    'creates and starts the transforms, the destination index is a plain index behind the alias; a second run writes nothing',
    async () => {
      const pkg = loadPackage(resolve(__dirname, '../../../..'));
      const plan = planAssets(pkg);
      const es = endpointFromEnv('Elasticsearch', 'TEST_ELASTICSEARCH_URL', ES ?? '', process.env);
      await setupElasticsearch(es, plan);
      for (const d of transformDestinations(pkg)) {
        const stats = await call(es, 'GET', `/_transform/${d.transformId}/_stats`);
        expect(stats.status).toBe(200);
        const state = (stats.json as { transforms: { state: string }[] }).transforms[0]?.state;
        expect(['started', 'indexing']).toContain(state);
        const alias = await call(es, 'GET', `/_alias/${d.readName}`);
        expect(alias.status).toBe(200);
        expect(Object.keys(alias.json as object)).toEqual([d.destIndex]);
        const index = await call(es, 'GET', `/${d.destIndex}/_settings/index.codec`);
        expect(JSON.stringify(index.json)).toContain('best_compression');
        const ds = await call(es, 'GET', `/_data_stream/${d.destIndex}`);
        expect(ds.status).toBe(404);
      }
      const second = await setupElasticsearch(es, plan);
      expect(second.changes.filter((c) => c.action !== 'unchanged')).toEqual([]);
    },
    120_000,
  );
});
