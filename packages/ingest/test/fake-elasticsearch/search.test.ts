import { Client } from '@elastic/elasticsearch';
import { startFakeElasticsearch, type FakeElasticsearch } from '../../src';

// `_search` with range, sort and search_after, as the report's Elasticsearch reader pages through data.
describe('fake Elasticsearch: range, sort and search_after', () => {
  let fake: FakeElasticsearch;
  let client: Client;
  beforeAll(async () => {
    fake = await startFakeElasticsearch({ port: 0 });
    client = new Client({ node: fake.url });
    const docs = [
      { id: 'a', '@timestamp': '2024-03-10T01:00:00.000-05:00', n: 3, tag: 'x' },
      { id: 'b', '@timestamp': '2024-03-10T06:30:00Z', n: 1, tag: 'y' },
      { id: 'c', '@timestamp': '2024-03-10T07:00:00Z', n: 2, tag: 'x' },
      { id: 'd', '@timestamp': '2024-03-11T00:00:00Z', tag: 'x' },
    ];
    await client.bulk({
      operations: docs.flatMap((d) => [{ create: { _index: 'logs-demo.search-default', _id: d.id } }, d]),
      refresh: true,
    });
  });
  afterAll(async () => {
    await client.close();
    await fake.close();
  });

  const ids = (hits: { _id?: string | null }[]): (string | null | undefined)[] => hits.map((h) => h._id);

  it('range compares dates as instants (offsets included) and numbers as numbers', async () => {
    const byTime = await client.search({
      index: 'logs-demo.*',
      query: { range: { '@timestamp': { gte: '2024-03-10T06:00:00Z', lte: '2024-03-10T06:59:59.999Z' } } },
    });
    expect(ids(byTime.hits.hits).sort()).toEqual(['a', 'b']);
    const byNumber = await client.count({ index: 'logs-demo.*', query: { range: { n: { gt: 1, lt: 10 } } } });
    expect(byNumber.count).toBe(2);
  });

  it('sorts (missing last), returns sort values and pages with search_after', async () => {
    const sort = [
      { n: { order: 'desc' as const, missing: '_last' as const } },
      { id: { order: 'asc' as const } },
    ];
    const first = await client.search({ index: 'logs-demo.*', sort, size: 2 });
    expect(ids(first.hits.hits)).toEqual(['a', 'c']);
    expect(first.hits.hits[1]?.sort).toEqual([2, 'c']);
    const next = await client.search({
      index: 'logs-demo.*',
      sort,
      size: 2,
      search_after: first.hits.hits[1]?.sort ?? [],
    });
    expect(ids(next.hits.hits)).toEqual(['b', 'd']);
    const byTime = await client.search({ index: 'logs-demo.*', sort: [{ '@timestamp': 'desc' }], size: 1 });
    expect(ids(byTime.hits.hits)).toEqual(['d']);
  });

  it('orders text that Date.parse happens to accept (ids, names) as text, as a keyword sort does', async () => {
    // V8's Date.parse takes "Jan 2" or "Dec 1" (and 2 in 10,000 base64 event ids): compared as instants here
    // and as text against the others, the order was not an order, and search_after paging could skip hits.
    const names = ['Jan 2', 'Fz', 'Dec 1', 'UNyShIeseJALDUFgiyjXV/41128=', 'Az+PRAj+suqr/eDTHCRuPebtT+4='];
    const answer = await client.bulk({
      operations: names.flatMap((key, i) => [
        { create: { _index: 'logs-demo.keys-default', _id: `k${i}` } },
        { '@timestamp': '2024-03-10T00:00:00Z', key },
      ]),
      refresh: true,
    });
    expect(answer.errors).toBe(false);
    const sorted = [...names].sort();
    const all = await client.search({ index: 'logs-demo.keys-*', sort: [{ key: 'asc' }], size: 10 });
    expect(all.hits.hits.map((h) => (h._source as { key: string }).key)).toEqual(sorted);
    const paged: string[] = [];
    let after: unknown[] | undefined;
    for (let i = 0; i < names.length + 1; i++) {
      const page = await client.search({
        index: 'logs-demo.keys-*',
        sort: [{ key: 'asc' }],
        size: 1,
        ...(after === undefined ? {} : { search_after: after as never }),
      });
      const hit = page.hits.hits[0];
      if (hit === undefined) break;
      paged.push((hit._source as { key: string }).key);
      after = hit.sort;
    }
    expect(paged).toEqual(sorted);
  });

  it('refuses a sort it does not emulate instead of ignoring it', async () => {
    await expect(
      client.search({ index: 'logs-demo.*', sort: [{ n: { order: 'desc', missing: '_first' } }] }),
    ).rejects.toThrow(/missing values last only/);
  });
});
