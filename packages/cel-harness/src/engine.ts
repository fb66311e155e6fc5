import type { Environment } from './cel';
import { CelHarnessError } from './errors';
import {
  checkAgentFunctions,
  checkMitoV110Receivers,
  createMitoEnvironment,
  type HttpExchange,
} from './mito';
import { toCelRealm } from './realm';
import { isCelMap, toJsonValue } from './values';

/**
 * One evaluation of a CEL program: the input's `state` in, the program's result out. Two engines:
 * `mito` (Elastic's real CEL engine, the `mito` binary: see mito-engine.ts) and `emulation` (cel-js
 * with our emulation of mito's library, below). The Agent's run loop around them is agent.ts.
 *
 * Values between evaluations are JSON, as in the Agent: its CEL input turns every result into a
 * protobuf Struct (`evalWith`), so numbers come back as doubles, timestamps as RFC 3339 text and bytes
 * as base64. The configured `state` of the first evaluation may hold YAML integers as `bigint` (CEL
 * ints), as the Agent's configuration does.
 */
export type EvaluationOutcome = { ok: true; result: Record<string, unknown> } | { ok: false; error: string };

export interface CelEngine {
  readonly name: 'mito' | 'emulation';
  /** Evaluates the program once with `state`; `now` is honoured by the emulation only (mito reads the real clock). */
  evaluate(state: Record<string, unknown>, now: Date): Promise<EvaluationOutcome>;
  close(): Promise<void>;
}

export interface EmulationEngineOptions {
  program: string;
  timeoutMs: number;
  onHttp?: (exchange: HttpExchange) => void;
  onDebug?: (tag: string, value: unknown) => void;
}

/** The emulation of mito on cel-js (a stand-in: its fidelity gaps are listed in the README). */
export class EmulationEngine implements CelEngine {
  readonly name = 'emulation' as const;
  private readonly env: Environment;
  private readonly program: ReturnType<Environment['parse']>;
  private clock: Date = new Date(0);

  constructor(options: EmulationEngineOptions) {
    checkAgentFunctions(options.program);
    this.env = createMitoEnvironment({
      now: () => this.clock,
      timeoutMs: options.timeoutMs,
      ...(options.onHttp === undefined ? {} : { onHttp: options.onHttp }),
      ...(options.onDebug === undefined ? {} : { onDebug: options.onDebug }),
    });
    try {
      this.program = this.env.parse(options.program);
    } catch (e) {
      throw new CelHarnessError('CEL_PROGRAM_INVALID', `program: ${(e as Error).message}`);
    }
    checkMitoV110Receivers(this.program);
  }

  async evaluate(state: Record<string, unknown>, now: Date): Promise<EvaluationOutcome> {
    this.clock = now;
    let result: unknown;
    try {
      result = await this.program({ state: toCelRealm(state), now: toCelRealm(now) });
    } catch (e) {
      if (e instanceof CelHarnessError && e.code === 'CEL_UNSUPPORTED') throw e;
      return { ok: false, error: e instanceof Error ? e.message : String(e) };
    }
    if (!isCelMap(result))
      throw new CelHarnessError('CEL_RESULT_INVALID', 'the program must evaluate to a map');
    return { ok: true, result: toJsonValue(result) as Record<string, unknown> };
  }

  close(): Promise<void> {
    return Promise.resolve(); // nothing held
  }
}
