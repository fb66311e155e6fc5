/**
 * What a reader hands to the findings (one account): the records of the selected snapshots, the change
 * events and event counts of the period, and the collector's coverage facts. Plus the small pure helpers
 * both readers share (period, day buckets, snapshot choice).
 */
import type { EventRecord, FolderMemberRecord, UserRecord } from './documents';
import { ReportError } from './errors';
import type { Coverage, ReportParameters, SnapshotInfo } from './schema';

export const DAY_MS = 86_400_000;

/** Where the Elasticsearch reader looks by default: the package's data streams, every namespace. */
export const DEFAULT_INDICES = {
  users: 'logs-lastpass_enterprise.user-*',
  folders: 'logs-lastpass_enterprise.detailed_shared_folder-*',
  events: 'logs-lastpass_enterprise.event_report-*',
} as const;

/**
 * The longest period a report covers, in days (ten years: LastPass keeps about two years of events). One
 * chart bar, and with Elasticsearch one `_count`, per day; a period of centuries would exhaust the stack.
 */
export const MAX_PERIOD_DAYS = 3660;

export interface Period {
  from: number;
  to: number;
}

export interface AccountData {
  account: string;
  timeZone: string | null;
  period: Period;
  users: { snapshot: SnapshotInfo; records: UserRecord[] };
  folders: { snapshot: SnapshotInfo; records: FolderMemberRecord[] };
  /** Pending invitee address (lower case) → earliest snapshot start listing it as invited. */
  inviteeFirstSeen: Map<string, number>;
  /** Address (lower case) → earliest `Employee Invited` event naming it, at any time. */
  invitedByEvent: Map<string, number>;
  /** Events of the period that `changeKindOf` classifies (others may be present; they are ignored). */
  changes: EventRecord[];
  eventsInPeriod: number;
  eventsPerDay: { date: string; events: number }[];
  /** Every event up to here was collected (the state cursor), else the newest event; null without events. */
  eventsThrough: number | null;
  collector: Pick<Coverage, 'basis' | 'time_zone_check' | 'streams'>;
}

/** The report period of one account: flags, else `to` = events collected through, `from` = `to` − days. */
export function resolvePeriod(
  params: Pick<ReportParameters, 'from' | 'to' | 'days'>,
  eventsThrough: number | null,
  asOf: number,
): Period {
  const to = params.to !== null ? Date.parse(params.to) : (eventsThrough ?? asOf);
  const from = params.from !== null ? Date.parse(params.from) : to - params.days * DAY_MS;
  if (from > to)
    throw new ReportError(
      'REPORT_BAD_OPTION',
      `--from: ${new Date(from).toISOString()} is after the period end ${new Date(to).toISOString()}`,
    );
  if (to - from > MAX_PERIOD_DAYS * DAY_MS)
    throw new ReportError(
      'REPORT_BAD_OPTION',
      `--from: the period ${new Date(from).toISOString()} .. ${new Date(to).toISOString()} is ${Math.ceil((to - from) / DAY_MS)} days long; at most ${MAX_PERIOD_DAYS}`,
    );
  return { from, to };
}

/** The UTC days the period touches, each with its part of the period (the first and last may be partial). */
export function periodDays(period: Period): { date: string; from: number; to: number }[] {
  const out: { date: string; from: number; to: number }[] = [];
  for (let start = Math.floor(period.from / DAY_MS) * DAY_MS; start <= period.to; start += DAY_MS) {
    out.push({
      date: new Date(start).toISOString().slice(0, 10),
      from: Math.max(start, period.from),
      to: Math.min(start + DAY_MS - 1, period.to),
    });
  }
  return out;
}

/** Events per UTC day of the period from event times (any order). */
export function countPerDay(period: Period, times: Float64Array): { date: string; events: number }[] {
  const days = periodDays(period);
  const counts = new Array<number>(days.length).fill(0);
  const first = Math.floor(period.from / DAY_MS);
  for (const t of times) {
    if (t < period.from || t > period.to) continue;
    const i = Math.floor(t / DAY_MS) - first;
    counts[i] = (counts[i] ?? 0) + 1;
  }
  return days.map((d, i) => ({ date: d.date, events: counts[i] ?? 0 }));
}

export interface SnapshotSeen {
  id: string;
  start: number;
  documents: number;
}

/**
 * The snapshot to report: the state file's last complete one when the data holds it, else the newest
 * (by start, then id) in the data.
 */
export function chooseSnapshot(
  seen: readonly SnapshotSeen[],
  lastCompleteId: string | null,
): { snapshot: SnapshotSeen; selectedBy: 'state' | 'newest' } | undefined {
  const fromState = lastCompleteId === null ? undefined : seen.find((s) => s.id === lastCompleteId);
  if (fromState !== undefined) return { snapshot: fromState, selectedBy: 'state' };
  const newest = [...seen].sort((a, b) => b.start - a.start || (a.id < b.id ? 1 : -1))[0];
  return newest === undefined ? undefined : { snapshot: newest, selectedBy: 'newest' };
}

export const toIso = (ms: number): string => new Date(ms).toISOString();
