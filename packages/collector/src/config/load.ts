import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import type { z } from 'zod';
import { CollectorError } from '../errors';
import { parseDuration } from './duration';
import {
  accountFileSchema,
  configFileSchema,
  DEFAULT_API_USER,
  DEFAULT_LASTPASS_URL,
  DEFAULT_TIME_ZONE,
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

/** One line naming the first bad key and what was expected. */
function describeIssues(where: string, error: z.ZodError): string {
  const issue = error.issues[0];
  if (issue === undefined) return `${where}: invalid`;
  const key = issue.path.map(String).join('.');
  if (issue.code === 'unrecognized_keys') {
    const prefix = key === '' ? '' : `${key}.`;
    return `${where}: unknown key ${issue.keys.map((k) => `"${prefix}${k}"`).join(', ')}`;
  }
  return `${where}: ${key === '' ? 'the document' : `"${key}"`}: ${issue.message}`;
}

function readSecretFile(path: string, what: string, baseDir: string): Secret {
  let text: string;
  try {
    text = readFileSync(resolve(baseDir, path), 'utf8');
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    const reason = typeof code === 'string' ? code : 'unreadable';
    throw invalid(`${what}: cannot read ${path} (${reason})`);
  }
  const value = text.trim();
  if (value === '') throw invalid(`${what}: ${path} is empty`);
  return new Secret(value);
}

function ms(text: string): number {
  return parseDuration(text) ?? 0;
}

export function loadConfigFile(path: string): ConfigFile {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    const reason = typeof code === 'string' ? code : 'unreadable';
    throw invalid(`--config: cannot read ${path} (${reason})`);
  }
  let data: unknown;
  try {
    data = parseYaml(text) ?? {};
  } catch (error) {
    throw invalid(`${path}: not valid YAML (${error instanceof Error ? error.message.split('\n')[0] : ''})`);
  }
  const parsed = configFileSchema.safeParse(data);
  if (!parsed.success) throw invalid(describeIssues(path, parsed.error));
  return parsed.data;
}

function envValue(env: NodeJS.ProcessEnv, name: string): string | undefined {
  const v = env[name];
  return v === undefined || v === '' ? undefined : v;
}

/** Environment overrides for account keys (contracts §2); validated with the same schema as the file. */
function accountFromEnv(env: NodeJS.ProcessEnv): AccountFile {
  const raw: Record<string, string> = {};
  const map: [string, keyof AccountFile][] = [
    ['LASTPASS_URL', 'url'],
    ['LASTPASS_ACCOUNT_NUMBER', 'account_number'],
    ['LASTPASS_PROVISIONING_HASH', 'provisioning_hash'],
    ['LASTPASS_PROVISIONING_HASH_FILE', 'provisioning_hash_file'],
    ['LASTPASS_TIME_ZONE', 'time_zone'],
    ['LASTPASS_API_USER', 'api_user'],
  ];
  for (const [name, key] of map) {
    const v = envValue(env, name);
    if (v !== undefined) raw[key] = v;
  }
  const parsed = accountFileSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const key = String(issue?.path[0] ?? '');
    const envName = map.find(([, k]) => k === key)?.[0] ?? key;
    throw invalid(`${envName}: ${issue?.message ?? 'invalid'}`);
  }
  return parsed.data;
}

function resolveAccount(merged: AccountFile, index: number, baseDir: string): AccountConfig {
  const where = `accounts[${index}]`;
  if (merged.account_number === undefined)
    throw invalid(`account_number (LASTPASS_ACCOUNT_NUMBER): required for ${where}`);
  let hash: Secret;
  if (merged.provisioning_hash !== undefined) hash = new Secret(merged.provisioning_hash);
  else if (merged.provisioning_hash_file !== undefined)
    hash = readSecretFile(merged.provisioning_hash_file, 'provisioning_hash_file', baseDir);
  else
    throw invalid(
      `provisioning_hash (LASTPASS_PROVISIONING_HASH or LASTPASS_PROVISIONING_HASH_FILE): required for account ${merged.account_number}`,
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
    throw invalid(`event_report.overlap: expected at least 2s (the boundary second is always re-read)`);
  return {
    accountNumber: merged.account_number,
    provisioningHash: hash,
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
  const configPath = flags.config ?? envValue(env, 'LASTPASS_ELASTIC_CONFIG');
  const file: ConfigFile = configPath === undefined ? {} : loadConfigFile(resolve(cwd, configPath));
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
  if (
    entries.length > 1 &&
    (envAccount.account_number !== undefined || envAccount.provisioning_hash !== undefined)
  )
    throw invalid(
      'LASTPASS_ACCOUNT_NUMBER / LASTPASS_PROVISIONING_HASH: not allowed with several accounts in the config file; set them per account',
    );
  const accounts = entries.map((entry, i) =>
    resolveAccount({ ...topAccount, ...defined(entry), ...envAccount }, i, baseDir),
  );
  const seen = new Set<string>();
  for (const a of accounts) {
    if (seen.has(a.accountNumber)) throw invalid(`accounts: account_number ${a.accountNumber} appears twice`);
    seen.add(a.accountNumber);
  }

  const es = elasticsearch ?? {};
  const esUrl = envValue(env, 'ELASTICSEARCH_URL') ?? es.url;
  const outputRaw =
    flags.output ??
    envValue(env, 'LASTPASS_ELASTIC_OUTPUT') ??
    output ??
    (esUrl === undefined ? 'ndjson' : 'elasticsearch');
  if (outputRaw !== 'ndjson' && outputRaw !== 'elasticsearch')
    throw invalid(`LASTPASS_ELASTIC_OUTPUT: expected "ndjson" or "elasticsearch", got "${outputRaw}"`);
  const namespaceRaw = envValue(env, 'ELASTICSEARCH_NAMESPACE') ?? es.namespace ?? DEFAULTS.namespace;
  const ns = namespaceSchema.safeParse(namespaceRaw);
  if (!ns.success) throw invalid(`ELASTICSEARCH_NAMESPACE: ${ns.error.issues[0]?.message ?? 'invalid'}`);

  let esConfig: ElasticsearchConfig | undefined;
  if (outputRaw === 'elasticsearch') {
    if (esUrl === undefined) throw invalid('ELASTICSEARCH_URL: required when the output is elasticsearch');
    try {
      new URL(esUrl);
    } catch {
      throw invalid(`ELASTICSEARCH_URL: expected a URL such as https://localhost:9200, got "${esUrl}"`);
    }
    const apiKeyFile = envValue(env, 'ELASTICSEARCH_API_KEY_FILE') ?? es.api_key_file;
    const apiKeyText = envValue(env, 'ELASTICSEARCH_API_KEY') ?? es.api_key;
    const username = envValue(env, 'ELASTICSEARCH_USERNAME') ?? es.username;
    const passwordFile = envValue(env, 'ELASTICSEARCH_PASSWORD_FILE') ?? es.password_file;
    const passwordText = envValue(env, 'ELASTICSEARCH_PASSWORD') ?? es.password;
    let auth: ElasticsearchAuth = { kind: 'none' };
    if (apiKeyText !== undefined) auth = { kind: 'api_key', apiKey: new Secret(apiKeyText) };
    else if (apiKeyFile !== undefined)
      auth = { kind: 'api_key', apiKey: readSecretFile(apiKeyFile, 'ELASTICSEARCH_API_KEY_FILE', baseDir) };
    else if (username !== undefined) {
      const password =
        passwordText !== undefined
          ? new Secret(passwordText)
          : passwordFile !== undefined
            ? readSecretFile(passwordFile, 'ELASTICSEARCH_PASSWORD_FILE', baseDir)
            : undefined;
      if (password === undefined)
        throw invalid(
          'ELASTICSEARCH_PASSWORD (or ELASTICSEARCH_PASSWORD_FILE): required with ELASTICSEARCH_USERNAME',
        );
      auth = { kind: 'basic', username, password };
    }
    const caFile = envValue(env, 'ELASTICSEARCH_CA_FILE') ?? es.ca_file;
    esConfig = {
      url: esUrl,
      auth,
      caFile: caFile === undefined ? undefined : resolve(baseDir, caFile),
      bulkMaxDocuments: es.bulk_max_documents ?? DEFAULTS.bulkMaxDocuments,
      bulkConcurrency: es.bulk_concurrency ?? DEFAULTS.bulkConcurrency,
    };
  }

  const streams = parseStreams(flags.streams);
  return {
    output: outputRaw,
    outputDir: resolve(
      cwd,
      flags.outputDir ?? envValue(env, 'LASTPASS_ELASTIC_OUTPUT_DIR') ?? output_dir ?? DEFAULTS.outputDir,
    ),
    stateDir: resolve(
      cwd,
      flags.stateDir ?? envValue(env, 'LASTPASS_ELASTIC_STATE_DIR') ?? state_dir ?? DEFAULTS.stateDir,
    ),
    namespace: ns.data,
    ndjsonMaxBytes: ndjson_max_bytes ?? DEFAULTS.ndjsonMaxBytes,
    logLevel: log_level ?? 'info',
    elasticsearch: esConfig,
    accounts,
    streams,
  };
}
