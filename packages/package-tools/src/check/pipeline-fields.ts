import { isRecord } from '../json';

/**
 * Static extraction of the fields an ingest pipeline writes. Heuristics (documented in the README):
 * - `set`/`append` write `field`; rename/convert/date/json/fingerprint/geoip/user_agent/… write
 *   `target_field` (or their Elasticsearch default: date → @timestamp, geoip → geoip, user_agent →
 *   user_agent, fingerprint → fingerprint, community_id → network.community_id, uri_parts → url,
 *   network_direction → network.direction); in-place processors (convert, gsub, lowercase, …)
 *   without a target write nothing new; `csv` writes `target_fields`.
 * - `dissect` pattern keys `%{key}` (modifiers stripped, `?`/empty skip keys ignored) and `grok`
 *   names `%{SYNTAX:name}` / `(?<name>…)` are written, prefixed by `target_field` when set.
 * - `foreach` inner processors writing `_ingest._value…` are skipped; other inner writes count.
 * - Processor-level `on_failure` handlers count too.
 * - Ignored: templated names (`{{…}}`), `_ingest.*` and Elasticsearch metadata (`_id`, `_index`, …),
 *   and any field that a `remove` processor later in the same list deletes (itself or a parent),
 *   which is how `_tmp`-style scratch fields disappear; a `_`-prefixed scratch field written in one
 *   pipeline of a data stream and removed by a `remove` in another (e.g. the entry pipeline after
 *   calling a sub-pipeline) is ignored too.
 * `writesObject` marks targets that receive sub-objects (json, geoip, user_agent, kv, uri_parts): they
 * are defined when a field of that name or any field under it is defined.
 */
export interface WrittenField {
  field: string;
  processor: string;
  tag: string | undefined;
  /** JSON-pointer-ish location in the pipeline: processors[3].set */
  location: string;
  writesObject: boolean;
}

const DEFAULT_TARGETS: Record<string, string> = {
  date: '@timestamp',
  geoip: 'geoip',
  user_agent: 'user_agent',
  fingerprint: 'fingerprint',
  community_id: 'network.community_id',
  uri_parts: 'url',
  network_direction: 'network.direction',
};
const OBJECT_WRITERS = new Set([
  'json',
  'geoip',
  'user_agent',
  'kv',
  'uri_parts',
  'registered_domain',
  'ip_location',
]);
const METADATA = new Set([
  '_id',
  '_index',
  '_routing',
  '_version',
  '_version_type',
  '_if_seq_no',
  '_if_primary_term',
  '_dynamic_templates',
]);

function str(v: unknown): string | undefined {
  return typeof v === 'string' && v !== '' ? v : undefined;
}

export function dissectKeys(pattern: string): string[] {
  const keys: string[] = [];
  for (const m of pattern.matchAll(/%\{([^}]*)\}/g)) {
    const raw = (m[1] ?? '').replace(/->$/, '').trim();
    if (raw === '' || raw.startsWith('?') || raw.startsWith('*') || raw.startsWith('&')) continue;
    const key = raw.replace(/^\+/, '').replace(/\/\d+$/, '');
    if (key) keys.push(key);
  }
  return keys;
}

export function grokKeys(pattern: string): string[] {
  const keys: string[] = [];
  for (const m of pattern.matchAll(/%\{[A-Za-z0-9_]+:([^}:]+)(?::[a-z]+)?\}/g)) if (m[1]) keys.push(m[1]);
  for (const m of pattern.matchAll(/\(\?<([A-Za-z0-9_.@[\]]+)>/g))
    if (m[1]) keys.push(m[1].replace(/\[([^\]]+)\]/g, '.$1').replace(/^\./, ''));
  return keys;
}

function writesOf(
  type: string,
  options: Record<string, unknown>,
): { field: string; writesObject: boolean }[] {
  const target = str(options['target_field']);
  const prefix = (k: string): string => (target ? `${target}.${k}` : k);
  switch (type) {
    case 'set':
    case 'append':
      return str(options['field']) ? [{ field: String(options['field']), writesObject: false }] : [];
    case 'dissect':
      return dissectKeys(str(options['pattern']) ?? '').map((k) => ({
        field: prefix(k),
        writesObject: false,
      }));
    case 'grok': {
      const patterns = Array.isArray(options['patterns'])
        ? options['patterns'].filter((p): p is string => typeof p === 'string')
        : [];
      return patterns.flatMap(grokKeys).map((k) => ({ field: k, writesObject: false }));
    }
    case 'csv':
      return (Array.isArray(options['target_fields']) ? options['target_fields'] : [])
        .filter((f): f is string => typeof f === 'string')
        .map((field) => ({ field, writesObject: false }));
    default: {
      const field = target ?? DEFAULT_TARGETS[type];
      if (!field) return [];
      return [{ field, writesObject: OBJECT_WRITERS.has(type) }];
    }
  }
}

function removedFields(options: Record<string, unknown>): string[] {
  const f = options['field'];
  return (Array.isArray(f) ? f : [f]).filter((x): x is string => typeof x === 'string');
}

function covers(removed: string, field: string): boolean {
  return field === removed || field.startsWith(`${removed}.`);
}

/**
 * Calls `visit` for every processor of a list, depth-first: each processor, then its own
 * `on_failure` handlers, then a `foreach`'s inner processor (located as `<here>.processor[0]…`).
 */
export function eachProcessor(
  processors: unknown,
  location: string,
  visit: (type: string, options: Record<string, unknown>, here: string) => void,
): void {
  if (!Array.isArray(processors)) return;
  processors.forEach((entry, index) => {
    if (!isRecord(entry)) return;
    for (const [type, opts] of Object.entries(entry)) {
      if (!isRecord(opts)) continue;
      const here = `${location}[${index}].${type}`;
      visit(type, opts, here);
      eachProcessor(opts['on_failure'], `${here}.on_failure`, visit);
      if (type === 'foreach' && isRecord(opts['processor']))
        eachProcessor([opts['processor']], `${here}.processor`, visit);
    }
  });
}

/** Every field any `remove` processor in the list (recursively) deletes. */
export function removedFieldsOf(processors: unknown): string[] {
  const removed: string[] = [];
  eachProcessor(processors, 'processors', (type, opts) => {
    if (type === 'remove') removed.push(...removedFields(opts));
  });
  return removed;
}

function ignorable(field: string): boolean {
  return field.includes('{{') || field.startsWith('_ingest.') || field === '_ingest' || METADATA.has(field);
}

/** Fields written by a processor list, minus those a later `remove` in the same list deletes. */
export function writtenFields(
  processors: unknown,
  location = 'processors',
  removedElsewhere: readonly string[] = [],
): WrittenField[] {
  if (!Array.isArray(processors)) return [];
  const out: (WrittenField & { index: number })[] = [];
  const removals: { index: number; field: string }[] = [];
  processors.forEach((entry, index) => {
    if (!isRecord(entry)) return;
    for (const [type, opts] of Object.entries(entry)) {
      if (!isRecord(opts)) continue;
      const here = `${location}[${index}].${type}`;
      const tag = str(opts['tag']);
      if (type === 'remove') {
        for (const field of removedFields(opts)) removals.push({ index, field });
      } else if (type === 'foreach') {
        const inner = opts['processor'];
        if (isRecord(inner)) {
          for (const w of writtenFields([inner], `${here}.processor`)) {
            if (!w.field.startsWith('_ingest._value')) out.push({ ...w, index });
          }
        }
      } else {
        for (const w of writesOf(type, opts)) out.push({ ...w, processor: type, tag, location: here, index });
      }
      for (const w of writtenFields(opts['on_failure'], `${here}.on_failure`)) out.push({ ...w, index });
    }
  });
  return out
    .filter((w) => !ignorable(w.field))
    .filter((w) => !removals.some((r) => r.index > w.index && covers(r.field, w.field)))
    .filter((w) => !(w.field.startsWith('_') && removedElsewhere.some((r) => covers(r, w.field))))
    .map(({ index: _index, ...w }) => w);
}
