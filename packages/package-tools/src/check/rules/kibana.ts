import { readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { parse } from 'yaml';
import { isRecord } from '../../json';
import { KibanaDefinitionError } from '../../kibana/definitions';
import { kibanaAssetsDrift } from '../../kibana/generate';
import { filesIn, type RuleContext } from '../context';
import { checkDashboardAssets, checkDataView } from './kibana-fields';
import { checkSecurityRules } from './security-rules';

/** Saved-object attributes Kibana stores as JSON strings (elastic-package internal/builder/dashboards.go). */
export const ENCODED_ATTRIBUTES = [
  'panelsJSON',
  'optionsJSON',
  'uiStateJSON',
  'visState',
  'layerListJSON',
  'mapStateJSON',
];
export const ENCODED_NESTED = {
  kibanaSavedObjectMeta: ['searchSourceJSON'],
  controlGroupInput: ['panelsJSON', 'ignoreParentSettingsJSON'],
};
const LEGACY_VIS = new Set([
  'metrics',
  'timelion',
  'vega',
  'table',
  'pie',
  'line',
  'area',
  'histogram',
  'horizontal_bar',
  'metric',
  'gauge',
  'goal',
  'tagcloud',
  'heatmap',
  'markdown_legacy',
  'input_control_vis',
]);

interface SavedObject {
  file: string;
  folder: string;
  id: unknown;
  type: unknown;
  attributes: Record<string, unknown>;
  references: { id: string; type: string; name: string }[];
  raw: Record<string, unknown>;
}

function decoded(value: unknown): unknown {
  if (typeof value !== 'string') return value;
  try {
    return JSON.parse(value) as unknown;
  } catch {
    return undefined;
  }
}

function readObjects(ctx: RuleContext): SavedObject[] {
  const kibana = join(ctx.root, 'kibana');
  const out: SavedObject[] = [];
  for (const folder of [
    'dashboard',
    'search',
    'visualization',
    'lens',
    'map',
    'tag',
    'index_pattern',
    'security_rule',
    'csp_rule_template',
    'ml_module',
    'osquery_pack_asset',
    'osquery_saved_query',
  ]) {
    for (const f of filesIn(join(kibana, folder), (n) => n.endsWith('.json'))) {
      const file = join(kibana, folder, f);
      let doc: unknown;
      try {
        doc = JSON.parse(readFileSync(file, 'utf8'));
      } catch {
        continue; // structure walk reports it
      }
      if (!isRecord(doc)) continue;
      const refs = Array.isArray(doc['references']) ? doc['references'] : [];
      out.push({
        file,
        folder,
        id: doc['id'],
        type: doc['type'],
        attributes: isRecord(doc['attributes']) ? doc['attributes'] : {},
        references: refs
          .filter(isRecord)
          .map((r) => ({ id: String(r['id']), type: String(r['type']), name: String(r['name']) })),
        raw: doc,
      });
    }
  }
  return out;
}

/** Does this filter list contain a data_stream.dataset filter? */
function hasDatasetFilter(source: unknown): boolean {
  return JSON.stringify(source ?? null).includes('data_stream.dataset');
}

function panelsOf(attributes: Record<string, unknown>): Record<string, unknown>[] {
  const panels = decoded(attributes['panelsJSON']);
  return Array.isArray(panels) ? panels.filter(isRecord) : [];
}

const OLDEST_KIBANA = [8, 16, 0];
function newerThanOldest(version: unknown): boolean {
  if (typeof version !== 'string') return false;
  const parts = version.split('.').map(Number);
  for (let i = 0; i < 3; i += 1) {
    const d = (parts[i] ?? 0) - (OLDEST_KIBANA[i] ?? 0);
    if (d !== 0) return d > 0;
  }
  return false;
}

/** Column ids a Lens visualization state points at (metric, XY, pie, datatable shapes). */
function accessorsOf(vis: Record<string, unknown>): { layerId: unknown; ids: string[] }[] {
  const ids = (v: unknown): string[] =>
    Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : typeof v === 'string' ? [v] : [];
  const fromLayer = (l: Record<string, unknown>): { layerId: unknown; ids: string[] } => ({
    layerId: l['layerId'],
    ids: [
      ...ids(l['metricAccessor']),
      ...ids(l['accessors']),
      ...ids(l['xAccessor']),
      ...ids(l['splitAccessor']),
      ...ids(l['primaryGroups']),
      ...ids(l['metrics']),
      ...(Array.isArray(l['columns'])
        ? l['columns'].filter(isRecord).flatMap((c) => ids(c['columnId']))
        : []),
    ],
  });
  return Array.isArray(vis['layers']) ? vis['layers'].filter(isRecord).map(fromLayer) : [fromLayer(vis)];
}

/** A by-value Lens state is internally consistent: columnOrder = columns, accessors point at columns of their layer. */
export function lensConsistency(state: Record<string, unknown>): string[] {
  const problems: string[] = [];
  const ds = isRecord(state['datasourceStates']) ? state['datasourceStates'] : {};
  const formBased = isRecord(ds['formBased']) ? ds['formBased'] : undefined;
  const layers = formBased && isRecord(formBased['layers']) ? formBased['layers'] : undefined;
  if (!layers) return ['Lens state must use datasourceStates.formBased.layers'];
  const columnsOf = new Map<string, Set<string>>();
  for (const [layerId, layer] of Object.entries(layers)) {
    if (!isRecord(layer)) continue;
    const columns = isRecord(layer['columns']) ? Object.keys(layer['columns']) : [];
    const order = Array.isArray(layer['columnOrder']) ? layer['columnOrder'].map(String) : [];
    if ([...columns].sort().join() !== [...order].sort().join())
      problems.push(
        `layer ${layerId}: columnOrder (${order.join(', ')}) differs from columns (${columns.join(', ')})`,
      );
    columnsOf.set(layerId, new Set(columns));
  }
  const vis = isRecord(state['visualization']) ? state['visualization'] : {};
  for (const { layerId, ids } of accessorsOf(vis)) {
    const columns = typeof layerId === 'string' ? columnsOf.get(layerId) : undefined;
    if (!columns) {
      problems.push(`visualization layer ${String(layerId)} is not a datasource layer`);
      continue;
    }
    for (const id of ids)
      if (!columns.has(id))
        problems.push(`visualization refers to column ${id}, which layer ${String(layerId)} lacks`);
  }
  return problems;
}

/** Field names a KQL query mentions (`field : value`). */
export function kqlFields(query: string): string[] {
  return [...query.matchAll(/(?:^|[\s(])([A-Za-z@_][A-Za-z0-9@_.]*)\s*:/g)]
    .map((m) => m[1] ?? '')
    .filter((f) => f !== '');
}

/** Panels: grid, dashboard-level Lens references, Lens state consistency (fields: kibana-fields.ts). */
function checkPanels(ctx: RuleContext, o: SavedObject, panels: Record<string, unknown>[]): void {
  const { report } = ctx;
  const dashboardRefs = new Set(o.references.map((r) => r.name));
  panels.forEach((p, i) => {
    const where = `attributes.panelsJSON[${i}]`;
    const grid = isRecord(p['gridData']) ? p['gridData'] : {};
    const x = typeof grid['x'] === 'number' ? grid['x'] : 0;
    const w = typeof grid['w'] === 'number' ? grid['w'] : 0;
    if (x < 0 || w <= 0 || x + w > 48)
      report(
        'KIBANA_PANEL',
        o.file,
        `${where}.gridData`,
        `panel spans columns ${x}..${x + w}; the grid has 48`,
      );
    if (p['type'] !== 'lens') return;
    const cfg = isRecord(p['embeddableConfig']) ? p['embeddableConfig'] : {};
    const attrs = isRecord(cfg['attributes']) ? cfg['attributes'] : {};
    const refs = Array.isArray(attrs['references']) ? attrs['references'].filter(isRecord) : [];
    for (const r of refs) {
      const name = `${String(p['panelIndex'])}:${String(r['name'])}`;
      if (!dashboardRefs.has(name))
        report(
          'KIBANA_PANEL',
          o.file,
          where,
          `panel reference ${String(r['name'])} needs a dashboard-level reference named ${name}`,
        );
    }
    const state = isRecord(attrs['state']) ? attrs['state'] : {};
    for (const problem of lensConsistency(state)) report('KIBANA_PANEL', o.file, where, problem);
  });
}

/** Source mode: kibana/ must be what the generator makes of _dev/shared/kibana/ (when the package has them). */
function checkGenerated(ctx: RuleContext): void {
  if (ctx.mode !== 'source' || !ctx.model) return;
  try {
    const drift = kibanaAssetsDrift(ctx.root, ctx.model);
    if (!drift) return;
    for (const rel of drift.stale)
      ctx.report(
        'KIBANA_GENERATED_STALE',
        join(ctx.root, rel),
        '',
        'differs from its generation: run `lastpass-elastic kibana`',
      );
    for (const rel of drift.extra)
      ctx.report(
        'KIBANA_GENERATED_STALE',
        join(ctx.root, rel),
        '',
        'not produced by _dev/shared/kibana/ (kibana/dashboard, index_pattern and security_rule are generated): run `lastpass-elastic kibana`',
      );
  } catch (error) {
    if (!(error instanceof KibanaDefinitionError)) throw error;
    ctx.report('KIBANA_GENERATED_STALE', join(ctx.root, '_dev', 'shared', 'kibana'), '', error.message);
  }
}

/** Ids, references, by-value panels, dataset filters, legacy visualizations, tags and build encoding. */
export function checkKibana(ctx: RuleContext): void {
  const { report } = ctx;
  const objects = readObjects(ctx);
  const known = new Set(objects.map((o) => `${String(o.type)}:${String(o.id)}`));
  const tagNames = new Map<string, string>();
  const tagsYml = join(ctx.root, 'kibana', 'tags.yml');
  try {
    const tags: unknown = parse(readFileSync(tagsYml, 'utf8'));
    if (Array.isArray(tags))
      for (const t of tags)
        if (isRecord(t) && typeof t['text'] === 'string') tagNames.set(t['text'], tagsYml);
  } catch {
    // no tags.yml
  }
  const views = new Map<string, string>();
  for (const o of objects)
    if (o.folder === 'index_pattern' && typeof o.attributes['title'] === 'string')
      views.set(String(o.id), o.attributes['title']);
  checkSecurityRules(ctx, objects);
  checkGenerated(ctx);
  for (const o of objects) {
    if (o.folder === 'index_pattern') checkDataView(ctx, o);
    const id = basename(o.file, '.json');
    if (o.id !== id)
      report('KIBANA_ID', o.file, 'id', `id ${JSON.stringify(o.id)} must equal the file name "${id}"`);
    // Kibana's asset folders name saved-object types with _ for - (index_pattern → index-pattern, security_rule → security-rule).
    const expectedType = o.folder.replace(/_/g, '-');
    if (o.type !== expectedType)
      report(
        'KIBANA_ID',
        o.file,
        'type',
        `type ${JSON.stringify(o.type)} must be "${expectedType}" in kibana/${o.folder}/ (Kibana skips it otherwise)`,
      );
    o.references.forEach((r, i) => {
      if (r.type === 'index-pattern') return;
      if (!known.has(`${r.type}:${r.id}`))
        report(
          'KIBANA_DANGLING_REFERENCE',
          o.file,
          `references[${i}]`,
          `reference to ${r.type} "${r.id}" is not in the package (SVR00003)`,
        );
      if (o.type === 'dashboard' && ['lens', 'visualization', 'map'].includes(r.type)) {
        report(
          'KIBANA_BY_REFERENCE',
          o.file,
          `references[${i}]`,
          `dashboards must embed ${r.type} panels by value (SVR00004)`,
        );
      }
    });
    if (o.type === 'tag') {
      const name = o.attributes['name'];
      if (typeof name === 'string') {
        if (tagNames.has(name))
          report(
            'KIBANA_TAG_DUPLICATE',
            o.file,
            'attributes.name',
            `tag "${name}" is already defined (SVR00007)`,
          );
        tagNames.set(name, o.file);
      }
    }
    if (o.type === 'visualization') {
      const vis = decoded(o.attributes['visState']);
      const visType = isRecord(vis) ? vis['type'] : undefined;
      if (typeof visType === 'string' && LEGACY_VIS.has(visType))
        report(
          'KIBANA_LEGACY_VISUALIZATION',
          o.file,
          'attributes.visState',
          `legacy visualization type "${visType}"`,
        );
    }
    for (const key of ['coreMigrationVersion', 'typeMigrationVersion']) {
      if (newerThanOldest(o.raw[key]))
        report(
          'KIBANA_PANEL',
          o.file,
          key,
          `${key} ${String(o.raw[key])} is newer than the oldest supported Kibana (8.16.0), which would refuse it`,
        );
    }
    if (o.type === 'dashboard') {
      const meta = isRecord(o.attributes['kibanaSavedObjectMeta'])
        ? o.attributes['kibanaSavedObjectMeta']
        : {};
      const panels = panelsOf(o.attributes);
      const dashboardFilter = hasDatasetFilter(decoded(meta['searchSourceJSON']));
      const filterable = panels.filter(
        (p) => p['type'] === 'lens' || p['type'] === 'search' || p['type'] === 'visualization',
      );
      const panelsFiltered =
        filterable.length > 0 && filterable.every((p) => hasDatasetFilter(p['embeddableConfig']));
      if (!dashboardFilter && !panelsFiltered) {
        report(
          'KIBANA_FILTER_MISSING',
          o.file,
          'attributes.kibanaSavedObjectMeta.searchSourceJSON',
          'dashboard needs a data_stream.dataset filter on the dashboard or on every panel (SVR00001/SVR00002)',
        );
      }
      checkPanels(ctx, o, panels);
      checkDashboardAssets(ctx, o, panels, views);
      for (const p of panels) {
        const vis = isRecord(p['embeddableConfig']) ? p['embeddableConfig']['savedVis'] : undefined;
        if (isRecord(vis) && typeof vis['type'] === 'string' && LEGACY_VIS.has(vis['type'])) {
          report(
            'KIBANA_LEGACY_VISUALIZATION',
            o.file,
            'attributes.panelsJSON',
            `legacy visualization type "${vis['type']}" in a panel`,
          );
        }
      }
    }
    if (ctx.mode === 'build') {
      for (const key of ENCODED_ATTRIBUTES) {
        if (key in o.attributes && typeof o.attributes[key] !== 'string')
          report('KIBANA_ENCODING', o.file, `attributes.${key}`, 'must be a JSON string in a built package');
      }
      for (const [parent, keys] of Object.entries(ENCODED_NESTED)) {
        const holder = o.attributes[parent];
        if (!isRecord(holder)) continue;
        for (const key of keys) {
          if (key in holder && typeof holder[key] !== 'string')
            report(
              'KIBANA_ENCODING',
              o.file,
              `attributes.${parent}.${key}`,
              'must be a JSON string in a built package',
            );
        }
      }
    }
  }
}
