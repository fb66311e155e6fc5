import type { AccountZone } from '../time/account-zone';
import type { ReportingRecord } from './sources';

export const SELF_CHECK_KEEP_CALLS = 20;
/** How far LastPass's logged time of our call may be from our clock and still count as a match. */
const MATCH_MS = 2 * 60_000;
const QUARTER_HOUR = 15 * 60_000;

export interface TimeZoneVerdict {
  ok: boolean;
  note: string;
}

/** Only events carrying our `apiuser` label count: a bare `Initiated by API` may be anyone's call. */
function isOwnReportingCall(record: ReportingRecord, apiUser: string): boolean {
  return (
    record.Action.trim().toLowerCase() === 'reporting' &&
    record.Data.trim() === `Initiated by API: ${apiUser}`
  );
}

function formatOffset(ms: number): string {
  const sign = ms < 0 ? '-' : '+';
  const minutes = Math.round(Math.abs(ms) / 60_000);
  return `${sign}${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`;
}

/**
 * The time-zone self-check (issue §6): each of our `reporting` calls is itself logged by LastPass as a
 * `Reporting` event whose `Time` is the call's time in the account zone. Interpreting that text in the
 * configured zone must give (about) the instant of one of our calls. When it does not, but does at a
 * whole quarter-hour offset, the configured `time_zone` is wrong: every window would be shifted.
 * Returns undefined when the records hold no self-audit event that can be attributed to a known call.
 */
export function checkTimeZone(
  records: readonly ReportingRecord[],
  calls: readonly number[],
  zone: AccountZone,
  apiUser: string,
): TimeZoneVerdict | undefined {
  if (calls.length === 0) return undefined;
  const first = Math.min(...calls);
  const last = Math.max(...calls);
  // For each of our logged calls: the quarter-hour offsets (0 = our zone is right) that explain it.
  let common: Set<number> | undefined;
  let witness = '';
  let witnesses = 0;
  for (const record of records) {
    if (!isOwnReportingCall(record, apiUser)) continue;
    let instants: number[];
    try {
      instants = zone.instantsOf(record.Time);
    } catch {
      continue;
    }
    const explained = new Set<number>();
    for (const at of instants) {
      if (at < first - 15 * 3_600_000 || at > last + 15 * 3_600_000) continue;
      for (const call of calls) {
        const quarters = Math.round((at - call) / QUARTER_HOUR);
        if (Math.abs(at - call - quarters * QUARTER_HOUR) <= MATCH_MS) explained.add(quarters);
      }
    }
    if (explained.size === 0) continue;
    if (explained.has(0))
      return {
        ok: true,
        note: `ok: our reporting call is logged as "${record.Time}", on time in ${zone.name}`,
      };
    witnesses++;
    witness = record.Time;
    common = common === undefined ? explained : new Set([...common].filter((q) => explained.has(q)));
  }
  // A wrong zone shifts every one of our calls by the same offset: demand two witnesses that agree.
  if (common === undefined || witnesses < 2 || common.size !== 1) return undefined;
  const [quarters = 0] = [...common];
  return {
    ok: false,
    note: `mismatch: LastPass logged our own reporting call as "${witness}", which read in time_zone ${zone.name} is ${formatOffset(quarters * QUARTER_HOUR)} off our clock; the account's zone is probably not ${zone.name} (set time_zone / LASTPASS_TIME_ZONE)`,
  };
}
