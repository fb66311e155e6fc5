import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { main, memoryIo } from '@lastpass-elastic/cli';
import { startFakeElasticsearch, type FakeElasticsearch } from '@lastpass-elastic/ingest';
import { loadPackage, transformDestinations } from '@lastpass-elastic/package-model';

// Without Fleet, end to end on the fake: `setup --elasticsearch` creates and starts the transforms (their
// destination indices and aliases appear), documents reach the data streams, one transform checkpoint is
// emulated (the fake's runLatestTransform hook: transforms never run there), and `report posture
// --source elasticsearch` with no index flags reads the snapshots through the aliases named by the package.
const destinations = transformDestinations(loadPackage(resolve(__dirname, '../..')));

describe('setup --elasticsearch, then report posture reads the latest-state aliases (fake Elasticsearch)', () => {
  let cwd: string;
  let fake: FakeElasticsearch;
  beforeAll(async () => {
    cwd = mkdtempSync(join(tmpdir(), 'lpe-latest-e2e-'));
    expect(await main(['demo', '--events', '400'], memoryIo({ cwd }))).toBe(0);
    // An old ingest clock: the fleet_final pipeline stamps event.ingested, and old means settled.
    fake = await startFakeElasticsearch({ now: () => new Date('2024-01-01T00:00:00Z') });
  }, 60_000);
  afterAll(async () => {
    await fake.close();
    rmSync(cwd, { recursive: true, force: true });
  });

  it('installs and starts both transforms, then the report uses their aliases', async () => {
    const setup = memoryIo({ cwd, env: { ELASTICSEARCH_URL: fake.url } });
    expect(await main(['setup', '--elasticsearch'], setup)).toBe(0);
    for (const d of destinations) {
      expect(setup.out()).toContain(`created     transform ${d.transformId}`);
      expect(setup.out()).toContain(`started     transform ${d.transformId}`);
      expect(fake.cluster.aliases.get(d.readName)).toEqual(new Set([d.destIndex]));
    }
    expect(setup.out()).toMatch(/3 data streams, 2 transforms — /);

    const demo = join(cwd, 'output', 'demo');
    for (const file of readdirSync(demo).filter((f) => f.endsWith('.ndjson'))) {
      const index = `logs-${file.replace(/\.ndjson$/, '')}`;
      const lines = readFileSync(join(demo, file), 'utf8').trim().split('\n');
      const body = lines.flatMap((l) => [JSON.stringify({ create: { _index: index } }), l]).join('\n');
      const res = await fetch(`${fake.url}/_bulk?pipeline=_none&refresh=true`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-ndjson' },
        body: `${body}\n`,
      });
      expect(((await res.json()) as { errors: boolean }).errors).toBe(false);
    }
    for (const d of destinations) expect(fake.runLatestTransform(d.transformId)).toBeGreaterThan(0);

    const out = join(cwd, 'report');
    const report = memoryIo({ cwd, env: { ELASTICSEARCH_URL: fake.url } });
    expect(await main(['report', 'posture', '--source', 'elasticsearch', '--out', out], report)).toBe(0);
    const json = JSON.parse(readFileSync(join(out, 'posture.json'), 'utf8')) as {
      source: Record<string, string>;
      accounts: { coverage: { streams: { notes: Record<string, string> }[] } }[];
    };
    expect(json.source).toMatchObject({
      users_index: 'logs-lastpass_enterprise_latest.user',
      folders_index: 'logs-lastpass_enterprise_latest.detailed_shared_folder',
    });
    expect(json.accounts[0]?.coverage.streams.map((s) => s.notes)).toEqual([{}, {}, {}]);
    // An explicit index flag wins: the data streams, as before.
    const explicit = memoryIo({ cwd, env: { ELASTICSEARCH_URL: fake.url } });
    const out2 = join(cwd, 'report2');
    expect(
      await main(
        [
          'report',
          'posture',
          '--source',
          'elasticsearch',
          '--users-index',
          'logs-lastpass_enterprise.user-*',
          '--out',
          out2,
        ],
        explicit,
      ),
    ).toBe(0);
    const second = JSON.parse(readFileSync(join(out2, 'posture.json'), 'utf8')) as {
      source: Record<string, string>;
    };
    expect(second.source['users_index']).toBe('logs-lastpass_enterprise.user-*');
    expect(second.source['folders_index']).toBe('logs-lastpass_enterprise_latest.detailed_shared_folder');

    const again = memoryIo({ cwd, env: { ELASTICSEARCH_URL: fake.url } });
    expect(await main(['setup', '--elasticsearch'], again)).toBe(0);
    expect(again.out()).toContain('Nothing changed.');
  }, 60_000);
});
