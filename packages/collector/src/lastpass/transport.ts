/**
 * One place for resilience (architecture-models §2.4): rate budget → retry (exponential backoff with
 * jitter, honours `Retry-After`, capped by attempts and total elapsed time) → per-attempt timeout →
 * undici. Calls are serialised: one request in flight per client (= per account). POST is retried
 * deliberately: every command this client sends is read-only.
 */
import { isUtf8 } from 'node:buffer';
import { request, type Dispatcher } from 'undici';
import type { Clock } from './clock';
import { classifyStatus, parseBody, type Command } from './classify';
import { LastPassError, type LastPassErrorCode } from './errors';
import type { Pacer } from './pacer';
import type { Redactor } from './redact';
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
  /** When each request may start (request_interval, backfill pacing, 429 penalty). */
  pacer: Pacer;
  /** A larger answer is stopped there: LASTPASS_RESPONSE_TOO_LARGE. */
  maxResponseBytes: number;
  tracer: RequestTracer | undefined;
  logger: Logger | undefined;
  /** Aborts waits and requests in flight (shutdown). */
  signal: AbortSignal | undefined;
  /** Keeps the secret out of messages, traces and excerpts. */
  redactor: Redactor;
}

/** Says whether a parsed answer carried any record (it paces the next request: see Pacer). */
export type HasRecords = (parsed: unknown) => boolean;

export interface TransportResult {
  parsed: unknown;
  /** The answer's text, as received. */
  text: string;
  apiCalls: number;
  /** Set when the answer was not valid UTF-8 (read as U+FFFD): the first invalid byte and the answer's size. */
  invalidUtf8?: { offset: number; bytes: number };
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
  invalidUtf8?: { offset: number; bytes: number };
}

export class Transport {
  #queue: Promise<unknown> = Promise.resolve();
  #totalCalls = 0;

  constructor(private readonly options: TransportOptions) {}

  /** HTTP requests sent so far by this transport (retries included). */
  get totalCalls(): number {
    return this.#totalCalls;
  }

  /** Sends `body` (serialised after any call in flight) and returns the parsed JSON of a 200 answer. */
  send(command: Command, body: Record<string, unknown>, hasRecords?: HasRecords): Promise<TransportResult> {
    const run = this.#queue.then(
      () => this.#withRetry(command, body, hasRecords),
      () => this.#withRetry(command, body, hasRecords),
    );
    this.#queue = run.catch(() => undefined);
    return run;
  }

  async #withRetry(
    command: Command,
    body: Record<string, unknown>,
    hasRecords: HasRecords | undefined,
  ): Promise<TransportResult> {
    const { clock, retry, logger } = this.options;
    const startedAt = clock.now();
    let apiCalls = 0;
    for (let attempt = 1; ; attempt++) {
      this.#throwIfAborted(command);
      try {
        apiCalls++;
        const { parsed, text, invalidUtf8 } = await this.#attempt(command, body, attempt, hasRecords);
        return { parsed, text, apiCalls, ...(invalidUtf8 === undefined ? {} : { invalidUtf8 }) };
      } catch (error) {
        const failure = this.#normalise(command, error);
        // every error a call throws says how many requests the call made (summary counts, issue #15 §8)
        failure.attempts ??= attempt;
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
      error.message = this.options.redactor.text(error.message);
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
      `${command}: network error (${this.options.redactor.text(detail)})`,
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
    hasRecords: HasRecords | undefined,
  ): Promise<Omit<TransportResult, 'apiCalls'>> {
    const { clock, pacer } = this.options;
    const wait = pacer.waitMs(clock.now());
    if (wait > 0) await this.#sleep(command, wait);
    const started = clock.now();
    pacer.started(started);
    this.#totalCalls++;
    const outcome: AttemptOutcome = {};
    try {
      const text = await this.#exchange(command, body, outcome);
      const invalidUtf8 = outcome.invalidUtf8;
      const parsed = parseBody(command, text, this.options.redactor);
      pacer.answered(hasRecords?.(parsed) === true ? 1 : 0);
      this.#trace(command, body, attempt, started, outcome, 'ok');
      this.options.logger?.debug(
        { command, attempt, status: outcome.status, bytes: outcome.bytes, durationMs: clock.now() - started },
        `${command}: answered`,
      );
      return { parsed, text, ...(invalidUtf8 === undefined ? {} : { invalidUtf8 }) };
    } catch (error) {
      const failure = this.#normalise(command, error);
      pacer.failed(failure.code === 'LASTPASS_RATE_LIMITED');
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
      outcome.status = response.statusCode;
      const text = await this.#readBody(command, response, outcome);
      outcome.body = text;
      const retryAfter = response.headers['retry-after'];
      classifyStatus(
        command,
        response.statusCode,
        Array.isArray(retryAfter) ? retryAfter[0] : retryAfter,
        text,
        clock.now(),
        this.options.redactor,
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

  /**
   * The body as text, stopped at `maxResponseBytes` (LASTPASS_RESPONSE_TOO_LARGE, naming the setting).
   * Invalid UTF-8 is decoded to U+FFFD, as any JSON reader (the Agent's included) would, and reported
   * (a warning here; the client makes it a note in the stream's health).
   */
  async #readBody(
    command: Command,
    response: Dispatcher.ResponseData,
    outcome: AttemptOutcome,
  ): Promise<string> {
    const max = this.options.maxResponseBytes;
    const tooLarge = (bytes: string): LastPassError =>
      new LastPassError(
        'LASTPASS_RESPONSE_TOO_LARGE',
        `${command}: the response is larger than response_max_bytes (${max} bytes; ${bytes}): raise response_max_bytes or lower the stream's page size (event_report.page_limit, user.page_size, detailed_shared_folder.page_size)`,
        { command, ...(outcome.status === undefined ? {} : { status: outcome.status }) },
      );
    // An oversized answer that is not a 200 (a 429 or 5xx error page) is cut at the cap and left to the
    // status classification, so it stays retryable instead of becoming LASTPASS_RESPONSE_TOO_LARGE.
    const errorStatus = response.statusCode !== 200;
    const declared = Number(response.headers['content-length']);
    if (!errorStatus && Number.isFinite(declared) && declared > max) {
      response.body.destroy();
      throw tooLarge(`Content-Length ${declared}`);
    }
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of response.body as AsyncIterable<Buffer>) {
      if (errorStatus && size + chunk.length > max) {
        chunks.push(chunk.subarray(0, max - size));
        size = max;
        response.body.destroy();
        break;
      }
      size += chunk.length;
      if (size > max) {
        response.body.destroy();
        throw tooLarge(`stopped after ${size} bytes`);
      }
      chunks.push(chunk);
    }
    outcome.bytes = size;
    const bytes = chunks.length === 1 && chunks[0] !== undefined ? chunks[0] : Buffer.concat(chunks, size);
    const text = bytes.toString('utf8');
    if (!isUtf8(bytes)) {
      const offset = firstInvalidUtf8(bytes);
      outcome.invalidUtf8 = { offset, bytes: size };
      this.options.logger?.warn(
        { code: 'LASTPASS_INVALID_UTF8', command, offset, bytes: size },
        `${command}: the response is not valid UTF-8 (first invalid byte at offset ${offset} of ${size}); the invalid bytes were read as U+FFFD`,
      );
    }
    return text;
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
    const { tracer, clock, redactor } = this.options;
    if (tracer === undefined) return;
    const request = JSON.parse(redactor.text(JSON.stringify({ ...body, provhash: '[REDACTED]' }))) as Record<
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
      ...(result !== 'ok' && outcome.body !== undefined ? { excerpt: redactor.excerpt(outcome.body) } : {}),
    });
  }
}

/** Offset of the first byte that does not belong to a well-formed UTF-8 sequence (-1 when none). */
export function firstInvalidUtf8(bytes: Uint8Array): number {
  let i = 0;
  while (i < bytes.length) {
    const b = bytes[i] ?? 0;
    if (b < 0x80) {
      i++;
      continue;
    }
    let need: number;
    let min: number;
    if (b >= 0xc2 && b <= 0xdf) [need, min] = [1, 0x80];
    else if (b >= 0xe0 && b <= 0xef) [need, min] = [2, 0x800];
    else if (b >= 0xf0 && b <= 0xf4) [need, min] = [3, 0x10000];
    else return i;
    let cp = b & (0x3f >> need);
    for (let k = 1; k <= need; k++) {
      const c = bytes[i + k];
      if (c === undefined || (c & 0xc0) !== 0x80) return i;
      cp = (cp << 6) | (c & 0x3f);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return i;
    i += need + 1;
  }
  return -1;
}

function errorCode(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string') return code;
  const cause = (error as { cause?: unknown }).cause;
  return cause === undefined ? undefined : errorCode(cause);
}
