/**
 * Opt-in: the Elasticsearch reader against a real cluster (TEST_ELASTICSEARCH_URL; auth from
 * ELASTICSEARCH_API_KEY or ELASTICSEARCH_USERNAME/PASSWORD). The simulator's tenant, collected to NDJSON,
 * is loaded into data streams of a fresh namespace (`_bulk?pipeline=_none`, ids kept), then the report read
 * from the cluster must equal the report read from the NDJSON files. The data streams are deleted afterwards.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, type ClientOptions } from '@elastic/elasticsearch';
import { runPostureReport } from '../src';
import { collectTenant, DAY, defaultParameters } from './tenant-fixture';

const url = process.env['TEST_ELASTICSEARCH_URL'];
if (url === undefined || url === '')
  console.log(
    'elasticsearch.real.test: skipped — set TEST_ELASTICSEARCH_URL to read the report from a real cluster',
  );
const maybe = url === undefined || url === '' ? describe.skip : describe;

maybe('report posture from a real Elasticsearch (opt-in)', () => {
  it('reads the same findings from the cluster as from the NDJSON files', async () => {
    const options: ClientOptions = { node: url ?? '' };
    const apiKey = process.env['ELASTICSEARCH_API_KEY'];
    const username = process.env['ELASTICSEARCH_USERNAME'];
    if (apiKey !== undefined) options.auth = { apiKey };
    else if (username !== undefined)
      options.auth = { username, password: process.env['ELASTICSEARCH_PASSWORD'] ?? '' };
    const client = new Client(options);
    const tenant = await collectTenant({ events: 2_000 });
    const namespace = `report${Date.now().toString(36)}`;
    const out = mkdtempSync(join(tmpdir(), 'lpe-report-real-'));
    const streams = ['user', 'detailed_shared_folder', 'event_report'] as const;
    try {
      for (const stream of streams) {
        const lines = readFileSync(join(tenant.dir, `lastpass_enterprise.${stream}-default.ndjson`), 'utf8')
          .trim()
          .split('\n');
        const operations = lines.flatMap((line) => {
          const doc = JSON.parse(line) as { event: { id: string }; data_stream: { namespace: string } };
          doc.data_stream.namespace = namespace;
          return [
            { create: { _index: `logs-lastpass_enterprise.${stream}-${namespace}`, _id: doc.event.id } },
            doc,
          ];
        });
        const answer = await client.bulk({ operations, pipeline: '_none', refresh: 'wait_for' });
        expect(answer.errors).toBe(false);
      }
      const parameters = {
        ...defaultParameters,
        from: '2024-08-01T00:00:00.000Z',
        to: '2024-11-15T00:00:00.000Z',
      };
      const fromFiles = await runPostureReport({
        input: { kind: 'ndjson', inputDir: tenant.dir, stateDir: tenant.stateDir },
        parameters,
        outDir: join(out, 'ndjson'),
        now: () => new Date(),
      });
      const fromCluster = await runPostureReport({
        input: {
          kind: 'elasticsearch',
          client,
          url: url ?? '',
          usersIndex: `logs-lastpass_enterprise.user-${namespace}`,
          foldersIndex: `logs-lastpass_enterprise.detailed_shared_folder-${namespace}`,
          eventsIndex: `logs-lastpass_enterprise.event_report-${namespace}`,
          snapshotSettle: '5m',
          snapshotSettleMs: 300_000,
          now: () => tenant.secondAt + DAY,
        },
        parameters,
        outDir: join(out, 'es'),
        now: () => new Date(),
      });
      const a = fromCluster.report.accounts[0];
      const b = fromFiles.report.accounts[0];
      expect(a?.findings).toEqual(b?.findings);
      expect(a?.summary).toEqual(b?.summary);
      expect(a?.coverage.events_per_day).toEqual(b?.coverage.events_per_day);
    } finally {
      for (const stream of streams)
        await client.indices
          .deleteDataStream({ name: `logs-lastpass_enterprise.${stream}-${namespace}` })
          .catch(() => undefined);
      await client.close();
      await tenant.sim.close();
      rmSync(tenant.dir, { recursive: true, force: true });
      rmSync(out, { recursive: true, force: true });
    }
  }, 180_000);
});
