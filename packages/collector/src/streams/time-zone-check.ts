import type { AccountZone } from '../time/account-zone';
import type { ReportingRecord } from './sources';

export const SELF_CHECK_KEEP_CALLS = 20;
/** How far LastPass's logged time of our call may be from our clock (latency, skew) and still match. */
const MATCH_MS = 5_000;
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
  /** Votes so far (offset in quarter hours → calls it explains), kept in the cursor across pages and runs. */
  votes: Map<number, number> = new Map(),
): TimeZoneVerdict | undefined {
  if (calls.length === 0) return undefined;
  const first = Math.min(...calls);
  const last = Math.max(...calls);
  // Each of our logged calls votes for every quarter-hour offset (0 = the zone is right) that explains
  // it; the offset explaining the most calls wins, ties going to 0. Periodic polling can make a shifted
  // call land on another call, so a single coincidence never decides.
  const witness = new Map<number, string>();
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
    for (const q of explained) {
      votes.set(q, (votes.get(q) ?? 0) + 1);
      witness.set(q, record.Time);
    }
  }
  const onTime = votes.get(0) ?? 0;
  let best = 0;
  let bestVotes = onTime;
  for (const [q, n] of votes) if (n > bestVotes) [best, bestVotes] = [q, n];
  // A wrong zone needs two witnesses: one coincidence decides nothing.
  if (best !== 0 && bestVotes < 2) return undefined;
  if (best === 0 && onTime === 0) return undefined;
  if (best === 0)
    return {
      ok: true,
      note: `ok: our reporting calls are logged on time in ${zone.name} (e.g. "${witness.get(0) ?? ''}")`,
    };
  const quarters = best;
  const shown = witness.get(best) ?? '';
  return {
    ok: false,
    note: `mismatch: LastPass logged our own reporting call as "${shown}", which read in time_zone ${zone.name} is ${formatOffset(quarters * QUARTER_HOUR)} off our clock; the account's zone is probably not ${zone.name} (set time_zone / LASTPASS_TIME_ZONE)`,
  };
}
