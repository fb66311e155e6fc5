import { readFileSync } from 'node:fs';
import { Client, errors, type ClientOptions } from '@elastic/elasticsearch';
import type { ElasticsearchConfig } from '../config/load';
import type { StreamId } from '../config/schema';
import { CollectorError } from '../errors';
import type { Logger } from '../observability/logger';
import type { RawDocument } from '../streams/types';
import { bulkSubset, encodeBulk } from './serialize';
import type { Sink, Verdict } from './types';

export interface SinkClock {
  now(): number;
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
  random?(): number;
}

export interface SinkRetry {
  /** Give up (throw SINK_UNAVAILABLE) when the next wait would pass this total. Default 300,000 ms. */
  maxElapsedMs: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

const DEFAULT_RETRY: SinkRetry = { maxElapsedMs: 300_000, baseDelayMs: 500, maxDelayMs: 30_000 };

/** The 8.x client (talks to Elasticsearch 8.16+ and 9.x); retries are ours, TLS verification stays on. */
export function createElasticsearchClient(
  config: ElasticsearchConfig,
  extra: Partial<ClientOptions> = {},
): Client {
  const options: ClientOptions = {
    node: config.url,
    maxRetries: 0,
    requestTimeout: 120_000,
    ...extra,
  };
  if (config.auth.kind === 'api_key') options.auth = { apiKey: config.auth.apiKey.reveal() };
  if (config.auth.kind === 'basic')
    options.auth = { username: config.auth.username, password: config.auth.password.reveal() };
  if (config.caFile !== undefined)
    options.tls = { ca: readFileSync(config.caFile), rejectUnauthorized: true };
  return new Client(options);
}

function statusOf(error: unknown): number | undefined {
  if (error instanceof errors.ResponseError) return error.statusCode;
  return undefined;
}

/** 429, 5xx and transport-level failures (connection refused/reset, timeouts) are worth retrying. */
function isTransient(error: unknown): boolean {
  if (
    error instanceof errors.ConnectionError ||
    error instanceof errors.TimeoutError ||
    error instanceof errors.NoLivingConnectionsError
  )
    return true;
  const status = statusOf(error);
  return status === 429 || (status !== undefined && status >= 500);
}

/** `index.default_pipeline` from settings written nested or dotted. */
function defaultPipelineOf(settings: unknown): string | undefined {
  if (typeof settings !== 'object' || settings === null) return undefined;
  const s = settings as {
    index?: { default_pipeline?: unknown };
    'index.default_pipeline'?: unknown;
    default_pipeline?: unknown;
  };
  const value = s.index?.default_pipeline ?? s['index.default_pipeline'] ?? s.default_pipeline;
  return typeof value === 'string' ? value : undefined;
}

/** The parts of a bulk answer the sink reads; `filter_path` keeps a real cluster from sending the rest. */
interface BulkAnswer {
  items?: Partial<Record<string, { status?: number; error?: { type?: string; reason?: string | null } }>>[];
}
// No `_id`: nothing reads it, and it is most of an answer's bytes.
const BULK_FILTER_PATH = 'items.*.status,items.*.error.type,items.*.error.reason';

interface BulkItem {
  status: number;
  error?: { type?: string | undefined; reason?: string | null } | undefined;
}

/**
 * Bulk `create` without `_id` into `logs-lastpass_enterprise.<stream>-<namespace>`: the index
 * template's default pipeline makes the id (contracts §4). Per item: 201 indexed, 409 duplicate
 * (already indexed), 429/5xx retried with backoff, anything else a permanent failure (verdict
 * `failed`, dead-lettered by the sync loop). Request-level 429/5xx/connection errors are retried
 * with exponential backoff and jitter; past `maxElapsedMs` the write throws SINK_UNAVAILABLE and
 * nothing is committed.
 */
export class ElasticsearchSink implements Sink {
  private readonly retry: SinkRetry;

  constructor(
    private readonly options: {
      client: Client;
      namespace: string;
      clock: SinkClock;
      logger: Logger;
      maxDocuments: number;
      /** Bulk requests in flight at once for one write (default 1). */
      concurrency?: number;
      retry?: Partial<SinkRetry>;
      signal?: AbortSignal;
    },
  ) {
    this.retry = { ...DEFAULT_RETRY, ...options.retry };
  }

  dataStreamOf(stream: StreamId): string {
    return `logs-lastpass_enterprise.${stream}-${this.options.namespace}`;
  }

  /**
   * Contracts §5: the index template and its default pipeline must exist (installed by
   * `lastpass-elastic setup --elasticsearch`), else SINK_NOT_SET_UP (exit 2).
   */
  async preflight(streams: readonly StreamId[]): Promise<void> {
    const { client } = this.options;
    for (const stream of streams) {
      const name = `logs-lastpass_enterprise.${stream}`;
      let pipeline: string | undefined;
      try {
        const answer = await client.indices.getIndexTemplate({ name });
        const template = answer.index_templates[0]?.index_template;
        pipeline = defaultPipelineOf(template?.template?.settings);
        // Fleet puts `index.default_pipeline` in the `@package` component template: later ones win.
        for (const component of template?.composed_of ?? []) {
          const found = await client.cluster
            .getComponentTemplate({ name: component })
            .then((c) => defaultPipelineOf(c.component_templates[0]?.component_template.template.settings))
            .catch((error: unknown) => {
              if (statusOf(error) === 404) return undefined; // optional (@custom) components may be absent
              throw error;
            });
          if (found !== undefined) pipeline = found;
        }
      } catch (error) {
        if (statusOf(error) === 404)
          throw new CollectorError(
            'SINK_NOT_SET_UP',
            `index template ${name} is missing; run \`lastpass-elastic setup --elasticsearch\` first`,
          );
        throw this.classify(error, `checking index template ${name}`);
      }
      if (pipeline === undefined)
        throw new CollectorError(
          'SINK_NOT_SET_UP',
          `index template ${name} sets no default_pipeline; run \`lastpass-elastic setup --elasticsearch\` first`,
        );
      try {
        await client.ingest.getPipeline({ id: pipeline });
      } catch (error) {
        if (statusOf(error) === 404)
          throw new CollectorError(
            'SINK_NOT_SET_UP',
            `ingest pipeline ${pipeline} is missing; run \`lastpass-elastic setup --elasticsearch\` first`,
          );
        throw this.classify(error, `checking ingest pipeline ${pipeline}`);
      }
    }
  }

  private classify(error: unknown, doing: string): CollectorError {
    const status = statusOf(error);
    const message = error instanceof Error ? error.message : String(error);
    if (status === 401 || status === 403)
      return new CollectorError(
        'SINK_AUTH_FAILED',
        `Elasticsearch refused the credentials (${status}) while ${doing}`,
      );
    if (isTransient(error))
      return new CollectorError('SINK_UNAVAILABLE', `Elasticsearch unavailable while ${doing}: ${message}`);
    return new CollectorError('SINK_OUTPUT_FAILED', `Elasticsearch error while ${doing}: ${message}`);
  }

  /** Waits before retry number `attempt + 1` (0-based failures since the last progress, at `started`). */
  private async backoff(attempt: number, started: number, why: string): Promise<void> {
    const { clock } = this.options;
    const cap = Math.min(this.retry.maxDelayMs, this.retry.baseDelayMs * 2 ** attempt);
    const delay = Math.round(cap * (0.5 + (clock.random?.() ?? Math.random()) / 2));
    if (clock.now() + delay - started > this.retry.maxElapsedMs)
      throw new CollectorError(
        'SINK_UNAVAILABLE',
        `Elasticsearch still failing after ${attempt + 1} attempts: ${why}`,
      );
    this.options.logger.warn(
      { code: 'SINK_RETRY', attempt: attempt + 1, delay_ms: delay },
      `retrying bulk: ${why}`,
    );
    await clock.sleep(delay, this.options.signal);
  }

  async write(stream: StreamId, documents: readonly RawDocument[]): Promise<Verdict[]> {
    const size = this.options.maxDocuments;
    const chunks: (readonly RawDocument[])[] = [];
    for (let i = 0; i < documents.length; i += size) chunks.push(documents.slice(i, i + size));
    // Up to `concurrency` bulk requests in flight: the next chunk is encoded and sent while
    // Elasticsearch works on the previous one. Verdicts keep the documents' order.
    const answers: Verdict[][] = new Array<Verdict[]>(chunks.length);
    let next = 0;
    let failed = false;
    const worker = async (): Promise<void> => {
      // once a chunk has failed the write fails: no further chunk is started
      while (next < chunks.length && !failed) {
        const k = next++;
        try {
          answers[k] = await this.writeChunk(stream, chunks[k] ?? []);
        } catch (error) {
          failed = true;
          throw error;
        }
      }
    };
    const workers = Array.from({ length: Math.min(this.options.concurrency ?? 1, chunks.length) }, worker);
    const settled = await Promise.allSettled(workers);
    for (const outcome of settled) if (outcome.status === 'rejected') throw outcome.reason;
    return answers.flat();
  }

  private async writeChunk(stream: StreamId, documents: readonly RawDocument[]): Promise<Verdict[]> {
    const index = this.dataStreamOf(stream);
    // Each document is serialized once, into the body; retries copy their documents out of it.
    const encoded = encodeBulk(`{"create":{"_index":${JSON.stringify(index)}}}\n`, documents);
    const verdicts: (Verdict | undefined)[] = documents.map(() => undefined);
    let pending = documents.map((_, i) => i);
    // The backoff counts failures since the last attempt that made progress (an item got its verdict),
    // and so does the elapsed cap (issue #15 §7): after an outage, or while a recovering cluster still
    // answers some items 429, a round that moves forward starts the next wait from the base delay.
    let failures = 0;
    let since = this.options.clock.now();
    for (let attempt = 0; pending.length > 0; attempt++) {
      const body = attempt === 0 ? encoded.body : bulkSubset(encoded, pending);
      let items: BulkItem[];
      try {
        const answer = await this.options.client.transport.request<BulkAnswer>(
          { method: 'POST', path: '/_bulk', querystring: { filter_path: BULK_FILTER_PATH }, bulkBody: body },
          { meta: false },
        );
        items = (answer.items ?? []).map((item) => {
          const op = item.create ?? item.index ?? Object.values(item)[0];
          const error =
            op?.error === undefined ? undefined : { type: op.error.type, reason: op.error.reason ?? null };
          return { status: op?.status ?? 0, error };
        });
      } catch (error) {
        if (!isTransient(error)) throw this.classify(error, `writing to ${index}`);
        await this.backoff(failures++, since, error instanceof Error ? error.message : String(error));
        continue;
      }
      if (items.length !== pending.length)
        throw new CollectorError(
          'SINK_OUTPUT_FAILED',
          `bulk answered ${items.length} items for ${pending.length} documents`,
        );
      const retry: number[] = [];
      items.forEach((item, k) => {
        const i = pending[k] ?? -1;
        if (item.status >= 200 && item.status < 300) verdicts[i] = { status: 'indexed', id: undefined };
        else if (item.status === 409) verdicts[i] = { status: 'duplicate', id: undefined };
        else if (item.status === 429 || item.status >= 500) retry.push(i);
        else
          verdicts[i] = {
            status: 'failed',
            type: item.error?.type ?? `http_${item.status}`,
            reason: item.error?.reason ?? 'rejected',
          };
      });
      if (retry.length < pending.length) {
        failures = 0;
        since = this.options.clock.now();
      }
      pending = retry;
      if (pending.length > 0)
        await this.backoff(failures++, since, `${pending.length} item(s) answered 429/5xx`);
    }
    return verdicts.map((v) => v ?? { status: 'failed', type: 'internal', reason: 'no verdict' });
  }

  async close(): Promise<void> {
    await this.options.client.close();
  }
}
