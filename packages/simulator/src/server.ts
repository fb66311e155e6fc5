import type { VirtualClock } from './clock';
import { resolveOptions, type SimulatorOptions, type SimulatorOptionsInput, type FaultSpec } from './options';
import type { Tenant } from './types';

export interface RunningSimulator {
  /** `http://127.0.0.1:<port>/enterpriseapi.php` */
  url: string;
  port: number;
  close(): Promise<void>;
  /** Ground truth (events grow with self-audit events). */
  tenant: Tenant;
  clock: VirtualClock;
  options: SimulatorOptions;
  /** Adds a fault rule at run time. */
  addFault(fault: FaultSpec): void;
}

export interface StartOptions extends SimulatorOptionsInput {
  /** TCP port on 127.0.0.1; 0 (default) picks a free one. */
  port?: number;
}

export function startSimulator(options: StartOptions = {}): Promise<RunningSimulator> {
  resolveOptions(options);
  return Promise.reject(new Error('not implemented yet'));
}
