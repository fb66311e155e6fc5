import { illegalArgument } from './errors';
import { javaTrim } from './text';
import { JavaNumber } from './values';

const INT_RE = /^[+-]?\d+$/;
/** Decimal integers short enough to be exact as JS numbers and within Long range. */
const SHORT_DECIMAL = /^[+-]?\d{1,15}$/;

function parseIntegral(s: string, radix: number, min: bigint, max: bigint): bigint | undefined {
  if (radix === 10 && !INT_RE.test(s)) return undefined;
  if (radix === 16 && !/^[+-]?[0-9a-fA-F]+$/.test(s)) return undefined;
  const neg = s.startsWith('-');
  const digits = s.replace(/^[+-]/, '');
  const v = BigInt(radix === 16 ? `0x${digits}` : digits) * (neg ? -1n : 1n);
  return v < min || v > max ? undefined : v;
}

/** Java Integer.parseInt / Long.parseLong (or decode for `0x`); undefined when not parseable. */
export function parseJavaIntegral(s: string, long: boolean, allowHex: boolean): number | bigint | undefined {
  if (SHORT_DECIMAL.test(s)) {
    const n = Number(s);
    return long || (n >= -2147483648 && n <= 2147483647) ? n : undefined;
  }
  const min = long ? -(2n ** 63n) : -(2n ** 31n);
  const max = long ? 2n ** 63n - 1n : 2n ** 31n - 1n;
  let v: bigint | undefined;
  if (allowHex && /^[+-]?0[xX]/.test(s)) {
    const neg = s.startsWith('-');
    const body = s.replace(/^[+-]?0[xX]/, '');
    v = parseIntegral(body, 16, min, max * 2n + 1n);
    if (v !== undefined) v = neg ? -v : v;
    if (v !== undefined && (v < min || v > max)) v = undefined;
  } else v = parseIntegral(s, 10, min, max);
  if (v === undefined) return undefined;
  return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v;
}

const DOUBLE_RE = /^[+-]?(NaN|Infinity|(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?[fFdD]?)$/;

/** Java Double.parseDouble: trims chars ≤ U+0020, accepts `1e3`, `1d`, `NaN`, `Infinity`. */
export function parseJavaDouble(s: string): number | undefined {
  const t = javaTrim(s);
  if (!DOUBLE_RE.test(t)) return undefined;
  return Number(t.replace(/[fFdD]$/, ''));
}

export function toLong(v: number | bigint): JavaNumber {
  return new JavaNumber('Long', v);
}

export function toDouble(v: number): number | JavaNumber {
  return Number.isInteger(v) || !Number.isFinite(v) ? new JavaNumber('Double', v) : v;
}

export function toFloat(v: number): JavaNumber {
  return new JavaNumber('Float', Math.fround(v));
}

export function parseOrThrow<T>(v: T | undefined, message: string): T {
  if (v === undefined) throw illegalArgument(message);
  return v;
}
