import { illegalArgument } from './errors';
import { deepCopy, isMap, javaClassName, javaEquals, type JsonMap } from './values';

/** Metadata keys of the ctx map: writing one writes metadata, never `_source`. */
export const METADATA_KEYS: ReadonlySet<string> = new Set([
  '_index',
  '_id',
  '_routing',
  '_version',
  '_version_type',
  '_if_seq_no',
  '_if_primary_term',
  '_dynamic_templates',
]);

type Root = 'ctx' | 'ingest';

/** Which map of the document a path starts in, decided once per path. */
const enum Container {
  Source,
  Meta,
  Ingest,
}

/** Keys an object answers through its prototype (`constructor`, `toString`, ...): always checked with hasOwn. */
export function inheritedName(key: string): boolean {
  return key in Object.prototype;
}

/** A parsed field path (Elasticsearch's classic access pattern). Parse once, reuse. */
export class FieldPath {
  readonly root: Root;
  readonly parts: readonly string[];
  /** An empty path (e.g. a template that rendered to ""): `has` is false, every other operation fails. */
  readonly empty: boolean;
  /** @internal the starting map (`_ingest.`, a metadata key, else `_source`). */
  readonly container: Container;
  /** @internal no segment is a name objects inherit, so a defined property read proves an own key. */
  readonly plainKeys: boolean;
  constructor(readonly path: string) {
    this.empty = path.length === 0;
    if (this.empty) {
      this.root = 'ctx';
      this.parts = [];
      this.container = Container.Source;
      this.plainKeys = true;
      return;
    }
    let rest = path;
    if (path.startsWith('_ingest.')) {
      this.root = 'ingest';
      rest = path.slice(8);
    } else {
      this.root = 'ctx';
      if (path.startsWith('_source.')) rest = path.slice(8);
    }
    const parts = rest.split('.');
    if (parts.length === 0 || (parts.length === 1 && parts[0] === '')) {
      throw illegalArgument(`path [${path}] is not valid`);
    }
    if (parts.some((p) => p === '')) throw illegalArgument(`path [${path}] is not valid`);
    this.parts = parts;
    this.container =
      this.root === 'ingest'
        ? Container.Ingest
        : METADATA_KEYS.has(parts[0] ?? '')
          ? Container.Meta
          : Container.Source;
    this.plainKeys = !parts.some(inheritedName);
  }
}

/** A JSON object of the document (the plain-object check first: documents hold plain objects). */
function isObjectNode(v: unknown): v is JsonMap {
  return (
    typeof v === 'object' &&
    v !== null &&
    ((v as { constructor?: unknown }).constructor === Object || isMap(v))
  );
}

const pathCache = new Map<string, FieldPath>();
export function fieldPath(path: string): FieldPath {
  let p = pathCache.get(path);
  if (p === undefined) {
    p = new FieldPath(path);
    if (pathCache.size > 10000) pathCache.clear();
    pathCache.set(path, p);
  }
  return p;
}

function parseIndex(segment: string, path: string): number {
  if (!/^[+-]?\d+$/.test(segment) || Math.abs(Number(segment)) > 2147483647) {
    throw illegalArgument(
      `[${segment}] is not an integer, cannot be used as an index as part of path [${path}]`,
    );
  }
  return Number(segment);
}

const MISSING = Symbol('missing');

/**
 * The document as a pipeline sees it: `_source`, metadata and the `_ingest` map.
 * Path operations follow Elasticsearch's IngestDocument, including its error texts.
 */
export class IngestDocument {
  /** Set by `terminate`; cleared when the pipeline that saw it returns. */
  terminated = false;
  /** Set by `drop`: the document is discarded. */
  dropped = false;
  /** Ids of the pipelines currently running (innermost last), for cycle detection. */
  readonly executing: string[] = [];
  constructor(
    public source: JsonMap,
    readonly meta: JsonMap,
    readonly ingest: JsonMap,
  ) {}

  static create(
    doc: { _index?: string; _id?: string | undefined; _source: JsonMap },
    timestamp: unknown,
    copy = true,
  ): IngestDocument {
    const meta: JsonMap = {};
    if (doc._index !== undefined) meta['_index'] = doc._index;
    if (doc._id !== undefined) meta['_id'] = doc._id;
    const d = doc as JsonMap;
    for (const k of METADATA_KEYS) {
      if (k !== '_index' && k !== '_id' && d[k] !== undefined) meta[k] = d[k];
    }
    return new IngestDocument(copy ? deepCopy(doc._source) : doc._source, meta, { timestamp });
  }

  /** The ctx map view (source merged with metadata) used by conditions and template rendering. */
  ctxMap(): JsonMap {
    return { ...this.source, ...this.meta };
  }

  private rootContainer(p: FieldPath): JsonMap {
    if (p.empty) throw illegalArgument('path cannot be null nor empty');
    const c = p.container;
    return c === Container.Source ? this.source : c === Container.Meta ? this.meta : this.ingest;
  }

  /** Value at the path or MISSING (never throws). */
  private lookup(p: FieldPath): unknown {
    let ctx: unknown = this.rootContainer(p);
    const parts = p.parts;
    const plain = p.plainKeys;
    for (let i = 0; i < parts.length; i += 1) {
      const part = parts[i] as string;
      if (isObjectNode(ctx)) {
        const v = ctx[part];
        if (plain && v !== undefined) ctx = v;
        else if (Object.hasOwn(ctx, part)) ctx = v;
        else return MISSING;
      } else if (Array.isArray(ctx)) {
        if (!/^\d+$/.test(part)) return MISSING;
        const idx = Number(part);
        if (idx >= ctx.length) return MISSING;
        ctx = ctx[idx];
      } else return MISSING;
    }
    return ctx;
  }

  has(path: string | FieldPath): boolean {
    if (path === '' || (typeof path !== 'string' && path.empty)) return false;
    return this.lookup(typeof path === 'string' ? fieldPath(path) : path) !== MISSING;
  }

  /** Value or undefined when absent (null stays null). */
  getOrUndefined(path: string | FieldPath): unknown {
    if (path === '' || (typeof path !== 'string' && path.empty)) return undefined;
    const v = this.lookup(typeof path === 'string' ? fieldPath(path) : path);
    return v === MISSING ? undefined : v;
  }

  /**
   * Walks the first `count` segments with Elasticsearch's resolve rules and error texts;
   * MISSING when a segment is absent and `ignoreMissing`.
   */
  private walk(p: FieldPath, count: number, ignoreMissing: boolean): unknown {
    let ctx: unknown = this.rootContainer(p);
    const parts = p.parts;
    const plain = p.plainKeys;
    for (let i = 0; i < count; i += 1) {
      const part = parts[i] as string;
      if (isObjectNode(ctx)) {
        const v = ctx[part];
        if (plain && v !== undefined) ctx = v;
        else if (Object.hasOwn(ctx, part)) ctx = v;
        else {
          if (ignoreMissing) return MISSING;
          throw illegalArgument(`field [${part}] not present as part of path [${p.path}]`);
        }
      } else if (ctx === null || ctx === undefined) {
        if (ignoreMissing) return MISSING;
        throw illegalArgument(`cannot resolve [${part}] from null as part of path [${p.path}]`);
      } else if (Array.isArray(ctx)) {
        const idx = listIndex(ctx, part, p.path, ignoreMissing);
        if (idx === undefined) return MISSING;
        ctx = ctx[idx];
      } else {
        if (ignoreMissing) return MISSING;
        throw illegalArgument(
          `cannot resolve [${part}] from object of type [${javaClassName(ctx)}] as part of path [${p.path}]`,
        );
      }
    }
    return ctx;
  }

  /** Elasticsearch getFieldValue: throws on a missing field unless ignoreMissing (then undefined). */
  get(path: string | FieldPath, ignoreMissing = false): unknown {
    const p = typeof path === 'string' ? fieldPath(path) : path;
    if (p.empty && ignoreMissing) return undefined;
    const v = this.walk(p, p.parts.length, ignoreMissing);
    return v === MISSING ? undefined : v;
  }

  /** Walks to the parent container of the leaf, creating maps (Elasticsearch setFieldValue). */
  private parentFor(p: FieldPath): unknown {
    let ctx: unknown = this.rootContainer(p);
    const parts = p.parts;
    const plain = p.plainKeys;
    const last = parts.length - 1;
    for (let i = 0; i < last; i += 1) {
      const part = parts[i] as string;
      if (isObjectNode(ctx)) {
        const v = ctx[part];
        if ((plain && v !== undefined) || Object.hasOwn(ctx, part)) ctx = v;
        else {
          const created: JsonMap = {};
          ctx[part] = created;
          ctx = created;
        }
      } else if (ctx === null || ctx === undefined) {
        throw illegalArgument(`cannot set [${part}] with null parent as part of path [${p.path}]`);
      } else if (Array.isArray(ctx)) {
        const idx = requireIndex(ctx, part, p.path);
        ctx = ctx[idx];
      } else {
        throw illegalArgument(
          `cannot resolve [${part}] from object of type [${javaClassName(ctx)}] as part of path [${p.path}]`,
        );
      }
    }
    return ctx;
  }

  set(path: string | FieldPath, value: unknown): void {
    this.write(typeof path === 'string' ? fieldPath(path) : path, value, false, true);
  }

  /** Elasticsearch appendFieldValue (see the reference §1.3). */
  append(path: string | FieldPath, value: unknown, allowDuplicates = true): void {
    this.write(typeof path === 'string' ? fieldPath(path) : path, value, true, allowDuplicates);
  }

  private write(p: FieldPath, value: unknown, append: boolean, allowDuplicates: boolean): void {
    const ctx = this.parentFor(p);
    const leaf = p.parts[p.parts.length - 1] ?? '';
    if (ctx === null || ctx === undefined) {
      throw illegalArgument(`cannot set [${leaf}] with null parent as part of path [${p.path}]`);
    }
    if (Array.isArray(ctx)) {
      const idx = requireIndex(ctx, leaf, p.path);
      ctx[idx] = append ? appendValues(ctx[idx], value, allowDuplicates) : value;
      return;
    }
    if (isObjectNode(ctx)) {
      if (append) {
        if (Object.hasOwn(ctx, leaf)) ctx[leaf] = appendValues(ctx[leaf], value, allowDuplicates);
        else {
          const list: unknown[] = [];
          ctx[leaf] = list;
          appendInto(list, value, allowDuplicates);
        }
      } else ctx[leaf] = value;
      return;
    }
    throw illegalArgument(
      `cannot set [${leaf}] with parent object of type [${javaClassName(ctx)}] as part of path [${p.path}]`,
    );
  }

  remove(path: string | FieldPath, ignoreMissing = false): void {
    const p = typeof path === 'string' ? fieldPath(path) : path;
    const last = p.parts.length - 1;
    const ctx = this.walk(p, last, ignoreMissing);
    if (ctx === MISSING) return;
    const leaf = p.parts[last] ?? '';
    if (ctx === null || ctx === undefined) {
      if (ignoreMissing) return;
      throw illegalArgument(`cannot remove [${leaf}] from null as part of path [${p.path}]`);
    }
    if (isObjectNode(ctx)) {
      if (Object.hasOwn(ctx, leaf)) {
        delete ctx[leaf];
        return;
      }
      if (ignoreMissing) return;
      throw illegalArgument(`field [${leaf}] not present as part of path [${p.path}]`);
    }
    if (Array.isArray(ctx)) {
      const idx = listIndex(ctx, leaf, p.path, ignoreMissing);
      if (idx !== undefined) ctx.splice(idx, 1);
      return;
    }
    if (ignoreMissing) return;
    throw illegalArgument(
      `cannot remove [${leaf}] from object of type [${javaClassName(ctx)}] as part of path [${p.path}]`,
    );
  }
}

function requireIndex(list: readonly unknown[], segment: string, path: string): number {
  return listIndex(list, segment, path, false) ?? 0;
}

/** A list index for a path segment with Elasticsearch's errors; undefined when invalid and ignored. */
function listIndex(
  list: readonly unknown[],
  segment: string,
  path: string,
  ignoreMissing: boolean,
): number | undefined {
  let idx: number;
  try {
    idx = parseIndex(segment, path);
  } catch (e) {
    if (ignoreMissing) return undefined;
    throw e;
  }
  if (idx < 0 || idx >= list.length) {
    if (ignoreMissing) return undefined;
    throw illegalArgument(
      `[${idx}] is out of bounds for array with length [${list.length}] as part of path [${path}]`,
    );
  }
  return idx;
}

function appendInto(list: unknown[], value: unknown, allowDuplicates: boolean): boolean {
  const values: unknown[] = Array.isArray(value) ? (value as unknown[]) : [value];
  if (allowDuplicates) {
    list.push(...values);
    return true;
  }
  let added = false;
  for (const v of values) {
    if (!list.some((x) => javaEquals(x, v))) {
      list.push(v);
      added = true;
    }
  }
  return added;
}

function appendValues(existing: unknown, value: unknown, allowDuplicates: boolean): unknown {
  const list = Array.isArray(existing) ? existing : [existing];
  const added = appendInto(list, value, allowDuplicates);
  return added || allowDuplicates ? list : existing;
}

/** Typed read: the value must have the given simple Java type, else Elasticsearch's cast error. */
export function castError(path: string, value: unknown, target: string): Error {
  return illegalArgument(`field [${path}] of type [${javaClassName(value)}] cannot be cast to [${target}]`);
}
