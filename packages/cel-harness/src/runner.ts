import type { Environment } from './cel';
import { CelHarnessError } from './errors';
import { checkAgentFunctions, createMitoEnvironment, type HttpExchange } from './mito';
import type { StreamConfig } from './render';
import { toCelRealm } from './realm';
import { fromJsonValue, isCelMap, toJsonValue, type CelMap } from './values';

/**
 * The CEL input's run loop (elastic-package-format §8.3, filebeat's `x-pack/filebeat/input/cel`):
 * state = configured `state` + `url` (+ the persisted `cursor`); evaluate; publish `events`; keep the
 * result minus `events` as the next state; re-run at once while `want_more` is true and the execution
 * published events (at most `max_executions` per periodic run); only `cursor` survives a restart.
 */
export type HarnessLogEntry =
  | { kind: 'evaluate'; execution: number; state: unknown }
  | { kind: 'http'; method: string; url: string; status: number; body: string }
  | { kind: 'result'; execution: number; events: number; error: boolean; want_more: boolean; cursor: unknown }
  | { kind: 'evaluation_failed'; execution: number; message: string }
  | { kind: 'debug'; tag: string; value: unknown };

export interface CelInputOptions {
  config: StreamConfig;
  /** The clock (`now` global and `now()`); each evaluation reads it once at start. */
  now: () => Date;
  /** A cursor persisted by an earlier run (JSON), as after an Agent restart. */
  cursor?: unknown;
  /** Receives the harness's logs; secrets at `redact.fields` (and their values anywhere) are replaced by `*`. */
  log?: (entry: HarnessLogEntry) => void;
}

export interface PeriodicRunResult {
  /** Published events (JSON values), in order. */
  events: Record<string, unknown>[];
  /** Error objects returned as `{"events": {"error": …}}` (the Agent marks the input degraded). */
  errors: Record<string, unknown>[];
  /** A failed evaluation (the Agent logs it and keeps its previous state). */
  evaluationError: string | undefined;
  executions: number;
  /** The cursor as it would be persisted now (JSON), or undefined when none was ever returned. */
  cursor: unknown;
}

const parseDurationMs = (text: string | undefined, fallback: number): number => {
  if (text === undefined) return fallback;
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)$/.exec(text.trim());
  if (m?.[1] === undefined || m[2] === undefined) return fallback;
  const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[m[2] as 'ms' | 's' | 'm' | 'h'];
  return Number(m[1]) * unit;
};

export class CelInput {
  private readonly env: Environment;
  private readonly program: ReturnType<Environment['parse']>;
  private state: CelMap;
  private persisted: unknown;
  private readonly secrets: string[];
  private readonly options: CelInputOptions;

  constructor(options: CelInputOptions) {
    this.options = options;
    const { config } = options;
    checkAgentFunctions(config.program);
    this.env = createMitoEnvironment({
      now: options.now,
      timeoutMs: parseDurationMs(config.timeout, 30_000),
      onHttp: (x) => {
        this.logHttp(x);
      },
      onDebug: (tag, value) => {
        this.emit({ kind: 'debug', tag, value: this.redactValue(toJsonValue(value)) });
      },
    });
    try {
      this.program = this.env.parse(config.program);
    } catch (e) {
      throw new CelHarnessError('CEL_PROGRAM_INVALID', `program: ${(e as Error).message}`);
    }
    this.state = toCelRealm({ ...config.state, url: config.url });
    this.persisted = options.cursor;
    if (options.cursor !== undefined && options.cursor !== null)
      this.state.cursor = fromJsonValue(options.cursor);
    this.secrets = config.redactFields
      .map((f) => config.state[f])
      .filter((v): v is string => typeof v === 'string' && v.length > 0);
  }

  /** The cursor that would survive a restart now (JSON). */
  get cursor(): unknown {
    return this.persisted;
  }

  /** The in-memory state (for assertions; holds secrets under redacted keys). */
  get currentState(): CelMap {
    return this.state;
  }

  /** One periodic run (what the Agent does every `interval`). */
  async run(): Promise<PeriodicRunResult> {
    const out: PeriodicRunResult = {
      events: [],
      errors: [],
      evaluationError: undefined,
      executions: 0,
      cursor: this.persisted,
    };
    const max = this.options.config.maxExecutions;
    for (let execution = 1; execution <= max; execution++) {
      out.executions = execution;
      this.emit({ kind: 'evaluate', execution, state: this.redactState(this.state) });
      let result: unknown;
      try {
        const startedAt = this.options.now();
        result = await this.program({ state: this.state, now: toCelRealm(startedAt) });
      } catch (e) {
        if (e instanceof CelHarnessError && e.code === 'CEL_UNSUPPORTED') throw e;
        out.evaluationError = this.scrub(e instanceof Error ? e.message : String(e));
        this.emit({ kind: 'evaluation_failed', execution, message: out.evaluationError });
        break;
      }
      if (!isCelMap(result))
        throw new CelHarnessError('CEL_RESULT_INVALID', 'the program must evaluate to a map');
      const { events, ...rest } = result;
      let published = 0;
      let isError = false;
      if (isCelMap(events)) {
        isError = true;
        out.errors.push(toJsonValue(events.error ?? events) as Record<string, unknown>);
      } else if (Array.isArray(events)) {
        for (const event of events) {
          if (!isCelMap(event)) throw new CelHarnessError('CEL_RESULT_INVALID', 'every event must be a map');
          out.events.push(toJsonValue(event) as Record<string, unknown>);
          published += 1;
        }
      } else {
        throw new CelHarnessError('CEL_RESULT_INVALID', 'the result has no `events` list (or error map)');
      }
      this.state = toCelRealm(rest);
      if ('cursor' in rest) this.persisted = toJsonValue(rest.cursor);
      out.cursor = this.persisted;
      const wantMore = rest.want_more === true;
      this.emit({
        kind: 'result',
        execution,
        events: published,
        error: isError,
        want_more: wantMore,
        cursor: this.redactValue(this.persisted),
      });
      if (!wantMore || published === 0) break;
    }
    return out;
  }

  /** Runs periodic runs until one publishes nothing new and has no error (a caught-up input). */
  async runUntilIdle(maxRuns = 50): Promise<PeriodicRunResult> {
    const all: PeriodicRunResult = {
      events: [],
      errors: [],
      evaluationError: undefined,
      executions: 0,
      cursor: this.persisted,
    };
    for (let i = 0; i < maxRuns; i++) {
      const r = await this.run();
      all.events.push(...r.events);
      all.errors.push(...r.errors);
      all.executions += r.executions;
      all.cursor = r.cursor;
      all.evaluationError = r.evaluationError;
      if (r.events.length === 0 || r.errors.length > 0 || r.evaluationError !== undefined) break;
    }
    return all;
  }

  private emit(entry: HarnessLogEntry): void {
    this.options.log?.(entry);
  }

  private logHttp(x: HttpExchange): void {
    this.emit({ kind: 'http', method: x.method, url: x.url, status: x.status, body: this.scrub(x.body) });
  }

  private scrub(text: string): string {
    let out = text;
    for (const s of this.secrets) out = out.split(s).join('*');
    return out;
  }

  private redactValue(value: unknown): unknown {
    return JSON.parse(this.scrub(JSON.stringify(value ?? null))) as unknown;
  }

  private redactState(state: CelMap): unknown {
    const copy = toJsonValue(state) as CelMap;
    for (const f of this.options.config.redactFields) if (f in copy) copy[f] = '*';
    return this.redactValue(copy);
  }
}
