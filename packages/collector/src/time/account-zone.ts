import { Instant, LocalDateTime, ZoneId, ZonedDateTime } from '@js-joda/core';
import '@js-joda/timezone';

/** `YYYY-MM-DD HH:mm:ss`: the zone-less wall-clock text LastPass sends and expects (lastpass-api.md §6). */
export const WALL_CLOCK_RE = /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})$/;

const SECOND = 1000;
const HOUR = 3600 * SECOND;

function pad(n: number, width = 2): string {
  return String(n).padStart(width, '0');
}

/** Is `name` an IANA zone the tz database knows? */
export function isValidTimeZone(name: string): boolean {
  try {
    ZoneId.of(name);
    return true;
  } catch {
    return false;
  }
}

/**
 * Conversions between instants (epoch ms) and the account's wall clock, DST-aware (tz database via
 * js-joda). All window arithmetic happens on instants; only the strings sent to LastPass are local.
 */
export class AccountZone {
  readonly name: string;
  private readonly zone: ZoneId;

  constructor(name: string) {
    this.name = name;
    this.zone = ZoneId.of(name);
  }

  /** The wall-clock text of an instant, truncated to the second. */
  format(epochMs: number): string {
    const t = ZonedDateTime.ofInstant(Instant.ofEpochMilli(epochMs), this.zone);
    return `${pad(t.year(), 4)}-${pad(t.monthValue())}-${pad(t.dayOfMonth())} ${pad(t.hour())}:${pad(
      t.minute(),
    )}:${pad(t.second())}`;
  }

  /**
   * Every instant a wall-clock text can denote: one normally, two in the repeated hour of a fall-back
   * transition (earlier first), none in a spring-forward gap. Throws on text that is not wall-clock.
   */
  instantsOf(text: string): number[] {
    const m = WALL_CLOCK_RE.exec(text);
    if (m === null) throw new RangeError(`not a YYYY-MM-DD HH:mm:ss time: ${JSON.stringify(text)}`);
    const ldt = LocalDateTime.of(
      Number(m[1]),
      Number(m[2]),
      Number(m[3]),
      Number(m[4]),
      Number(m[5]),
      Number(m[6]),
    );
    return this.zone
      .rules()
      .validOffsets(ldt)
      .map((offset) => ldt.toInstant(offset).toEpochMilli())
      .sort((a, b) => a - b);
  }

  /** True when the wall-clock text of this instant also names another instant (fall-back overlap). */
  isAmbiguous(epochMs: number): boolean {
    return this.instantsOf(this.format(epochMs)).length > 1;
  }

  /**
   * The repeated wall-clock period (both passes of a fall-back hour) containing `epochMs`, as
   * `[start, end)`: every instant in it has an ambiguous text, `start - 1s` and `end` do not.
   * Undefined when the instant's text is unambiguous.
   */
  ambiguousPeriodOf(epochMs: number): { start: number; end: number } | undefined {
    const t = Math.floor(epochMs / SECOND) * SECOND;
    if (!this.isAmbiguous(t)) return undefined;
    const edge = (from: number, step: number): number => {
      let at = from;
      for (const size of [60 * SECOND, SECOND]) while (this.isAmbiguous(at + step * size)) at += step * size;
      return at;
    };
    return { start: edge(t, -1), end: edge(t, 1) + SECOND };
  }

  /**
   * The latest instant ≤ `epochMs` whose wall-clock text is unambiguous. A window start sent to
   * LastPass must be such a text: LastPass may resolve an ambiguous text to the later offset and would
   * then skip up to an hour of events (lastpass-api.md §6.3).
   */
  unambiguousAtOrBefore(epochMs: number): number {
    let t = Math.floor(epochMs / SECOND) * SECOND;
    while (this.isAmbiguous(t)) t -= HOUR;
    return t;
  }
}
