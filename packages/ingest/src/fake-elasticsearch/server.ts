import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { gunzipSync } from 'node:zlib';
import { executeBulk, executeBulkAcknowledging } from './bulk';
import {
  Cluster,
  FakeError,
  type IndexState,
  type PipelineHostFactory,
  defaultPipelineHost,
} from './cluster';
import { Faults } from './faults';
import { applyFilterPath, parseFilterPath } from './filter-path';
import { selectNames, wildcardMatch } from './glob';
import { runLatestOnce, transformApi } from './transforms';
import {
  compareValues,
  flattenSettings,
  getPath,
  isObject,
  mappingConflict,
  matchesQuery,
  mergeMappings,
  nestSettings,
  sortKeys,
  type JsonObject,
} from './mapping';
import { esError, faultError, type EsErrorBody } from './responses';
import { installBuiltins } from './builtins';

export interface FakeElasticsearchOptions {
  /** Version answered by `GET /` ('8.17.0' by default; e.g. '9.1.0'). */
  version?: string;
  /** When set, every request must carry `Authorization: ApiKey <apiKey>` or Basic `username:password`. */
  auth?: { apiKey?: string; username?: string; password?: string };
  /** Clock for backing-index names and the executor's `_ingest.timestamp`. */
  now?: () => Date;
  /** Port on 127.0.0.1 (0 = any free port, the default). */
  port?: number;
  /** Preload stand-ins for the built-in `logs` index template and `logs@mappings`/`logs@settings`/`ecs@mappings` (default true). */
  builtins?: boolean;
  /** Keep every request in `requests` (default true; turn off for volume benchmarks). */
  recordRequests?: boolean;
  /** Keep each document's `_source` (default true; with false only ids are kept — for volume benchmarks). */
  retainSources?: boolean;
  /** How stored pipelines are compiled and run (default: this package's executor, `PipelineStore`). */
  pipelineHost?: PipelineHostFactory;
  /**
   * `pipelines` (default): `_bulk` parses, runs pipelines, maps and stores every document.
   * `acknowledge`: for client volume benchmarks — sources are stored unparsed under their `_id` or
   * the SHA-1 of their line (repeats still answer 409), no pipeline or mapping runs.
   */
  bulkMode?: 'pipelines' | 'acknowledge';
}

export interface RecordedRequest {
  method: string;
  /** Path with the query string, exactly as sent. */
  path: string;
  /** Lower-cased header names; repeated headers joined with ', '. */
  headers: Record<string, string>;
  /** The body as UTF-8 text (after gunzip when the client compressed it). */
  body: string;
  /** Status the fake answered (0 while in flight, or when the connection was reset). */
  status: number;
}

export interface FakeElasticsearch {
  readonly url: string;
  readonly port: number;
  readonly version: string;
  close(): Promise<void>;
  readonly requests: RecordedRequest[];
  readonly pipelines: Map<string, unknown>;
  readonly componentTemplates: Map<string, unknown>;
  readonly indexTemplates: Map<string, unknown>;
  /** Documents of a data stream (all backing indices) or index, by `_id`. */
  documents(name: string): Map<string, Record<string, unknown>>;
  /** Names of the data streams created so far. */
  dataStreamNames(): string[];
  readonly faults: Faults;
  /** The whole in-memory state, for assertions the helpers above do not cover. */
  readonly cluster: Cluster;
  /**
   * Test hook: one full checkpoint of a started `latest` transform (transforms never run by themselves
   * here); returns the rows written to its destination index. Our reading of the latest function.
   */
  runLatestTransform(id: string): number;
}

interface Answer {
  status: number;
  body?: unknown;
}

const LUCENE: Record<string, [string, string, string]> = {
  '8': ['9.12.0', '7.17.0', '7.0.0'],
  '9': ['10.2.2', '8.19.0', '8.0.0'],
};

function ok(body: unknown, status = 200): Answer {
  return { status, body };
}

function fail(body: EsErrorBody): Answer {
  return { status: body.status, body };
}

function headersOf(req: IncomingMessage): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (value !== undefined) out[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return out;
}

function parseBody(text: string): unknown {
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text);
  } catch {
    throw new FakeError(
      esError(400, 'x_content_parse_exception', '[1:1] Unexpected character: request body is not valid JSON'),
    );
  }
}

/** A request body that may be absent (`{}` then), parsed once. */
function optionalObject(text: string): JsonObject {
  const parsed = parseBody(text);
  return isObject(parsed) ? parsed : {};
}

function requireBody(text: string): JsonObject {
  const body = parseBody(text);
  if (!isObject(body)) throw new FakeError(esError(400, 'parse_exception', 'request body is required'));
  return body;
}

/** Starts the in-memory Elasticsearch stand-in on 127.0.0.1. A local test instrument, not Elasticsearch. */
export async function startFakeElasticsearch(
  options: FakeElasticsearchOptions = {},
): Promise<FakeElasticsearch> {
  const version = options.version ?? '8.17.0';
  const major = version.split('.')[0] ?? '8';
  const now = options.now ?? (() => new Date());
  const cluster = new Cluster(
    options.pipelineHost ?? defaultPipelineHost,
    now,
    options.retainSources ?? true,
  );
  if (options.builtins ?? true) installBuiltins(cluster);
  const requests: RecordedRequest[] = [];
  const record = options.recordRequests ?? true;
  const sockets = new Set<Socket>();
  let port = options.port ?? 0;

  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      void handle(req, res, Buffer.concat(chunks));
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  server.keepAliveTimeout = 60_000;

  const listen = (): Promise<void> =>
    new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => {
        server.off('error', reject);
        port = (server.address() as AddressInfo).port;
        resolve();
      });
    });
  const stop = (): Promise<void> =>
    new Promise((resolve) => {
      server.close(() => {
        resolve();
      });
      for (const socket of sockets) socket.destroy();
    });
  const faults = new Faults({ stop, start: listen });

  function send(
    req: IncomingMessage,
    res: ServerResponse,
    entry: RecordedRequest | undefined,
    answer: Answer,
  ): void {
    if (entry) entry.status = answer.status;
    const accept = req.headers['accept'] ?? '';
    const contentType = accept.includes('vnd.elasticsearch+json')
      ? `application/vnd.elasticsearch+json;compatible-with=${major}`
      : 'application/json';
    const headers: Record<string, string> = {
      'x-elastic-product': 'Elasticsearch',
      'content-type': contentType,
    };
    if (answer.status === 401)
      headers['www-authenticate'] = 'Basic realm="security", charset="UTF-8", ApiKey';
    if (req.method === 'HEAD' || answer.body === undefined) {
      res.writeHead(answer.status, headers).end();
      return;
    }
    const filter = parseFilterPath(
      new URL(req.url ?? '/', 'http://fake').searchParams.get('filter_path') ?? undefined,
    );
    const body = filter === undefined ? answer.body : applyFilterPath(answer.body, filter);
    res.writeHead(answer.status, headers).end(JSON.stringify(body));
  }

  async function handle(req: IncomingMessage, res: ServerResponse, raw: Buffer): Promise<void> {
    const method = (req.method ?? 'GET').toUpperCase();
    const path = req.url ?? '/';
    let text: string;
    try {
      text = (req.headers['content-encoding'] === 'gzip' ? gunzipSync(raw) : raw).toString('utf8');
    } catch {
      text = '';
    }
    const entry: RecordedRequest | undefined = record
      ? { method, path, headers: headersOf(req), body: text, status: 0 }
      : undefined;
    if (entry) requests.push(entry);
    const pathname = path.split('?')[0] ?? path;
    const fault = faults.take(
      method,
      path,
      (method === 'POST' || method === 'PUT') && /(^|\/)_bulk$/.test(pathname),
    );
    if (fault?.kind === 'reset') {
      req.socket.destroy();
      return;
    }
    if (fault?.kind === 'hang') await faults.hold();
    if (fault?.kind === 'delay') {
      await new Promise((resolve) => {
        setTimeout(resolve, fault.ms);
      });
    }
    if (fault?.kind === 'status') {
      send(req, res, entry, fail(faultError(fault.status, path)));
      return;
    }
    const itemFaults = new Map<number, number>();
    if (fault?.kind === 'item-status')
      for (const item of fault.items) itemFaults.set(item, fault.status ?? 429);
    let answer: Answer;
    try {
      answer = authenticate(req, path) ?? compatibility(req) ?? route(method, path, text, itemFaults);
    } catch (error) {
      if (!(error instanceof FakeError)) throw error;
      answer = fail(error.body);
    }
    send(req, res, entry, answer);
  }

  function authenticate(req: IncomingMessage, path: string): Answer | undefined {
    const auth = options.auth;
    if (auth === undefined) return undefined;
    const header = req.headers['authorization'];
    const pathname = path.split('?')[0] ?? path;
    if (header === undefined) {
      return fail(
        esError(
          401,
          'security_exception',
          `missing authentication credentials for REST request [${pathname}]`,
        ),
      );
    }
    if (auth.apiKey !== undefined && header === `ApiKey ${auth.apiKey}`) return undefined;
    if (
      auth.username !== undefined &&
      header === `Basic ${Buffer.from(`${auth.username}:${auth.password ?? ''}`).toString('base64')}`
    )
      return undefined;
    return fail(
      esError(
        401,
        'security_exception',
        'unable to authenticate with provided credentials and anonymous access is not allowed for this request',
      ),
    );
  }

  function compatibility(req: IncomingMessage): Answer | undefined {
    const requested = [req.headers['accept'], req.headers['content-type']]
      .map((h) => /compatible-with=(\d+)/.exec(h ?? '')?.[1])
      .filter((v): v is string => v !== undefined);
    const allowed = [String(Number(major) - 1), major];
    if (requested.every((v) => allowed.includes(v))) return undefined;
    return fail(
      esError(
        400,
        'media_type_header_exception',
        'Invalid media-type value on headers [Accept, Content-Type]',
        {
          caused_by: {
            type: 'status_exception',
            reason: `A compatible version is required on both Content-Type and Accept headers if either one has requested a compatible version. Compatible versions: [${allowed.join(',')}]`,
          },
        },
      ),
    );
  }

  function info(): Answer {
    const [lucene, wire, index] = LUCENE[major] ?? LUCENE['8'] ?? ['', '', ''];
    return ok({
      name: 'fake-elasticsearch',
      cluster_name: 'fake',
      cluster_uuid: 'fake-cluster-uuid',
      version: {
        number: version,
        build_flavor: 'default',
        build_type: 'fake',
        build_hash: '0000000000000000000000000000000000000000',
        build_date: '2024-01-01T00:00:00.000Z',
        build_snapshot: false,
        lucene_version: lucene,
        minimum_wire_compatibility_version: wire,
        minimum_index_compatibility_version: index,
      },
      tagline: 'You Know, for Search',
    });
  }

  function route(
    method: string,
    path: string,
    text: string,
    itemFaults: ReadonlyMap<number, number>,
  ): Answer {
    const url = new URL(path, 'http://fake');
    const query = url.searchParams;
    const segments = url.pathname
      .split('/')
      .filter((s) => s !== '')
      .map(decodeURIComponent);
    const [first, second, third, fourth] = segments;
    const noHandler = (): Answer =>
      fail(
        esError(
          400,
          'illegal_argument_exception',
          `no handler found for uri [${url.pathname}] and method [${method}] in the fake Elasticsearch`,
        ),
      );
    if (first === undefined) return method === 'GET' || method === 'HEAD' ? info() : noHandler();
    switch (first) {
      case '_bulk':
        return method === 'POST' || method === 'PUT' ? bulk(undefined, query, text, itemFaults) : noHandler();
      case '_ingest':
        return second === 'pipeline' ? ingest(method, third, fourth, query, text) : noHandler();
      case '_component_template':
        return templates('component', method, second, query, text);
      case '_index_template':
        return templates('index', method, second, query, text);
      case '_data_stream':
        return dataStream(method, second);
      case '_transform':
        return transformApi(cluster, version, method, second, third, query, () => requireBody(text), now);
      case '_alias':
        return alias(method, undefined, second);
      case '_cluster':
        return second === 'health'
          ? ok({
              cluster_name: 'fake',
              status: 'green',
              timed_out: false,
              number_of_nodes: 1,
              number_of_data_nodes: 1,
            })
          : noHandler();
      case '_search':
      case '_count':
      case '_refresh':
      case '_settings':
      case '_mapping':
        return indexApi(method, '*', first, second, query, text) ?? noHandler();
      default:
        if (first.startsWith('_')) return noHandler();
        if (second === '_bulk')
          return method === 'POST' || method === 'PUT' ? bulk(first, query, text, itemFaults) : noHandler();
        if (second === '_doc' && third !== undefined && method === 'GET') return getDoc(first, third);
        if (second === undefined) return indexInfo(method, first);
        if (second === '_alias') return alias(method, first, third);
        return indexApi(method, first, second, third, query, text) ?? noHandler();
    }
  }

  function bulk(
    index: string | undefined,
    query: URLSearchParams,
    text: string,
    itemFaults: ReadonlyMap<number, number>,
  ): Answer {
    const execute = options.bulkMode === 'acknowledge' ? executeBulkAcknowledging : executeBulk;
    const result = execute(cluster, text, {
      defaultIndex: index,
      pipeline: query.get('pipeline') ?? undefined,
      itemFaults,
    });
    return ok(result.body, result.status);
  }

  function ingest(
    method: string,
    id: string | undefined,
    action: string | undefined,
    query: URLSearchParams,
    text: string,
  ): Answer {
    if (id === '_simulate' || action === '_simulate') {
      const body = requireBody(text);
      const docs = Array.isArray(body['docs']) ? (body['docs'] as unknown[]) : [];
      const verbose = query.get('verbose') === 'true';
      if (id !== '_simulate' && id !== undefined) {
        if (!cluster.pipelines.has(id))
          return fail(esError(404, 'resource_not_found_exception', `pipeline [${id}] does not exist`));
        return ok(cluster.executor.simulate(id, docs, { verbose }));
      }
      let inline;
      try {
        inline = cluster.executor.compile('_simulate_pipeline', body['pipeline']);
      } catch (error) {
        return fail(esError(400, 'parse_exception', error instanceof Error ? error.message : String(error)));
      }
      return ok(cluster.executor.simulatePipeline(inline, docs, { verbose }));
    }
    if (method === 'GET') {
      const names =
        id === undefined ? [...cluster.pipelines.keys()] : selectNames([...cluster.pipelines.keys()], id);
      if (names.length === 0 && id !== undefined) return ok({}, 404);
      return ok(Object.fromEntries(names.map((n) => [n, cluster.pipelines.get(n)])));
    }
    if (id === undefined) return fail(esError(400, 'illegal_argument_exception', 'pipeline id is required'));
    if (method === 'PUT') {
      cluster.putPipeline(id, requireBody(text));
      return ok({ acknowledged: true });
    }
    if (method === 'DELETE') {
      const names = selectNames([...cluster.pipelines.keys()], id);
      if (names.length === 0)
        return fail(esError(404, 'resource_not_found_exception', `pipeline [${id}] is missing`));
      for (const name of names) {
        const users = [...cluster.indices.values()].filter(
          (i) => i.settings['index.default_pipeline'] === name || i.settings['index.final_pipeline'] === name,
        );
        if (users.length > 0) {
          return fail(
            esError(
              400,
              'illegal_argument_exception',
              `pipeline [${name}] cannot be deleted because it is the default pipeline for ${users.length} index(es) including [${users.map((u) => u.name).join(',')}]`,
            ),
          );
        }
      }
      for (const name of names) cluster.pipelines.delete(name);
      return ok({ acknowledged: true });
    }
    return fail(esError(405, 'illegal_argument_exception', `method [${method}] not allowed on pipelines`));
  }

  function templates(
    kind: 'component' | 'index',
    method: string,
    name: string | undefined,
    query: URLSearchParams,
    text: string,
  ): Answer {
    const store = kind === 'component' ? cluster.componentTemplates : cluster.indexTemplates;
    const label = kind === 'component' ? 'component template' : 'index template';
    const listKey = kind === 'component' ? 'component_templates' : 'index_templates';
    const itemKey = kind === 'component' ? 'component_template' : 'index_template';
    if (method === 'GET' || method === 'HEAD') {
      const names = name === undefined ? [...store.keys()] : selectNames([...store.keys()], name);
      if (names.length === 0 && name !== undefined)
        return fail(esError(404, 'resource_not_found_exception', `${label} matching [${name}] not found`));
      return ok({ [listKey]: names.sort().map((n) => ({ name: n, [itemKey]: store.get(n) })) });
    }
    if (name === undefined)
      return fail(esError(400, 'illegal_argument_exception', `${label} name is required`));
    if (method === 'PUT' || method === 'POST') {
      const create = query.get('create') === 'true';
      if (kind === 'component') cluster.putComponentTemplate(name, requireBody(text), create);
      else cluster.putIndexTemplate(name, requireBody(text), create);
      return ok({ acknowledged: true });
    }
    if (method === 'DELETE') {
      const names = selectNames([...store.keys()], name);
      if (names.length === 0)
        return fail(esError(404, 'resource_not_found_exception', `${label} matching [${name}] not found`));
      if (kind === 'component') {
        const users = [...cluster.indexTemplates.entries()].filter(
          ([, t]) =>
            isObject(t) &&
            Array.isArray(t['composed_of']) &&
            names.some((n) => (t['composed_of'] as unknown[]).includes(n)),
        );
        if (users.length > 0) {
          return fail(
            esError(
              400,
              'illegal_argument_exception',
              `component templates [${names.join(', ')}] cannot be removed as they are still in use by index templates [${users.map(([n]) => n).join(', ')}]`,
            ),
          );
        }
      }
      for (const n of names) store.delete(n);
      return ok({ acknowledged: true });
    }
    return fail(esError(405, 'illegal_argument_exception', `method [${method}] not allowed on ${label}s`));
  }

  function dataStream(method: string, name: string | undefined): Answer {
    if (method === 'GET') {
      const names =
        name === undefined
          ? [...cluster.dataStreams.keys()]
          : selectNames([...cluster.dataStreams.keys()], name);
      if (names.length === 0 && name !== undefined && !name.includes('*'))
        return fail(esError(404, 'index_not_found_exception', `no such index [${name}]`));
      return ok({
        data_streams: names.sort().map((n) => {
          const ds = cluster.dataStreams.get(n);
          return {
            name: n,
            timestamp_field: { name: '@timestamp' },
            indices: (ds?.indices ?? []).map((i) => ({ index_name: i.name, index_uuid: i.uuid })),
            generation: ds?.generation ?? 0,
            status: 'GREEN',
            template: ds?.template ?? '',
            hidden: false,
            system: false,
            allow_custom_routing: false,
            replicated: false,
          };
        }),
      });
    }
    if (name === undefined)
      return fail(esError(400, 'illegal_argument_exception', 'data stream name is required'));
    if (method === 'PUT') {
      if (cluster.dataStreams.has(name))
        return fail(
          esError(400, 'resource_already_exists_exception', `data_stream [${name}] already exists`),
        );
      cluster.createDataStream(name);
      return ok({ acknowledged: true });
    }
    if (method === 'DELETE') {
      for (const n of selectNames([...cluster.dataStreams.keys()], name)) cluster.deleteDataStream(n);
      if (!name.includes('*') && !cluster.dataStreams.has(name)) return ok({ acknowledged: true });
      return ok({ acknowledged: true });
    }
    return fail(esError(405, 'illegal_argument_exception', `method [${method}] not allowed on data streams`));
  }

  /** `GET|HEAD /_alias/<name>` and `/<index>/_alias[/<name>]`: index aliases (200, or 404 when none matches). */
  function alias(method: string, target: string | undefined, name: string | undefined): Answer {
    if (method !== 'GET' && method !== 'HEAD')
      return fail(esError(405, 'illegal_argument_exception', `method [${method}] not allowed on aliases`));
    const names = selectNames([...cluster.aliases.keys()], name ?? '*');
    const indices = target === undefined ? undefined : new Set(cluster.resolve(target).map((i) => i.name));
    const out: Record<string, { aliases: Record<string, object> }> = {};
    for (const a of names)
      for (const index of cluster.aliases.get(a) ?? [])
        if (indices === undefined || indices.has(index)) (out[index] ??= { aliases: {} }).aliases[a] = {};
    if (Object.keys(out).length === 0 && name !== undefined)
      return ok({ error: `alias [${name}] missing`, status: 404 }, 404);
    return ok(out);
  }

  function getDoc(target: string, id: string): Answer {
    for (const index of cluster.resolve(target)) {
      const doc = index.docs.get(id);
      if (doc !== undefined) {
        return ok({
          _index: index.name,
          _id: id,
          _version: doc.version,
          _seq_no: doc.seqNo,
          _primary_term: 1,
          found: true,
          _source: doc.source,
        });
      }
    }
    return ok({ _index: target, _id: id, found: false }, 404);
  }

  function indexInfo(method: string, target: string): Answer {
    const indices = cluster.resolve(target);
    if (method === 'HEAD' || method === 'GET') {
      return ok(
        Object.fromEntries(
          indices.map((i) => [
            i.name,
            {
              aliases: Object.fromEntries(cluster.aliasesOf(i.name).map((a) => [a, {}])),
              mappings: i.mappings,
              settings: nestSettings(i.settings),
            },
          ]),
        ),
      );
    }
    return fail(
      esError(
        400,
        'illegal_argument_exception',
        `the fake Elasticsearch does not emulate [${method} /${target}]`,
      ),
    );
  }

  function hits(
    indices: IndexState[],
    body: JsonObject,
  ): { index: IndexState; id: string; source: JsonObject }[] {
    const out: { index: IndexState; id: string; source: JsonObject }[] = [];
    try {
      for (const index of indices) {
        for (const [id, doc] of index.docs)
          if (matchesQuery(doc.source, id, body['query'])) out.push({ index, id, source: doc.source });
      }
    } catch (error) {
      throw new FakeError(
        esError(400, 'parsing_exception', error instanceof Error ? error.message : String(error)),
      );
    }
    return out;
  }

  function indexApi(
    method: string,
    target: string,
    api: string,
    arg: string | undefined,
    query: URLSearchParams,
    text: string,
  ): Answer | undefined {
    const indices = (): IndexState[] => cluster.resolve(target);
    const shards = (n: number): JsonObject => ({ total: n * 2, successful: n, skipped: 0, failed: 0 });
    switch (api) {
      case '_refresh':
        return ok({ _shards: shards(indices().length) });
      case '_count': {
        const found = indices();
        return ok({
          count: hits(found, optionalObject(text)).length,
          _shards: shards(found.length),
        });
      }
      case '_search': {
        const found = indices();
        const body = optionalObject(text);
        const size = Number(query.get('size') ?? body['size'] ?? 10);
        const from = Number(query.get('from') ?? body['from'] ?? 0);
        let all = hits(found, body);
        // `sort` and `search_after` (paging), as Elasticsearch orders them; each hit then carries `sort`.
        let keys: ReturnType<typeof sortKeys>;
        try {
          keys = sortKeys(body['sort']);
        } catch (error) {
          return fail(
            esError(400, 'parsing_exception', error instanceof Error ? error.message : String(error)),
          );
        }
        const sortValues = (h: (typeof all)[number]): unknown[] =>
          keys.map((k) => {
            const v = getPath(h.source, k.field);
            return Array.isArray(v) ? (v as unknown[])[0] : v;
          });
        const order = (a: unknown[], b: unknown[]): number => {
          for (const [i, k] of keys.entries()) {
            const x = a[i];
            const y = b[i];
            if (x === undefined || y === undefined) {
              if (x !== y) return x === undefined ? 1 : -1;
              continue;
            }
            const c = compareValues(x, y) ?? 0;
            if (c !== 0) return k.desc ? -c : c;
          }
          return 0;
        };
        if (keys.length > 0) all = [...all].sort((a, b) => order(sortValues(a), sortValues(b)));
        const after = body['search_after'];
        if (Array.isArray(after)) all = all.filter((h) => order(sortValues(h), after) > 0);
        return ok({
          took: 0,
          timed_out: false,
          _shards: shards(found.length),
          hits: {
            total: { value: all.length, relation: 'eq' },
            max_score: all.length > 0 ? 1 : null,
            hits: all.slice(from, from + size).map((h) => ({
              _index: h.index.name,
              _id: h.id,
              _score: 1,
              _source: h.source,
              ...(keys.length > 0 ? { sort: sortValues(h) } : {}),
            })),
          },
        });
      }
      case '_rollover': {
        if (method !== 'POST') return undefined;
        const result = cluster.rollover(target);
        return ok({
          acknowledged: true,
          shards_acknowledged: true,
          old_index: result.old,
          new_index: result.new,
          rolled_over: true,
          dry_run: false,
          lazy: false,
          conditions: {},
        });
      }
      case '_mapping': {
        const found = indices();
        if (method === 'GET')
          return ok(Object.fromEntries(found.map((i) => [i.name, { mappings: i.mappings }])));
        if (method !== 'PUT' && method !== 'POST') return undefined;
        const body = requireBody(text);
        for (const index of found) {
          const conflict = mappingConflict(index.mappings, body);
          if (conflict !== null) return fail(esError(400, 'illegal_argument_exception', conflict));
        }
        for (const index of found) index.mappings = mergeMappings(index.mappings, body);
        return ok({ acknowledged: true });
      }
      case '_settings': {
        const found = indices();
        if (method === 'GET') {
          const filter = arg?.split(',');
          return ok(
            Object.fromEntries(
              found.map((i) => {
                const entries = Object.entries(i.settings).filter(
                  ([k]) => filter === undefined || filter.some((f) => wildcardMatch(f, k)),
                );
                return [i.name, { settings: nestSettings(Object.fromEntries(entries)) }];
              }),
            ),
          );
        }
        if (method !== 'PUT') return undefined;
        const flat = flattenSettings(requireBody(text));
        for (const index of found) Object.assign(index.settings, flat);
        return ok({ acknowledged: true });
      }
      default:
        return undefined;
    }
  }

  await listen();
  return {
    get url() {
      return `http://127.0.0.1:${port}`;
    },
    get port() {
      return port;
    },
    version,
    requests,
    pipelines: cluster.pipelines,
    componentTemplates: cluster.componentTemplates,
    indexTemplates: cluster.indexTemplates,
    documents: (name) => cluster.documents(name),
    dataStreamNames: () => [...cluster.dataStreams.keys()].sort(),
    faults,
    cluster,
    runLatestTransform: (id) => runLatestOnce(cluster, id),
    close: async () => {
      faults.release();
      if (server.listening) await stop();
    },
  };
}
