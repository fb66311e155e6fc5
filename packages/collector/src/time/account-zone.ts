/** `YYYY-MM-DD HH:mm:ss`: the zone-less wall-clock text LastPass sends and expects (lastpass-api.md §6). */
export const WALL_CLOCK_RE = /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})$/;

const SECOND = 1000;
const HOUR = 3600 * SECOND;
const DAY = 24 * HOUR;
/** Around a wall-clock time, the offsets in force this far on either side are the candidates. */
const PROBES = [-2 * DAY, -DAY, 0, DAY, 2 * DAY];

function pad(n: number, width = 2): string {
  return String(n).padStart(width, '0');
}

/**
 * Names java.time's `ZoneId.of` takes (Elasticsearch resolves `_conf.time_zone` with it): IANA names and
 * links, in their exact case. ICU (through Intl) also takes other case, old three-letter ids and System V
 * zones, so those are turned away first. The ingest package's `isJavaRegionId` applies the same rule; it
 * is not imported here because loading that package loads the pipeline executor
 * (`test/account-zone.test.ts` checks the two agree on every tz name and its case variants).
 */
const ZONE_NAME_RE = /^[A-Z][A-Za-z0-9_+-]*(\/[A-Z][A-Za-z0-9_+-]*)*$/;
const NOT_IN_TZDB = new Set(
  'ACT AET AGT ART AST BET BST CAT CNT CST CTT EAT ECT IET IST JST MIT NET NST PLT PNT PRT PST SST VST'.split(
    ' ',
  ),
);

function formatterOf(name: string): Intl.DateTimeFormat {
  return new Intl.DateTimeFormat('en-US', {
    timeZone: name,
    hourCycle: 'h23',
    year: 'numeric',
    month: 'numeric',
    day: 'numeric',
    hour: 'numeric',
    minute: 'numeric',
    second: 'numeric',
  });
}

/** Is `name` a time zone as Elasticsearch (java.time) and the tz database know it? */
export function isValidTimeZone(name: string): boolean {
  const cased = name
    .split('/')
    .every((part) => /[a-z]/.test(part) || part.replace(/[^A-Z]/g, '').length <= 4 || /[0-9+-]/.test(part));
  if (!ZONE_NAME_RE.test(name) || !cased || NOT_IN_TZDB.has(name) || name.startsWith('SystemV/'))
    return false;
  try {
    const resolved = formatterOf(name).resolvedOptions().timeZone;
    // ICU matches names ignoring case; a link (US/Eastern) resolves to another name
    return resolved === name || resolved.toLowerCase() !== name.toLowerCase();
  } catch {
    return false;
  }
}

interface WallClock {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

/** The wall clock as if it were UTC, in epoch ms (years 1–9999). */
function wallAsUtc(w: WallClock): number {
  const date = new Date(0);
  date.setUTCFullYear(w.year, w.month - 1, w.day);
  date.setUTCHours(w.hour, w.minute, w.second, 0);
  return date.getTime();
}

/**
 * Conversions between instants (epoch ms) and the account's wall clock, DST-aware, from the tz
 * database built into Node (ICU, through `Intl.DateTimeFormat`: no time-zone library is loaded). All
 * window arithmetic happens on instants; only the strings sent to LastPass are local.
 */
export class AccountZone {
  readonly name: string;
  private readonly formatter: Intl.DateTimeFormat;

  constructor(name: string) {
    if (!isValidTimeZone(name)) throw new RangeError(`unknown time zone ${JSON.stringify(name)}`);
    this.name = name;
    this.formatter = formatterOf(name);
  }

  private wallClock(epochMs: number): WallClock {
    const w: WallClock = { year: 0, month: 0, day: 0, hour: 0, minute: 0, second: 0 };
    for (const part of this.formatter.formatToParts(Math.floor(epochMs / SECOND) * SECOND)) {
      if (part.type in w) w[part.type as keyof WallClock] = Number(part.value);
    }
    return w;
  }

  /** The zone's offset from UTC at an instant, in ms (whole seconds). */
  private offsetAt(epochMs: number): number {
    const t = Math.floor(epochMs / SECOND) * SECOND;
    return wallAsUtc(this.wallClock(t)) - t;
  }

  /** The wall-clock text of an instant, truncated to the second. */
  format(epochMs: number): string {
    const t = this.wallClock(epochMs);
    return `${pad(t.year, 4)}-${pad(t.month)}-${pad(t.day)} ${pad(t.hour)}:${pad(t.minute)}:${pad(t.second)}`;
  }

  /**
   * Every instant a wall-clock text can denote: one normally, two in the repeated hour of a fall-back
   * transition (earlier first), none in a spring-forward gap. Throws on text that is not wall-clock.
   */
  instantsOf(text: string): number[] {
    const m = WALL_CLOCK_RE.exec(text);
    if (m === null) throw new RangeError(`not a YYYY-MM-DD HH:mm:ss time: ${JSON.stringify(text)}`);
    const wall: WallClock = {
      year: Number(m[1]),
      month: Number(m[2]),
      day: Number(m[3]),
      hour: Number(m[4]),
      minute: Number(m[5]),
      second: Number(m[6]),
    };
    const local = wallAsUtc(wall);
    // A text that does not round-trip through Date (e.g. 2024-02-30, 24:00:00) names no instant.
    if (new Date(local).toISOString().slice(0, 19).replace('T', ' ') !== text) return [];
    const instants = new Set<number>();
    for (const probe of PROBES) {
      const candidate = local - this.offsetAt(local + probe);
      if (this.format(candidate) === text) instants.add(candidate);
    }
    return [...instants].sort((a, b) => a - b);
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
