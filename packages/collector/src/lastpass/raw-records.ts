/**
 * The JSON text of each record of a `reporting` answer, exactly as LastPass sent it: the collector
 * ships that text as the document's `message` (contracts §3: inputs agree on the parsed JSON, not the
 * text), instead of serializing every parsed record again. The texts are slices of the answer.
 *
 * This is a structural scan, not a parser: `JSON.parse` has already accepted the whole answer, so the
 * scan only has to find where the members of the top-level `data` object start and end. It answers
 * `undefined` — and the caller serializes the parsed records instead — whenever the answer is not in
 * the plain shape it can vouch for: a `data` that is not an object, a key written with an escape, a
 * record repeating a key (at any depth), or member keys that are not exactly `keys` in that order
 * (duplicate keys, integer-like keys that JavaScript orders first, keys the parse saw differently).
 */

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const COMMA = 0x2c;
const COLON = 0x3a;

function isSpace(c: number): boolean {
  return c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;
}

class Scanner {
  at = 0;
  /** Keys of the objects being checked, innermost last, as pairs of text offsets (`checkedValue`). */
  private readonly keys: number[] = [];
  constructor(readonly text: string) {}

  space(): number {
    let c = this.text.charCodeAt(this.at);
    while (isSpace(c)) c = this.text.charCodeAt(++this.at);
    return c;
  }

  /** At an opening quote: moves past the closing one; returns where the closing quote is. */
  skipString(): number {
    let end = this.text.indexOf('"', this.at + 1);
    for (;;) {
      if (end < 0) throw new SyntaxError('unterminated string');
      let slashes = 0;
      while (this.text.charCodeAt(end - 1 - slashes) === BACKSLASH) slashes++;
      if (slashes % 2 === 0) break;
      end = this.text.indexOf('"', end + 1);
    }
    this.at = end + 1;
    return end;
  }

  /** Moves past one value (of any kind); returns where it ended. */
  value(): number {
    const c = this.space();
    if (c === QUOTE) {
      this.skipString();
      return this.at;
    }
    if (c === OPEN_BRACE || c === OPEN_BRACKET) {
      let depth = 0;
      for (;;) {
        const d = this.text.charCodeAt(this.at);
        if (Number.isNaN(d)) throw new SyntaxError('unterminated value');
        if (d === QUOTE) {
          this.skipString();
          continue;
        }
        this.at++;
        if (d === OPEN_BRACE || d === OPEN_BRACKET) depth++;
        else if (d === CLOSE_BRACE || d === CLOSE_BRACKET) {
          depth--;
          if (depth === 0) return this.at;
        }
      }
    }
    // a number, true, false or null: up to the next delimiter
    for (;;) {
      const d = this.text.charCodeAt(this.at);
      if (Number.isNaN(d) || d === COMMA || d === CLOSE_BRACE || d === CLOSE_BRACKET || isSpace(d))
        return this.at;
      this.at++;
    }
  }

  /**
   * Moves past one value like `value()`; `false` when an object in it repeats a key or writes one with
   * an escape (JavaScript keeps the last of repeated keys, Elasticsearch refuses them; an escaped key
   * could hide a name such as `password` from text matching).
   */
  checkedValue(): boolean {
    const c = this.space();
    if (c === OPEN_BRACKET) {
      this.at++;
      if (this.space() === CLOSE_BRACKET) {
        this.at++;
        return true;
      }
      let clean = true;
      for (;;) {
        if (!this.checkedValue()) clean = false;
        const d = this.space();
        this.at++;
        if (d === CLOSE_BRACKET) return clean;
        if (d !== COMMA) throw new SyntaxError('expected , or ]');
      }
    }
    if (c !== OPEN_BRACE) {
      this.value();
      return true;
    }
    this.at++;
    if (this.space() === CLOSE_BRACE) {
      this.at++;
      return true;
    }
    // this object's keys sit on top of one shared stack, as [start, end) spans of the text (no allocation)
    const first = this.keys.length;
    let clean = true;
    for (;;) {
      if (this.space() !== QUOTE) throw new SyntaxError('expected a key');
      const start = this.at + 1;
      const end = this.skipString();
      if (this.hasEscape(start, end)) clean = false;
      for (let i = first; i < this.keys.length && clean; i += 2)
        if (this.sameText(this.keys[i] ?? 0, this.keys[i + 1] ?? 0, start, end)) clean = false;
      this.keys.push(start, end);
      this.expect(COLON);
      if (!this.checkedValue()) clean = false;
      const d = this.space();
      this.at++;
      if (d === CLOSE_BRACE) {
        this.keys.length = first;
        return clean;
      }
      if (d !== COMMA) throw new SyntaxError('expected , or }');
    }
  }

  /** Are the texts at [a, aEnd) and [b, bEnd) the same? */
  sameText(a: number, aEnd: number, b: number, bEnd: number): boolean {
    if (aEnd - a !== bEnd - b) return false;
    for (let i = 0; i < aEnd - a; i++)
      if (this.text.charCodeAt(a + i) !== this.text.charCodeAt(b + i)) return false;
    return true;
  }

  /** Does the text at [start, end) (a key: a few characters) hold a backslash? */
  hasEscape(start: number, end: number): boolean {
    for (let i = start; i < end; i++) if (this.text.charCodeAt(i) === BACKSLASH) return true;
    return false;
  }

  /** Is the text at [start, end) exactly `word`? */
  isText(start: number, end: number, word: string): boolean {
    return end - start === word.length && this.text.startsWith(word, start);
  }

  expect(code: number): void {
    if (this.space() !== code) throw new SyntaxError(`expected ${String.fromCharCode(code)}`);
    this.at++;
  }

  /**
   * At `{`: calls `member(keyStart, keyEnd)` (the key's raw text span) with the scanner at each member's
   * value (which it must pass over); keys written with an escape end the scan (`false`).
   */
  object(member: (keyStart: number, keyEnd: number) => void): boolean {
    this.expect(OPEN_BRACE);
    if (this.space() === CLOSE_BRACE) {
      this.at++;
      return true;
    }
    for (;;) {
      if (this.space() !== QUOTE) throw new SyntaxError('expected a key');
      const start = this.at + 1;
      const end = this.skipString();
      if (this.hasEscape(start, end)) return false;
      this.expect(COLON);
      member(start, end);
      const c = this.space();
      this.at++;
      if (c === CLOSE_BRACE) return true;
      if (c !== COMMA) throw new SyntaxError('expected , or }');
    }
  }
}

/**
 * The text of `data`'s member values, in the answer's order, when their keys are exactly `keys`
 * (the parsed object's own keys in enumeration order); `undefined` otherwise.
 */
export function dataMemberTexts(text: string, keys: readonly string[]): string[] | undefined {
  const scan = new Scanner(text);
  const texts: string[] = [];
  let seenData = false;
  let plain = true;
  try {
    const complete = scan.object((keyStart, keyEnd) => {
      if (!scan.isText(keyStart, keyEnd, 'data')) {
        scan.value();
        return;
      }
      if (seenData || scan.space() !== OPEN_BRACE) {
        plain = false;
        scan.value();
        return;
      }
      seenData = true;
      const members = scan.object((memberStart, memberEnd) => {
        const expected = keys[texts.length];
        if (expected === undefined || !scan.isText(memberStart, memberEnd, expected)) plain = false;
        scan.space();
        const from = scan.at;
        if (!scan.checkedValue()) plain = false;
        texts.push(text.slice(from, scan.at));
      });
      if (!members) plain = false;
    });
    if (!complete || !plain || !seenData || texts.length !== keys.length) return undefined;
    return texts;
  } catch {
    return undefined;
  }
}
