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
