import { readFileSync } from 'node:fs';
import { Agent, request, type Dispatcher } from 'undici';
import { z } from 'zod';
import { SetupError } from './errors';
import { isRecord } from '../json';

/** Where to connect and how to authenticate. Secrets live only in `authorization`, never in messages. */
export interface Endpoint {
  /** Base URL without trailing slash. */
  url: string;
  /** Full `Authorization` header value, if any. */
  authorization?: string;
  dispatcher: Dispatcher;
  /** 'Elasticsearch' or 'Kibana', for messages. */
  label: string;
}

export interface Reply {
  status: number;
  headers: Record<string, string>;
  text: string;
  json: unknown;
}

const envSchema = z.object({
  ELASTICSEARCH_API_KEY: z.string().min(1).optional(),
  ELASTICSEARCH_API_KEY_FILE: z.string().min(1).optional(),
  ELASTICSEARCH_USERNAME: z.string().min(1).optional(),
  ELASTICSEARCH_PASSWORD: z.string().optional(),
  ELASTICSEARCH_PASSWORD_FILE: z.string().min(1).optional(),
  ELASTICSEARCH_CA_FILE: z.string().min(1).optional(),
});

/** The variable's value is never shown: it may be the secret itself, put there by mistake. */
function readSecretFile(variable: string, file: string): string {
  try {
    const value = readFileSync(file, 'utf8').trim();
    if (value === '')
      throw new SetupError('SETUP_CONFIG', `${variable}: the file named by ${variable} is empty`);
    return value;
  } catch (error) {
    if (error instanceof SetupError) throw error;
    const code = (error as { code?: unknown }).code;
    throw new SetupError(
      'SETUP_CONFIG',
      `${variable}: cannot read the file named by ${variable}${typeof code === 'string' ? ` (${code})` : ''}`,
    );
  }
}

/**
 * Builds an endpoint from a URL and the auth/TLS environment variables (contracts §2):
 * `ELASTICSEARCH_API_KEY`(`_FILE`) or `ELASTICSEARCH_USERNAME` + `ELASTICSEARCH_PASSWORD`(`_FILE`),
 * `ELASTICSEARCH_CA_FILE`; TLS certificates are verified unless `insecure`.
 */
export function endpointFromEnv(
  label: string,
  flag: string,
  rawUrl: string,
  env: NodeJS.ProcessEnv,
  insecure = false,
): Endpoint {
  let url: URL;
  try {
    url = new URL(rawUrl);
  } catch {
    throw new SetupError('SETUP_CONFIG', `${flag}: expected an http(s) URL, got "${rawUrl}"`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new SetupError('SETUP_CONFIG', `${flag}: expected an http(s) URL, got protocol "${url.protocol}"`);
  }
  if (url.username !== '' || url.password !== '') {
    throw new SetupError(
      'SETUP_CONFIG',
      `${flag}: put credentials in ELASTICSEARCH_API_KEY or ELASTICSEARCH_USERNAME/PASSWORD, not in the URL`,
    );
  }
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new SetupError('SETUP_CONFIG', `${String(issue?.path[0] ?? 'environment')}: must not be empty`);
  }
  const e = parsed.data;
  if (e.ELASTICSEARCH_API_KEY !== undefined && e.ELASTICSEARCH_API_KEY_FILE !== undefined) {
    throw new SetupError(
      'SETUP_CONFIG',
      'ELASTICSEARCH_API_KEY and ELASTICSEARCH_API_KEY_FILE: set only one',
    );
  }
  const apiKey =
    e.ELASTICSEARCH_API_KEY ??
    (e.ELASTICSEARCH_API_KEY_FILE === undefined
      ? undefined
      : readSecretFile('ELASTICSEARCH_API_KEY_FILE', e.ELASTICSEARCH_API_KEY_FILE));
  const password =
    e.ELASTICSEARCH_PASSWORD ??
    (e.ELASTICSEARCH_PASSWORD_FILE === undefined
      ? undefined
      : readSecretFile('ELASTICSEARCH_PASSWORD_FILE', e.ELASTICSEARCH_PASSWORD_FILE));
  let authorization: string | undefined;
  if (apiKey !== undefined) authorization = `ApiKey ${apiKey}`;
  else if (e.ELASTICSEARCH_USERNAME !== undefined) {
    if (password === undefined)
      throw new SetupError(
        'SETUP_CONFIG',
        'ELASTICSEARCH_PASSWORD (or ELASTICSEARCH_PASSWORD_FILE): required with ELASTICSEARCH_USERNAME',
      );
    authorization = `Basic ${Buffer.from(`${e.ELASTICSEARCH_USERNAME}:${password}`).toString('base64')}`;
  } else if (password !== undefined) {
    throw new SetupError('SETUP_CONFIG', 'ELASTICSEARCH_USERNAME: required with ELASTICSEARCH_PASSWORD');
  }
  let ca: string | undefined;
  if (e.ELASTICSEARCH_CA_FILE !== undefined) {
    try {
      ca = readFileSync(e.ELASTICSEARCH_CA_FILE, 'utf8');
    } catch {
      throw new SetupError(
        'SETUP_CONFIG',
        `ELASTICSEARCH_CA_FILE: cannot read file ${e.ELASTICSEARCH_CA_FILE}`,
      );
    }
  }
  const dispatcher = new Agent({
    connect: { rejectUnauthorized: !insecure, ...(ca === undefined ? {} : { ca }) },
  });
  const base = url.toString().replace(/\/+$/, '');
  return { url: base, ...(authorization === undefined ? {} : { authorization }), dispatcher, label };
}

const TLS_CODES = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'CERT_HAS_EXPIRED',
  'ERR_TLS_CERT_ALTNAME_INVALID',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
]);

function causeCode(error: unknown): string | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 5 && isRecord(current); depth += 1) {
    if (typeof current['code'] === 'string' && current['code'] !== 'UND_ERR_SOCKET') return current['code'];
    current = current['cause'];
  }
  return isRecord(error) && typeof error['code'] === 'string' ? error['code'] : undefined;
}

/** One HTTP call; network failures become SETUP_UNREACHABLE / SETUP_TLS naming only the URL. */
export async function call(
  endpoint: Endpoint,
  method: 'GET' | 'PUT' | 'POST' | 'DELETE' | 'HEAD',
  path: string,
  options: { body?: string | Uint8Array; headers?: Record<string, string> } = {},
): Promise<Reply> {
  const headers: Record<string, string> = { accept: 'application/json', ...options.headers };
  if (endpoint.authorization !== undefined) headers['authorization'] = endpoint.authorization;
  if (options.body !== undefined && headers['content-type'] === undefined)
    headers['content-type'] = 'application/json';
  try {
    const res = await request(`${endpoint.url}${path}`, {
      method,
      headers,
      dispatcher: endpoint.dispatcher,
      ...(options.body === undefined ? {} : { body: options.body }),
      headersTimeout: 60_000,
      bodyTimeout: 120_000,
    });
    const text = await res.body.text();
    let json: unknown;
    try {
      json = text === '' ? undefined : JSON.parse(text);
    } catch {
      json = undefined;
    }
    const out: Record<string, string> = {};
    for (const [name, value] of Object.entries(res.headers))
      if (value !== undefined) out[name] = Array.isArray(value) ? value.join(', ') : value;
    return { status: res.statusCode, headers: out, text, json };
  } catch (error) {
    const code = causeCode(error);
    if (code !== undefined && TLS_CODES.has(code)) {
      throw new SetupError(
        'SETUP_TLS',
        `${endpoint.label} at ${endpoint.url}: TLS certificate not trusted (${code}); set ELASTICSEARCH_CA_FILE to the cluster's CA`,
      );
    }
    throw new SetupError(
      'SETUP_UNREACHABLE',
      `${endpoint.label} at ${endpoint.url} is unreachable (${code ?? (error instanceof Error ? error.message : 'network error')})`,
    );
  }
}

/** Elasticsearch's or Kibana's error text from a reply body, on one line, without echoing headers. */
export function errorText(reply: Reply): string {
  const body = reply.json;
  if (isRecord(body)) {
    const error = body['error'];
    if (isRecord(error)) {
      const type = typeof error['type'] === 'string' ? error['type'] : 'error';
      const reason = typeof error['reason'] === 'string' ? error['reason'] : '';
      return `${type}: ${reason}`.trim();
    }
    if (typeof body['message'] === 'string') return body['message'].replace(/\s+/g, ' ').slice(0, 500);
    if (typeof error === 'string') return error;
  }
  return reply.text.replace(/\s+/g, ' ').slice(0, 300) || `HTTP ${reply.status}`;
}
