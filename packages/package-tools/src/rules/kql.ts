/**
 * A KQL (Kibana Query Language) parser and evaluator for the subset detection rules and dashboards of
 * this package use. It is OUR re-implementation from Kibana's documented grammar, not Kibana's
 * (`@kbn/es-query` compiles KQL to Elasticsearch DSL; this evaluates it on documents directly):
 *
 *   query    := or
 *   or       := and ("or" and)*          and := not ("and" not)*        not := "not" not | primary
 *   primary  := "(" or ")" | field ":" values | field ("<"|"<="|">"|">=") value | field ":" "*"
 *   values   := "(" vor ")" | value      vor := vand ("or" vand)*       vand := vnot ("and" vnot)*
 *   vnot     := "not" vnot | "(" vor ")" | value
 *   value    := "quoted phrase" | unquoted literal (`*` is a wildcard, `\` escapes)
 *
 * Keywords are case-insensitive. Not supported (a parse error, never a silent guess): free text
 * without a field, wildcard field names, nested `field:{ … }` queries.
 *
 * Matching, by the field's mapping type: keyword family — exact, case-sensitive, `*` wildcards on
 * unquoted values; text / match_only_text — lower-cased word tokens (unquoted: any token, quoted: the
 * phrase); boolean — `true`/`false`; numbers and dates — equality and ranges; ip — equality or CIDR.
 * Arrays match when any element does; `not` matches when no value does (a missing field included).
 */

export type KqlNode =
  | { kind: 'or' | 'and'; items: KqlNode[] }
  | { kind: 'not'; item: KqlNode }
  | { kind: 'exists'; field: string }
  | { kind: 'match'; field: string; value: ValueNode }
  | { kind: 'range'; field: string; op: '<' | '<=' | '>' | '>='; value: string };

export type ValueNode =
  | { kind: 'or' | 'and'; items: ValueNode[] }
  | { kind: 'not'; item: ValueNode }
  | { kind: 'value'; text: string; quoted: boolean };

export class KqlSyntaxError extends Error {
  readonly position: number;
  constructor(message: string, position: number) {
    super(`${message} at character ${position}`);
    this.name = 'KqlSyntaxError';
    this.position = position;
  }
}

type Token =
  | { t: '(' | ')' | ':' | '<' | '<=' | '>' | '>=' | 'eof'; at: number }
  | { t: 'word'; text: string; raw: string; at: number }
  | { t: 'quoted'; text: string; at: number };

const SPECIAL = new Set(['(', ')', ':', '<', '>', '"', '{', '}']);

function tokenize(input: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < input.length) {
    const c = input[i] ?? '';
    if (/\s/.test(c)) {
      i += 1;
      continue;
    }
    if (c === '(' || c === ')' || c === ':') {
      out.push({ t: c, at: i });
      i += 1;
      continue;
    }
    if (c === '<' || c === '>') {
      const op = input[i + 1] === '=' ? `${c}=` : c;
      out.push({ t: op as '<' | '<=' | '>' | '>=', at: i });
      i += op.length;
      continue;
    }
    if (c === '{' || c === '}') throw new KqlSyntaxError('nested field queries ({ }) are not supported', i);
    if (c === '"') {
      const start = i;
      let text = '';
      i += 1;
      for (;;) {
        if (i >= input.length) throw new KqlSyntaxError('unterminated quoted value', start);
        const d = input[i] ?? '';
        if (d === '\\') {
          text += input[i + 1] ?? '';
          i += 2;
        } else if (d === '"') {
          i += 1;
          break;
        } else {
          text += d;
          i += 1;
        }
      }
      out.push({ t: 'quoted', text, at: start });
      continue;
    }
    const start = i;
    let text = '';
    let raw = '';
    while (i < input.length) {
      const d = input[i] ?? '';
      if (/\s/.test(d) || SPECIAL.has(d)) break;
      if (d === '\\') {
        // An escaped character is literal: keep it out of the wildcard syntax with a marker.
        const next = input[i + 1] ?? '';
        text += next === '*' ? '\uE000' : next;
        raw += d + next;
        i += 2;
        continue;
      }
      text += d;
      raw += d;
      i += 1;
    }
    out.push({ t: 'word', text, raw, at: start });
  }
  out.push({ t: 'eof', at: input.length });
  return out;
}

const isKeyword = (tok: Token, word: string): boolean => tok.t === 'word' && tok.raw.toLowerCase() === word;

/** Parses a KQL query (empty → matches everything). Throws KqlSyntaxError naming the position. */
export function parseKql(input: string): KqlNode {
  const tokens = tokenize(input);
  let pos = 0;
  const peek = (): Token => tokens[pos] ?? { t: 'eof', at: input.length };
  const next = (): Token => {
    const tok = peek();
    pos += 1;
    return tok;
  };
  const expect = (t: Token['t']): Token => {
    const tok = next();
    if (tok.t !== t) throw new KqlSyntaxError(`expected "${t}"`, tok.at);
    return tok;
  };

  const value = (): ValueNode => {
    const tok = next();
    if (tok.t === 'quoted') return { kind: 'value', text: tok.text, quoted: true };
    if (tok.t === 'word' && !['and', 'or', 'not'].includes(tok.raw.toLowerCase()))
      return { kind: 'value', text: tok.text, quoted: false };
    throw new KqlSyntaxError('expected a value', tok.at);
  };
  const vnot = (): ValueNode => {
    if (isKeyword(peek(), 'not')) {
      next();
      return { kind: 'not', item: vnot() };
    }
    if (peek().t === '(') {
      next();
      const inner = vor();
      expect(')');
      return inner;
    }
    return value();
  };
  const vand = (): ValueNode => {
    const items = [vnot()];
    while (isKeyword(peek(), 'and')) {
      next();
      items.push(vnot());
    }
    return items.length === 1 ? (items[0] as ValueNode) : { kind: 'and', items };
  };
  const vor = (): ValueNode => {
    const items = [vand()];
    while (isKeyword(peek(), 'or')) {
      next();
      items.push(vand());
    }
    return items.length === 1 ? (items[0] as ValueNode) : { kind: 'or', items };
  };

  const primary = (): KqlNode => {
    const tok = peek();
    if (tok.t === '(') {
      next();
      const inner = or();
      expect(')');
      return inner;
    }
    if (tok.t !== 'word') throw new KqlSyntaxError('expected a field name', tok.at);
    next();
    const field = tok.text;
    if (field.includes('*')) throw new KqlSyntaxError('wildcard field names are not supported', tok.at);
    const op = peek();
    if (op.t === ':') {
      next();
      const v = peek();
      if (v.t === 'word' && v.raw === '*') {
        next();
        return { kind: 'exists', field };
      }
      if (v.t === '(') {
        next();
        const inner = vor();
        expect(')');
        return { kind: 'match', field, value: inner };
      }
      return { kind: 'match', field, value: value() };
    }
    if (op.t === '<' || op.t === '<=' || op.t === '>' || op.t === '>=') {
      next();
      const v = next();
      if (v.t !== 'word' && v.t !== 'quoted') throw new KqlSyntaxError('expected a range value', v.at);
      return { kind: 'range', field, op: op.t, value: v.text };
    }
    throw new KqlSyntaxError(`free text ("${field}") is not supported: write field : value`, tok.at);
  };
  const not = (): KqlNode => {
    if (isKeyword(peek(), 'not')) {
      next();
      return { kind: 'not', item: not() };
    }
    return primary();
  };
  const and = (): KqlNode => {
    const items = [not()];
    while (isKeyword(peek(), 'and')) {
      next();
      items.push(not());
    }
    return items.length === 1 ? (items[0] as KqlNode) : { kind: 'and', items };
  };
  const or = (): KqlNode => {
    const items = [and()];
    while (isKeyword(peek(), 'or')) {
      next();
      items.push(and());
    }
    return items.length === 1 ? (items[0] as KqlNode) : { kind: 'or', items };
  };

  if (peek().t === 'eof') return { kind: 'and', items: [] };
  const ast = or();
  const rest = peek();
  if (rest.t !== 'eof') throw new KqlSyntaxError('unexpected input', rest.at);
  return ast;
}

/** Every field a query names, in order of appearance (duplicates removed). */
export function kqlQueryFields(node: KqlNode): string[] {
  const out: string[] = [];
  const walk = (n: KqlNode): void => {
    switch (n.kind) {
      case 'or':
      case 'and':
        n.items.forEach(walk);
        return;
      case 'not':
        walk(n.item);
        return;
      default:
        if (!out.includes(n.field)) out.push(n.field);
    }
  };
  walk(node);
  return out;
}

/** Every literal value a query compares `field` with (for checks such as "actions exist in the catalog"). */
export function kqlValuesOf(node: KqlNode, field: string): string[] {
  const out: string[] = [];
  const values = (v: ValueNode): void => {
    if (v.kind === 'value') out.push(v.text);
    else if (v.kind === 'not') values(v.item);
    else v.items.forEach(values);
  };
  const walk = (n: KqlNode): void => {
    switch (n.kind) {
      case 'or':
      case 'and':
        n.items.forEach(walk);
        return;
      case 'not':
        walk(n.item);
        return;
      case 'match':
        if (n.field === field) values(n.value);
        return;
      default:
    }
  };
  walk(node);
  return out;
}

/** Leaf values of a dotted field in a document (nested objects and dotted keys alike; arrays flattened). */
export function fieldValues(doc: unknown, field: string): unknown[] {
  const out: unknown[] = [];
  const visit = (value: unknown, rest: string): void => {
    if (Array.isArray(value)) {
      for (const v of value) visit(v, rest);
      return;
    }
    if (rest === '') {
      if (value !== null && value !== undefined) out.push(value);
      return;
    }
    if (typeof value !== 'object' || value === null) return;
    const obj = value as Record<string, unknown>;
    for (const key of Object.keys(obj)) {
      if (rest === key) visit(obj[key], '');
      else if (rest.startsWith(`${key}.`)) visit(obj[key], rest.slice(key.length + 1));
    }
  };
  visit(doc, field);
  // A multi-field (`x.text` of a keyword `x`) indexes its parent's value; it has none of its own.
  const dot = field.lastIndexOf('.');
  if (out.length === 0 && dot > 0) {
    const parent = fieldValues(doc, field.slice(0, dot));
    if (parent.length > 0 && parent.every((v) => typeof v === 'string')) return parent;
  }
  return out;
}

/** The mapping type of a field (e.g. from the package fields); undefined = unknown (treated as keyword). */
export type FieldTypeOf = (field: string) => string | undefined;

const NUMERIC = new Set([
  'long',
  'integer',
  'short',
  'byte',
  'double',
  'float',
  'half_float',
  'scaled_float',
]);
const TEXT = new Set(['text', 'match_only_text']);

function wildcard(pattern: string): RegExp {
  const body = pattern
    .split('*')
    .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\uE000/g, '\\*'))
    .join('.*');
  return new RegExp(`^${body}$`, 's');
}

function tokens(text: string): string[] {
  return text
    .toLowerCase()
    .split(/[^\p{L}\p{N}_]+/u)
    .filter((t) => t !== '');
}

function ipv4ToInt(ip: string): number | undefined {
  const parts = ip.split('.');
  if (parts.length !== 4) return undefined;
  let n = 0;
  for (const p of parts) {
    const v = Number(p);
    if (!/^\d{1,3}$/.test(p) || v > 255) return undefined;
    n = n * 256 + v;
  }
  return n;
}

function ipMatches(value: string, query: string): boolean {
  const slash = query.indexOf('/');
  if (slash < 0) return value.toLowerCase() === query.toLowerCase();
  const base = ipv4ToInt(query.slice(0, slash));
  const bits = Number(query.slice(slash + 1));
  const v = ipv4ToInt(value);
  if (base === undefined || v === undefined || !(bits >= 0 && bits <= 32)) return false;
  const size = 2 ** (32 - bits);
  return Math.floor(v / size) === Math.floor(base / size);
}

const MATH_UNITS: Record<string, number> = {
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 604_800_000,
};

/** Epoch ms of a date value, or of Elasticsearch date math `now[-+]<n><s|m|h|d|w>` relative to `now`. */
function timeOf(value: unknown, now?: number): number | undefined {
  if (typeof value === 'number') return value;
  if (typeof value !== 'string') return undefined;
  const math = /^now(?:([-+])(\d+)([smhdw]))?$/.exec(value);
  if (math) {
    if (now === undefined) return undefined;
    const n = math[2] === undefined ? 0 : Number(math[2]) * (MATH_UNITS[math[3] ?? 's'] ?? 0);
    return math[1] === '-' ? now - n : now + n;
  }
  const t = Date.parse(value);
  return Number.isNaN(t) ? undefined : t;
}

/** Does one document value satisfy one KQL value? */
function valueMatches(
  value: unknown,
  v: { text: string; quoted: boolean },
  type: string | undefined,
): boolean {
  if (type === 'boolean' || typeof value === 'boolean') return String(value) === v.text.toLowerCase();
  if ((type !== undefined && NUMERIC.has(type)) || typeof value === 'number') {
    const n = Number(v.text);
    return !Number.isNaN(n) && Number(value) === n;
  }
  if (type === 'date' || type === 'date_nanos') {
    const a = timeOf(value);
    const b = timeOf(v.text);
    return a !== undefined && a === b;
  }
  if (type === 'ip' && typeof value === 'string') return ipMatches(value, v.text);
  if (typeof value !== 'string') return false;
  if (type !== undefined && TEXT.has(type)) {
    const have = tokens(value);
    const want = tokens(v.text);
    if (want.length === 0) return false;
    if (!v.quoted) return want.some((w) => have.includes(w));
    for (let i = 0; i + want.length <= have.length; i += 1)
      if (want.every((w, j) => have[i + j] === w)) return true;
    return false;
  }
  if (!v.quoted && v.text.includes('*')) return wildcard(v.text).test(value);
  return value === v.text.replace(/\uE000/g, '*');
}

function valueTree(values: unknown[], v: ValueNode, type: string | undefined): boolean {
  switch (v.kind) {
    case 'value':
      return values.some((x) => valueMatches(x, v, type));
    case 'not':
      return !valueTree(values, v.item, type);
    case 'and':
      return v.items.every((i) => valueTree(values, i, type));
    case 'or':
      return v.items.some((i) => valueTree(values, i, type));
  }
}

function inRange(
  value: unknown,
  op: '<' | '<=' | '>' | '>=',
  bound: string,
  type: string | undefined,
  now: number | undefined,
): boolean {
  let a: number | undefined;
  let b: number | undefined;
  if (type === 'date' || type === 'date_nanos' || (type === undefined && typeof value === 'string')) {
    a = timeOf(value);
    b = timeOf(bound, now);
  } else {
    a = typeof value === 'number' ? value : Number(value);
    b = Number(bound);
  }
  if (a === undefined || b === undefined || Number.isNaN(a) || Number.isNaN(b)) return false;
  return op === '<' ? a < b : op === '<=' ? a <= b : op === '>' ? a > b : a >= b;
}

/**
 * Evaluates a parsed query on one document (`_source`). `now` (epoch ms) resolves date math such as
 * `now-30d` in ranges; without it such a range matches nothing.
 */
export function kqlMatches(
  node: KqlNode,
  doc: unknown,
  typeOf: FieldTypeOf = () => undefined,
  now?: number,
): boolean {
  switch (node.kind) {
    case 'and':
      return node.items.every((n) => kqlMatches(n, doc, typeOf, now));
    case 'or':
      return node.items.some((n) => kqlMatches(n, doc, typeOf, now));
    case 'not':
      return !kqlMatches(node.item, doc, typeOf, now);
    case 'exists':
      return fieldValues(doc, node.field).length > 0;
    case 'match':
      return valueTree(fieldValues(doc, node.field), node.value, typeOf(node.field));
    case 'range': {
      const type = typeOf(node.field);
      return fieldValues(doc, node.field).some((v) => inRange(v, node.op, node.value, type, now));
    }
  }
}
