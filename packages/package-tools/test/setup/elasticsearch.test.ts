import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import {
  applyFleetFinalPipeline,
  createExecutor,
  loadPackagePipelines,
  startFakeElasticsearch,
  type FakeElasticsearch,
} from '@lastpass-elastic/ingest';
import { loadPackage } from '@lastpass-elastic/package-model';
import { endpointFromEnv, planAssets, setupElasticsearch, type SetupPlan } from '../../src';

const ROOT = resolve(__dirname, '../../../..');
const NOW = new Date('2024-06-01T00:00:00Z');

/** A copy of the package with another manifest version (for upgrade/downgrade runs). */
function planWithVersion(version: string): { plan: SetupPlan; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'lpe-setup-'));
  for (const entry of ['manifest.yml', 'changelog.yml', 'data_stream'])
    cpSync(join(ROOT, entry), join(dir, entry), { recursive: true });
  const manifest = readFileSync(join(dir, 'manifest.yml'), 'utf8').replace(
    /^version: .*$/m,
    `version: ${version}`,
  );
  writeFileSync(join(dir, 'manifest.yml'), manifest);
  return {
    plan: planAssets(loadPackage(dir)),
    cleanup: () => {
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

describe('setup --elasticsearch against the fake Elasticsearch', () => {
  const plan = planAssets(loadPackage(ROOT));
  let fake: FakeElasticsearch;
  beforeEach(async () => {
    fake = await startFakeElasticsearch({ now: () => NOW, auth: { apiKey: 'a2V5OnNlY3JldA==' } });
  });
  afterEach(async () => {
    await fake.close();
  });
  const endpoint = () =>
    endpointFromEnv('Elasticsearch', '--elasticsearch', fake.url, {
      ELASTICSEARCH_API_KEY: 'a2V5OnNlY3JldA==',
    });

  it('creates pipelines, component and index templates for the three streams; a second run only reads', async () => {
    const first = await setupElasticsearch(endpoint(), plan);
    expect(first.changed).toBe(true);
    const names = plan.streams.map((s) => s.stream).sort();
    expect(names).toEqual(['detailed_shared_folder', 'event_report', 'user']);
    for (const stream of plan.streams) {
      for (const p of stream.pipelines) expect(fake.pipelines.get(p.name)).toEqual(p.body);
      expect(fake.indexTemplates.has(`logs-lastpass_enterprise.${stream.stream}`)).toBe(true);
      expect(fake.componentTemplates.has(`logs-lastpass_enterprise.${stream.stream}@package`)).toBe(true);
      expect(fake.componentTemplates.has(`logs-lastpass_enterprise.${stream.stream}@custom`)).toBe(true);
    }
    expect(fake.componentTemplates.has('lastpass_enterprise@custom')).toBe(true);
    // Exact writes: pipelines before templates, @custom created with ?create=true, every call authenticated.
    const writes = fake.requests.filter((r) => r.method !== 'GET').map((r) => `${r.method} ${r.path}`);
    expect(writes).toEqual(
      plan.streams
        .flatMap((s) => [
          ...s.pipelines.map((p) => `PUT /_ingest/pipeline/${p.name}`),
          `PUT /_component_template/${encodeURIComponent(s.packageComponent.name)}`,
          ...(s.stream === plan.streams[0]!.stream
            ? [`PUT /_component_template/${encodeURIComponent('lastpass_enterprise@custom')}?create=true`]
            : []),
          `PUT /_component_template/${encodeURIComponent(`logs-lastpass_enterprise.${s.stream}@custom`)}?create=true`,
          `PUT /_index_template/logs-lastpass_enterprise.${s.stream}`,
        ])
        .concat(
          // then the transforms, as Fleet installs them (test/setup/transforms.test.ts has the details)
          plan.transforms.flatMap((t) => [
            `PUT /_component_template/${encodeURIComponent(t.packageComponent.name)}`,
            `PUT /_index_template/${t.indexTemplate.name}`,
            `PUT /_transform/${t.id}?defer_validation=true`,
            `POST /_transform/${t.id}/_start`,
          ]),
        ),
    );
    expect(fake.requests.every((r) => r.headers['authorization'] === 'ApiKey a2V5OnNlY3JldA==')).toBe(true);
    const put = fake.requests.find(
      (r) => r.method === 'PUT' && r.path === '/_index_template/logs-lastpass_enterprise.user',
    );
    expect(put?.headers['content-type']).toBe('application/json');
    expect(JSON.parse(put?.body ?? '{}')).toEqual(
      plan.streams.find((s) => s.stream === 'user')?.indexTemplate.body,
    );

    fake.requests.length = 0;
    const second = await setupElasticsearch(endpoint(), plan);
    expect(second.changed).toBe(false);
    expect(second.changes.every((c) => c.action === 'unchanged')).toBe(true);
    expect(fake.requests.filter((r) => r.method !== 'GET')).toEqual([]);
  });

  it("indexes documents exactly as the executor plus Fleet final steps produce them (the NDJSON sink's output)", async () => {
    const plain = await startFakeElasticsearch({ builtins: false, now: () => NOW });
    try {
      await setupElasticsearch(endpointFromEnv('Elasticsearch', '--elasticsearch', plain.url, {}), plan);
      const pkg = loadPackage(ROOT);
      const executor = createExecutor({ pipelines: loadPackagePipelines(pkg), now: () => NOW });
      for (const ds of pkg.dataStreams) {
        const dir = join(ds.dir, '_dev', 'test', 'pipeline');
        const file = readdirSync(dir).find(
          (f) => /^test-[^.]*\.json$/.test(f) && !f.endsWith('-expected.json'),
        )!;
        const events = (
          JSON.parse(readFileSync(join(dir, file), 'utf8')) as { events: Record<string, unknown>[] }
        ).events;
        // The same first event again, tagged preserve_original_event, into another namespace (same _id).
        const batches: [string, Record<string, unknown>[]][] = [
          [`logs-${ds.dataset}-default`, events],
          [`logs-${ds.dataset}-preserve`, [{ ...events[0]!, tags: ['preserve_original_event'] }]],
        ];
        const entry = plan.streams.find((s) => s.stream === ds.name)!.entryPipeline;
        let compared = 0;
        for (const [index, docs] of batches) {
          const body =
            docs
              .flatMap((d) => [JSON.stringify({ create: { _index: index } }), JSON.stringify(d)])
              .join('\n') + '\n';
          await fetch(`${plain.url}/_bulk`, {
            method: 'POST',
            headers: { 'content-type': 'application/x-ndjson' },
            body,
          });
          const stored = plain.documents(index);
          for (const doc of docs) {
            const result = executor.process(entry, { _index: index, _source: doc });
            if (result.kind !== 'indexed' || result._id === undefined) continue;
            const expected = applyFleetFinalPipeline(result._source, { now: NOW });
            expect(stored.get(result._id)).toEqual(expected);
            if (index.endsWith('-preserve'))
              expect((expected['event'] as Record<string, unknown>)['original']).toBeDefined();
            compared += 1;
          }
        }
        expect(compared).toBeGreaterThan(1);
      }
    } finally {
      await plain.close();
    }
  });

  it('installs the same way on Elasticsearch 9.x', async () => {
    const nine = await startFakeElasticsearch({ version: '9.1.0' });
    try {
      const result = await setupElasticsearch(
        endpointFromEnv('Elasticsearch', '--elasticsearch', nine.url, {}),
        plan,
      );
      expect(result.clusterVersion).toBe('9.1.0');
      // the built-in `logs` plus ours (one per stream, one per transform destination)
      expect(nine.indexTemplates.size).toBe(1 + plan.streams.length + plan.transforms.length);
      expect(nine.cluster.transforms.size).toBe(plan.transforms.length);
    } finally {
      await nine.close();
    }
  });

  it('never overwrites a user @custom hook', async () => {
    const custom = { template: { settings: { index: { number_of_replicas: 3 } } } };
    fake.componentTemplates.set('logs-lastpass_enterprise.user@custom', custom);
    await setupElasticsearch(endpoint(), plan);
    expect(fake.componentTemplates.get('logs-lastpass_enterprise.user@custom')).toEqual(custom);
  });

  it('upgrades: new pipelines before the switch, data streams moved to the new default pipeline, old pipelines removed once unused', async () => {
    const older = planWithVersion('0.0.9');
    try {
      await setupElasticsearch(endpoint(), older.plan);
      const client = fake.cluster;
      client.createDataStream('logs-lastpass_enterprise.user-default');
      const result = await setupElasticsearch(endpoint(), plan);
      expect(result.previous['user']).toBe('0.0.9');
      const user = plan.streams.find((s) => s.stream === 'user')!;
      const index = client.dataStreams.get('logs-lastpass_enterprise.user-default')!.indices[0]!;
      expect(index.settings['index.default_pipeline']).toBe(user.entryPipeline);
      expect(result.changes).toContainEqual({
        kind: 'data_stream',
        name: 'logs-lastpass_enterprise.user-default',
        action: 'switched',
        detail: `index.default_pipeline = ${user.entryPipeline}, index.final_pipeline = ${user.finalPipeline}`,
      });
      expect(result.changes).toContainEqual({
        kind: 'pipeline',
        name: 'logs-lastpass_enterprise.user-0.0.9',
        action: 'deleted',
        detail: 'previous package version',
      });
      expect([...fake.pipelines.keys()].filter((n) => n.includes('0.0.9'))).toEqual([]);
      // the switch came after the new pipeline existed
      const order = fake.requests.map((r) => `${r.method} ${r.path}`);
      expect(order.indexOf(`PUT /_ingest/pipeline/${user.entryPipeline}`)).toBeLessThan(
        order.indexOf('PUT /logs-lastpass_enterprise.user-default/_settings'),
      );
    } finally {
      older.cleanup();
    }
  });

  it('refuses a downgrade (nothing written) unless forced', async () => {
    const newer = planWithVersion('9.0.0');
    try {
      await setupElasticsearch(endpoint(), newer.plan);
      fake.requests.length = 0;
      await expect(setupElasticsearch(endpoint(), plan)).rejects.toMatchObject({
        code: 'SETUP_DOWNGRADE_REFUSED',
        message: expect.stringContaining('refusing to downgrade to'),
      });
      expect(fake.requests.filter((r) => r.method !== 'GET')).toEqual([]);
      const forced = await setupElasticsearch(endpoint(), plan, { force: true });
      expect(forced.changed).toBe(true);
    } finally {
      newer.cleanup();
    }
  });

  it('refuses templates Fleet manages', async () => {
    fake.indexTemplates.set('logs-lastpass_enterprise.user', {
      index_patterns: ['logs-lastpass_enterprise.user-*'],
      _meta: { managed_by: 'fleet', package: { name: 'lastpass_enterprise', version: '0.1.0' } },
    });
    await expect(setupElasticsearch(endpoint(), plan)).rejects.toMatchObject({
      message: expect.stringContaining('managed by Fleet'),
    });
  });

  it('explains 401, an unreachable cluster and an older Elasticsearch in one line', async () => {
    const wrong = endpointFromEnv('Elasticsearch', '--elasticsearch', fake.url, {
      ELASTICSEARCH_USERNAME: 'elastic',
      ELASTICSEARCH_PASSWORD: 'hunter2',
    });
    const error: unknown = await setupElasticsearch(wrong, plan).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'SETUP_AUTH_FAILED' });
    expect((error as Error).message).not.toContain('hunter2');
    const old = await startFakeElasticsearch({ version: '8.15.0' });
    try {
      const e = endpointFromEnv('Elasticsearch', '--elasticsearch', old.url, {});
      await expect(setupElasticsearch(e, plan)).rejects.toMatchObject({ code: 'SETUP_UNSUPPORTED_VERSION' });
    } finally {
      await old.close();
    }
    await fake.faults.outage();
    await expect(setupElasticsearch(endpoint(), plan)).rejects.toMatchObject({
      code: 'SETUP_UNREACHABLE',
      message: expect.stringContaining('ECONNREFUSED'),
    });
  });

  it('rejects bad auth configuration as a usage error naming the variable', () => {
    expect(() => endpointFromEnv('Elasticsearch', '--elasticsearch', 'ftp://x', {})).toThrow(
      '--elasticsearch: expected an http(s) URL',
    );
    expect(() =>
      endpointFromEnv('Elasticsearch', '--elasticsearch', 'http://x', { ELASTICSEARCH_USERNAME: 'u' }),
    ).toThrow('ELASTICSEARCH_PASSWORD (or ELASTICSEARCH_PASSWORD_FILE): required');
    expect(() =>
      endpointFromEnv('Elasticsearch', '--elasticsearch', 'http://x', {
        ELASTICSEARCH_API_KEY_FILE: '/nonexistent/key',
      }),
    ).toThrow('ELASTICSEARCH_API_KEY_FILE: cannot read the file named by ELASTICSEARCH_API_KEY_FILE');
    expect(() => endpointFromEnv('Elasticsearch', '--elasticsearch', 'http://u:p@x', {})).toThrow(
      'not in the URL',
    );
  });
});
