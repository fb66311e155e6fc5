import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { main } from '@lastpass-elastic/cli';
import { startFakeElasticsearch } from '@lastpass-elastic/ingest';
import { startSimulator } from '@lastpass-elastic/simulator';
import { HASH, ROOT, tempDir } from './support';

function io(env: NodeJS.ProcessEnv, cwd: string) {
  const out: string[] = [];
  const err: string[] = [];
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  stdout.on('data', (c: Buffer) => out.push(c.toString()));
  stderr.on('data', (c: Buffer) => err.push(c.toString()));
  return { io: { stdout, stderr, stdin: new PassThrough(), env, cwd }, out, err };
}

describe('setup --elasticsearch, then collect --once (the acceptance path, against local fakes)', () => {
  it.each(['8.17.0', '9.1.0'])(
    'Elasticsearch %s: refuses before setup (exit 2), indexes every event exactly once after it, nothing new on a re-run',
    async (version) => {
      const sim = await startSimulator({ seed: 9, events: 6000, provisioningHash: HASH });
      const fake = await startFakeElasticsearch({
        version,
        auth: { apiKey: 'Y2xpOmtleQ==' },
        recordRequests: false,
      });
      const tmp = tempDir('lpe-cli-');
      try {
        const config = join(tmp.dir, 'collector.yml');
        writeFileSync(config, 'request_interval: 0s\nstate_dir: state\n');
        const env: NodeJS.ProcessEnv = {
          LASTPASS_URL: sim.url,
          LASTPASS_ACCOUNT_NUMBER: sim.options.accountNumber,
          LASTPASS_PROVISIONING_HASH: HASH,
          LASTPASS_TIME_ZONE: sim.options.timeZone,
          ELASTICSEARCH_URL: fake.url,
          ELASTICSEARCH_API_KEY: 'Y2xpOmtleQ==',
          LASTPASS_ELASTIC_CONFIG: config,
          LASTPASS_ELASTIC_PACKAGE_DIR: ROOT,
        };
        const since = ['--since', new Date(sim.options.start.getTime() - 60_000).toISOString()];
        const before = io(env, tmp.dir);
        expect(await main(['collect', '--once', ...since], before.io)).toBe(2);
        expect(before.err.join('')).toMatch(/run `lastpass-elastic setup --elasticsearch` first/);

        const setup = io(env, ROOT);
        expect(await main(['setup', '--elasticsearch'], setup.io)).toBe(0);

        const first = io(env, tmp.dir);
        expect(await main(['collect', '--once', ...since], first.io)).toBe(0);
        const settled = Date.now() - 2 * 60_000;
        const truth = sim.tenant.events.filter((e) => e.instant <= settled).length;
        const docs = fake.documents('logs-lastpass_enterprise.event_report-default');
        expect(docs.size).toBe(truth);
        const line = first.out
          .join('')
          .match(/stream=event_report fetched=(\d+) indexed=(\d+) duplicates=(\d+) failed=0 api_calls=\d+/);
        expect(line).not.toBeNull();
        expect(Number(line?.[2])).toBe(docs.size);
        expect(first.out.join('')).toMatch(/stream=user fetched=\d+ indexed=\d+ duplicates=0 failed=0/);

        const again = io(env, tmp.dir);
        expect(await main(['collect', '--once', '--streams', 'event_report'], again.io)).toBe(0);
        expect(again.out.join('')).toMatch(/stream=event_report fetched=\d+ indexed=0 /);
        expect(fake.documents('logs-lastpass_enterprise.event_report-default').size).toBe(docs.size);

        const status = io(env, tmp.dir);
        expect(await main(['status'], status.io)).toBe(0);
        expect(status.out.join('')).toMatch(/event_report/);
        expect(JSON.stringify([...docs.values()])).not.toContain(HASH);
        for (const text of [before, first, again, status].flatMap((t) => [...t.out, ...t.err]))
          expect(text).not.toContain(HASH);
      } finally {
        tmp.cleanup();
        await fake.close();
        await sim.close();
      }
    },
    60_000,
  );
});
