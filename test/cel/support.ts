import { join } from 'node:path';
import {
  AgentInput,
  CelInput,
  loadStream,
  locateMito,
  type AgentInputOptions,
  type HarnessLogEntry,
  type LoadedStream,
} from '@lastpass-elastic/cel-harness';
import type { GroundTruthEvent, RunningSimulator } from '@lastpass-elastic/simulator';

export const ROOT = join(__dirname, '..', '..');
export const HASH = 'cel-test-provisioning-hash-7f3a9c';
export const ACCOUNT = '8771312';

/** Elastic's real CEL engine for the tests: `MITO_BIN`, else `../shared/mito/mito`. */
export const MITO = locateMito(ROOT);
export const MITO_SKIP_REASON =
  'skipped: no mito binary (set MITO_BIN, or provide ../shared/mito/mito beside the repository)';
/** `describe` when the real engine is here, else `describe.skip` with the reason printed once per file. */
export function describeOnMito(name: string, body: () => void): void {
  if (MITO === undefined) {
    process.stdout.write(`${name}: ${MITO_SKIP_REASON}\n`);
    describe.skip(name, body);
  } else describe(name, body);
}

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

/**
 * `initial_interval` for a first window that starts `marginH` hours before `start`. mito reads the
 * real clock, so a simulated history in the past is reached by a first window that long: its events
 * are all far from the window end, and which of them are read does not depend on the moment the test runs.
 */
export function initialIntervalReaching(start: string | Date, marginH = 1): string {
  const hours = Math.ceil((Date.now() - new Date(start).getTime()) / 3_600_000) + marginH;
  return `${hours}h`;
}

export interface Harness {
  input: CelInput;
  logs: HarnessLogEntry[];
}

/** A CEL input on the emulation and the simulator's virtual clock (optionally resumed from a persisted cursor). */
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

/** The Agent-like driver on the real mito binary (tests inside `describeOnMito` only). */
export function onMito(
  stream: LoadedStream,
  options: Omit<AgentInputOptions, 'config' | 'engine' | 'mitoBin'> = {},
): AgentInput {
  if (MITO === undefined) throw new Error(MITO_SKIP_REASON);
  return new AgentInput({ config: stream.config, engine: 'mito', mitoBin: MITO.path, ...options });
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

const recordKey = (r: unknown): string => JSON.stringify(sortKeys(r));

/** contracts §3: the (record, occurrence) pairs of a set of ground-truth events (index among identical records). */
export function truthPairs(events: readonly GroundTruthEvent[]): string[] {
  const seen = new Map<string, number>();
  return events
    .map((e) => {
      const k = recordKey(e.record);
      const n = seen.get(k) ?? 0;
      seen.set(k, n + 1);
      return `${k}#${n}`;
    })
    .sort();
}

/** The (record, occurrence) pair of a published event_report document. */
export function pairOf(e: Record<string, unknown>): string {
  const occurrence = (e.lastpass_enterprise as { event_report: { occurrence: number } }).event_report
    .occurrence;
  return `${recordKey(JSON.parse(String(e.message)))}#${String(occurrence)}`;
}

/** The distinct pairs published, sorted. */
export function publishedPairs(events: readonly Record<string, unknown>[]): string[] {
  return [...new Set(events.map(pairOf))].sort();
}
