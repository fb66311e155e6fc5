import { EmulationEngine, type CelEngine } from './engine';
import { CelHarnessError } from './errors';
import { MitoEngine } from './mito-engine';
import {
  AGENT_RETRY_DEFAULTS,
  AgentHttpProxy,
  type ProxiedAnswer,
  type ProxyStats,
  type RetrySettings,
} from './proxy';
import type { StreamConfig } from './render';

/**
 * The Elastic Agent's CEL input around one engine, as its source does it (beats
 * x-pack/filebeat/input/cel/input.go, `run`): not proof of the Agent, our reading of it.
 *
 * - The state starts as the configured `state` + `url` (+ the cursor from the registry). All of it
 *   is kept in memory from evaluation to evaluation and from one periodic run to the next, except
 *   `events`; only the cursor survives a restart (`restart()`).
 * - One periodic run (`runInterval`, every `interval`): evaluate; an empty `events` list ends the run
 *   (the state stays as the program returned it); a single map is an error event: it is published
 *   too, the input turns degraded and the cursor goes back to the last good one; a list of events is
 *   published, and the cursor with them (single cursor: with the last event) is persisted and
 *   becomes the good cursor. The run goes on while `want_more` is true, at most `max_executions`
 *   evaluations.
 * - A failed evaluation becomes the error event `{"error": {"message": "failed eval: …"}}` with the
 *   state it was given (want_more false).
 * - HTTP goes through `AgentHttpProxy`: the Agent's `resource.retry` (retries are counted, never slept).
 *
 * Publication always succeeds here (no output, no acknowledgements): a real Agent may also lose or
 * repeat a batch around a crash, which the ids made by the pipelines absorb.
 */
export type HarnessLogEntry =
  | { kind: 'evaluate'; execution: number; state: unknown }
  | { kind: 'http'; method: string; url: string; status: number; attempts: number; body: string }
  | { kind: 'result'; execution: number; events: number; error: boolean; want_more: boolean; cursor: unknown }
  | { kind: 'evaluation_failed'; execution: number; message: string }
  | { kind: 'debug'; tag: string; value: unknown };

export interface PeriodicRunResult {
  /** Published events (JSON values), in order; error events are in `errors`. */
  events: Record<string, unknown>[];
  /** The `error` objects of published error events (single-map results and failed evaluations). */
  errors: Record<string, unknown>[];
  /** Those error events as published (whole maps). */
  errorEvents: Record<string, unknown>[];
  /** The last failed evaluation's message, if one failed. */
  evaluationError: string | undefined;
  executions: number;
  /** The cursor persisted in the registry now (JSON), or undefined when none was ever published. */
  cursor: unknown;
  /** Whether the last evaluation asked for more (`want_more`). */
  wantMore: boolean;
}

export interface AgentInputOptions {
  config: StreamConfig;
  /** `emulation` (cel-js, default) or `mito` (the real engine; needs `mitoBin`). */
  engine?: 'emulation' | 'mito';
  mitoBin?: string;
  /** The emulation's clock (`now`); mito always reads the real clock. */
  now?: () => Date;
  /** A cursor persisted by an earlier run (JSON), as after an Agent restart. */
  cursor?: unknown;
  /** Overrides the `resource.retry.*` settings of the configuration. */
  retry?: RetrySettings;
  /** Changes an API answer before the program sees it (fault injection in tests). */
  rewrite?: (request: { body: string }, answer: ProxiedAnswer) => ProxiedAnswer;
  /** Receives the harness's logs; values of `redact.fields` keys are replaced by `*`. */
  log?: (entry: HarnessLogEntry) => void;
  /** mito only: stop the process at its first result (default true; see `MitoEngine`). */
  stopAtFirstResult?: boolean;
}

const durationMs = (text: unknown): number | undefined => {
  if (typeof text !== 'string') return undefined;
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)$/.exec(text.trim());
  if (m?.[1] === undefined || m[2] === undefined) return undefined;
  return Number(m[1]) * { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[m[2] as 'ms' | 's' | 'm' | 'h'];
};

/** `resource.retry.*` of a rendered configuration (dotted keys or nested), with the Agent's defaults. */
export function retrySettingsOf(config: StreamConfig): RetrySettings {
  const raw = config.raw;
  const nested = (raw.resource as { retry?: Record<string, unknown> } | undefined)?.retry ?? {};
  const pick = (key: string): unknown => raw[`resource.retry.${key}`] ?? nested[key];
  const attempts = pick('max_attempts');
  return {
    maxAttempts: typeof attempts === 'number' ? attempts : AGENT_RETRY_DEFAULTS.maxAttempts,
    waitMinMs: durationMs(pick('wait_min')) ?? AGENT_RETRY_DEFAULTS.waitMinMs,
    waitMaxMs: durationMs(pick('wait_max')) ?? AGENT_RETRY_DEFAULTS.waitMaxMs,
  };
}

const emptyResult = (cursor: unknown): PeriodicRunResult => ({
  events: [],
  errors: [],
  errorEvents: [],
  evaluationError: undefined,
  executions: 0,
  cursor,
  wantMore: false,
});

const isMap = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

export class AgentInput {
  private readonly options: AgentInputOptions;
  private readonly secrets: string[];
  private readonly proxy: AgentHttpProxy;
  private engine: CelEngine | undefined;
  private started: Promise<void> | undefined;
  private state: Record<string, unknown> = {};
  private registry: unknown;
  private goodCursor: unknown;
  private execution = 0;

  constructor(options: AgentInputOptions) {
    this.options = options;
    const { config } = options;
    this.secrets = config.redactFields
      .map((f) => config.state[f])
      .filter((v): v is string => typeof v === 'string' && v.length > 0);
    if (options.engine === 'mito' && options.mitoBin === undefined)
      throw new CelHarnessError('CEL_INVALID_OPTION', 'engine mito needs the path of the mito binary');
    this.proxy = new AgentHttpProxy({
      target: config.url,
      retry: options.retry ?? retrySettingsOf(config),
      ...(options.rewrite === undefined ? {} : { rewrite: options.rewrite }),
      onExchange: (x) => {
        this.emit({
          kind: 'http',
          method: x.method,
          url: config.url,
          status: x.status,
          attempts: x.attempts,
          body: this.scrub(x.transportError ?? x.body),
        });
      },
    });
    if ((options.engine ?? 'emulation') === 'emulation') {
      this.engine = new EmulationEngine({
        program: config.program,
        timeoutMs: durationMs(config.timeout) ?? 30_000,
        onDebug: (tag, value) => {
          this.emit({ kind: 'debug', tag, value: this.redactValue(value) });
        },
      });
    }
    this.registry = options.cursor;
    this.restart();
  }

  /** The engine in use: `mito` or `emulation`. */
  get engineName(): 'mito' | 'emulation' {
    return this.options.engine ?? 'emulation';
  }

  /** The cursor persisted in the registry (survives `restart()`). */
  get cursor(): unknown {
    return this.registry;
  }

  /** The in-memory state (for assertions; holds secrets under redacted keys). */
  get currentState(): Record<string, unknown> {
    return this.state;
  }

  /** What the Agent's HTTP client did: requests, retries, the backoff it would have waited. */
  get http(): ProxyStats {
    return this.proxy.stats;
  }

  /** mito only: evaluations run and processes stopped before their second evaluation. */
  get mitoCounters(): { evaluations: number; stopped: number } | undefined {
    return this.engine instanceof MitoEngine ? this.engine.counters : undefined;
  }

  /** An Agent restart: the in-memory state is gone; the configured state and the persisted cursor remain. */
  restart(): void {
    const { config } = this.options;
    this.state = { ...structuredClone(config.state), url: config.url };
    if (this.registry !== undefined && this.registry !== null)
      this.state.cursor = structuredClone(this.registry);
    this.goodCursor = this.registry;
  }

  private async ensureStarted(): Promise<void> {
    this.started ??= (async () => {
      await this.proxy.start();
      if (this.engine === undefined)
        this.engine = new MitoEngine({
          bin: this.options.mitoBin ?? '',
          program: this.options.config.program,
          proxy: this.proxy,
          secrets: this.secrets,
          ...(this.options.stopAtFirstResult === undefined
            ? {}
            : { stopAtFirstResult: this.options.stopAtFirstResult }),
        });
    })();
    await this.started;
  }

  /** One periodic run (what the Agent does every `interval`). */
  async runInterval(): Promise<PeriodicRunResult> {
    await this.ensureStarted();
    const engine = this.engine;
    if (engine === undefined) throw new CelHarnessError('CEL_INVALID_OPTION', 'no engine');
    const out = emptyResult(this.registry);
    const url = this.options.config.url;
    for (let budget = this.options.config.maxExecutions; budget > 0; budget--) {
      this.execution += 1;
      out.executions += 1;
      this.emit({ kind: 'evaluate', execution: this.execution, state: this.redactState(this.state) });
      // The program talks to the proxy (the Agent's HTTP client); it sees the configured URL otherwise.
      const given = { ...this.state, url: this.proxy.url };
      const outcome = await engine.evaluate(given, this.options.now?.() ?? new Date());
      let state: Record<string, unknown>;
      let degraded = false;
      if (outcome.ok) {
        state = outcome.result;
        if (state.url === this.proxy.url || !('url' in state)) state.url = url;
      } else {
        degraded = true;
        out.evaluationError = this.scrub(outcome.error);
        this.emit({ kind: 'evaluation_failed', execution: this.execution, message: out.evaluationError });
        state = { ...this.state, events: { error: { message: `failed eval: ${out.evaluationError}` } } };
        if ('want_more' in state) state.want_more = false;
      }
      this.state = state;
      if (!('events' in state))
        throw new CelHarnessError('CEL_RESULT_INVALID', 'unexpected missing events array from evaluation');
      const events = state.events;
      let batch: Record<string, unknown>[];
      if (Array.isArray(events)) {
        if (events.length === 0) {
          out.wantMore = state.want_more === true;
          this.emit({
            kind: 'result',
            execution: this.execution,
            events: 0,
            error: false,
            want_more: out.wantMore,
            cursor: this.redactValue(this.registry),
          });
          break;
        }
        batch = events.map((e) => {
          if (!isMap(e)) throw new CelHarnessError('CEL_RESULT_INVALID', 'every event must be a map');
          return e;
        });
      } else if (isMap(events)) {
        degraded = true;
        batch = [events];
        out.errors.push(isMap(events.error) ? events.error : events);
        out.errorEvents.push(events);
        delete state.cursor; // "Make sure the cursor is not updated."
      } else {
        throw new CelHarnessError('CEL_RESULT_INVALID', 'the result has no `events` list (or error map)');
      }
      delete state.events;
      const cursor = 'cursor' in state ? state.cursor : undefined;
      delete state.cursor;
      if (!degraded) out.events.push(...batch);
      if (cursor !== undefined && !Array.isArray(cursor)) {
        this.registry = cursor; // published with the last event
        if (!degraded) this.goodCursor = cursor;
      } else if (Array.isArray(cursor) && cursor.length > 0) {
        this.registry = cursor[cursor.length - 1];
        if (!degraded) this.goodCursor = this.registry;
      }
      // The Go input stores its last good cursor, a nil map before the first one (an empty map to CEL).
      state.cursor = this.goodCursor ?? {};
      out.cursor = this.registry;
      out.wantMore = state.want_more === true;
      this.emit({
        kind: 'result',
        execution: this.execution,
        events: degraded ? 0 : batch.length,
        error: degraded,
        want_more: out.wantMore,
        cursor: this.redactValue(this.registry),
      });
      if (!out.wantMore) break;
    }
    return out;
  }

  /**
   * Periodic runs one after another (no real waiting) until `until` says stop or `max` runs were made.
   * The default stops after a run that published nothing, reported no error and did not ask for more.
   */
  async runIntervals(
    max: number,
    until: (run: PeriodicRunResult, index: number) => boolean = (r) =>
      r.events.length === 0 && r.errors.length === 0 && !r.wantMore,
  ): Promise<PeriodicRunResult & { runs: number }> {
    const all = { ...emptyResult(this.registry), runs: 0 };
    for (let i = 0; i < max; i++) {
      const r = await this.runInterval();
      all.runs += 1;
      all.events.push(...r.events);
      all.errors.push(...r.errors);
      all.errorEvents.push(...r.errorEvents);
      all.executions += r.executions;
      all.cursor = r.cursor;
      all.wantMore = r.wantMore;
      if (r.evaluationError !== undefined) all.evaluationError = r.evaluationError;
      if (until(r, i)) break;
    }
    return all;
  }

  async close(): Promise<void> {
    await this.proxy.close();
    await this.engine?.close();
  }

  private emit(entry: HarnessLogEntry): void {
    this.options.log?.(entry);
  }

  private scrub(text: string): string {
    let out = text;
    for (const s of this.secrets) out = out.split(s).join('*');
    return out;
  }

  private redactValue(value: unknown): unknown {
    return JSON.parse(
      this.scrub(JSON.stringify(value ?? null, (_k, v: unknown) => (typeof v === 'bigint' ? Number(v) : v))),
    ) as unknown;
  }

  private redactState(state: Record<string, unknown>): unknown {
    const copy = { ...state };
    for (const f of this.options.config.redactFields) if (f in copy) copy[f] = '*';
    return this.redactValue(copy);
  }
}
