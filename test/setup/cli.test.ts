import { readdirSync, readFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { main, memoryIo, type MemoryIo } from '@lastpass-elastic/cli';
import { startFakeElasticsearch } from '@lastpass-elastic/ingest';
import { startFakeKibana } from '../../packages/package-tools/test/setup/fake-kibana';

const ROOT = resolve(__dirname, '../..');
const VERSION = /^version: (\S+)$/m.exec(readFileSync(join(ROOT, 'manifest.yml'), 'utf8'))?.[1] ?? '';

const io = (env: NodeJS.ProcessEnv = {}): MemoryIo => memoryIo({ cwd: ROOT, env });

describe('lastpass-elastic setup (acceptance, against local fakes)', () => {
  // Each case builds and checks the package zip: about 2 s idle, past jest's default 5 s under load.
  jest.setTimeout(60_000);
  it('--elasticsearch creates pipelines and templates for the three streams; a second run changes nothing', async () => {
    const password = 'setup-secret-password-77';
    const fake = await startFakeElasticsearch({ auth: { username: 'elastic', password } });
    const auth = { ELASTICSEARCH_USERNAME: 'elastic', ELASTICSEARCH_PASSWORD: password };
    try {
      const first = io(auth);
      expect(await main(['setup', '--elasticsearch', fake.url], first)).toBe(0);
      expect(first.out()).toMatch(/created +index_template logs-lastpass_enterprise\.event_report/);
      for (const stream of ['user', 'detailed_shared_folder', 'event_report']) {
        expect(fake.indexTemplates.has(`logs-lastpass_enterprise.${stream}`)).toBe(true);
        expect(fake.componentTemplates.has(`logs-lastpass_enterprise.${stream}@package`)).toBe(true);
        expect(fake.pipelines.has(`logs-lastpass_enterprise.${stream}-${VERSION}`)).toBe(true);
      }
      const writes = fake.requests.filter((r) => r.method !== 'GET').length;
      const second = io({ ...auth, ELASTICSEARCH_URL: fake.url });
      expect(await main(['setup', '--elasticsearch'], second)).toBe(0);
      expect(second.out()).toContain('Nothing changed.');
      for (const run of [first, second]) expect(run.out() + run.err()).not.toContain(password);
      expect(fake.requests.filter((r) => r.method !== 'GET').length).toBe(writes);
    } finally {
      await fake.close();
    }
  });

  it('--kibana builds the zip and sends ONE upload whose body is that zip, with the Fleet headers', async () => {
    const kibana = await startFakeKibana({ installed: undefined });
    const out = mkdtempSync(join(tmpdir(), 'lpe-zip-'));
    try {
      const apiKey = 'c2V0dXAtc2VjcmV0LWtleS03Nw==';
      const t = io({ KIBANA_URL: kibana.url, ELASTICSEARCH_API_KEY: apiKey });
      const code = await main(['setup', '--kibana', '--out', out], t);
      expect(t.err()).toBe('');
      expect(code).toBe(0);
      expect(t.out()).toMatch(/installed: lastpass_enterprise \d+\.\d+\.\d+ uploaded to Fleet/);
      const uploads = kibana.calls.filter((c) => c.method === 'POST');
      expect(uploads).toHaveLength(1);
      const zipPath = /built (\S+\.zip)/.exec(t.out())?.[1];
      expect(zipPath?.startsWith(out)).toBe(true);
      expect(Buffer.compare(uploads[0]!.body, readFileSync(zipPath!))).toBe(0);
      expect(uploads[0]!.headers).toMatchObject({
        'content-type': 'application/zip',
        'kbn-xsrf': 'true',
        'elastic-api-version': '2023-10-31',
        authorization: `ApiKey ${apiKey}`,
      });
      expect(t.out() + t.err()).not.toContain(apiKey);
    } finally {
      rmSync(out, { recursive: true, force: true });
      await kibana.close();
    }
  });

  it('--kibana --import-rules uploads the zip, then imports every package rule (disabled) through the Detection Engine API', async () => {
    const kibana = await startFakeKibana({ installed: undefined });
    try {
      const first = io({ KIBANA_URL: kibana.url });
      expect(await main(['setup', '--kibana', '--import-rules'], first)).toBe(0);
      const rules = readdirSync(join(ROOT, 'kibana', 'security_rule'));
      expect(first.out()).toContain(`imported ${rules.length} of ${rules.length} detection rules`);
      expect(kibana.calls.map((c) => `${c.method} ${c.path.split('?')[0] ?? ''}`)).toEqual([
        'GET /api/fleet/epm/packages/lastpass_enterprise',
        'POST /api/fleet/epm/packages',
        'POST /api/detection_engine/rules/_import',
      ]);
      expect([...(kibana.state.rules?.keys() ?? [])].sort()).toEqual(
        rules.map((f) => f.replace(/_\d+\.json$/, '')).sort(),
      );
      expect([...(kibana.state.rules?.values() ?? [])].every((r) => r['enabled'] === false)).toBe(true);
      // the package is now installed: a second run leaves Fleet alone and re-imports (overwrite) the rules
      kibana.state.installed = VERSION;
      const second = io({ KIBANA_URL: kibana.url });
      expect(await main(['setup', '--kibana', '--import-rules'], second)).toBe(0);
      expect(second.out()).toMatch(/unchanged: Kibana already has lastpass_enterprise/);
      expect(kibana.calls.filter((c) => c.path.startsWith('/api/detection_engine'))).toHaveLength(2);
      expect(kibana.state.rules?.size).toBe(rules.length);
      const refused = io({ ELASTICSEARCH_URL: 'http://127.0.0.1:9' });
      expect(await main(['setup', '--elasticsearch', '--import-rules'], refused)).toBe(2);
      expect(refused.err()).toMatch(/--import-rules only applies to --kibana/);
      for (const run of [first, second]) {
        const zip = /built (\S+\.zip)/.exec(run.out())?.[1];
        if (zip !== undefined) rmSync(dirname(zip), { recursive: true, force: true });
      }
    } finally {
      await kibana.close();
    }
  });

  it('--kibana without --out builds into a fresh temporary folder, never into the package root', async () => {
    const kibana = await startFakeKibana({ installed: undefined });
    try {
      const t = io({ KIBANA_URL: kibana.url });
      expect(await main(['setup', '--kibana'], t)).toBe(0);
      const zipPath = /built (\S+\.zip)/.exec(t.out())?.[1];
      expect(zipPath?.startsWith(join(tmpdir(), 'lastpass-elastic-zip-'))).toBe(true);
      rmSync(dirname(zipPath!), { recursive: true, force: true });
    } finally {
      await kibana.close();
    }
  });

  it('exits 2 on bad usage and 1 on an unreachable cluster, in one line without secrets', async () => {
    const both = io();
    expect(await main(['setup', '--elasticsearch', 'http://127.0.0.1:9', '--kibana'], both)).toBe(2);
    expect(both.err()).toContain('give exactly one of --elasticsearch [URL] or --kibana [URL]');
    const none = io();
    expect(await main(['setup', '--elasticsearch'], none)).toBe(2);
    expect(none.err()).toContain('give a URL or set ELASTICSEARCH_URL');
    const down = io({ ELASTICSEARCH_PASSWORD: 'hunter2', ELASTICSEARCH_USERNAME: 'elastic' });
    expect(await main(['setup', '--elasticsearch', 'http://127.0.0.1:9'], down)).toBe(1);
    expect(down.err().trim().split('\n')).toHaveLength(1);
    expect(down.err()).toContain('[SETUP_UNREACHABLE]');
    expect(down.err()).not.toContain('hunter2');
  });

  it('--kibana with a package that fails the build check: exit 1, the findings shown, nothing uploaded', async () => {
    const kibana = await startFakeKibana({ installed: undefined });
    const out = mkdtempSync(join(tmpdir(), 'lpe-zip-'));
    try {
      const t = io({ KIBANA_URL: kibana.url });
      const root = join(ROOT, 'test', 'fixtures', 'packages', 'bad_pipeline_tag');
      expect(await main(['setup', '--kibana', '--root', root, '--out', out], t)).toBe(1);
      expect(t.out()).toMatch(/^PIPELINE_TAG \S+/m);
      expect(t.err()).toMatch(
        /^lastpass-elastic setup: the package does not build: .*no zip written \[BUILD_CHECK_FAILED\]\n$/,
      );
      expect(kibana.calls).toEqual([]);
    } finally {
      rmSync(out, { recursive: true, force: true });
      await kibana.close();
    }
  });
});
