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

  test.each(['user', 'detailed_shared_folder', 'event_report'])(
    '%s: the tracer is always configured (so the input cleans old trace files when it is off) and retries are set',
    (name) => {
      const vars = {
        url: 'https://lastpass.com/enterpriseapi.php',
        account_number: '123',
        provisioning_hash: 'h',
      };
      const off = loadStream(ROOT, name, vars).config.raw;
      expect(off['resource.tracer.enabled']).toBe(false);
      expect(off['resource.tracer.filename']).toBe('../../logs/cel/http-request-trace-*.ndjson');
      expect(off['resource.tracer.maxbackups']).toBe(5);
      expect(
        loadStream(ROOT, name, { ...vars, enable_request_tracer: true }).config.raw[
          'resource.tracer.enabled'
        ],
      ).toBe(true);
      expect([
        off['resource.retry.max_attempts'],
        off['resource.retry.wait_min'],
        off['resource.retry.wait_max'],
      ]).toEqual([5, '2s', '60s']);
      // contracts §3: no input sets @timestamp (the Agent does; a second key is refused by Elasticsearch).
      expect(loadStream(ROOT, name, vars).config.program).not.toMatch(/"@timestamp"/);
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
      'int(state.n).as(n, state.with({"events": n < 3 ? [{"message": string(n)}] : [], "n": n + 1, "want_more": true}))';
    const input = new CelInput({ config: config(program, { n: 0n }), now: () => NOW });
    const r = await input.run();
    expect(r.events.map((e) => e.message)).toEqual(['0', '1', '2']);
    expect(r.executions).toBe(4);
  });

  test('max_executions caps one periodic run; state other than cursor carries to the next run', async () => {
    const program =
      'int(state.n).as(n, state.with({"events": [{"message": "x"}], "n": n + 1, "cursor": {"n": n}, "want_more": true}))';
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

  test('numbers come back as doubles after an evaluation (the Agent turns each result into a protobuf Struct)', async () => {
    const program =
      'state.with({"events": [{"message": type(state.n) == int ? "int" : "double"}], "n": state.n, "want_more": !has(state.second), "second": true})';
    const r = await new CelInput({ config: config(program, { n: 1n }), now: () => NOW }).run();
    expect(r.events.map((e) => e.message)).toEqual(['int', 'double']);
  });

  test('events are dropped from the state fed back to the next evaluation', async () => {
    const program =
      'state.with({"events": [{"message": has(state.events) ? "saw events" : "clean"}], "want_more": !has(state.n), "n": 1})';
    const r = await new CelInput({ config: config(program), now: () => NOW }).run();
    expect(r.events.map((e) => e.message)).toEqual(['clean', 'clean']);
  });

  test('an error event is published and the cursor goes back to the last published one; other state stays', async () => {
    // Evaluation 1 publishes cursor {n: 1}; evaluation 2 returns an error event with cursor {n: 2}.
    const program = `has(state.step) ?
        state.with({"events": {"error": {"code": "E", "message": "m"}}, "cursor": {"n": 2}, "kept": "yes", "want_more": false})
      : state.with({"events": [{"message": "a"}], "cursor": {"n": 1}, "step": 1, "want_more": true})`;
    const input = new CelInput({ config: config(program), now: () => NOW });
    const r = await input.run();
    expect(r.events).toEqual([{ message: 'a' }]);
    expect(r.errors).toEqual([{ code: 'E', message: 'm' }]);
    expect(r.errorEvents).toEqual([{ error: { code: 'E', message: 'm' } }]);
    expect(r.cursor).toEqual({ n: 1 });
    expect(input.currentState).toMatchObject({ cursor: { n: 1 }, kept: 'yes' });
  });

  test('a cursor returned without events stays in memory but is not persisted; a restart loses it', async () => {
    const program = 'state.with({"events": [], "cursor": {"n": 5}, "want_more": true})';
    const input = new CelInput({ config: config(program), now: () => NOW, cursor: { n: 1 } });
    const r = await input.run();
    expect(r.executions).toBe(1);
    expect(r.cursor).toEqual({ n: 1 });
    expect(input.currentState.cursor).toEqual({ n: 5 });
    input.restart();
    expect(input.currentState.cursor).toEqual({ n: 1 });
  });

  test('a failed evaluation publishes "failed eval" as an error event and keeps the state it was given', async () => {
    const input = new CelInput({
      config: config('state.with({"events": [], "x": 1 / 0})', { a: 'b' }),
      now: () => NOW,
    });
    const r = await input.run();
    expect(r.errors).toEqual([{ message: expect.stringMatching(/^failed eval: .*division by zero/) }]);
    expect(input.currentState).toMatchObject({ a: 'b' });
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
