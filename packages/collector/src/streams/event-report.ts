import { z } from 'zod';
import type { EventReportSettings } from '../config/load';
import { AccountZone } from '../time/account-zone';
import { checkTimeZone, SELF_CHECK_KEEP_CALLS, type TimeZoneVerdict } from './time-zone-check';
import type { ReportingRecord, ReportingSource } from './sources';
import {
  documentFactory,
  type Batch,
  type DocumentEnvelope,
  type RawDocument,
  type Stream,
  type StreamContext,
} from './types';

const SECOND = 1000;

export const eventReportCursorSchema = z
  .object({
    /** Every event with an instant ≤ this one was delivered and acknowledged (UTC, RFC 3339). */
    upper: z.iso.datetime(),
    /** The same bound as the account-zone text last sent as `to`. */
    upper_local: z.string(),
    /** Instants of our recent `reporting` calls, for the time-zone self-check (issue §6). */
    recent_calls: z.array(z.iso.datetime()).default([]),
    /** Time-zone self-check votes: offset in quarter hours → own calls it explains. */
    zone_votes: z.record(z.string().regex(/^-?\d+$/), z.number().int().nonnegative()).default({}),
  })
  .strict();
export type EventReportCursor = z.infer<typeof eventReportCursorSchema>;

/** Target share of the page limit per request: room for bursts before a window has to be split. */
const TARGET_FILL = 0.5;

/** The same five values (contracts §3: what makes records identical). */
function sameFive(a: ReportingRecord, b: ReportingRecord): boolean {
  return (
    a.Time === b.Time &&
    a.Username === b.Username &&
    a.IP_Address === b.IP_Address &&
    a.Action === b.Action &&
    a.Data === b.Data
  );
}

/** Within one second (same `Time`), a key for the other four values. */
function otherFour(r: ReportingRecord): string {
  return JSON.stringify([r.Username, r.IP_Address, r.Action, r.Data]);
}

/** Past this many records in one second, that second's records are counted in a map. */
const CROWDED_SECOND = 16;

/**
 * `lastpass_enterprise.event_report.occurrence` (contracts §3): the 0-based index of a record among
 * identical records (same five values) in one response. Identical records cannot be told apart, so the
 * labels are just 0..n-1; a response always holds every record of a second it covers (or, in the
 * repeated DST hour, an earlier-first prefix of them), so re-reading the second gives the same labels,
 * and an extra record that arrived late gets the next label. Identical records share their `Time`, so
 * records are grouped by it (a short key); within a second the few records are compared value by
 * value, and a crowded second gets a map of its own.
 */
export function assignOccurrences(records: readonly ReportingRecord[]): number[] {
  const seconds = new Map<string, number[] | Map<string, number>>();
  return records.map((record, i) => {
    const group = seconds.get(record.Time);
    if (group === undefined) {
      seconds.set(record.Time, [i]);
      return 0;
    }
    if (!Array.isArray(group)) {
      const key = otherFour(record);
      const n = group.get(key) ?? 0;
      group.set(key, n + 1);
      return n;
    }
    let n = 0;
    for (const j of group) {
      const other = records[j];
      if (other !== undefined && sameFive(other, record)) n++;
    }
    group.push(i);
    if (group.length > CROWDED_SECOND) {
      const counts = new Map<string, number>();
      for (const j of group) {
        const other = records[j];
        if (other === undefined) continue;
        const key = otherFour(other);
        counts.set(key, (counts.get(key) ?? 0) + 1);
      }
      seconds.set(record.Time, counts);
    }
    return n;
  });
}

export interface EventReportStreamOptions {
  source: ReportingSource;
  settings: EventReportSettings;
  envelope: DocumentEnvelope;
  apiUser: string;
}

/**
 * The event report (lastpass-api.md §4.1, §5.1, §6): windows `[cursor − overlap, now − settle lag]`,
 * read as a sequence of sub-windows sized to the observed event density so that each response stays
 * under the page limit. A response that is under the limit (and has no `next`) is complete by
 * definition, whatever the order of its events, whatever `next` means, whatever the inclusivity of
 * `from`/`to`: so the stream never depends on those unverified behaviours. A full response is thrown
 * away and its sub-window split; only a window of one second that is still full is delivered as is
 * and reported (`EVENT_REPORT_SECOND_OVERFLOW`). Every sub-window starts one second early (the
 * boundary second is re-read whole) and at an unambiguous wall-clock text (DST fall-back hour).
 */
export function createEventReportStream(options: EventReportStreamOptions): Stream {
  const { source, settings, envelope, apiUser } = options;
  const zone = new AccountZone(envelope.timeZone);
  let pageLimit = settings.pageLimit;

  const { fromText } = documentFactory('event_report', envelope);
  /** `texts[i]`, when given, is record i's JSON text as received: it is the message, unserialized. */
  function toDocuments(
    records: readonly ReportingRecord[],
    texts: readonly string[] | undefined,
  ): RawDocument[] {
    const occurrences = assignOccurrences(records);
    const aligned = texts !== undefined && texts.length === records.length ? texts : undefined;
    return records.map((record, i) => {
      const doc = fromText(aligned?.[i] ?? JSON.stringify(record));
      doc.lastpass_enterprise = { event_report: { occurrence: occurrences[i] ?? 0 } };
      return doc;
    });
  }

  async function* read(context: StreamContext): AsyncGenerator<Batch, void, undefined> {
    const parsed =
      context.cursor === undefined || context.cursor === null
        ? null
        : eventReportCursorSchema.parse(context.cursor);
    const now = context.now();
    const end = Math.floor((now - settings.settleLagMs) / SECOND) * SECOND;
    const firstStart = context.since ?? now - settings.initialIntervalMs;
    const start =
      Math.floor((parsed === null ? firstStart : Date.parse(parsed.upper) - settings.overlapMs) / SECOND) *
      SECOND;
    const calls = (parsed?.recent_calls ?? []).map((t) => Date.parse(t));
    let verdict: TimeZoneVerdict | undefined;
    const votes = new Map(Object.entries(parsed?.zone_votes ?? {}).map(([q, n]) => [Number(q), n]));
    const cursorAt = (upper: number): EventReportCursor => ({
      upper: new Date(upper).toISOString(),
      upper_local: zone.format(upper),
      recent_calls: calls.slice(-SELF_CHECK_KEEP_CALLS).map((t) => new Date(t).toISOString()),
      zone_votes: Object.fromEntries([...votes].map(([q, n]) => [String(q), n])),
    });
    const notes = (): Record<string, string> =>
      verdict === undefined ? {} : { time_zone_check: verdict.note };
    if (end <= start) {
      yield { documents: [], fetched: 0, apiCalls: 0, commit: parsed ?? cursorAt(start), progress: 1 };
      return;
    }
    let pos = start;
    let span = end - start;
    while (pos < end && !context.signal.aborted) {
      const planned = Math.min(pos + Math.max(span, SECOND), end);
      let subEnd = planned;
      // The request covers [pos − 1s, subEnd]: the boundary second is always read whole.
      let queryFrom = pos - SECOND;
      let queryTo = subEnd;
      // Never cut a repeated DST period: records of its two passes share their wall-clock texts, so
      // occurrences are only right when a response holds both passes. Such a request is atomic.
      const cutFrom = zone.ambiguousPeriodOf(queryFrom);
      const cutTo = zone.ambiguousPeriodOf(queryTo);
      if (cutFrom !== undefined) queryFrom = cutFrom.start - SECOND;
      if (cutTo !== undefined) queryTo = cutTo.end + SECOND;
      const atomic = cutFrom !== undefined || cutTo !== undefined; // for the overflow message only
      subEnd = Math.min(Math.max(subEnd, queryTo), end);
      const from = zone.format(queryFrom);
      const to = zone.format(queryTo);
      calls.push(context.now());
      // `let`: cleared before each yield, so the records die young instead of being kept (and copied
      // by the garbage collector) while the sink writes the documents made from them.
      let page: Awaited<ReturnType<ReportingSource['reporting']>> | undefined = await source.reporting({
        from,
        to,
      });
      const count = page.events.length + (page.rejected?.length ?? 0);
      const apiCalls = page.apiCalls;
      const hasNext = page.next !== null && page.next !== undefined && page.next !== '';
      if (hasNext && count > 0 && count < pageLimit) pageLimit = count; // the server's page is smaller than configured
      const full = hasNext || count >= pageLimit;
      if (full && planned - pos > SECOND) {
        // Not complete: never guess which part is missing; read a narrower window instead.
        context.logger.debug({ from, to, events: count }, 'event_report: full page, splitting the window');
        span = narrowerSpan(planned - pos, page.events, zone, pageLimit);
        const answerNotes = page.notes;
        page = undefined;
        yield {
          documents: [],
          fetched: 0,
          apiCalls,
          ...(answerNotes === undefined ? {} : { notes: answerNotes }),
        };
        continue;
      }
      if (full) {
        context.logger.warn(
          { code: 'EVENT_REPORT_SECOND_OVERFLOW', from, to, events: count, page_limit: pageLimit },
          atomic
            ? 'event_report: more events than one page in a repeated DST hour; delivering this page as is, records past the page limit may be missing'
            : 'event_report: more events than one page around a single second; delivering this page as is, records past the page limit in this second may be missing',
        );
      }
      const v = checkTimeZone(page.events, calls, zone, apiUser, votes);
      if (v !== undefined) {
        if (!v.ok && verdict?.note !== v.note) context.logger.warn({ code: 'TIME_ZONE_MISMATCH' }, v.note);
        verdict = v;
      }
      const overflow: Record<string, string> = full
        ? {
            last_second_overflow: `${to}: ${count} events in one page around one second (page limit ${pageLimit})`,
          }
        : {};
      const documents = toDocuments(page.events, page.texts);
      const answerNotes = page.notes ?? {};
      const rejected = page.rejected?.map((r) => ({
        document: fromText(JSON.stringify(r.record) ?? 'null'),
        type: 'lastpass_invalid_record',
        reason: `reporting ${from} – ${to}: ${r.reason}`,
      }));
      page = undefined;
      yield {
        documents,
        ...(rejected === undefined ? {} : { rejected }),
        fetched: count,
        apiCalls,
        commit: cursorAt(subEnd),
        notes: { ...notes(), ...overflow, ...answerNotes },
        progress: (subEnd - start) / (end - start),
      };
      // Grow (or keep) the window toward the target fill for the next request.
      const fill = (TARGET_FILL * pageLimit) / Math.max(count, 1);
      span = Math.max(SECOND, Math.floor((subEnd - pos) * Math.min(fill, 8)));
      pos = subEnd;
    }
  }

  return { id: 'event_report', read };
}

/** A smaller window after a full page: from the density seen in the page, at most half the old one. */
function narrowerSpan(
  width: number,
  events: readonly ReportingRecord[],
  zone: AccountZone,
  pageLimit: number,
): number {
  const half = Math.max(SECOND, Math.floor(width / 2 / SECOND) * SECOND);
  if (events.length < 2) return half;
  let min = events[0]?.Time ?? '';
  let max = min;
  for (const e of events) {
    if (e.Time < min) min = e.Time;
    if (e.Time > max) max = e.Time;
  }
  try {
    const lo = zone.instantsOf(min)[0];
    const hi = zone.instantsOf(max).at(-1);
    if (lo === undefined || hi === undefined) return half;
    const covered = Math.max(SECOND, hi - lo + SECOND);
    const estimate = Math.floor((covered * TARGET_FILL * pageLimit) / events.length / SECOND) * SECOND;
    return Math.max(SECOND, Math.min(half, estimate));
  } catch {
    return half;
  }
}
