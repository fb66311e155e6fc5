/**
 * Typed value model: JSON values as Elasticsearch sees them (Jackson + Java types).
 * Plain JS numbers are typed by value: an int32 integer is an Integer, another integer a Long, any
 * other number a Double. `JavaNumber` carries the types a plain number cannot express
 * (a Double `1.0`, a Long `5`, a Float, a Long beyond 2^53 as bigint).
 */
export type JavaNumberType = 'Integer' | 'Long' | 'Float' | 'Double' | 'BigInteger';

export class JavaNumber {
  constructor(
    readonly type: JavaNumberType,
    readonly value: number | bigint,
  ) {}
  toJSON(): number {
    return plainNumber(this);
  }
}

/** A `java.time.ZonedDateTime` (e.g. `_ingest.timestamp`), kept as its ISO text. */
export class JavaDateTime {
  private isoText: string | undefined;
  private jsonText: string | undefined;
  /**
   * A UTC instant (`Date`, formatted on first use) or fixed texts. `iso`: `ZonedDateTime.toString()`
   * (seconds omitted when zero); `json`: how XContent writes it (always with milliseconds).
   */
  constructor(
    private readonly value: Date | string,
    json?: string,
  ) {
    if (typeof value === 'string') {
      this.isoText = value;
      this.jsonText = json ?? value;
    }
  }
  get iso(): string {
    if (this.isoText === undefined) this.isoText = zonedDateTimeToString(this.value as Date);
    return this.isoText;
  }
  get json(): string {
    if (this.jsonText === undefined) this.jsonText = (this.value as Date).toISOString();
    return this.jsonText;
  }
  toJSON(): string {
    return this.json;
  }
  toString(): string {
    return this.iso;
  }
}

export type JsonMap = Record<string, unknown>;

/** `ZonedDateTime.toString()` of a UTC instant with millisecond precision. */
export function zonedDateTimeToString(date: Date): string {
  const iso = date.toISOString();
  if (date.getUTCMilliseconds() !== 0) return iso;
  if (date.getUTCSeconds() !== 0) return `${iso.slice(0, 19)}Z`;
  return `${iso.slice(0, 16)}Z`;
}

export function isMap(v: unknown): v is JsonMap {
  return (
    typeof v === 'object' &&
    v !== null &&
    !Array.isArray(v) &&
    !(v instanceof JavaNumber) &&
    !(v instanceof JavaDateTime)
  );
}

export function isNumber(v: unknown): v is number | bigint | JavaNumber {
  return typeof v === 'number' || typeof v === 'bigint' || v instanceof JavaNumber;
}

export function numberType(v: number | bigint | JavaNumber): JavaNumberType {
  if (v instanceof JavaNumber) return v.type;
  if (typeof v === 'bigint') return v >= -(2n ** 63n) && v < 2n ** 63n ? 'Long' : 'BigInteger';
  if (Number.isInteger(v)) return v >= -2147483648 && v <= 2147483647 ? 'Integer' : 'Long';
  return 'Double';
}

export function numericValue(v: number | bigint | JavaNumber): number {
  return Number(v instanceof JavaNumber ? v.value : v);
}

const CLASS_NAMES: Record<string, string> = {
  String: 'java.lang.String',
  Boolean: 'java.lang.Boolean',
  Integer: 'java.lang.Integer',
  Long: 'java.lang.Long',
  Float: 'java.lang.Float',
  Double: 'java.lang.Double',
  BigInteger: 'java.math.BigInteger',
  List: 'java.util.ArrayList',
  Map: 'java.util.HashMap',
  ZonedDateTime: 'java.time.ZonedDateTime',
};

/** Simple Java type name of a value (`String`, `Integer`, `List`, `Map`, ...); `null` for null. */
export function javaType(v: unknown): string {
  if (v === null || v === undefined) return 'null';
  if (typeof v === 'string') return 'String';
  if (typeof v === 'boolean') return 'Boolean';
  if (isNumber(v)) return numberType(v);
  if (Array.isArray(v)) return 'List';
  if (v instanceof JavaDateTime) return 'ZonedDateTime';
  return 'Map';
}

/** Fully qualified Java class name used in Elasticsearch's error texts. */
export function javaClassName(v: unknown): string {
  return CLASS_NAMES[javaType(v)] ?? 'java.lang.Object';
}

/** Java `Double.toString` (shortest round-trip digits; scientific below 1e-3 and from 1e7). */
export function javaDoubleToString(d: number): string {
  if (Number.isNaN(d)) return 'NaN';
  if (d === Infinity) return 'Infinity';
  if (d === -Infinity) return '-Infinity';
  if (d === 0) return Object.is(d, -0) ? '-0.0' : '0.0';
  const abs = Math.abs(d);
  if (abs >= 1e-3 && abs < 1e7) {
    const s = String(d);
    return s.includes('.') ? s : `${s}.0`;
  }
  return scientific(d.toExponential());
}

function scientific(exp: string): string {
  const [mantissa = '', exponent = '0'] = exp.split('e');
  const m = mantissa.includes('.') ? mantissa : `${mantissa}.0`;
  return `${m}E${exponent.replace('+', '')}`;
}

/** Java `Float.toString`: the shortest decimal that reads back as the same float. */
export function javaFloatToString(f: number): string {
  if (!Number.isFinite(f) || f === 0) return javaDoubleToString(f);
  let digits = '';
  for (let p = 1; p <= 9; p += 1) {
    digits = f.toPrecision(p);
    if (Math.fround(Number(digits)) === f) break;
  }
  const value = Number(digits);
  const abs = Math.abs(value);
  if (abs >= 1e-3 && abs < 1e7) {
    const s = String(value);
    return s.includes('.') ? s : `${s}.0`;
  }
  return scientific(value.toExponential());
}

/** Java `toString` of a value: numbers as Java prints them, maps `{k=v}`, lists `[a, b]`. */
export function javaToString(v: unknown): string {
  if (v === null || v === undefined) return 'null';
  if (typeof v === 'string') return v;
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (typeof v === 'bigint') return v.toString();
  if (typeof v === 'number')
    return Number.isInteger(v) && Math.abs(v) < 2 ** 63 ? v.toFixed(0) : javaDoubleToString(v);
  if (v instanceof JavaNumber) {
    if (v.type === 'Double') return javaDoubleToString(Number(v.value));
    if (v.type === 'Float') return javaFloatToString(Number(v.value));
    return typeof v.value === 'bigint' ? v.value.toString() : v.value.toFixed(0);
  }
  if (v instanceof JavaDateTime) return v.iso;
  if (Array.isArray(v)) return `[${v.map(javaToString).join(', ')}]`;
  return `{${Object.entries(v as JsonMap)
    .map(([k, x]) => `${k}=${javaToString(x)}`)
    .join(', ')}}`;
}

/** Java `equals`: types must match (Integer 1 != Long 1, "1" != 1); lists and maps deeply. */
export function javaEquals(a: unknown, b: unknown): boolean {
  if (a === b) return a !== undefined || b !== undefined;
  if (a === null || b === null || a === undefined || b === undefined) return false;
  if (isNumber(a) || isNumber(b)) {
    if (!isNumber(a) || !isNumber(b)) return false;
    if (numberType(a) !== numberType(b)) return false;
    const x = a instanceof JavaNumber ? a.value : a;
    const y = b instanceof JavaNumber ? b.value : b;
    return x == y || (Number.isNaN(x) && Number.isNaN(y));
  }
  if (a instanceof JavaDateTime || b instanceof JavaDateTime) {
    return a instanceof JavaDateTime && b instanceof JavaDateTime && a.iso === b.iso;
  }
  if (Array.isArray(a)) {
    return Array.isArray(b) && a.length === b.length && a.every((x, i) => javaEquals(x, b[i]));
  }
  if (typeof a === 'object' && typeof b === 'object' && !Array.isArray(b)) {
    const ka = Object.keys(a);
    const mb = b as JsonMap;
    return (
      ka.length === Object.keys(mb).length && ka.every((k) => k in mb && javaEquals((a as JsonMap)[k], mb[k]))
    );
  }
  return false;
}

/** Deep copy of maps and lists (numbers and date-times are immutable and shared). */
export function deepCopy<T>(v: T): T {
  if (v === null || typeof v !== 'object') return v;
  if (Array.isArray(v)) {
    const list: unknown[] = [];
    for (const x of v as unknown[]) list.push(x === null || typeof x !== 'object' ? x : deepCopy(x));
    return list as T;
  }
  if (v instanceof JavaNumber || v instanceof JavaDateTime) return v;
  const out: JsonMap = {};
  for (const k of Object.keys(v)) {
    const x = (v as JsonMap)[k];
    out[k] = x === null || typeof x !== 'object' ? x : deepCopy(x);
  }
  return out as T;
}

/** Converts typed values back to plain JSON values (JavaNumber → number, date-time → ISO text). */
export function toPlain(v: unknown): unknown {
  if (v === null || typeof v !== 'object') return typeof v === 'bigint' ? Number(v) : v;
  if (v instanceof JavaNumber) return plainNumber(v);
  if (v instanceof JavaDateTime) return v.json;
  if (Array.isArray(v)) return v.map(toPlain);
  const out: JsonMap = {};
  for (const k of Object.keys(v)) out[k] = toPlain((v as JsonMap)[k]);
  return out;
}

/** Like toPlain, but rewrites maps and lists in place (for documents the executor owns). */
export function toPlainInPlace(v: unknown): unknown {
  if (v === null || typeof v !== 'object') return typeof v === 'bigint' ? Number(v) : v;
  if (v instanceof JavaNumber) return plainNumber(v);
  if (v instanceof JavaDateTime) return v.json;
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i += 1) {
      const x: unknown = v[i];
      if (x !== null && typeof x === 'object') v[i] = toPlainInPlace(x);
      else if (typeof x === 'bigint') v[i] = Number(x);
    }
    return v;
  }
  const m = v as JsonMap;
  for (const k in m) {
    const x = m[k];
    if (x !== null && typeof x === 'object') m[k] = toPlainInPlace(x);
    else if (typeof x === 'bigint') m[k] = Number(x);
  }
  return m;
}

/**
 * Serialises typed values as JSON text with Java's number text (`1.0` for a Double), so diffs with
 * real Elasticsearch output stay readable. `indent` as in JSON.stringify.
 */
export function toJsonText(v: unknown, indent = 0, sortKeys = false): string {
  const pad = (level: number): string => (indent > 0 ? `\n${' '.repeat(indent * level)}` : '');
  const write = (x: unknown, level: number): string => {
    if (x === null || x === undefined) return 'null';
    if (typeof x === 'string') return JSON.stringify(x);
    if (typeof x === 'boolean') return x ? 'true' : 'false';
    if (isNumber(x)) {
      const type = numberType(x);
      const n = numericValue(x);
      if (!Number.isFinite(n)) return 'null';
      if (type === 'Double' || type === 'Float') {
        const s = type === 'Float' ? javaFloatToString(n) : javaDoubleToString(n);
        return s.replace(/E(-?)/, 'E$1');
      }
      return javaToString(x);
    }
    if (x instanceof JavaDateTime) return JSON.stringify(x.json);
    if (Array.isArray(x)) {
      if (x.length === 0) return '[]';
      return `[${x.map((e) => pad(level + 1) + write(e, level + 1)).join(',')}${pad(level)}]`;
    }
    const keys = Object.keys(x);
    if (sortKeys) keys.sort();
    const entries = keys.filter((k) => (x as JsonMap)[k] !== undefined);
    if (entries.length === 0) return '{}';
    const sep = indent > 0 ? ': ' : ':';
    return `{${entries.map((k) => `${pad(level + 1)}${JSON.stringify(k)}${sep}${write((x as JsonMap)[k], level + 1)}`).join(',')}${pad(level)}}`;
  };
  return write(v, 0);
}

/** The JS number a JSON writer should print for a typed number (a Float prints its short form). */
export function plainNumber(v: JavaNumber): number {
  return v.type === 'Float' ? Number(javaFloatToString(Number(v.value))) : Number(v.value);
}
