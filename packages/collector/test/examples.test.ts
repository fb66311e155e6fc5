// The example configs in packages/collector/examples load as documented (issue #15 item 15): every file is
// valid, and resolves to the accounts, output and streams its comments describe once its hash files exist.
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { loadConfigFile, resolveConfig } from '../src/config/load';

const EXAMPLES = resolve(__dirname, '..', 'examples');

/** The example with its absolute /etc and /var paths moved into `dir`, its secret files written there. */
function localised(name: string, dir: string): string {
  const text = readFileSync(join(EXAMPLES, name), 'utf8').replace(
    /\/(etc|var\/lib)\/lastpass-elastic\//g,
    `${dir}/$1/`,
  );
  for (const m of text.matchAll(/_file: (\S+)/g)) {
    const path = resolve(dir, m[1] ?? '');
    mkdirSync(resolve(path, '..'), { recursive: true });
    writeFileSync(path, `secret-for-${name}\n`);
  }
  const file = join(dir, name);
  writeFileSync(file, text);
  return file;
}

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'lpe-examples-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('example configs', () => {
  it('there are examples for one account, several accounts and NDJSON, and each is valid YAML for the schema', () => {
    const files = readdirSync(EXAMPLES).filter((f) => f.endsWith('.yml'));
    expect(files.sort()).toEqual(['collector-accounts.yml', 'collector-ndjson.yml', 'collector.yml']);
    for (const f of files) expect(() => loadConfigFile(join(EXAMPLES, f))).not.toThrow();
  });

  it('collector.yml: one account into Elasticsearch, the hash and API key read from their files', () => {
    const c = resolveConfig({ config: localised('collector.yml', dir) }, {}, dir);
    expect(c.output).toBe('elasticsearch');
    expect(c.elasticsearch?.url).toBe('https://elasticsearch.example.com:9200');
    expect(c.elasticsearch?.auth.kind).toBe('api_key');
    expect(c.accounts.map((a) => [a.accountNumber, a.timeZone, a.provisioningHash.reveal()])).toEqual([
      ['8771312', 'America/New_York', 'secret-for-collector.yml'],
    ]);
    expect(c.accounts[0]?.provisioningHashFile).toBe(join(dir, 'etc/provisioning-hash'));
    expect(c.stateDir).toBe(join(dir, 'var/lib/state'));
  });

  it('collector-accounts.yml: two accounts, defaults shared, the second without inventory streams', () => {
    const c = resolveConfig({ config: localised('collector-accounts.yml', dir) }, {}, dir);
    expect(
      c.accounts.map((a) => [a.accountNumber, a.timeZone, a.user.enabled, a.detailedSharedFolder.enabled]),
    ).toEqual([
      ['8771312', 'America/New_York', true, true],
      ['9100442', 'Europe/Berlin', false, false],
    ]);
    expect(c.accounts.map((a) => a.requestIntervalMs)).toEqual([1000, 1000]);
  });

  it('collector-ndjson.yml: NDJSON output into ./output', () => {
    const c = resolveConfig({ config: localised('collector-ndjson.yml', dir) }, {}, dir);
    expect([c.output, c.outputDir, c.ndjsonMaxBytes]).toEqual(['ndjson', join(dir, 'output'), 268435456]);
  });
});
