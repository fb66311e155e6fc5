// Test instruments for the generated dashboards: the package's user and shared-folder snapshots made
// by the pipelines, an emulation of the latest transform (unique_key + sort from transform.yml), and an
// evaluator of a Lens tile's query / newest-snapshot bucket / filtered count on documents. All ours:
// not Elasticsearch's transform, not Kibana's Lens.
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { applyFleetFinalPipeline, createExecutor, loadPackagePipelines } from '@lastpass-elastic/ingest';
import {
  fleetPipelineName,
  getDataStream,
  loadPackage,
  transformSourceStreams,
} from '@lastpass-elastic/package-model';
import { fieldScope, fieldValues, kqlMatches, lookupField, parseKql } from '@lastpass-elastic/package-tools';
import type { SimSharedFolder, SimUser } from '@lastpass-elastic/simulator';

export const ROOT = resolve(__dirname, '..', '..');
export const pkg = loadPackage(ROOT);
const executor = createExecutor({ pipelines: loadPackagePipelines(pkg) });

export type Doc = Record<string, unknown>;
export type SavedObject = {
  id: string;
  type: string;
  attributes: Record<string, unknown>;
  references: { id: string; name: string; type: string }[];
};

export function savedObjects(folder: string): SavedObject[] {
  const dir = join(ROOT, 'kibana', folder);
  return readdirSync(dir)
    .sort()
    .map((f) => JSON.parse(readFileSync(join(dir, f), 'utf8')) as SavedObject);
}

/** Runs raw inventory documents (contracts §3) through a data stream's pipeline, then Fleet's final step. */
function ingest(stream: string, messages: unknown[], snapshot: { id: string; start: string }): Doc[] {
  const ds = getDataStream(pkg, stream);
  return messages.map((message) => {
    const result = executor.process(fleetPipelineName(pkg, ds), {
      _index: `logs-${ds.dataset}-default`,
      _source: {
        message: JSON.stringify(message),
        '@timestamp': snapshot.start,
        data_stream: { type: 'logs', dataset: ds.dataset, namespace: 'default' },
        _conf: { account_number: '8771312', time_zone: 'America/New_York' },
        tags: ['forwarded', `lastpass_enterprise-${stream}`],
        lastpass_enterprise: { snapshot: { id: snapshot.id, started_at: snapshot.start } },
      },
    });
    if (result.kind !== 'indexed') throw new Error(`${stream}: not indexed: ${JSON.stringify(result)}`);
    return applyFleetFinalPipeline(result._source, { now: new Date(Date.parse(snapshot.start) + 60_000) });
  });
}

/** One user snapshot as the collector sends it: users with `id`, invitees `{username, invited}`. */
export function userSnapshot(
  users: SimUser[],
  invited: string[],
  snapshot: { id: string; start: string },
): Doc[] {
  return ingest(
    'user',
    [
      ...users.map((u) => ({ ...u.record, id: u.id })),
      ...invited.map((username) => ({ username, invited: true })),
    ],
    snapshot,
  );
}

/** One shared-folder snapshot: one document per (folder, member), a member-less folder once. */
export function folderSnapshot(folders: SimSharedFolder[], snapshot: { id: string; start: string }): Doc[] {
  const messages: unknown[] = [];
  for (const f of folders) {
    const { users, ...rest } = f;
    if (users.length === 0) messages.push(rest);
    for (const member of users) messages.push({ ...rest, users: member });
  }
  return ingest('detailed_shared_folder', messages, snapshot);
}

/** The latest transform as transform.yml defines it: source filter, unique_key groups, max by sort. */
export function latest(transformName: string, docs: Doc[]): Doc[] {
  const t = pkg.transforms.find((x) => x.name === transformName);
  if (!t?.config.latest) throw new Error(`no latest transform ${transformName}`);
  const { unique_key: key, sort } = t.config.latest;
  const groups = new Map<string, Doc>();
  for (const d of docs) {
    if (fieldValues(d, 'event.kind')[0] !== 'state') continue; // source.query: event.kind: state
    const k = JSON.stringify(key.map((f) => fieldValues(d, f)[0] ?? null));
    const prior = groups.get(k);
    const time = (x: Doc): number => Date.parse(String(fieldValues(x, sort)[0]));
    if (!prior || time(d) > time(prior)) groups.set(k, d);
  }
  return [...groups.values()];
}

function filterMatches(filter: Record<string, unknown>, doc: Doc): boolean {
  const meta = filter['meta'] as Record<string, unknown>;
  const values = fieldValues(doc, String(meta['key'])).map(String);
  const params = meta['params'];
  const wanted = Array.isArray(params)
    ? params.map(String)
    : [String((params as Record<string, unknown>)['query'])];
  const hit = values.some((v) => wanted.includes(v));
  return meta['negate'] === true ? !hit : hit;
}

/**
 * Evaluates a Lens metric tile of a dashboard on documents: dashboard filters, the layer query, then
 * (when present) the breakdown's terms bucket of size 1, and the metric (count or unique_count, with
 * its column filter). Returns the tile's value and its bucket (the snapshot id).
 */
export function evaluateTile(
  dashboard: SavedObject,
  title: string,
  docs: Doc[],
  now: number,
): { value: number; bucket?: string } {
  const panels = dashboard.attributes['panelsJSON'] as Record<string, unknown>[];
  const panel = panels.find((p) => p['title'] === title);
  if (!panel) throw new Error(`${dashboard.id}: no panel "${title}"`);
  const attrs = (panel['embeddableConfig'] as Record<string, unknown>)['attributes'] as Record<
    string,
    unknown
  >;
  if (attrs['visualizationType'] !== 'lnsMetric') throw new Error(`${title} is not a metric`);
  const state = attrs['state'] as Record<string, unknown>;
  const vis = state['visualization'] as Record<string, string>;
  const layer = Object.values(
    ((state['datasourceStates'] as Record<string, unknown>)['formBased'] as Record<string, unknown>)[
      'layers'
    ] as Record<string, unknown>,
  )[0] as { columns: Record<string, Record<string, unknown>> };
  const ds = pkg.dataStreams.find((d) => d.dataset === fieldValues(docs[0] ?? {}, 'data_stream.dataset')[0]);
  // The transform reading this stream (by source, not by folder name: latest_shared_folder reads detailed_shared_folder).
  const transform = pkg.transforms.find((t) =>
    transformSourceStreams(pkg, t).some((s) => s.name === ds?.name),
  );
  const scope = fieldScope(pkg, undefined, ds ? [ds.dataset] : []);
  const typeOf = (f: string): string | undefined =>
    transform?.fields.find((x) => x.name === f)?.type ?? lookupField(scope, f)?.type;
  const meta = dashboard.attributes['kibanaSavedObjectMeta'] as Record<string, unknown>;
  const filters =
    ((meta['searchSourceJSON'] as Record<string, unknown>)['filter'] as Record<string, unknown>[]) ?? [];
  const layerQuery = (state['query'] as Record<string, unknown>)['query'];
  const query = parseKql(typeof layerQuery === 'string' ? layerQuery : '');
  let rows = docs.filter(
    (d) => filters.every((f) => filterMatches(f, d)) && kqlMatches(query, d, typeOf, now),
  );
  let bucket: string | undefined;
  const breakdown =
    vis['breakdownByAccessor'] === undefined ? undefined : layer.columns[vis['breakdownByAccessor']];
  if (breakdown) {
    const field = String(breakdown['sourceField']);
    const values = [...new Set(rows.flatMap((d) => fieldValues(d, field).map(String)))].sort();
    bucket = values.at(-1);
    rows = rows.filter((d) =>
      fieldValues(d, field)
        .map(String)
        .includes(bucket ?? ''),
    );
  }
  const metric = layer.columns[vis['metricAccessor'] ?? ''] ?? {};
  const filter = metric['filter'] as { query?: string } | undefined;
  if (filter?.query) {
    const q = parseKql(filter.query);
    rows = rows.filter((d) => kqlMatches(q, d, typeOf, now));
  }
  const value =
    metric['operationType'] === 'unique_count'
      ? new Set(rows.flatMap((d) => fieldValues(d, String(metric['sourceField'])).map(String))).size
      : rows.length;
  return bucket === undefined ? { value } : { value, bucket };
}
