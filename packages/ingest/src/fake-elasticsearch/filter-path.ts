/**
 * Elasticsearch's `filter_path` response filtering (REST common options): a comma-separated list of
 * dotted paths; `*` matches any part of one field name, `**` any number of levels; a leading `-`
 * excludes. Arrays are transparent (their elements are filtered with the same paths). With
 * inclusions, objects and arrays left without any match are not written, and an answer with no
 * match at all is `{}`. Exclusions are applied after inclusions and remove the fields they match.
 */

type Segment = { kind: 'any-depth' } | { kind: 'name'; test: (name: string) => boolean };
type Path = readonly Segment[];

function segment(text: string): Segment {
  if (text === '**') return { kind: 'any-depth' };
  if (!text.includes('*')) return { kind: 'name', test: (name) => name === text };
  const pattern = new RegExp(
    `^${text
      .split('*')
      .map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
      .join('.*')}$`,
    's',
  );
  return { kind: 'name', test: (name) => pattern.test(name) };
}

export interface FilterPath {
  include: Path[];
  exclude: Path[];
}

/** Parses the query parameter; `undefined` when it names nothing. */
export function parseFilterPath(value: string | undefined): FilterPath | undefined {
  if (value === undefined) return undefined;
  const include: Path[] = [];
  const exclude: Path[] = [];
  for (const raw of value.split(',')) {
    const text = raw.trim();
    if (text === '' || text === '-') continue;
    const negative = text.startsWith('-');
    const path = (negative ? text.slice(1) : text).split('.').map(segment);
    (negative ? exclude : include).push(path);
  }
  return include.length === 0 && exclude.length === 0 ? undefined : { include, exclude };
}

interface Step {
  rest: Path[];
  whole: boolean;
}

/**
 * Steps are remembered per (paths, name): the elements of an array share their field names, and a
 * remembered step returns the same `rest` array, so the next level is remembered too.
 */
const steps = new WeakMap<readonly Path[], Map<string, Step>>();

function step(paths: readonly Path[], name: string): Step {
  let byName = steps.get(paths);
  if (byName === undefined) {
    byName = new Map();
    steps.set(paths, byName);
  }
  let found = byName.get(name);
  if (found === undefined) {
    found = computeStep(paths, name);
    if (byName.size < 1024) byName.set(name, found);
  }
  return found;
}

/** The paths that remain after stepping into the field `name`; `true` when one of them ended there. */
function computeStep(paths: readonly Path[], name: string): Step {
  const rest: Path[] = [];
  let whole = false;
  for (const path of paths) {
    const head = path[0];
    if (head === undefined) continue;
    if (head.kind === 'any-depth') {
      // `**` matches zero levels (try the rest here) or one more level (keep it).
      const after = computeStep([path.slice(1)], name);
      rest.push(...after.rest);
      if (after.whole || path.length === 1) whole = true;
      rest.push(path);
      continue;
    }
    if (!head.test(name)) continue;
    if (path.length === 1) whole = true;
    else rest.push(path.slice(1));
  }
  return { rest, whole };
}

const NOTHING = Symbol('nothing');

function include(value: unknown, paths: readonly Path[]): unknown {
  if (Array.isArray(value)) {
    const out: unknown[] = [];
    for (const element of value) {
      const kept = include(element, paths);
      if (kept !== NOTHING) out.push(kept);
    }
    return out.length === 0 ? NOTHING : out;
  }
  if (typeof value !== 'object' || value === null) return NOTHING;
  const out: Record<string, unknown> = {};
  let any = false;
  for (const [name, child] of Object.entries(value as Record<string, unknown>)) {
    const { rest, whole } = step(paths, name);
    const kept = whole ? child : rest.length === 0 ? NOTHING : include(child, rest);
    if (kept === NOTHING) continue;
    out[name] = kept;
    any = true;
  }
  return any ? out : NOTHING;
}

function exclude(value: unknown, paths: readonly Path[]): unknown {
  if (Array.isArray(value)) return value.map((element) => exclude(element, paths));
  if (typeof value !== 'object' || value === null) return value;
  const out: Record<string, unknown> = {};
  for (const [name, child] of Object.entries(value as Record<string, unknown>)) {
    const { rest, whole } = step(paths, name);
    if (whole) continue;
    out[name] = rest.length === 0 ? child : exclude(child, rest);
  }
  return out;
}

/** The answer body as Elasticsearch writes it under `filter`. */
export function applyFilterPath(body: unknown, filter: FilterPath): unknown {
  let out = body;
  if (filter.include.length > 0) {
    const kept = include(body, filter.include);
    out = kept === NOTHING ? {} : kept;
  }
  if (filter.exclude.length > 0) out = exclude(out, filter.exclude);
  return out;
}
