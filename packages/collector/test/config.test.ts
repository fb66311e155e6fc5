import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { inspect } from 'node:util';
import { loadPackage } from '@lastpass-elastic/package-model';
import { DEFAULTS, resolveConfig } from '../src/config/load';
import { Secret } from '../src/config/secret';
import { CollectorError } from '../src/errors';

const ROOT = resolve(__dirname, '../../..');
let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'lpe-config-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

function error(fn: () => unknown): CollectorError {
  try {
    fn();
  } catch (e) {
    if (e instanceof CollectorError) return e;
    throw e;
  }
  throw new Error('expected a CollectorError');
}

describe('config: flags > environment > file > defaults', () => {
  it('takes account keys from the file, overridden by the environment, and flags over both', () => {
    const config = file(
      'c.yml',
      'account_number: 111\nprovisioning_hash: from-file\ntime_zone: Europe/Paris\noutput_dir: file-out\nevent_report:\n  interval: 5m\n',
    );
    const c = resolveConfig(
      { config, outputDir: 'flag-out' },
      { LASTPASS_TIME_ZONE: 'Asia/Tokyo', LASTPASS_ELASTIC_OUTPUT_DIR: 'env-out' },
      dir,
    );
    expect(c.accounts).toHaveLength(1);
    expect(c.accounts[0]?.accountNumber).toBe('111');
    expect(c.accounts[0]?.timeZone).toBe('Asia/Tokyo');
    expect(c.accounts[0]?.eventReport.intervalMs).toBe(300_000);
    expect(c.outputDir).toBe(join(dir, 'flag-out'));
    expect(c.output).toBe('ndjson');
  });

  it('several accounts in one file, top-level keys as defaults', () => {
    const hash = file('hash', 'secret-from-file\n');
    const config = file(
      'c.yml',
      `time_zone: Europe/Berlin\naccounts:\n  - account_number: "1"\n    provisioning_hash_file: ${hash}\n  - account_number: "2"\n    provisioning_hash: inline\n    time_zone: UTC\n`,
    );
    const c = resolveConfig({ config }, {}, dir);
    expect(c.accounts.map((a) => [a.accountNumber, a.timeZone, a.provisioningHash.reveal()])).toEqual([
      ['1', 'Europe/Berlin', 'secret-from-file'],
      ['2', 'UTC', 'inline'],
    ]);
  });

  it('defaults equal the package manifest var defaults', () => {
    const pkg = loadPackage(ROOT);
    const varDefault = (stream: string, name: string): unknown =>
      pkg.dataStreams
        .find((d) => d.name === stream)
        ?.manifest.streams?.[0]?.vars?.find((v) => v.name === name)?.default;
    expect(varDefault('event_report', 'interval')).toBe(DEFAULTS.eventReport.interval);
    expect(varDefault('event_report', 'initial_interval')).toBe(DEFAULTS.eventReport.initial_interval);
    expect(varDefault('user', 'interval')).toBe(DEFAULTS.user.interval);
    expect(varDefault('user', 'page_size')).toBe(DEFAULTS.user.page_size);
    expect(varDefault('detailed_shared_folder', 'page_size')).toBe(DEFAULTS.detailed_shared_folder.page_size);
  });

  it.each([
    ['unknown key', 'account_number: 1\nprovisioning_hash: x\nbogus: 1\n', /unknown key "bogus"/],
    [
      'bad zone',
      'account_number: 1\nprovisioning_hash: x\ntime_zone: Mars/Olympus\n',
      /time_zone: expected an IANA time zone/,
    ],
    [
      'bad duration',
      'account_number: 1\nprovisioning_hash: x\nevent_report:\n  interval: soon\n',
      /event_report\.interval: expected a duration/,
    ],
    ['missing hash', 'account_number: 1\n', /provisioning_hash: required/],
    [
      'bad account',
      'account_number: abc\nprovisioning_hash: x\n',
      /account_number: expected the numeric account number/,
    ],
  ])('one line naming the key: %s', (_name, text, message) => {
    const e = error(() => resolveConfig({ config: file('c.yml', text) }, {}, dir));
    expect(e.code).toBe('CONFIG_INVALID');
    expect(e.usage).toBe(true);
    expect(e.message).toMatch(message);
    expect(e.message).not.toContain('\n');
  });

  it('names environment variables and flags', () => {
    const env = { LASTPASS_ACCOUNT_NUMBER: '1', LASTPASS_PROVISIONING_HASH: 'x' };
    expect(error(() => resolveConfig({}, { ...env, LASTPASS_ELASTIC_OUTPUT: 'kafka' }, dir)).message).toMatch(
      /^LASTPASS_ELASTIC_OUTPUT:/,
    );
    expect(error(() => resolveConfig({ streams: 'event_report,foo' }, env, dir)).message).toMatch(
      /^--streams: unknown stream "foo"/,
    );
    expect(
      error(() => resolveConfig({}, { ...env, ELASTICSEARCH_NAMESPACE: 'Bad-NS' }, dir)).message,
    ).toMatch(/^ELASTICSEARCH_NAMESPACE:/);
    expect(
      error(() => resolveConfig({}, { ...env, LASTPASS_ELASTIC_OUTPUT: 'elasticsearch' }, dir)).message,
    ).toMatch(/^ELASTICSEARCH_URL: required/);
  });

  it('ELASTICSEARCH_URL makes elasticsearch the default output, with API key auth', () => {
    const c = resolveConfig(
      {},
      {
        LASTPASS_ACCOUNT_NUMBER: '1',
        LASTPASS_PROVISIONING_HASH: 'x',
        ELASTICSEARCH_URL: 'https://es:9200',
        ELASTICSEARCH_API_KEY: 'k',
      },
      dir,
    );
    expect(c.output).toBe('elasticsearch');
    expect(c.elasticsearch?.auth.kind).toBe('api_key');
    expect(c.elasticsearch?.bulkMaxDocuments).toBe(5000);
    expect(c.elasticsearch?.bulkConcurrency).toBe(2);
  });

  it('bulk sizing from the file, range-checked with the field named', () => {
    const env = {
      LASTPASS_ACCOUNT_NUMBER: '1',
      LASTPASS_PROVISIONING_HASH: 'x',
      ELASTICSEARCH_URL: 'https://es:9200',
    };
    const ok = file('ok.yml', 'elasticsearch:\n  bulk_max_documents: 1000\n  bulk_concurrency: 4\n');
    const c = resolveConfig({ config: ok }, env, dir);
    expect([c.elasticsearch?.bulkMaxDocuments, c.elasticsearch?.bulkConcurrency]).toEqual([1000, 4]);
    const bad = file('bad.yml', 'elasticsearch:\n  bulk_concurrency: 0\n');
    expect(error(() => resolveConfig({ config: bad }, env, dir)).message).toMatch(
      /elasticsearch\.bulk_concurrency/,
    );
  });

  it('secrets never print', () => {
    const s = new Secret('hunter2');
    expect(`${String(s)} ${JSON.stringify({ s })} ${inspect(s)}`).not.toContain('hunter2');
    expect(s.reveal()).toBe('hunter2');
  });
});
