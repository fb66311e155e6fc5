import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

// Which workspaces a fresh `node` process has loaded after loading the built CLI and, optionally, running one
// command through `main`. Runs the build (dist), as `lastpass-elastic` does: `npm run build:ts` first.
const repoRoot = resolve(__dirname, '..', '..', '..');
const cliDist = join(repoRoot, 'packages', 'cli', 'dist', 'index.js');

const PROBE = `
const { relative, sep } = require('node:path');
const { main, memoryIo } = require(process.argv[1]);
const [root, argvJson] = process.argv.slice(2);
const argv = JSON.parse(argvJson);
(async () => {
  const code = argv.length === 0 ? null : await main(argv, memoryIo({ cwd: root }));
  const workspaces = new Set();
  for (const file of Object.keys(require.cache)) {
    const parts = relative(root, file).split(sep);
    if (parts[0] === 'packages' && parts[1] !== undefined) workspaces.add(parts[1]);
  }
  process.stdout.write(JSON.stringify({ code, workspaces: [...workspaces].sort() }));
})();
`;

function probe(argv: readonly string[]): { code: number | null; workspaces: string[] } {
  const run = spawnSync(process.execPath, ['-e', PROBE, cliDist, repoRoot, JSON.stringify(argv)], {
    encoding: 'utf8',
    env: { PATH: process.env['PATH'] ?? '' },
  });
  if (run.status !== 0) throw new Error(`probe failed (${String(run.status)}): ${run.stderr}`);
  return JSON.parse(run.stdout) as { code: number | null; workspaces: string[] };
}

const HEAVY = ['ingest', 'package-tools', 'simulator', 'cel-harness'];

describe('the CLI loads a workspace only when a command that uses it runs', () => {
  beforeAll(() => {
    if (!existsSync(cliDist)) throw new Error(`${cliDist} is missing: run \`npm run build:ts\` first`);
  });

  it('loading the CLI loads no other workspace', () => {
    expect(probe([]).workspaces).toEqual(['cli']);
  });

  it('--help and a command’s --help load no other workspace', () => {
    expect(probe(['--help'])).toEqual({ code: 0, workspaces: ['cli'] });
    expect(probe(['collect', '--help'])).toEqual({ code: 0, workspaces: ['cli'] });
  });

  it('status on an empty state dir loads the collector, but no ingest, package-tools, simulator or cel-harness', () => {
    const stateDir = mkdtempSync(join(tmpdir(), 'lpe-lazy-status-'));
    const { code, workspaces } = probe(['status', '--state-dir', stateDir]);
    expect(code).toBe(0);
    expect(workspaces).toContain('collector');
    for (const name of HEAVY) expect(workspaces).not.toContain(name);
  });

  it('report posture loads the report and the collector (state schema), but no ingest, package-tools, simulator or cel-harness', () => {
    const empty = mkdtempSync(join(tmpdir(), 'lpe-lazy-report-'));
    const { code, workspaces } = probe([
      'report',
      'posture',
      '--input-dir',
      empty,
      '--out',
      join(empty, 'out'),
    ]);
    expect(code).toBe(2); // no data: the readers ran
    expect(workspaces).toEqual(expect.arrayContaining(['report', 'collector']));
    for (const name of HEAVY) expect(workspaces).not.toContain(name);
  });

  it('a command loads its own workspace when it needs it (the probe sees dynamic imports)', () => {
    const { code, workspaces } = probe(['conformance', '--help']);
    expect(code).toBe(0);
    expect(workspaces).toContain('ingest');
    for (const name of ['package-tools', 'simulator', 'cel-harness', 'collector'])
      expect(workspaces).not.toContain(name);
  });
});
