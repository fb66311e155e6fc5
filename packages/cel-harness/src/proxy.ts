import {
  createServer,
  request as httpRequest,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { AddressInfo } from 'node:net';

/**
 * The Elastic Agent's HTTP client as the CEL program sees it, put between the engine and the API:
 *
 * - **Retries** as the CEL input configures go-retryablehttp (beats x-pack/filebeat/input/cel, `newClient`):
 *   with `resource.retry.max_attempts` > 1 a request is retried up to that many times (so up to
 *   max_attempts + 1 requests) on a connection error, HTTP 429 and every 5xx except 501
 *   (`DefaultRetryPolicy`); after the last attempt the program gets the last response (the input's
 *   `retryErrorHandler` passes it through) or, without one, the transport error. The backoff
 *   (`DefaultBackoff`: `Retry-After` seconds on 429/503, else wait_min * 2^attempt up to wait_max) is
 *   added up in `virtualWaitMs` but never slept: tests must not wait for real.
 * - **One evaluation at a time** (`gate`): the `mito` command evaluates again by itself while
 *   `want_more` is true. A request that arrives after the engine printed its first result belongs to
 *   the next evaluation; the gate holds it unanswered (it never reaches the API) and reports it, so the
 *   driver can stop the process before that evaluation has any side effect.
 * - **Faults on the way back** (`rewrite`): tests can change an answer (e.g. a malformed record).
 */
export interface RetrySettings {
  /** `resource.retry.max_attempts` (Agent default 5). */
  maxAttempts: number;
  /** `resource.retry.wait_min` in ms (Agent default 1 s). */
  waitMinMs: number;
  /** `resource.retry.wait_max` in ms (Agent default 60 s). */
  waitMaxMs: number;
}

export const AGENT_RETRY_DEFAULTS: RetrySettings = { maxAttempts: 5, waitMinMs: 1000, waitMaxMs: 60_000 };

export interface ProxiedAnswer {
  status: number;
  headers: Record<string, string>;
  body: Buffer;
}

export interface ProxyExchange {
  method: string;
  /** The request body as the program sent it (callers redact before logging). */
  body: string;
  /** Requests sent to the API for this one request of the program (1 + retries). */
  attempts: number;
  /** The status the program received; 0 when it received a transport error. */
  status: number;
  /** A transport error the program received after the last attempt. */
  transportError?: string;
}

export interface ProxyStats {
  /** Requests made by the program. */
  requests: number;
  /** Requests sent to the API (retries included). */
  attempts: number;
  retries: number;
  /** Backoff the Agent would have waited before its retries (not slept). */
  virtualWaitMs: number;
  /** Answers the program received with a retryable failure (429/5xx) or a transport error, after retries. */
  failuresDelivered: { status: number; body: string }[];
  /** Requests held by the gate (they belonged to an evaluation after the one being run). */
  held: number;
}

export interface AgentHttpProxyOptions {
  /** The real `resource.url` (the API, or the simulator). */
  target: string;
  retry?: RetrySettings;
  /** Return true to hold a request (it never reaches the API); `onHold` is then called. */
  gate?: () => boolean;
  onHold?: () => void;
  /** Changes an answer from the API before the program sees it (fault injection in tests). */
  rewrite?: (request: { body: string }, answer: ProxiedAnswer) => ProxiedAnswer;
  onExchange?: (exchange: ProxyExchange) => void;
}

const RETRYABLE = (status: number): boolean =>
  status === 429 || (status >= 500 && status !== 501) || status === 0;

/** go-retryablehttp's DefaultBackoff for attempt `n` (0-based) after `answer` (or a transport error). */
export function agentBackoffMs(
  retry: RetrySettings,
  attempt: number,
  answer: ProxiedAnswer | undefined,
): number {
  if (answer !== undefined && (answer.status === 429 || answer.status === 503)) {
    const after = answer.headers['retry-after'];
    if (after !== undefined && /^\d+$/.test(after.trim())) return Number(after.trim()) * 1000;
  }
  const wait = retry.waitMinMs * 2 ** attempt;
  return Number.isFinite(wait) && wait < retry.waitMaxMs ? wait : retry.waitMaxMs;
}

/** How many requests one request of the program may become (the input has no retry client at max_attempts <= 1). */
export function agentAttempts(retry: RetrySettings): number {
  return retry.maxAttempts > 1 ? retry.maxAttempts + 1 : 1;
}

export class AgentHttpProxy {
  readonly stats: ProxyStats = {
    requests: 0,
    attempts: 0,
    retries: 0,
    virtualWaitMs: 0,
    failuresDelivered: [],
    held: 0,
  };
  private server: Server | undefined;
  private readonly heldResponses = new Set<ServerResponse>();
  /** The options; the mito engine installs `gate` and `onHold`. */
  readonly options: AgentHttpProxyOptions;
  private readonly retry: RetrySettings;
  /** The proxy's own URL (same path as the target), once started. */
  url = '';

  constructor(options: AgentHttpProxyOptions) {
    this.options = options;
    this.retry = options.retry ?? AGENT_RETRY_DEFAULTS;
  }

  async start(): Promise<string> {
    const server = createServer((req, res) => {
      this.handle(req, res).catch((e: unknown) => {
        res.destroy(e instanceof Error ? e : new Error(String(e)));
      });
    });
    server.keepAliveTimeout = 1000;
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    server.unref(); // never keeps a process alive by itself
    this.server = server;
    const target = new URL(this.options.target);
    this.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}${target.pathname}${target.search}`;
    return this.url;
  }

  /** Drops the requests held by the gate (their process is gone). */
  releaseHeld(): void {
    for (const res of this.heldResponses) res.destroy();
    this.heldResponses.clear();
  }

  async close(): Promise<void> {
    this.releaseHeld();
    const server = this.server;
    this.server = undefined;
    if (server === undefined) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) =>
      server.close(() => {
        resolve();
      }),
    );
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks);
    if (this.options.gate?.() === true) {
      this.stats.held += 1;
      this.heldResponses.add(res);
      res.on('close', () => this.heldResponses.delete(res));
      this.options.onHold?.();
      return;
    }
    this.stats.requests += 1;
    const total = agentAttempts(this.retry);
    let answer: ProxiedAnswer | undefined;
    let transportError: string | undefined;
    let attempts = 0;
    for (let attempt = 0; attempt < total; attempt++) {
      if (attempt > 0) {
        this.stats.retries += 1;
        this.stats.virtualWaitMs += agentBackoffMs(this.retry, attempt - 1, answer);
      }
      attempts += 1;
      this.stats.attempts += 1;
      try {
        answer = await this.forward(req, body);
        transportError = undefined;
        if (this.options.rewrite !== undefined)
          answer = this.options.rewrite({ body: body.toString('utf8') }, answer);
      } catch (e) {
        answer = undefined;
        transportError = e instanceof Error ? e.message : String(e);
      }
      if (answer !== undefined && !RETRYABLE(answer.status)) break;
    }
    const exchange: ProxyExchange = {
      method: req.method ?? 'GET',
      body: body.toString('utf8'),
      attempts,
      status: answer?.status ?? 0,
    };
    if (answer === undefined) {
      exchange.transportError = transportError ?? 'no answer';
      this.stats.failuresDelivered.push({ status: 0, body: exchange.transportError });
      this.options.onExchange?.(exchange);
      res.destroy();
      return;
    }
    if (RETRYABLE(answer.status))
      this.stats.failuresDelivered.push({ status: answer.status, body: answer.body.toString('utf8') });
    this.options.onExchange?.(exchange);
    res.writeHead(answer.status, answer.headers);
    res.end(answer.body);
  }

  private forward(req: IncomingMessage, body: Buffer): Promise<ProxiedAnswer> {
    const target = new URL(this.options.target);
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(req.headers)) {
      if (v === undefined || k === 'host' || k === 'connection' || k === 'keep-alive') continue;
      headers[k] = Array.isArray(v) ? v.join(', ') : v;
    }
    headers['content-length'] = String(body.length);
    const send = target.protocol === 'https:' ? httpsRequest : httpRequest;
    return new Promise<ProxiedAnswer>((resolve, reject) => {
      const out = send(target, { method: req.method ?? 'GET', headers, agent: false }, (upstream) => {
        const parts: Buffer[] = [];
        upstream.on('data', (c: Buffer) => parts.push(c));
        upstream.on('error', reject);
        upstream.on('aborted', () => {
          reject(new Error('connection reset while reading the answer'));
        });
        upstream.on('end', () => {
          const answerHeaders: Record<string, string> = {};
          for (const [k, v] of Object.entries(upstream.headers)) {
            if (v === undefined || k === 'content-length' || k === 'transfer-encoding' || k === 'connection')
              continue;
            answerHeaders[k] = Array.isArray(v) ? v.join(', ') : v;
          }
          resolve({ status: upstream.statusCode ?? 0, headers: answerHeaders, body: Buffer.concat(parts) });
        });
      });
      out.on('error', reject);
      out.end(body);
    });
  }
}
