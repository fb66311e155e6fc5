import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  checkAgentFunctions,
  createMitoEnvironment,
  formatGoTime,
  parseGoTime,
  toCelRealm,
} from '../src/index';

const NOW = new Date('2024-11-03T06:30:05.250Z');
const env = createMitoEnvironment({ now: () => NOW, timeoutMs: 5000 });
const ev = (expr: string, vars: Record<string, unknown> = {}): unknown =>
  env.evaluate(expr, toCelRealm({ state: {}, now: NOW, ...vars }));

describe('mito emulation', () => {
  test('.as binds a value', () => {
    expect(ev('{"a": 1}.as(v, v.a + 1)')).toBe(2n);
    expect(ev('[1, 2].as(l, l.map(x, x * 2))')).toEqual([2n, 4n]);
  });
  test('with / keys / values / zip / min / max / drop', () => {
    expect(ev('{"a": 1}.with({"b": 2})')).toEqual({ a: 1n, b: 2n });
    expect(ev('{"a": 1}.with_update({"a": 9, "b": 2})')).toEqual({ a: 1n, b: 2n });
    expect(ev('{"a": 1}.with_replace({"a": 9, "b": 2})')).toEqual({ a: 9n });
    expect(ev('zip(["a", "b"], [1, 2])')).toEqual({ a: 1n, b: 2n });
    expect(ev('["a", "b"].zip([1, 2]).keys()')).toEqual(['a', 'b']);
    expect(ev('["b", "c", "a"].min() + ["b", "c", "a"].max()')).toBe('ac');
    expect(ev('{"a": {"password": "x", "k": 1}, "password": 2}.drop(["password", "a.password"])')).toEqual({
      a: { k: 1n },
    });
    expect(() => ev('[].min()')).toThrow();
  });
  test('decode_json yields doubles: int arithmetic without int() fails as in Go', () => {
    expect(ev('"{\\"n\\": 2}".decode_json().n')).toBe(2);
    expect(() => ev('"{\\"n\\": 2}".decode_json().n + 1')).toThrow(/overload/);
    expect(ev('int("{\\"n\\": 2}".decode_json().n) + 1')).toBe(3n);
  });
  test('encode_json sorts keys and escapes HTML like Go', () => {
    expect(ev('{"b": 1, "a": "<&>", "c": 1.5, "d": b"hi"}.encode_json()')).toBe(
      '{"a":"\\u003c\\u0026\\u003e","b":1,"c":1.5,"d":"aGk="}',
    );
  });
  test('time: now global and function, format with Go layouts, zone accessors', () => {
    expect(ev('now.format(time_layout.RFC3339)')).toBe('2024-11-03T06:30:05Z');
    expect(ev('now().format("2006-01-02 15:04:05.000")')).toBe('2024-11-03 06:30:05.250');
    expect(ev('now.getHours("America/New_York")')).toBe(1n);
    expect(ev('(now - duration("1h")).getHours("America/New_York")')).toBe(1n);
    expect(ev('"2024-03-10 02:30:00".parse_time("2006-01-02 15:04:05").format(time_layout.RFC3339)')).toBe(
      '2024-03-10T02:30:00Z',
    );
    expect(() => ev('now.format(time_layout.Kitchen)')).toThrow(/not emulated/);
  });
  test('strings', () => {
    expect(ev('"  Ab ".trim_space().to_lower()')).toBe('ab');
    expect(ev('"Event12".trim_prefix("Event")')).toBe('12');
    expect(ev('"abc".has_prefix("ab") && "abc".contains_substr("bc") && "abc".substring(1, 2) == "b"')).toBe(
      true,
    );
  });
  test('try / is_error', () => {
    expect(ev('try("{".decode_json(), "error").error')).toMatch(/decode_json/);
    expect(ev('is_error("{".decode_json())')).toBe(true);
    expect(ev('try(1, "error")')).toBe(1n);
  });
  test('functions the Agent lacks fail, unregistered mito functions fail', () => {
    expect(() => {
      checkAgentFunctions('"A".lowerAscii()');
    }).toThrow(/lowerAscii/);
    expect(() => {
      checkAgentFunctions('"A".to_lower() // x.indexOf(');
    }).not.toThrow();
    expect(() => ev('"a".sprintf([1])')).toThrow(/overload/);
    expect(() => ev('get("http://127.0.0.1:1/")')).toThrow();
  });
  test('Go layouts', () => {
    const d = new Date('2024-01-02T03:04:05.006Z');
    expect(formatGoTime(d, '2006-01-02T15:04:05.999999999Z07:00')).toBe('2024-01-02T03:04:05.006Z');
    expect(formatGoTime(d, 'Mon, 02 Jan 2006 15:04:05 MST')).toBe('Tue, 02 Jan 2024 03:04:05 UTC');
    expect(parseGoTime('2024-01-02T05:04:05+02:00', '2006-01-02T15:04:05Z07:00').toISOString()).toBe(
      '2024-01-02T03:04:05.000Z',
    );
    expect(() => parseGoTime('2024-02-30 00:00:00', '2006-01-02 15:04:05')).toThrow();
  });
});

describe('mito HTTP', () => {
  let server: Server;
  let url: string;
  const seen: { method: string; ct: string; body: string }[] = [];
  beforeAll(async () => {
    server = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        seen.push({ method: req.method ?? '', ct: req.headers['content-type'] ?? '', body });
        res.writeHead(201, { 'content-type': 'text/xml;charset=UTF-8', 'x-thing': 'a' });
        res.end('{"ok":true}');
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  });
  afterAll(
    () =>
      new Promise<void>((r) =>
        server.close(() => {
          r();
        }),
      ),
  );

  test('post returns StatusCode, Status, Header (canonical keys), Body as bytes', async () => {
    const r = (await ev(
      'post(u, "application/json", {"a": 1}.encode_json()).as(r, {"code": r.StatusCode, "status": r.Status, "ct": r.Header["Content-Type"], "body": string(r.Body).decode_json(), "bytes": r.Body})',
      { u: url },
    )) as Record<string, unknown>;
    expect(r.code).toBe(201n);
    expect(r.status).toBe('201 Created');
    expect(r.ct).toEqual(['text/xml;charset=UTF-8']);
    expect(r.body).toEqual({ ok: true });
    expect(r.bytes).toBeInstanceOf(Uint8Array);
    expect(seen.at(-1)).toEqual({ method: 'POST', ct: 'application/json', body: '{"a":1}' });
  });
  test('request(...).with({...}).do_request()', async () => {
    const r = await ev(
      'request("PUT", u, "x").with({"Header": {"Content-Type": ["text/plain"]}}).do_request().StatusCode',
      { u: url },
    );
    expect(r).toBe(201n);
    expect(seen.at(-1)).toEqual({ method: 'PUT', ct: 'text/plain', body: 'x' });
  });
});
