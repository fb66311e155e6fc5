#!/usr/bin/env node
// Packs the `lastpass-elastic` command into one npm tarball that installs outside the repository:
//   npm run pack:cli                      -> build/lastpass-elastic-<version>.tgz
//   npm install -g ./build/lastpass-elastic-<version>.tgz
//
// The installed package has the repository's layout, so every run-time lookup that works in a clone
// works unchanged once installed (the collector walks up from its code to a folder holding the
// lastpass_enterprise manifest.yml; `pipeline`/`cel` take the folder four levels above
// packages/cli/dist/commands):
//   manifest.yml, changelog.yml, LICENSE.txt, data_stream/, kibana/, docs/, img/, _dev/build/  the integration package
//   packages/cli/{bin,dist}                                                                   the command
//   node_modules/@lastpass-elastic/<workspace>/{package.json,dist}                            bundled (bundleDependencies)
//   node_modules/<third party>/…                            bundled too: the run-time tree of package-lock.json
//                                                           (without .d.ts/.ts sources and source maps)
//   npm-shrinkwrap.json                                     that tree's versions and integrity hashes (a record)
// Every dependency is bundled, at the version package-lock.json installs, so the tarball installs with no
// registry and no npm cache (`npm install -g --offline ./x.tgz` on a fresh machine). npm ignores the
// npm-shrinkwrap.json of a local tarball (it would re-resolve transitive dependencies from the registry by
// range, and fetch their metadata, which `npm ci` never caches): bundling is what pins them.
//
// Flags: --stage-only (stop after build/cli-pack/), --out <dir> (default build/), --check (after packing,
// install the tarball offline into a temporary prefix and run the command from outside the repository).
import { execFileSync, spawn } from 'node:child_process';
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { builtinModules, createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';

const ROOT = resolve(dirname(new URL(import.meta.url).pathname), '..');
const SCOPE = '@lastpass-elastic/';
const CLI = `${SCOPE}cli`;
/** The integration package's run-time files: the build allowlist (one list, in package-tools) plus `_dev/build`,
 * which `docs` and `build` read. Needs the compiled workspaces (`npm run build:ts`, done by `pack:cli`). */
const { BUILD_ALLOWLIST } = createRequire(import.meta.url)(
  join(ROOT, 'packages/package-tools/dist/index.js'),
);
const PACKAGE_FILES = [...BUILD_ALLOWLIST, '_dev/build'];

class PackError extends Error {}
const fail = (message) => {
  throw new PackError(message);
};
const readJson = (file) => JSON.parse(readFileSync(file, 'utf8'));
const writeJson = (file, value) => writeFileSync(file, `${JSON.stringify(value, null, 2)}\n`);

function walk(dir) {
  return readdirSync(dir).flatMap((name) => {
    const full = join(dir, name);
    return statSync(full).isDirectory() ? walk(full) : [full];
  });
}

const BUILTINS = new Set(builtinModules);
/**
 * Files of a published package that node never loads: `.d.ts` and other TypeScript sources, source maps
 * (`--enable-source-maps` ignores a missing one). Half the files and half the bytes of the third-party tree,
 * so half the work of `npm pack` and of the install; licenses, READMEs and package.json stay.
 */
const NOT_RUNTIME = /\.(?:[cm]?ts|tsx|map)$/;
/**
 * The compiled files of a workspace: `dist/**.js` whose `src/**.ts` exists (tsc -b leaves the output of
 * deleted sources behind; those never ship). Paths relative to `dist/`.
 */
function distFiles(wsDir) {
  const dist = join(wsDir, 'dist');
  return walk(dist)
    .map((file) => relative(dist, file))
    .filter((rel) => rel.endsWith('.js') && existsSync(join(wsDir, 'src', rel.replace(/\.js$/, '.ts'))))
    .sort();
}

/** Bare module names the compiled files require or import() lazily (CommonJS output of tsc). */
function requiredModules(wsDir, files) {
  const names = new Set();
  for (const rel of files) {
    const code = readFileSync(join(wsDir, 'dist', rel), 'utf8');
    for (const m of code.matchAll(/\b(?:require(?:\.resolve)?|import)\(\s*["']([^"'.][^"']*)["']\s*\)/g)) {
      const spec = m[1];
      if (spec.startsWith('node:') || BUILTINS.has(spec.split('/')[0])) continue;
      names.add(spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0]);
    }
  }
  return names;
}

/** The workspaces by package name: { dir (repo-relative), manifest, requires }. */
function readWorkspaces(root) {
  const map = new Map();
  for (const dir of readJson(join(root, 'package.json')).workspaces) {
    const manifest = readJson(join(root, dir, 'package.json'));
    if (!existsSync(join(root, dir, 'dist'))) fail(`${dir}/dist is missing: run \`npm run build:ts\` first`);
    const files = distFiles(join(root, dir));
    map.set(manifest.name, { dir, manifest, files, requires: requiredModules(join(root, dir), files) });
  }
  if (!map.has(CLI)) fail(`no ${CLI} workspace`);
  return map;
}

/** Where node would find `name` from lock location `from` (nearest node_modules upwards), in lock keys. */
function resolveInLock(packages, from, name) {
  for (let at = from; ;) {
    const key = at === '' ? `node_modules/${name}` : `${at}/node_modules/${name}`;
    if (packages[key] !== undefined) return packages[key].link ? packages[key].resolved : key;
    if (at === '') return undefined;
    const cut = at.lastIndexOf('/node_modules/');
    at = cut >= 0 ? at.slice(0, cut) : '';
  }
}

const registryTarball = (name, version) =>
  `https://registry.npmjs.org/${name}/-/${name.slice(name.indexOf('/') + 1)}-${version}.tgz`;
const identity = (entry) => `${entry.version} ${entry.integrity ?? entry.resolved ?? ''}`;
const lockName = (key) => key.slice(key.lastIndexOf('node_modules/') + 'node_modules/'.length);
const edgesOf = (entry) => ({
  ...entry.peerDependencies,
  ...entry.optionalDependencies,
  ...entry.dependencies,
});

/**
 * The run-time third-party tree: from the workspaces' declared dependencies, every package they reach
 * in package-lock.json, laid out again for a root that has only them (hoisted where one version is
 * needed, nested under the dependent where two are), then checked: every edge of the new tree resolves
 * by node's rules to the same version and integrity as in the lock.
 */
export function runtimeTree(lock, workspaces) {
  const packages = lock.packages;
  const direct = new Map(); // name -> lock key
  for (const { dir, dependencies } of workspaces) {
    for (const name of Object.keys(dependencies ?? {})) {
      if (name.startsWith(SCOPE)) continue;
      const key =
        resolveInLock(packages, dir, name) ??
        fail(`package-lock.json: ${dir} needs ${name}, which is not installed: run npm install`);
      const seen = direct.get(name);
      if (seen !== undefined && identity(packages[seen]) !== identity(packages[key]))
        fail(
          `the workspaces need two versions of ${name} (${packages[seen].version}, ${packages[key].version}): align them`,
        );
      direct.set(name, key);
    }
  }
  // New layout: path -> lock key. Direct dependencies first, so they own the top level.
  const placed = new Map();
  const queue = [];
  const place = (path, key) => {
    placed.set(path, key);
    queue.push(path);
  };
  for (const [name, key] of [...direct].sort(([a], [b]) => a.localeCompare(b)))
    place(`node_modules/${name}`, key);
  const lookup = (from, name) => {
    for (let at = from; ;) {
      const path = `${at}/node_modules/${name}`;
      if (placed.has(path)) return path;
      const cut = at.lastIndexOf('/node_modules/');
      if (cut < 0) return placed.has(`node_modules/${name}`) ? `node_modules/${name}` : undefined;
      at = at.slice(0, cut);
    }
  };
  while (queue.length > 0) {
    const path = queue.shift();
    const key = placed.get(path);
    const entry = packages[key];
    for (const [name, range] of Object.entries(edgesOf(entry))) {
      const target = resolveInLock(packages, key, name);
      if (target === undefined) {
        const optional =
          entry.optionalDependencies?.[name] !== undefined || entry.peerDependenciesMeta?.[name]?.optional;
        if (optional) continue;
        fail(`package-lock.json: ${key} needs ${name}@${range}, which is not installed`);
      }
      const found = lookup(path, name);
      if (found !== undefined && identity(packages[placed.get(found)]) === identity(packages[target]))
        continue;
      if (found === undefined) place(`node_modules/${name}`, target);
      else place(`${path}/node_modules/${name}`, target);
    }
  }
  // Check the layout against the lock, edge by edge.
  for (const [path, key] of placed) {
    const entry = packages[key];
    for (const name of Object.keys(edgesOf(entry))) {
      const target = resolveInLock(packages, key, name);
      if (target === undefined) continue;
      const found = lookup(path, name);
      if (found === undefined || identity(packages[placed.get(found)]) !== identity(packages[target]))
        fail(`layout error: ${path} would load ${name} from ${found ?? 'nowhere'}, the lock has ${target}`);
    }
  }
  const tree = {};
  for (const path of [...placed.keys()].sort()) {
    const { dev, devOptional, peer, ...entry } = packages[placed.get(path)];
    if (devOptional) entry.optional = true;
    // Without `resolved` (omit-lockfile-registry-resolved) npm extracts a shrinkwrapped dependency's
    // tree as empty folders; npm maps this public address to the configured registry (replace-registry-host).
    entry.resolved ??= registryTarball(lockName(placed.get(path)), entry.version);
    tree[path] = {
      version: entry.version,
      resolved: entry.resolved,
      ...Object.fromEntries(Object.entries(entry).filter(([k]) => k !== 'version' && k !== 'resolved')),
    };
  }
  const dependencies = Object.fromEntries(
    [...direct].sort(([a], [b]) => a.localeCompare(b)).map(([name, key]) => [name, packages[key].version]),
  );
  return {
    dependencies,
    tree,
    sources: Object.fromEntries([...placed].sort(([a], [b]) => a.localeCompare(b))),
  };
}

/** Stages the standalone package in `stageDir`; returns its package.json. */
export function stage(root, stageDir) {
  const workspaces = readWorkspaces(root);
  // The workspaces the command needs, from what their compiled code requires (declared or not).
  const needed = new Set([CLI]);
  for (const name of needed)
    for (const mod of workspaces.get(name).requires) {
      if (mod.startsWith(SCOPE)) {
        if (!workspaces.has(mod))
          fail(`${workspaces.get(name).dir} requires ${mod}, which is not a workspace`);
        needed.add(mod);
        continue;
      }
      const ws = workspaces.get(name);
      if (ws.manifest.dependencies?.[mod] === undefined)
        fail(`${ws.dir}/dist requires ${mod}, which ${ws.dir}/package.json does not declare`);
    }
  const bundled = [...needed].filter((n) => n !== CLI).sort();
  const lock = readJson(join(root, 'package-lock.json'));
  const { dependencies, tree, sources } = runtimeTree(
    lock,
    [...needed].map((n) => ({
      dir: workspaces.get(n).dir,
      dependencies: workspaces.get(n).manifest.dependencies,
    })),
  );

  rmSync(stageDir, { recursive: true, force: true });
  mkdirSync(stageDir, { recursive: true });
  const copyDist = (ws, to) => {
    for (const rel of ws.files) {
      mkdirSync(dirname(join(to, rel)), { recursive: true });
      cpSync(join(root, ws.dir, 'dist', rel), join(to, rel));
    }
  };
  const files = [];
  for (const rel of PACKAGE_FILES) {
    if (!existsSync(join(root, rel))) continue;
    cpSync(join(root, rel), join(stageDir, rel), {
      recursive: true,
      filter: (src) => !/(^|\/)\./.test(relative(root, src)),
    });
    files.push(rel);
  }
  if (!files.includes('manifest.yml') || !files.includes('data_stream'))
    fail('the repository root holds no integration package');
  const cli = workspaces.get(CLI);
  const binEntries = Object.entries(cli.manifest.bin ?? {});
  if (binEntries.length === 0) fail(`${cli.dir}/package.json has no bin`);
  cpSync(join(root, cli.dir, 'bin'), join(stageDir, 'packages/cli/bin'), { recursive: true });
  copyDist(cli, join(stageDir, 'packages/cli/dist'));
  files.push('packages');
  for (const name of bundled) {
    const ws = workspaces.get(name);
    const target = join(stageDir, 'node_modules', name);
    copyDist(ws, join(target, 'dist'));
    // Third-party dependencies stay with the top-level package: npm counts the dependencies of a bundled
    // package as part of the bundle and would never install them.
    const { devDependencies, scripts, files: _files, types, dependencies: deps, ...manifest } = ws.manifest;
    const own = Object.fromEntries(Object.entries(deps ?? {}).filter(([n]) => n.startsWith(SCOPE)));
    writeJson(join(target, 'package.json'), { ...manifest, dependencies: own });
  }

  // The third-party tree, copied from the installed node_modules in the lock's layout for this root: bundled,
  // so the tarball installs without a registry or npm cache (npm ignores the npm-shrinkwrap.json of a local
  // tarball and would resolve every transitive dependency from the registry, by range, again).
  for (const [path, key] of Object.entries(sources)) {
    const from = join(root, key);
    if (!existsSync(join(from, 'package.json')))
      fail(`${key} is in package-lock.json but not installed: run npm ci`);
    const installed = readJson(join(from, 'package.json')).version;
    if (installed !== tree[path].version)
      fail(`${key}: node_modules holds ${installed}, package-lock.json ${tree[path].version}: run npm ci`);
    cpSync(from, join(stageDir, path), {
      recursive: true,
      // nested node_modules are placed by the layout, each from its own lock entry; what node never loads
      // (type declarations, TypeScript sources, source maps) stays out
      filter: (src) => !relative(from, src).split('/').includes('node_modules') && !NOT_RUNTIME.test(src),
    });
  }
  const thirdParty = Object.keys(dependencies);

  const rootManifest = readJson(join(root, 'package.json'));
  const manifest = {
    name: 'lastpass-elastic',
    version: rootManifest.version,
    description: rootManifest.description,
    license: rootManifest.license,
    engines: rootManifest.engines,
    bin: Object.fromEntries(
      binEntries.map(([name, file]) => [name, `packages/cli/${file.replace(/^\.\//, '')}`]),
    ),
    files,
    dependencies: {
      ...dependencies,
      ...Object.fromEntries(bundled.map((n) => [n, workspaces.get(n).manifest.version])),
    },
    bundleDependencies: [...bundled, ...thirdParty].sort(),
  };
  writeJson(join(stageDir, 'package.json'), manifest);
  const workspaceEntries = Object.fromEntries(
    bundled.map((n) => {
      const {
        name: _n,
        private: _p,
        main: _m,
        ...rest
      } = readJson(join(stageDir, 'node_modules', n, 'package.json'));
      return [`node_modules/${n}`, { ...rest, inBundle: true }];
    }),
  );
  const { files: _f, description: _d, ...rootEntry } = manifest;
  writeJson(join(stageDir, 'npm-shrinkwrap.json'), {
    name: manifest.name,
    version: manifest.version,
    lockfileVersion: 3,
    requires: true,
    packages: {
      '': rootEntry,
      ...workspaceEntries,
      ...Object.fromEntries(
        Object.entries(tree).map(([path, entry]) => [path, { ...entry, inBundle: true }]),
      ),
    },
  });
  writeFileSync(
    join(stageDir, 'README.md'),
    [
      '# lastpass-elastic',
      '',
      'The `lastpass-elastic` command (LastPass Enterprise for Elastic) with the `lastpass_enterprise`',
      'integration package it runs bundled at the root of this npm package.',
      '',
      '```sh',
      'npm install -g ./lastpass-elastic-<version>.tgz',
      'lastpass-elastic --help',
      '```',
      '',
      'See the README of the source repository for configuration, `setup`, `collect`, the exit codes and upgrades.',
      '',
    ].join('\n'),
  );
  return manifest;
}

function npm(args, cwd) {
  return execFileSync('npm', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

/** `npm pack` of the staged folder into `outDir`; returns the tarball path. */
export function pack(stageDir, outDir) {
  const out = npm(['pack', '--json', '--pack-destination', outDir], stageDir);
  const [info] = JSON.parse(out);
  return {
    tarball: join(outDir, info.filename),
    size: info.size,
    unpackedSize: info.unpackedSize,
    entries: info.entryCount,
  };
}

/** A raw event-report document (contracts §3) for the `pipeline` smoke run. */
const SAMPLE_EVENT = {
  message: JSON.stringify({
    Time: '2024-06-01 12:00:00',
    Username: 'ana@example.com',
    IP_Address: '192.0.2.1',
    Action: 'Log in',
    Data: 'LastPass via Firefox',
  }),
};
const SIMULATED_EVENTS = 300;
const HASH = 'pack-check-provisioning-hash-0123456789';
/** A test instrument, not the product under test: the repository's fake Elasticsearch on a free port. */
const FAKE_ELASTICSEARCH = `require(${JSON.stringify(join(ROOT, 'packages/ingest/dist/index.js'))})
  .startFakeElasticsearch({ port: 0 }).then((es) => console.log('listening on ' + es.url));`;

/** Runs a command to completion; resolves its stdout when it exits 0, else rejects with a PackError. */
function run(file, args, { cwd, env, input }) {
  return new Promise((resolveRun, reject) => {
    const child = spawn(file, args, { cwd, env, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code) =>
      code === 0
        ? resolveRun(stdout)
        : reject(new PackError(`lastpass-elastic ${args.join(' ')}: exit ${code}: ${stderr.trim()}`)),
    );
    child.stdin.end(input ?? '');
  });
}

/** Starts a server process and resolves the URL it prints (`listening on <url>`). */
function serve(file, args, { cwd, env }) {
  const child = spawn(file, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
  const url = new Promise((resolveUrl, reject) => {
    let out = '';
    child.stdout.on('data', (chunk) => {
      out += chunk;
      const m = /listening on (\S+)/.exec(out);
      if (m !== null) resolveUrl(m[1]);
    });
    child.on('error', reject);
    child.on('close', (code) => reject(new PackError(`${args.join(' ')} exited (${code}) before listening`)));
  });
  return { child, url };
}

/**
 * Installs the tarball offline (npm's cache only) into a fresh prefix and runs the installed command from a
 * folder outside the repository: --help, demo, report posture (of the demo), pipeline (one document), check and build of the bundled
 * package, then simulator + setup --elasticsearch + collect --once (twice) + status against the fake
 * Elasticsearch. Returns what it saw; throws a PackError on the first thing that is wrong.
 */
export async function check(tarball) {
  const work = mkdtempSync(join(tmpdir(), 'lastpass-elastic-pack-'));
  const servers = [];
  try {
    const prefix = join(work, 'prefix');
    const started = Date.now();
    // Offline and with an empty npm cache: the tarball must hold everything (a fresh machine, no registry).
    const cache = join(work, 'npm-cache');
    npm(
      [
        'install',
        '-g',
        '--prefix',
        prefix,
        '--offline',
        '--cache',
        cache,
        '--no-audit',
        '--no-fund',
        tarball,
      ],
      work,
    );
    const installMs = Date.now() - started;
    const installed = join(prefix, 'lib', 'node_modules', 'lastpass-elastic');
    const bin = join(prefix, 'bin', 'lastpass-elastic');
    const cwd = join(work, 'cwd');
    mkdirSync(cwd);
    const hashFile = join(work, 'hash');
    writeFileSync(hashFile, HASH);
    const env = { PATH: process.env.PATH, HOME: work };
    const cli = (args, extra = {}) =>
      run(bin, args, { cwd, env: { ...env, ...extra.env }, input: extra.input });
    const expect = (what, ok) => {
      if (!ok) fail(`installed command: ${what}`);
    };
    const outputs = [];
    const seen = (text) => (outputs.push(text), text);

    const help = seen(await cli(['--help']));
    for (const command of [
      'check',
      'build',
      'docs',
      'setup',
      'pipeline',
      'simulator',
      'collect',
      'demo',
      'status',
      'report',
    ])
      expect(`--help does not list ${command}`, new RegExp(`^  ${command} `, 'm').test(help));
    const demo = seen(await cli(['demo', '--events', '500']));
    expect(
      `demo did not index every event exactly once:\n${demo}`,
      /indexed 500 \(exactly once\)/.test(demo),
    );
    const report = seen(await cli(['report', 'posture']));
    expect(
      `report posture did not read the demo's output:\n${report}`,
      /^account 8771312: period /m.test(report) && existsSync(join(cwd, 'output', 'report', 'posture.html')),
    );
    const piped = seen(
      await cli(
        [
          'pipeline',
          '--data-stream',
          'event_report',
          '--account-number',
          '8771312',
          '--time-zone',
          'America/New_York',
        ],
        {
          input: `${JSON.stringify(SAMPLE_EVENT)}\n`,
        },
      ),
    );
    const doc = JSON.parse(piped.trim());
    expect(
      `pipeline did not make a clean document: ${piped}`,
      typeof doc._id === 'string' && doc._source?.error === undefined && doc._source?.event?.id === doc._id,
    );
    const checked = seen(await cli(['check', '--root', installed]));
    const built = seen(await cli(['build', '--root', installed, '--out', join(work, 'zip')]));

    const es = serve(process.execPath, ['-e', FAKE_ELASTICSEARCH], { cwd, env });
    servers.push(es.child);
    const sim = serve(
      bin,
      [
        'simulator',
        '--port',
        '0',
        '--events',
        String(SIMULATED_EVENTS),
        '--provisioning-hash-file',
        hashFile,
      ],
      { cwd, env },
    );
    servers.push(sim.child);
    const collectEnv = {
      ELASTICSEARCH_URL: await es.url,
      LASTPASS_URL: await sim.url,
      LASTPASS_ACCOUNT_NUMBER: '8771312',
      LASTPASS_PROVISIONING_HASH_FILE: hashFile,
    };
    const setup = seen(await cli(['setup', '--elasticsearch', '--root', installed], { env: collectEnv }));
    expect(`setup --elasticsearch: ${setup}`, /3 data streams/.test(setup));
    const first = seen(
      await cli(['collect', '--once', '--since', '2020-01-01T00:00:00Z'], { env: collectEnv }),
    );
    const indexed = (text) => /stream=event_report fetched=\d+ indexed=(\d+) /.exec(text)?.[1];
    expect(
      `collect did not index ${SIMULATED_EVENTS} events: ${first}`,
      indexed(first) === String(SIMULATED_EVENTS),
    );
    const second = seen(await cli(['collect', '--once'], { env: collectEnv }));
    expect(`the second collect indexed again: ${second}`, indexed(second) === '0');
    const status = seen(await cli(['status'], { env: collectEnv }));
    expect(`status: ${status}`, /event_report/.test(status));
    expect('the provisioning hash appears in an output', !outputs.some((text) => text.includes(HASH)));
    return {
      installMs,
      pipeline: doc,
      report: report.trim(),
      check: checked.trim(),
      build: built.trim(),
      setup: setup.trim(),
      collect: first.trim(),
      again: second.trim(),
    };
  } finally {
    for (const child of servers) child.kill();
    rmSync(work, { recursive: true, force: true });
  }
}

async function main() {
  const { values } = parseArgs({
    options: { 'stage-only': { type: 'boolean' }, out: { type: 'string' }, check: { type: 'boolean' } },
  });
  const outDir = resolve(values.out ?? join(ROOT, 'build'));
  const stageDir = join(outDir, 'cli-pack');
  const manifest = stage(ROOT, stageDir);
  const packages = Object.keys(readJson(join(stageDir, 'npm-shrinkwrap.json')).packages).length - 1;
  console.log(
    `staged ${manifest.name}@${manifest.version} in ${stageDir}: bundles ${manifest.bundleDependencies.join(', ')} (${packages} packages in all, the versions of package-lock.json); installs with no registry`,
  );
  if (values['stage-only']) return;
  const packed = pack(stageDir, outDir);
  console.log(
    `packed ${packed.tarball} (${packed.size} bytes, ${packed.entries} files, ${packed.unpackedSize} bytes unpacked)`,
  );
  if (!values.check) return;
  const result = await check(packed.tarball);
  console.log(`installed offline in ${result.installMs} ms; run from outside the repository:`);
  console.log(
    `  pipeline: _id ${result.pipeline._id}, event.action ${result.pipeline._source.event?.action}`,
  );
  for (const text of [
    result.report.split('\n')[0],
    result.check,
    result.build,
    result.setup.split('\n').at(-1),
    result.collect,
    result.again,
  ])
    console.log(text.replace(/^/gm, '  '));
  console.log(
    'pack check: ok (--help, demo, report posture, pipeline, check, build, simulator, setup --elasticsearch, collect --once twice, status)',
  );
}

if (
  process.argv[1] !== undefined &&
  resolve(process.argv[1]) === resolve(new URL(import.meta.url).pathname)
) {
  main().catch((error) => {
    process.stderr.write(
      `pack-cli: ${error instanceof PackError ? error.message : (error.stack ?? String(error))}\n`,
    );
    process.exitCode = error instanceof PackError ? 2 : 1;
  });
}
