import {
  DateTimeException,
  Instant,
  LocalDateTime,
  ZoneOffset,
  ZoneOffsetTransition,
  ZoneRules,
  ZoneRulesProvider,
  type Duration,
} from '@js-joda/core';

/**
 * js-joda zone rules answered by the tz database built into Node (ICU, through `Intl.DateTimeFormat`)
 * instead of @js-joda/timezone, which unpacks the whole database when loaded (~32 MB RSS).
 *
 * Offsets are the ones ICU prints at an instant (`formatToParts` with `timeZoneName: 'longOffset'`, whole
 * seconds), cached per zone and hour (per minute in an hour holding a transition). A local date-time's
 * valid offsets are the offsets in force around it (±2 days) whose instant maps back to the same local
 * time: one normally, two in an overlap (earlier instant first), none in a gap; the transition of a gap or
 * overlap is found by bisection to the second.
 */

const MINUTE = 60;
const HOUR = 3600;
const DAY = 86400;
/** Around a local time, the offsets in force this far (seconds) on either side are the candidates. */
const PROBES = [-2 * DAY, -DAY, 0, DAY, 2 * DAY];
/** Instants are clamped to the range of a JS Date (±100,000,000 days around 1970). */
const MIN_SECOND = -8.64e12 + 3 * DAY;
const MAX_SECOND = 8.64e12 - 3 * DAY;
const CACHE_LIMIT = 50000;

/** Region ids as java.time's ZoneId takes them: IANA-style names, every path segment capitalized. */
const REGION_ID_RE = /^[A-Z][A-Za-z0-9_+-]*(\/[A-Z][A-Za-z0-9_+-]*)*$/;
/**
 * Ids ICU knows that are not in the IANA database (Java's old three-letter ids and System V zones):
 * java.time's ZoneId.of rejects them, so do we.
 */
const ICU_ONLY =
  'ACT AET AGT ART AST BET BST CAT CNT CST CTT EAT ECT IET IST JST MIT NET NST PLT PNT PRT PST SST VST';
const ICU_ONLY_IDS = new Set(ICU_ONLY.split(' '));

function notSupported(what: string): never {
  throw new DateTimeException(`IntlZoneRules: ${what} is not supported`);
}

/** Prints the offset in force: `GMT+05:30`, `GMT-04:56:02` (a local mean time), `GMT` or `GMT+00:00`. */
function offsetFormatter(id: string): Intl.DateTimeFormat {
  return new Intl.DateTimeFormat('en-US', { timeZone: id, timeZoneName: 'longOffset' });
}
const OFFSET_RE = /^GMT(?:([+-])(\d{2}):(\d{2})(?::(\d{2}))?)?$/;

/**
 * A path segment cased as the tz database writes them: a capitalised word (`New_York`, `Port-au-Prince`)
 * or an upper-case code that is short or numbered (`UTC`, `US`, `EST5EDT`, `GMT+5`, `NZ-CHAT`). ICU
 * resolves links ignoring case, so this is what turns away an upper-cased link such as `US/EASTERN`.
 */
function casedAsTzdb(segment: string): boolean {
  if (/[a-z]/.test(segment)) return true; // REGION_ID_RE already requires a capital first letter
  return segment.replace(/[^A-Z]/g, '').length <= 4 || /[0-9+-]/.test(segment);
}

/**
 * Does ICU know `id` as java.time's ZoneId.of would (IANA names, exact case)? The collector's
 * `isValidTimeZone` applies the same rule (a test checks they agree).
 */
export function isJavaRegionId(id: string): boolean {
  if (!REGION_ID_RE.test(id) || ICU_ONLY_IDS.has(id) || id.startsWith('SystemV/')) return false;
  if (!id.split('/').every(casedAsTzdb)) return false;
  let resolved: string;
  try {
    resolved = offsetFormatter(id).resolvedOptions().timeZone;
  } catch {
    return false;
  }
  // ICU matches ids ignoring case, java.time does not (a link such as US/Eastern resolves to another name).
  return resolved === id || resolved.toLowerCase() !== id.toLowerCase();
}

export class IntlZoneRules extends ZoneRules {
  private readonly formatter: Intl.DateTimeFormat;
  /** Offset (seconds) per instant hour; NaN for an hour with a transition inside it. */
  private readonly byHour = new Map<number, number>();
  /** Offset (seconds) per instant minute of such hours; NaN for a minute with a transition inside it. */
  private readonly byMinute = new Map<number, number>();

  constructor(readonly id: string) {
    super();
    this.formatter = offsetFormatter(id);
  }

  /** Offset in seconds at an epoch second, straight from ICU. */
  private computeOffset(epochSecond: number): number {
    const t = Math.min(Math.max(epochSecond, MIN_SECOND), MAX_SECOND);
    const name =
      this.formatter.formatToParts(t * 1000).find((part) => part.type === 'timeZoneName')?.value ?? '';
    const m = OFFSET_RE.exec(name);
    if (m === null)
      throw new DateTimeException(`IntlZoneRules: unexpected offset ${JSON.stringify(name)} in ${this.id}`);
    const seconds = Number(m[2] ?? 0) * 3600 + Number(m[3] ?? 0) * 60 + Number(m[4] ?? 0);
    return m[1] === '-' ? -seconds : seconds;
  }

  /**
   * Offset in seconds at an epoch second. Cached per hour when the offsets at the hour's first and last
   * second agree (no transition inside it: the tz database has no pair of transitions less than an hour
   * apart that cancel out), else per minute unless a transition falls inside the minute.
   */
  offsetSecondsAt(epochSecond: number): number {
    const s = Math.floor(epochSecond);
    const hour = Math.floor(s / HOUR);
    let hourly = this.byHour.get(hour);
    if (hourly === undefined) {
      const start = this.computeOffset(hour * HOUR);
      hourly = start === this.computeOffset(hour * HOUR + HOUR - 1) ? start : NaN;
      if (this.byHour.size >= CACHE_LIMIT) this.byHour.clear();
      this.byHour.set(hour, hourly);
    }
    if (!Number.isNaN(hourly)) return hourly;
    const minute = Math.floor(s / MINUTE);
    let offset = this.byMinute.get(minute);
    if (offset === undefined) {
      const start = this.computeOffset(minute * MINUTE);
      offset = start === this.computeOffset(minute * MINUTE + MINUTE - 1) ? start : NaN;
      if (this.byMinute.size >= CACHE_LIMIT) this.byMinute.clear();
      this.byMinute.set(minute, offset);
    }
    return Number.isNaN(offset) ? this.computeOffset(s) : offset;
  }

  /** Valid offsets (seconds) of a local time given as seconds since the local epoch: earlier instant first. */
  private validOffsetSeconds(localSecond: number): number[] {
    const valid: number[] = [];
    for (const probe of PROBES) {
      const candidate = this.offsetSecondsAt(localSecond + probe);
      if (!valid.includes(candidate) && this.offsetSecondsAt(localSecond - candidate) === candidate) {
        valid.push(candidate);
      }
    }
    return valid.sort((a, b) => b - a);
  }

  override isFixedOffset(): boolean {
    return false;
  }

  override offsetOfInstant(instant: Instant): ZoneOffset {
    return ZoneOffset.ofTotalSeconds(this.offsetSecondsAt(instant.epochSecond()));
  }

  override offsetOfEpochMilli(epochMilli: number): ZoneOffset {
    return ZoneOffset.ofTotalSeconds(this.offsetSecondsAt(Math.floor(epochMilli / 1000)));
  }

  override offsetOfLocalDateTime(localDateTime: LocalDateTime): ZoneOffset {
    const valid = this.validOffsets(localDateTime);
    if (valid.length === 1 && valid[0] !== undefined) return valid[0];
    // java.time: in a gap or an overlap, the offset before the transition
    const transition = this.transition(localDateTime);
    return transition === null ? notSupported('a local time without offset') : transition.offsetBefore();
  }

  override validOffsets(localDateTime: LocalDateTime): ZoneOffset[] {
    return this.validOffsetSeconds(localDateTime.toEpochSecond(ZoneOffset.UTC)).map((s) =>
      ZoneOffset.ofTotalSeconds(s),
    );
  }

  /** The gap or overlap a local time falls in (null when it has exactly one offset), as java.time's. */
  override transition(localDateTime: LocalDateTime): ZoneOffsetTransition {
    const local = localDateTime.toEpochSecond(ZoneOffset.UTC);
    if (this.validOffsetSeconds(local).length === 1) return null as unknown as ZoneOffsetTransition;
    const candidates = PROBES.map((probe) => this.offsetSecondsAt(local + probe));
    // The transition instant lies in (local - max offset, local - min offset]: bisect to the second.
    let before = local - Math.max(...candidates);
    let after = local - Math.min(...candidates);
    const offsetBefore = this.offsetSecondsAt(before);
    if (this.offsetSecondsAt(after) === offsetBefore)
      notSupported(`finding the transition at ${localDateTime.toString()}`);
    while (after - before > 1) {
      const mid = Math.floor((before + after) / 2);
      if (this.offsetSecondsAt(mid) === offsetBefore) before = mid;
      else after = mid;
    }
    const offsetAfter = this.offsetSecondsAt(after);
    const low = after + Math.min(offsetBefore, offsetAfter);
    const high = after + Math.max(offsetBefore, offsetAfter);
    if (local < low || local >= high) notSupported(`finding the transition at ${localDateTime.toString()}`);
    return ZoneOffsetTransition.of(
      LocalDateTime.ofEpochSecond(after + offsetBefore, 0, ZoneOffset.UTC),
      ZoneOffset.ofTotalSeconds(offsetBefore),
      ZoneOffset.ofTotalSeconds(offsetAfter),
    );
  }

  override isValidOffset(localDateTime: LocalDateTime, offset: ZoneOffset): boolean {
    return this.validOffsetSeconds(localDateTime.toEpochSecond(ZoneOffset.UTC)).includes(
      offset.totalSeconds(),
    );
  }

  override standardOffset(): ZoneOffset {
    return notSupported('standardOffset');
  }

  override daylightSavings(): Duration {
    return notSupported('daylightSavings');
  }

  override isDaylightSavings(): boolean {
    return notSupported('isDaylightSavings');
  }

  override nextTransition(): ZoneOffsetTransition {
    return notSupported('nextTransition');
  }

  override previousTransition(): ZoneOffsetTransition {
    return notSupported('previousTransition');
  }

  override transitions(): ZoneOffsetTransition[] {
    return notSupported('transitions');
  }

  override transitionRules(): never[] {
    return notSupported('transitionRules');
  }

  equals(other: unknown): boolean {
    return other instanceof IntlZoneRules && other.id === this.id;
  }

  override toString(): string {
    return this.id;
  }
}

const rulesById = new Map<string, IntlZoneRules>();

/** Zone rules for a region id, one instance per id; DateTimeException `Unknown time-zone ID` otherwise. */
export function intlZoneRules(id: string): IntlZoneRules {
  let rules = rulesById.get(id);
  if (rules === undefined) {
    if (!isJavaRegionId(id)) throw new DateTimeException(`Unknown time-zone ID: ${id}`);
    rules = new IntlZoneRules(id);
    rulesById.set(id, rules);
  }
  return rules;
}

/**
 * Makes js-joda's ZoneId.of answer region ids from ICU (offset ids such as `+01:00`, `UTC` or `GMT+2`
 * never reach a provider). Whichever of this and @js-joda/timezone's own plug is installed last wins
 * (for ZoneIds made after it); both answer from the IANA database, so a process that loads both (the
 * simulator, collector tests) gets the same offsets either way, up to the two copies' tz versions
 * (@js-joda/timezone's packed transitions also end in a far future year, ICU's rules do not).
 */
export function installIntlZoneRules(): void {
  ZoneRulesProvider.getRules = intlZoneRules;
  ZoneRulesProvider.getAvailableZoneIds = () => Intl.supportedValuesOf('timeZone');
}
