import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { missingDist, ROOT, SCRIPT } from './support';

interface Manifest {
  name: string;
  bin: Record<string, string>;
  files: string[];
  dependencies: Record<string, string>;
  bundleDependencies: string[];
}
interface LockEntry {
  version?: string;
  resolved?: string;
  integrity?: string;
  inBundle?: boolean;
  dev?: boolean;
  dependencies?: Record<string, string>;
}

// eslint-disable-next-line @typescript-eslint/no-unnecessary-type-parameters -- the caller names the shape it reads
const readJson = <T>(file: string): T => JSON.parse(readFileSync(file, 'utf8')) as T;
const walk = (dir: string): string[] =>
  readdirSync(dir).flatMap((name) => {
    const full = join(dir, name);
    return statSync(full).isDirectory() ? walk(full) : [full];
  });

/** Files of a published package that node never loads (declarations, TypeScript sources, source maps). */
const NOT_RUNTIME = /\.(?:[cm]?ts|tsx|map)$/;

const notBuilt = missingDist();
if (notBuilt !== null) console.log(`test/pack: skipped, ${notBuilt}`);
const describeBuilt = notBuilt === null ? describe : describe.skip;

describeBuilt('pack-cli --stage-only: the standalone package in build/cli-pack', () => {
  const out = mkdtempSync(join(tmpdir(), 'lpe-stage-'));
  const stageDir = join(out, 'cli-pack');
  afterAll(() => {
    rmSync(out, { recursive: true, force: true });
  });

  let manifest: Manifest;
  beforeAll(() => {
    const child = spawnSync(process.execPath, [SCRIPT, '--stage-only', '--out', out], { encoding: 'utf8' });
    expect(child.stderr).toBe('');
    expect(child.status).toBe(0);
    manifest = readJson<Manifest>(join(stageDir, 'package.json'));
  });

  it('has the repository layout: the bin under packages/cli, whose dist it loads', () => {
    expect(manifest.name).toBe('lastpass-elastic');
    expect(manifest.bin).toEqual({ 'lastpass-elastic': 'packages/cli/bin/lastpass-elastic.js' });
    expect(readFileSync(join(stageDir, manifest.bin['lastpass-elastic'] ?? ''), 'utf8')).toContain(
      "require('../dist/main.js')",
    );
    expect(existsSync(join(stageDir, 'packages/cli/dist/main.js'))).toBe(true);
    // pipeline/cel find the package four folders above packages/cli/dist/commands: the staged root.
    expect(existsSync(join(stageDir, 'packages/cli/dist/commands/pipeline.js'))).toBe(true);
  });

  it('bundles every workspace the command loads, with no third-party dependency of their own', () => {
    const workspaces = readJson<{ workspaces: string[] }>(join(ROOT, 'package.json')).workspaces.map(
      (dir) => readJson<{ name: string }>(join(ROOT, dir, 'package.json')).name,
    );
    const bundledWorkspaces = manifest.bundleDependencies.filter((n) => n.startsWith('@lastpass-elastic/'));
    expect(bundledWorkspaces).toEqual(workspaces.filter((n) => n !== '@lastpass-elastic/cli').sort());
    for (const name of bundledWorkspaces) {
      const dir = join(stageDir, 'node_modules', name);
      expect(existsSync(join(dir, 'dist', 'index.js'))).toBe(true);
      const deps = Object.keys(readJson<LockEntry>(join(dir, 'package.json')).dependencies ?? {});
      expect(deps.filter((d) => !d.startsWith('@lastpass-elastic/'))).toEqual([]);
      expect(manifest.dependencies[name]).toBe('0.1.0');
    }
  });

  it("pins each workspace's third-party dependency at the version package-lock.json installs", () => {
    const lock = readJson<{ packages: Record<string, LockEntry> }>(join(ROOT, 'package-lock.json'));
    for (const dir of readJson<{ workspaces: string[] }>(join(ROOT, 'package.json')).workspaces) {
      const deps = readJson<LockEntry>(join(ROOT, dir, 'package.json')).dependencies ?? {};
      for (const name of Object.keys(deps).filter((d) => !d.startsWith('@lastpass-elastic/'))) {
        const installed =
          lock.packages[`${dir}/node_modules/${name}`] ?? lock.packages[`node_modules/${name}`];
        expect([name, manifest.dependencies[name]]).toEqual([name, installed?.version]);
      }
    }
  });

  it('bundles the whole third-party run-time tree at the versions of package-lock.json: nothing left to fetch', () => {
    const shrinkwrap = readJson<{ packages: Record<string, LockEntry> }>(
      join(stageDir, 'npm-shrinkwrap.json'),
    );
    const entries = Object.entries(shrinkwrap.packages).filter(([path]) => path !== '');
    expect(entries.length).toBeGreaterThan(Object.keys(manifest.dependencies).length);
    for (const [path, e] of entries) {
      expect([path, e.inBundle]).toEqual([path, true]);
      expect([path, readJson<LockEntry>(join(stageDir, path, 'package.json')).version]).toEqual([
        path,
        e.version,
      ]);
      if (!path.startsWith('node_modules/@lastpass-elastic/'))
        expect([path, e.integrity]).toEqual([path, expect.stringMatching(/^sha\d+-/)]);
      expect(e.dev).toBeUndefined();
    }
    // every dependency is bundled, so npm installs nothing from a registry
    expect([...manifest.bundleDependencies].sort()).toEqual(Object.keys(manifest.dependencies).sort());
    for (const name of Object.keys(manifest.dependencies).filter((n) => !n.startsWith('@lastpass-elastic/')))
      expect(shrinkwrap.packages[`node_modules/${name}`]?.version).toBe(manifest.dependencies[name]);
  });

  it('leaves out what node never loads from the third-party tree (types, TypeScript sources, source maps), keeps licenses', () => {
    const thirdParty = walk(join(stageDir, 'node_modules'))
      .map((f) => relative(stageDir, f))
      .filter((f) => !f.startsWith('node_modules/@lastpass-elastic/'));
    expect(thirdParty.length).toBeGreaterThan(500);
    expect(thirdParty.filter((f) => NOT_RUNTIME.test(f))).toEqual([]);
    // every package ships its license files as installed (compared where the same version is hoisted in the repo)
    const shrinkwrap = readJson<{ packages: Record<string, LockEntry> }>(
      join(stageDir, 'npm-shrinkwrap.json'),
    );
    const licenses = (dir: string): string[] =>
      readdirSync(dir).filter((n) => /^(licen[cs]e|copying|notice)/i.test(n));
    let compared = 0;
    for (const [path, entry] of Object.entries(shrinkwrap.packages)) {
      if (path === '' || path.startsWith('node_modules/@lastpass-elastic/')) continue;
      const installed = join(ROOT, 'node_modules', path.slice(path.lastIndexOf('node_modules/') + 13));
      if (!existsSync(join(installed, 'package.json'))) continue;
      if (readJson<LockEntry>(join(installed, 'package.json')).version !== entry.version) continue;
      expect([path, licenses(join(stageDir, path))]).toEqual([path, licenses(installed)]);
      compared += 1;
    }
    expect(compared).toBeGreaterThan(30);
  });

  it('holds the integration package at its root, every data stream file included', () => {
    for (const file of ['manifest.yml', 'changelog.yml', 'LICENSE.txt', '_dev/build/build.yml'])
      expect([file, existsSync(join(stageDir, file))]).toEqual([file, true]);
    const expected = ['data_stream', 'kibana', 'docs', 'img'].flatMap((dir) =>
      walk(join(ROOT, dir))
        .map((f) => relative(ROOT, f))
        .filter((f) => !f.split('/').some((part) => part.startsWith('.'))),
    );
    expect(expected.length).toBeGreaterThan(20);
    expect(expected.filter((f) => !existsSync(join(stageDir, f)))).toEqual([]);
  });

  it('ships compiled JavaScript only, and only for sources that exist', () => {
    // our compiled code (the bundled third-party packages ship as published)
    const compiled = walk(stageDir).filter((f) =>
      /^(?:packages\/cli|node_modules\/@lastpass-elastic\/[a-z-]+)\/dist\//.test(relative(stageDir, f)),
    );
    expect(compiled.filter((f) => !f.endsWith('.js'))).toEqual([]);
    const orphans = compiled.filter((f) => {
      const rel = relative(stageDir, f);
      const [, ws, rest] =
        /^(?:packages\/cli|node_modules\/@lastpass-elastic\/([a-z-]+))\/dist\/(.+)\.js$/.exec(rel) ?? [];
      return !existsSync(join(ROOT, 'packages', ws ?? 'cli', 'src', `${rest ?? ''}.ts`));
    });
    expect(orphans).toEqual([]);
  });
});

// The real thing: npm pack, npm install -g --offline into a temporary prefix, then the installed command run
// from outside the repository (--help, demo, report posture, pipeline, check, build, simulator, setup --elasticsearch
// against the fake Elasticsearch, collect --once twice, status). 46 s on the shared 2 cores (85 s before the
// non-run-time files left the bundle: 6,481 files then, 3,114 now). Every dependency is in the tarball, so the
// offline install needs no registry and no npm cache (it never skips: npm ignores a local tarball's shrinkwrap and
// would need registry metadata, which `npm ci` does not cache).
describeBuilt(
  'pack-cli --check: the tarball installs offline and its command works outside the repository',
  () => {
    it('passes', () => {
      const out = mkdtempSync(join(tmpdir(), 'lpe-pack-'));
      try {
        const child = spawnSync(process.execPath, [SCRIPT, '--out', out, '--check'], {
          encoding: 'utf8',
          timeout: 300_000,
        });
        expect(child.stderr.replace(/^npm warn .*\n?/gm, '')).toBe('');
        expect(child.status).toBe(0);
        expect(child.stdout).toMatch(/stream=event_report fetched=300 indexed=300 duplicates=0 failed=0/);
        expect(child.stdout).toMatch(/stream=event_report fetched=0 indexed=0 /);
        expect(child.stdout).toMatch(/^pack check: ok/m);
      } finally {
        rmSync(out, { recursive: true, force: true });
      }
    }, 330_000);
  },
);
