import { hash, randomBytes } from 'node:crypto';
import { Cluster, FakeError, type IndexState } from './cluster';
import { checkDocument, isObject, type FlatSettings, type JsonObject } from './mapping';
import { esError, itemFaultError, statusForType, type EsErrorBody, type EsErrorDetail } from './responses';

const OPS = new Set(['create', 'index', 'update', 'delete']);
const SHARDS = { total: 2, successful: 1, failed: 0 };

export interface BulkOptions {
  /** Index from the path (`/<index>/_bulk`). */
  defaultIndex: string | undefined;
  /** `?pipeline=` of the request. */
  pipeline: string | undefined;
  /** Injected per-item failures: 0-based position in this request → status. */
  itemFaults: ReadonlyMap<number, number>;
}

interface Action {
  op: string;
  meta: JsonObject;
  source: string | undefined;
}

type ItemResult = Record<string, JsonObject>;

/** An Elasticsearch-style automatic id: 20 URL-safe base64 characters. */
export function autoId(): string {
  return randomBytes(15).toString('base64url');
}

function parseActions(body: string): Action[] | EsErrorBody {
  if (body.trim() === '')
    return esError(400, 'action_request_validation_exception', 'Validation Failed: 1: no requests added;');
  if (!body.endsWith('\n'))
    return esError(
      400,
      'illegal_argument_exception',
      'The bulk request must be terminated by a newline [\\n]',
    );
  const actions: Action[] = [];
  let position = 0;
  let line = 0;
  const next = (): string | undefined => {
    while (position < body.length) {
      const end = body.indexOf('\n', position);
      const text = body.slice(position, end);
      position = end + 1;
      line += 1;
      if (text.trim() !== '') return text;
    }
    return undefined;
  };
  // Clients repeat one action line for a whole request: it is parsed once (it is only read).
  let lastText: string | undefined;
  let lastParsed: unknown;
  for (let text = next(); text !== undefined; text = next()) {
    let parsed: unknown;
    try {
      parsed = text === lastText ? lastParsed : JSON.parse(text);
      lastText = text;
      lastParsed = parsed;
    } catch {
      return esError(
        400,
        'illegal_argument_exception',
        `Malformed action/metadata line [${line}], expected START_OBJECT but found [VALUE_STRING]`,
      );
    }
    const op = isObject(parsed) ? Object.keys(parsed)[0] : undefined;
    if (!isObject(parsed) || op === undefined || !OPS.has(op) || Object.keys(parsed).length !== 1) {
      return esError(
        400,
        'illegal_argument_exception',
        `Malformed action/metadata line [${line}], expected field [create], [delete], [index] or [update] but found [${op ?? ''}]`,
      );
    }
    const meta = parsed[op];
    if (!isObject(meta))
      return esError(
        400,
        'illegal_argument_exception',
        `Malformed action/metadata line [${line}], expected START_OBJECT`,
      );
    let source: string | undefined;
    if (op !== 'delete') {
      source = next();
      if (source === undefined)
        return esError(
          400,
          'illegal_argument_exception',
          `Validation Failed: 1: source is missing for the ${op} action on line [${line}];`,
        );
    }
    actions.push({ op, meta, source });
  }
  return actions;
}

function stringOf(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

/** Runs `POST _bulk` against the cluster; returns the HTTP status and JSON body Elasticsearch would. */
export function executeBulk(
  cluster: Cluster,
  body: string,
  options: BulkOptions,
): { status: number; body: unknown } {
  return bulkWith(body, (action, position) => runItem(cluster, action, position, options));
}

/** Reads the request, answers each action with `item`, and reports `errors` as Elasticsearch does. */
function bulkWith(
  body: string,
  item: (action: Action, position: number) => ItemResult,
): { status: number; body: unknown } {
  const started = Date.now();
  const actions = parseActions(body);
  if (!Array.isArray(actions)) return { status: actions.status, body: actions };
  const items: ItemResult[] = actions.map(item);
  const errors = items.some((result) => Object.values(result).some((r) => r['error'] !== undefined));
  return { status: 200, body: { errors, took: Date.now() - started, items } };
}

function failed(
  op: string,
  index: string,
  id: string | undefined,
  status: number,
  error: EsErrorDetail,
  target?: IndexState,
): ItemResult {
  const detail =
    target === undefined
      ? { ...error, index }
      : { ...error, index_uuid: target.uuid, shard: '0', index: target.name };
  return { [op]: { _index: target?.name ?? index, _id: id ?? null, status, error: detail } };
}

function settingsFor(cluster: Cluster, name: string): FlatSettings {
  const ds = cluster.dataStreams.get(name);
  const index = ds?.indices[ds.indices.length - 1] ?? cluster.indices.get(name);
  if (index !== undefined) return index.settings;
  const template = cluster.matchTemplate(name);
  return template === undefined ? {} : cluster.composeTemplate(template.body).settings;
}

function runItem(cluster: Cluster, action: Action, position: number, options: BulkOptions): ItemResult {
  const { op, meta } = action;
  let target = stringOf(meta['_index']) ?? options.defaultIndex;
  let id = stringOf(meta['_id']);
  if (target === undefined) {
    return failed(op, '', id, 400, {
      type: 'action_request_validation_exception',
      reason: 'Validation Failed: 1: index is missing;',
    });
  }
  const injected = options.itemFaults.get(position);
  if (injected !== undefined) return failed(op, target, id, injected, itemFaultError(injected));
  if (op === 'update') {
    return failed(op, target, id, 400, {
      type: 'illegal_argument_exception',
      reason: 'the fake Elasticsearch does not emulate bulk update',
    });
  }
  try {
    if (op === 'delete') return deleteItem(cluster, target, id);
    let source: JsonObject;
    try {
      const parsed: unknown = JSON.parse(action.source ?? '');
      if (!isObject(parsed)) {
        return failed(op, target, id, 400, {
          type: 'document_parsing_exception',
          reason: '[1:1] failed to parse: root value must be an object',
        });
      }
      source = parsed;
    } catch {
      return failed(op, target, id, 400, {
        type: 'document_parsing_exception',
        reason: '[1:1] failed to parse',
      });
    }
    // index.default_pipeline (or the request's pipeline) first, then the target's index.final_pipeline.
    for (const step of ['default', 'final'] as const) {
      const name =
        step === 'default'
          ? (stringOf(meta['pipeline']) ??
            options.pipeline ??
            settingsFor(cluster, target)['index.default_pipeline'])
          : settingsFor(cluster, target)['index.final_pipeline'];
      if (typeof name !== 'string' || name === '_none') continue;
      const runner = cluster.executor;
      if (!runner.has(name))
        return failed(op, target, id, 400, {
          type: 'illegal_argument_exception',
          reason: `pipeline with id [${name}] does not exist`,
        });
      const result = runner.process(
        name,
        id === undefined ? { _index: target, _source: source } : { _index: target, _id: id, _source: source },
      );
      if (result.kind === 'dropped') {
        return {
          [op]: {
            _index: target,
            _id: id ?? 'auto-generated',
            _version: -3,
            result: 'noop',
            _shards: SHARDS,
            status: 200,
          },
        };
      }
      if (result.kind === 'error')
        return failed(op, target, id, statusForType(result.error.type), result.error);
      target = result._index;
      id = result._id ?? id;
      source = result._source;
    }
    return store(cluster, op, target, id, source);
  } catch (error) {
    if (error instanceof FakeError)
      return failed(op, target, id, error.body.status, {
        type: error.body.error.type,
        reason: error.body.error.reason,
      });
    throw error;
  }
}

function store(
  cluster: Cluster,
  op: string,
  target: string,
  requestedId: string | undefined,
  source: JsonObject,
): ItemResult {
  const { index, dataStream } = cluster.writeTarget(target);
  const id = requestedId ?? autoId();
  if (dataStream !== undefined && op !== 'create') {
    return failed(op, target, id, 400, {
      type: 'illegal_argument_exception',
      reason: `only write ops with an op_type of create are allowed in data streams`,
    });
  }
  if (dataStream !== undefined && source['@timestamp'] === undefined) {
    return failed(
      op,
      target,
      id,
      400,
      {
        type: 'document_parsing_exception',
        reason: '[1:1] failed to parse: data stream timestamp field [@timestamp] is missing',
      },
      index,
    );
  }
  const existing = index.docs.get(id);
  if (existing !== undefined && op === 'create') return conflict(op, target, id, existing.version, index);
  const mappingError = checkDocument(index.mappings, source, {
    id,
    ignoreMalformed: index.settings['index.mapping.ignore_malformed'] === 'true',
  });
  if (mappingError !== null)
    return failed(op, target, id, statusForType(mappingError.type), mappingError, index);
  return put(index, op, id, cluster.retainSources ? source : {}, existing);
}

/** Stores `source` under `id` and answers the item as Elasticsearch does (201 created / 200 updated). */
function put(
  index: IndexState,
  op: string,
  id: string,
  source: JsonObject,
  existing: { version: number } | undefined,
): ItemResult {
  const version = (existing?.version ?? 0) + 1;
  const seqNo = index.seqNo;
  index.seqNo += 1;
  index.docs.set(id, { source, version, seqNo });
  return {
    [op]: {
      _index: index.name,
      _id: id,
      _version: version,
      result: existing === undefined ? 'created' : 'updated',
      _shards: SHARDS,
      _seq_no: seqNo,
      _primary_term: 1,
      status: existing === undefined ? 201 : 200,
    },
  };
}

/** The 409 of a `create` whose id is taken. */
function conflict(op: string, target: string, id: string, version: number, index: IndexState): ItemResult {
  return failed(
    op,
    target,
    id,
    409,
    {
      type: 'version_conflict_engine_exception',
      reason: `[${id}]: version conflict, document already exists (current version [${version}])`,
    },
    index,
  );
}

function deleteItem(cluster: Cluster, target: string, id: string | undefined): ItemResult {
  if (id === undefined)
    return failed('delete', target, id, 400, {
      type: 'action_request_validation_exception',
      reason: 'Validation Failed: 1: id is missing;',
    });
  if (cluster.dataStreams.has(target)) {
    return failed('delete', target, id, 400, {
      type: 'illegal_argument_exception',
      reason: `only write ops with an op_type of create are allowed in data streams`,
    });
  }
  const index = cluster.indices.get(target);
  const existing = index?.docs.get(id);
  if (index === undefined || existing === undefined) {
    return {
      delete: { _index: target, _id: id, _version: 1, result: 'not_found', _shards: SHARDS, status: 404 },
    };
  }
  index.docs.delete(id);
  const seqNo = index.seqNo;
  index.seqNo += 1;
  return {
    delete: {
      _index: index.name,
      _id: id,
      _version: existing.version + 1,
      result: 'deleted',
      _shards: SHARDS,
      _seq_no: seqNo,
      _primary_term: 1,
      status: 200,
    },
  };
}

/**
 * `POST _bulk` for volume benchmarks of a client (`bulkMode: 'acknowledge'`): the request is read and
 * checked line by line as above, but sources are neither parsed nor run through pipelines nor mapped.
 * Each `create`/`index` is stored under its `_id`, or else under the SHA-1 of its source line — so a
 * repeated document is answered 409 exactly like a pipeline-made id would be — and answered with
 * Elasticsearch's item shape. What it proves is the client's side only.
 */
export function executeBulkAcknowledging(
  cluster: Cluster,
  body: string,
  options: BulkOptions,
): { status: number; body: unknown } {
  const targets = new Map<string, IndexState>();
  return bulkWith(body, (action, position): ItemResult => {
    const { op, meta } = action;
    const name = stringOf(meta['_index']) ?? options.defaultIndex;
    const given = stringOf(meta['_id']);
    const injected = options.itemFaults.get(position);
    if (name === undefined)
      return failed(op, '', given, 400, {
        type: 'action_request_validation_exception',
        reason: 'Validation Failed: 1: index is missing;',
      });
    if (injected !== undefined) return failed(op, name, given, injected, itemFaultError(injected));
    if (op !== 'create' && op !== 'index')
      return failed(op, name, given, 400, {
        type: 'illegal_argument_exception',
        reason: `the fake Elasticsearch acknowledges only create and index in bulkMode 'acknowledge'`,
      });
    return acknowledge(cluster, targets, op, name, given ?? hash('sha1', action.source ?? '', 'base64url'));
  });
}

/** One `create`/`index` of `executeBulkAcknowledging`; `targets` caches the write index per name. */
function acknowledge(
  cluster: Cluster,
  targets: Map<string, IndexState>,
  op: string,
  name: string,
  id: string,
): ItemResult {
  let index = targets.get(name);
  try {
    if (index === undefined) {
      index = cluster.writeTarget(name).index;
      targets.set(name, index);
    }
  } catch (error) {
    if (!(error instanceof FakeError)) throw error;
    return failed(op, name, id, error.body.status, {
      type: error.body.error.type,
      reason: error.body.error.reason,
    });
  }
  const existing = index.docs.get(id);
  return existing !== undefined && op === 'create'
    ? conflict(op, name, id, existing.version, index)
    : put(index, op, id, {}, existing);
}
