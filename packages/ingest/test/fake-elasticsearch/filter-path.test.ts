import { applyFilterPath, parseFilterPath } from '../../src/fake-elasticsearch/filter-path';

const bulkAnswer = {
  errors: true,
  took: 3,
  items: [
    { create: { _index: 'x', _id: 'a', _version: 1, result: 'created', status: 201, _shards: { total: 2 } } },
    {
      create: {
        _index: 'x',
        _id: 'b',
        status: 409,
        error: { type: 'version_conflict_engine_exception', reason: 'exists', index: 'x' },
      },
    },
  ],
};

function filter(body: unknown, path: string): unknown {
  const parsed = parseFilterPath(path);
  if (parsed === undefined) throw new Error(`no filter in ${path}`);
  return applyFilterPath(body, parsed);
}

describe('filter_path (fake Elasticsearch)', () => {
  test('keeps only the named leaves of every array element, arrays stay aligned', () => {
    expect(filter(bulkAnswer, 'items.*.status,items.*.error.type')).toEqual({
      items: [
        { create: { status: 201 } },
        { create: { status: 409, error: { type: 'version_conflict_engine_exception' } } },
      ],
    });
  });

  test('a container with no match is not written; no match at all is {}', () => {
    expect(filter(bulkAnswer, 'items.*.error')).toEqual({
      items: [{ create: { error: bulkAnswer.items[1]?.create.error } }],
    });
    expect(filter(bulkAnswer, 'nothing.here')).toEqual({});
  });

  test('a path ending on an object keeps it whole; `**` matches at any depth', () => {
    expect(filter(bulkAnswer, 'errors,items.*._shards')).toEqual({
      errors: true,
      items: [{ create: { _shards: { total: 2 } } }],
    });
    expect(filter(bulkAnswer, '**.reason')).toEqual({
      items: [{ create: { error: { reason: 'exists' } } }],
    });
    expect(filter({ a: { b: { c: 1, d: 2 } }, c: 3 }, '**.c')).toEqual({ a: { b: { c: 1 } }, c: 3 });
  });

  test('`*` inside a name is a wildcard; other characters are literal', () => {
    expect(filter({ _index: 1, _id: 2, 'a.b': 3, index: 4 }, '_i*')).toEqual({ _index: 1, _id: 2 });
    expect(filter({ 'a+b': 1, aab: 2 }, 'a+b')).toEqual({ 'a+b': 1 });
  });

  test('exclusions remove what they match, after inclusions', () => {
    expect(filter({ took: 1, errors: false, items: [] }, '-took')).toEqual({ errors: false, items: [] });
    expect(filter(bulkAnswer, 'items.*.error,-items.*.error.index')).toEqual({
      items: [{ create: { error: { type: 'version_conflict_engine_exception', reason: 'exists' } } }],
    });
  });

  test('an empty parameter filters nothing', () => {
    expect(parseFilterPath('')).toBeUndefined();
    expect(parseFilterPath(undefined)).toBeUndefined();
  });
});
