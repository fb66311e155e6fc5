import { IngestDocument } from '../document';
import { errorJson, type Pipeline } from '../engine';
import { IngestError, ProcessorFailure, rootCause } from '../errors';
import { PipelineStore } from '../executor';
import { parseJson } from '../json';
import { deepCopy, isMap, javaToString, toPlain, type JsonMap } from '../values';

/**
 * An in-memory stand-in for the parts of an Elasticsearch cluster the ingest REST tests use:
 * pipelines (through the local executor), indices with `default_pipeline`/`final_pipeline`
 * (mappings ignored), aliases, documents, bulk and a match-all search with sort.
 */
export interface ApiResponse {
  readonly status: number;
  readonly body: unknown;
}

interface Index {
  settings: { defaultPipeline?: string; finalPipeline?: string };
  docs: Map<string, { source: JsonMap; version: number }>;
}

/** The Elasticsearch version whose behaviour the executor targets (used for test gates). */
export const EMULATED_ES_VERSION = '8.17.0';

function errorResponse(status: number, type: string, reason: string, extra: JsonMap = {}): ApiResponse {
  const cause = { type, reason, ...extra };
  return { status, body: { error: { root_cause: [cause], ...cause }, status } };
}

export function statusOf(type: string): number {
  switch (type) {
    case 'illegal_argument_exception':
    case 'parse_exception':
    case 'json_parse_exception':
    case 'x_content_parse_exception':
    case 'dissect_exception':
      return 400;
    case 'resource_not_found_exception':
    case 'index_not_found_exception':
      return 404;
    default:
      return 500;
  }
}

/** Configuration errors meaning "Elasticsearch supports this, the local executor does not". */
const UNSUPPORTED_CODES: ReadonlySet<string> = new Set([
  'INGEST_UNSUPPORTED_PROCESSOR',
  'INGEST_UNSUPPORTED_FEATURE',
  'INGEST_INVALID_CONDITION',
]);

function configError(e: IngestError): ApiResponse {
  const extra: JsonMap = {};
  if (e.details.processorType !== undefined) extra['processor_type'] = e.details.processorType;
  if (e.details.processorTag !== undefined) extra['processor_tag'] = e.details.processorTag;
  if (e.details.propertyName !== undefined) extra['property_name'] = e.details.propertyName;
  if (UNSUPPORTED_CODES.has(e.code)) extra['local_executor_unsupported'] = e.code;
  const type = e.details.esType ?? 'parse_exception';
  return errorResponse(400, type, e.message, extra);
}

function bodyValue(body: unknown): unknown {
  return typeof body === 'string' ? parseJson(body) : body;
}

export class InMemoryCluster {
  readonly store: PipelineStore;
  private readonly indices = new Map<string, Index>();
  private readonly aliases = new Map<string, string>();
  private autoId = 0;

  constructor(now: () => Date = () => new Date()) {
    this.store = new PipelineStore({ now });
  }

  /** Dispatches one REST API call of the YAML test format. */
  call(api: string, params: JsonMap): ApiResponse {
    try {
      return this.dispatch(api, params);
    } catch (e) {
      if (e instanceof IngestError) return configError(e);
      const cause = rootCause(e);
      return errorResponse(statusOf(cause.type), cause.type, cause.message);
    }
  }

  private dispatch(api: string, p: JsonMap): ApiResponse {
    switch (api) {
      case 'ingest.put_pipeline': {
        const id = javaToString(p['id']);
        this.store.put(id, bodyValue(p['body']));
        return { status: 200, body: { acknowledged: true } };
      }
      case 'ingest.get_pipeline': {
        const id = p['id'] === undefined ? undefined : javaToString(p['id']);
        const ids = id === undefined ? this.store.ids() : [id];
        const out: JsonMap = {};
        for (const i of ids) {
          const pipeline = this.store.get(i);
          if (pipeline !== undefined) out[i] = toPlain(pipeline.definition);
        }
        if (Object.keys(out).length === 0 && id !== undefined) return { status: 404, body: {} };
        return { status: 200, body: out };
      }
      case 'ingest.delete_pipeline': {
        const id = javaToString(p['id']);
        if (!this.store.delete(id))
          return errorResponse(404, 'resource_not_found_exception', `pipeline [${id}] is missing`);
        return { status: 200, body: { acknowledged: true } };
      }
      case 'ingest.simulate':
        return this.simulate(p);
      case 'indices.create':
        return this.createIndex(javaToString(p['index']), bodyValue(p['body']));
      case 'indices.delete': {
        const names = javaToString(p['index']).split(',');
        for (const n of names) {
          if (!this.indices.delete(n) && p['ignore_unavailable'] !== true) {
            return errorResponse(404, 'index_not_found_exception', `no such index [${n}]`);
          }
          for (const [alias, target] of this.aliases) if (target === n) this.aliases.delete(alias);
        }
        return { status: 200, body: { acknowledged: true } };
      }
      case 'indices.get': {
        const name = javaToString(p['index']);
        const target = this.aliases.get(name) ?? name;
        if (!this.indices.has(target))
          return errorResponse(404, 'index_not_found_exception', `no such index [${name}]`);
        return { status: 200, body: { [target]: { settings: {} } } };
      }
      case 'indices.refresh':
      case 'cluster.health':
        return { status: 200, body: { status: 'green' } };
      case 'index':
        return this.index(p);
      case 'get': {
        const name = javaToString(p['index']);
        const id = javaToString(p['id']);
        const doc = this.indices.get(this.aliases.get(name) ?? name)?.docs.get(id);
        if (doc === undefined) return { status: 404, body: { _index: name, _id: id, found: false } };
        return {
          status: 200,
          body: { _index: name, _id: id, _version: doc.version, found: true, _source: toPlain(doc.source) },
        };
      }
      case 'bulk':
        return this.bulk(p);
      case 'search':
        return this.search(p);
      default:
        return errorResponse(
          400,
          'unsupported_api',
          `API [${api}] is not supported by the conformance runner`,
        );
    }
  }

  private createIndex(name: string, body: unknown): ApiResponse {
    if (this.indices.has(name))
      return errorResponse(400, 'resource_already_exists_exception', `index [${name}] already exists`);
    const b = isMap(body) ? body : {};
    const settings = isMap(b['settings']) ? b['settings'] : {};
    const idx = isMap(settings['index']) ? settings['index'] : settings;
    const read = (k: string): string | undefined => {
      const v = idx[k] ?? settings[`index.${k}`] ?? idx[`index.${k}`];
      return typeof v === 'string' ? v : undefined;
    };
    const defaultPipeline = read('default_pipeline');
    const finalPipeline = read('final_pipeline');
    this.indices.set(name, {
      settings: {
        ...(defaultPipeline !== undefined ? { defaultPipeline } : {}),
        ...(finalPipeline !== undefined ? { finalPipeline } : {}),
      },
      docs: new Map(),
    });
    if (isMap(b['aliases'])) for (const alias of Object.keys(b['aliases'])) this.aliases.set(alias, name);
    return { status: 200, body: { acknowledged: true, shards_acknowledged: true, index: name } };
  }

  private simulate(p: JsonMap): ApiResponse {
    const body = bodyValue(p['body']);
    if (!isMap(body)) return errorResponse(400, 'parse_exception', 'request body is required');
    const id = p['id'] === undefined ? undefined : javaToString(p['id']);
    let pipeline: Pipeline | undefined;
    if (id !== undefined) {
      pipeline = this.store.get(id);
      if (pipeline === undefined)
        return errorResponse(404, 'resource_not_found_exception', `pipeline [${id}] does not exist`);
    } else {
      if (body['pipeline'] === undefined) {
        return errorResponse(400, 'parse_exception', '[pipeline] required property is missing', {
          property_name: 'pipeline',
        });
      }
      pipeline = this.store.compile('_simulate_pipeline', body['pipeline']);
    }
    const docs = body['docs'];
    if (!Array.isArray(docs))
      return errorResponse(400, 'parse_exception', '[docs] required property is missing', {
        property_name: 'docs',
      });
    if (docs.length === 0)
      return errorResponse(400, 'illegal_argument_exception', 'must specify at least one document in [docs]');
    const verbose = p['verbose'] === true || p['verbose'] === 'true';
    return { status: 200, body: this.store.simulatePipeline(pipeline, docs, { verbose }) };
  }

  private ensureIndex(name: string): Index {
    let idx = this.indices.get(name);
    if (idx === undefined) {
      idx = { settings: {}, docs: new Map() };
      this.indices.set(name, idx);
    }
    return idx;
  }

  /** Runs request/default pipeline then final pipeline; returns the outcome for one document. */
  private ingest(
    indexName: string,
    id: string | undefined,
    source: JsonMap,
    requestPipeline: string | undefined,
    requireAlias: boolean,
  ): ApiResponse {
    const target = this.aliases.get(indexName) ?? indexName;
    const existing = this.indices.get(target);
    const doc = IngestDocument.create(
      { _index: indexName, _id: id, _source: source },
      this.store.timestamp(),
      false,
    );
    const run = (name: string): ApiResponse | undefined => {
      if (name === '_none') return undefined;
      const pipeline = this.store.get(name);
      if (pipeline === undefined)
        return errorResponse(400, 'illegal_argument_exception', `pipeline with id [${name}] does not exist`);
      try {
        this.store.runDocument(pipeline, doc);
      } catch (e) {
        const cause = e instanceof ProcessorFailure ? e.cause : rootCause(e);
        return errorResponse(statusOf(cause.type), cause.type, cause.message);
      }
      return undefined;
    };
    const first = requestPipeline ?? existing?.settings.defaultPipeline;
    if (first !== undefined) {
      const r = run(first);
      if (r !== undefined) return r;
    }
    if (doc.dropped) return { status: 200, body: { _index: indexName, _id: id ?? null, result: 'noop' } };
    let finalIndex = javaToString(doc.meta['_index'] ?? indexName);
    const finalTarget = this.aliases.get(finalIndex) ?? finalIndex;
    const finalPipeline = this.indices.get(finalTarget)?.settings.finalPipeline;
    if (finalPipeline !== undefined) {
      const r = run(finalPipeline);
      if (r !== undefined) return r;
      if (doc.dropped) return { status: 200, body: { _index: finalIndex, _id: id ?? null, result: 'noop' } };
      finalIndex = javaToString(doc.meta['_index'] ?? finalIndex);
    }
    if (requireAlias && !this.aliases.has(finalIndex)) {
      return errorResponse(
        404,
        'index_not_found_exception',
        `no such index [${finalIndex}] and [require_alias] request flag is [true] and [${finalIndex}] is not an alias`,
      );
    }
    const stored = this.aliases.get(finalIndex) ?? finalIndex;
    const docId =
      doc.meta['_id'] === undefined || doc.meta['_id'] === null
        ? `auto-${(this.autoId += 1)}`
        : javaToString(doc.meta['_id']);
    const idx = this.ensureIndex(stored);
    const prev = idx.docs.get(docId);
    const version = (prev?.version ?? 0) + 1;
    idx.docs.set(docId, { source: doc.source, version });
    return {
      status: prev === undefined ? 201 : 200,
      body: {
        _index: stored,
        _id: docId,
        _version: version,
        result: prev === undefined ? 'created' : 'updated',
      },
    };
  }

  private index(p: JsonMap): ApiResponse {
    const body = bodyValue(p['body']);
    if (!isMap(body)) return errorResponse(400, 'parse_exception', 'request body is required');
    const id = p['id'] === undefined ? undefined : javaToString(p['id']);
    const pipeline = p['pipeline'] === undefined ? undefined : javaToString(p['pipeline']);
    return this.ingest(javaToString(p['index']), id, deepCopy(body), pipeline, p['require_alias'] === true);
  }

  private bulk(p: JsonMap): ApiResponse {
    const raw = p['body'];
    const lines: unknown[] = Array.isArray(raw)
      ? (raw as unknown[]).map((l) => (typeof l === 'string' ? parseJson(l) : l))
      : typeof raw === 'string'
        ? raw
            .split('\n')
            .filter((l) => l.trim() !== '')
            .map((l) => parseJson(l))
        : [];
    const items: JsonMap[] = [];
    let errors = false;
    for (let i = 0; i < lines.length; i += 2) {
      const action = lines[i];
      const source = lines[i + 1];
      if (!isMap(action) || !isMap(source)) break;
      const [op = 'index', meta] = Object.entries(action)[0] ?? [];
      const m = isMap(meta) ? meta : {};
      const indexName = javaToString(m['_index'] ?? p['index'] ?? '');
      const pipeline = m['pipeline'] ?? p['pipeline'];
      const r = this.ingest(
        indexName,
        m['_id'] === undefined ? undefined : javaToString(m['_id']),
        source,
        pipeline === undefined ? undefined : javaToString(pipeline),
        false,
      );
      if (r.status >= 300) errors = true;
      const rb = isMap(r.body) ? r.body : {};
      items.push({ [op]: { ...(isMap(rb['error']) ? { error: rb['error'] } : rb), status: r.status } });
    }
    return { status: 200, body: { took: 1, errors, items } };
  }

  private search(p: JsonMap): ApiResponse {
    const pattern = javaToString(p['index'] ?? '_all');
    const names = [...this.indices.keys()].filter(
      (n) =>
        pattern === '_all' ||
        pattern
          .split(',')
          .some(
            (x) =>
              new RegExp(`^${x.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*')}$`).test(n) ||
              this.aliases.get(x) === n,
          ),
    );
    let hits = names.flatMap((n) =>
      [...(this.indices.get(n)?.docs ?? new Map<string, { source: JsonMap }>())].map(([id, d]) => ({
        _index: n,
        _id: id,
        _source: d.source,
      })),
    );
    const body = bodyValue(p['body']);
    const sort = isMap(body) ? body['sort'] : undefined;
    const sortField =
      typeof sort === 'string'
        ? sort
        : Array.isArray(sort) && typeof sort[0] === 'string'
          ? sort[0]
          : undefined;
    if (sortField !== undefined) {
      const key = (h: { _source: JsonMap }): number => Number(toPlain(h._source[sortField]));
      hits = [...hits].sort((a, b) => key(a) - key(b));
    }
    const total = hits.length;
    return {
      status: 200,
      body: {
        hits: {
          total: p['rest_total_hits_as_int'] === true ? total : { value: total, relation: 'eq' },
          hits: hits.map((h) => ({ ...h, _source: toPlain(h._source) })),
        },
      },
    };
  }
}

export { errorJson };
