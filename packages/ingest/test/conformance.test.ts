import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { CONFORMANCE_FLOOR, InMemoryCluster, runConformance, runConformanceFile } from '../src';

const NOW = () => new Date('2024-01-01T00:00:00Z');

describe('conformance runner (format)', () => {
  const file = [
    '---',
    'setup:',
    '  - do:',
    '      ingest.put_pipeline:',
    '        id: "p"',
    '        body: >',
    '          {"processors": [{"set": {"field": "x", "value": "{{y}}"}}]}',
    '---',
    '"passes":',
    '  - do:',
    '      index: { index: test, id: "1", pipeline: "p", body: { y: "hello" } }',
    '  - do:',
    '      get: { index: test, id: "1" }',
    '  - match: { _source.x: "hello" }',
    '  - match: { _source.y: /hel+o/ }',
    '  - length: { _source: 2 }',
    '  - is_true: found',
    '  - is_false: _source.nope',
    '---',
    '"fails":',
    '  - do:',
    '      get: { index: test, id: "404" }',
    '---',
    '"catches":',
    '  - do:',
    '      catch: bad_request',
    '      ingest.put_pipeline: { id: "q", body: { processors: [{ set: { field: "x" } }] } }',
    '  - match: { error.root_cause.0.property_name: "value" }',
    '---',
    '"skips":',
    '  - skip:',
    '      features: some_future_feature',
    '  - do:',
    '      ingest.put_pipeline: { id: "r", body: { processors: [] } }',
  ].join('\n');

  it('runs do/match/length/is_true/is_false/catch and reports skip reasons', () => {
    const results = runConformanceFile('t.yml', file, NOW);
    expect(results.map((r) => [r.name, r.status])).toEqual([
      ['passes', 'passed'],
      ['fails', 'failed'],
      ['catches', 'passed'],
      ['skips', 'skipped'],
    ]);
    expect(results[3]!.reason).toMatch(/some_future_feature/);
  });

  it('in-memory indices honour default_pipeline and final_pipeline', () => {
    const c = new InMemoryCluster(NOW);
    c.call('ingest.put_pipeline', {
      id: 'd',
      body: { processors: [{ append: { field: 's', value: 'default' } }] },
    });
    c.call('ingest.put_pipeline', {
      id: 'f',
      body: { processors: [{ append: { field: 's', value: 'final' } }] },
    });
    c.call('indices.create', {
      index: 'i',
      body: { settings: { index: { default_pipeline: 'd', final_pipeline: 'f' } } },
    });
    c.call('index', { index: 'i', id: '1', body: {} });
    expect(c.call('get', { index: 'i', id: '1' }).body).toMatchObject({
      _source: { s: ['default', 'final'] },
    });
  });
});

const corpus = join(__dirname, '..', '..', '..', '..', 'shared', 'ingest-conformance');
if (!existsSync(corpus))
  process.stdout.write(`conformance corpus not found at ${corpus}: corpus test skipped\n`);
(existsSync(corpus) ? describe : describe.skip)('conformance corpus (../shared/ingest-conformance)', () => {
  it(`passes at least the pinned floor (${CONFORMANCE_FLOOR}) and 95% of the tests that run`, () => {
    const report = runConformance(corpus, NOW);
    expect(report.passed).toBeGreaterThanOrEqual(CONFORMANCE_FLOOR);
    expect(report.passed / (report.passed + report.failed)).toBeGreaterThanOrEqual(0.95);
    for (const r of report.results.filter((x) => x.status === 'skipped')) expect(r.reason).toBeTruthy();
  });
});
