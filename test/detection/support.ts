// Event-report documents for the detection-rule tests: raw LastPass records (from the simulator's
// tenant, or crafted from its users) run through the package's event_report pipeline with our ingest
// executor, then through Fleet's final-pipeline step with an ingest time that models the integration's
// polling (every 10 minutes, 2 minutes after the events settle).
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { applyFleetFinalPipeline, createExecutor, loadPackagePipelines } from '@lastpass-elastic/ingest';
import { fleetPipelineName, getDataStream, loadPackage } from '@lastpass-elastic/package-model';
import {
  fieldScope,
  lookupField,
  ruleSpecSchema,
  type IndexedDocument,
  type RuleSpec,
} from '@lastpass-elastic/package-tools';
import { AccountZone, type EventRecord } from '@lastpass-elastic/simulator';

export const ROOT = resolve(__dirname, '..', '..');
export const ACCOUNT = '8771312';
export const TIME_ZONE = 'America/New_York';

const pkg = loadPackage(ROOT);
const ds = getDataStream(pkg, 'event_report');
const pipeline = fleetPipelineName(pkg, ds);
const executor = createExecutor({ pipelines: loadPackagePipelines(pkg) });
const zone = new AccountZone(TIME_ZONE);
const scope = fieldScope(pkg, undefined, [ds.dataset]);

/** Field types of the event_report data stream (KQL matching depends on them). */
export const typeOf = (field: string): string | undefined => lookupField(scope, field)?.type;

const POLL_MS = 10 * 60_000;
const SETTLE_MS = 2 * 60_000;
/** When the integration indexes an event that happened at `instant`: the next poll after it settled. */
export function arrival(instant: number): number {
  return Math.ceil((instant + SETTLE_MS) / POLL_MS) * POLL_MS + 7_000;
}

export interface TimedRecord {
  instant: number;
  record: EventRecord;
}

/** Runs records through the pipeline (occurrence numbered per identical same-second record). */
export function toDocuments(records: readonly TimedRecord[]): IndexedDocument[] {
  const seen = new Map<string, number>();
  return records.map(({ instant, record }) => {
    const key = JSON.stringify(record);
    const occurrence = seen.get(key) ?? 0;
    seen.set(key, occurrence + 1);
    const result = executor.process(pipeline, {
      _index: `logs-${ds.dataset}-default`,
      _source: {
        message: JSON.stringify(record),
        data_stream: { type: 'logs', dataset: ds.dataset, namespace: 'default' },
        _conf: { account_number: ACCOUNT, time_zone: TIME_ZONE },
        tags: ['forwarded', 'lastpass_enterprise-event_report'],
        lastpass_enterprise: { event_report: { occurrence } },
      },
    });
    if (result.kind !== 'indexed')
      throw new Error(`pipeline did not index ${key}: ${JSON.stringify(result)}`);
    const source = applyFleetFinalPipeline(result._source, { now: new Date(arrival(instant)) });
    return { index: `logs-${ds.dataset}-default`, id: result._id ?? key, source };
  });
}

/** A record at `instant` (UTC ms), with Time as the account's wall clock. */
export function rec(
  instant: number,
  Username: string,
  IP_Address: string,
  Action: string,
  Data = '',
): TimedRecord {
  return { instant, record: { Time: zone.format(instant), Username, IP_Address, Action, Data } };
}

/** The package's detection rules, as the engine reads them (from the generated saved objects). */
export function packageRules(): RuleSpec[] {
  const dir = join(ROOT, 'kibana', 'security_rule');
  return readdirSync(dir)
    .sort()
    .map((f) => {
      const so = JSON.parse(readFileSync(join(dir, f), 'utf8')) as { attributes: unknown };
      return ruleSpecSchema.parse(so.attributes);
    });
}

/** A small deterministic generator (mulberry32), so the quiet day is the same on every run. */
export function rng(seed: number): {
  next: () => number;
  int: (lo: number, hi: number) => number;
  pick: <T>(xs: readonly T[]) => T;
} {
  let a = seed >>> 0;
  const next = (): number => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (lo: number, hi: number): number => lo + Math.floor(next() * (hi - lo + 1));
  return { next, int, pick: <T>(xs: readonly T[]): T => xs[Math.floor(next() * xs.length)] as T };
}
