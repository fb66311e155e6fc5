import { existsSync, readFileSync, statSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { isMap, isScalar, LineCounter, parseDocument, type Document } from 'yaml';
import { CollectorError } from '../errors';
import { parseDuration } from './duration';
import {
  accountFileSchema,
  configFileSchema,
  DEFAULT_API_USER,
  DEFAULT_LASTPASS_URL,
  DEFAULT_TIME_ZONE,
  elasticsearchUrlSchema,
  namespaceSchema,
  STREAM_IDS,
  type AccountFile,
  type ConfigFile,
  type StreamId,
} from './schema';
import { Secret } from './secret';

export interface StreamSettings {
  enabled: boolean;
  intervalMs: number;
  tags: string[];
  preserveOriginalEvent: boolean;
}
export interface EventReportSettings extends StreamSettings {
  initialIntervalMs: number;
  overlapMs: number;
  settleLagMs: number;
  pageLimit: number;
}
export interface InventorySettings extends StreamSettings {
  pageSize: number;
}
export interface AccountConfig {
  accountNumber: string;
  provisioningHash: Secret;
  /** The absolute path of the hash file when the hash came from one: re-read when LastPass refuses the hash. */
  provisioningHashFile?: string | undefined;
  url: string;
  timeZone: string;
  apiUser: string;
  httpClientTimeoutMs: number;
  requestIntervalMs: number;
  /** Pacing while answers carry records (issue #15 §12); the client never uses more than requestIntervalMs. */
  backfillRequestIntervalMs: number;
  responseMaxBytes: number;
  eventReport: EventReportSettings;
  user: InventorySettings;
  detailedSharedFolder: InventorySettings;
}
export type ElasticsearchAuth =
  | { kind: 'api_key'; apiKey: Secret }
  | { kind: 'basic'; username: string; password: Secret }
  | { kind: 'none' };
export interface ElasticsearchConfig {
  url: string;
  auth: ElasticsearchAuth;
  caFile: string | undefined;
  bulkMaxDocuments: number;
  /** Bulk requests in flight at once (a page's chunks are sent side by side). */
  bulkConcurrency: number;
}
export interface CollectorConfig {
  output: 'ndjson' | 'elasticsearch';
  outputDir: string;
  stateDir: string;
  namespace: string;
  ndjsonMaxBytes: number;
  logLevel: NonNullable<ConfigFile['log_level']>;
  elasticsearch: ElasticsearchConfig | undefined;
  accounts: AccountConfig[];
  /** Streams selected with `--streams` (all enabled ones when absent). */
  streams: StreamId[];
}

/** The flags of `collect` that override environment and file (contracts §2). */
export interface ConfigFlags {
  config?: string;
  streams?: string;
  output?: string;
  outputDir?: string;
  stateDir?: string;
}

/** The package's var defaults (each data stream manifest.yml; a test keeps them equal) plus collector-only keys. */
export const DEFAULTS = {
  eventReport: {
    interval: '10m',
    initial_interval: '168h',
    overlap: '5m',
    settle_lag: '2m',
    page_limit: 10_000,
  },
  user: { interval: '24h', page_size: 2000 },
  detailed_shared_folder: { interval: '24h', page_size: 1000 },
  httpClientTimeout: '60s',
  requestInterval: '1s',
  backfillRequestInterval: '100ms',
  responseMaxBytes: 64 * 1024 * 1024,
  outputDir: './output',
  stateDir: './state',
  namespace: 'default',
  ndjsonMaxBytes: 256 * 1024 * 1024,
  bulkMaxDocuments: 5000,
  bulkConcurrency: 2,
} as const;

function invalid(message: string): CollectorError {
  return new CollectorError('CONFIG_INVALID', message);
}

/**
 * Keys whose values are secrets, or may be (a `_file` key given the secret itself by mistake): an error
 * names them but never shows what they hold.
 */
const SECRET_KEYS = new Set([
  'provisioning_hash',
  'provisioning_hash_file',
  'api_key',
  'api_key_file',
  'password',
  'password_file',
]);

/** `got "…"` for an error message (empty for secrets); long values are cut. */
export function shown(value: unknown, key = ''): string {
  if (SECRET_KEYS.has(key.split('.').at(-1) ?? '')) return '';
  if (value === undefined) return '';
  if (value === null) return ', got no value';
  const text = JSON.stringify(value);
  return `, got ${text.length > 80 ? `${text.slice(0, 77)}...` : text}`;
}

/** `accounts[0].time_zone` from a zod issue path. */
function keyOf(path: readonly PropertyKey[]): string {
  return path
    .map((p, i) => (typeof p === 'number' ? `[${p}]` : `${i === 0 ? '' : '.'}${String(p)}`))
    .join('');
}

function valueAt(data: unknown, path: readonly PropertyKey[]): unknown {
  let at: unknown = data;
  for (const p of path) {
    if (typeof at !== 'object' || at === null) return undefined;
    at = (at as Record<PropertyKey, unknown>)[p];
  }
  return at;
}

/** Where a YAML node starts, as `file:line:col` (the file alone when the node cannot be found). */
function located(
  file: string,
  doc: Document,
  lines: LineCounter,
  path: readonly PropertyKey[],
  key?: string,
): string {
  let node: unknown =
    path.length === 0
      ? doc.contents
      : doc.getIn(
          path.map((p) => (typeof p === 'number' ? p : String(p))),
          true,
        );
  if (key !== undefined && isMap(node))
    node = node.items.find((pair) => isScalar(pair.key) && String(pair.key.value) === key)?.key;
  const range = (node as { range?: readonly number[] } | null | undefined)?.range;
  if (range?.[0] === undefined) return file;
  const { line, col } = lines.linePos(range[0]);
  return `${file}:${line}:${col}`;
}

/**
 * Reads a secret from the file a setting names. The setting's value is never shown (it may be the
 * secret itself, put there by mistake): messages say "the file named by <source>".
 */
export function readSecretFile(path: string, source: string, baseDir: string): Secret {
  let text: string;
  try {
    text = readFileSync(resolve(baseDir, path), 'utf8');
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    const reason = typeof code === 'string' ? code : 'unreadable';
    const relative = isAbsolute(path) ? '' : `, relative to ${baseDir}`;
    throw invalid(`${source}: cannot read the file named by ${source} (${reason}${relative})`);
  }
  const value = text.trim();
  if (value === '') throw invalid(`${source}: the file named by ${source} is empty`);
  return new Secret(value);
}

function ms(text: string): number {
  return parseDuration(text) ?? 0;
}

/**
 * Reads and validates the YAML config file. Errors name `file:line:col`, the key and the bad value:
 * a YAML syntax error says so; `source` names how the file was given (`--config` or LASTPASS_ELASTIC_CONFIG).
 */
export function loadConfigFile(path: string, source = '--config'): ConfigFile {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    const reason = typeof code === 'string' ? code : 'unreadable';
    throw invalid(`${source}: cannot read ${path} (${reason})`);
  }
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: true, uniqueKeys: true });
  const syntax = doc.errors[0];
  if (syntax !== undefined) {
    const at = syntax.linePos?.[0];
    const where = at === undefined ? path : `${path}:${at.line}:${at.col}`;
    const message = (syntax.message.split('\n')[0] ?? '').replace(/ at line \d+, column \d+:?$/, '');
    throw invalid(`${where}: YAML syntax error: ${message}`);
  }
  const data: unknown = doc.toJS() ?? {};
  if (typeof data !== 'object' || Array.isArray(data)) {
    const expected = `${path}: expected a YAML mapping of keys such as "account_number: 8771312"`;
    // `key:value` (no space after the colon) is shown; any other lone value is not: a file holding one value
    // may be a secret file given as the config by mistake.
    if (typeof data === 'string' && /^[A-Za-z_][\w.]*:\S/.test(data))
      throw invalid(`${expected}${shown(data)} (a missing space after a colon?)`);
    throw invalid(
      `${expected}, got ${Array.isArray(data) ? 'a list' : 'a single value (not shown: it may be a secret, e.g. the provisioning hash file)'}`,
    );
  }
  const parsed = configFileSchema.safeParse(data);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  if (issue === undefined) throw invalid(`${path}: invalid`);
  if (issue.code === 'unrecognized_keys') {
    const first = issue.keys[0] ?? '';
    const prefix = issue.path.length === 0 ? '' : `${keyOf(issue.path)}.`;
    throw invalid(
      `${located(path, doc, lines, issue.path, first)}: unknown key ${issue.keys.map((k) => `"${prefix}${k}"`).join(', ')}`,
    );
  }
  const key = keyOf(issue.path);
  const value = valueAt(data, issue.path);
  const problem = value === null ? 'has no value (check the indentation)' : issue.message;
  throw invalid(
    `${located(path, doc, lines, issue.path)}: ${key === '' ? 'the document' : key}: ${problem}${value === null ? '' : shown(value, key)}`,
  );
}

function envValue(env: NodeJS.ProcessEnv, name: string): string | undefined {
  const v = env[name];
  return v === undefined || v === '' ? undefined : v;
}

/** The account keys the environment sets (contracts §2), by variable. */
const ACCOUNT_ENV: readonly (readonly [string, keyof AccountFile])[] = [
  ['LASTPASS_URL', 'url'],
  ['LASTPASS_ACCOUNT_NUMBER', 'account_number'],
  ['LASTPASS_PROVISIONING_HASH', 'provisioning_hash'],
  ['LASTPASS_PROVISIONING_HASH_FILE', 'provisioning_hash_file'],
  ['LASTPASS_TIME_ZONE', 'time_zone'],
  ['LASTPASS_API_USER', 'api_user'],
];

/** Environment overrides for account keys, each checked with the file's schema and named by its variable. */
function accountFromEnv(env: NodeJS.ProcessEnv): AccountFile {
  const out: Record<string, unknown> = {};
  for (const [name, key] of ACCOUNT_ENV) {
    const v = envValue(env, name);
    if (v === undefined) continue;
    const parsed = accountFileSchema.shape[key].safeParse(v);
    if (!parsed.success)
      throw invalid(`${name}: ${parsed.error.issues[0]?.message ?? 'invalid'}${shown(v, key)}`);
    out[key] = parsed.data;
  }
  return out;
}

/** Which setting supplied an account key: the variable when the environment set it, else the file key. */
function sourceOf(
  key: keyof AccountFile,
  fromEnv: Partial<AccountFile>,
  index: number,
  several: boolean,
): string {
  if (fromEnv[key] !== undefined) return ACCOUNT_ENV.find(([, k]) => k === key)?.[0] ?? key;
  return several ? `accounts[${index}].${key}` : key;
}

function resolveAccount(
  merged: AccountFile,
  index: number,
  baseDir: string,
  where: (key: keyof AccountFile) => string,
): AccountConfig {
  if (merged.account_number === undefined)
    throw invalid(
      `account_number: required${index > 0 ? ` for accounts[${index}]` : ''} (set LASTPASS_ACCOUNT_NUMBER or account_number in the config file)`,
    );
  let hash: Secret;
  let hashFile: string | undefined;
  if (merged.provisioning_hash !== undefined) hash = new Secret(merged.provisioning_hash);
  else if (merged.provisioning_hash_file !== undefined) {
    hash = readSecretFile(merged.provisioning_hash_file, where('provisioning_hash_file'), baseDir);
    hashFile = resolve(baseDir, merged.provisioning_hash_file);
  } else
    throw invalid(
      `provisioning_hash: required for account ${merged.account_number} (set LASTPASS_PROVISIONING_HASH_FILE, LASTPASS_PROVISIONING_HASH, provisioning_hash_file or provisioning_hash)`,
    );
  const er = merged.event_report ?? {};
  const common = (
    stream: StreamId,
    s: {
      enabled?: boolean | undefined;
      tags?: string[] | undefined;
      preserve_original_event?: boolean | undefined;
    },
    interval: string,
  ): StreamSettings => ({
    enabled: s.enabled ?? true,
    intervalMs: ms(interval),
    tags: s.tags ?? merged.tags ?? ['forwarded', `lastpass_enterprise-${stream}`],
    preserveOriginalEvent: s.preserve_original_event ?? merged.preserve_original_event ?? false,
  });
  const inventory = (
    stream: 'user' | 'detailed_shared_folder',
    s: AccountFile['user'],
  ): InventorySettings => ({
    ...common(stream, s ?? {}, s?.interval ?? DEFAULTS[stream].interval),
    pageSize: s?.page_size ?? DEFAULTS[stream].page_size,
  });
  const eventReport: EventReportSettings = {
    ...common('event_report', er, er.interval ?? DEFAULTS.eventReport.interval),
    initialIntervalMs: ms(er.initial_interval ?? DEFAULTS.eventReport.initial_interval),
    overlapMs: ms(er.overlap ?? DEFAULTS.eventReport.overlap),
    settleLagMs: ms(er.settle_lag ?? DEFAULTS.eventReport.settle_lag),
    pageLimit: er.page_limit ?? DEFAULTS.eventReport.page_limit,
  };
  if (eventReport.overlapMs < 2000)
    throw invalid(
      `${where('event_report')}.overlap: expected at least 2s (the boundary second is always re-read)${shown(er.overlap)}`,
    );
  return {
    accountNumber: merged.account_number,
    provisioningHash: hash,
    ...(hashFile === undefined ? {} : { provisioningHashFile: hashFile }),
    url: merged.url ?? DEFAULT_LASTPASS_URL,
    timeZone: merged.time_zone ?? DEFAULT_TIME_ZONE,
    apiUser: merged.api_user ?? DEFAULT_API_USER,
    httpClientTimeoutMs: ms(merged.http_client_timeout ?? DEFAULTS.httpClientTimeout),
    requestIntervalMs: ms(merged.request_interval ?? DEFAULTS.requestInterval),
    backfillRequestIntervalMs: ms(merged.backfill_request_interval ?? DEFAULTS.backfillRequestInterval),
    responseMaxBytes: merged.response_max_bytes ?? DEFAULTS.responseMaxBytes,
    eventReport,
    user: inventory('user', merged.user),
    detailedSharedFolder: inventory('detailed_shared_folder', merged.detailed_shared_folder),
  };
}

function defined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

function parseStreams(text: string | undefined): StreamId[] {
  if (text === undefined) return [...STREAM_IDS];
  const names = text
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  if (names.length === 0)
    throw invalid(`--streams: expected a comma-separated list of ${STREAM_IDS.join(', ')}`);
  for (const n of names)
    if (!(STREAM_IDS as readonly string[]).includes(n))
      throw invalid(`--streams: unknown stream "${n}"; expected one of ${STREAM_IDS.join(', ')}`);
  return STREAM_IDS.filter((s) => names.includes(s));
}

/**
 * Builds the effective configuration: flags > environment > config file > defaults (contracts §2).
 * Throws CollectorError CONFIG_INVALID with one line naming the key or variable.
 */
export function resolveConfig(flags: ConfigFlags, env: NodeJS.ProcessEnv, cwd: string): CollectorConfig {
  const envConfig = envValue(env, 'LASTPASS_ELASTIC_CONFIG');
  const configPath = flags.config ?? envConfig;
  const file: ConfigFile =
    configPath === undefined
      ? {}
      : loadConfigFile(
          resolve(cwd, configPath),
          flags.config === undefined ? 'LASTPASS_ELASTIC_CONFIG' : '--config',
        );
  const fileName = configPath === undefined ? '' : `${resolve(cwd, configPath)}: `;
  const baseDir = cwd;
  const {
    accounts: fileAccounts,
    output,
    output_dir,
    state_dir,
    log_level,
    elasticsearch,
    ndjson_max_bytes,
    ...topAccount
  } = file;
  const envAccount = defined(accountFromEnv(env));
  const entries = fileAccounts ?? [{}];
  const several = fileAccounts !== undefined;
  if (
    entries.length > 1 &&
    (envAccount.account_number !== undefined ||
      envAccount.provisioning_hash !== undefined ||
      envAccount.provisioning_hash_file !== undefined)
  )
    throw invalid(
      'LASTPASS_ACCOUNT_NUMBER / LASTPASS_PROVISIONING_HASH(_FILE): not allowed with several accounts in the config file; set them per account',
    );
  const accounts = entries.map((entry, i) =>
    resolveAccount({ ...topAccount, ...defined(entry), ...envAccount }, i, baseDir, (key) => {
      const source = sourceOf(key, envAccount, i, several && entry[key] !== undefined);
      return source.startsWith('LASTPASS_') ? source : `${fileName}${source}`;
    }),
  );
  const seen = new Set<string>();
  for (const a of accounts) {
    if (seen.has(a.accountNumber))
      throw invalid(`${fileName}accounts: account_number ${a.accountNumber} appears twice`);
    seen.add(a.accountNumber);
  }

  const es = elasticsearch ?? {};
  /** The variable when the environment sets it, else the file key (`elasticsearch.<key>`). */
  const esSetting = (name: string, key: keyof typeof es): { value: string | undefined; source: string } => {
    const fromEnv = envValue(env, name);
    if (fromEnv !== undefined) return { value: fromEnv, source: name };
    const fromFile = es[key];
    return {
      value: typeof fromFile === 'string' ? fromFile : undefined,
      source: `${fileName}elasticsearch.${key}`,
    };
  };
  const esUrl = esSetting('ELASTICSEARCH_URL', 'url');
  const outputSource =
    flags.output !== undefined
      ? { value: flags.output, source: '--output' }
      : envValue(env, 'LASTPASS_ELASTIC_OUTPUT') !== undefined
        ? { value: envValue(env, 'LASTPASS_ELASTIC_OUTPUT'), source: 'LASTPASS_ELASTIC_OUTPUT' }
        : {
            value: output ?? (esUrl.value === undefined ? 'ndjson' : 'elasticsearch'),
            source: `${fileName}output`,
          };
  const outputRaw = outputSource.value;
  if (outputRaw !== 'ndjson' && outputRaw !== 'elasticsearch')
    throw invalid(`${outputSource.source}: expected "ndjson" or "elasticsearch"${shown(outputRaw)}`);
  const namespace = esSetting('ELASTICSEARCH_NAMESPACE', 'namespace');
  const ns = namespaceSchema.safeParse(namespace.value ?? DEFAULTS.namespace);
  if (!ns.success)
    throw invalid(
      `${namespace.source}: ${ns.error.issues[0]?.message ?? 'invalid'}${shown(namespace.value)}`,
    );

  let esConfig: ElasticsearchConfig | undefined;
  if (outputRaw === 'elasticsearch') {
    if (esUrl.value === undefined)
      throw invalid(
        `ELASTICSEARCH_URL: required when the output is elasticsearch (${outputSource.source} is "elasticsearch")`,
      );
    const url = elasticsearchUrlSchema.safeParse(esUrl.value);
    if (!url.success)
      throw invalid(`${esUrl.source}: ${url.error.issues[0]?.message ?? 'invalid'}${shown(esUrl.value)}`);
    const apiKeyFile = esSetting('ELASTICSEARCH_API_KEY_FILE', 'api_key_file');
    const apiKeyText = esSetting('ELASTICSEARCH_API_KEY', 'api_key');
    const username = esSetting('ELASTICSEARCH_USERNAME', 'username');
    const passwordFile = esSetting('ELASTICSEARCH_PASSWORD_FILE', 'password_file');
    const passwordText = esSetting('ELASTICSEARCH_PASSWORD', 'password');
    if (apiKeyText.value !== undefined && apiKeyFile.value !== undefined)
      throw invalid(`${apiKeyText.source} and ${apiKeyFile.source}: set only one`);
    if (passwordText.value !== undefined && passwordFile.value !== undefined)
      throw invalid(`${passwordText.source} and ${passwordFile.source}: set only one`);
    let auth: ElasticsearchAuth = { kind: 'none' };
    if (apiKeyText.value !== undefined) auth = { kind: 'api_key', apiKey: new Secret(apiKeyText.value) };
    else if (apiKeyFile.value !== undefined)
      auth = { kind: 'api_key', apiKey: readSecretFile(apiKeyFile.value, apiKeyFile.source, baseDir) };
    else if (username.value !== undefined) {
      const password =
        passwordText.value !== undefined
          ? new Secret(passwordText.value)
          : passwordFile.value !== undefined
            ? readSecretFile(passwordFile.value, passwordFile.source, baseDir)
            : undefined;
      if (password === undefined)
        throw invalid(
          `ELASTICSEARCH_PASSWORD (or ELASTICSEARCH_PASSWORD_FILE): required with ${username.source}`,
        );
      auth = { kind: 'basic', username: username.value, password };
    } else if (passwordText.value !== undefined || passwordFile.value !== undefined)
      throw invalid(
        `ELASTICSEARCH_USERNAME: required with ${passwordText.value === undefined ? passwordFile.source : passwordText.source}`,
      );
    const caFile = esSetting('ELASTICSEARCH_CA_FILE', 'ca_file');
    if (caFile.value !== undefined && !existsSync(resolve(baseDir, caFile.value)))
      throw invalid(`${caFile.source}: no such file${shown(caFile.value)}`);
    esConfig = {
      url: url.data,
      auth,
      caFile: caFile.value === undefined ? undefined : resolve(baseDir, caFile.value),
      bulkMaxDocuments: es.bulk_max_documents ?? DEFAULTS.bulkMaxDocuments,
      bulkConcurrency: es.bulk_concurrency ?? DEFAULTS.bulkConcurrency,
    };
  }

  const streams = parseStreams(flags.streams);
  /** A folder setting (flag > variable > file > default), refused when it names something that is not a folder. */
  const folder = (
    flag: [string, string | undefined],
    variable: string,
    fileKey: [string, string | undefined],
    fallback: string,
  ): string => {
    const fromEnv = envValue(env, variable);
    const [source, value]: [string, string] =
      flag[1] !== undefined
        ? [flag[0], flag[1]]
        : fromEnv !== undefined
          ? [variable, fromEnv]
          : fileKey[1] !== undefined
            ? [`${fileName}${fileKey[0]}`, fileKey[1]]
            : [`${fileKey[0]} (default)`, fallback];
    const dir = resolve(cwd, value);
    if (existsSync(dir) && !statSync(dir).isDirectory())
      throw invalid(`${source}: expected a folder, but ${dir} is a file${shown(value)}`);
    return dir;
  };
  return {
    output: outputRaw,
    outputDir: folder(
      ['--output-dir', flags.outputDir],
      'LASTPASS_ELASTIC_OUTPUT_DIR',
      ['output_dir', output_dir],
      DEFAULTS.outputDir,
    ),
    stateDir: folder(
      ['--state-dir', flags.stateDir],
      'LASTPASS_ELASTIC_STATE_DIR',
      ['state_dir', state_dir],
      DEFAULTS.stateDir,
    ),
    namespace: ns.data,
    ndjsonMaxBytes: ndjson_max_bytes ?? DEFAULTS.ndjsonMaxBytes,
    logLevel: log_level ?? 'info',
    elasticsearch: esConfig,
    accounts,
    streams,
  };
}
