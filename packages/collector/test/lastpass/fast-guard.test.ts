/**
 * The `reporting` hot path checks records with allocation-free guards and asks the zod schema only
 * when a guard says no. These tests prove the guards never accept what the schema rejects, agree with
 * it on edge records, and that the client's answers (pages and errors) are the schema's.
 */
import { eventKeyOrder, orderedRecords } from '../../src/lastpass/client';
import {
  isRawEvent,
  isReportingResponse,
  rawEventSchema,
  reportingResponseSchema,
  type RawEvent,
} from '../../src/lastpass/schemas';
import { failure, mocked } from './helpers';

const event = {
  Time: '2015-07-17 09:51:51',
  Username: 'j.user@example.com',
  IP_Address: '10.16.21.21',
  Action: 'Failed Login Attempt',
  Data: '',
};
const { Action: _action, ...withoutAction } = event;
const { Data: _data, ...withoutData } = event;

const records: [string, unknown][] = [
  ['a complete record', event],
  ['extra keys (kept)', { ...event, Extra: { nested: [1] }, Count: 3 }],
  ['empty Username, IP_Address and Data', { ...event, Username: '', IP_Address: '', Data: '' }],
  ['a one-character Action', { ...event, Action: 'x' }],
  ['an empty Action', { ...event, Action: '' }],
  ['a missing Action', withoutAction],
  ['a missing Data', withoutData],
  ['Data null', { ...event, Data: null }],
  ['Username as a number', { ...event, Username: 42 }],
  ['Username as a numeric string', { ...event, Username: '42' }],
  ['IP_Address as a number', { ...event, IP_Address: 10 }],
  ['Data as a number', { ...event, Data: 0 }],
  ['Data as an object', { ...event, Data: {} }],
  ['Time as a number', { ...event, Time: 1437126711 }],
  ['Time as a numeric string', { ...event, Time: '1437126711' }],
  ['Time as a date only', { ...event, Time: '2015-07-17' }],
  ['Time in ISO form', { ...event, Time: '2015-07-17T09:51:51' }],
  ['Time with a trailing newline', { ...event, Time: '2015-07-17 09:51:51\n' }],
  ['Time with a zone', { ...event, Time: '2015-07-17 09:51:51Z' }],
  ['Time empty', { ...event, Time: '' }],
  ['Time null', { ...event, Time: null }],
  ['Action as a boolean', { ...event, Action: true }],
  ['null', null],
  ['an array', [event]],
  ['an empty array', []],
  ['a string', 'Event'],
  ['a number', 1],
  ['an empty object', {}],
];

describe('isRawEvent agrees with rawEventSchema', () => {
  it.each(records)('%s', (_name, record) => {
    expect(isRawEvent(record)).toBe(rawEventSchema.safeParse(record).success);
  });

  it('the table has both verdicts (it can fail either way)', () => {
    const verdicts = records.map(([, record]) => isRawEvent(record));
    expect(verdicts).toContain(true);
    expect(verdicts).toContain(false);
  });
});

const body = (fields: Record<string, unknown>): unknown => ({ status: 'OK', next: null, ...fields });

const bodies: [string, unknown][] = [
  ['data as a map of valid records', body({ data: { Event1: event, Event2: event } })],
  ['data as PHP [] (empty map)', body({ data: [] })],
  ['data absent', { status: 'OK' }],
  ['data as a non-empty array', body({ data: [event] })],
  ['data null', body({ data: null })],
  ['data a string', body({ data: 'none' })],
  [
    'data with one invalid record among valid ones',
    body({ data: { Event1: event, Event2: { ...event, Time: 5 } } }),
  ],
  ['data with a null record', body({ data: { Event1: null } })],
  ['data with an empty Action', body({ data: { Event1: { ...event, Action: '' } } })],
  ['next as a number', body({ next: 7, data: [] })],
  ['next as a string', body({ next: '7', data: [] })],
  ['next absent', { status: 'OK', data: [] }],
  ['next as a boolean', body({ next: true, data: [] })],
  ['next as an object', body({ next: {}, data: [] })],
  ['next Infinity (JSON 1e999)', JSON.parse('{"status":"OK","next":1e999,"data":[]}')],
  ['status absent', { next: null, data: [] }],
  ['status a number', body({ status: 1, data: [] })],
  ['extra top-level keys', body({ data: [], total: '3', note: null })],
  ['null', null],
  ['an array', [body({})]],
  ['a string', 'OK'],
];

describe('isReportingResponse agrees with reportingResponseSchema', () => {
  it.each(bodies)('%s', (_name, value) => {
    expect(isReportingResponse(value)).toBe(reportingResponseSchema.safeParse(value).success);
  });

  it('is never looser than the schema: a __proto__ record key is left to the schema to decide', () => {
    // JSON.parse makes `__proto__` an own key; zod's record skips it, so only the schema may judge it
    for (const text of [
      '{"status":"OK","data":{"__proto__":{"Time":"x"}}}',
      '{"status":"OK","data":{"__proto__":1}}',
    ]) {
      const value = JSON.parse(text) as unknown;
      expect(isReportingResponse(value)).toBe(false);
    }
  });

  it('never accepts a body the schema rejects (guard ⇒ schema over the whole table)', () => {
    for (const [, value] of bodies) {
      if (isReportingResponse(value)) expect(reportingResponseSchema.safeParse(value).success).toBe(true);
    }
  });
});

const WINDOW = { from: '2024-03-01 00:00:00', to: '2024-03-01 01:00:00' };
/** A client whose LastPass answers every call with `text`. */
const clientAnswering = (text: string) => mocked(200, text).client;

describe('the client reads reporting pages through the guard and the schema alike', () => {
  it.each(bodies.filter(([, value]) => typeof value === 'object' && value !== null && !Array.isArray(value)))(
    '%s: accepted or rejected exactly as the schema decides, with its path and message',
    async (_name, value) => {
      const text = JSON.stringify(value);
      const parsed = JSON.parse(text) as unknown;
      const verdict = reportingResponseSchema.safeParse(parsed);
      const client = clientAnswering(text);
      if (verdict.success) {
        const page = await client.reporting(WINDOW);
        expect(page.status).toBe(verdict.data.status);
        expect(page.next).toEqual(verdict.data.next ?? null);
        expect(page.events).toEqual(Object.values(verdict.data.data ?? {}));
        // each record's text as sent (these bodies are in order), and it parses to the record
        if (page.events.length > 0)
          expect(page.texts?.map((t) => JSON.parse(t) as unknown)).toEqual(page.events);
      } else {
        const issue = verdict.error.issues[0];
        const path = issue?.path.map(String) ?? [];
        if (path[0] === 'data' && path.length >= 2) {
          // one bad record (issue #15 §6): set aside with its path and message, the others delivered
          const page = await client.reporting(WINDOW);
          const key = path[1] ?? '';
          expect(page.rejected?.[0]).toEqual({
            key,
            record: (parsed as { data: Record<string, unknown> }).data[key],
            reason: `${path.slice(1).join('.')}: ${issue?.message ?? 'invalid'}`,
          });
          const data = (parsed as { data: Record<string, unknown> }).data;
          const bad = new Set(page.rejected?.map((r) => r.key));
          expect(page.events).toEqual(
            Object.entries(data)
              .filter(([k]) => !bad.has(k))
              .map(([, v]) => v),
          );
          return;
        }
        const where = path.length === 0 ? '(root)' : path.join('.');
        const error = await failure(client.reporting(WINDOW));
        expect(error.code).toBe('LASTPASS_UNEXPECTED_RESPONSE');
        expect(error.command).toBe('reporting');
        expect(error.message).toContain(
          `reporting: unexpected response shape at ${where}: ${issue?.message ?? 'invalid'}; body starts "`,
        );
      }
    },
  );
});

describe('texts: the records as LastPass sent them', () => {
  const record = (n: number, spacing = ''): string =>
    `{${spacing}"Time":"2024-03-01 00:00:0${n}","Username":"u\\/${n}@x","IP_Address":"","Action":"Log in","Data":"\\u00e9"}`;

  it('are slices of the answer (escapes and spacing kept), aligned with the records', async () => {
    const body = `{"status":"OK","next":null,"data":{"Event1":${record(1)},"Event2": ${record(2, ' ')} }}`;
    const page = await clientAnswering(body).reporting(WINDOW);
    expect(page.texts).toEqual([record(1), record(2, ' ')]);
    expect(page.events.map((e) => e.Username)).toEqual(['u/1@x', 'u/2@x']);
  });

  it("are absent when the records had to be re-ordered or the data is PHP's []", async () => {
    const reordered = await clientAnswering(
      `{"status":"OK","data":{"Event2":${record(2)},"Event1":${record(1)}}}`,
    ).reporting(WINDOW);
    expect(reordered.events.map((e) => e.Time.slice(-1))).toEqual(['1', '2']);
    expect(reordered.texts).toBeUndefined();
    expect((await clientAnswering('{"status":"OK","data":[]}').reporting(WINDOW)).texts).toBeUndefined();
  });
});

describe('a __proto__ key in data (zod passes over it unchecked)', () => {
  it.each([
    ['a valid-looking record', '{"status":"OK","data":{"Event1":RECORD,"__proto__":RECORD}}'],
    ['a non-record', '{"status":"OK","data":{"__proto__":1}}'],
  ])('%s: the page is refused, never shipped', async (_name, template) => {
    const client = clientAnswering(template.split('RECORD').join(JSON.stringify(event)));
    const error = await failure(client.reporting(WINDOW));
    expect(error.code).toBe('LASTPASS_UNEXPECTED_RESPONSE');
    expect(error.message).toContain('data.__proto__');
  });
});

describe('orderedRecords', () => {
  /** The previous implementation: a regex per comparison and a stable sort of the entries. */
  function reference(data: Record<string, RawEvent>): RawEvent[] {
    const order = (key: string): number => {
      const match = /(\d+)$/.exec(key);
      return match === null ? Number.MAX_SAFE_INTEGER : Number(match[1]);
    };
    return Object.entries(data)
      .sort((a, b) => order(a[0]) - order(b[0]))
      .map(([, value]) => value);
  }
  const record = (n: number): RawEvent => ({ ...event, Data: `n${n}` });
  const map = (keys: string[]): Record<string, RawEvent> =>
    Object.fromEntries(keys.map((key, i) => [key, record(i)]));

  it.each([
    ['in order', ['Event1', 'Event2', 'Event3', 'Event10']],
    ['out of order', ['Event10', 'Event2', 'Event1', 'Event3']],
    ['keys without a suffix sort last, stably', ['Other', 'Event2', 'Misc', 'Event1']],
    ['equal suffixes keep their order', ['A1', 'B1', 'C0']],
    ['suffixes past 2^53', ['Event12345678901234567', 'Event12345678901234566', 'Event9']],
    ['suffixes past Number.MAX_VALUE', [`E${'9'.repeat(400)}`, `F${'8'.repeat(400)}`, 'Event1']],
    ['leading zeros', ['Event010', 'Event9', 'Event0']],
  ])('%s: the same order as the regex sort', (_name, keys) => {
    const data = map(keys);
    const { events, keys: inOrder } = orderedRecords(data);
    expect(events.map((e) => e.Data)).toEqual(reference(data).map((e) => e.Data));
    // keys (record i = member i as sent) only when no sort was needed
    const sorted = keys.every((k, i) => i === 0 || eventKeyOrder(keys[i - 1] ?? '') <= eventKeyOrder(k));
    expect(inOrder).toEqual(sorted ? keys : undefined);
  });

  it('returns the received record objects themselves (no copies), none for [] or absent data', () => {
    const data = map(['Event1', 'Event2']);
    const { events } = orderedRecords(data);
    expect(events[0]).toBe(data.Event1);
    expect(events[1]).toBe(data.Event2);
    expect(orderedRecords([]).events).toEqual([]);
    expect(orderedRecords(undefined).events).toEqual([]);
  });

  it.each([
    ['Event42', 42],
    ['Event', Number.MAX_SAFE_INTEGER],
    ['Event٣', Number.MAX_SAFE_INTEGER],
    ['7', 7],
    ['Event12345678901234567', Number('12345678901234567')],
  ])('eventKeyOrder(%s) = %d', (key, order) => {
    expect(eventKeyOrder(key)).toBe(order);
  });
});
