import { dataMemberTexts } from '../../src/lastpass/raw-records';

const keysOf = (text: string): string[] => {
  const data = (JSON.parse(text) as { data?: unknown }).data;
  const keys: string[] = [];
  if (typeof data === 'object' && data !== null) for (const key in data) keys.push(key);
  return keys;
};
const texts = (text: string): string[] | undefined => dataMemberTexts(text, keysOf(text));

describe('dataMemberTexts: each record of a reporting answer, as sent', () => {
  it('slices every member value of data, in order, whatever the whitespace and escapes inside', () => {
    const e1 =
      '{"Time":"2024-03-01 00:00:01","Username":"a@x","IP_Address":"1.2.3.4","Action":"Log in","Data":""}';
    const e2 =
      '{ "Time" : "2024-03-01 00:00:02", "Data" : "quote \\" slash \\/ \\\\ brace } [ \\u00e9 é 😀" ,"n":[1,{"x":null}] }';
    const body = `  {"status":"OK","next":"12","other":{"data":{"Event9":1}},"data":{"Event1":${e1},\n "Event2" :  ${e2}  }}\n`;
    const got = texts(body);
    expect(got).toEqual([e1, e2.trimEnd()]);
    for (const [i, t] of (got ?? []).entries())
      expect(JSON.parse(t)).toEqual(Object.values((JSON.parse(body) as { data: object }).data)[i]);
  });

  it('handles empty data, [] data and scalar members', () => {
    expect(texts('{"status":"OK","data":{}}')).toEqual([]);
    expect(texts('{"status":"OK","next":null,"data":{"a":1,"b":true,"c":null,"d":-1.5e3}}')).toEqual([
      '1',
      'true',
      'null',
      '-1.5e3',
    ]);
    expect(texts('{"status":"OK","data":[]}')).toBeUndefined(); // not an object: the caller serializes
  });

  it.each([
    ['a duplicate key (the parse kept the last)', '{"data":{"Event1":{"a":1},"Event1":{"a":2}}}'],
    ['integer-like keys (enumerated first by JavaScript)', '{"data":{"Event1":{"a":1},"7":{"a":2}}}'],
    ['an escaped key', '{"data":{"Event\\u0031":{"a":1}}}'],
    ['an escaped top-level key', '{"d\\u0061ta":{"Event1":{"a":1}}}'],
    ['two data members', '{"data":{"Event1":{"a":1}},"data":{"Event1":{"a":2}}}'],
    ['a record repeating a key', '{"data":{"Event1":{"Data":"","Data":"x"}}}'],
    ['a record repeating a key deeper down', '{"data":{"Event1":{"a":[{"b":1,"b":2}]}}}'],
    ['a record key written with an escape', '{"data":{"Event1":{"pass\\u0077ord":"x"}}}'],
    ['no data', '{"status":"OK"}'],
  ])('%s: undefined (the caller serializes the parsed records)', (_name, body) => {
    expect(texts(body)).toBeUndefined();
  });

  it('keys that differ from the parsed ones give undefined', () => {
    expect(dataMemberTexts('{"data":{"Event1":{},"Event2":{}}}', ['Event2', 'Event1'])).toBeUndefined();
    expect(dataMemberTexts('{"data":{"Event1":{}}}', ['Event1', 'Event2'])).toBeUndefined();
  });

  it('a truncated or malformed text gives undefined, never a throw', () => {
    for (const body of ['{"data":{"Event1":{"a":"x}}', '{"data":{"Event1"', '', '[', '{"data":{"E":{"a":1}}'])
      expect(dataMemberTexts(body, ['Event1'])).toBeUndefined();
  });
});

describe('dataMemberTexts against JSON.parse on generated answers', () => {
  /** A small deterministic generator (LCG). */
  function random(seed: number): () => number {
    let x = seed;
    return () => {
      x = (x * 1103515245 + 12345) % 2 ** 31;
      return x / 2 ** 31;
    };
  }
  const pieces = [
    'a',
    'Z',
    ' ',
    '"',
    '\\',
    '/',
    '}',
    '{',
    '[',
    ']',
    ',',
    ':',
    'é',
    '😀',
    '\n',
    '\u0000',
    '\u2028',
  ];

  function generate(rnd: () => number): string {
    const ws = (): string => [' ', '\n', '\t', ''][Math.floor(rnd() * 4)] ?? '';
    const str = (): string => {
      let s = '';
      for (let n = Math.floor(rnd() * 6); n > 0; n--) s += pieces[Math.floor(rnd() * pieces.length)] ?? '';
      // JSON.stringify escapes what must be; sometimes also escape '/' and non-ASCII as PHP does
      let text = JSON.stringify(s);
      if (rnd() < 0.5) text = text.replace(/\//g, '\\/');
      if (rnd() < 0.5)
        text = text.replace(/[\u0080-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
      return text;
    };
    const value = (depth: number): string => {
      const pick = rnd();
      if (depth > 2 || pick < 0.5) return str();
      if (pick < 0.6) return String(Math.floor(rnd() * 1e6) / 100);
      if (pick < 0.65) return ['true', 'false', 'null'][Math.floor(rnd() * 3)] ?? 'null';
      if (pick < 0.8)
        return `[${ws()}${Array.from({ length: Math.floor(rnd() * 3) }, () => value(depth + 1)).join(`${ws()},${ws()}`)}${ws()}]`;
      return `{${ws()}${Array.from({ length: Math.floor(rnd() * 4) }, (_, i) => `"k${i}"${ws()}:${ws()}${value(depth + 1)}`).join(`${ws()},${ws()}`)}${ws()}}`;
    };
    const records = Array.from(
      { length: Math.floor(rnd() * 6) },
      (_, i) => `"Event${i + 1}"${ws()}:${ws()}${value(1)}`,
    );
    const members = [
      `"status"${ws()}:${ws()}"OK"`,
      `"next"${ws()}:${ws()}${value(1)}`,
      `"data"${ws()}:${ws()}{${ws()}${records.join(`${ws()},${ws()}`)}${ws()}}`,
    ];
    if (rnd() < 0.5) members.reverse();
    return `${ws()}{${ws()}${members.join(`${ws()},${ws()}`)}${ws()}}${ws()}`;
  }

  it('on 3,000 answers with random spacing, escapes, nesting and values: every text parses to its record', () => {
    const rnd = random(42);
    let vouched = 0;
    for (let n = 0; n < 3000; n++) {
      const body = generate(rnd);
      const parsed = JSON.parse(body) as { data: Record<string, unknown> };
      const keys = Object.keys(parsed.data);
      const texts = dataMemberTexts(body, keys);
      if (texts === undefined) continue;
      vouched++;
      expect(texts.map((t) => JSON.parse(t) as unknown)).toEqual(keys.map((k) => parsed.data[k]));
    }
    // the generator writes only plain answers: the scan vouches for all of them
    expect(vouched).toBe(3000);
  });
});
