import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import {
  CelHarnessError,
  CelInput,
  loadStream,
  parseStreamConfig,
  renderStreamTemplate,
  type HarnessLogEntry,
  type StreamConfig,
} from '../src/index';

const ROOT = join(__dirname, '..', '..', '..');
const SECRET = '$co.elastic.secret{fake-secret-id}';
const NOW = new Date('2024-11-15T12:00:00Z');

function config(
  program: string,
  state: Record<string, unknown> = {},
  extra: Partial<StreamConfig> = {},
): StreamConfig {
  return {
    interval: '1m',
    url: 'http://127.0.0.1:1/',
    timeout: '5s',
    maxExecutions: 1000,
    program,
    state,
    redactFields: ['provhash'],
    tags: [],
    raw: {},
    ...extra,
  };
}

describe('Fleet rendering of the package templates', () => {
  test.each(['user', 'detailed_shared_folder', 'event_report'])(
    '%s: a secret reference lands only under state.provhash, listed in redact.fields',
    (name) => {
      const s = loadStream(ROOT, name, {
        url: 'https://lastpass.com/enterpriseapi.php',
        account_number: '123',
        provisioning_hash: SECRET,
        proxy_url: 'http://proxy:3128',
        enable_request_tracer: true,
        ssl: 'verification_mode: none',
        processors: '- add_fields:\n    target: x\n    fields: {a: 1}',
        preserve_original_event: true,
      });
      expect(s.config.state.provhash).toBe(SECRET);
      expect(s.config.redactFields).toContain('provhash');
      expect(s.rendered.split(SECRET)).toHaveLength(2);
      expect(s.config.raw['resource.proxy_url']).toBe('http://proxy:3128');
      expect(s.config.raw['resource.ssl']).toEqual({ verification_mode: 'none' });
      expect(s.config.raw.processors).toEqual([{ add_fields: { target: 'x', fields: { a: 1 } } }]);
      expect(s.config.tags).toEqual(['preserve_original_event', 'forwarded', `lastpass_enterprise-${name}`]);
      expect(s.config.raw['publisher_pipeline.disable_host']).toBe(true);
    },
  );

  test('escape_string quotes like Fleet; a broken template is CEL_TEMPLATE_INVALID; bad YAML is CEL_CONFIG_INVALID', () => {
    expect(renderStreamTemplate('a: {{escape_string v}}', { v: "it's" })).toBe("a: 'it''s'");
    expect(() => renderStreamTemplate('{{#if}}', {})).toThrow(CelHarnessError);
    expect(() => parseStreamConfig('interval: [')).toThrow(/CEL|YAML/);
    expect(() => parseStreamConfig('interval: 1m\nresource.url: http://x\n')).toThrow(/program/);
  });
});

describe('the CEL input run loop', () => {
  test('want_more re-runs at once; an execution without events ends the periodic run', async () => {
    const program =
      'state.with({"events": state.n < 3 ? [{"message": string(state.n)}] : [], "n": state.n + 1, "want_more": true})';
    const input = new CelInput({ config: config(program, { n: 0n }), now: () => NOW });
    const r = await input.run();
    expect(r.events.map((e) => e.message)).toEqual(['0', '1', '2']);
    expect(r.executions).toBe(4);
  });

  test('max_executions caps one periodic run; state other than cursor carries to the next run', async () => {
    const program =
      'state.with({"events": [{"message": "x"}], "n": state.n + 1, "cursor": {"n": state.n}, "want_more": true})';
    const input = new CelInput({ config: config(program, { n: 0n }, { maxExecutions: 5 }), now: () => NOW });
    expect((await input.run()).executions).toBe(5);
    const second = await input.run();
    expect(second.cursor).toEqual({ n: 9 });
  });

  test('a restart keeps only the cursor, whose numbers come back as doubles (as from the registry)', async () => {
    const program =
      'state.with({"events": [{"message": type(state.cursor.n) == double ? "double" : "int"}]})';
    const input = new CelInput({ config: config(program), now: () => NOW, cursor: { n: 3 } });
    expect((await input.run()).events).toEqual([{ message: 'double' }]);
  });

  test('error events are reported apart; an evaluation error keeps the previous state', async () => {
    const err = new CelInput({
      config: config('{"events": {"error": {"code": "X", "message": "boom"}}, "want_more": false}'),
      now: () => NOW,
    });
    expect((await err.run()).errors).toEqual([{ code: 'X', message: 'boom' }]);
    const bad = new CelInput({
      config: config('state.with({"events": [], "x": 1 / 0})', { a: 'b' }),
      now: () => NOW,
    });
    const r = await bad.run();
    expect(r.evaluationError).toMatch(/division by zero/);
    expect(bad.currentState).toMatchObject({ a: 'b' });
  });

  test('results that break the program contract fail with CEL_RESULT_INVALID', async () => {
    await expect(new CelInput({ config: config('{"x": 1}'), now: () => NOW }).run()).rejects.toMatchObject({
      code: 'CEL_RESULT_INVALID',
    });
    await expect(new CelInput({ config: config('[1]'), now: () => NOW }).run()).rejects.toMatchObject({
      code: 'CEL_RESULT_INVALID',
    });
  });

  test('programs using cel-js-only functions are refused before they run', () => {
    expect(() => new CelInput({ config: config('"a".lowerAscii()'), now: () => NOW })).toThrow(/lowerAscii/);
  });

  describe('logs redact the secret state keys and their values', () => {
    let server: Server;
    let url: string;
    beforeAll(async () => {
      server = createServer((req, res) => {
        req.resume();
        req.on('end', () => res.end('{"ok": true}'));
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

    test('request bodies and state in logs never show the secret', async () => {
      const logs: HarnessLogEntry[] = [];
      const program =
        'post(state.url, "application/json", {"provhash": state.provhash}.encode_json()).as(r, state.with({"events": [{"message": "ok"}]}))';
      const input = new CelInput({
        config: config(program, { provhash: 'super-secret-value' }, { url }),
        now: () => NOW,
        log: (e) => logs.push(e),
      });
      const r = await input.run();
      expect(r.events).toEqual([{ message: 'ok' }]);
      expect(logs.some((l) => l.kind === 'http')).toBe(true);
      expect(JSON.stringify(logs)).not.toContain('super-secret-value');
      expect(JSON.stringify(logs)).toContain('"provhash":"*"');
    });
  });
});
