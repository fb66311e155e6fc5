import { IngestError, ProcessingError } from './errors';
import { javaTrim } from './text';
import { METADATA_KEYS, inheritedName, type IngestDocument } from './document';
import { isMap, isNumber, javaClassName, javaEquals, javaType, numericValue, type JsonMap } from './values';

/**
 * The Painless subset accepted in `if` conditions (reference §8.2): one expression over `ctx` paths
 * (`.`, `?.`, `['k']`), literals, list literals, `== != < <= > >=`, `&& || !`, parentheses,
 * `instanceof`, and a fixed set of methods. Anything else is a load-time error.
 */
export type CondNode =
  | { t: 'lit'; v: unknown }
  | { t: 'list'; items: CondNode[] }
  | { t: 'root'; name: 'ctx' | 'params' }
  | { t: 'field'; path: string }
  | { t: 'member'; obj: CondNode; name: string; optional: boolean }
  | { t: 'index'; obj: CondNode; key: CondNode; optional: boolean }
  | { t: 'call'; obj: CondNode; name: string; args: CondNode[]; optional: boolean }
  | { t: 'not'; arg: CondNode }
  | { t: 'neg'; arg: CondNode }
  | { t: 'bin'; op: string; left: CondNode; right: CondNode }
  | { t: 'instanceof'; arg: CondNode; type: string };

export const CONDITION_METHODS: Record<string, number> = {
  contains: 1,
  startsWith: 1,
  endsWith: 1,
  equals: 1,
  equalsIgnoreCase: 1,
  isEmpty: 0,
  size: 0,
  length: 0,
  toLowerCase: 0,
  toUpperCase: 0,
  containsKey: 1,
  trim: 0,
  get: 1,
  exists: 0,
};

const TYPES = new Set([
  'List',
  'Map',
  'String',
  'Number',
  'Long',
  'Integer',
  'Boolean',
  'Double',
  'Float',
  'Object',
  'ArrayList',
  'HashMap',
  'Collection',
]);

type Tok = { k: 'num' | 'str' | 'id' | 'op'; v: string; pos: number };

function invalid(source: string, why: string): IngestError {
  return new IngestError('INGEST_INVALID_CONDITION', `unsupported condition [${source}]: ${why}`);
}

function tokenize(src: string): Tok[] {
  const toks: Tok[] = [];
  let i = 0;
  const ops = [
    '?.',
    '?[',
    '==',
    '!=',
    '<=',
    '>=',
    '&&',
    '||',
    '(',
    ')',
    '[',
    ']',
    '.',
    ',',
    '!',
    '<',
    '>',
    '-',
  ];
  while (i < src.length) {
    const c = src[i] ?? '';
    if (/\s/.test(c)) {
      i += 1;
      continue;
    }
    if (c === "'" || c === '"') {
      let j = i + 1;
      let out = '';
      while (j < src.length && src[j] !== c) {
        if (src[j] === '\\') {
          const e = src[j + 1] ?? '';
          out += e === 'n' ? '\n' : e === 't' ? '\t' : e;
          j += 2;
        } else {
          out += src[j] ?? '';
          j += 1;
        }
      }
      if (j >= src.length) throw invalid(src, 'unterminated string');
      toks.push({ k: 'str', v: out, pos: i });
      i = j + 1;
      continue;
    }
    const num = /^\d+(\.\d+)?([eE][+-]?\d+)?[LlDdFf]?/.exec(src.slice(i));
    if (num !== null) {
      toks.push({ k: 'num', v: num[0], pos: i });
      i += num[0].length;
      continue;
    }
    const id = /^[A-Za-z_$][A-Za-z0-9_$]*/.exec(src.slice(i));
    if (id !== null) {
      toks.push({ k: 'id', v: id[0], pos: i });
      i += id[0].length;
      continue;
    }
    if (
      src.startsWith('===', i) ||
      src.startsWith('!==', i) ||
      src.startsWith('=~', i) ||
      src.startsWith('==~', i)
    ) {
      throw invalid(src, `operator at position ${i} is not supported`);
    }
    const op = ops.find((o) => src.startsWith(o, i));
    if (op === undefined) throw invalid(src, `unexpected character [${c}] at position ${i}`);
    toks.push({ k: 'op', v: op, pos: i });
    i += op.length;
  }
  return toks;
}

/** Parses a condition; throws IngestError (INGEST_INVALID_CONDITION) outside the subset. */
export function parseCondition(src: string): CondNode {
  const toks = tokenize(src);
  let p = 0;
  const peek = (): Tok | undefined => toks[p];
  const isOp = (v: string): boolean => peek()?.k === 'op' && peek()?.v === v;
  const expect = (v: string): void => {
    if (!isOp(v)) throw invalid(src, `expected [${v}] at position ${peek()?.pos ?? src.length}`);
    p += 1;
  };
  const binary = (next: () => CondNode, opsList: readonly string[]): (() => CondNode) => {
    return () => {
      let left = next();
      while (peek()?.k === 'op' && opsList.includes(peek()?.v ?? '')) {
        const op = peek()?.v ?? '';
        p += 1;
        left = { t: 'bin', op, left, right: next() };
      }
      return left;
    };
  };
  const primary = (): CondNode => {
    const tok = peek();
    if (tok === undefined) throw invalid(src, 'unexpected end of expression');
    p += 1;
    if (tok.k === 'num') {
      return { t: 'lit', v: Number(tok.v.replace(/[LlDdFf]$/, '')) };
    }
    if (tok.k === 'str') return { t: 'lit', v: tok.v };
    if (tok.k === 'id') {
      if (tok.v === 'true') return { t: 'lit', v: true };
      if (tok.v === 'false') return { t: 'lit', v: false };
      if (tok.v === 'null') return { t: 'lit', v: null };
      if (tok.v === 'ctx' || tok.v === 'params') return { t: 'root', name: tok.v };
      if (tok.v === 'field' && isOp('(')) {
        // Painless field API: field('a.b') with .get(default) / .exists()
        p += 1;
        const arg = peek();
        if (arg?.k !== 'str') throw invalid(src, 'field() takes a string literal');
        p += 1;
        expect(')');
        return { t: 'field', path: arg.v };
      }
      throw invalid(src, `unknown identifier [${tok.v}]`);
    }
    if (tok.v === '(') {
      const e = expr();
      expect(')');
      return e;
    }
    if (tok.v === '[') {
      const items: CondNode[] = [];
      if (!isOp(']')) {
        items.push(expr());
        while (isOp(',')) {
          p += 1;
          items.push(expr());
        }
      }
      expect(']');
      return { t: 'list', items };
    }
    throw invalid(src, `unexpected [${tok.v}] at position ${tok.pos}`);
  };
  const postfix = (): CondNode => {
    let node = primary();
    for (;;) {
      if (isOp('.') || isOp('?.')) {
        const optional = peek()?.v === '?.';
        p += 1;
        const name = peek();
        if (name?.k !== 'id' && name?.k !== 'num') throw invalid(src, 'expected a field or method name');
        p += 1;
        if (isOp('(')) {
          p += 1;
          const args: CondNode[] = [];
          if (!isOp(')')) {
            args.push(expr());
            while (isOp(',')) {
              p += 1;
              args.push(expr());
            }
          }
          expect(')');
          const arity = CONDITION_METHODS[name.v];
          if (arity === undefined) throw invalid(src, `method [${name.v}] is not supported`);
          if (arity !== args.length) throw invalid(src, `method [${name.v}] takes ${arity} argument(s)`);
          node = { t: 'call', obj: node, name: name.v, args, optional };
        } else node = { t: 'member', obj: node, name: name.v, optional };
      } else if (isOp('[') || isOp('?[')) {
        const optional = peek()?.v === '?[';
        p += 1;
        const key = expr();
        expect(']');
        node = { t: 'index', obj: node, key, optional };
      } else return node;
    }
  };
  const unary = (): CondNode => {
    if (isOp('!')) {
      p += 1;
      return { t: 'not', arg: unary() };
    }
    if (isOp('-')) {
      p += 1;
      return { t: 'neg', arg: unary() };
    }
    return postfix();
  };
  const relational = (): CondNode => {
    let left = unary();
    for (;;) {
      const tok = peek();
      if (tok?.k === 'op' && ['<', '<=', '>', '>='].includes(tok.v)) {
        p += 1;
        left = { t: 'bin', op: tok.v, left, right: unary() };
      } else if (tok?.k === 'id' && tok.v === 'instanceof') {
        p += 1;
        const type = peek();
        if (type?.k !== 'id' || !TYPES.has(type.v))
          throw invalid(src, `instanceof type [${type?.v ?? ''}] is not supported`);
        p += 1;
        left = { t: 'instanceof', arg: left, type: type.v };
      } else return left;
    }
  };
  const equality = binary(relational, ['==', '!=']);
  const and = binary(equality, ['&&']);
  const expr = binary(and, ['||']);
  const result = expr();
  if (p < toks.length)
    throw invalid(src, `unexpected [${toks[p]?.v ?? ''}] at position ${toks[p]?.pos ?? 0}`);
  return result;
}

/** A compiled condition: evaluates against the document (read-only). */
export type CompiledCondition = (doc: IngestDocument) => boolean;

type Eval = (doc: IngestDocument) => unknown;

const CTX = Symbol('ctx');

function scriptError(message: string): ProcessingError {
  return new ProcessingError('script_exception', message);
}

function npe(name: string): ProcessingError {
  return scriptError(`cannot access method/field [${name}] from a null def reference`);
}

function asBool(v: unknown, op: string): boolean {
  if (typeof v !== 'boolean') {
    throw scriptError(
      v === null
        ? `Cannot apply [${op}] to a null value`
        : `Cannot cast ${javaClassName(v)} to java.lang.Boolean`,
    );
  }
  return v;
}

function ctxMember(doc: IngestDocument, name: string): unknown {
  const m = METADATA_KEYS.has(name) ? doc.meta : doc.source;
  return Object.hasOwn(m, name) ? m[name] : null;
}

function member(obj: unknown, name: string, doc: IngestDocument): unknown {
  if (obj === CTX) return ctxMember(doc, name);
  if (isMap(obj)) return Object.hasOwn(obj, name) ? obj[name] : null;
  if (Array.isArray(obj)) {
    if (/^\d+$/.test(name)) {
      const v: unknown = obj[Number(name)];
      if (v === undefined) throw scriptError(`Index ${name} out of bounds for length ${obj.length}`);
      return v;
    }
    if (name === 'length' || name === 'size') return obj.length;
    throw scriptError(`Illegal list shortcut value [${name}].`);
  }
  throw scriptError(`dynamic getter [${javaClassName(obj)}, ${name}] not found`);
}

function materialize(v: unknown, doc: IngestDocument): unknown {
  return v === CTX ? doc.ctxMap() : v;
}

function compareEq(a: unknown, b: unknown): boolean {
  if (a === null || b === null) return a === b;
  if (isNumber(a) && isNumber(b)) return numericValue(a) === numericValue(b);
  if (typeof a === 'string' && typeof b === 'string') return a === b;
  return javaEquals(a, b);
}

function instanceOf(v: unknown, type: string): boolean {
  const jt = javaType(v);
  switch (type) {
    case 'List':
    case 'ArrayList':
    case 'Collection':
      return jt === 'List';
    case 'Map':
    case 'HashMap':
      return jt === 'Map';
    case 'Number':
      return isNumber(v);
    case 'Object':
      return v !== null;
    default:
      return jt === type;
  }
}

function callMethod(obj: unknown, name: string, args: unknown[]): unknown {
  const [a] = args;
  if (obj instanceof FieldAccess) {
    if (name === 'get') return obj.found && obj.value !== null ? obj.value : (a ?? null);
    if (name === 'exists') return obj.found;
    return thrower(obj, name);
  }
  if (typeof obj === 'string') {
    switch (name) {
      case 'contains':
        return typeof a === 'string' ? obj.includes(a) : thrower(obj, name);
      case 'startsWith':
        return typeof a === 'string' ? obj.startsWith(a) : thrower(obj, name);
      case 'endsWith':
        return typeof a === 'string' ? obj.endsWith(a) : thrower(obj, name);
      case 'equals':
        return obj === a;
      case 'equalsIgnoreCase':
        return typeof a === 'string' && obj.toLowerCase() === a.toLowerCase();
      case 'isEmpty':
        return obj.length === 0;
      case 'length':
        return obj.length;
      case 'toLowerCase':
        return obj.toLowerCase();
      case 'toUpperCase':
        return obj.toUpperCase();
      case 'trim':
        return javaTrim(obj);
      default:
        return thrower(obj, name);
    }
  }
  if (Array.isArray(obj)) {
    switch (name) {
      case 'contains':
        return obj.some((x) => javaEquals(x, a) || (isNumber(x) && isNumber(a) && javaEquals(x, a)));
      case 'isEmpty':
        return obj.length === 0;
      case 'size':
        return obj.length;
      case 'equals':
        return javaEquals(obj, a);
      case 'get': {
        if (typeof a !== 'number') return thrower(obj, name);
        const v: unknown = obj[a];
        if (v === undefined) throw scriptError(`Index ${a} out of bounds for length ${obj.length}`);
        return v;
      }
      default:
        return thrower(obj, name);
    }
  }
  if (isMap(obj)) {
    switch (name) {
      case 'containsKey':
        return typeof a === 'string' && Object.hasOwn(obj, a);
      case 'isEmpty':
        return Object.keys(obj).length === 0;
      case 'size':
        return Object.keys(obj).length;
      case 'get':
        return typeof a === 'string' && Object.hasOwn(obj, a) ? obj[a] : null;
      case 'equals':
        return javaEquals(obj, a);
      default:
        return thrower(obj, name);
    }
  }
  if (name === 'equals') return compareEq(obj, a) && javaType(obj) === javaType(a);
  return thrower(obj, name);
}

function thrower(obj: unknown, name: string): never {
  throw scriptError(`dynamic method [${javaClassName(obj)}, ${name}] not found`);
}

/**
 * `ctx.a?.b.c` (member accesses with plain names from `ctx`) as one loop: null-safe steps yield
 * null, plain steps on null throw the null-pointer error, maps answer null for missing keys.
 */
function ctxChain(node: CondNode): Eval | undefined {
  const steps: { name: string; optional: boolean }[] = [];
  let cur: CondNode = node;
  while (cur.t === 'member') {
    if (/^\d+$/.test(cur.name)) return undefined;
    steps.unshift({ name: cur.name, optional: cur.optional });
    cur = cur.obj;
  }
  if (cur.t !== 'root' || cur.name !== 'ctx' || steps.length < 2) return undefined;
  const [first, ...rest] = steps;
  if (first === undefined) return undefined;
  const firstName = first.name;
  const [second] = rest;
  if (
    rest.length === 1 &&
    second !== undefined &&
    !METADATA_KEYS.has(firstName) &&
    !inheritedName(firstName) &&
    !inheritedName(second.name)
  ) {
    // `ctx.a?.b` on `_source` with names no object inherits: a property read is the own-key lookup
    // (a missing key reads undefined, treated as null like an absent one)
    const { name, optional } = second;
    return (doc) => {
      const v = doc.source[firstName];
      if (v === null || v === undefined) {
        if (optional) return null;
        throw npe(name);
      }
      if ((v as { constructor?: unknown }).constructor === Object) return (v as JsonMap)[name] ?? null;
      if (isMap(v)) return Object.hasOwn(v, name) ? (v[name] ?? null) : null;
      return member(v, name, doc);
    };
  }
  const firstFrom = METADATA_KEYS.has(firstName)
    ? (doc: IngestDocument): unknown => (Object.hasOwn(doc.meta, firstName) ? doc.meta[firstName] : null)
    : (doc: IngestDocument): unknown => (Object.hasOwn(doc.source, firstName) ? doc.source[firstName] : null);
  if (rest.length === 1 && second !== undefined) {
    const { name, optional } = second;
    return (doc) => {
      const v = firstFrom(doc);
      if (v === null || v === undefined) {
        if (optional) return null;
        throw npe(name);
      }
      if (isPlainObject(v)) return Object.hasOwn(v, name) ? (v[name] ?? null) : null;
      return member(v, name, doc);
    };
  }
  return (doc) => {
    let v: unknown = firstFrom(doc);
    for (const step of rest) {
      if (v === null || v === undefined) {
        if (step.optional) return null;
        throw npe(step.name);
      }
      v = isPlainObject(v) ? (Object.hasOwn(v, step.name) ? v[step.name] : null) : member(v, step.name, doc);
    }
    return v === undefined ? null : v;
  };
}

/** The value behind `field('path')`: dotted names may be literal keys at any level. */
class FieldAccess {
  constructor(
    readonly found: boolean,
    readonly value: unknown,
  ) {}
}

function resolveFieldApi(container: unknown, path: string): FieldAccess {
  if (!isMap(container)) return new FieldAccess(false, null);
  if (Object.hasOwn(container, path)) return new FieldAccess(true, container[path]);
  const parts = path.split('.');
  for (let i = parts.length - 1; i >= 1; i -= 1) {
    const key = parts.slice(0, i).join('.');
    if (Object.hasOwn(container, key)) {
      const r = resolveFieldApi(container[key], parts.slice(i).join('.'));
      if (r.found) return r;
    }
  }
  return new FieldAccess(false, null);
}

const STRING_METHODS: Readonly<Record<string, (s: string, a: string) => boolean>> = {
  contains: (s, a) => s.includes(a),
  startsWith: (s, a) => s.startsWith(a),
  endsWith: (s, a) => s.endsWith(a),
  equals: (s, a) => s === a,
  equalsIgnoreCase: (s, a) => s.toLowerCase() === a.toLowerCase(),
};

/** Plain JSON objects (the common case) without the full isMap checks. */
function isPlainObject(v: unknown): v is JsonMap {
  return (
    typeof v === 'object' &&
    v !== null &&
    ((v as { constructor?: unknown }).constructor === Object || isMap(v))
  );
}

/** Methods that answer a boolean (or throw) on every receiver they accept. */
const BOOLEAN_METHODS = new Set([
  'contains',
  'startsWith',
  'endsWith',
  'equals',
  'equalsIgnoreCase',
  'isEmpty',
  'containsKey',
  'exists',
]);

/**
 * True when the node's closure can only return a boolean (or throw): its result needs no boolean
 * check. A null-safe call (`a?.contains(x)`) can return null, so it does not count.
 */
function yieldsBoolean(node: CondNode): boolean {
  switch (node.t) {
    case 'lit':
      return typeof node.v === 'boolean';
    case 'not':
    case 'instanceof':
      return true;
    case 'bin':
      return true;
    case 'call':
      return !node.optional && BOOLEAN_METHODS.has(node.name);
    default:
      return false;
  }
}

function compileNode(node: CondNode, params: JsonMap): Eval {
  switch (node.t) {
    case 'field': {
      const path = node.path;
      return (doc) => resolveFieldApi(doc.source, path);
    }
    case 'lit': {
      const v = node.v;
      return () => v;
    }
    case 'list': {
      if (node.items.every((n) => n.t === 'lit')) {
        const constant = node.items.map((n) => (n.t === 'lit' ? n.v : null));
        return () => constant.slice();
      }
      const items = node.items.map((n) => compileNode(n, params));
      return (doc) => items.map((f) => f(doc));
    }
    case 'root': {
      if (node.name === 'params') return () => params;
      return () => CTX;
    }
    case 'member': {
      const chain = ctxChain(node);
      if (chain !== undefined) return chain;
      const obj = compileNode(node.obj, params);
      const { name, optional } = node;
      if (node.obj.t === 'root' && node.obj.name === 'ctx') return (doc) => ctxMember(doc, name);
      return (doc) => {
        const o = obj(doc);
        if (o === null) {
          if (optional) return null;
          throw npe(name);
        }
        return member(o, name, doc);
      };
    }
    case 'index': {
      const obj = compileNode(node.obj, params);
      const key = compileNode(node.key, params);
      const optional = node.optional;
      return (doc) => {
        const o = obj(doc);
        const k = key(doc);
        if (o === null) {
          if (optional) return null;
          throw npe(String(k));
        }
        if (o === CTX && typeof k === 'string') return ctxMember(doc, k);
        if (isMap(o)) return typeof k === 'string' && Object.hasOwn(o, k) ? o[k] : null;
        if (Array.isArray(o) && typeof k === 'number') {
          const v: unknown = o[k];
          if (v === undefined) throw scriptError(`Index ${k} out of bounds for length ${o.length}`);
          return v;
        }
        throw scriptError(`Attempting to address a non-array-like type [${javaClassName(o)}] as an array.`);
      };
    }
    case 'call': {
      const { items } = node.obj.t === 'list' ? node.obj : { items: undefined };
      if (
        node.name === 'contains' &&
        items?.every((n) => n.t === 'lit' && typeof n.v === 'string') === true
      ) {
        // a constant list of strings: membership by String.equals, precomputed once
        const set = new Set(items.map((n) => (n.t === 'lit' ? String(n.v) : '')));
        const arg = compileNode(node.args[0] ?? { t: 'lit', v: null }, params);
        return (doc) => {
          const v = arg(doc);
          return typeof v === 'string' && set.has(v);
        };
      }
      const obj = compileNode(node.obj, params);
      const { name, optional } = node;
      const [firstArg] = node.args;
      const fast = firstArg?.t === 'lit' && typeof firstArg.v === 'string' ? STRING_METHODS[name] : undefined;
      if (fast !== undefined && firstArg?.t === 'lit') {
        // String receiver with a string literal argument: answered directly, other receivers as usual
        const lit = String(firstArg.v);
        return (doc) => {
          const o = obj(doc);
          if (typeof o === 'string') return fast(o, lit);
          if (o === null) {
            if (optional) return null;
            throw npe(name);
          }
          return callMethod(materialize(o, doc), name, [lit]);
        };
      }
      const args = node.args.map((a) => compileNode(a, params));
      return (doc) => {
        const o = materialize(obj(doc), doc);
        if (o === null) {
          if (optional) return null;
          throw npe(name);
        }
        return callMethod(
          o,
          name,
          args.map((f) => materialize(f(doc), doc)),
        );
      };
    }
    case 'not': {
      const arg = compileNode(node.arg, params);
      if (yieldsBoolean(node.arg)) return (doc) => !arg(doc);
      return (doc) => !asBool(arg(doc), '!');
    }
    case 'neg': {
      const arg = compileNode(node.arg, params);
      return (doc) => {
        const v = arg(doc);
        if (!isNumber(v)) throw scriptError(`Cannot apply [-] operation to type [${javaClassName(v)}].`);
        return -numericValue(v);
      };
    }
    case 'instanceof': {
      const arg = compileNode(node.arg, params);
      const type = node.type;
      if (type === 'String') return (doc) => typeof arg(doc) === 'string';
      if (type === 'List' || type === 'ArrayList') return (doc) => Array.isArray(arg(doc));
      return (doc) => instanceOf(materialize(arg(doc), doc), type);
    }
    case 'bin': {
      const l = compileNode(node.left, params);
      const r = compileNode(node.right, params);
      switch (node.op) {
        case '&&':
        case '||': {
          const op = node.op;
          const lb = yieldsBoolean(node.left);
          const rb = yieldsBoolean(node.right);
          if (op === '&&') {
            if (lb && rb) return (doc) => l(doc) && r(doc);
            return (doc) => asBool(l(doc), op) && asBool(r(doc), op);
          }
          if (lb && rb) return (doc) => l(doc) || r(doc);
          return (doc) => asBool(l(doc), op) || asBool(r(doc), op);
        }
        case '==':
        case '!=': {
          const negate = node.op === '!=';
          const lit = node.right.t === 'lit' ? node.right.v : undefined;
          if (
            node.right.t === 'lit' &&
            (typeof lit === 'string' || lit === null || typeof lit === 'boolean')
          ) {
            // comparing with a string, boolean or null literal: Java equals is identity of the JS value
            return negate ? (doc) => l(doc) !== lit : (doc) => l(doc) === lit;
          }
          return negate
            ? (doc) => !compareEq(materialize(l(doc), doc), materialize(r(doc), doc))
            : (doc) => compareEq(materialize(l(doc), doc), materialize(r(doc), doc));
        }
        default: {
          const op = node.op;
          return (doc) => {
            const a = l(doc);
            const b = r(doc);
            if (!isNumber(a) || !isNumber(b)) {
              throw scriptError(
                `Cannot apply [${op}] operation to types [${javaClassName(a)}] and [${javaClassName(b)}].`,
              );
            }
            const x = numericValue(a);
            const y = numericValue(b);
            return op === '<' ? x < y : op === '<=' ? x <= y : op === '>' ? x > y : x >= y;
          };
        }
      }
    }
  }
}

/**
 * A cheap necessary test of a condition: `[string literals].contains(E)` or `E == literal`, alone or as
 * the leftmost operand of `&&`, over a null-safe `_source` chain E (`ctx.a?.b`, `ctx.a?.b?.c`). When E's
 * value is not one of `admitted`, the whole condition is false, without anything else being evaluated.
 */
export interface ConditionGuard {
  /** E's path in `_source` (`['event', 'action']`). */
  readonly path: readonly string[];
  /** Evaluates E exactly as the condition does (it may throw as the condition would). */
  readonly read: (doc: IngestDocument) => unknown;
  /** The values of E the guard lets through (strings, or one null/boolean literal): any other fails it. */
  readonly admitted: readonly (string | boolean | null)[];
}

/** The `_source` path of `ctx.a?.b[?.c…]` (every step after the first null-safe), else undefined. */
function nullSafeSourcePath(node: CondNode): string[] | undefined {
  const names: string[] = [];
  let cur = node;
  while (cur.t === 'member') {
    names.unshift(cur.name);
    if (cur.obj.t !== 'root' && !cur.optional) return undefined;
    cur = cur.obj;
  }
  if (cur.t !== 'root' || cur.name !== 'ctx' || names.length < 2) return undefined;
  const [first] = names;
  if (first === undefined || METADATA_KEYS.has(first)) return undefined;
  if (names.some((n) => inheritedName(n) || /^\d+$/.test(n))) return undefined;
  return names;
}

export function conditionGuard(source: string): ConditionGuard | undefined {
  let node = parseCondition(source);
  while (node.t === 'bin' && node.op === '&&') node = node.left;
  let operand: CondNode;
  let admitted: (string | boolean | null)[];
  if (
    node.t === 'call' &&
    node.name === 'contains' &&
    node.obj.t === 'list' &&
    node.obj.items.every((n) => n.t === 'lit' && typeof n.v === 'string') &&
    node.args[0] !== undefined
  ) {
    // compiled as `typeof v === 'string' && set.has(v)`: exactly the listed strings
    admitted = [...new Set(node.obj.items.map((n) => (n.t === 'lit' ? String(n.v) : '')))];
    operand = node.args[0];
  } else if (
    node.t === 'bin' &&
    node.op === '==' &&
    node.right.t === 'lit' &&
    (typeof node.right.v === 'string' || node.right.v === null || typeof node.right.v === 'boolean')
  ) {
    // compiled as `v === lit`
    admitted = [node.right.v];
    operand = node.left;
  } else return undefined;
  const path = nullSafeSourcePath(operand);
  if (path === undefined) return undefined;
  return { path, read: compileNode(operand, {}), admitted };
}

/** Compiles a condition once into a closure. */
export function compileCondition(source: string, params: JsonMap = {}): CompiledCondition {
  const ast = parseCondition(source);
  const f = compileNode(ast, params);
  if (yieldsBoolean(ast)) return f as CompiledCondition;
  return (doc) => {
    const v = f(doc);
    if (typeof v !== 'boolean') {
      throw scriptError(
        v === null ? 'cannot cast null to a primitive boolean' : `Cannot cast ${javaClassName(v)} to boolean`,
      );
    }
    return v;
  };
}
