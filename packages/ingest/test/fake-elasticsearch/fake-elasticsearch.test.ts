import { createHash } from 'node:crypto';
import { Client } from '@elastic/elasticsearch';
import { startFakeElasticsearch, type FakeElasticsearch } from '../../src';

const NOW = new Date('2024-03-10T08:08:00.000Z');

/** Loosely typed JSON for assertions (any key may be read; a missing one fails the expectation). */
type Keys =
  | '0'
  | '1'
  | '4'
  | 'version'
  | 'number'
  | 'error'
  | 'type'
  | 'reason'
  | 'caused_by'
  | 'index_templates'
  | 'index_template'
  | 'data_stream'
  | 'template'
  | 'settings'
  | 'items'
  | 'create'
  | 'status'
  | 'hits'
  | 'total'
  | 'value'
  | '_id'
  | 'new_index'
  | 'count'
  | 'tagline';
type Json = { [key: string]: Json | undefined } & { [K in Keys]: Json };
const list = (value: Json): Json[] => value as unknown as Json[];

interface Reply {
  status: number;
  headers: Headers;
  body: Json;
}

async function call(
  fake: FakeElasticsearch,
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<Reply> {
  const text = body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body);
  const res = await fetch(`${fake.url}${path}`, {
    method,
    headers: { 'content-type': 'application/json', ...headers },
    ...(text === undefined ? {} : { body: text }),
  });
  const raw = await res.text();
  return { status: res.status, headers: res.headers, body: (raw === '' ? {} : JSON.parse(raw)) as Json };
}

function ndjson(lines: unknown[]): string {
  return lines.map((l) => JSON.stringify(l)).join('\n') + '\n';
}

/** A pipeline that makes the id from `message` and a dataset constant, like our package pipelines do. */
const PIPELINE = {
  processors: [
    { set: { tag: 'set_id', field: '_id', value: '{{{message}}}' } },
    { set: { tag: 'set_kind', field: 'event.kind', value: 'event' } },
  ],
};
const TEMPLATE = {
  index_patterns: ['logs-demo.events-*'],
  priority: 200,
  data_stream: {},
  composed_of: ['logs@mappings', 'logs@settings', 'logs-demo.events@package', 'logs-demo.events@custom'],
  ignore_missing_component_templates: ['logs-demo.events@custom'],
  template: { settings: { index: { default_pipeline: 'logs-demo.events-1.0.0' } } },
};
const PACKAGE_COMPONENT = {
  template: {
    settings: { index: { mapping: { ignore_malformed: false } } },
    mappings: {
      properties: {
        count: { type: 'long' },
        source: { properties: { ip: { type: 'ip' } } },
        event: {
          properties: {
            kind: { type: 'keyword' },
            dataset: { type: 'constant_keyword', value: 'demo.events' },
          },
        },
      },
    },
  },
};

async function installDemo(fake: FakeElasticsearch): Promise<void> {
  expect((await call(fake, 'PUT', '/_ingest/pipeline/logs-demo.events-1.0.0', PIPELINE)).status).toBe(200);
  expect(
    (await call(fake, 'PUT', '/_component_template/logs-demo.events@package', PACKAGE_COMPONENT)).status,
  ).toBe(200);
  expect((await call(fake, 'PUT', '/_index_template/logs-demo.events', TEMPLATE)).status).toBe(200);
}

describe('fake Elasticsearch', () => {
  let fake: FakeElasticsearch;
  beforeEach(async () => {
    fake = await startFakeElasticsearch({ now: () => NOW });
  });
  afterEach(async () => {
    await fake.close();
  });

  it('answers GET / with the version and the product header the official client checks', async () => {
    const reply = await call(fake, 'GET', '/');
    expect(reply.status).toBe(200);
    expect(reply.headers.get('x-elastic-product')).toBe('Elasticsearch');
    expect(reply.body.version.number).toBe('8.17.0');
    expect(reply.body.tagline).toBe('You Know, for Search');
    expect(fake.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  });

  it('works with the official @elastic/elasticsearch 8 client (info, bulk, count)', async () => {
    await installDemo(fake);
    const client = new Client({ node: fake.url });
    const info = await client.info();
    expect(info.version.number).toBe('8.17.0');
    const bulk = await client.bulk({
      operations: [
        { create: { _index: 'logs-demo.events-default' } },
        { '@timestamp': '2024-03-10T08:00:00Z', message: 'a' },
      ],
    });
    expect(bulk.errors).toBe(false);
    expect(bulk.items[0]?.create?.status).toBe(201);
    expect((await client.count({ index: 'logs-demo.events-default' })).count).toBe(1);
    expect(fake.requests.map((r) => `${r.method} ${r.path.split('?')[0] ?? ''}`)).toEqual([
      'PUT /_ingest/pipeline/logs-demo.events-1.0.0',
      'PUT /_component_template/logs-demo.events@package',
      'PUT /_index_template/logs-demo.events',
      'GET /',
      'POST /_bulk',
      'GET /logs-demo.events-default/_count',
    ]);
    expect(fake.requests[3]?.headers['accept']).toContain('compatible-with=8');
    await client.close();
  });

  it('honours filter_path on answers, as Elasticsearch does (the collector asks for statuses only)', async () => {
    await installDemo(fake);
    const client = new Client({ node: fake.url });
    const operations = [
      { create: { _index: 'logs-demo.events-default', _id: 'one' } },
      { '@timestamp': '2024-03-10T08:00:00Z', message: 'a' },
    ];
    await client.bulk({ operations });
    const again = await client.bulk({ operations, filter_path: 'errors,items.*.status,items.*.error.type' });
    expect(again).toEqual({
      errors: true,
      items: [{ create: { status: 409, error: { type: 'version_conflict_engine_exception' } } }],
    });
    const info = await call(fake, 'GET', '/?filter_path=version.number');
    expect(info.body).toEqual({ version: { number: '8.17.0' } });
    await client.close();
  });

  it("bulkMode 'acknowledge' stores source lines unparsed under their SHA-1, 409 for a repeat, no pipeline", async () => {
    const ack = await startFakeElasticsearch({ now: () => NOW, bulkMode: 'acknowledge' });
    try {
      await installDemo(ack);
      const client = new Client({ node: ack.url });
      const line = { message: 'not run through any pipeline' };
      const operations = [
        { create: { _index: 'logs-demo.events-default' } },
        line,
        { create: { _index: 'logs-demo.events-default' } },
        { message: 'another' },
        { create: { _index: 'bad*name' } },
        line,
      ];
      const first = await client.bulk({ operations });
      expect(first.items.map((i) => i.create?.status)).toEqual([201, 201, 400]);
      expect(first.errors).toBe(true);
      expect(first.items[2]?.create?.error?.type).toBe('invalid_index_name_exception');
      const again = await client.bulk({ operations: operations.slice(0, 2) });
      expect(again.items[0]?.create?.status).toBe(409);
      expect(again.items[0]?.create?._id).toBe(
        createHash('sha1').update(JSON.stringify(line)).digest('base64url'),
      );
      expect(ack.documents('logs-demo.events-default').size).toBe(2);
      await client.close();
    } finally {
      await ack.close();
    }
  });

  it('refuses compatible-with=9 on an 8.x version and accepts it on 9.x, as Elasticsearch does', async () => {
    const headers = { accept: 'application/vnd.elasticsearch+json; compatible-with=9' };
    const refused = await call(fake, 'GET', '/', undefined, headers);
    expect(refused.status).toBe(400);
    expect(refused.body.error.type).toBe('media_type_header_exception');
    const nine = await startFakeElasticsearch({ version: '9.1.0' });
    try {
      const accepted = await call(nine, 'GET', '/', undefined, headers);
      expect(accepted.status).toBe(200);
      expect(accepted.body.version.number).toBe('9.1.0');
      expect(accepted.headers.get('content-type')).toBe(
        'application/vnd.elasticsearch+json;compatible-with=9',
      );
    } finally {
      await nine.close();
    }
  });

  it('stores, lists and deletes pipelines; refuses one the executor cannot compile', async () => {
    await call(fake, 'PUT', '/_ingest/pipeline/p1', PIPELINE);
    expect((await call(fake, 'GET', '/_ingest/pipeline/p1')).body).toEqual({ p1: PIPELINE });
    expect((await call(fake, 'GET', '/_ingest/pipeline/nope')).status).toBe(404);
    const bad = await call(fake, 'PUT', '/_ingest/pipeline/bad', { processors: [{ no_such_processor: {} }] });
    expect(bad.status).toBe(400);
    expect(fake.pipelines.has('bad')).toBe(false);
    expect((await call(fake, 'PUT', '/_ingest/pipeline/bad', { description: 'x' })).body.error.type).toBe(
      'parse_exception',
    );
    expect((await call(fake, 'DELETE', '/_ingest/pipeline/p1')).body).toEqual({ acknowledged: true });
    expect((await call(fake, 'DELETE', '/_ingest/pipeline/p1')).status).toBe(404);
  });

  it('validates templates like Elasticsearch: create=true, missing components, equal-priority overlap', async () => {
    expect(
      (await call(fake, 'PUT', '/_component_template/c@custom?create=true', { template: {} })).status,
    ).toBe(200);
    const again = await call(fake, 'PUT', '/_component_template/c@custom?create=true', {
      template: { settings: {} },
    });
    expect(again.status).toBe(400);
    expect(again.body.error.reason).toBe('component template [c@custom] already exists');
    const missing = await call(fake, 'PUT', '/_index_template/t', {
      index_patterns: ['x-*'],
      composed_of: ['nope'],
    });
    expect(missing.body.error.type).toBe('invalid_index_template_exception');
    const overlap = await call(fake, 'PUT', '/_index_template/t', {
      index_patterns: ['logs-a-*'],
      priority: 100,
    });
    expect(overlap.status).toBe(400);
    expect(overlap.body.error.reason).toContain('matching patterns from existing templates [logs]');
    await installDemo(fake);
    const got = await call(fake, 'GET', '/_index_template/logs-demo.events');
    expect(got.body.index_templates[0].index_template.data_stream).toEqual({
      hidden: false,
      allow_custom_routing: false,
    });
    expect(got.body.index_templates[0].index_template.template.settings).toEqual({
      index: { default_pipeline: 'logs-demo.events-1.0.0' },
    });
    expect((await call(fake, 'GET', '/_component_template/none')).status).toBe(404);
  });

  it('bulk-creates into a data stream through default_pipeline; the pipeline makes the _id; a repeat is 409', async () => {
    await installDemo(fake);
    const body = ndjson([
      { create: { _index: 'logs-demo.events-default' } },
      { '@timestamp': '2024-03-10T08:00:00Z', message: 'one', count: 3 },
      { create: { _index: 'logs-demo.events-default' } },
      { '@timestamp': '2024-03-10T08:00:01Z', message: 'two' },
    ]);
    const first = await call(fake, 'POST', '/_bulk', body, { 'content-type': 'application/x-ndjson' });
    expect(first.body.errors).toBe(false);
    expect(first.body.items[0]).toEqual({
      create: {
        _index: '.ds-logs-demo.events-default-2024.03.10-000001',
        _id: 'one',
        _version: 1,
        result: 'created',
        _shards: { total: 2, successful: 1, failed: 0 },
        _seq_no: 0,
        _primary_term: 1,
        status: 201,
      },
    });
    expect(fake.dataStreamNames()).toEqual(['logs-demo.events-default']);
    expect(fake.documents('logs-demo.events-default').get('two')).toEqual({
      '@timestamp': '2024-03-10T08:00:01Z',
      message: 'two',
      event: { kind: 'event' },
    });
    const second = await call(fake, 'POST', '/_bulk', body);
    expect(second.body.errors).toBe(true);
    expect(list(second.body.items).map((i) => i.create.status)).toEqual([409, 409]);
    expect(second.body.items[0].create.error).toMatchObject({
      type: 'version_conflict_engine_exception',
      reason: '[one]: version conflict, document already exists (current version [1])',
    });
    expect((await call(fake, 'GET', '/logs-demo.events-default/_count')).body.count).toBe(2);
    const doc = await call(fake, 'GET', '/logs-demo.events-default/_doc/one');
    expect(doc.body).toMatchObject({ found: true, _id: 'one', _source: { message: 'one', count: 3 } });
    const search = await call(fake, 'POST', '/logs-demo.*/_search', {
      query: { term: { message: 'two' } },
      size: 5,
    });
    expect(search.body.hits.total.value).toBe(1);
    expect(search.body.hits.hits[0]._id).toBe('two');
    const rolled = await call(fake, 'POST', '/logs-demo.events-default/_rollover');
    expect(rolled.body.new_index).toBe('.ds-logs-demo.events-default-2024.03.10-000002');
    const afterRollover = await call(fake, 'POST', '/_bulk', body);
    expect(afterRollover.body.errors).toBe(false); // ids are unique per backing index only
  });

  it('answers item errors the way Elasticsearch does: op type, @timestamp, mapping, constant_keyword, pipeline', async () => {
    await installDemo(fake);
    const index = { _index: 'logs-demo.events-default' };
    const reply = await call(
      fake,
      'POST',
      '/_bulk',
      ndjson([
        { index },
        { '@timestamp': '2024-03-10T08:00:00Z', message: 'op' },
        { create: index },
        { message: 'no-timestamp' },
        { create: index },
        { '@timestamp': '2024-03-10T08:00:00Z', message: 'long', count: 'many' },
        { create: index },
        { '@timestamp': '2024-03-10T08:00:00Z', message: 'ip', source: { ip: 'not-an-ip' } },
        { create: index },
        { '@timestamp': '2024-03-10T08:00:00Z', message: 'const', event: { dataset: 'other' } },
        { create: index },
        { '@timestamp': '2024-03-10T08:00:00Z', message: 'obj', source: 'flat' },
        { create: { ...index, pipeline: 'missing' } },
        { '@timestamp': '2024-03-10T08:00:00Z', message: 'pipe' },
      ]),
    );
    const items = list(reply.body.items).map((i) => {
      const r = Object.values(i)[0] as Json;
      return [r.status, r.error.type];
    });
    expect(items).toEqual([
      [400, 'illegal_argument_exception'],
      [400, 'document_parsing_exception'],
      [400, 'document_parsing_exception'],
      [400, 'document_parsing_exception'],
      [400, 'document_parsing_exception'],
      [400, 'document_parsing_exception'],
      [400, 'illegal_argument_exception'],
    ]);
    expect(reply.body.items[4].create.error.caused_by.reason).toContain(
      'only accepts values that are equal to the value defined in the mappings [demo.events], but got [other]',
    );
    expect(fake.documents('logs-demo.events-default').size).toBe(0);
  });

  it('refuses malformed bulk bodies as a whole request', async () => {
    expect((await call(fake, 'POST', '/_bulk', '{"create":{}}')).body.error.reason).toContain(
      'terminated by a newline',
    );
    expect((await call(fake, 'POST', '/_bulk', '{"upsert":{}}\n{}\n')).body.error.reason).toContain(
      'Malformed action/metadata line [1]',
    );
    expect((await call(fake, 'POST', '/_bulk', '')).status).toBe(400);
  });

  it('runs final_pipeline after default_pipeline', async () => {
    await installDemo(fake);
    await call(fake, 'PUT', '/_ingest/pipeline/final', {
      processors: [{ set: { field: 'final', value: true } }],
    });
    await call(fake, 'PUT', '/_component_template/logs-demo.events@custom', {
      template: { settings: { index: { final_pipeline: 'final' } } },
    });
    const reply = await call(
      fake,
      'POST',
      '/logs-demo.events-x/_bulk',
      ndjson([{ create: {} }, { '@timestamp': '2024-03-10T08:00:00Z', message: 'f' }]),
    );
    expect(reply.body.errors).toBe(false);
    expect(fake.documents('logs-demo.events-x').get('f')).toMatchObject({
      final: true,
      event: { kind: 'event' },
    });
  });

  it('injects whole-request statuses, per-item 429s, resets, holds and outages', async () => {
    await installDemo(fake);
    const body = ndjson([
      { create: { _index: 'logs-demo.events-default' } },
      { '@timestamp': '2024-03-10T08:00:00Z', message: 'a' },
      { create: { _index: 'logs-demo.events-default' } },
      { '@timestamp': '2024-03-10T08:00:00Z', message: 'b' },
    ]);
    fake.faults.next({ kind: 'status', status: 429, times: 2, path: '_bulk' });
    expect((await call(fake, 'GET', '/')).status).toBe(200); // path filter
    const r1 = await call(fake, 'POST', '/_bulk', body);
    expect(r1.status).toBe(429);
    expect(r1.body.error.type).toBe('es_rejected_execution_exception');
    expect((await call(fake, 'POST', '/_bulk', body)).status).toBe(429);
    fake.faults.next({ kind: 'item-status', items: [1] });
    const partial = await call(fake, 'POST', '/_bulk', body);
    expect(list(partial.body.items).map((i) => i.create.status)).toEqual([201, 429]);
    expect(partial.body.items[1].create.error.type).toBe('es_rejected_execution_exception');
    expect(fake.faults.pending()).toBe(0);

    fake.faults.next({ kind: 'reset' });
    await expect(call(fake, 'GET', '/')).rejects.toThrow();
    expect(fake.requests.at(-1)?.status).toBe(0);

    fake.faults.next({ kind: 'hang' });
    const held = call(fake, 'GET', '/');
    while (fake.faults.heldCount() === 0) await new Promise((resolve) => setImmediate(resolve));
    fake.faults.release();
    expect((await held).status).toBe(200);

    fake.faults.next({ kind: 'status', status: 503 });
    expect((await call(fake, 'GET', '/')).status).toBe(503);

    await fake.faults.outage();
    await expect(fetch(`${fake.url}/`)).rejects.toThrow();
    await fake.faults.restore();
    expect((await call(fake, 'GET', '/')).status).toBe(200);
  });

  it('consumes faults as one queue in the order armed (head only; other requests pass untouched)', async () => {
    await installDemo(fake);
    const bulk = ndjson([
      { create: { _index: 'logs-demo.events-default' } },
      { '@timestamp': '2024-03-10T08:00:00Z', message: 'q' },
    ]);
    fake.faults.next({ kind: 'status', status: 429, path: '_bulk' });
    fake.faults.next({ kind: 'item-status', status: 400, items: [0] });
    fake.faults.next({ kind: 'status', status: 503, path: '_bulk', times: 2 });
    expect((await call(fake, 'GET', '/')).status).toBe(200);
    expect((await call(fake, 'POST', '/_bulk', bulk)).status).toBe(429);
    expect((await call(fake, 'GET', '/')).status).toBe(200); // the item fault waits for a bulk request
    const items = await call(fake, 'POST', '/_bulk', bulk);
    expect(items.body.items[0].create.status).toBe(400);
    expect((await call(fake, 'POST', '/_bulk', bulk)).status).toBe(503);
    expect((await call(fake, 'POST', '/_bulk', bulk)).status).toBe(503);
    expect((await call(fake, 'POST', '/_bulk', bulk)).status).toBe(200);
    expect(fake.faults.pending()).toBe(0);
  });

  it('records each request exactly: method, path with query, headers, body, status', async () => {
    await call(
      fake,
      'PUT',
      '/_component_template/x?create=true',
      { template: {} },
      { authorization: 'ApiKey abc' },
    );
    expect(fake.requests).toEqual([
      expect.objectContaining({
        method: 'PUT',
        path: '/_component_template/x?create=true',
        body: '{"template":{}}',
        status: 200,
      }),
    ]);
    expect(fake.requests[0]?.headers['authorization']).toBe('ApiKey abc');
  });

  it('checks pipeline deletes against index settings (a pipeline in use is refused)', async () => {
    await installDemo(fake);
    await call(
      fake,
      'POST',
      '/_bulk',
      ndjson([
        { create: { _index: 'logs-demo.events-default' } },
        { '@timestamp': '2024-03-10T08:00:00Z', message: 'a' },
      ]),
    );
    const refused = await call(fake, 'DELETE', '/_ingest/pipeline/logs-demo.events-1.0.0');
    expect(refused.status).toBe(400);
    expect(refused.body.error.reason).toContain('cannot be deleted because it is the default pipeline');
    await call(fake, 'PUT', '/_ingest/pipeline/logs-demo.events-1.1.0', PIPELINE);
    await call(fake, 'PUT', '/logs-demo.events-*/_settings', {
      index: { default_pipeline: 'logs-demo.events-1.1.0' },
    });
    const settings = await call(fake, 'GET', '/logs-demo.events-default/_settings/index.default_pipeline');
    expect(settings.body).toEqual({
      '.ds-logs-demo.events-default-2024.03.10-000001': {
        settings: { index: { default_pipeline: 'logs-demo.events-1.1.0' } },
      },
    });
    expect((await call(fake, 'DELETE', '/_ingest/pipeline/logs-demo.events-1.0.0')).status).toBe(200);
    const conflict = await call(fake, 'PUT', '/logs-demo.events-default/_mapping', {
      properties: { count: { type: 'keyword' } },
    });
    expect(conflict.body.error.reason).toBe('mapper [count] cannot be changed from type [long] to [keyword]');
  });
});

describe('fake Elasticsearch auth', () => {
  it('requires the configured API key or basic credentials and answers 401 like Elasticsearch', async () => {
    const fake = await startFakeElasticsearch({
      auth: { apiKey: 'a2V5', username: 'elastic', password: 'changeme' },
    });
    try {
      const missing = await call(fake, 'GET', '/');
      expect(missing.status).toBe(401);
      expect(missing.body.error.type).toBe('security_exception');
      expect(missing.headers.get('www-authenticate')).toContain('ApiKey');
      expect((await call(fake, 'GET', '/', undefined, { authorization: 'ApiKey wrong' })).status).toBe(401);
      expect((await call(fake, 'GET', '/', undefined, { authorization: 'ApiKey a2V5' })).status).toBe(200);
      const basic = `Basic ${Buffer.from('elastic:changeme').toString('base64')}`;
      expect((await call(fake, 'GET', '/', undefined, { authorization: basic })).status).toBe(200);
    } finally {
      await fake.close();
    }
  });
});
