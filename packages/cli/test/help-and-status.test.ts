// `collect --help` describes every flag and names every environment variable the collector reads;
// `setup --help` states the real --out default; `status --json` gives the lag in seconds (issue #15 item 16).
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { COLLECT_FLAGS } from '../src/commands/collect';
import { main, memoryIo } from '../src';

const COLLECTOR_SRC = resolve(__dirname, '..', '..', 'collector', 'src');

async function help(command: string): Promise<string> {
  const t = memoryIo({ cwd: process.cwd() });
  expect(await main([command, '--help'], t)).toBe(0);
  return t.out();
}

describe('--help', () => {
  it("lastpass-elastic --help lists every exit code, collect's 3 and 75 included", async () => {
    const t = memoryIo({ cwd: process.cwd() });
    expect(await main(['--help'], t)).toBe(0);
    expect(t.out()).toMatch(
      /^Exit codes: 0 success, 1 the work failed, 2 bad usage or configuration; collect: 3 LastPass refused the credentials, 75 another collector holds the state directory\.$/m,
    );
  });

  it('collect: a description line for every flag', async () => {
    const text = await help('collect');
    for (const flag of Object.keys(COLLECT_FLAGS))
      expect([flag, text]).toEqual([flag, expect.stringMatching(new RegExp(`^  --${flag} +\\S`, 'm'))]);
  });

  it('collect: every environment variable the collector reads', async () => {
    const text = await help('collect');
    const sources = ['config/load.ts', 'sink/package-root.ts'].map((f) =>
      readFileSync(join(COLLECTOR_SRC, f), 'utf8'),
    );
    const read = new Set(
      sources.flatMap((s) =>
        [...s.matchAll(/'((?:LASTPASS|ELASTICSEARCH)_[A-Z_]+)'/g)].map((m) => m[1] ?? ''),
      ),
    );
    read.add('LASTPASS_ELASTIC_PACKAGE_DIR');
    expect(read.size).toBeGreaterThan(15);
    expect([...read].filter((name) => !new RegExp(`\\b${name}\\b`).test(text))).toEqual([]);
    expect(text).toMatch(/3 LastPass refused the account number or provisioning hash/);
    expect(text).toMatch(/75 another collector holds the state directory's lock/);
  });

  it('setup: --out says where the zip goes without it (a new temporary folder), and KIBANA_API_KEY is listed', async () => {
    const text = await help('setup');
    expect(text).toMatch(
      /--out <dir> +build the zip into <dir> and keep it \(default: a new temporary folder\)/,
    );
    expect(text).toMatch(/KIBANA_API_KEY\(_FILE\), which wins over the ELASTICSEARCH_\* credentials/);
  });
});

describe('status --json', () => {
  it('gives lag_seconds, a number, next to the text lag', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lpe-status-'));
    try {
      mkdirSync(join(dir, '8771312'), { recursive: true });
      const upper = new Date(Date.now() - 3_725_000).toISOString();
      writeFileSync(
        join(dir, '8771312', 'event_report.json'),
        JSON.stringify({
          format: 'lastpass-elastic/state@1',
          account_number: '8771312',
          stream: 'event_report',
          updated_at: upper,
          cursor: { upper, upper_local: '2024-01-01 00:00:00', recent_calls: [] },
          health: {
            last_success: upper,
            last_error: null,
            dead_letters: 0,
            totals: { fetched: 0, indexed: 0, duplicates: 0, failed: 0, api_calls: 0 },
            notes: {},
          },
        }),
      );
      const t = memoryIo({ cwd: dir });
      expect(await main(['status', '--json', '--state-dir', dir], t)).toBe(0);
      const rows = JSON.parse(t.out()) as { lag: string; lag_seconds: number }[];
      expect(rows).toHaveLength(1);
      expect(rows[0]?.lag_seconds).toBeGreaterThanOrEqual(3725);
      expect(rows[0]?.lag_seconds).toBeLessThan(3725 + 60);
      expect(rows[0]?.lag).toMatch(/^1h2m/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
