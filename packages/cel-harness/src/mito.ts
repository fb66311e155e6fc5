import { createHash } from 'node:crypto';
import { Environment } from './cel';
import { CelHarnessError } from './errors';
import { formatGoTime, parseGoTime } from './golayout';
import { toCelPromise, toCelRealm } from './realm';
import { decodeJson, encodeJson, isCelMap, type CelMap } from './values';

/**
 * The subset of mito (elastic/mito `lib/`) the package's programs use, emulated on cel-js following
 * mito's documentation. Anything not registered here fails with "found no matching overload", and
 * cel-js built-ins that the Agent's environment does not have are rejected before evaluation
 * (`checkAgentFunctions`). Fidelity gaps are listed in the README.
 */

export interface HttpExchange {
  method: string;
  url: string;
  headers: Record<string, string>;
  body: string;
  status: number;
}

export interface MitoOptions {
  /** Evaluation start (`now` global) and `now()`; injectable. */
  now: () => Date;
  /** `resource.timeout` in ms for every request. */
  timeoutMs: number;
  /** Called after each HTTP exchange (body as sent; the runner redacts before logging). */
  onHttp?: (exchange: HttpExchange) => void;
  /** `debug(tag, value)` output. */
  onDebug?: (tag: string, value: unknown) => void;
}

/** cel-js built-ins (CEL extension libraries) that the Agent's CEL input does not enable. */
const NOT_IN_AGENT = ['lowerAscii', 'upperAscii', 'indexOf', 'lastIndexOf', 'json', 'at', 'string', 'trim'];

/** Rejects calls of cel-js-only receiver functions (a lint over the program text, string literals removed). */
export function checkAgentFunctions(program: string): void {
  const code = program.replace(/\/\/[^\n]*/g, '').replace(/"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*'/g, '""');
  for (const name of NOT_IN_AGENT) {
    const pattern = name === 'trim' ? /\.trim\(\s*\)/ : new RegExp(`\\.${name}\\(`);
    if (pattern.test(code))
      throw new CelHarnessError(
        'CEL_PROGRAM_INVALID',
        `program calls .${name}(), which cel-js has but the Elastic Agent's CEL environment (mito) does not`,
      );
  }
}

/**
 * mito v1.10 (cel-go v0.19) resolves these functions only for a receiver (or argument) whose static
 * type is known: on a dynamically typed value they fail at run time with `no such overload` (found on
 * the real engine: `resp.Body.decode_json()` fails, `bytes(resp.Body).decode_json()` works). Other
 * mito functions (`with`, `keys`, `to_lower`, `format`, ...) dispatch on dyn values. Newer mito
 * resolves both, so a program that passes here runs on every version.
 */
export const DYN_RECEIVER_UNRESOLVED = ['decode_json', 'drop', 'base64', 'hex', 'sha256'] as const;
const ORDERINGS = new Set(['<', '<=', '>', '>=']);
const COMPREHENSIONS = new Set(['map', 'filter', 'all', 'exists', 'exists_one']);

interface CheckedNode {
  op: string;
  args: unknown;
  checkedType?: { kind?: string; name?: string };
  meta?: { alternate?: unknown; macro?: Record<string, unknown> };
}
const isNode = (v: unknown): v is CheckedNode =>
  typeof v === 'object' && v !== null && typeof (v as { op?: unknown }).op === 'string' && 'args' in v;

/**
 * Refuses a program that calls one of `DYN_RECEIVER_UNRESOLVED` on a dynamically typed receiver or
 * argument (it would fail on mito v1.10). Needs the program type-checked, which it does first.
 */
export function checkMitoV110Receivers(program: {
  check: () => { valid: boolean; error?: unknown };
  ast: unknown;
}): void {
  const checked = program.check();
  if (!checked.valid) return; // evaluation reports type errors itself, as mito does at compilation
  const names: readonly string[] = DYN_RECEIVER_UNRESOLVED;
  const seen = new Set<unknown>();
  const visit = (node: unknown): void => {
    if (Array.isArray(node)) {
      for (const n of node) visit(n);
      return;
    }
    if (!isNode(node) || seen.has(node)) return;
    seen.add(node);
    const args = Array.isArray(node.args) ? (node.args as unknown[]) : [node.args];
    if (
      (node.op === 'rcall' || node.op === 'call') &&
      typeof args[0] === 'string' &&
      names.includes(args[0])
    ) {
      const operand = node.op === 'rcall' ? args[1] : (args[1] as unknown[] | undefined)?.[0];
      if (isNode(operand) && operand.checkedType?.kind === 'dyn')
        throw new CelHarnessError(
          'CEL_PROGRAM_INVALID',
          `program calls ${args[0]}() on a dynamically typed value, which mito v1.10 cannot resolve ("no such overload: ${args[0]}"); convert it first, e.g. bytes(resp.Body).${args[0]}()`,
        );
    }
    if (ORDERINGS.has(node.op)) {
      const [l, r] = args;
      const lt = isNode(l) && l.checkedType?.kind === 'primitive' ? l.checkedType.name : undefined;
      const rt = isNode(r) && r.checkedType?.kind === 'primitive' ? r.checkedType.name : undefined;
      const numeric = (t: string | undefined): boolean => t === 'int' || t === 'uint' || t === 'double';
      if (numeric(lt) && numeric(rt) && lt !== rt)
        throw new CelHarnessError(
          'CEL_PROGRAM_INVALID',
          `program compares ${String(lt)} ${node.op} ${String(rt)}: mito v1.10 does not compile ordering comparisons across numeric types; convert one side (int(...) or double(...))`,
        );
    }
    for (const a of args) visit(a);
    const meta = node.meta;
    if (meta?.alternate !== undefined) visit(meta.alternate);
    if (meta?.macro !== undefined) for (const v of Object.values(meta.macro)) visit(v);
  };
  visit(program.ast);
  checkKeysTypeParameter([...seen].filter(isNode));
}

const idName = (n: unknown): string | undefined =>
  isNode(n) && n.op === 'id' && typeof n.args === 'string' ? n.args : undefined;
const argList = (n: CheckedNode): unknown[] => (Array.isArray(n.args) ? (n.args as unknown[]) : [n.args]);

/**
 * A second mito v1.10 divergence: `m.keys()` of a dynamically typed map is a list of a type parameter,
 * and once a comprehension variable over it indexes a dynamically typed value (`m[k]`), cel-go's
 * checker binds that parameter to int (the list-index overload). `string(k)` is then compiled as
 * string(int) and fails at run time on the (string) key with `no such overload: string(string)`, and
 * `"..." + k` does not compile. `string(dyn(k))` works. Refused here for the comprehensions over the
 * same keys() result (through filter() chains and .as bindings) once one of them indexes a dyn value.
 */
function checkKeysTypeParameter(nodes: readonly CheckedNode[]): void {
  const bindings = new Map<string, unknown>();
  for (const n of nodes) {
    const a = argList(n);
    if (n.op === 'rcall' && a[0] === 'as') {
      const name = idName((a[2] as unknown[] | undefined)?.[0]);
      if (name !== undefined) bindings.set(name, a[1]);
    }
  }
  const originOf = (range: unknown): CheckedNode | undefined => {
    let node = range;
    for (let hops = 0; hops < 50 && isNode(node); hops++) {
      const a = argList(node);
      const name = idName(node);
      if (name !== undefined) node = bindings.get(name);
      else if (node.op === 'rcall' && a[0] === 'filter') node = a[1];
      else if (node.op === 'rcall' && a[0] === 'keys')
        return isNode(a[1]) && a[1].checkedType?.kind === 'dyn' ? node : undefined;
      else if (node.op === 'call' && a[0] === 'keys') {
        const arg = (a[1] as unknown[] | undefined)?.[0];
        return isNode(arg) && arg.checkedType?.kind === 'dyn' ? node : undefined;
      } else return undefined;
    }
    return undefined;
  };
  const comprehensions: { origin: CheckedNode; variable: string; body: unknown[] }[] = [];
  for (const n of nodes) {
    const a = argList(n);
    if (n.op !== 'rcall' || typeof a[0] !== 'string' || !COMPREHENSIONS.has(a[0])) continue;
    const fnArgs = (a[2] as unknown[] | undefined) ?? [];
    const variable = idName(fnArgs[0]);
    const origin = originOf(a[1]);
    if (variable !== undefined && origin !== undefined)
      comprehensions.push({ origin, variable, body: fnArgs.slice(1) });
  }
  const find = (body: unknown[], match: (n: CheckedNode) => boolean): boolean => {
    const stack = [...body];
    const seen = new Set<unknown>();
    while (stack.length > 0) {
      const n = stack.pop();
      if (Array.isArray(n)) stack.push(...(n as unknown[]));
      if (!isNode(n) || seen.has(n)) continue;
      seen.add(n);
      if (match(n)) return true;
      stack.push(...argList(n));
    }
    return false;
  };
  const bound = new Set<CheckedNode>();
  for (const c of comprehensions)
    if (
      find(c.body, (n) => {
        const a = argList(n);
        return (
          n.op === '[]' && isNode(a[0]) && a[0].checkedType?.kind === 'dyn' && idName(a[1]) === c.variable
        );
      })
    )
      bound.add(c.origin);
  for (const c of comprehensions) {
    if (!bound.has(c.origin)) continue;
    const misuse = find(c.body, (n) => {
      const a = argList(n);
      if (n.op === 'call' && a[0] === 'string')
        return idName((a[1] as unknown[] | undefined)?.[0]) === c.variable;
      return n.op === '+' && (idName(a[0]) === c.variable || idName(a[1]) === c.variable);
    });
    if (misuse)
      throw new CelHarnessError(
        'CEL_PROGRAM_INVALID',
        `program converts the key ${c.variable} of a dynamically typed map with string() or +, after ${c.variable} indexed a dynamically typed value: mito v1.10 types ${c.variable} as int there and fails ("no such overload: string(string)"); write string(dyn(${c.variable}))`,
      );
  }
}

const canonicalHeader = (name: string): string =>
  name
    .toLowerCase()
    .split('-')
    .map((p) => p.charAt(0).toUpperCase() + p.slice(1))
    .join('-');

function asBytes(v: unknown): Uint8Array {
  if (Object.prototype.toString.call(v) === '[object Uint8Array]') return v as Uint8Array;
  if (typeof v === 'string') return new Uint8Array(Buffer.from(v, 'utf8'));
  throw new Error('expected string or bytes');
}

function requestMap(method: string, url: string, body?: unknown): CelMap {
  const parsed = new URL(url);
  const req: CelMap = {
    Method: method,
    URL: url,
    Proto: 'HTTP/1.1',
    ProtoMajor: 1n,
    ProtoMinor: 1n,
    Header: {},
    Host: parsed.host,
    Close: false,
    ContentLength: 0n,
  };
  if (body !== undefined) {
    const bytes = asBytes(body);
    req.Body = typeof body === 'string' ? body : bytes;
    req.ContentLength = BigInt(bytes.length);
  }
  return req;
}

function compareValues(a: unknown, b: unknown): number {
  if (typeof a === 'string' && typeof b === 'string') return a < b ? -1 : a > b ? 1 : 0;
  if ((typeof a === 'number' || typeof a === 'bigint') && typeof a === typeof b)
    return (a as number) < (b as number) ? -1 : (a as number) > (b as number) ? 1 : 0;
  if (a instanceof Date && b instanceof Date) return a.getTime() - b.getTime();
  throw new Error('no such overload');
}

function extreme(list: unknown[], sign: number): unknown {
  let best: unknown = undefined;
  for (const v of list) if (best === undefined || Math.sign(compareValues(v, best)) === sign) best = v;
  if (best === undefined) throw new Error('no such overload'); // mito: min/max of an empty list is an error
  return best;
}

function dropPath(value: unknown, path: string[]): unknown {
  const [head, ...rest] = path;
  if (head === undefined) return value;
  if (Array.isArray(value)) return value.map((v) => dropPath(v, path));
  if (!isCelMap(value) || !(head in value)) return value;
  const out: CelMap = { ...value };
  if (rest.length === 0) delete out[head];
  else out[head] = dropPath(out[head], rest);
  return out;
}

interface MacroNode {
  op: string;
  args: unknown;
}
interface MacroChecker {
  check(ast: unknown, ctx: unknown): unknown;
  dynType: unknown;
}
interface MacroContext {
  forkWithVariable(name: string, type: unknown): MacroBindContext;
}
interface MacroBindContext {
  reuse(ctx: unknown): { setIterValue(value: unknown, ev: unknown): unknown };
}
interface MacroEvaluator {
  run(ast: unknown, ctx: unknown): unknown;
}
interface MacroState {
  val: unknown;
  exp: unknown;
  var: string;
  bindCtx?: MacroBindContext;
}

/** A promise from any realm (cel-js's promises are not `instanceof` this realm's Promise under jest). */
const isThenable = (v: unknown): v is PromiseLike<unknown> =>
  typeof v === 'object' && v !== null && typeof (v as { then?: unknown }).then === 'function';

function identifierOf(node: unknown): string {
  const n = node as MacroNode;
  if (n.op === 'id' && typeof n.args === 'string') return n.args;
  throw new CelHarnessError(
    'CEL_PROGRAM_INVALID',
    '.as(var, expr): the first argument must be an identifier',
  );
}

/** mito's `.as(var, expr)`: `[receiver].map(var, expr)[0]`, built like cel-js's own `cel.bind`. */
function asMacro({ ast, args, receiver }: { ast: unknown; args: unknown[]; receiver: unknown }): unknown {
  const run = (ev: MacroEvaluator, m: MacroState, ctx: unknown): unknown => {
    const bind = (v: unknown): unknown => {
      const bindCtx = m.bindCtx;
      if (bindCtx === undefined) throw new Error('.as: not type-checked');
      return ev.run(m.exp, bindCtx.reuse(ctx).setIterValue(v, ev));
    };
    const v = ev.run(m.val, ctx);
    return isThenable(v) ? v.then(bind) : bind(v);
  };
  return {
    ast,
    var: identifierOf(args[0]),
    val: receiver,
    exp: args[1],
    bindCtx: undefined,
    typeCheck(checker: MacroChecker, m: MacroState, ctx: MacroContext) {
      m.bindCtx = ctx.forkWithVariable(m.var, checker.check(m.val, ctx));
      return checker.check(m.exp, m.bindCtx);
    },
    evaluate: run,
  };
}

/** mito's `try(expr)` / `try(expr, name)` and `is_error(expr)`: errors become values. */
function errorMacro(kind: 'try' | 'is_error') {
  return ({ ast, args }: { ast: unknown; args: unknown[] }): unknown => ({
    ast,
    typeCheck(checker: MacroChecker, _m: unknown, ctx: unknown) {
      for (const a of args) checker.check(a, ctx);
      return checker.dynType;
    },
    evaluate(ev: MacroEvaluator, _m: unknown, ctx: unknown) {
      const onError = (e: unknown): unknown => {
        if (kind === 'is_error') return true;
        const message = e instanceof Error ? (e.message.split('\n')[0] ?? '') : String(e);
        if (args.length < 2) return message;
        const name = ev.run(args[1], ctx);
        return toCelRealm({ [String(name)]: message });
      };
      const onValue = (v: unknown): unknown => (kind === 'is_error' ? false : v);
      try {
        const v = ev.run(args[0], ctx);
        return isThenable(v) ? v.then(onValue, onError) : onValue(v);
      } catch (e) {
        if (e instanceof CelHarnessError && e.code === 'CEL_UNSUPPORTED') throw e;
        return onError(e);
      }
    },
  });
}

const TIME_LAYOUTS: Record<string, string> = {
  Layout: '01/02 03:04:05PM 06 -0700',
  ANSIC: 'Mon Jan _2 15:04:05 2006',
  UnixDate: 'Mon Jan _2 15:04:05 MST 2006',
  RFC822: '02 Jan 06 15:04 MST',
  RFC822Z: '02 Jan 06 15:04 -0700',
  RFC850: 'Monday, 02-Jan-06 15:04:05 MST',
  RFC1123: 'Mon, 02 Jan 2006 15:04:05 MST',
  RFC1123Z: 'Mon, 02 Jan 2006 15:04:05 -0700',
  RFC3339: '2006-01-02T15:04:05Z07:00',
  RFC3339Nano: '2006-01-02T15:04:05.999999999Z07:00',
  Kitchen: '3:04PM',
  Stamp: 'Jan _2 15:04:05',
  StampMilli: 'Jan _2 15:04:05.000',
  StampMicro: 'Jan _2 15:04:05.000000',
  StampNano: 'Jan _2 15:04:05.000000000',
  HTTP: 'Mon, 02 Jan 2006 15:04:05 GMT',
};

const TS = 'google.protobuf.Timestamp';

export function createMitoEnvironment(options: MitoOptions): Environment {
  const env = new Environment({
    enableOptionalTypes: true,
    unlistedVariablesAreDyn: true,
    homogeneousAggregateLiterals: false,
  });
  const fn = (signature: string, handler: (...args: never[]) => unknown): void => {
    const h = handler as (...args: unknown[]) => unknown;
    // cel-js plans await points from the handler's kind: keep async handlers async.
    const isAsync = h.constructor.name === 'AsyncFunction';
    const wrapped = isAsync
      ? (...args: unknown[]) => toCelPromise(h(...args) as Promise<unknown>)
      : (...args: unknown[]) => toCelRealm(h(...args));
    env.registerFunction(signature, wrapped, { async: isAsync });
  };

  // Collections
  env.registerFunction({
    name: 'as',
    receiverType: 'dyn',
    returnType: 'dyn',
    params: [
      { name: 'var', type: 'ast' },
      { name: 'expr', type: 'ast' },
    ],
    handler: asMacro as (...args: unknown[]) => unknown,
  });
  fn('map.with(map): map', (a: CelMap, b: CelMap) => ({ ...a, ...b }));
  fn('map.with_replace(map): map', (a: CelMap, b: CelMap) => {
    const out = { ...a };
    for (const k of Object.keys(b)) if (k in a) out[k] = b[k];
    return out;
  });
  fn('map.with_update(map): map', (a: CelMap, b: CelMap) => ({ ...b, ...a }));
  fn('map.keys(): list', (m: CelMap) => Object.keys(m));
  fn('keys(map): list', (m: CelMap) => Object.keys(m));
  fn('map.values(): list', (m: CelMap) => Object.values(m));
  fn('values(map): list', (m: CelMap) => Object.values(m));
  const zip = (k: unknown[], v: unknown[]): CelMap => {
    if (k.length !== v.length) throw new Error('zip: lists must be the same length');
    const out: CelMap = {};
    k.forEach((key, i) => {
      if (typeof key !== 'string')
        throw new CelHarnessError('CEL_UNSUPPORTED', 'zip: only string keys are emulated by this harness');
      out[key] = v[i];
    });
    return out;
  };
  fn('zip(list, list): map', zip);
  fn('list.zip(list): map', zip);
  fn('list.min(): dyn', (l: unknown[]) => extreme(l, -1));
  fn('min(list): dyn', (l: unknown[]) => extreme(l, -1));
  fn('list.max(): dyn', (l: unknown[]) => extreme(l, 1));
  fn('max(list): dyn', (l: unknown[]) => extreme(l, 1));
  fn('list.flatten(): list', (l: unknown[]) => l.flat(Infinity));
  fn('map.drop(string): map', (m: CelMap, p: string) => dropPath(m, p.split('.')));
  fn('map.drop(list): map', (m: CelMap, ps: string[]) =>
    ps.reduce<unknown>((acc, p) => dropPath(acc, p.split('.')), m),
  );

  // JSON
  fn('dyn.encode_json(): string', (v: unknown) => encodeJson(v));
  fn('encode_json(dyn): string', (v: unknown) => encodeJson(v));
  const decode = (v: string | Uint8Array): unknown =>
    decodeJson(typeof v === 'string' ? v : Buffer.from(v).toString('utf8'));
  fn('string.decode_json(): dyn', decode);
  fn('bytes.decode_json(): dyn', decode);
  fn('decode_json(string): dyn', decode);
  fn('decode_json(bytes): dyn', decode);

  // Time
  env.registerVariable('now', TS);
  env.registerConstant('time_layout', 'map<string, string>', toCelRealm(TIME_LAYOUTS));
  fn(`now(): ${TS}`, () => options.now());
  // CEL's standard int(timestamp): whole seconds since the epoch (cel-js lacks it; cel-go has it).
  fn(`int(${TS}): int`, (t: Date) => BigInt(Math.floor(t.getTime() / 1000)));
  fn(`${TS}.format(string): string`, (t: Date, layout: string) => formatGoTime(t, layout));
  fn(`string.parse_time(string): ${TS}`, (s: string, layout: string) => parseGoTime(s, layout));
  fn(`string.parse_time(list): ${TS}`, (s: string, layouts: string[]) => {
    for (const layout of layouts) {
      try {
        return parseGoTime(s, layout);
      } catch (e) {
        if (e instanceof CelHarnessError) throw e;
      }
    }
    throw new Error(`failed to parse ${s} with any provided layout`);
  });

  // Strings (Go strings package semantics)
  fn('string.to_lower(): string', (s: string) => s.toLowerCase());
  fn('string.to_upper(): string', (s: string) => s.toUpperCase());
  fn('string.trim_space(): string', (s: string) => s.replace(/^[\s\u0085]+|[\s\u0085]+$/g, ''));
  fn('string.has_prefix(string): bool', (s: string, p: string) => s.startsWith(p));
  fn('string.has_suffix(string): bool', (s: string, p: string) => s.endsWith(p));
  fn('string.contains_substr(string): bool', (s: string, p: string) => s.includes(p));
  fn('string.trim_prefix(string): string', (s: string, p: string) =>
    s.startsWith(p) ? s.slice(p.length) : s,
  );
  fn('string.trim_suffix(string): string', (s: string, p: string) =>
    p !== '' && s.endsWith(p) ? s.slice(0, s.length - p.length) : s,
  );
  fn('string.replace_all(string, string): string', (s: string, a: string, b: string) => s.split(a).join(b));
  fn('string.index(string): int', (s: string, p: string) => BigInt(s.indexOf(p)));

  // Crypto
  // bytes.base64() and bytes.hex() are cel-js built-ins with mito's semantics (standard base64, lower-case hex).
  fn('string.base64(): string', (s: string) => Buffer.from(s, 'utf8').toString('base64'));
  fn('bytes.sha256(): bytes', (b: Uint8Array) => new Uint8Array(createHash('sha256').update(b).digest()));
  fn('string.sha256(): bytes', (s: string) => new Uint8Array(createHash('sha256').update(s).digest()));

  // Try / debug
  env.registerFunction({
    name: 'try',
    returnType: 'dyn',
    params: [{ name: 'expr', type: 'ast' }],
    handler: errorMacro('try') as (...args: unknown[]) => unknown,
  });
  env.registerFunction({
    name: 'try',
    returnType: 'dyn',
    params: [
      { name: 'expr', type: 'ast' },
      { name: 'name', type: 'ast' },
    ],
    handler: errorMacro('try') as (...args: unknown[]) => unknown,
  });
  env.registerFunction({
    name: 'is_error',
    returnType: 'bool',
    params: [{ name: 'expr', type: 'ast' }],
    handler: errorMacro('is_error') as (...args: unknown[]) => unknown,
  });
  fn('debug(string, dyn): dyn', (tag: string, v: unknown) => {
    options.onDebug?.(tag, v);
    return v;
  });

  // HTTP
  fn('request(string, string): map', (method: string, url: string) => requestMap(method, url));
  fn('request(string, string, string): map', (method: string, url: string, body: string) =>
    requestMap(method, url, body),
  );
  fn('request(string, string, bytes): map', (method: string, url: string, body: Uint8Array) =>
    requestMap(method, url, body),
  );
  const doRequest = async (req: CelMap): Promise<CelMap> => {
    const method = typeof req.Method === 'string' ? req.Method : 'GET';
    const url = typeof req.URL === 'string' ? req.URL : '';
    const headers: Record<string, string> = {};
    const h = req.Header;
    if (isCelMap(h))
      for (const [k, v] of Object.entries(h))
        headers[canonicalHeader(k)] = Array.isArray(v) ? v.join(', ') : String(v);
    const body = req.Body === undefined ? undefined : Buffer.from(asBytes(req.Body));
    const res = await fetch(url, {
      method,
      headers,
      ...(body === undefined ? {} : { body }),
      signal: AbortSignal.timeout(options.timeoutMs),
      redirect: 'follow',
    });
    const bytes = new Uint8Array(await res.arrayBuffer());
    const header: CelMap = {};
    res.headers.forEach((value, key) => {
      header[canonicalHeader(key)] = value.split(/,\s*/);
    });
    options.onHttp?.({ method, url, headers, body: body?.toString('utf8') ?? '', status: res.status });
    return {
      StatusCode: BigInt(res.status),
      Status: `${res.status} ${res.statusText}`.trim(),
      Proto: 'HTTP/1.1',
      ProtoMajor: 1n,
      ProtoMinor: 1n,
      Header: header,
      Body: bytes,
      ContentLength: BigInt(bytes.length),
      Close: false,
      Uncompressed: false,
      Trailer: null,
      Request: { Method: method, URL: url },
    };
  };
  fn('map.do_request(): map', doRequest);
  const post = async (url: string, contentType: string, body: string | Uint8Array): Promise<CelMap> => {
    const req = requestMap('POST', url, body);
    req.Header = { 'Content-Type': [contentType] };
    return await doRequest(req);
  };
  fn('post(string, string, string): map', post);
  fn('post(string, string, bytes): map', post);

  return env;
}
