import { ProcessingError } from './errors';
import { JavaNumber, type JsonMap } from './values';

export interface ParseJsonOptions {
  /** Reject a repeated key in an object (Jackson's STRICT_DUPLICATE_DETECTION). Default false: last wins. */
  readonly rejectDuplicateKeys?: boolean;
  /** Reject content after the first value. Default true. */
  readonly strict?: boolean;
}

/** A run of string characters that need no attention (no quote, backslash or control character). */
// eslint-disable-next-line no-control-regex -- raw control characters end the run (JSON forbids them in strings)
const PLAIN_RUN = /[^"\\\u0000-\u001f]*/y;

/**
 * JSON parser typing numbers as Jackson does: an integer fitting 32 bits is an Integer, else a Long,
 * else a BigInteger; a number with a fraction or exponent is a Double (kept as `JavaNumber` when its
 * value is integral so that `1.0` stays a Double).
 */
export function parseJson(text: string, options: ParseJsonOptions = {}): unknown {
  let i = 0;
  const n = text.length;
  const fail = (what: string): never => {
    throw new ProcessingError('json_parse_exception', `${what} at position ${i}`);
  };
  const ws = (): void => {
    while (i < n) {
      const c = text.charCodeAt(i);
      if (c === 32 || c === 10 || c === 13 || c === 9) i += 1;
      else break;
    }
  };
  const str = (): string => {
    i += 1;
    PLAIN_RUN.lastIndex = i;
    PLAIN_RUN.test(text);
    if (text.charCodeAt(PLAIN_RUN.lastIndex) === 34) {
      // no escape and no control character: the common case, one slice
      const out = text.slice(i, PLAIN_RUN.lastIndex);
      i = PLAIN_RUN.lastIndex + 1;
      return out;
    }
    let out = '';
    let start = i;
    for (;;) {
      if (i >= n) fail('Unexpected end-of-input in a string');
      const c = text.charCodeAt(i);
      if (c === 34) {
        out += text.slice(start, i);
        i += 1;
        return out;
      }
      if (c === 92) {
        out += text.slice(start, i);
        const e = text[i + 1];
        i += 2;
        switch (e) {
          case '"':
            out += '"';
            break;
          case '\\':
            out += '\\';
            break;
          case '/':
            out += '/';
            break;
          case 'b':
            out += '\b';
            break;
          case 'f':
            out += '\f';
            break;
          case 'n':
            out += '\n';
            break;
          case 'r':
            out += '\r';
            break;
          case 't':
            out += '\t';
            break;
          case 'u': {
            const hex = text.slice(i, i + 4);
            if (!/^[0-9a-fA-F]{4}$/.test(hex)) fail('Invalid unicode escape');
            out += String.fromCharCode(parseInt(hex, 16));
            i += 4;
            break;
          }
          default:
            fail(`Unrecognized character escape '${e ?? ''}'`);
        }
        start = i;
      } else if (c < 32) {
        fail('Illegal unquoted character in a string');
      } else i += 1;
    }
  };
  const num = (): unknown => {
    const start = i;
    if (text[i] === '-') i += 1;
    const intStart = i;
    while (i < n && text.charCodeAt(i) >= 48 && text.charCodeAt(i) <= 57) i += 1;
    if (i === intStart) fail('Unexpected character');
    if (text[intStart] === '0' && i - intStart > 1) fail('Leading zeroes not allowed');
    let isDouble = false;
    if (text[i] === '.') {
      isDouble = true;
      i += 1;
      const f = i;
      while (i < n && text.charCodeAt(i) >= 48 && text.charCodeAt(i) <= 57) i += 1;
      if (i === f) fail('Decimal point not followed by a digit');
    }
    if (text[i] === 'e' || text[i] === 'E') {
      isDouble = true;
      i += 1;
      if (text[i] === '+' || text[i] === '-') i += 1;
      const f = i;
      while (i < n && text.charCodeAt(i) >= 48 && text.charCodeAt(i) <= 57) i += 1;
      if (i === f) fail('Exponent not followed by a digit');
    }
    const raw = text.slice(start, i);
    if (isDouble) {
      const d = Number(raw);
      return Number.isInteger(d) ? new JavaNumber('Double', d) : d;
    }
    const v = Number(raw);
    if (Number.isSafeInteger(v)) {
      return v >= -2147483648 && v <= 2147483647 ? v : new JavaNumber('Long', v);
    }
    const big = BigInt(raw);
    return big >= -(2n ** 63n) && big < 2n ** 63n
      ? new JavaNumber('Long', big)
      : new JavaNumber('BigInteger', big);
  };
  const lit = (word: string, value: unknown): unknown => {
    if (text.startsWith(word, i)) {
      i += word.length;
      return value;
    }
    return fail('Unrecognized token');
  };
  const value = (): unknown => {
    ws();
    const c = text[i];
    if (c === '{') {
      i += 1;
      const obj: JsonMap = {};
      ws();
      if (text[i] === '}') {
        i += 1;
        return obj;
      }
      for (;;) {
        ws();
        if (text[i] !== '"') fail('Unexpected character, expected a field name');
        const key = str();
        ws();
        if (text[i] !== ':') fail("Unexpected character, expected ':'");
        i += 1;
        const v = value();
        if (options.rejectDuplicateKeys === true && Object.hasOwn(obj, key)) {
          fail(`Duplicate field '${key}'`);
        }
        obj[key] = v;
        ws();
        if (text[i] === ',') {
          i += 1;
          continue;
        }
        if (text[i] === '}') {
          i += 1;
          return obj;
        }
        fail("Unexpected character, expected ',' or '}'");
      }
    }
    if (c === '[') {
      i += 1;
      const arr: unknown[] = [];
      ws();
      if (text[i] === ']') {
        i += 1;
        return arr;
      }
      for (;;) {
        arr.push(value());
        ws();
        if (text[i] === ',') {
          i += 1;
          continue;
        }
        if (text[i] === ']') {
          i += 1;
          return arr;
        }
        fail("Unexpected character, expected ',' or ']'");
      }
    }
    if (c === '"') return str();
    if (c === 't') return lit('true', true);
    if (c === 'f') return lit('false', false);
    if (c === 'n') return lit('null', null);
    if (c === undefined) return fail('Unexpected end-of-input');
    return num();
  };
  const result = value();
  ws();
  if (i < n && options.strict !== false) fail('Unexpected trailing content');
  return result;
}
