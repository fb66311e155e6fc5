import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { PostureInput, ReportParameters } from '@lastpass-elastic/report';
import { parseFlags, positiveIntFlag, UsageError, type Command, type CommandIo } from '../command';
import { resolvePackageRoot } from '../package-root';

const USAGE = `Usage: lastpass-elastic report posture [flags]

Reads the latest users and shared-folder snapshots and the event report of a period and writes
<out>/posture.json (schema lastpass-elastic/posture@1) and <out>/posture.html (self-contained, printable).

Source — the NDJSON output of collect/demo (default):
  --input-dir <dir>          default: LASTPASS_ELASTIC_OUTPUT_DIR, the config file's output_dir, ./output when it
                             holds lastpass_enterprise.*.ndjson files, else ./output/demo (what \`npm start\` writes)
  --state-dir <dir>          collector state; default: LASTPASS_ELASTIC_STATE_DIR, the config file's state_dir,
                             <input-dir>/state, else ./state (when none exists, coverage comes from the data)
  --config <file>            collector config file (or LASTPASS_ELASTIC_CONFIG): only output_dir/state_dir are read
Source — Elasticsearch:
  --source elasticsearch     URL from --elasticsearch-url or ELASTICSEARCH_URL; auth ELASTICSEARCH_API_KEY(_FILE)
                             or ELASTICSEARCH_USERNAME + ELASTICSEARCH_PASSWORD(_FILE); TLS ELASTICSEARCH_CA_FILE
  --users-index <index>      default logs-lastpass_enterprise.user-* (a latest-state index or alias works too)
  --folders-index <index>    default logs-lastpass_enterprise.detailed_shared_folder-*
                             without these two flags, snapshots are read from the package's latest-state aliases
                             (logs-lastpass_enterprise_latest.*) when the cluster has them and they hold the whole
                             snapshot; posture.json's source says which index was read
  --events-index <index>     default logs-lastpass_enterprise.event_report-*
  --snapshot-settle <dur>    the newest snapshot counts as complete once no document arrived for this long (5m)
Period and rules:
  --from <RFC 3339>, --to <RFC 3339>   default: to = events collected through, from = to - --days
  --days <n>                 30
  --account <n>[,<n>]        only these accounts (default: every account in the data)
  --inactive-days <n>        90   enabled users whose last login is older than this
  --weak-password-below <n>  50   master-password strength (0-100) below this is weak
  --invitation-days <n>      14   invitations pending longer than this
  --folder-admins-above <n>  2    shared folders with more administrators than this
  --company-domain <d>[,<d>] default: the most common email domain of each account's users
Output:
  --out <dir>                default ./output/report (both files are written atomically)`;

const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/i;

function instantFlag(flag: string, text: string | undefined): string | null {
  if (text === undefined) return null;
  const ms = Date.parse(text);
  if (!RFC3339.test(text) || Number.isNaN(ms))
    throw new UsageError(
      `--${flag}: expected an RFC 3339 date-time with an offset (e.g. 2024-11-01T00:00:00Z), got "${text}"`,
    );
  return new Date(ms).toISOString();
}

function intFlag(flag: string, text: string | undefined, fallback: number, min: number, max: number): number {
  if (text === undefined) return fallback;
  if (!/^\d+$/.test(text) || Number(text) < min || Number(text) > max)
    throw new UsageError(`--${flag}: expected an integer from ${min} to ${max}, got "${text}"`);
  return Number(text);
}

function listFlag(flag: string, text: string | undefined, item: RegExp, what: string): string[] | null {
  if (text === undefined) return null;
  const items = text.split(',').map((s) => s.trim());
  for (const i of items) if (!item.test(i)) throw new UsageError(`--${flag}: expected ${what}, got "${i}"`);
  return items;
}

const env = (io: CommandIo, name: string): string | undefined => {
  const v = io.env[name];
  return v === undefined || v === '' ? undefined : v;
};

/** output_dir / state_dir of the collector's config file, when one is given. */
async function configDirs(
  io: CommandIo,
  flag: string | undefined,
): Promise<{ output?: string; state?: string }> {
  const file = flag ?? env(io, 'LASTPASS_ELASTIC_CONFIG');
  if (file === undefined) return {};
  const { isCollectorError, loadConfigFile } = await import('@lastpass-elastic/collector');
  try {
    const parsed = loadConfigFile(resolve(io.cwd, file));
    return {
      ...(parsed.output_dir === undefined ? {} : { output: resolve(io.cwd, parsed.output_dir) }),
      ...(parsed.state_dir === undefined ? {} : { state: resolve(io.cwd, parsed.state_dir) }),
    };
  } catch (error) {
    if (isCollectorError(error)) throw new UsageError(error.message);
    throw error;
  }
}

const holdsNdjson = (dir: string): boolean => {
  try {
    return readdirSync(dir).some((n) => /^lastpass_enterprise\..+\.ndjson(\.\d+)?$/.test(n));
  } catch {
    return false;
  }
};

/** The NDJSON source: flags > environment > config file > ./output (collect's default) > ./output/demo (npm start). */
async function ndjsonInput(io: CommandIo, values: Record<string, string | undefined>): Promise<PostureInput> {
  const config = await configDirs(io, values['config']);
  const given = values['input-dir'] ?? env(io, 'LASTPASS_ELASTIC_OUTPUT_DIR');
  const inputDir =
    given !== undefined
      ? resolve(io.cwd, given)
      : (config.output ??
        (holdsNdjson(resolve(io.cwd, 'output'))
          ? resolve(io.cwd, 'output')
          : resolve(io.cwd, 'output/demo')));
  const stateGiven = values['state-dir'] ?? env(io, 'LASTPASS_ELASTIC_STATE_DIR');
  let stateDir: string | null;
  if (stateGiven !== undefined) {
    stateDir = resolve(io.cwd, stateGiven);
    if (!existsSync(stateDir)) throw new UsageError(`--state-dir: ${stateDir} does not exist`);
  } else
    stateDir =
      [config.state, resolve(inputDir, 'state'), resolve(io.cwd, 'state')].find(
        (d): d is string => d !== undefined && existsSync(d),
      ) ?? null;
  return { kind: 'ndjson', inputDir, stateDir };
}

function secretFromEnv(io: CommandIo, name: string): string | undefined {
  const value = env(io, name);
  const file = env(io, `${name}_FILE`);
  if (value !== undefined && file !== undefined)
    throw new UsageError(`${name} and ${name}_FILE: set only one`);
  if (file === undefined) return value;
  let text: string;
  try {
    text = readFileSync(resolve(io.cwd, file), 'utf8').trim();
  } catch {
    throw new UsageError(`${name}_FILE: cannot read ${file}`);
  }
  if (text === '') throw new UsageError(`${name}_FILE: ${file} is empty`);
  return text;
}

/**
 * The package's latest-state aliases (`transformDestinations`: the transforms reading the user and
 * detailed_shared_folder streams), for the streams whose index flag was not given. Without a readable
 * package there are none (the data streams are read).
 */
async function latestAliases(
  io: CommandIo,
  values: Record<string, string | undefined>,
): Promise<{ users?: string; folders?: string }> {
  const { loadPackage, transformDestinations } = await import('@lastpass-elastic/package-model');
  let destinations: { sources: string[]; readName: string }[];
  try {
    destinations = transformDestinations(loadPackage(resolvePackageRoot(io, undefined)));
  } catch {
    return {};
  }
  const of = (stream: string): string | undefined =>
    destinations.find((d) => d.sources.includes(stream))?.readName;
  const users = values['users-index'] === undefined ? of('user') : undefined;
  const folders = values['folders-index'] === undefined ? of('detailed_shared_folder') : undefined;
  return { ...(users === undefined ? {} : { users }), ...(folders === undefined ? {} : { folders }) };
}

/** The Elasticsearch source: the collector's client factory with the same environment variables (contracts §2). */
async function elasticsearchInput(
  io: CommandIo,
  values: Record<string, string | undefined>,
): Promise<PostureInput> {
  const raw = values['elasticsearch-url'] ?? env(io, 'ELASTICSEARCH_URL');
  if (raw === undefined)
    throw new UsageError('--elasticsearch-url (or ELASTICSEARCH_URL): required with --source elasticsearch');
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new UsageError(`--elasticsearch-url: expected an http(s) URL, got "${raw}"`);
  }
  if ((url.protocol !== 'http:' && url.protocol !== 'https:') || url.username !== '' || url.password !== '')
    throw new UsageError(
      '--elasticsearch-url: expected an http(s) URL without credentials (use ELASTICSEARCH_API_KEY or _USERNAME/_PASSWORD)',
    );
  const { createElasticsearchClient, parseDuration, Secret } = await import('@lastpass-elastic/collector');
  const { DEFAULT_INDICES } = await import('@lastpass-elastic/report');
  const settle = values['snapshot-settle'] ?? '5m';
  const settleMs = parseDuration(settle);
  if (settleMs === null)
    throw new UsageError(`--snapshot-settle: expected a duration such as 30s, 5m or 1h, got "${settle}"`);
  const apiKey = secretFromEnv(io, 'ELASTICSEARCH_API_KEY');
  const username = env(io, 'ELASTICSEARCH_USERNAME');
  const password = secretFromEnv(io, 'ELASTICSEARCH_PASSWORD');
  if (username !== undefined && password === undefined)
    throw new UsageError(
      'ELASTICSEARCH_PASSWORD (or ELASTICSEARCH_PASSWORD_FILE): required with ELASTICSEARCH_USERNAME',
    );
  const auth =
    apiKey !== undefined
      ? ({ kind: 'api_key', apiKey: new Secret(apiKey) } as const)
      : username !== undefined && password !== undefined
        ? ({ kind: 'basic', username, password: new Secret(password) } as const)
        : ({ kind: 'none' } as const);
  const caFile = env(io, 'ELASTICSEARCH_CA_FILE');
  if (caFile !== undefined && !existsSync(resolve(io.cwd, caFile)))
    throw new UsageError(`ELASTICSEARCH_CA_FILE: cannot read ${caFile}`);
  const base = url.toString().replace(/\/+$/, '');
  const client = createElasticsearchClient(
    {
      url: base,
      auth,
      caFile: caFile === undefined ? undefined : resolve(io.cwd, caFile),
      bulkMaxDocuments: 1,
      bulkConcurrency: 1,
    },
    { maxRetries: 3, requestTimeout: 60_000 },
  );
  return {
    kind: 'elasticsearch',
    client,
    url: base,
    usersIndex: values['users-index'] ?? DEFAULT_INDICES.users,
    foldersIndex: values['folders-index'] ?? DEFAULT_INDICES.folders,
    eventsIndex: values['events-index'] ?? DEFAULT_INDICES.events,
    snapshotSettle: settle,
    snapshotSettleMs: settleMs,
    now: Date.now,
    latest: await latestAliases(io, values),
  };
}

async function posture(argv: readonly string[], io: CommandIo): Promise<number> {
  const { values } = parseFlags(argv, {
    source: { type: 'string' },
    'input-dir': { type: 'string' },
    'state-dir': { type: 'string' },
    config: { type: 'string' },
    'elasticsearch-url': { type: 'string' },
    'users-index': { type: 'string' },
    'folders-index': { type: 'string' },
    'events-index': { type: 'string' },
    'snapshot-settle': { type: 'string' },
    from: { type: 'string' },
    to: { type: 'string' },
    days: { type: 'string' },
    account: { type: 'string' },
    'inactive-days': { type: 'string' },
    'weak-password-below': { type: 'string' },
    'invitation-days': { type: 'string' },
    'folder-admins-above': { type: 'string' },
    'company-domain': { type: 'string' },
    out: { type: 'string' },
  });
  const source = values.source ?? 'ndjson';
  if (source !== 'ndjson' && source !== 'elasticsearch')
    throw new UsageError(`--source: expected "ndjson" or "elasticsearch", got "${source}"`);
  const parameters: ReportParameters = {
    inactive_days: intFlag('inactive-days', values['inactive-days'], 90, 1, 36_500),
    weak_password_below: intFlag('weak-password-below', values['weak-password-below'], 50, 0, 101),
    invitation_days: intFlag('invitation-days', values['invitation-days'], 14, 0, 36_500),
    folder_admins_above: intFlag('folder-admins-above', values['folder-admins-above'], 2, 0, 100_000),
    company_domains: listFlag(
      'company-domain',
      values['company-domain'],
      /^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+$/i,
      'a domain such as example.com',
    ),
    from: instantFlag('from', values.from),
    to: instantFlag('to', values.to),
    days: positiveIntFlag('days', values.days) ?? 30,
    accounts: listFlag('account', values.account, /^\d{1,15}$/, 'an account number (digits)'),
  };
  if (parameters.from !== null && parameters.to !== null && parameters.from > parameters.to)
    throw new UsageError(`--from: ${parameters.from} is after --to ${parameters.to}`);
  const outDir = resolve(io.cwd, values.out ?? 'output/report');
  const input = source === 'ndjson' ? await ndjsonInput(io, values) : await elasticsearchInput(io, values);
  const { isReportError, runPostureReport } = await import('@lastpass-elastic/report');
  try {
    const { report, files } = await runPostureReport({ input, parameters, outDir, now: () => new Date() });
    for (const a of report.accounts) {
      const flagged = a.findings.filter(
        (f) => f.count > 0 && (f.severity === 'high' || f.severity === 'medium'),
      );
      io.stdout.write(
        `account ${a.account_number}: period ${a.period.from} .. ${a.period.to}; ${a.summary.enabled_users} enabled users, ${a.summary.shared_folders} shared folders, ${a.summary.events_in_period} events; ${flagged.length} high/medium findings with items (${flagged.map((f) => `${f.id}=${f.count}`).join(', ') || 'none'}); ${a.coverage.gaps.length} coverage gap(s)\n`,
      );
    }
    io.stdout.write(`wrote ${files.join(' and ')}\n`);
    return 0;
  } catch (error) {
    if (isReportError(error) && error.usage) throw new UsageError(error.message);
    throw error;
  } finally {
    if (input.kind === 'elasticsearch') await input.client.close();
  }
}

export const report: Command = {
  name: 'report',
  summary:
    'posture and evidence report (report posture): posture.json + posture.html from NDJSON or Elasticsearch',
  usage: USAGE,
  async run(argv, io) {
    const [kind, ...rest] = argv;
    if (kind !== 'posture')
      throw new UsageError(
        `expected a report kind: \`lastpass-elastic report posture\`, got ${kind === undefined ? 'nothing' : `"${kind}"`}`,
      );
    return posture(rest, io);
  },
};
