/**
 * One place for resilience (architecture-models §2.4): rate budget → retry (exponential backoff with
 * jitter, honours `Retry-After`, capped by attempts and total elapsed time) → per-attempt timeout →
 * undici. Calls are serialised: one request in flight per client (= per account). POST is retried
 * deliberately: every command this client sends is read-only.
 */
import { request, type Dispatcher } from 'undici';
import type { Clock } from './clock';
import { classifyStatus, excerpt, parseBody, type Command } from './classify';
import { LastPassError, type LastPassErrorCode } from './errors';
import type { RequestTracer } from './tracer';

export interface RetryOptions {
  /** Attempts per call, first included. Default 5. */
  maxAttempts?: number;
  /** First backoff delay. Default 1,000 ms; doubles per attempt. */
  baseDelayMs?: number;
  /** Cap of one backoff delay (a longer `Retry-After` still wins). Default 30,000 ms. */
  maxDelayMs?: number;
  /** Give up when the next wait would pass this total since the call started. Default 120,000 ms. */
  maxElapsedMs?: number;
}

/** pino-compatible subset. */
export interface Logger {
  warn(obj: Record<string, unknown>, msg: string): void;
  debug(obj: Record<string, unknown>, msg: string): void;
}

export interface TransportOptions {
  url: string;
  dispatcher: Dispatcher | undefined;
  clock: Clock;
  retry: Required<RetryOptions>;
  timeoutMs: number;
  minIntervalMs: number;
  tracer: RequestTracer | undefined;
  logger: Logger | undefined;
  /** Aborts waits and requests in flight (shutdown). */
  signal: AbortSignal | undefined;
  /** Replaces every occurrence of the secret. */
  redact: (text: string) => string;
}

export interface TransportResult {
  parsed: unknown;
  /** The answer's text, as received. */
  text: string;
  apiCalls: number;
}

const NETWORK_TIMEOUT_CODES = new Set([
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
  'UND_ERR_CONNECT_TIMEOUT',
]);

interface AttemptOutcome {
  status?: number;
  bytes?: number;
  body?: string;
}

export class Transport {
  #lastRequestAt = Number.NEGATIVE_INFINITY;
  #queue: Promise<unknown> = Promise.resolve();
  #totalCalls = 0;

  constructor(private readonly options: TransportOptions) {}

  /** HTTP requests sent so far by this transport (retries included). */
  get totalCalls(): number {
    return this.#totalCalls;
  }

  /** Sends `body` (serialised after any call in flight) and returns the parsed JSON of a 200 answer. */
  send(command: Command, body: Record<string, unknown>): Promise<TransportResult> {
    const run = this.#queue.then(
      () => this.#withRetry(command, body),
      () => this.#withRetry(command, body),
    );
    this.#queue = run.catch(() => undefined);
    return run;
  }

  async #withRetry(command: Command, body: Record<string, unknown>): Promise<TransportResult> {
    const { clock, retry, logger } = this.options;
    const startedAt = clock.now();
    let apiCalls = 0;
    for (let attempt = 1; ; attempt++) {
      this.#throwIfAborted(command);
      try {
        apiCalls++;
        const { parsed, text } = await this.#attempt(command, body, attempt);
        return { parsed, text, apiCalls };
      } catch (error) {
        const failure = this.#normalise(command, error);
        if (!failure.retryable) throw failure;
        const backoff = Math.min(retry.maxDelayMs, retry.baseDelayMs * 2 ** (attempt - 1));
        const jittered = backoff / 2 + (clock.random?.() ?? Math.random()) * (backoff / 2);
        const delayMs = Math.ceil(Math.max(jittered, failure.retryAfterMs ?? 0));
        const elapsed = clock.now() - startedAt;
        if (attempt >= retry.maxAttempts || elapsed + delayMs > retry.maxElapsedMs) {
          const why =
            attempt >= retry.maxAttempts
              ? `${attempt} attempts`
              : `the next wait of ${delayMs} ms would pass the ${retry.maxElapsedMs} ms cap`;
          throw new LastPassError(
            'LASTPASS_RETRIES_EXHAUSTED',
            `${command}: gave up after ${why}; last error ${failure.code}: ${failure.message}`,
            {
              command,
              attempts: attempt,
              cause: failure,
              ...(failure.status === undefined ? {} : { status: failure.status }),
            },
          );
        }
        logger?.warn(
          { command, code: failure.code, attempt, delayMs },
          `${command}: ${failure.code}, retrying`,
        );
        await this.#sleep(command, delayMs);
      }
    }
  }

  #throwIfAborted(command: Command): void {
    if (this.options.signal?.aborted === true) {
      throw new LastPassError('LASTPASS_ABORTED', `${command}: aborted`, { command });
    }
  }

  /** A clock sleep that ends early with LASTPASS_ABORTED when the caller's signal aborts. */
  async #sleep(command: Command, ms: number): Promise<void> {
    try {
      await this.options.clock.sleep(ms, this.options.signal);
    } catch (error) {
      this.#throwIfAborted(command);
      throw error;
    }
    this.#throwIfAborted(command);
  }

  /** Every error leaves here as a LastPassError with a redacted message. */
  #normalise(command: Command, error: unknown): LastPassError {
    if (
      this.options.signal?.aborted === true &&
      !(error instanceof LastPassError && error.code === 'LASTPASS_ABORTED')
    ) {
      return new LastPassError('LASTPASS_ABORTED', `${command}: aborted`, { command, cause: error });
    }
    if (error instanceof LastPassError) {
      error.message = this.options.redact(error.message);
      return error;
    }
    const code = errorCode(error);
    if (code !== undefined && NETWORK_TIMEOUT_CODES.has(code)) {
      return new LastPassError('LASTPASS_TIMEOUT', `${command}: no answer in time (${code})`, {
        command,
        cause: error,
      });
    }
    const detail = code ?? (error instanceof Error ? error.name : 'unknown error');
    return new LastPassError(
      'LASTPASS_UNAVAILABLE',
      `${command}: network error (${this.options.redact(detail)})`,
      {
        command,
        cause: error,
      },
    );
  }

  async #attempt(
    command: Command,
    body: Record<string, unknown>,
    attempt: number,
  ): Promise<{ parsed: unknown; text: string }> {
    const { clock, minIntervalMs } = this.options;
    const wait = this.#lastRequestAt + minIntervalMs - clock.now();
    if (wait > 0) await this.#sleep(command, wait);
    const started = clock.now();
    this.#lastRequestAt = started;
    this.#totalCalls++;
    const outcome: AttemptOutcome = {};
    try {
      const text = await this.#exchange(command, body, outcome);
      const parsed = parseBody(command, text);
      this.#trace(command, body, attempt, started, outcome, 'ok');
      this.options.logger?.debug(
        { command, attempt, status: outcome.status, bytes: outcome.bytes, durationMs: clock.now() - started },
        `${command}: answered`,
      );
      return { parsed, text };
    } catch (error) {
      const failure = this.#normalise(command, error);
      this.#trace(command, body, attempt, started, outcome, failure.code, failure.retryAfterMs);
      throw failure;
    }
  }

  /** One HTTP exchange bounded by the per-attempt timeout; throws for non-200 statuses. */
  async #exchange(command: Command, body: Record<string, unknown>, outcome: AttemptOutcome): Promise<string> {
    const { clock, timeoutMs, url, dispatcher } = this.options;
    const abort = new AbortController();
    const timer = new AbortController();
    const exchange = (async () => {
      const response = await request(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json' },
        body: JSON.stringify(body),
        signal:
          this.options.signal === undefined
            ? abort.signal
            : AbortSignal.any([abort.signal, this.options.signal]),
        ...(dispatcher === undefined ? {} : { dispatcher }),
      });
      const text = await response.body.text();
      outcome.status = response.statusCode;
      outcome.bytes = Buffer.byteLength(text);
      outcome.body = text;
      const retryAfter = response.headers['retry-after'];
      classifyStatus(
        command,
        response.statusCode,
        Array.isArray(retryAfter) ? retryAfter[0] : retryAfter,
        text,
        clock.now(),
      );
      return text;
    })();
    if (timeoutMs <= 0) return exchange;
    const timeout = clock.sleep(timeoutMs, timer.signal).then(
      () => {
        abort.abort();
        throw new LastPassError('LASTPASS_TIMEOUT', `${command}: no complete answer within ${timeoutMs} ms`, {
          command,
        });
      },
      () => new Promise<never>(() => undefined),
    );
    try {
      return await Promise.race([exchange, timeout]);
    } finally {
      timer.abort();
      exchange.catch(() => undefined);
    }
  }

  #trace(
    command: Command,
    body: Record<string, unknown>,
    attempt: number,
    started: number,
    outcome: AttemptOutcome,
    result: LastPassErrorCode | 'ok',
    retryAfterMs?: number,
  ): void {
    const { tracer, clock, redact } = this.options;
    if (tracer === undefined) return;
    const request = JSON.parse(redact(JSON.stringify({ ...body, provhash: '[REDACTED]' }))) as Record<
      string,
      unknown
    >;
    tracer.record({
      time: new Date(started).toISOString(),
      command,
      attempt,
      request,
      ...(outcome.status === undefined ? {} : { status: outcome.status }),
      durationMs: clock.now() - started,
      ...(outcome.bytes === undefined ? {} : { responseBytes: outcome.bytes }),
      outcome: result,
      ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
      ...(result !== 'ok' && outcome.body !== undefined ? { excerpt: redact(excerpt(outcome.body)) } : {}),
    });
  }
}

function errorCode(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string') return code;
  const cause = (error as { cause?: unknown }).cause;
  return cause === undefined ? undefined : errorCode(cause);
}
