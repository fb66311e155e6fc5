import { createExecutor, IngestError } from '../src';
import { failure, NOW, run, source } from './helpers';

describe('document model', () => {
  it('sets nested fields through dotted paths and keeps metadata out of _source', () => {
    const r = run(
      [
        { set: { field: 'a.b.c', value: 1 } },
        { set: { field: '_id', value: 'abc' } },
        { set: { field: '_index', value: 'other-index' } },
      ],
      {},
    );
    expect(r).toEqual({
      kind: 'indexed',
      _index: 'other-index',
      _id: 'abc',
      _source: { a: { b: { c: 1 } } },
    });
  });

  it('does not mutate the caller document', () => {
    const input = { a: { b: 1 } };
    run([{ set: { field: 'a.b', value: 2 } }], input);
    expect(input).toEqual({ a: { b: 1 } });
  });

  it('indexes lists with numeric segments and reports out-of-bounds like Elasticsearch', () => {
    expect(source(run([{ set: { field: 'x', copy_from: 'tags.1' } }], { tags: ['a', 'b'] }))['x']).toBe('b');
    expect(failure(run([{ set: { field: 'x', copy_from: 'tags.5' } }], { tags: ['a'] })).reason).toBe(
      '[5] is out of bounds for array with length [1] as part of path [tags.5]',
    );
  });

  it('does not reach a literal dotted key through a dotted path', () => {
    expect(failure(run([{ set: { field: 'x', copy_from: 'a.b' } }], { 'a.b': 1 })).reason).toBe(
      'field [a] not present as part of path [a.b]',
    );
  });

  it('reads, writes and removes fields named like inherited properties (constructor, toString)', () => {
    const r = run(
      [
        { set: { field: 'a.constructor', value: 'c' } },
        { set: { field: 'x', copy_from: 'a.constructor' } },
        { set: { field: 'y', value: 'absent', if: 'ctx.b?.toString == null' } },
        { remove: { field: 'toString.z', ignore_missing: true } },
        { rename: { field: 'hasOwnProperty', target_field: 'h', ignore_missing: true } },
      ],
      { a: {} },
    );
    expect(source(r)).toEqual({ a: { constructor: 'c' }, x: 'c', y: 'absent' });
    expect(failure(run([{ set: { field: 'x', copy_from: 'a.toString' } }], { a: {} })).reason).toBe(
      'field [toString] not present as part of path [a.toString]',
    );
    expect(failure(run([{ set: { field: 'x', copy_from: 'constructor' } }], {})).reason).toBe(
      'field [constructor] not present as part of path [constructor]',
    );
  });

  it('exposes _ingest.timestamp from the injected clock', () => {
    expect(source(run([{ set: { field: 't', value: '{{{_ingest.timestamp}}}' } }], {}))['t']).toBe(
      '2024-05-01T12:00:00.123Z',
    );
  });

  it('fails setting below a scalar with the Java class name', () => {
    expect(failure(run([{ set: { field: 'a.b', value: 1 } }], { a: 'text' })).reason).toBe(
      'cannot set [b] with parent object of type [java.lang.String] as part of path [a.b]',
    );
  });
});

describe('failure handling', () => {
  const handler = {
    set: {
      field: 'error.message',
      value:
        '{{{_ingest.on_failure_processor_type}}}|{{{_ingest.on_failure_processor_tag}}}|{{{_ingest.on_failure_pipeline}}}|{{{_ingest.on_failure_message}}}',
    },
  };

  it('processor-level on_failure sets _ingest.on_failure_* metadata and continues with the next processor', () => {
    const doc = source(
      run(
        [
          { rename: { tag: 'r1', field: 'missing', target_field: 'x', on_failure: [handler] } },
          { set: { field: 'after', value: true } },
        ],
        {},
      ),
    );
    expect(doc['error']).toEqual({ message: "rename|r1|main|field [missing] doesn't exist" });
    expect(doc['after']).toBe(true);
  });

  it('removes the on_failure metadata after the handlers ran', () => {
    const doc = source(
      run(
        [
          { fail: { message: 'boom', on_failure: [{ set: { field: 'x', value: 1 } }] } },
          { set: { field: 'leftover', value: '{{{_ingest.on_failure_message}}}' } },
        ],
        {},
      ),
    );
    expect(doc['leftover']).toBe('');
  });

  it('an untagged failing processor renders an empty tag', () => {
    const doc = source(run([{ fail: { message: 'm', on_failure: [handler] } }], {}));
    expect(doc['error']).toEqual({ message: 'fail||main|m' });
  });

  it('pipeline-level on_failure runs the handlers and stops the pipeline', () => {
    const doc = source(
      run(
        [{ fail: { tag: 'f', message: 'stop here' } }, { set: { field: 'never', value: 1 } }],
        { keep: 1 },
        { on_failure: [handler] },
      ),
    );
    expect(doc).toEqual({ keep: 1, error: { message: 'fail|f|main|stop here' } });
  });

  it('ignore_failure swallows the error without metadata', () => {
    const doc = source(
      run(
        [
          { rename: { field: 'missing', target_field: 'x', ignore_failure: true } },
          { set: { field: 'ok', value: 1 } },
        ],
        {},
      ),
    );
    expect(doc).toEqual({ ok: 1 });
  });

  it('an error in `if` escapes the processor on_failure and reaches the pipeline handler as type conditional', () => {
    const doc = source(
      run(
        [
          {
            set: {
              tag: 'guarded',
              field: 'x',
              value: 1,
              if: 'ctx.a.b == 1',
              on_failure: [{ set: { field: 'local', value: true } }],
            },
          },
        ],
        {},
        { on_failure: [handler] },
      ),
    );
    expect(doc['local']).toBeUndefined();
    expect(doc['error']).toEqual({ message: expect.stringMatching(/^conditional\|guarded\|main\|.*null/) });
  });

  describe('runs of steps guarded on the same field (read once)', () => {
    const catalog = (action: unknown, extra: unknown[] = []) =>
      run(
        [
          {
            set: {
              tag: 'c1',
              field: 'event.category',
              value: ['auth'],
              if: "['log in', 'log out'].contains(ctx.event?.action)",
            },
          },
          ...extra,
          { set: { tag: 'c2', field: 'event.type', value: ['start'], if: "ctx.event?.action == 'log in'" } },
          {
            append: {
              tag: 'c3',
              field: 'tags',
              value: 'other',
              if: "ctx.event?.action == 'other' && ctx.n > 1",
            },
          },
          { set: { tag: 'c4', field: 'event.outcome', value: 'unknown', if: 'ctx.event?.action == null' } },
        ],
        { event: { action }, n: 2 },
        { on_failure: [handler] },
      );

    it('gives each step the answer its own condition gives', () => {
      expect(source(catalog('log in'))['event']).toEqual({
        action: 'log in',
        category: ['auth'],
        type: ['start'],
      });
      expect(source(catalog('other'))).toEqual({ event: { action: 'other' }, n: 2, tags: ['other'] });
      expect(source(catalog(null))['event']).toEqual({ action: null, outcome: 'unknown' });
      expect(source(catalog(7))['event']).toEqual({ action: 7 });
    });

    it('sees a write to the guarded field, or to the map holding it, by a guarded step in between', () => {
      const rewrite = {
        set: { tag: 'rw', field: 'event.action', value: 'log in', if: "ctx.event?.action == 'other'" },
      };
      expect(source(catalog('other', [rewrite]))['event']).toEqual({ action: 'log in', type: ['start'] });
      const replace = {
        set: { tag: 'rp', field: 'event', value: { action: 'log in' }, if: "ctx.event?.action == 'other'" },
      };
      expect(source(catalog('other', [replace]))['event']).toEqual({ action: 'log in', type: ['start'] });
    });

    it('reports a guard that cannot be read at the first step, as type conditional', () => {
      const doc = source(
        run(
          [
            { set: { tag: 'c1', field: 'x', value: 1, if: "ctx.event?.action == 'a'" } },
            { set: { tag: 'c2', field: 'y', value: 1, if: "ctx.event?.action == 'b'" } },
          ],
          { event: 'text' },
          { on_failure: [handler] },
        ),
      );
      expect(doc['error']).toEqual({
        message: 'conditional|c1|main|dynamic getter [java.lang.String, action] not found',
      });
    });
  });

  it('a failure inside a nested pipeline keeps the inner processor type, tag and pipeline', () => {
    const doc = source(
      run(
        [{ pipeline: { name: 'inner' } }],
        {},
        {
          on_failure: [handler],
          pipelines: { inner: { processors: [{ fail: { tag: 'in', message: 'deep' } }] } },
        },
      ),
    );
    expect(doc['error']).toEqual({ message: 'fail|in|inner|deep' });
  });

  it('a failing handler propagates its own error', () => {
    const r = run([{ fail: { message: 'first', on_failure: [{ fail: { message: 'second' } }] } }], {});
    expect(failure(r)).toEqual({ type: 'fail_processor_exception', reason: 'second' });
  });

  it('an unhandled failure returns the root cause', () => {
    expect(failure(run([{ remove: { field: 'nope' } }], {}))).toEqual({
      type: 'illegal_argument_exception',
      reason: 'field [nope] not present as part of path [nope]',
    });
  });
});

describe('flow processors', () => {
  it('drop discards the document, also from inside on_failure', () => {
    expect(run([{ drop: {} }], {})).toEqual({ kind: 'dropped' });
    expect(run([{ fail: { message: 'x', on_failure: [{ drop: {} }] } }], {})).toEqual({ kind: 'dropped' });
  });

  it('terminate stops only the current pipeline', () => {
    const doc = source(
      run(
        [{ pipeline: { name: 'inner' } }, { set: { field: 'outer_after', value: true } }],
        {},
        {
          pipelines: {
            inner: { processors: [{ terminate: {} }, { set: { field: 'inner_after', value: true } }] },
          },
        },
      ),
    );
    expect(doc).toEqual({ outer_after: true });
  });

  it('pipeline processor: missing pipeline, ignore_missing_pipeline, cycles', () => {
    expect(failure(run([{ pipeline: { name: 'nope' } }], {})).reason).toBe(
      'Pipeline processor configured for non-existent pipeline [nope]',
    );
    expect(source(run([{ pipeline: { name: 'nope', ignore_missing_pipeline: true } }], { a: 1 }))).toEqual({
      a: 1,
    });
    const cyc = run(
      [{ pipeline: { name: 'a' } }],
      {},
      { pipelines: { a: { processors: [{ pipeline: { name: 'main' } }] } } },
    );
    expect(failure(cyc)).toEqual({
      type: 'illegal_state_exception',
      reason: 'Cycle detected for pipeline: main',
    });
  });

  it('_ingest.pipeline names the running pipeline and is restored after a nested one', () => {
    const doc = source(
      run(
        [{ pipeline: { name: 'inner' } }, { set: { field: 'outer', value: '{{_ingest.pipeline}}' } }],
        {},
        {
          pipelines: { inner: { processors: [{ set: { field: 'inner', value: '{{_ingest.pipeline}}' } }] } },
        },
      ),
    );
    expect(doc).toEqual({ inner: 'inner', outer: 'main' });
  });
});

describe('load-time errors', () => {
  it('rejects script naming the processor and its tag', () => {
    let error: unknown;
    try {
      createExecutor({
        pipelines: { p: { processors: [{ script: { tag: 'painless_1', source: 'ctx.x = 1' } }] } },
      });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(IngestError);
    expect((error as IngestError).code).toBe('INGEST_UNSUPPORTED_PROCESSOR');
    expect((error as IngestError).message).toMatch(
      /processor \[script\] with tag \[painless_1\] in pipeline \[p\]/,
    );
  });

  it('rejects unknown options, empty on_failure and conditions outside the grammar', () => {
    expect(() =>
      createExecutor({ pipelines: { p: { processors: [{ set: { field: 'a', value: 1, bogus: 1 } }] } } }),
    ).toThrow("processor [set] doesn't support one or more provided configuration parameters [bogus]");
    expect(() =>
      createExecutor({
        pipelines: { p: { processors: [{ set: { field: 'a', value: 1, on_failure: [] } }] } },
      }),
    ).toThrow('[on_failure] processors list cannot be empty');
    expect(() => createExecutor({ pipelines: { p: { processors: [], on_failure: [] } } })).toThrow(
      'pipeline [p] cannot have an empty on_failure option defined',
    );
    expect(() =>
      createExecutor({
        pipelines: { p: { processors: [{ set: { field: 'a', value: 1, if: 'ctx.a = 1' } }] } },
      }),
    ).toThrow(/unsupported condition/);
    expect(() => createExecutor({ pipelines: { p: { processors: [{ set: { field: 'a' } }] } } })).toThrow(
      '[value] required property is missing',
    );
  });
});

describe('simulate', () => {
  const executor = createExecutor({
    pipelines: {
      p: {
        processors: [
          { set: { tag: 's', field: 'a', value: 1 } },
          { drop: { if: 'ctx.drop == true' } },
          { rename: { field: 'x', target_field: 'y', ignore_failure: true } },
        ],
      },
    },
    now: () => NOW,
  });

  it('answers the non-verbose shape: doc, error or null', () => {
    const r = executor.simulate('p', [{ _source: { b: 2 } }, { _source: { drop: true } }]);
    expect(r).toEqual({
      docs: [
        {
          doc: {
            _index: '_index',
            _id: '_id',
            _version: '-3',
            _source: { a: 1, b: 2 },
            _ingest: { timestamp: '2024-05-01T12:00:00.123Z' },
          },
        },
        null,
      ],
    });
  });

  it('answers the verbose shape with statuses and if results', () => {
    const r = executor.simulate('p', [{ _source: {} }], { verbose: true }) as {
      docs: { processor_results: Record<string, unknown>[] }[];
    };
    const results = r.docs[0]!.processor_results;
    expect(results.map((x) => [x['processor_type'], x['status']])).toEqual([
      ['set', 'success'],
      ['drop', 'skipped'],
      ['rename', 'error_ignored'],
    ]);
    expect(results[0]!['tag']).toBe('s');
    expect(results[1]!['if']).toEqual({ condition: 'ctx.drop == true', result: false });
    expect((results[0]!['doc'] as { _ingest: unknown })._ingest).toEqual({
      pipeline: 'p',
      timestamp: '2024-05-01T12:00:00.123Z',
    });
  });
});
