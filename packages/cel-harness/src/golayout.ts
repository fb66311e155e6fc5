import { CelHarnessError } from './errors';

/**
 * Go time layouts (the reference time `Mon Jan 2 15:04:05 MST 2006`) for mito's `format` and
 * `parse_time`. Only the tokens below are emulated; a layout holding any other digit-bearing token
 * (`1`, `2`, `3`, `_2`, `06`, `January`, `Monday`, ...) fails with CEL_UNSUPPORTED instead of
 * producing a guess. Timestamps are always formatted in UTC: a CEL timestamp here carries no zone
 * (Go keeps the zone of a parsed offset; see the README's fidelity gaps).
 */
const TOKENS = [
  'Z07:00',
  '-07:00',
  'Z0700',
  '-0700',
  '.000000000',
  '.999999999',
  '.000000',
  '.999999',
  '.000',
  '.999',
  '2006',
  'Jan',
  'Mon',
  'MST',
  '01',
  '02',
  '15',
  '04',
  '05',
  'PM',
] as const;
type Token = (typeof TOKENS)[number];
type Piece = { token: Token } | { literal: string };

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const cache = new Map<string, Piece[]>();

function tokenize(layout: string): Piece[] {
  const hit = cache.get(layout);
  if (hit !== undefined) return hit;
  const pieces: Piece[] = [];
  let i = 0;
  while (i < layout.length) {
    const token = TOKENS.find((t) => layout.startsWith(t, i));
    if (token !== undefined) {
      pieces.push({ token });
      i += token.length;
      continue;
    }
    const ch = layout.charAt(i);
    if (/[0-9]/.test(ch) || layout.startsWith('January', i) || layout.startsWith('Monday', i))
      throw new CelHarnessError(
        'CEL_UNSUPPORTED',
        `Go time layout ${JSON.stringify(layout)}: the element at offset ${i} is not emulated by this harness`,
      );
    pieces.push({ literal: ch });
    i += 1;
  }
  cache.set(layout, pieces);
  return pieces;
}

const pad = (n: number, width: number): string => String(n).padStart(width, '0');

export function formatGoTime(date: Date, layout: string): string {
  let out = '';
  for (const piece of tokenize(layout)) {
    if ('literal' in piece) {
      out += piece.literal;
      continue;
    }
    const ms = date.getUTCMilliseconds();
    switch (piece.token) {
      case '2006':
        out += pad(date.getUTCFullYear(), 4);
        break;
      case '01':
        out += pad(date.getUTCMonth() + 1, 2);
        break;
      case '02':
        out += pad(date.getUTCDate(), 2);
        break;
      case '15':
        out += pad(date.getUTCHours(), 2);
        break;
      case '04':
        out += pad(date.getUTCMinutes(), 2);
        break;
      case '05':
        out += pad(date.getUTCSeconds(), 2);
        break;
      case 'Jan':
        out += MONTHS[date.getUTCMonth()] ?? '';
        break;
      case 'Mon':
        out += DAYS[date.getUTCDay()] ?? '';
        break;
      case 'MST':
        out += 'UTC';
        break;
      case 'PM':
        out += date.getUTCHours() < 12 ? 'AM' : 'PM';
        break;
      case 'Z07:00':
      case 'Z0700':
        out += 'Z';
        break;
      case '-07:00':
        out += '+00:00';
        break;
      case '-0700':
        out += '+0000';
        break;
      case '.000':
        out += '.' + pad(ms, 3);
        break;
      case '.000000':
        out += '.' + pad(ms, 3) + '000';
        break;
      case '.000000000':
        out += '.' + pad(ms, 3) + '000000';
        break;
      case '.999':
      case '.999999':
      case '.999999999': {
        const frac = pad(ms, 3).replace(/0+$/, '');
        out += frac === '' ? '' : '.' + frac;
        break;
      }
    }
  }
  return out;
}

/** Go's `time.Parse(layout, value)` for the emulated tokens; throws a plain Error on mismatch. */
export function parseGoTime(value: string, layout: string): Date {
  let pos = 0;
  const f = { year: 1, month: 1, day: 1, hour: 0, minute: 0, second: 0, ms: 0, offsetMin: 0, pm: -1 };
  const fail = (): never => {
    throw new Error(`parsing time ${JSON.stringify(value)} as ${JSON.stringify(layout)}: cannot parse`);
  };
  const digits = (n: number): number => {
    const s = value.slice(pos, pos + n);
    if (!new RegExp(`^[0-9]{${n}}$`).test(s)) fail();
    pos += n;
    return Number(s);
  };
  const offset = (colon: boolean, zAllowed: boolean): void => {
    if (zAllowed && value.charAt(pos) === 'Z') {
      pos += 1;
      return;
    }
    const sign = value.charAt(pos);
    if (sign !== '+' && sign !== '-') fail();
    pos += 1;
    const h = digits(2);
    if (colon) {
      if (value.charAt(pos) !== ':') fail();
      pos += 1;
    }
    const m = digits(2);
    f.offsetMin = (sign === '-' ? -1 : 1) * (h * 60 + m);
  };
  for (const piece of tokenize(layout)) {
    if ('literal' in piece) {
      if (value.charAt(pos) !== piece.literal) fail();
      pos += 1;
      continue;
    }
    switch (piece.token) {
      case '2006':
        f.year = digits(4);
        break;
      case '01':
        f.month = digits(2);
        break;
      case '02':
        f.day = digits(2);
        break;
      case '15':
        f.hour = digits(2);
        break;
      case '04':
        f.minute = digits(2);
        break;
      case '05':
        f.second = digits(2);
        // Go accepts a fractional second after `05` even when the layout has none.
        if (value.charAt(pos) === '.' && !layout.includes('.')) {
          const m = /^\.([0-9]+)/.exec(value.slice(pos));
          if (m?.[1] !== undefined) {
            f.ms = Math.floor(Number(`0.${m[1]}`) * 1000);
            pos += m[0].length;
          }
        }
        break;
      case 'Jan': {
        const i = MONTHS.indexOf(value.slice(pos, pos + 3));
        if (i < 0) fail();
        f.month = i + 1;
        pos += 3;
        break;
      }
      case 'Mon':
        if (!DAYS.includes(value.slice(pos, pos + 3))) fail();
        pos += 3;
        break;
      case 'MST': {
        const m = /^[A-Z]{3,5}/.exec(value.slice(pos));
        if (m === null || m[0] !== 'UTC') fail(); // Go: other abbreviations are fabricated zones; not emulated
        pos += 3;
        break;
      }
      case 'PM': {
        const s = value.slice(pos, pos + 2);
        if (s !== 'AM' && s !== 'PM') fail();
        f.pm = s === 'PM' ? 1 : 0;
        pos += 2;
        break;
      }
      case 'Z07:00':
        offset(true, true);
        break;
      case 'Z0700':
        offset(false, true);
        break;
      case '-07:00':
        offset(true, false);
        break;
      case '-0700':
        offset(false, false);
        break;
      case '.000':
      case '.000000':
      case '.000000000':
      case '.999':
      case '.999999':
      case '.999999999': {
        const m = /^\.([0-9]+)/.exec(value.slice(pos));
        if (m?.[1] === undefined) {
          if (piece.token.startsWith('.9')) break;
          fail();
        } else {
          f.ms = Math.floor(Number(`0.${m[1]}`) * 1000);
          pos += m[0].length;
        }
        break;
      }
    }
  }
  if (pos !== value.length) fail();
  if (f.pm === 1 && f.hour < 12) f.hour += 12;
  if (f.pm === 0 && f.hour === 12) f.hour = 0;
  const t = Date.UTC(f.year, f.month - 1, f.day, f.hour, f.minute, f.second, f.ms) - f.offsetMin * 60_000;
  const check = new Date(t + f.offsetMin * 60_000);
  if (check.getUTCDate() !== f.day || check.getUTCMonth() !== f.month - 1) fail(); // day out of range
  const d = new Date(t);
  if (f.year < 100) d.setUTCFullYear(f.year);
  return d;
}
