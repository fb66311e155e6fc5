import { compileCondition, parseCondition, parseJson, toJsonText } from '../src';
import { IngestDocument } from '../src/document';
import { compileTemplate } from '../src/mustache';
import { JavaNumber, javaDoubleToString, javaToString } from '../src/values';

const doc = (source: Record<string, unknown>) =>
  IngestDocument.create({ _index: 'i', _id: '1', _source: source }, 'now');
const cond = (source: string, d: Record<string, unknown>) => compileCondition(source)(doc(d));

describe('conditions (Painless subset)', () => {
  it('null-safe paths, comparisons and boolean operators', () => {
    expect(cond("ctx.event?.action == 'log in'", { event: { action: 'log in' } })).toBe(true);
    expect(cond("ctx.event?.action == 'log in'", {})).toBe(false);
    expect(cond('ctx.a != null && ctx.a.b > 2', { a: { b: 3 } })).toBe(true);
    expect(cond('!(ctx.n >= 5) || ctx.n < 0', { n: 4 })).toBe(true);
    expect(cond('ctx.n == 1', { n: 1.0 })).toBe(true);
    expect(cond("ctx['a.b'] == 'x'", { 'a.b': 'x' })).toBe(true);
    expect(cond('ctx._index == "i"', {})).toBe(true);
  });

  it('instanceof and methods', () => {
    expect(cond('ctx.t instanceof List && ctx.t.contains("a")', { t: ['a'] })).toBe(true);
    expect(cond('ctx.m instanceof Map && ctx.m.containsKey("k") && ctx.m.size() == 1', { m: { k: 1 } })).toBe(
      true,
    );
    expect(
      cond("ctx.s instanceof String && ctx.s.toLowerCase().startsWith('ab') && ctx.s.endsWith('C')", {
        s: 'AbC',
      }),
    ).toBe(true);
    expect(cond("['x', 'y'].contains(ctx.v)", { v: 'y' })).toBe(true);
    expect(cond("['x', 'y'].contains(ctx.v)", { v: 1 })).toBe(false);
    expect(
      cond(
        "ctx.s.equalsIgnoreCase('ABC') && !ctx.s.isEmpty() && ctx.s.length() == 3 && ctx.s.trim() == 'abc'",
        { s: 'abc' },
      ),
    ).toBe(true);
  });

  it('supports the field API with literal dotted keys', () => {
    expect(cond("field('conditional.field').get('') == 'bar'", { 'conditional.field': 'bar' })).toBe(true);
    expect(cond("field('a.b.c').get('none') == 'x'", { a: { 'b.c': 'x' } })).toBe(true);
    expect(cond("field('a.b').get('none') == 'none'", {})).toBe(true);
    expect(cond("field('a.b').exists()", { a: { b: null } })).toBe(true);
  });

  it('throws on null dereference and non-boolean results, like Painless', () => {
    expect(() => cond('ctx.a.b == 1', {})).toThrow(
      'cannot access method/field [b] from a null def reference',
    );
    expect(() => cond('ctx.flag', { flag: 'yes' })).toThrow(/Cannot cast/);
    expect(() => cond("ctx.s < 'b'", { s: 'a' })).toThrow(/Cannot apply \[<\]/);
  });

  it('treats names objects inherit (constructor, toString) as absent unless the document has them', () => {
    expect(cond('ctx.event?.constructor == null', { event: {} })).toBe(true);
    expect(cond('ctx.toString?.a == null', {})).toBe(true);
    expect(cond("ctx.event?.constructor == 'x'", { event: { constructor: 'x' } })).toBe(true);
    expect(cond("ctx.constructor?.a == 'y'", { constructor: { a: 'y' } })).toBe(true);
    expect(cond('ctx.event?.action == null', { event: { action: null } })).toBe(true);
    expect(() => cond('ctx.event.action == 1', {})).toThrow('from a null def reference');
  });

  it('checks the boolean type only where a result can be something else', () => {
    expect(() => cond("ctx.a?.contains('x')", {})).toThrow('cannot cast null to a primitive boolean');
    expect(() => cond("ctx.a?.contains('x') && true", {})).toThrow('Cannot apply [&&] to a null value');
    expect(() => cond('!ctx.s', { s: 'x' })).toThrow('Cannot cast java.lang.String to java.lang.Boolean');
    expect(() => cond("ctx.s || ctx.s == 'x'", { s: 'x' })).toThrow(/Cannot cast java.lang.String/);
    expect(cond("ctx.s instanceof String && !ctx.s.contains('y') && ctx.s.equals('x')", { s: 'x' })).toBe(
      true,
    );
    expect(cond("ctx.s == 'y' || ['a', 'x'].contains(ctx.s)", { s: 'x' })).toBe(true);
    expect(() => cond("ctx.n.contains('x')", { n: 1 })).toThrow(
      'dynamic method [java.lang.Integer, contains]',
    );
  });

  it('rejects anything outside the grammar at parse time', () => {
    for (const bad of [
      'ctx.a = 1',
      'ctx.a =~ /x/',
      'def x = 1; x',
      'ctx.a ? 1 : 2',
      'String.valueOf(ctx.a)',
      'ctx.a.matches("x")',
    ]) {
      expect(() => parseCondition(bad)).toThrow(/unsupported condition/);
    }
  });
});

describe('mustache subset', () => {
  const d = doc({ a: 'x"y', n: 12345678.9, list: ['p', 'q'], m: { k: 'v' } });
  it('triple braces are raw, double braces JSON-escape, missing renders empty', () => {
    expect(compileTemplate('{{{a}}}|{{a}}|{{missing}}').render(d)).toBe('x"y|x\\"y|');
  });
  it('renders Java toString for numbers, list elements by index and size', () => {
    expect(compileTemplate('{{n}} {{list.1}} {{list.size}} {{_source.m.k}} {{_index}}').render(d)).toBe(
      '1.23456789E7 q 2 v i',
    );
  });
  it('supports toJson and join sections', () => {
    expect(compileTemplate('{{#toJson}}m{{/toJson}} {{#join}}list{{/join}}').render(d)).toBe('{"k":"v"} p,q');
  });
  it('is constant without {{', () => {
    expect(compileTemplate('plain').isConstant).toBe(true);
  });
});

describe('values and JSON typing', () => {
  it('types JSON numbers as Jackson does', () => {
    const v = parseJson('{"i":1,"l":3000000000,"d":1.0,"f":1.5,"big":18446744073709551616}') as Record<
      string,
      unknown
    >;
    expect(v['i']).toBe(1);
    expect(v['l']).toEqual(new JavaNumber('Long', 3000000000));
    expect(v['d']).toEqual(new JavaNumber('Double', 1));
    expect(v['f']).toBe(1.5);
    expect((v['big'] as JavaNumber).type).toBe('BigInteger');
    expect(() => parseJson('{"a":1} x')).toThrow(/trailing/);
    expect(parseJson('{"a":1} x', { strict: false })).toEqual({ a: 1 });
  });

  it('prints Java number text', () => {
    expect(javaDoubleToString(100)).toBe('100.0');
    expect(javaDoubleToString(12345678.9)).toBe('1.23456789E7');
    expect(javaDoubleToString(0.0001)).toBe('1.0E-4');
    expect(javaToString(new JavaNumber('Float', Math.fround(1.1)))).toBe('1.1');
    expect(javaToString({ a: [1, 'b'] })).toBe('{a=[1, b]}');
    expect(toJsonText({ d: new JavaNumber('Double', 1), l: [new JavaNumber('Long', 2)] })).toBe(
      '{"d":1.0,"l":[2]}',
    );
  });
});
