// Dashboards with the standalone collector (issue #15 item 15): `setup --kibana` uploads the package to Fleet,
// Fleet installs its index templates and pipelines, and `collect` writes into the same data streams the
// dashboards read. Here the fake Kibana records the upload; Fleet's install of THAT zip into the fake
// Elasticsearch is stood in for by the asset plan `setup --elasticsearch` uses (our reading of what Fleet installs).
// Proven locally: the collector accepts those Fleet-named templates and pipelines and its documents land in
// logs-lastpass_enterprise.<stream>-default with pipeline-made ids. Not proven: that a real Fleet installs the
// same (run the opt-in real-cluster tests for that).
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { unzipSync } from 'fflate';
import { main, memoryIo } from '@lastpass-elastic/cli';
import { startFakeElasticsearch } from '@lastpass-elastic/ingest';
import { loadPackage } from '@lastpass-elastic/package-model';
import { endpointFromEnv, planAssets, setupElasticsearch } from '@lastpass-elastic/package-tools';
import { startSimulator } from '@lastpass-elastic/simulator';
import { startFakeKibana } from '../../packages/package-tools/test/setup/fake-kibana';
import { HASH, ROOT } from './support';

const KIBANA_KEY = 'a2liYW5hLW9ubHkta2V5LTEyMw==';
const ES_KEY = 'ZXMtY29sbGVjdG9yLWtleS00NTY=';

describe('setup --kibana, then the standalone collector into the same data streams', () => {
  it('KIBANA_API_KEY wins for Kibana; Fleet-installed assets are what collect needs; documents land in the data streams', async () => {
    const kibana = await startFakeKibana({ installed: undefined, authorization: `ApiKey ${KIBANA_KEY}` });
    const es = await startFakeElasticsearch({
      version: '8.17.0',
      auth: { apiKey: ES_KEY },
      recordRequests: false,
    });
    const sim = await startSimulator({ seed: 5, events: 800, provisioningHash: HASH });
    const work = mkdtempSync(join(tmpdir(), 'lpe-kibana-collect-'));
    try {
      // 1. setup --kibana with both keys set: the Kibana key is the one sent.
      const setup = memoryIo({
        cwd: ROOT,
        env: { KIBANA_URL: kibana.url, KIBANA_API_KEY: KIBANA_KEY, ELASTICSEARCH_API_KEY: ES_KEY },
      });
      expect(await main(['setup', '--kibana'], setup)).toBe(0);
      expect(setup.out()).toMatch(/installed: lastpass_enterprise \S+ uploaded to Fleet/);
      const upload = kibana.calls.find((c) => c.method === 'POST');
      expect(upload?.headers['authorization']).toBe(`ApiKey ${KIBANA_KEY}`);
      expect(setup.out() + setup.err()).not.toContain(KIBANA_KEY);

      // Without KIBANA_API_KEY the Elasticsearch key is used, as before (this fake Kibana refuses it: exit 1).
      const esKeyOnly = memoryIo({
        cwd: ROOT,
        env: { KIBANA_URL: kibana.url, ELASTICSEARCH_API_KEY: ES_KEY },
      });
      expect(await main(['setup', '--kibana'], esKeyOnly)).toBe(1);
      expect(kibana.calls.at(-1)?.headers['authorization']).toBe(`ApiKey ${ES_KEY}`);

      // 2. "Fleet installs the package": the uploaded zip, unpacked, planned and installed into Elasticsearch.
      const unpacked = join(work, 'fleet');
      for (const [name, data] of Object.entries(unzipSync(new Uint8Array(upload?.body ?? Buffer.alloc(0))))) {
        if (name.endsWith('/')) continue;
        mkdirSync(dirname(join(unpacked, name)), { recursive: true });
        writeFileSync(join(unpacked, name), data);
      }
      const [packageDir] = Object.keys(unzipSync(new Uint8Array(upload?.body ?? Buffer.alloc(0))))
        .map((n) => n.split('/')[0] ?? '')
        .filter((n) => n !== '');
      const plan = planAssets(loadPackage(join(unpacked, packageDir ?? '')));
      await setupElasticsearch(
        endpointFromEnv('Elasticsearch', '--elasticsearch', es.url, { ELASTICSEARCH_API_KEY: ES_KEY }),
        plan,
      );
      expect(es.indexTemplates.has('logs-lastpass_enterprise.event_report')).toBe(true);

      // 3. The standalone collector, pointed at that cluster: its preflight finds the templates and pipelines.
      const env = {
        LASTPASS_URL: sim.url,
        LASTPASS_ACCOUNT_NUMBER: sim.options.accountNumber,
        LASTPASS_PROVISIONING_HASH: HASH,
        LASTPASS_TIME_ZONE: sim.options.timeZone,
        ELASTICSEARCH_URL: es.url,
        ELASTICSEARCH_API_KEY: ES_KEY,
        LASTPASS_ELASTIC_STATE_DIR: join(work, 'state'),
      };
      const collect = memoryIo({ cwd: work, env });
      const since = new Date(sim.options.start.getTime() - 60_000).toISOString();
      expect(await main(['collect', '--once', '--since', since], collect)).toBe(0);
      const settled = Date.now() - 2 * 60_000;
      const truth = sim.tenant.events.filter((e) => e.instant <= settled).length;
      const events = es.documents('logs-lastpass_enterprise.event_report-default');
      expect(events.size).toBe(truth);
      expect(es.documents('logs-lastpass_enterprise.user-default').size).toBeGreaterThan(0);
      expect(es.documents('logs-lastpass_enterprise.detailed_shared_folder-default').size).toBeGreaterThan(0);
      // the package pipeline made the documents: ECS fields, the id copied to event.id
      const [id, doc] = [...events.entries()][0] ?? [];
      expect(doc).toMatchObject({
        event: { id, kind: expect.any(String) as unknown },
        data_stream: { dataset: 'lastpass_enterprise.event_report', namespace: 'default' },
      });
      expect(collect.out() + collect.err()).not.toContain(HASH);
    } finally {
      rmSync(work, { recursive: true, force: true });
      await sim.close();
      await es.close();
      await kibana.close();
    }
  }, 120_000);
});
