import { call, errorText, type Endpoint, type Reply } from './http';
import type { NamedAsset } from './assets';
import { SetupError } from './errors';
import { isRecord, type JsonObject } from '../json';

export type AssetKind =
  'pipeline' | 'component_template' | 'index_template' | 'data_stream' | 'transform' | 'index';
export type ChangeAction =
  | 'created'
  | 'updated'
  | 'unchanged'
  | 'deleted'
  | 'kept'
  | 'switched'
  | 'rolled_over'
  | 'started'
  | 'skipped';

export interface Change {
  kind: AssetKind;
  name: string;
  action: ChangeAction;
  detail?: string;
}

/** Actions that leave the cluster as it was. */
export const NO_WRITE: ReadonlySet<ChangeAction> = new Set(['unchanged', 'kept', 'skipped']);

/** What a 403 means for the assets setup installs by default (pipelines and templates). */
export const TEMPLATE_PRIVILEGES =
  'the user needs the manage_pipeline and manage_index_templates cluster privileges (and manage on logs-* for upgrades)';

/** One line for a failed request; `privileges` says what a 403 needs for this kind of asset. */
export function fail(
  endpoint: Endpoint,
  what: string,
  reply: Reply,
  privileges = TEMPLATE_PRIVILEGES,
): never {
  if (reply.status === 401)
    throw new SetupError(
      'SETUP_AUTH_FAILED',
      `Elasticsearch refused the credentials (401) on ${what}; check ELASTICSEARCH_API_KEY or ELASTICSEARCH_USERNAME/PASSWORD`,
    );
  if (reply.status === 403) {
    throw new SetupError('SETUP_FORBIDDEN', `Elasticsearch denied ${what} (403): ${privileges}`);
  }
  throw new SetupError(
    'SETUP_REQUEST_FAILED',
    `${endpoint.label} ${what} failed (HTTP ${reply.status}): ${errorText(reply)}`,
  );
}

/** Scalars as strings and settings flattened, so a body compares equal to Elasticsearch's normalised echo of it. */
function canonical(value: unknown, key = ''): unknown {
  if (Array.isArray(value)) return value.map((v) => canonical(v));
  if (isRecord(value)) {
    if (key === 'settings') return flatten(value);
    if (key === 'data_stream')
      return { hidden: 'false', allow_custom_routing: 'false', ...(canonical(value) as JsonObject) };
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, canonical(v, k)]));
  }
  if (typeof value === 'string') return value;
  return typeof value === 'number' || typeof value === 'boolean' ? String(value) : value;
}

function flatten(value: JsonObject, prefix = '', out: JsonObject = {}): JsonObject {
  for (const [k, v] of Object.entries(value)) {
    const key = prefix === '' ? k : `${prefix}.${k}`;
    if (isRecord(v)) flatten(v, key, out);
    else out[key.startsWith('index.') ? key : `index.${key}`] = canonical(v);
  }
  return out;
}

/** Every key we send is present in what the cluster holds, with the same value. */
function contains(existing: unknown, desired: unknown): boolean {
  if (Array.isArray(desired)) {
    return (
      Array.isArray(existing) &&
      existing.length === desired.length &&
      desired.every((d, i) => contains(existing[i], d))
    );
  }
  if (isRecord(desired)) {
    return isRecord(existing) && Object.entries(desired).every(([k, v]) => contains(existing[k], v));
  }
  return existing === desired;
}

export function sameAsset(existing: unknown, desired: JsonObject): boolean {
  return contains(canonical(existing), canonical(desired));
}

export class Installer {
  readonly changes: Change[] = [];
  /** Assets already handled in this run (the package-wide `@custom` hook is shared by the streams). */
  private readonly done = new Set<string>();
  constructor(readonly es: Endpoint) {}

  async get(path: string, what: string, privileges?: string): Promise<unknown> {
    const reply = await call(this.es, 'GET', path);
    if (reply.status === 404) return undefined;
    if (reply.status !== 200) fail(this.es, what, reply, privileges);
    return reply.json;
  }

  async put(path: string, body: JsonObject, what: string): Promise<Reply> {
    const reply = await call(this.es, 'PUT', path, { body: JSON.stringify(body) });
    if (reply.status !== 200) fail(this.es, what, reply);
    return reply;
  }

  record(kind: AssetKind, name: string, action: ChangeAction, detail?: string): void {
    this.changes.push(detail === undefined ? { kind, name, action } : { kind, name, action, detail });
  }

  async pipeline(asset: NamedAsset): Promise<void> {
    const path = `/_ingest/pipeline/${encodeURIComponent(asset.name)}`;
    const found = await this.get(path, `GET pipeline ${asset.name}`);
    const existing = isRecord(found) ? found[asset.name] : undefined;
    if (existing !== undefined && sameAsset(existing, asset.body)) {
      this.record('pipeline', asset.name, 'unchanged');
      return;
    }
    await this.put(path, asset.body, `PUT pipeline ${asset.name}`);
    this.record('pipeline', asset.name, existing === undefined ? 'created' : 'updated');
  }

  async template(
    kind: 'component_template' | 'index_template',
    asset: NamedAsset,
    onlyIfAbsent = false,
  ): Promise<ChangeAction> {
    const path = `/_${kind}/${encodeURIComponent(asset.name)}`;
    if (this.done.has(path)) return 'unchanged';
    this.done.add(path);
    const existing = templateBody(await this.get(path, `GET ${kind} ${asset.name}`), kind);
    let action: ChangeAction;
    if (existing !== undefined && (onlyIfAbsent || sameAsset(existing, asset.body))) action = 'unchanged';
    else {
      await this.put(onlyIfAbsent ? `${path}?create=true` : path, asset.body, `PUT ${kind} ${asset.name}`);
      action = existing === undefined ? 'created' : 'updated';
    }
    this.record(
      kind,
      asset.name,
      action,
      onlyIfAbsent && action === 'unchanged' ? 'user hook kept as is' : undefined,
    );
    return action;
  }
}

export function templateBody(
  reply: unknown,
  kind: 'component_template' | 'index_template',
): JsonObject | undefined {
  if (!isRecord(reply)) return undefined;
  const list = reply[`${kind}s`];
  const first: unknown = Array.isArray(list) ? list[0] : undefined;
  const body = isRecord(first) ? first[kind] : undefined;
  return isRecord(body) ? body : undefined;
}

export function metaOf(template: JsonObject | undefined): { version?: string; managedBy?: string } {
  const meta = template?.['_meta'];
  if (!isRecord(meta)) return {};
  const pkg = meta['package'];
  const version = isRecord(pkg) && typeof pkg['version'] === 'string' ? pkg['version'] : undefined;
  const managedBy = typeof meta['managed_by'] === 'string' ? meta['managed_by'] : undefined;
  return { ...(version === undefined ? {} : { version }), ...(managedBy === undefined ? {} : { managedBy }) };
}
