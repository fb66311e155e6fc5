import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { PackageArchive } from '@lastpass-elastic/package-tools';
import { parseFlags, UsageError, type Command, type CommandIo } from '../command';
import { outDirFlag } from './check';
import { resolvePackageRoot } from '../package-root';

const USAGE = [
  'lastpass-elastic setup --elasticsearch [URL] | --kibana [URL]',
  '                       [--zip <file> | --out <dir>] [--root <package dir>] [--force] [--insecure] [--import-rules]',
  '',
  '  --elasticsearch [URL]  install pipelines, component and index templates and the latest-state transforms',
  '                         straight into Elasticsearch (clusters without Fleet, standalone collector); URL',
  '                         defaults to ELASTICSEARCH_URL',
  '  --kibana [URL]         upload the package zip to Fleet; URL defaults to KIBANA_URL',
  '  --zip <file>           upload this zip instead of building one (--kibana only)',
  '  --out <dir>            build the zip into <dir> and keep it (default: a new temporary folder)',
  "  --import-rules         also import the package's detection rules (disabled) through the Detection Engine",
  '                         rules import API, for Kibanas that do not list package rules (--kibana only)',
  '  --force                allow a downgrade / re-install, overwrite Fleet-managed templates and transforms',
  '  --insecure             do not verify TLS certificates (ELASTICSEARCH_CA_FILE is the better fix)',
  'Auth: ELASTICSEARCH_API_KEY(_FILE) or ELASTICSEARCH_USERNAME + ELASTICSEARCH_PASSWORD(_FILE); TLS: ELASTICSEARCH_CA_FILE.',
  '  --kibana also takes KIBANA_API_KEY(_FILE), which wins over the ELASTICSEARCH_* credentials (Kibana accepts',
  '  Elasticsearch API keys and users, so one key for both works).',
].join('\n');

/**
 * `--kibana` credentials: KIBANA_API_KEY(_FILE) > ELASTICSEARCH_API_KEY(_FILE) > ELASTICSEARCH_USERNAME +
 * PASSWORD(_FILE). Kibana authenticates against Elasticsearch, so an Elasticsearch API key or user works
 * there too; a Kibana-specific key replaces them. The file's value is never shown.
 */
export function kibanaAuthEnv(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const key = env['KIBANA_API_KEY'] === '' ? undefined : env['KIBANA_API_KEY'];
  const file = env['KIBANA_API_KEY_FILE'] === '' ? undefined : env['KIBANA_API_KEY_FILE'];
  if (key === undefined && file === undefined) return env;
  if (key !== undefined && file !== undefined)
    throw new UsageError('KIBANA_API_KEY and KIBANA_API_KEY_FILE: set only one');
  let value = key;
  if (file !== undefined) {
    try {
      value = readFileSync(file, 'utf8').trim();
    } catch (error) {
      const code = (error as { code?: unknown }).code;
      throw new UsageError(
        `KIBANA_API_KEY_FILE: cannot read the file named by KIBANA_API_KEY_FILE${typeof code === 'string' ? ` (${code})` : ''}`,
      );
    }
    if (value === '')
      throw new UsageError('KIBANA_API_KEY_FILE: the file named by KIBANA_API_KEY_FILE is empty');
  }
  const {
    ELASTICSEARCH_API_KEY: _key,
    ELASTICSEARCH_API_KEY_FILE: _keyFile,
    ELASTICSEARCH_USERNAME: _user,
    ELASTICSEARCH_PASSWORD: _password,
    ELASTICSEARCH_PASSWORD_FILE: _passwordFile,
    ...rest
  } = env;
  return { ...rest, ELASTICSEARCH_API_KEY: value };
}

/** `--elasticsearch` / `--kibana` take an optional value, which node:util parseArgs cannot express. */
function takeTarget(
  argv: readonly string[],
  flag: string,
): { present: boolean; url: string | undefined; rest: string[] } {
  const rest: string[] = [];
  let present = false;
  let url: string | undefined;
  for (let i = 0; i < argv.length; i += 1) {
    const arg = argv[i] ?? '';
    if (arg === flag) {
      present = true;
      const next = argv[i + 1];
      if (next !== undefined && !next.startsWith('--')) {
        url = next;
        i += 1;
      }
    } else if (arg.startsWith(`${flag}=`)) {
      present = true;
      url = arg.slice(flag.length + 1);
    } else rest.push(arg);
  }
  return { present, url, rest };
}

async function loadArchive(
  io: CommandIo,
  root: string | undefined,
  zip: string | undefined,
  out: string | undefined,
): Promise<PackageArchive> {
  const { buildPackage, readArchive } = await import('@lastpass-elastic/package-tools');
  if (zip !== undefined) {
    const file = resolve(io.cwd, zip);
    let data: Uint8Array;
    try {
      data = readFileSync(file);
    } catch {
      throw new UsageError(`--zip: cannot read ${file}`);
    }
    return readArchive(data, file);
  }
  // Without --out the zip goes to a fresh temporary folder: it is only needed for the upload, and the package
  // root may be an installed, read-only location (`lastpass-elastic build --out` keeps a zip).
  const outDir =
    out === undefined ? mkdtempSync(join(tmpdir(), 'lastpass-elastic-zip-')) : outDirFlag(io, out);
  const built = buildPackage(resolvePackageRoot(io, root), { outDir });
  io.stdout.write(`built ${built.zipPath} (${built.bytes} bytes)\n`);
  return readArchive(readFileSync(built.zipPath), built.zipPath);
}

async function run(argv: readonly string[], io: CommandIo): Promise<number> {
  const es = takeTarget(argv, '--elasticsearch');
  const kb = takeTarget(es.rest, '--kibana');
  const { values } = parseFlags(kb.rest, {
    zip: { type: 'string' },
    out: { type: 'string' },
    root: { type: 'string' },
    force: { type: 'boolean' },
    insecure: { type: 'boolean' },
    'import-rules': { type: 'boolean' },
  });
  if (es.present === kb.present)
    throw new UsageError('give exactly one of --elasticsearch [URL] or --kibana [URL]');
  if (es.present && (values.zip !== undefined || values.out !== undefined))
    throw new UsageError('--zip and --out only apply to --kibana');
  if (es.present && values['import-rules'] === true)
    throw new UsageError('--import-rules only applies to --kibana');
  if (values.zip !== undefined && values.out !== undefined)
    throw new UsageError('--zip and --out: give one (a zip to upload, or where to build one)');
  const force = values.force ?? false;
  const insecure = values.insecure ?? false;
  const { endpointFromEnv, importRules, planAssets, rulesFromArchive, setupElasticsearch, setupKibana } =
    await import('@lastpass-elastic/package-tools');

  if (es.present) {
    const url = es.url ?? io.env['ELASTICSEARCH_URL'];
    if (url === undefined || url === '')
      throw new UsageError('--elasticsearch: give a URL or set ELASTICSEARCH_URL');
    const endpoint = endpointFromEnv('Elasticsearch', '--elasticsearch', url, io.env, insecure);
    const { loadPackage } = await import('@lastpass-elastic/package-model');
    const plan = planAssets(loadPackage(resolvePackageRoot(io, values.root)));
    const result = await setupElasticsearch(endpoint, plan, { force });
    for (const change of result.changes) {
      if (change.action === 'unchanged') continue;
      io.stdout.write(
        `${change.action.padEnd(11)} ${change.kind} ${change.name}${change.detail === undefined ? '' : ` (${change.detail})`}\n`,
      );
    }
    const counts = new Map<string, number>();
    for (const c of result.changes) counts.set(c.action, (counts.get(c.action) ?? 0) + 1);
    const summary = [...counts].map(([action, n]) => `${n} ${action}`).join(', ');
    io.stdout.write(
      `Elasticsearch ${result.clusterVersion} at ${endpoint.url}: ${plan.packageName} ${plan.version}, ${plan.streams.length} data streams, ${plan.transforms.length} transforms — ${summary}.` +
        `${result.changed ? '' : ' Nothing changed.'}\n`,
    );
    return 0;
  }

  const url = kb.url ?? io.env['KIBANA_URL'];
  if (url === undefined || url === '') throw new UsageError('--kibana: give a URL or set KIBANA_URL');
  const endpoint = endpointFromEnv('Kibana', '--kibana', url, kibanaAuthEnv(io.env), insecure);
  const archive = await loadArchive(io, values.root, values.zip, values.out);
  const result = await setupKibana(endpoint, archive, { force });
  const what = `${archive.name} ${archive.version}`;
  const line =
    result.action === 'unchanged'
      ? `unchanged: Kibana already has ${what} installed (use --force to re-install)`
      : `${result.action}: ${what} uploaded to Fleet at ${endpoint.url}${result.previous === undefined ? '' : ` (was ${result.previous})`}${result.assets === undefined ? '' : `, ${result.assets} assets`}`;
  io.stdout.write(`${line}\n`);
  if (values['import-rules'] === true) {
    const imported = await importRules(endpoint, rulesFromArchive(archive));
    io.stdout.write(
      `imported ${imported.imported} of ${imported.rules} detection rules through the Detection Engine API (disabled: enable them in Security → Rules)\n`,
    );
  }
  if (result.action !== 'unchanged') {
    io.stdout.write(
      'next: Kibana → Integrations → LastPass Enterprise → Add → account number, provisioning hash, time zone → agent policy\n',
    );
  }
  return 0;
}

export const setup: Command = {
  name: 'setup',
  summary: 'install the package into Kibana (Fleet upload) or straight into Elasticsearch',
  usage: USAGE,
  async run(argv, io) {
    try {
      return await run(argv, io);
    } catch (error) {
      if (error instanceof UsageError) throw error;
      const { BuildError, formatFinding, SetupError } = await import('@lastpass-elastic/package-tools');
      const { PackageModelError } = await import('@lastpass-elastic/package-model');
      if (error instanceof SetupError) {
        if (error.exitCode === 2) throw new UsageError(error.message);
        io.stderr.write(`lastpass-elastic setup: ${error.message} [${error.code}]\n`);
        return error.exitCode;
      }
      if (error instanceof PackageModelError) {
        io.stderr.write(
          `lastpass-elastic setup: cannot read the package: ${error.message} [${error.code}]\n`,
        );
        return 1;
      }
      if (error instanceof BuildError) {
        // Like `build`: the findings that stopped it on stdout, the one-line verdict on stderr.
        for (const f of error.findings) io.stdout.write(`${formatFinding(f)}\n`);
        io.stderr.write(
          `lastpass-elastic setup: the package does not build: ${error.message} [${error.code}]\n`,
        );
        return 1;
      }
      throw error;
    }
  },
};
