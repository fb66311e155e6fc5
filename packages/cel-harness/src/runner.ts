import { AgentInput, type AgentInputOptions, type PeriodicRunResult } from './agent';

export type { HarnessLogEntry, PeriodicRunResult } from './agent';

/**
 * The Agent's run loop (agent.ts) on the emulation (cel-js) with an injectable clock: what tests use
 * where mito cannot go (a virtual clock, a window end inside a repeated DST hour). On the real engine
 * use `AgentInput` with `engine: 'mito'`.
 */
export interface CelInputOptions {
  config: AgentInputOptions['config'];
  /** The clock (`now`); each evaluation reads it once at start. */
  now: () => Date;
  /** A cursor persisted by an earlier run (JSON), as after an Agent restart. */
  cursor?: unknown;
  retry?: NonNullable<AgentInputOptions['retry']>;
  rewrite?: NonNullable<AgentInputOptions['rewrite']>;
  log?: NonNullable<AgentInputOptions['log']>;
}

export class CelInput extends AgentInput {
  constructor(options: CelInputOptions) {
    super({ ...options, engine: 'emulation' });
  }

  /** One periodic run (what the Agent does every `interval`). */
  run(): Promise<PeriodicRunResult> {
    return this.runInterval();
  }

  /** Periodic runs until one publishes nothing, reports no error and asks for nothing more. */
  runUntilIdle(maxRuns = 50): Promise<PeriodicRunResult> {
    return this.runIntervals(maxRuns);
  }
}
