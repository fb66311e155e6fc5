import { join } from 'node:path';
import { CelInput, loadStream, type HarnessLogEntry, type LoadedStream } from '@lastpass-elastic/cel-harness';
import type { RunningSimulator } from '@lastpass-elastic/simulator';

export const ROOT = join(__dirname, '..', '..');
export const HASH = 'cel-test-provisioning-hash-7f3a9c';
export const ACCOUNT = '8771312';

export function render(
  dataStream: string,
  sim: RunningSimulator,
  extra: Record<string, unknown> = {},
): LoadedStream {
  return loadStream(ROOT, dataStream, {
    url: sim.url,
    account_number: ACCOUNT,
    provisioning_hash: HASH,
    time_zone: sim.options.timeZone,
    ...extra,
  });
}

export interface Harness {
  input: CelInput;
  logs: HarnessLogEntry[];
}

/** A CEL input on the simulator's virtual clock (optionally resumed from a persisted cursor). */
export function harness(stream: LoadedStream, sim: RunningSimulator, cursor?: unknown): Harness {
  const logs: HarnessLogEntry[] = [];
  const input = new CelInput({
    config: stream.config,
    now: () => sim.clock.now(),
    ...(cursor === undefined ? {} : { cursor }),
    log: (e) => logs.push(e),
  });
  return { input, logs };
}

/** What the Agent adds to each published event (contracts §3): data_stream and the configured tags. */
export function agentDocument(
  event: Record<string, unknown>,
  stream: LoadedStream,
  namespace = 'default',
): Record<string, unknown> {
  return {
    ...event,
    data_stream: { type: 'logs', dataset: `lastpass_enterprise.${stream.dataStream}`, namespace },
    tags: stream.config.tags,
  };
}

/** Documents compared as parsed JSON (message parsed), order-free. */
export function canonical(docs: readonly Record<string, unknown>[]): string[] {
  return docs
    .map((d) => JSON.stringify(sortKeys({ ...d, message: JSON.parse(String(d.message)) as unknown })))
    .sort();
}

export function sortKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (typeof v === 'object' && v !== null)
    return Object.fromEntries(
      Object.keys(v)
        .sort()
        .map((k) => [k, sortKeys((v as Record<string, unknown>)[k])]),
    );
  return v;
}

export function withoutPasswordKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(withoutPasswordKeys);
  if (typeof v === 'object' && v !== null)
    return Object.fromEntries(
      Object.entries(v)
        .filter(([k]) => k.toLowerCase() !== 'password')
        .map(([k, x]) => [k, withoutPasswordKeys(x)]),
    );
  return v;
}
