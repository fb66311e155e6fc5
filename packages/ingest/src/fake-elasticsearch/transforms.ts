// The `_transform` API of the fake Elasticsearch: create, read, start, stop, delete and stats. A stand-in
// for setup tests: it validates and stores configurations and, on start, creates the destination index
// from the matching index template and points the `dest.aliases` at it, as Elasticsearch does; it never
// runs a transform by itself. `runLatestOnce` is an explicit test hook: one full checkpoint of a `latest`
// transform (our reading of the latest function, for readers of its destination), not Elasticsearch.
import { createHash } from 'node:crypto';
import { FakeError, type Cluster, type TransformState } from './cluster';
import { selectNames } from './glob';
import { compareValues, getPath, isObject, matchesQuery, type JsonObject } from './mapping';
import { esError } from './responses';

export interface TransformAnswer {
  status: number;
  body: unknown;
}

const TOP_LEVEL = new Set([
  'description',
  'source',
  'dest',
  'frequency',
  'sync',
  'retention_policy',
  'settings',
  '_meta',
  'latest',
  'pivot',
]);

/** `settings` keys and the Elasticsearch version that first accepts them (SettingsConfig's wire versions). */
const SETTINGS_SINCE: Record<string, string> = {
  max_page_search_size: '7.8.0',
  docs_per_second: '7.8.0',
  dates_as_epoch_millis: '7.11.0',
  align_checkpoints: '7.15.0',
  use_point_in_time: '7.16.1',
  deduce_mappings: '8.1.0',
  num_failure_retries: '8.4.0',
  unattended: '8.5.0',
};
const DEST_ALIASES_SINCE = '8.8.0';
const ID_PATTERN = /^[a-z0-9](?:[a-z0-9_.-]*[a-z0-9])?$/;
const ID_LENGTH_LIMIT = 64;

function before(version: string, since: string): boolean {
  const parse = (v: string): number[] => v.replace(/-.*/, '').split('.').map(Number);
  const [a, b] = [parse(version), parse(since)];
  for (let i = 0; i < 3; i++) if ((a[i] ?? 0) !== (b[i] ?? 0)) return (a[i] ?? 0) < (b[i] ?? 0);
  return false;
}

const notFound = (id: string): FakeError =>
  new FakeError(esError(404, 'resource_not_found_exception', `Transform with id [${id}] could not be found`));

const parseError = (where: string, field: string): FakeError =>
  new FakeError(esError(400, 'x_content_parse_exception', `[1:2] [${where}] unknown field [${field}]`));

/** Our reading of the create-transform validation (strict parser, id rules, required parts), per version. */
function validate(id: string, body: JsonObject, version: string): JsonObject {
  const problems: string[] = [];
  if (!ID_PATTERN.test(id) || id === '_all')
    problems.push(
      `Invalid transform_id; '${id}' can contain lowercase alphanumeric (a-z and 0-9), hyphens or underscores; must start and end with alphanumeric`,
    );
  if (id.length > ID_LENGTH_LIMIT)
    problems.push(`The id cannot contain more than ${ID_LENGTH_LIMIT} characters.`);
  if (problems.length > 0)
    throw new FakeError(
      esError(
        400,
        'action_request_validation_exception',
        `Validation Failed: ${problems.map((p, i) => `${i + 1}: ${p};`).join('')}`,
      ),
    );
  for (const key of Object.keys(body))
    if (!TOP_LEVEL.has(key)) throw parseError('data_frame_transform_config', key);
  const settings = body['settings'];
  if (isObject(settings))
    for (const key of Object.keys(settings)) {
      const since = SETTINGS_SINCE[key];
      if (since === undefined || before(version, since)) throw parseError('transform_config_settings', key);
    }
  const source = body['source'];
  const index = isObject(source) ? source['index'] : undefined;
  const dest = body['dest'];
  if ((typeof index !== 'string' || index === '') && !(Array.isArray(index) && index.length > 0))
    throw new FakeError(
      esError(400, 'x_content_parse_exception', '[source] failed to parse: [index] is required'),
    );
  if (!isObject(dest) || typeof dest['index'] !== 'string' || dest['index'] === '')
    throw new FakeError(
      esError(400, 'x_content_parse_exception', '[dest] failed to parse: [index] is required'),
    );
  if (dest['aliases'] !== undefined && before(version, DEST_ALIASES_SINCE))
    throw parseError('data_frame_config_dest', 'aliases');
  if ((body['latest'] === undefined) === (body['pivot'] === undefined))
    throw new FakeError(
      esError(
        400,
        'action_request_validation_exception',
        'Validation Failed: 1: Need exactly one of [pivot, latest];',
      ),
    );
  const latest = body['latest'];
  if (
    latest !== undefined &&
    !(isObject(latest) && Array.isArray(latest['unique_key']) && typeof latest['sort'] === 'string')
  )
    throw new FakeError(
      esError(
        400,
        'x_content_parse_exception',
        '[latest] failed to parse: [unique_key] and [sort] are required',
      ),
    );
  return {
    ...body,
    source: {
      ...(isObject(source) ? source : {}),
      index: typeof index === 'string' ? index.split(',') : index,
    },
  };
}

function view(t: TransformState, version: string): JsonObject {
  return { id: t.id, ...t.config, version, create_time: t.createTime };
}

/** Elasticsearch's start: the destination index is created when missing, then the aliases point at it. */
function start(cluster: Cluster, t: TransformState): void {
  const dest = t.config['dest'];
  if (!isObject(dest) || typeof dest['index'] !== 'string') return;
  const name = dest['index'];
  if (!cluster.indices.has(name))
    cluster.createIndex(name, { 'index.number_of_shards': '1', 'index.auto_expand_replicas': '0-1' });
  const aliases = Array.isArray(dest['aliases']) ? (dest['aliases'] as unknown[]) : [];
  for (const a of aliases)
    if (isObject(a) && typeof a['alias'] === 'string')
      cluster.addAlias(a['alias'], name, a['move_on_creation'] === true);
  t.state = 'started';
}

/** `/_transform[/<id>[/<action>]]` */
export function transformApi(
  cluster: Cluster,
  version: string,
  method: string,
  id: string | undefined,
  action: string | undefined,
  query: URLSearchParams,
  body: () => JsonObject,
  now: () => Date,
): TransformAnswer {
  const ok = (b: unknown): TransformAnswer => ({ status: 200, body: b });
  const get = (name: string): TransformState => {
    const t = cluster.transforms.get(name);
    if (t === undefined) throw notFound(name);
    return t;
  };
  const matching = (): TransformState[] => {
    const expression = id === undefined || id === '_all' ? '*' : id;
    const found = selectNames([...cluster.transforms.keys()], expression).sort();
    if (found.length === 0 && !expression.includes('*')) throw notFound(expression);
    return found.map((n) => get(n));
  };
  if (action === undefined && method === 'GET') {
    const found = matching();
    return ok({ count: found.length, transforms: found.map((t) => view(t, version)) });
  }
  if (action === '_stats' && method === 'GET') {
    const found = matching();
    return ok({
      count: found.length,
      transforms: found.map((t) => ({
        id: t.id,
        state: t.state,
        stats: { pages_processed: 0, documents_processed: 0, documents_indexed: 0 },
        checkpointing: { last: { checkpoint: 0 } },
        health: { status: 'green' },
      })),
    });
  }
  if (id === undefined)
    throw new FakeError(esError(400, 'illegal_argument_exception', 'transform id is required'));
  if (action === undefined && method === 'PUT') {
    if (cluster.transforms.has(id))
      throw new FakeError(
        esError(409, 'resource_already_exists_exception', `Transform with id [${id}] already exists`),
      );
    const config = validate(id, body(), version);
    cluster.transforms.set(id, { id, config, state: 'stopped', createTime: now().getTime() });
    return ok({ acknowledged: true });
  }
  if (action === '_start' && method === 'POST') {
    const t = get(id);
    if (t.state === 'started')
      throw new FakeError(
        esError(409, 'status_exception', `Cannot start transform [${id}] as it is already started.`),
      );
    start(cluster, t);
    return ok({ acknowledged: true });
  }
  if (action === '_stop' && method === 'POST') {
    get(id).state = 'stopped';
    return ok({ acknowledged: true });
  }
  if (action === undefined && method === 'DELETE') {
    const t = get(id);
    if (t.state === 'started' && query.get('force') !== 'true')
      throw new FakeError(
        esError(
          409,
          'status_exception',
          `Cannot delete transform [${id}] as the task is running. Stop the task first`,
        ),
      );
    const dest = t.config['dest'];
    if (query.get('delete_dest_index') === 'true' && isObject(dest) && typeof dest['index'] === 'string')
      cluster.deleteIndex(dest['index']);
    cluster.transforms.delete(id);
    return ok({ acknowledged: true });
  }
  throw new FakeError(
    esError(
      400,
      'illegal_argument_exception',
      `no handler found for uri [/_transform/${id}${action === undefined ? '' : `/${action}`}] and method [${method}] in the fake Elasticsearch`,
    ),
  );
}

/**
 * Test hook: one checkpoint of a started `latest` transform over every source document — the source
 * query, one row per `unique_key` tuple (a missing value is its own bucket), the document with the
 * greatest `sort` value, written to `dest.index` under a hash of the key. Returns the rows written.
 */
export function runLatestOnce(cluster: Cluster, id: string): number {
  const t = cluster.transforms.get(id);
  if (t === undefined) throw notFound(id);
  const { source, dest, latest } = t.config;
  if (!isObject(source) || !isObject(dest) || !isObject(latest) || typeof dest['index'] !== 'string')
    throw new Error(`transform ${id} is not a latest transform`);
  const destination = cluster.indices.get(dest['index']);
  if (t.state !== 'started' || destination === undefined)
    throw new Error(`transform ${id} has not been started (no destination index)`);
  const keys = (latest['unique_key'] as unknown[]).map(String);
  const sort = String(latest['sort']);
  const patterns = (source['index'] as unknown[]).map(String).join(',');
  const rows = new Map<string, JsonObject>();
  for (const index of cluster.resolve(patterns))
    for (const [docId, doc] of index.docs) {
      if (!matchesQuery(doc.source, docId, source['query'])) continue;
      const key = JSON.stringify(keys.map((k) => getPath(doc.source, k) ?? null));
      const prior = rows.get(key);
      if (prior === undefined || (compareValues(getPath(doc.source, sort), getPath(prior, sort)) ?? 0) > 0)
        rows.set(key, doc.source);
    }
  for (const [key, row] of rows) {
    const rowId = createHash('sha1').update(key).digest('base64url');
    const previous = destination.docs.get(rowId);
    destination.docs.set(rowId, {
      source: row,
      version: (previous?.version ?? 0) + 1,
      seqNo: destination.seqNo++,
    });
  }
  return rows.size;
}
