import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main, memoryIo } from '../src';

// `report posture` as a user runs it: after `demo` (npm start) with no flags at all, and with bad input.
describe('lastpass-elastic report posture', () => {
  let cwd: string;
  beforeAll(async () => {
    cwd = mkdtempSync(join(tmpdir(), 'lpe-cli-report-'));
    const io = memoryIo({ cwd });
    expect(await main(['demo', '--events', '400'], io)).toBe(0);
  }, 60_000);
  afterAll(() => {
    rmSync(cwd, { recursive: true, force: true });
  });

  it('works right after `demo` with no flags: ./output/demo in, ./output/report/posture.{json,html} out', async () => {
    const io = memoryIo({ cwd });
    expect(await main(['report', 'posture'], io)).toBe(0);
    expect(io.err()).toBe('');
    const json = JSON.parse(readFileSync(join(cwd, 'output/report/posture.json'), 'utf8')) as {
      schema: string;
      source: { input_dir: string; state_dir: string };
      accounts: { account_number: string }[];
    };
    expect(json.schema).toBe('lastpass-elastic/posture@1');
    expect(json.source.input_dir).toBe(join(cwd, 'output/demo'));
    expect(json.source.state_dir).toBe(join(cwd, 'output/demo/state'));
    expect(io.out()).toMatch(
      /^account \d+: period .* coverage gap\(s\)\nwrote .*posture\.json and .*posture\.html\n$/,
    );
    expect(readFileSync(join(cwd, 'output/report/posture.html'), 'utf8')).toContain(
      `Account <span class="acct">${json.accounts[0]?.account_number ?? ''}</span>`,
    );
  });

  const bad: [string, string[], RegExp][] = [
    [
      'a missing input directory',
      ['--input-dir', 'nowhere'],
      /nowhere: no such directory; run `lastpass-elastic collect`/,
    ],
    ['an input that is a file', ['--input-dir', 'file.txt'], /file\.txt: not a directory/],
    [
      'a directory without NDJSON',
      ['--input-dir', 'empty'],
      /empty: no lastpass_enterprise\.<stream>-<namespace>\.ndjson files/,
    ],
    [
      'a missing stream',
      ['--input-dir', 'partial'],
      /partial: no lastpass_enterprise\.detailed_shared_folder-<namespace>\.ndjson/,
    ],
    ['an unknown account', ['--account', '123'], /--account 123: no documents of this account/],
    ['a bad number', ['--days', '0'], /--days: expected an integer from 1 to 3660, got "0"/],
    ['a period of a million days', ['--days', '1000000'], /--days: expected an integer from 1 to 3660/],
    [
      'a --from centuries back',
      ['--from', '1000-01-01T00:00:00Z'],
      /--from: the period 1000-01-01T00:00:00\.000Z \.\. .* is \d+ days long; at most 3660/,
    ],
    [
      'a threshold out of range',
      ['--weak-password-below', '200'],
      /--weak-password-below: expected an integer from 0 to 101/,
    ],
    [
      'a date without offset',
      ['--from', '2024-01-01'],
      /--from: expected an RFC 3339 date-time with an offset/,
    ],
    [
      'from after to',
      ['--from', '2024-02-01T00:00:00Z', '--to', '2024-01-01T00:00:00Z'],
      /--from: .* is after --to/,
    ],
    ['a bad domain', ['--company-domain', 'not a domain'], /--company-domain: expected a domain/],
    ['a bad source', ['--source', 'kafka'], /--source: expected "ndjson" or "elasticsearch"/],
    ['an unknown flag', ['--bogus'], /Unknown option '--bogus'/],
    [
      'Elasticsearch without a URL',
      ['--source', 'elasticsearch'],
      /--elasticsearch-url \(or ELASTICSEARCH_URL\): required/,
    ],
    ['an unwritable output', ['--out', 'file.txt'], /--out: cannot create .*file\.txt/],
    [
      'a state file that is not JSON',
      ['--state-dir', 'badstate'],
      /badstate\/8771312\/user\.json: state file is not valid JSON/,
    ],
  ];
  it.each(bad)('%s: one clear line, exit 2, nothing written', async (_what, flags, message) => {
    writeFileSync(join(cwd, 'file.txt'), 'x');
    mkdirSync(join(cwd, 'empty'), { recursive: true });
    mkdirSync(join(cwd, 'partial'), { recursive: true });
    writeFileSync(
      join(cwd, 'partial', 'lastpass_enterprise.user-default.ndjson'),
      readFileSync(join(cwd, 'output/demo/lastpass_enterprise.user-default.ndjson')),
    );
    mkdirSync(join(cwd, 'badstate', '8771312'), { recursive: true });
    writeFileSync(join(cwd, 'badstate', '8771312', 'user.json'), '{not json');
    const out = join(cwd, 'out-bad');
    const io = memoryIo({ cwd });
    const args = flags.includes('--out') ? flags : [...flags, '--out', out];
    expect(await main(['report', 'posture', ...args], io)).toBe(2);
    const lines = io
      .err()
      .split('\n')
      .filter((l) => l !== '');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^lastpass-elastic report: /);
    expect(lines[0]).toMatch(message);
    expect(io.out()).toBe('');
    expect(existsSync(out)).toBe(false);
  });

  it('asks for the report kind', async () => {
    const io = memoryIo({ cwd });
    expect(await main(['report'], io)).toBe(2);
    expect(io.err()).toBe(
      'lastpass-elastic report: expected a report kind: `lastpass-elastic report posture`, got nothing\n',
    );
  });

  it('an unreachable Elasticsearch is a failed run (exit 1), with one line and nothing written', async () => {
    const io = memoryIo({ cwd, env: { ELASTICSEARCH_URL: 'http://127.0.0.1:9' } });
    const out = join(cwd, 'out-es');
    expect(await main(['report', 'posture', '--source', 'elasticsearch', '--out', out], io)).toBe(1);
    expect(io.err()).toMatch(
      /^lastpass-elastic report: Elasticsearch unreachable reading logs-lastpass_enterprise\.user-\*: .*\n$/,
    );
    expect(existsSync(out)).toBe(false);
  }, 30_000);
});
