import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { isMap, type JsonMap } from '../values';
import { EMULATED_ES_VERSION, InMemoryCluster, type ApiResponse } from './cluster';

/**
 * Interprets Elasticsearch's YAML REST tests for ingest (the corpus in ../shared/ingest-conformance)
 * against the local executor and an in-memory cluster. Steps: do / match / length / is_true /
 * is_false / contains / catch / set / skip / requires.
 */
export type TestStatus = 'passed' | 'failed' | 'skipped';

export interface ConformanceTestResult {
  readonly file: string;
  readonly name: string;
  readonly status: TestStatus;
  /** Why it failed or was skipped. */
  readonly reason?: string;
}

export interface ConformanceReport {
  readonly results: readonly ConformanceTestResult[];
  readonly passed: number;
  readonly failed: number;
  readonly skipped: number;
}

const SUPPORTED_APIS = new Set([
  'ingest.put_pipeline',
  'ingest.get_pipeline',
  'ingest.delete_pipeline',
  'ingest.simulate',
  'index',
  'get',
  'bulk',
  'search',
  'indices.create',
  'indices.delete',
  'indices.get',
  'indices.refresh',
  'cluster.health',
]);
const RUNNER_FEATURES = new Set([
  'contains',
  'allowed_warnings',
  'allowed_warnings_regex',
  'headers',
  'warnings',
]);
/** Server capability flags whose behaviour the executor implements. */
const CLUSTER_FEATURES = new Set([
  'ingest.append.copy_from',
  'ingest.append.ignore_empty_values',
  'ingest.append.ignore_empty_values_fix',
]);

class Skip extends Error {}
class Failure extends Error {}

function versionTuple(v: string): number[] {
  return v
    .trim()
    .split('.')
    .map((x) => Number.parseInt(x, 10) || 0);
}

function compareVersions(a: string, b: string): number {
  const x = versionTuple(a);
  const y = versionTuple(b);
  for (let i = 0; i < 3; i += 1) {
    const d = (x[i] ?? 0) - (y[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

function inVersionRange(range: string, version: string): boolean {
  if (range.trim() === 'all') return true;
  return range.split(',').some((r) => {
    const [lo = '', hi = ''] = r.split('-').map((s) => s.trim());
    return (
      (lo === '' || compareVersions(version, lo) >= 0) && (hi === '' || compareVersions(version, hi) <= 0)
    );
  });
}

function asList(v: unknown): string[] {
  if (v === undefined || v === null) return [];
  return (Array.isArray(v) ? v : [v]).map(String);
}

/** Throws Skip when a skip/requires gate is not met. */
function checkGate(kind: 'skip' | 'requires', gate: unknown): void {
  if (!isMap(gate)) return;
  const reason = typeof gate['reason'] === 'string' ? gate['reason'] : '';
  for (const f of [...asList(gate['features']), ...asList(gate['test_runner_features'])]) {
    if (!RUNNER_FEATURES.has(f)) throw new Skip(`runner feature [${f}] is not supported`);
  }
  const clusterFeatures = asList(gate['cluster_features']);
  if (kind === 'requires') {
    for (const f of clusterFeatures)
      if (!CLUSTER_FEATURES.has(f)) throw new Skip(`cluster feature [${f}] is not emulated (${reason})`);
  } else {
    if (clusterFeatures.length > 0 && clusterFeatures.every((f) => CLUSTER_FEATURES.has(f)))
      throw new Skip(`skipped when [${clusterFeatures.join(', ')}]: ${reason}`);
    if (typeof gate['version'] === 'string' && inVersionRange(gate['version'], EMULATED_ES_VERSION)) {
      throw new Skip(`version gate [${gate['version']}]: ${reason}`);
    }
    if (gate['awaits_fix'] !== undefined) throw new Skip(`awaits fix: ${JSON.stringify(gate['awaits_fix'])}`);
  }
}

function splitPath(path: string): string[] {
  const out: string[] = [];
  let cur = '';
  for (let i = 0; i < path.length; i += 1) {
    const c = path[i] ?? '';
    if (c === '\\' && path[i + 1] === '.') {
      cur += '.';
      i += 1;
    } else if (c === '.') {
      out.push(cur);
      cur = '';
    } else cur += c;
  }
  out.push(cur);
  return out;
}

class Context {
  last: unknown = undefined;
  readonly stash = new Map<string, unknown>();

  substitute(v: unknown): unknown {
    if (typeof v === 'string') {
      if (v.startsWith('$') && this.stash.has(v.slice(1))) return this.stash.get(v.slice(1));
      return v.replace(/\$\{(\w+)\}/g, (m, name: string) =>
        this.stash.has(name) ? String(this.stash.get(name)) : m,
      );
    }
    if (Array.isArray(v)) return v.map((x) => this.substitute(x));
    if (isMap(v)) {
      const out: JsonMap = {};
      for (const [k, x] of Object.entries(v)) out[k] = this.substitute(x);
      return out;
    }
    return v;
  }

  lookup(path: string): unknown {
    if (path === '$body' || path === '') return this.last;
    let node = this.last;
    for (const rawPart of splitPath(path)) {
      const part =
        rawPart.startsWith('$') && this.stash.has(rawPart.slice(1))
          ? String(this.stash.get(rawPart.slice(1)))
          : rawPart;
      if (Array.isArray(node) && /^\d+$/.test(part)) node = node[Number(part)];
      else if (isMap(node)) node = node[part];
      else return undefined;
    }
    return node;
  }
}

function regexOf(text: string, comments: boolean): RegExp | undefined {
  const t = text.trim();
  if (t.length < 2 || !t.startsWith('/') || !t.endsWith('/')) return undefined;
  let body = t.slice(1, -1);
  if (comments) {
    let out = '';
    let inClass = false;
    for (let i = 0; i < body.length; i += 1) {
      const c = body[i] ?? '';
      if (c === '\\') {
        out += c + (body[i + 1] ?? '');
        i += 1;
      } else if (c === '[') {
        inClass = true;
        out += c;
      } else if (c === ']') {
        inClass = false;
        out += c;
      } else if (!inClass && /\s/.test(c)) continue;
      else if (!inClass && c === '#') {
        while (i < body.length && body[i] !== '\n') i += 1;
      } else out += c;
    }
    body = out;
  }
  return new RegExp(body);
}

function valueEquals(expected: unknown, actual: unknown): boolean {
  if (expected === null) return actual === null || actual === undefined;
  if (typeof expected === 'number' || typeof actual === 'number') {
    return typeof expected === 'number' && typeof actual === 'number' && expected === actual;
  }
  if (Array.isArray(expected)) {
    return (
      Array.isArray(actual) &&
      expected.length === actual.length &&
      expected.every((e, i) => valueEquals(e, actual[i]))
    );
  }
  if (isMap(expected)) {
    if (!isMap(actual)) return false;
    const ka = Object.keys(actual).filter((k) => actual[k] !== undefined);
    return (
      ka.length === Object.keys(expected).length &&
      Object.keys(expected).every((k) => valueEquals(expected[k], actual[k]))
    );
  }
  if (
    typeof expected === 'string' &&
    typeof actual !== 'string' &&
    actual !== undefined &&
    actual !== null &&
    typeof actual !== 'object'
  ) {
    return expected === JSON.stringify(actual).replace(/^"|"$/g, '');
  }
  return expected === actual;
}

function containsValue(container: unknown, value: unknown): boolean {
  if (!Array.isArray(container)) return false;
  return container.some((item) => {
    if (isMap(value) && isMap(item))
      return Object.entries(value).every(([k, v]) => valueEquals(v, item[k]) || containsValue(item[k], v));
    return valueEquals(value, item);
  });
}

function isTruthy(v: unknown): boolean {
  return !(v === undefined || v === null || v === false || v === '' || v === 'false' || v === 0);
}

function checkCatch(spec: string, r: ApiResponse): void {
  const ok = r.status >= 400;
  if (!ok) throw new Failure(`expected an error (${spec}), got status ${r.status}`);
  const want: Record<string, (s: number) => boolean> = {
    bad_request: (s) => s === 400,
    missing: (s) => s === 404,
    conflict: (s) => s === 409,
    unauthorized: (s) => s === 401,
    forbidden: (s) => s === 403,
    request_timeout: (s) => s === 408,
    unavailable: (s) => s === 503,
    request: (s) => s >= 400 && s !== 404 && s !== 408 && s !== 409 && s !== 403,
    param: () => true,
  };
  const check = want[spec];
  if (check !== undefined) {
    if (!check(r.status))
      throw new Failure(`expected ${spec}, got status ${r.status}: ${JSON.stringify(r.body)}`);
    return;
  }
  const re = regexOf(spec, false);
  if (re === undefined) throw new Failure(`unknown catch [${spec}]`);
  if (!re.test(JSON.stringify(r.body)))
    throw new Failure(`error ${JSON.stringify(r.body)} does not match ${spec}`);
}

function runStep(step: unknown, cluster: InMemoryCluster, ctx: Context, inSetup: boolean): void {
  if (!isMap(step)) throw new Failure('malformed step');
  const [kind = '', arg] = Object.entries(step)[0] ?? [];
  switch (kind) {
    case 'skip':
    case 'requires':
      checkGate(kind, arg);
      return;
    case 'do': {
      if (!isMap(arg)) throw new Failure('malformed do');
      let catchSpec: string | undefined;
      let api: string | undefined;
      let params: JsonMap = {};
      for (const [k, v] of Object.entries(arg)) {
        if (k === 'catch') catchSpec = String(v);
        else if (
          [
            'headers',
            'warnings',
            'allowed_warnings',
            'allowed_warnings_regex',
            'warnings_regex',
            'node_selector',
          ].includes(k)
        )
          continue;
        else {
          api = k;
          params = isMap(v) ? (ctx.substitute(v) as JsonMap) : {};
        }
      }
      if (api === undefined) throw new Failure('do without an API');
      if (!SUPPORTED_APIS.has(api)) throw new Skip(`API [${api}] is not emulated`);
      const r = cluster.call(api, params);
      ctx.last = r.body;
      const errorBody = isMap(r.body) && isMap(r.body['error']) ? r.body['error'] : undefined;
      if (catchSpec !== undefined) {
        checkCatch(catchSpec, r);
        return;
      }
      const ignore = asList(params['ignore']);
      if (r.status >= 400 && !ignore.includes(String(r.status))) {
        const rc: unknown =
          errorBody !== undefined && Array.isArray(errorBody['root_cause'])
            ? errorBody['root_cause'][0]
            : undefined;
        const message = isMap(rc) ? `${String(rc['type'])}: ${String(rc['reason'])}` : JSON.stringify(r.body);
        if (isMap(rc) && rc['local_executor_unsupported'] !== undefined) {
          throw new Skip(`needs an unsupported feature: ${message}`);
        }
        throw new Failure(`${inSetup ? 'setup ' : ''}${api} failed with status ${r.status}: ${message}`);
      }
      return;
    }
    case 'match': {
      for (const [path, raw] of Object.entries(isMap(arg) ? arg : {})) {
        const expected = ctx.substitute(raw);
        const actual = ctx.lookup(path);
        const re = typeof expected === 'string' ? regexOf(expected, true) : undefined;
        if (re !== undefined) {
          const text = typeof actual === 'string' ? actual.trim() : JSON.stringify(actual);
          if (!re.test(text))
            throw new Failure(
              `match ${path}: ${JSON.stringify(actual)} does not match ${expected as string}`,
            );
        } else if (!valueEquals(expected, actual)) {
          throw new Failure(
            `match ${path}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`,
          );
        }
      }
      return;
    }
    case 'length': {
      for (const [path, n] of Object.entries(isMap(arg) ? arg : {})) {
        const actual = ctx.lookup(path);
        const len = Array.isArray(actual)
          ? actual.length
          : isMap(actual)
            ? Object.keys(actual).length
            : typeof actual === 'string'
              ? actual.length
              : undefined;
        if (len !== Number(n))
          throw new Failure(
            `length ${path}: expected ${String(n)}, got ${String(len)} (${JSON.stringify(actual)})`,
          );
      }
      return;
    }
    case 'is_true':
      if (!isTruthy(ctx.lookup(String(arg))))
        throw new Failure(`is_true ${String(arg)}: got ${JSON.stringify(ctx.lookup(String(arg)))}`);
      return;
    case 'is_false':
      if (isTruthy(ctx.lookup(String(arg))))
        throw new Failure(`is_false ${String(arg)}: got ${JSON.stringify(ctx.lookup(String(arg)))}`);
      return;
    case 'contains':
      for (const [path, v] of Object.entries(isMap(arg) ? arg : {})) {
        if (!containsValue(ctx.lookup(path), ctx.substitute(v)))
          throw new Failure(`contains ${path}: ${JSON.stringify(v)} not found`);
      }
      return;
    case 'set':
      for (const [path, name] of Object.entries(isMap(arg) ? arg : {}))
        ctx.stash.set(String(name), ctx.lookup(path));
      return;
    case 'gt':
    case 'gte':
    case 'lt':
    case 'lte':
      for (const [path, v] of Object.entries(isMap(arg) ? arg : {})) {
        const a = Number(ctx.lookup(path));
        const b = Number(v);
        const ok = kind === 'gt' ? a > b : kind === 'gte' ? a >= b : kind === 'lt' ? a < b : a <= b;
        if (!ok) throw new Failure(`${kind} ${path}: ${a} vs ${b}`);
      }
      return;
    default:
      throw new Skip(`step [${kind}] is not supported`);
  }
}

/** Parses one corpus file into setup, teardown and named tests. */
export function parseTestFile(text: string): {
  setup: unknown[];
  teardown: unknown[];
  tests: [string, unknown[]][];
} {
  const setup: unknown[] = [];
  const teardown: unknown[] = [];
  const tests: [string, unknown[]][] = [];
  const chunks = text.split(/^---\s*$/m);
  for (const chunk of chunks) {
    if (chunk.trim() === '') continue;
    let docs = parseAllDocuments(chunk);
    const broken = Array.isArray(docs) ? docs.some((d) => d.errors.length > 0) : true;
    if (broken) {
      // Elasticsearch's runner accepts a closing `}` indented less than its key (30_date_processor.yml)
      docs = parseAllDocuments(chunk.replace(/^ {0,7}\}\s*$/gm, '        }'));
    }
    if (!Array.isArray(docs)) continue;
    for (const d of docs) {
      if (d.errors.length > 0) throw new Error(`YAML error: ${d.errors[0]?.message ?? ''}`);
      const value: unknown = d.toJS();
      if (!isMap(value)) continue;
      for (const [k, v] of Object.entries(value)) {
        const steps: unknown[] = Array.isArray(v) ? (v as unknown[]) : [];
        if (k === 'setup') setup.push(...steps);
        else if (k === 'teardown') teardown.push(...steps);
        else tests.push([k, steps]);
      }
    }
  }
  return { setup, teardown, tests };
}

export function runConformanceFile(file: string, text: string, now: () => Date): ConformanceTestResult[] {
  const { setup, tests } = parseTestFile(text);
  return tests.map(([name, steps]) => {
    const cluster = new InMemoryCluster(now);
    const ctx = new Context();
    try {
      for (const s of setup) runStep(s, cluster, ctx, true);
      for (const s of steps) runStep(s, cluster, ctx, false);
      return { file, name, status: 'passed' as const };
    } catch (e) {
      if (e instanceof Skip) return { file, name, status: 'skipped' as const, reason: e.message };
      return { file, name, status: 'failed' as const, reason: e instanceof Error ? e.message : String(e) };
    }
  });
}

/** Runs every `*.yml` under `<dir>/ingest-common` (or `dir` itself). */
export function runConformance(dir: string, now: () => Date = () => new Date()): ConformanceReport {
  const base = existsSync(join(dir, 'ingest-common')) ? join(dir, 'ingest-common') : dir;
  const files = readdirSync(base)
    .filter((f) => f.endsWith('.yml') || f.endsWith('.yaml'))
    .sort((a, b) => a.localeCompare(b, 'en', { numeric: true }));
  const results = files.flatMap((f) => runConformanceFile(f, readFileSync(join(base, f), 'utf8'), now));
  return {
    results,
    passed: results.filter((r) => r.status === 'passed').length,
    failed: results.filter((r) => r.status === 'failed').length,
    skipped: results.filter((r) => r.status === 'skipped').length,
  };
}
