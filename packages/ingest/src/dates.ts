import { Instant, LocalDateTime, ZoneId, ZoneOffset, ZonedDateTime } from '@js-joda/core';
import { illegalArgument } from './errors';
import { installIntlZoneRules } from './intl-zone-rules';
import { parseJavaDouble, parseJavaIntegral } from './javanum';

/**
 * Date parsing and printing with Elasticsearch's date processor semantics (java.time patterns with
 * STRICT resolution and English text, ISO8601, UNIX, UNIX_MS, TAI64N, a few named formats).
 * Zone rules come from Node's built-in ICU tz database (intl-zone-rules.ts): a repeated local time
 * takes the earlier offset, a local time inside a gap moves forward by the gap length (java.time's rules).
 */

installIntlZoneRules();

/** An instant with nanosecond precision and the zone it is expressed in. */
export interface DateValue {
  readonly epochSecond: number;
  readonly nano: number;
  readonly zone: ZoneId;
}

interface Parsed {
  year?: number;
  month?: number;
  day?: number;
  dayOfYear?: number;
  hour?: number;
  hour12?: number;
  pm?: boolean;
  minute?: number;
  second?: number;
  nano?: number;
  offsetSeconds?: number;
  zone?: ZoneId;
  dayOfWeek?: number;
  weekYear?: number;
  week?: number;
  epochMillis?: number;
}

const MONTHS = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
];
const DAYS = ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday'];

type Setter = (p: Parsed, text: string) => boolean;

interface CompiledPattern {
  readonly regex: RegExp;
  readonly setters: readonly Setter[];
}

function num(field: keyof Parsed, min: number, max: number): Setter {
  return (p, t) => {
    const v = Number(t);
    if (v < min || v > max) return false;
    (p as Record<string, number>)[field] = v;
    return true;
  };
}

function offsetSetter(allowZ: boolean): Setter {
  return (p, t) => {
    if (t === 'Z') {
      if (!allowZ) return false;
      p.offsetSeconds = 0;
      return true;
    }
    const m = /^([+-])(\d{2}):?(\d{2})?:?(\d{2})?$/.exec(t);
    if (m === null) return false;
    const secs = Number(m[2]) * 3600 + Number(m[3] ?? 0) * 60 + Number(m[4] ?? 0);
    if (Number(m[2]) > 18) return false;
    p.offsetSeconds = m[1] === '-' ? -secs : secs;
    return true;
  };
}

function zoneSetter(): Setter {
  return (p, t) => {
    try {
      p.zone = ZoneId.of(t);
      return true;
    } catch {
      return false;
    }
  };
}

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&');
}

const patternCache = new Map<string, CompiledPattern>();

/** Compiles a java.time pattern into a regex with field setters; throws for unsupported letters. */
export function compileJavaPattern(pattern: string): CompiledPattern {
  const cached = patternCache.get(pattern);
  if (cached !== undefined) return cached;
  let re = '';
  const setters: Setter[] = [];
  let i = 0;
  let optionalDepth = 0;
  while (i < pattern.length) {
    const c = pattern[i] ?? '';
    if (c === "'") {
      const end = pattern.indexOf("'", i + 1);
      if (end < 0) throw illegalArgument(`Pattern ends with an incomplete string literal: ${pattern}`);
      re += end === i + 1 ? "'" : escapeRe(pattern.slice(i + 1, end));
      i = end + 1;
      continue;
    }
    if (c === '[') {
      re += '(?:';
      optionalDepth += 1;
      i += 1;
      continue;
    }
    if (c === ']') {
      if (optionalDepth === 0)
        throw illegalArgument(`Pattern invalid as it contains ] without previous [: ${pattern}`);
      re += ')?';
      optionalDepth -= 1;
      i += 1;
      continue;
    }
    if (!/[A-Za-z]/.test(c)) {
      re += escapeRe(c);
      i += 1;
      continue;
    }
    let n = 1;
    while (pattern[i + n] === c) n += 1;
    i += n;
    const group = (body: string, setter: Setter): void => {
      re += `(${body})`;
      setters.push(setter);
    };
    switch (c) {
      case 'y':
      case 'u':
        if (n === 2) group('\\d{2}', (p, t) => ((p.year = 2000 + Number(t)), true));
        else group(n === 1 ? '[+-]?\\d{1,9}' : `[+-]?\\d{${n},9}`, (p, t) => ((p.year = Number(t)), true));
        break;
      case 'Y':
        if (n === 2) group('\\d{2}', (p, t) => ((p.weekYear = 2000 + Number(t)), true));
        else
          group(n === 1 ? '[+-]?\\d{1,9}' : `[+-]?\\d{${n},9}`, (p, t) => ((p.weekYear = Number(t)), true));
        break;
      case 'w':
        group(n === 1 ? '\\d{1,2}' : '\\d{2}', num('week', 1, 53));
        break;
      case 'M':
      case 'L':
        if (n >= 4) group(MONTHS.join('|'), (p, t) => ((p.month = MONTHS.indexOf(t) + 1), true));
        else if (n === 3)
          group(
            MONTHS.map((m) => m.slice(0, 3)).join('|'),
            (p, t) => ((p.month = MONTHS.findIndex((m) => m.startsWith(t)) + 1), true),
          );
        else group(n === 1 ? '\\d{1,2}' : '\\d{2}', num('month', 1, 12));
        break;
      case 'd':
        group(n === 1 ? '\\d{1,2}' : '\\d{2}', num('day', 1, 31));
        break;
      case 'D':
        group(n === 1 ? '\\d{1,3}' : `\\d{${n},3}`, num('dayOfYear', 1, 366));
        break;
      case 'H':
        group(n === 1 ? '\\d{1,2}' : '\\d{2}', num('hour', 0, 23));
        break;
      case 'k':
        group(n === 1 ? '\\d{1,2}' : '\\d{2}', (p, t) => {
          const v = Number(t);
          if (v < 1 || v > 24) return false;
          p.hour = v === 24 ? 0 : v;
          return true;
        });
        break;
      case 'h':
        group(n === 1 ? '\\d{1,2}' : '\\d{2}', num('hour12', 1, 12));
        break;
      case 'K':
        group(n === 1 ? '\\d{1,2}' : '\\d{2}', (p, t) => {
          const v = Number(t);
          if (v > 11) return false;
          p.hour12 = v === 0 ? 12 : v;
          return true;
        });
        break;
      case 'a':
        group('AM|PM', (p, t) => ((p.pm = t === 'PM'), true));
        break;
      case 'm':
        group(n === 1 ? '\\d{1,2}' : '\\d{2}', num('minute', 0, 59));
        break;
      case 's':
        group(n === 1 ? '\\d{1,2}' : '\\d{2}', num('second', 0, 59));
        break;
      case 'S':
        group(`\\d{${n}}`, (p, t) => ((p.nano = Number(t.padEnd(9, '0').slice(0, 9))), true));
        break;
      case 'n':
        group('\\d{1,9}', (p, t) => ((p.nano = Number(t)), true));
        break;
      case 'E':
        if (n >= 4) group(DAYS.join('|'), (p, t) => ((p.dayOfWeek = DAYS.indexOf(t) + 1), true));
        else
          group(
            DAYS.map((d) => d.slice(0, 3)).join('|'),
            (p, t) => ((p.dayOfWeek = DAYS.findIndex((d) => d.startsWith(t)) + 1), true),
          );
        break;
      case 'X':
        group(
          n === 1
            ? 'Z|[+-]\\d{2}(?:\\d{2})?'
            : n === 2 || n === 4
              ? 'Z|[+-]\\d{4}'
              : 'Z|[+-]\\d{2}:\\d{2}(?::\\d{2})?',
          offsetSetter(true),
        );
        break;
      case 'x':
        group(
          n === 1
            ? '[+-]\\d{2}(?:\\d{2})?'
            : n === 2 || n === 4
              ? '[+-]\\d{4}'
              : '[+-]\\d{2}:\\d{2}(?::\\d{2})?',
          offsetSetter(false),
        );
        break;
      case 'Z':
        if (n <= 3) group('[+-]\\d{4}', offsetSetter(false));
        else if (n === 5) group('Z|[+-]\\d{2}:\\d{2}(?::\\d{2})?', offsetSetter(true));
        else throw illegalArgument(`unsupported pattern letter count ZZZZ in [${pattern}]`);
        break;
      case 'V':
        if (n !== 2) throw illegalArgument(`Pattern letter count must be 2: V`);
        group('[A-Za-z][A-Za-z0-9_/+-]*|Z|[+-]\\d{2}:\\d{2}', zoneSetter());
        break;
      case 'z':
        group('[A-Za-z][A-Za-z0-9_/+-]*', zoneSetter());
        break;
      default:
        throw illegalArgument(`Unsupported pattern letter [${c}] in date pattern [${pattern}]`);
    }
  }
  if (optionalDepth !== 0) throw illegalArgument(`Pattern has unclosed optional section: ${pattern}`);
  const compiled = { regex: new RegExp(`^(?:${re})$`), setters };
  patternCache.set(pattern, compiled);
  return compiled;
}

function applyPattern(compiled: CompiledPattern, text: string): Parsed | undefined {
  const m = compiled.regex.exec(text);
  if (m === null) return undefined;
  const p: Parsed = {};
  for (let i = 0; i < compiled.setters.length; i += 1) {
    const t = m[i + 1];
    if (t === undefined) continue;
    if (!(compiled.setters[i] as Setter)(p, t)) return undefined;
  }
  if (p.hour12 !== undefined) {
    if (p.pm === undefined) {
      if (p.hour === undefined) return undefined;
    } else p.hour = (p.hour12 % 12) + (p.pm ? 12 : 0);
  }
  return p;
}

function isLeap(y: number): boolean {
  return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
}

function daysIn(y: number, m: number): number {
  return [31, isLeap(y) ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][m - 1] ?? 0;
}

const zoneCache = new Map<string, ZoneId>();
export function zoneOf(id: string): ZoneId {
  let z = zoneCache.get(id);
  if (z === undefined) {
    try {
      z = ZoneId.of(id);
    } catch {
      throw illegalArgument(`Unknown time-zone ID: ${id}`);
    }
    zoneCache.set(id, z);
  }
  return z;
}

/** Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's days_from_civil). */
function utcEpochDay(y: number, m: number, d: number): number {
  const yy = m <= 2 ? y - 1 : y;
  const era = Math.floor(yy / 400);
  const yoe = yy - era * 400;
  const doy = Math.floor((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

/** The civil date of a day number (inverse of utcEpochDay). */
function civilFromDays(z0: number): { y: number; m: number; d: number } {
  const z = z0 + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor(
    (doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365,
  );
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const d = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const m = mp < 10 ? mp + 3 : mp - 9;
  return { y: yoe + era * 400 + (m <= 2 ? 1 : 0), m, d };
}

/** Per zone id: offsets by instant minute, and by local minute (numeric keys: no key text per lookup). */
interface ZoneOffsetCache {
  readonly instant: Map<number, number>;
  readonly local: Map<number, number>;
}
const offsetCaches = new Map<string, ZoneOffsetCache>();
const OFFSET_CACHE_LIMIT = 100000;

function offsetCache(zone: ZoneId): ZoneOffsetCache {
  const id = zone.id();
  let c = offsetCaches.get(id);
  if (c === undefined) {
    c = { instant: new Map(), local: new Map() };
    offsetCaches.set(id, c);
  }
  return c;
}

/** Offset of a zone at an instant, cached per zone and minute. */
function offsetAt(zone: ZoneId, epochSecond: number): number {
  if (zone instanceof ZoneOffset) return zone.totalSeconds();
  const minute = Math.floor(epochSecond / 60);
  const cache = offsetCache(zone).instant;
  let offset = cache.get(minute);
  if (offset === undefined) {
    offset = zone
      .rules()
      .offset(Instant.ofEpochSecond(minute * 60))
      .totalSeconds();
    if (cache.size >= OFFSET_CACHE_LIMIT) cache.clear();
    cache.set(minute, offset);
  }
  return offset;
}

/** Seconds since epoch of a local date-time in a zone (java.time's gap/overlap rules). */
function localToEpochSecond(
  y: number,
  mo: number,
  d: number,
  h: number,
  mi: number,
  s: number,
  zone: ZoneId,
): number {
  const localSeconds = utcEpochDay(y, mo, d) * 86400 + h * 3600 + mi * 60 + s;
  if (zone instanceof ZoneOffset) return localSeconds - zone.totalSeconds();
  const rules = zone.rules();
  if (rules.isFixedOffset()) return localSeconds - rules.offset(Instant.EPOCH).totalSeconds();
  // Zone transitions fall on minute boundaries: one resolution per zone and local minute.
  const key = localSeconds - s;
  const cache = offsetCache(zone).local;
  let offset = cache.get(key);
  if (offset === undefined) {
    const zdt = ZonedDateTime.of(LocalDateTime.of(y, mo, d, h, mi, 0), zone);
    offset = localSeconds - s - zdt.toEpochSecond();
    if (cache.size >= OFFSET_CACHE_LIMIT) cache.clear();
    cache.set(key, offset);
  }
  return localSeconds - offset;
}

function resolve(p: Parsed, zone: ZoneId, text: string): DateValue {
  if (p.epochMillis !== undefined) {
    const sec = Math.floor(p.epochMillis / 1000);
    return { epochSecond: sec, nano: Math.round((p.epochMillis - sec * 1000) * 1e6), zone };
  }
  const parsedZone: ZoneId | undefined =
    p.zone ?? (p.offsetSeconds !== undefined ? ZoneOffset.ofTotalSeconds(p.offsetSeconds) : undefined);
  const effective = parsedZone ?? zone;
  if (p.year === undefined && p.weekYear !== undefined) {
    // ISO week rules (weeks start on Monday; week 1 holds January 4th), as Elasticsearch's week-based fields
    const jan4 = utcEpochDay(p.weekYear, 1, 4);
    const jan4Dow = (((jan4 % 7) + 7 + 3) % 7) + 1;
    const epochDay = jan4 - (jan4Dow - 1) + ((p.week ?? 1) - 1) * 7 + ((p.dayOfWeek ?? 1) - 1);
    const civil = civilFromDays(epochDay);
    p.year = civil.y;
    p.month = civil.m;
    p.day = civil.d;
  }
  let year = p.year;
  let month = p.month;
  let day = p.day;
  const hasTime = p.hour !== undefined;
  if (year === undefined) {
    // no year: the current UTC year, other fields from the text (Elasticsearch DateFormat.Java)
    year = new Date().getUTCFullYear();
    month = month ?? 1;
    day = day ?? 1;
  }
  if (p.dayOfYear !== undefined && month === undefined) {
    if (p.dayOfYear > (isLeap(year) ? 366 : 365))
      throw illegalArgument(`Invalid date 'DayOfYear 366' as '${year}' is not a leap year`);
    const dt = new Date(Date.UTC(2000, 0, p.dayOfYear));
    dt.setUTCFullYear(year);
    month = dt.getUTCMonth() + 1;
    day = dt.getUTCDate();
  }
  month = month ?? 1;
  day = day ?? 1;
  if (day > daysIn(year, month)) throw illegalArgument(`Text '${text}' could not be parsed: Invalid date`);
  const h = hasTime ? (p.hour ?? 0) : 0;
  const mi = hasTime ? (p.minute ?? 0) : 0;
  const s = hasTime ? (p.second ?? 0) : 0;
  const epochSecond = localToEpochSecond(year, month, day, h, mi, s, effective);
  return { epochSecond, nano: hasTime ? (p.nano ?? 0) : 0, zone };
}

/** A parser for one entry of `formats`, bound to a zone at parse time. */
export type DateParser = (text: string, zone: ZoneId) => DateValue;

const ISO_RE =
  /^([+-]?\d{4,9})(?:-(\d{2})(?:-(\d{2}))?)?(?:T(\d{2})(?::?(\d{2})(?::?(\d{2})(?:[.,](\d{1,9}))?)?)?)?(Z|[+-]\d{2}(?::?\d{2})?|\[?[A-Za-z][A-Za-z0-9_/+-]*\]?)?$/;

function parseIso(text: string, zone: ZoneId): DateValue {
  const m = ISO_RE.exec(text);
  if (m === null) throw illegalArgument(`failed to parse date field [${text}] with format [iso8601]`);
  const p: Parsed = { year: Number(m[1]) };
  if (m[2] !== undefined) p.month = Number(m[2]);
  if (m[3] !== undefined) p.day = Number(m[3]);
  if (m[4] !== undefined) {
    p.hour = Number(m[4]);
    p.minute = Number(m[5] ?? 0);
    p.second = Number(m[6] ?? 0);
    p.nano = Number((m[7] ?? '').padEnd(9, '0'));
  }
  if (
    (p.month ?? 1) > 12 ||
    (p.month ?? 1) < 1 ||
    (p.day ?? 1) < 1 ||
    (p.hour ?? 0) > 23 ||
    (p.minute ?? 0) > 59 ||
    (p.second ?? 0) > 59
  ) {
    throw illegalArgument(`failed to parse date field [${text}] with format [iso8601]`);
  }
  const z = m[8];
  if (z !== undefined) {
    if (z === 'Z' || /^[+-]/.test(z)) {
      if (!offsetSetter(true)(p, z.length === 3 ? `${z}:00` : z))
        throw illegalArgument(`failed to parse date field [${text}]`);
    } else p.zone = zoneOf(z.replace(/^\[|\]$/g, ''));
  }
  return resolve(p, zone, text);
}

function fromMillis(ms: number, zone: ZoneId): DateValue {
  const sec = Math.floor(ms / 1000);
  return { epochSecond: sec, nano: Math.round(ms - sec * 1000) * 1e6, zone };
}

const NAMED: Record<string, string> = {
  strict_date_optional_time: 'iso',
  date_optional_time: 'iso',
  strict_date_optional_time_nanos: 'iso',
  iso8601: 'iso',
  strict_date_time: 'iso',
  date_time: 'iso',
  strict_date_time_no_millis: 'iso',
  date_time_no_millis: 'iso',
  strict_date: 'yyyy-MM-dd',
  date: 'yyyy-MM-dd',
  basic_date: 'yyyyMMdd',
  strict_date_hour_minute_second: "yyyy-MM-dd'T'HH:mm:ss",
  date_hour_minute_second: "yyyy-MM-dd'T'HH:mm:ss",
  strict_date_hour_minute_second_millis: "yyyy-MM-dd'T'HH:mm:ss.SSS",
  strict_year_month_day: 'yyyy-MM-dd',
  year_month_day: 'yyyy-MM-dd',
  strict_year: 'yyyy',
  year: 'yyyy',
};

/** Compiles one `formats` entry of the date processor. */
export function compileDateFormat(format: string): DateParser {
  switch (format) {
    case 'ISO8601':
      return parseIso;
    case 'UNIX':
      return (text, zone) => {
        const d = parseJavaDouble(text);
        if (d === undefined) throw illegalArgument(`For input string: "${text}"`);
        return fromMillis(Math.trunc(d * 1000), zone);
      };
    case 'UNIX_MS':
      return (text, zone) => {
        const v = parseJavaIntegral(text, true, false);
        if (v === undefined) throw illegalArgument(`For input string: "${text}"`);
        return fromMillis(Number(v), zone);
      };
    case 'TAI64N':
      return (text, zone) => {
        const t = text.startsWith('@') ? text.slice(1) : text;
        const base = parseInt(t.slice(1, 16), 16);
        const rest = parseInt(t.slice(16, 24), 16);
        if (Number.isNaN(base) || Number.isNaN(rest)) throw illegalArgument(`For input string: "${text}"`);
        return fromMillis(base * 1000 - 10000 + Math.floor(rest / 1e6), zone);
      };
    default:
      break;
  }
  const f = format.startsWith('8') ? format.slice(1) : format;
  const parts = f.split('||');
  const parsers = parts.map((part): DateParser => {
    if (part === 'epoch_millis' || part === 'epoch_second') {
      const scale = part === 'epoch_millis' ? 1 : 1000;
      return (text, zone) => {
        if (!/^-?\d+(\.\d+)?$/.test(text))
          throw illegalArgument(`failed to parse date field [${text}] with format [${part}]`);
        return resolve({ epochMillis: Number(text) * scale }, zone, text);
      };
    }
    const named = NAMED[part];
    if (named === 'iso') return parseIso;
    const compiled = compileJavaPattern(named ?? part);
    return (text, zone) => {
      const p = applyPattern(compiled, text);
      if (p === undefined)
        throw illegalArgument(`failed to parse date field [${text}] with format [${part}]`);
      return resolve(p, zone, text);
    };
  });
  if (parsers.length === 1 && parsers[0] !== undefined) return parsers[0];
  return (text, zone) => {
    let last: unknown;
    for (const p of parsers) {
      try {
        return p(text, zone);
      } catch (e) {
        last = e;
      }
    }
    throw last;
  };
}

// ---------------------------------------------------------------------------------------------
// Printing

export type DatePrinter = (v: DateValue) => string;

function pad(n: number, w: number): string {
  const s = String(Math.abs(n)).padStart(w, '0');
  return n < 0 ? `-${s}` : s;
}

function offsetText(total: number, colon: boolean, zText: string | undefined): string {
  if (total === 0 && zText !== undefined) return zText;
  const sign = total < 0 ? '-' : '+';
  const a = Math.abs(total);
  const h = Math.floor(a / 3600);
  const m = Math.floor((a % 3600) / 60);
  return `${sign}${pad(h, 2)}${colon ? ':' : ''}${pad(m, 2)}`;
}

/** Local fields of an instant in a zone. */
function fieldsOf(v: DateValue): {
  y: number;
  mo: number;
  d: number;
  h: number;
  mi: number;
  s: number;
  dow: number;
  offset: number;
} {
  const offset = offsetAt(v.zone, v.epochSecond);
  const local = v.epochSecond + offset;
  const days = Math.floor(local / 86400);
  const secs = local - days * 86400;
  const { y, m, d } = civilFromDays(days);
  return {
    y,
    mo: m,
    d,
    h: Math.floor(secs / 3600),
    mi: Math.floor(secs / 60) % 60,
    s: secs % 60,
    dow: (((days % 7) + 7 + 3) % 7) + 1,
    offset,
  };
}

export function compileDatePrinter(format: string): DatePrinter {
  const f = format.startsWith('8') ? format.slice(1) : format;
  if (f === 'epoch_millis') return (v) => String(v.epochSecond * 1000 + Math.floor(v.nano / 1e6));
  if (f === 'epoch_second') return (v) => String(v.epochSecond);
  const pattern =
    f === 'strict_date_optional_time' || f === 'date_optional_time' || f === 'iso8601'
      ? "yyyy-MM-dd'T'HH:mm:ss.SSSXXX"
      : (NAMED[f] ?? f);
  const parts: ((x: ReturnType<typeof fieldsOf>, v: DateValue) => string)[] = [];
  let i = 0;
  while (i < pattern.length) {
    const c = pattern[i] ?? '';
    if (c === "'") {
      const end = pattern.indexOf("'", i + 1);
      const lit = end === i + 1 ? "'" : pattern.slice(i + 1, end < 0 ? pattern.length : end);
      parts.push(() => lit);
      i = end < 0 ? pattern.length : end + 1;
      continue;
    }
    if (!/[A-Za-z]/.test(c)) {
      parts.push(() => c);
      i += 1;
      continue;
    }
    let n = 1;
    while (pattern[i + n] === c) n += 1;
    i += n;
    const w = n;
    switch (c) {
      case 'y':
      case 'u':
        parts.push((x) => (w === 2 ? pad(x.y % 100, 2) : pad(x.y, w)));
        break;
      case 'M':
        parts.push((x) =>
          w >= 4 ? (MONTHS[x.mo - 1] ?? '') : w === 3 ? (MONTHS[x.mo - 1] ?? '').slice(0, 3) : pad(x.mo, w),
        );
        break;
      case 'd':
        parts.push((x) => pad(x.d, w));
        break;
      case 'H':
        parts.push((x) => pad(x.h, w));
        break;
      case 'h':
        parts.push((x) => pad(x.h % 12 === 0 ? 12 : x.h % 12, w));
        break;
      case 'a':
        parts.push((x) => (x.h < 12 ? 'AM' : 'PM'));
        break;
      case 'm':
        parts.push((x) => pad(x.mi, w));
        break;
      case 's':
        parts.push((x) => pad(x.s, w));
        break;
      case 'S':
        parts.push((_x, v) => pad(v.nano, 9).slice(0, w));
        break;
      case 'E':
        parts.push((x) => (w >= 4 ? (DAYS[x.dow - 1] ?? '') : (DAYS[x.dow - 1] ?? '').slice(0, 3)));
        break;
      case 'X':
        parts.push((x) => offsetText(x.offset, w >= 3, 'Z'));
        break;
      case 'x':
        parts.push((x) => offsetText(x.offset, w >= 3, undefined));
        break;
      case 'Z':
        parts.push((x) =>
          w === 5 ? offsetText(x.offset, true, 'Z') : offsetText(x.offset, false, undefined),
        );
        break;
      case 'V':
        parts.push((_x, v) => v.zone.id());
        break;
      default:
        throw illegalArgument(`Unsupported pattern letter [${c}] in output format [${format}]`);
    }
  }
  return (v) => {
    const x = fieldsOf(v);
    let out = '';
    for (const p of parts) out += p(x, v);
    return out;
  };
}
