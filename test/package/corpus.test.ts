import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { unzipSync } from 'fflate';
import { check } from '../../packages/cli/src/commands/check';
import { docs } from '../../packages/cli/src/commands/docs';
import { kibana } from '../../packages/cli/src/commands/kibana';
import { buildPackage, CHECK_RULES, checkArchive, checkPackage } from '@lastpass-elastic/package-tools';
import { memoryIo, type MemoryIo } from '@lastpass-elastic/cli';

const repo = resolve(__dirname, '..', '..');
const fixtures = join(repo, 'test', 'fixtures', 'packages');
const specDir = join(repo, '..', 'shared', 'package-spec');
const haveSpec = existsSync(join(specDir, 'spec', 'integration', 'spec.yml'));
if (!haveSpec)
  process.stdout.write(`package-spec not found at ${specDir}: schema-dependent corpus cases are skipped\n`);

const io = (): MemoryIo => memoryIo({ cwd: repo });

const specArgs = haveSpec ? ['--spec', specDir] : [];
const bad = readdirSync(fixtures)
  .filter((d) => d.startsWith('bad_'))
  .map((d) => {
    const [code = '', mode = 'source'] = readFileSync(join(fixtures, d, '.expected'), 'utf8')
      .trim()
      .split(' ');
    return { dir: d, code, mode };
  });

describe('bad-package corpus (lastpass-elastic check)', () => {
  it('has a fixture for every rule (ARCHIVE is proven on zips in package-tools units)', () => {
    const covered = new Set(bad.map((b) => b.code));
    const codes = Object.keys(CHECK_RULES);
    expect(codes.filter((c) => !covered.has(c))).toEqual(['ARCHIVE']);
    expect([...covered].filter((c) => !codes.includes(c))).toEqual([]);
  });

  // Without the package-spec the SPEC_ cases are reported as skipped (npm test counts them), not as passed.
  const runs = (code: string): boolean => haveSpec || !code.startsWith('SPEC_');
  it.each(bad.filter((b) => runs(b.code)))('$dir fails with $code', async ({ dir, code, mode }) => {
    const t = io();
    const exit = await check.run(['--root', join(fixtures, dir), '--mode', mode, ...specArgs], t);
    expect(exit).toBe(1);
    expect(t.out()).toMatch(new RegExp(`^${code} \\S+`, 'm'));
  });
  const skipped = bad.filter((b) => !runs(b.code));
  if (skipped.length > 0)
    it.skip.each(skipped)('$dir fails with $code (needs ../shared/package-spec)', () => undefined);

  it('good_minimal passes', async () => {
    const t = io();
    expect(await check.run(['--root', join(fixtures, 'good_minimal'), ...specArgs], t)).toBe(0);
    expect(t.out()).toMatch(/: ok;/);
  });

  it('reads each saved object once: a tag with a unique name is not a duplicate', () => {
    const dir = mkdtempSync(join(tmpdir(), 'lpe-tag-'));
    cpSync(join(fixtures, 'good_minimal'), dir, { recursive: true });
    mkdirSync(join(dir, 'kibana', 'tag'), { recursive: true });
    writeFileSync(
      join(dir, 'kibana', 'tag', 'fixture_pkg-security.json'),
      JSON.stringify({
        id: 'fixture_pkg-security',
        type: 'tag',
        attributes: { name: 'Security', color: '#ff0000', description: '' },
        references: [],
      }),
    );
    expect(checkPackage(dir, { specDir: haveSpec ? specDir : null }).findings).toEqual([]);
  });

  it('still runs the semantic rules without package-spec, with a notice', () => {
    const result = checkPackage(join(fixtures, 'bad_pipeline_tag'), { specDir: null });
    expect(result.ran.schema).toBe(false);
    expect(result.notices.join('\n')).toMatch(/package-spec not found/);
    expect(result.findings.map((f) => f.code)).toContain('PIPELINE_TAG');
  });
});

describe('the real package', () => {
  it('passes check in source mode, docs included', async () => {
    const t = io();
    const exit = await check.run(['--root', repo, ...specArgs], t);
    expect(t.out()).toMatch(/check \(source mode\) .*: ok;/);
    expect(exit).toBe(0);
  });

  it('docs --check agrees that docs/README.md is current', async () => {
    expect(await docs.run(['--root', repo, '--check'], io())).toBe(0);
  });

  it('kibana --check agrees that kibana/ is what _dev/shared/kibana/ generates, and says which file drifted', async () => {
    expect(await kibana.run(['--root', repo, '--check'], io())).toBe(0);
    const copy = mkdtempSync(join(tmpdir(), 'lpe-kibana-'));
    for (const entry of ['manifest.yml', 'changelog.yml', 'data_stream', 'elasticsearch', 'kibana', '_dev'])
      cpSync(join(repo, entry), join(copy, entry), { recursive: true });
    const dashboard = join(copy, 'kibana', 'dashboard', 'lastpass_enterprise-authentication.json');
    writeFileSync(
      dashboard,
      readFileSync(dashboard, 'utf8').replace('Failed logins by user', 'Failed logins per user'),
    );
    const t = io();
    expect(await kibana.run(['--root', copy, '--check'], t)).toBe(1);
    expect(t.out()).toBe('stale kibana/dashboard/lastpass_enterprise-authentication.json\n');
    expect(t.err()).toMatch(/run `lastpass-elastic kibana`/);
    expect(await kibana.run(['--root', copy], io())).toBe(0);
    expect(await kibana.run(['--root', copy, '--check'], io())).toBe(0);
  });

  it('builds a reproducible zip that passes build-mode check and the archive rules', () => {
    const out = mkdtempSync(join(tmpdir(), 'lpe-build-'));
    const first = buildPackage(repo, { outDir: out, specDir: haveSpec ? specDir : null });
    const bytes = readFileSync(first.zipPath);
    const second = buildPackage(repo, { outDir: out, specDir: haveSpec ? specDir : null });
    expect(readFileSync(second.zipPath).equals(bytes)).toBe(true);
    expect(first.zipPath).toMatch(/lastpass_enterprise-\d+\.\d+\.\d+\.zip$/);
    const entries = Object.keys(unzipSync(bytes));
    const top = entries[0]?.split('/')[0] ?? '';
    expect(top).toMatch(/^lastpass_enterprise-/);
    expect(entries.every((e) => e.startsWith(`${top}/`))).toBe(true);
    for (const forbidden of [
      '/packages/',
      '/node_modules/',
      '/test/',
      '/_dev/',
      '/scripts/',
      '/output/',
      '/build/',
    ]) {
      expect(entries.filter((e) => e.includes(forbidden))).toEqual([]);
    }
    const zipped = unzipSync(bytes);
    for (const [name, data] of Object.entries(zipped)) {
      if (/\/fields\/[^/]+\.yml$/.test(name))
        expect(Buffer.from(data).toString('utf8')).not.toMatch(/external:/);
    }
    expect(checkArchive(bytes, 'lastpass_enterprise', top.slice('lastpass_enterprise-'.length))).toEqual([]);
    const built = checkPackage(first.treeDir, { mode: 'build', specDir: haveSpec ? specDir : null });
    expect(built.findings).toEqual([]);
  });
});
