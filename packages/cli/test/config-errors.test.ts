// Every configuration source of `collect` — each flag, each environment variable, each YAML key — given a bad
// value: exit 2, one line on stderr naming the source (flag, variable, or file:line:col and key) and the bad
// value, except for secrets, whose values never print. The YAML table is checked against the schema's keys, so
// a key added without a case here fails.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { configFileSchema } from '@lastpass-elastic/collector';
import { main, memoryIo } from '../src';

const HASH = 'f3a1c0de9b7e4d2a8c6f5e4d3c2b1a09f3a1c0de9b7e4d2a8c6f5e4d3c2b1a09';
const ACCOUNT = { LASTPASS_ACCOUNT_NUMBER: '8771312', LASTPASS_PROVISIONING_HASH: HASH };

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'lpe-config-errors-'));
  writeFileSync(join(dir, 'a-file'), 'not a folder');
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

async function collect(argv: string[], env: NodeJS.ProcessEnv): Promise<{ code: number; err: string }> {
  const t = memoryIo({ cwd: dir, env });
  const code = await main(['collect', '--once', ...argv], t);
  return { code, err: t.err() };
}

function expectOneLine(err: string, pattern: RegExp): void {
  const lines = err.trimEnd().split('\n');
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(pattern);
  expect(err).not.toContain(HASH);
}

describe('collect: every flag, variable and YAML key with a bad value → exit 2, one line naming it', () => {
  it.each<[string, string[], NodeJS.ProcessEnv, RegExp]>([
    ['--output', ['--output', 's3'], ACCOUNT, /--output: expected "ndjson" or "elasticsearch", got "s3"$/],
    ['--streams', ['--streams', 'event_report,logs'], ACCOUNT, /--streams: unknown stream "logs"/],
    ['--since', ['--since', 'yesterday'], ACCOUNT, /--since: expected an RFC 3339 time.*got "yesterday"/],
    ['--config', ['--config', 'missing.yml'], ACCOUNT, /--config: cannot read .*missing\.yml \(ENOENT\)/],
    ['--output-dir', ['--output-dir', 'a-file'], ACCOUNT, /--output-dir: expected a folder.*got "a-file"/],
    ['--state-dir', ['--state-dir', 'a-file'], ACCOUNT, /--state-dir: expected a folder.*got "a-file"/],
    ['an unknown flag', ['--outptu', 'x'], ACCOUNT, /Unknown option '--outptu'/],
  ])('flag %s', async (_name, argv, env, pattern) => {
    const { code, err } = await collect(argv, env);
    expect(code).toBe(2);
    expectOneLine(err, pattern);
  });

  const es = { ...ACCOUNT, ELASTICSEARCH_URL: 'https://es.example:9200' };
  it.each<[string, NodeJS.ProcessEnv, RegExp]>([
    [
      'LASTPASS_URL',
      { ...ACCOUNT, LASTPASS_URL: 'ftp://x' },
      /^lastpass-elastic collect: LASTPASS_URL: expected an http\(s\) URL .*got "ftp:\/\/x"$/,
    ],
    [
      'LASTPASS_ACCOUNT_NUMBER',
      { ...ACCOUNT, LASTPASS_ACCOUNT_NUMBER: '87-71' },
      /LASTPASS_ACCOUNT_NUMBER: expected the numeric account number \(CID\), got "87-71"$/,
    ],
    [
      'LASTPASS_ACCOUNT_NUMBER (missing)',
      { LASTPASS_PROVISIONING_HASH: HASH },
      /account_number: required \(set LASTPASS_ACCOUNT_NUMBER/,
    ],
    [
      'LASTPASS_PROVISIONING_HASH (missing)',
      { LASTPASS_ACCOUNT_NUMBER: '1' },
      /provisioning_hash: required for account 1 \(set LASTPASS_PROVISIONING_HASH_FILE/,
    ],
    [
      'LASTPASS_PROVISIONING_HASH_FILE',
      { LASTPASS_ACCOUNT_NUMBER: '1', LASTPASS_PROVISIONING_HASH_FILE: HASH },
      /LASTPASS_PROVISIONING_HASH_FILE: cannot read the file named by LASTPASS_PROVISIONING_HASH_FILE \(ENOENT, relative to /,
    ],
    [
      'LASTPASS_TIME_ZONE',
      { ...ACCOUNT, LASTPASS_TIME_ZONE: 'us/eastern' },
      /LASTPASS_TIME_ZONE: expected an IANA time zone \(names are case-sensitive\): did you mean "US\/Eastern"\?, got "us\/eastern"$/,
    ],
    [
      'LASTPASS_TIME_ZONE (unknown)',
      { ...ACCOUNT, LASTPASS_TIME_ZONE: 'Mars/Olympus' },
      /LASTPASS_TIME_ZONE: expected an IANA time zone such as America\/New_York, got "Mars\/Olympus"$/,
    ],
    [
      'LASTPASS_ELASTIC_CONFIG',
      { ...ACCOUNT, LASTPASS_ELASTIC_CONFIG: 'missing.yml' },
      /^lastpass-elastic collect: LASTPASS_ELASTIC_CONFIG: cannot read .*missing\.yml/,
    ],
    [
      'LASTPASS_ELASTIC_OUTPUT',
      { ...ACCOUNT, LASTPASS_ELASTIC_OUTPUT: 's3' },
      /LASTPASS_ELASTIC_OUTPUT: expected "ndjson" or "elasticsearch", got "s3"$/,
    ],
    [
      'LASTPASS_ELASTIC_OUTPUT_DIR',
      { ...ACCOUNT, LASTPASS_ELASTIC_OUTPUT_DIR: 'a-file' },
      /LASTPASS_ELASTIC_OUTPUT_DIR: expected a folder/,
    ],
    [
      'LASTPASS_ELASTIC_STATE_DIR',
      { ...ACCOUNT, LASTPASS_ELASTIC_STATE_DIR: 'a-file' },
      /LASTPASS_ELASTIC_STATE_DIR: expected a folder/,
    ],
    [
      'LASTPASS_ELASTIC_PACKAGE_DIR',
      { ...ACCOUNT, LASTPASS_ELASTIC_PACKAGE_DIR: '/nonexistent-package' },
      /LASTPASS_ELASTIC_PACKAGE_DIR: \/nonexistent-package holds no lastpass_enterprise manifest\.yml/,
    ],
    [
      'ELASTICSEARCH_URL',
      { ...ACCOUNT, ELASTICSEARCH_URL: 'ftp://es' },
      /ELASTICSEARCH_URL: expected an http\(s\) URL such as https:\/\/localhost:9200, got "ftp:\/\/es"$/,
    ],
    [
      'ELASTICSEARCH_URL (missing)',
      { ...ACCOUNT, LASTPASS_ELASTIC_OUTPUT: 'elasticsearch' },
      /ELASTICSEARCH_URL: required when the output is elasticsearch \(LASTPASS_ELASTIC_OUTPUT/,
    ],
    [
      'ELASTICSEARCH_API_KEY_FILE',
      { ...es, ELASTICSEARCH_API_KEY_FILE: HASH },
      /ELASTICSEARCH_API_KEY_FILE: cannot read the file named by ELASTICSEARCH_API_KEY_FILE \(ENOENT/,
    ],
    [
      'ELASTICSEARCH_API_KEY with _FILE',
      { ...es, ELASTICSEARCH_API_KEY: HASH, ELASTICSEARCH_API_KEY_FILE: 'k' },
      /ELASTICSEARCH_API_KEY and ELASTICSEARCH_API_KEY_FILE: set only one/,
    ],
    [
      'ELASTICSEARCH_PASSWORD_FILE',
      { ...es, ELASTICSEARCH_USERNAME: 'u', ELASTICSEARCH_PASSWORD_FILE: HASH },
      /ELASTICSEARCH_PASSWORD_FILE: cannot read the file named by ELASTICSEARCH_PASSWORD_FILE/,
    ],
    [
      'ELASTICSEARCH_USERNAME',
      { ...es, ELASTICSEARCH_USERNAME: 'u' },
      /ELASTICSEARCH_PASSWORD \(or ELASTICSEARCH_PASSWORD_FILE\): required with ELASTICSEARCH_USERNAME/,
    ],
    [
      'ELASTICSEARCH_PASSWORD',
      { ...es, ELASTICSEARCH_PASSWORD: HASH },
      /ELASTICSEARCH_USERNAME: required with ELASTICSEARCH_PASSWORD$/,
    ],
    [
      'ELASTICSEARCH_CA_FILE',
      { ...es, ELASTICSEARCH_CA_FILE: 'no-ca.pem' },
      /ELASTICSEARCH_CA_FILE: no such file, got "no-ca\.pem"/,
    ],
    [
      'ELASTICSEARCH_NAMESPACE',
      { ...ACCOUNT, ELASTICSEARCH_NAMESPACE: 'Prod-1' },
      /ELASTICSEARCH_NAMESPACE: expected a Fleet namespace.*got "Prod-1"$/,
    ],
  ])('variable %s', async (_name, env, pattern) => {
    const { code, err } = await collect([], env);
    expect(code).toBe(2);
    expectOneLine(err, pattern);
  });

  // [key path, YAML text (whole file), the expected message after "<file>:<line>:<col>: "]
  const yamlCases: [string, string, RegExp, NodeJS.ProcessEnv?][] = [
    [
      'account_number',
      'account_number: 12a\n',
      /^account_number: expected the numeric account number \(CID\), got "12a"$/,
    ],
    [
      'provisioning_hash',
      'provisioning_hash: [1]\n',
      /^provisioning_hash: Invalid input: expected string, received array$/,
    ],
    [
      'provisioning_hash_file',
      `provisioning_hash_file: ${HASH}\n`,
      /^provisioning_hash_file: cannot read the file named by .*provisioning_hash_file \(ENOENT/,
      { LASTPASS_ACCOUNT_NUMBER: '1' },
    ],
    ['url', 'url: ftp://x\n', /^url: expected an http\(s\) URL .*got "ftp:\/\/x"$/],
    [
      'time_zone',
      'time_zone: europe/paris\n',
      /^time_zone: .*did you mean "Europe\/Paris"\?, got "europe\/paris"$/,
    ],
    ['api_user', 'api_user: ""\n', /^api_user: Too small.*got ""$/],
    [
      'http_client_timeout',
      'http_client_timeout: 60\n',
      /^http_client_timeout: Invalid input: expected string, received number, got 60$/,
    ],
    [
      'request_interval',
      'request_interval: fast\n',
      /^request_interval: expected a duration such as 30s.*got "fast"$/,
    ],
    ['tags', 'tags: forwarded\n', /^tags: Invalid input: expected array.*got "forwarded"$/],
    [
      'preserve_original_event',
      'preserve_original_event: yes\n',
      /^preserve_original_event: Invalid input: expected boolean.*got "yes"$/,
    ],
    [
      'event_report.enabled',
      'event_report:\n  enabled: "true"\n',
      /^event_report\.enabled: Invalid input: expected boolean/,
    ],
    [
      'event_report.interval',
      'event_report:\n  interval: 10 minutes\n',
      /^event_report\.interval: expected a duration.*got "10 minutes"$/,
    ],
    [
      'event_report.initial_interval',
      'event_report:\n  initial_interval: 1w\n',
      /^event_report\.initial_interval: expected a duration.*got "1w"$/,
    ],
    [
      'event_report.overlap',
      'event_report:\n  overlap: 1s\n',
      /^event_report\.overlap: expected at least 2s.*got "1s"$/,
    ],
    [
      'event_report.settle_lag',
      'event_report:\n  settle_lag: -1m\n',
      /^event_report\.settle_lag: expected a duration.*got "-1m"$/,
    ],
    [
      'event_report.page_limit',
      'event_report:\n  page_limit: 0\n',
      /^event_report\.page_limit: Too small.*got 0$/,
    ],
    [
      'event_report.tags',
      'event_report:\n  tags: [1]\n',
      /^event_report\.tags\[0\]: Invalid input: expected string/,
    ],
    [
      'event_report.preserve_original_event',
      'event_report:\n  preserve_original_event: 1\n',
      /^event_report\.preserve_original_event: Invalid input: expected boolean/,
    ],
    ['user.enabled', 'user:\n  enabled: no\n', /^user\.enabled: Invalid input: expected boolean.*got "no"$/],
    ['user.interval', 'user:\n  interval: daily\n', /^user\.interval: expected a duration.*got "daily"$/],
    [
      'user.page_size',
      'user:\n  page_size: 2000.5\n',
      /^user\.page_size: Invalid input: expected int.*got 2000\.5$/,
    ],
    ['user.tags', 'user:\n  tags: x\n', /^user\.tags: Invalid input: expected array/],
    [
      'user.preserve_original_event',
      'user:\n  preserve_original_event: "false"\n',
      /^user\.preserve_original_event: Invalid input: expected boolean/,
    ],
    [
      'detailed_shared_folder.enabled',
      'detailed_shared_folder:\n  enabled: 0\n',
      /^detailed_shared_folder\.enabled: Invalid input: expected boolean/,
    ],
    [
      'detailed_shared_folder.interval',
      'detailed_shared_folder:\n  interval: 8\n',
      /^detailed_shared_folder\.interval: Invalid input: expected string/,
    ],
    [
      'detailed_shared_folder.page_size',
      'detailed_shared_folder:\n  page_size: 1000000\n',
      /^detailed_shared_folder\.page_size: Too big.*got 1000000$/,
    ],
    [
      'detailed_shared_folder.tags',
      'detailed_shared_folder:\n  tags: {}\n',
      /^detailed_shared_folder\.tags: Invalid input: expected array/,
    ],
    [
      'detailed_shared_folder.preserve_original_event',
      'detailed_shared_folder:\n  preserve_original_event: null\n',
      /^detailed_shared_folder\.preserve_original_event: has no value \(check the indentation\)$/,
    ],
    ['accounts', 'accounts: []\n', /^accounts: Too small.*got \[\]$/],
    [
      'accounts[0] (an unknown key)',
      'accounts:\n  - account_number: 1\n    provisoning_hash: x\n',
      /^unknown key "accounts\[0\]\.provisoning_hash"$/,
    ],
    [
      'output',
      'output: kafka\n',
      /^output: Invalid option: expected one of "ndjson"\|"elasticsearch", got "kafka"$/,
    ],
    ['output_dir', 'output_dir: a-file\n', /^output_dir: expected a folder.*got "a-file"$/],
    ['state_dir', 'state_dir: ""\n', /^state_dir: Too small.*got ""$/],
    ['ndjson_max_bytes', 'ndjson_max_bytes: 100\n', /^ndjson_max_bytes: Too small.*got 100$/],
    ['response_max_bytes', 'response_max_bytes: 100\n', /^response_max_bytes: Too small.*got 100$/],
    [
      'backfill_request_interval',
      'backfill_request_interval: soon\n',
      /^backfill_request_interval: expected a duration such as 30s.*got "soon"$/,
    ],
    ['log_level', 'log_level: loud\n', /^log_level: Invalid option.*got "loud"$/],
    [
      'elasticsearch.url',
      'elasticsearch:\n  url: es.example:9200\n',
      /^elasticsearch\.url: expected an http\(s\) URL.*got "es\.example:9200"$/,
    ],
    [
      'elasticsearch.api_key',
      'elasticsearch:\n  api_key: 123\n',
      /^elasticsearch\.api_key: Invalid input: expected string, received number$/,
    ],
    [
      'elasticsearch.api_key_file',
      `output: elasticsearch\nelasticsearch:\n  url: https://es:9200\n  api_key_file: ${HASH}\n`,
      /^elasticsearch\.api_key_file: cannot read the file named by .*elasticsearch\.api_key_file \(ENOENT/,
    ],
    [
      'elasticsearch.username',
      'elasticsearch:\n  username: ""\n',
      /^elasticsearch\.username: Too small.*got ""$/,
    ],
    [
      'elasticsearch.password',
      'elasticsearch:\n  password: true\n',
      /^elasticsearch\.password: Invalid input: expected string, received boolean$/,
    ],
    [
      'elasticsearch.password_file',
      `output: elasticsearch\nelasticsearch:\n  url: https://es:9200\n  username: u\n  password_file: ${HASH}\n`,
      /^elasticsearch\.password_file: cannot read the file named by .*elasticsearch\.password_file/,
    ],
    [
      'elasticsearch.ca_file',
      'output: elasticsearch\nelasticsearch:\n  url: https://es:9200\n  ca_file: no-ca.pem\n',
      /^elasticsearch\.ca_file: no such file, got "no-ca\.pem"$/,
    ],
    [
      'elasticsearch.namespace',
      'elasticsearch:\n  namespace: Prod\n',
      /^elasticsearch\.namespace: expected a Fleet namespace.*got "Prod"$/,
    ],
    [
      'elasticsearch.bulk_max_documents',
      'elasticsearch:\n  bulk_max_documents: 0\n',
      /^elasticsearch\.bulk_max_documents: Too small.*got 0$/,
    ],
    [
      'elasticsearch.bulk_concurrency',
      'elasticsearch:\n  bulk_concurrency: 64\n',
      /^elasticsearch\.bulk_concurrency: Too big.*got 64$/,
    ],
  ];

  it('the YAML table covers every key of the config file schema', () => {
    type Shape = Record<string, unknown>;
    const inner = (s: unknown): unknown => {
      let at = s as { unwrap?: () => unknown; element?: unknown; shape?: Shape };
      while (at.shape === undefined && (at.unwrap !== undefined || at.element !== undefined))
        at = (at.unwrap?.() ?? at.element) as typeof at;
      return at;
    };
    const keys = (shape: Shape, prefix: string): string[] =>
      Object.entries(shape).flatMap(([k, v]) => {
        const sub = (inner(v) as { shape?: Shape }).shape;
        return sub === undefined || k === 'accounts' ? [`${prefix}${k}`] : keys(sub, `${prefix}${k}.`);
      });
    const covered = new Set(yamlCases.map(([key]) => key.replace(/ .*$/, '').replace(/\[0\]$/, '')));
    expect(keys(configFileSchema.shape, '').filter((k) => !covered.has(k))).toEqual([]);
  });

  it.each(yamlCases)('YAML key %s', async (_key, text, pattern, env = ACCOUNT) => {
    const file = join(dir, 'collector.yml');
    writeFileSync(file, text);
    const { code, err } = await collect(['--config', file], env);
    expect(code).toBe(2);
    const line = err.trimEnd();
    expect(line).not.toContain('\n');
    expect(line).not.toContain(HASH);
    const prefix = `lastpass-elastic collect: ${file}`;
    expect(line.startsWith(prefix)).toBe(true);
    const rest = line.slice(prefix.length).replace(/^:\d+:\d+/, '');
    expect(rest.slice(0, 2)).toBe(': ');
    expect(rest.slice(2)).toMatch(pattern);
  });

  it.each<[string, string, RegExp]>([
    [
      'a YAML syntax error',
      'account_number: 1\n  provisioning_hash: x\n',
      /:1:17: YAML syntax error: Nested mappings are not allowed/,
    ],
    [
      'a tab indentation',
      'event_report:\n\tinterval: 5m\n',
      /:2:1: YAML syntax error: Tabs are not allowed as indentation/,
    ],
    [
      'a key twice',
      'account_number: 1\naccount_number: 2\n',
      /:2:1: YAML syntax error: Map keys must be unique/,
    ],
    [
      'a key without a value',
      'account_number:\nprovisioning_hash: x\n',
      /:1:16: account_number: has no value \(check the indentation\)$/,
    ],
    [
      'no mapping',
      'account_number:8771312\n',
      /: expected a YAML mapping of keys .*got "account_number:8771312" \(a missing space after a colon\?\)$/,
    ],
    [
      'only the provisioning hash (--config given the hash file)',
      `${HASH}\n`,
      /: expected a YAML mapping of keys .*, got a single value \(not shown: it may be a secret, e.g\. the provisioning hash file\)$/,
    ],
    [
      'a digits-only secret in a *_file key',
      'account_number: 1\nprovisioning_hash_file: 8675309123456789\n',
      /:2:25: provisioning_hash_file: Invalid input: expected string, received number$/,
    ],
    ['an unknown key', 'account_number: 1\nprovisioning_hash: x\nbogus: 1\n', /:3:1: unknown key "bogus"$/],
  ])('a YAML file with %s', async (_name, text, pattern) => {
    const file = join(dir, 'collector.yml');
    writeFileSync(file, text);
    const { code, err } = await collect(['--config', file], {});
    expect(code).toBe(2);
    expectOneLine(err, pattern);
    expect(err).not.toContain('8675309123456789');
    expect(err.startsWith(`lastpass-elastic collect: ${file}`)).toBe(true);
  });
});

describe('status and report read the config file too, and name how it was given', () => {
  it.each([
    ['status', ['status']],
    ['report', ['report', 'posture']],
  ])('%s: LASTPASS_ELASTIC_CONFIG (not --config) in the one line', async (_name, argv) => {
    const t = memoryIo({ cwd: dir, env: { LASTPASS_ELASTIC_CONFIG: 'missing.yml' } });
    expect(await main(argv, t)).toBe(2);
    expectOneLine(t.err(), /: LASTPASS_ELASTIC_CONFIG: cannot read .*missing\.yml \(ENOENT\)$/);
    const f = memoryIo({ cwd: dir });
    expect(await main([...argv, '--config', 'missing.yml'], f)).toBe(2);
    expectOneLine(f.err(), /: --config: cannot read .*missing\.yml \(ENOENT\)$/);
  });
});
