import { Client, errors } from '@elastic/elasticsearch';
import { startFakeElasticsearch, type FakeElasticsearch } from '../../src';

const NOW = new Date('2024-03-10T08:08:00.000Z');

const TRANSFORM = {
  source: { index: ['logs-demo.users-*'] },
  dest: {
    index: 'logs-demo_latest.dest_users-1',
    aliases: [{ alias: 'logs-demo_latest.users', move_on_creation: true }],
  },
  latest: { unique_key: ['user.id'], sort: '@timestamp' },
  frequency: '5m',
  sync: { time: { field: 'event.ingested', delay: '120s' } },
  settings: { unattended: true, deduce_mappings: false },
  _meta: { managed: true },
};
/** Like Fleet's destination template: priority above the stack's `logs` data-stream template, no data_stream. */
const DEST_TEMPLATE = {
  index_patterns: ['logs-demo_latest.dest_users-*'],
  priority: 250,
  template: { mappings: { dynamic: false, properties: { 'user.id': { type: 'keyword' } } } },
};

async function status(promise: Promise<unknown>): Promise<number> {
  try {
    await promise;
    return 200;
  } catch (error) {
    if (error instanceof errors.ResponseError) return error.statusCode ?? 0;
    throw error;
  }
}

describe('fake Elasticsearch: _transform and aliases (a stand-in: transforms never run)', () => {
  let fake: FakeElasticsearch;
  let client: Client;
  beforeEach(async () => {
    fake = await startFakeElasticsearch({ now: () => NOW });
    client = new Client({ node: fake.url });
  });
  afterEach(async () => {
    await client.close();
    await fake.close();
  });

  it('stores a transform, echoes it on GET with id/version/create_time, and 404s an unknown id', async () => {
    await client.transform.putTransform({ transform_id: 'demo-users', defer_validation: true, ...TRANSFORM });
    const got = await client.transform.getTransform({ transform_id: 'demo-users' });
    expect(got.count).toBe(1);
    expect(got.transforms[0]).toMatchObject({
      id: 'demo-users',
      version: '8.17.0',
      create_time: NOW.getTime(),
      ...TRANSFORM,
    });
    expect((await client.transform.getTransform({ transform_id: 'demo-*' })).count).toBe(1);
    expect((await client.transform.getTransform({ transform_id: 'other-*' })).count).toBe(0);
    expect(await status(client.transform.getTransform({ transform_id: 'missing' }))).toBe(404);
    expect(await status(client.transform.putTransform({ transform_id: 'demo-users', ...TRANSFORM }))).toBe(
      409,
    );
  });

  it('refuses what Elasticsearch refuses: ids over 64 characters or with capitals, unknown fields, two functions', async () => {
    const refused = async (id: string, body: object): Promise<string> => {
      const res = await fetch(`${fake.url}/_transform/${id}`, {
        method: 'PUT',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      expect(res.status).toBe(400);
      return ((await res.json()) as { error: { reason: string } }).error.reason;
    };
    expect(await refused('x'.repeat(65), TRANSFORM)).toContain('cannot contain more than 64 characters');
    expect(await refused('Demo', TRANSFORM)).toContain('Invalid transform_id');
    expect(await refused('demo', { ...TRANSFORM, extra: 1 })).toContain('unknown field [extra]');
    expect(await refused('demo', { ...TRANSFORM, pivot: {} })).toContain('exactly one of [pivot, latest]');
    expect(fake.cluster.transforms.size).toBe(0);
  });

  it('knows which settings each version accepts (unattended 8.5, deduce_mappings 8.1, dest.aliases 8.8)', async () => {
    const old = await startFakeElasticsearch({ version: '8.4.3' });
    try {
      const put = (body: object): Promise<Response> =>
        fetch(`${old.url}/_transform/demo`, {
          method: 'PUT',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(body),
        });
      const unattended = await put(TRANSFORM);
      expect(unattended.status).toBe(400);
      expect(await unattended.text()).toContain('unknown field [unattended]');
      const aliases = await put({ ...TRANSFORM, settings: { deduce_mappings: false } });
      expect(await aliases.text()).toContain('unknown field [aliases]');
      expect(
        (await put({ ...TRANSFORM, settings: { deduce_mappings: false }, dest: { index: 'd' } })).status,
      ).toBe(200);
    } finally {
      await old.close();
    }
  });

  it('start creates the destination index from the highest-priority template and moves the alias to it', async () => {
    await client.indices.putIndexTemplate({ name: 'logs-demo.users-template', ...DEST_TEMPLATE });
    fake.cluster.createIndex('logs-demo_latest.dest_users-0');
    fake.cluster.addAlias('logs-demo_latest.users', 'logs-demo_latest.dest_users-0');
    await client.transform.putTransform({ transform_id: 'demo-users', ...TRANSFORM });
    await client.transform.startTransform({ transform_id: 'demo-users' });
    const index = fake.cluster.indices.get('logs-demo_latest.dest_users-1');
    expect(index?.dataStream).toBeUndefined();
    expect(index?.mappings).toMatchObject({ dynamic: false });
    expect(index?.settings['index.number_of_shards']).toBe('1');
    expect(await client.indices.getAlias({ name: 'logs-demo_latest.users' })).toEqual({
      'logs-demo_latest.dest_users-1': { aliases: { 'logs-demo_latest.users': {} } },
    });
    expect(await status(client.indices.getAlias({ name: 'missing' }))).toBe(404);
    // Reads through the alias reach the destination index; a write to a single-index alias lands there.
    const bulk = await client.bulk({
      operations: [{ index: { _index: 'logs-demo_latest.users', _id: 'u1' } }, { user: { id: 'u1' } }],
    });
    expect(bulk.errors).toBe(false);
    expect((await client.count({ index: 'logs-demo_latest.users' })).count).toBe(1);
    expect(
      (await client.transform.getTransformStats({ transform_id: 'demo-users' })).transforms[0]?.state,
    ).toBe('started');
    expect(await status(client.transform.startTransform({ transform_id: 'demo-users' }))).toBe(409);
    expect(await status(client.transform.deleteTransform({ transform_id: 'demo-users' }))).toBe(409);
    await client.transform.stopTransform({ transform_id: 'demo-users', force: true });
    await client.transform.deleteTransform({ transform_id: 'demo-users', force: true });
    expect(fake.cluster.transforms.size).toBe(0);
    expect(fake.cluster.indices.has('logs-demo_latest.dest_users-1')).toBe(true); // kept by default
  });

  it('runLatestTransform (a test hook) writes one row per unique key, the newest by sort, honouring the source query', async () => {
    await client.indices.putIndexTemplate({ name: 'logs-demo.users-template', ...DEST_TEMPLATE });
    await client.transform.putTransform({
      transform_id: 'demo-users',
      ...TRANSFORM,
      source: {
        index: ['logs-demo.users-*'],
        query: { bool: { filter: [{ term: { 'event.kind': 'state' } }] } },
      },
    });
    expect(() => fake.runLatestTransform('demo-users')).toThrow('has not been started');
    await client.transform.startTransform({ transform_id: 'demo-users' });
    const doc = (id: string | undefined, at: string, kind = 'state') => ({
      '@timestamp': at,
      event: { kind },
      ...(id === undefined ? {} : { user: { id } }),
    });
    await client.bulk({
      refresh: true,
      operations: [
        doc('u1', '2024-01-01T00:00:00Z'),
        doc('u1', '2024-01-02T00:00:00Z'),
        doc('u2', '2024-01-01T00:00:00Z'),
        doc('u2', '2024-01-03T00:00:00Z', 'pipeline_error'),
        doc(undefined, '2024-01-01T00:00:00Z'),
      ].flatMap((d) => [{ create: { _index: 'logs-demo.users-default' } }, d]),
    });
    expect(fake.runLatestTransform('demo-users')).toBe(3);
    const rows = [...fake.documents('logs-demo_latest.dest_users-1').values()].map((r) => [
      (r['user'] as { id?: string } | undefined)?.id ?? null,
      r['@timestamp'],
    ]);
    expect(rows.sort()).toEqual([
      [null, '2024-01-01T00:00:00Z'],
      ['u1', '2024-01-02T00:00:00Z'],
      ['u2', '2024-01-01T00:00:00Z'],
    ]);
    expect(fake.runLatestTransform('demo-users')).toBe(3); // same ids: rows replaced, not added
    expect(fake.documents('logs-demo_latest.dest_users-1').size).toBe(3);
  });

  it("refuses to start when the destination would match a data-stream template (the stack's logs-*-*)", async () => {
    await client.transform.putTransform({ transform_id: 'demo-users', ...TRANSFORM });
    const res = await fetch(`${fake.url}/_transform/demo-users/_start`, { method: 'POST' });
    expect(res.status).toBe(400);
    expect(await res.text()).toContain('creates data streams only');
    expect(fake.cluster.transforms.get('demo-users')?.state).toBe('stopped');
  });
});
