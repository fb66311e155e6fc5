import { z } from 'zod';
import { indexPatternMatches } from '@lastpass-elastic/package-model';
import { fieldValues, kqlMatches, parseKql, type FieldTypeOf, type KqlNode } from './kql';

/**
 * An offline model of how Kibana's detection engine runs `query`, `threshold` and `new_terms` rules,
 * written by us from Kibana's documentation — NOT Kibana's code. It replays scheduled executions over
 * a list of documents: every `interval` the rule looks back to `from` (e.g. `now-15m`) on its
 * timestamp field (`timestamp_override`, else `@timestamp`) and:
 *  - query: one alert per matching document (an event alerts once, however many runs see it);
 *  - threshold: groups the matching documents by `threshold.field` (all of them when empty), alerts
 *    when a group reaches `threshold.value` (and every `cardinality` minimum); like Kibana's threshold
 *    signal history, documents already counted in an alert of the same group are not counted again;
 *  - new_terms: alerts on a value (or a combination, for several fields) of `new_terms_fields` seen in
 *    the run window but in no matching document from `history_window_start` to the window start.
 * Not modelled: exceptions, alert suppression, max_signals, ES|QL/EQL/ML rules, index lookups.
 */

export const ruleSpecSchema = z.looseObject({
  rule_id: z.string().min(1),
  name: z.string().min(1),
  type: z.enum(['query', 'threshold', 'new_terms']),
  language: z.literal('kuery'),
  query: z.string(),
  index: z.array(z.string().min(1)).min(1),
  interval: z.string().regex(/^\d+[smhd]$/),
  from: z.string().regex(/^now-\d+[smhd]$/),
  timestamp_override: z.string().optional(),
  threshold: z
    .looseObject({
      field: z.array(z.string()),
      value: z.number().int().min(1),
      cardinality: z.array(z.looseObject({ field: z.string(), value: z.number().int().min(1) })).optional(),
    })
    .optional(),
  new_terms_fields: z.array(z.string()).min(1).max(3).optional(),
  history_window_start: z
    .string()
    .regex(/^now-\d+[smhd]$/)
    .optional(),
});
export type RuleSpec = z.infer<typeof ruleSpecSchema>;

/** A document with the index it lives in (rules select documents by index pattern). */
export interface IndexedDocument {
  index: string;
  id: string;
  source: Record<string, unknown>;
}

export interface RuleAlert {
  rule_id: string;
  /** The run that raised it (epoch ms). */
  at: number;
  /** Threshold group values / new term values; empty for query rules. */
  terms: string[];
  /** Documents behind the alert (one for query and new_terms rules). */
  documents: string[];
  /** Threshold: the group's count in that run. */
  count?: number;
}

const UNIT_MS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };
/** `5m` → ms; `now-15m` → 15 min in ms. */
export function durationMs(text: string): number {
  const m = /(\d+)([smhd])$/.exec(text);
  if (!m) throw new Error(`not a duration: ${text}`);
  return Number(m[1]) * (UNIT_MS[m[2] ?? 's'] ?? 1000);
}

function timeOf(doc: Record<string, unknown>, field: string): number | undefined {
  const v = fieldValues(doc, field)[0];
  const t = typeof v === 'string' ? Date.parse(v) : typeof v === 'number' ? v : NaN;
  return Number.isNaN(t) ? undefined : t;
}

/** The value tuples of `fields` in a document (cartesian product of array values; missing → none). */
function tuples(doc: Record<string, unknown>, fields: string[]): string[][] {
  let out: string[][] = [[]];
  for (const f of fields) {
    const values = fieldValues(doc, f).map(String);
    if (values.length === 0) return [];
    out = out.flatMap((prefix) => values.map((v) => [...prefix, v]));
  }
  return out;
}

interface Prepared {
  doc: IndexedDocument;
  time: number;
}

/**
 * Replays the rule's executions at `start + k·interval` (k ≥ 1) up to `end` over `docs`, returning its
 * alerts in order. `typeOf` gives field mapping types (KQL matching depends on them).
 */
export function runRule(
  spec: RuleSpec,
  docs: readonly IndexedDocument[],
  window: { start: number; end: number },
  typeOf: FieldTypeOf = () => undefined,
): RuleAlert[] {
  const query: KqlNode = parseKql(spec.query);
  const timeField = spec.timestamp_override ?? '@timestamp';
  const interval = durationMs(spec.interval);
  const lookBack = durationMs(spec.from);
  const matching: Prepared[] = [];
  for (const doc of docs) {
    if (!spec.index.some((p) => indexPatternMatches(p, doc.index))) continue;
    if (!kqlMatches(query, doc.source, typeOf)) continue;
    const time = timeOf(doc.source, timeField);
    if (time !== undefined) matching.push({ doc, time });
  }
  matching.sort((a, b) => a.time - b.time);
  const alerts: RuleAlert[] = [];
  const alerted = new Set<string>();
  // new_terms: the sorted times of every term tuple, and when each alerted term was first seen
  const occurrences = new Map<string, number[]>();
  const termsOf = new Map<Prepared, string[][]>();
  if (spec.type === 'new_terms') {
    const fields = spec.new_terms_fields;
    if (!fields || !spec.history_window_start)
      throw new Error(`${spec.rule_id}: a new_terms rule needs new_terms_fields and history_window_start`);
    for (const p of matching) {
      const terms = tuples(p.doc.source, fields);
      termsOf.set(p, terms);
      for (const t of terms) {
        const key = JSON.stringify(t);
        const list = occurrences.get(key) ?? [];
        list.push(p.time);
        occurrences.set(key, list);
      }
    }
  }
  const firstSeen = new Map<string, number>();
  const seenBetween = (key: string, since: number, until: number): boolean => {
    const first = firstSeen.get(key);
    if (first !== undefined && first >= since) return true;
    const list = occurrences.get(key) ?? [];
    let lo = 0;
    let hi = list.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((list[mid] ?? 0) < since) lo = mid + 1;
      else hi = mid;
    }
    return lo < list.length && (list[lo] ?? Infinity) <= until;
  };
  // threshold: per group, the latest document time already part of an alert (signal history)
  const history = new Map<string, number>();
  // the run window slides forward: two pointers over the time-sorted matches
  let lo = 0;
  let hi = 0;
  for (let now = window.start + interval; now <= window.end; now += interval) {
    const from = now - lookBack;
    while (lo < matching.length && (matching[lo]?.time ?? Infinity) <= from) lo += 1;
    if (hi < lo) hi = lo;
    while (hi < matching.length && (matching[hi]?.time ?? Infinity) <= now) hi += 1;
    if (hi === lo) continue;
    const inRun = matching.slice(lo, hi);
    if (spec.type === 'query') {
      for (const p of inRun) {
        if (alerted.has(p.doc.id)) continue;
        alerted.add(p.doc.id);
        alerts.push({ rule_id: spec.rule_id, at: now, terms: [], documents: [p.doc.id] });
      }
    } else if (spec.type === 'threshold') {
      const t = spec.threshold;
      if (!t) throw new Error(`${spec.rule_id}: a threshold rule needs threshold`);
      const groups = new Map<string, { terms: string[]; docs: Prepared[] }>();
      for (const p of inRun) {
        const keys = t.field.length === 0 ? [[]] : tuples(p.doc.source, t.field);
        for (const terms of keys) {
          const key = JSON.stringify(terms);
          const last = history.get(key);
          if (last !== undefined && p.time <= last) continue;
          const g = groups.get(key) ?? { terms, docs: [] };
          g.docs.push(p);
          groups.set(key, g);
        }
      }
      for (const [key, g] of groups) {
        if (g.docs.length < t.value) continue;
        const cardinalityOk = (t.cardinality ?? []).every(
          (c) =>
            new Set(g.docs.flatMap((p) => fieldValues(p.doc.source, c.field).map(String))).size >= c.value,
        );
        if (!cardinalityOk) continue;
        history.set(key, Math.max(...g.docs.map((p) => p.time)));
        alerts.push({
          rule_id: spec.rule_id,
          at: now,
          terms: g.terms,
          documents: g.docs.map((p) => p.doc.id),
          count: g.docs.length,
        });
      }
    } else {
      const since = now - durationMs(spec.history_window_start ?? 'now-0s');
      for (const p of inRun) {
        for (const terms of termsOf.get(p) ?? []) {
          const key = JSON.stringify(terms);
          if (seenBetween(key, since, from)) continue;
          firstSeen.set(key, p.time);
          alerts.push({ rule_id: spec.rule_id, at: now, terms, documents: [p.doc.id] });
        }
      }
    }
  }
  return alerts;
}
