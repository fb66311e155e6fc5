/** Wall-clock ⇄ instant in the account zone (DST-aware, tz database via js-joda). */
import { LocalDateTime, ZoneId, ZonedDateTime, type ZoneRules } from '@js-joda/core';
import '@js-joda/timezone';

export const WALL_CLOCK_PATTERN = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/;

const pad = (n: number, width = 2): string => String(n).padStart(width, '0');
const TWO = Array.from({ length: 60 }, (_, i) => pad(i));

export interface Transition {
  /** First instant (epoch ms) with the new offset. */
  at: number;
  offsetBeforeSeconds: number;
  offsetAfterSeconds: number;
}

export class AccountZone {
  readonly #zone: ZoneId;
  readonly #rules: ZoneRules;
  #bucket = Number.NaN;
  #bucketOffset = 0;
  #day = Number.NaN;
  #dayText = '';

  constructor(readonly timeZone: string) {
    this.#zone = ZoneId.of(timeZone);
    this.#rules = this.#zone.rules();
  }

  offsetSeconds(epochMs: number): number {
    // Offsets change on whole quarter hours: cache per 15-minute bucket (formatting 1M events stays fast).
    const bucket = Math.floor(epochMs / 900_000);
    if (bucket === this.#bucket) return this.#bucketOffset;
    this.#bucket = bucket;
    this.#bucketOffset = this.#rules.offsetOfEpochMilli(bucket * 900_000).totalSeconds();
    return this.#bucketOffset;
  }

  /** `YYYY-MM-DD HH:mm:ss` of an instant in the account zone. */
  format(epochMs: number): string {
    const local = Math.floor(epochMs / 1000) + this.offsetSeconds(epochMs);
    const day = Math.floor(local / 86_400);
    if (day !== this.#day) {
      const d = new Date(day * 86_400_000);
      this.#day = day;
      this.#dayText = `${pad(d.getUTCFullYear(), 4)}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} `;
    }
    const seconds = local - day * 86_400;
    const h = Math.floor(seconds / 3600);
    const m = Math.floor((seconds % 3600) / 60);
    return `${this.#dayText}${TWO[h] ?? pad(h)}:${TWO[m] ?? pad(m)}:${TWO[seconds % 60] ?? pad(seconds % 60)}`;
  }

  /**
   * The instant of a wall-clock string; `undefined` when malformed. In the repeated fall-back hour the
   * earlier or later offset is used; a time in the spring-forward gap moves forward by the gap.
   */
  parse(wall: string, ambiguous: 'earlier' | 'later'): number | undefined {
    if (!WALL_CLOCK_PATTERN.test(wall)) return undefined;
    try {
      const zoned = ZonedDateTime.of(LocalDateTime.parse(wall.replace(' ', 'T')), this.#zone);
      const resolved =
        ambiguous === 'later' ? zoned.withLaterOffsetAtOverlap() : zoned.withEarlierOffsetAtOverlap();
      return resolved.toInstant().toEpochMilli();
    } catch {
      return undefined; // js-joda rejects impossible dates (2024-02-30) with DateTimeException
    }
  }

  /** Offset changes in [fromMs, toMs], found by an hourly scan refined to the second. */
  transitions(fromMs: number, toMs: number): Transition[] {
    const found: Transition[] = [];
    const HOUR = 3_600_000;
    let previous = this.offsetSeconds(fromMs);
    for (let t = fromMs + HOUR; t <= toMs + HOUR; t += HOUR) {
      const current = this.offsetSeconds(t);
      if (current === previous) continue;
      let lo = t - HOUR;
      let hi = t;
      while (hi - lo > 1000) {
        const mid = Math.floor((lo + hi) / 2000) * 1000;
        if (mid <= lo || mid >= hi) break;
        if (this.offsetSeconds(mid) === previous) lo = mid;
        else hi = mid;
      }
      if (hi <= toMs && hi >= fromMs)
        found.push({ at: hi, offsetBeforeSeconds: previous, offsetAfterSeconds: current });
      previous = current;
    }
    return found;
  }
}
