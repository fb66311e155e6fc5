import {
  indexPatternMatches,
  transformReadName,
  type FieldDefinition,
  type PackageModel,
} from '@lastpass-elastic/package-model';
import { isRecord } from '../../json';
import { FLEET_DATA_VIEWS, fieldScope, lookupField, type FieldScope } from '../../kibana/fields';
import { kqlQueryFields, kqlValuesOf, parseKql } from '../../rules/kql';
import type { RuleContext } from '../context';
import { AGGREGATABLE_TYPES } from './transforms';

/** A saved object as read from kibana/<folder>/<id>.json (see kibana.ts). */
export interface KibanaObject {
  file: string;
  folder: string;
  id: unknown;
  type: unknown;
  attributes: Record<string, unknown>;
  references: { id: string; type: string; name: string }[];
}

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
const DATES = new Set(['date', 'date_nanos']);

export function decodedJson(value: unknown): unknown {
  if (typeof value !== 'string') return value;
  try {
    return JSON.parse(value) as unknown;
  } catch {
    return undefined;
  }
}

/** The values of the non-negated data_stream.dataset filters of a dashboard's search source. */
export function dashboardDatasets(attributes: Record<string, unknown>): string[] {
  const meta = isRecord(attributes['kibanaSavedObjectMeta']) ? attributes['kibanaSavedObjectMeta'] : {};
  const source = decodedJson(meta['searchSourceJSON']);
  const filters =
    isRecord(source) && Array.isArray(source['filter']) ? source['filter'].filter(isRecord) : [];
  const out: string[] = [];
  for (const f of filters) {
    const m = isRecord(f['meta']) ? f['meta'] : {};
    if (m['key'] !== 'data_stream.dataset' || m['negate'] === true || m['disabled'] === true) continue;
    const params = m['params'];
    if (Array.isArray(params)) out.push(...params.map(String));
    else if (isRecord(params) && typeof params['query'] === 'string') out.push(params['query']);
  }
  return out;
}

/** The datasets a panel query narrows to (`data_stream.dataset : "x"`), or undefined. */
function queryDatasets(query: string): string[] | undefined {
  try {
    const values = kqlValuesOf(parseKql(query), 'data_stream.dataset');
    return values.length > 0 ? values : undefined;
  } catch {
    return undefined;
  }
}

/** Operation → what it needs of the field type ('' = anything defined). */
function typeProblem(op: string, type: string): string | undefined {
  const aggregatable = AGGREGATABLE_TYPES.has(type);
  switch (op) {
    case 'terms':
    case 'unique_count':
    case 'last_value':
      return aggregatable ? undefined : `${op} needs an aggregatable field, not ${type}`;
    case 'date_histogram':
      return DATES.has(type) ? undefined : `date_histogram needs a date field, not ${type}`;
    case 'sum':
    case 'average':
    case 'median':
    case 'standard_deviation':
    case 'percentile':
      return NUMERIC.has(type) ? undefined : `${op} needs a numeric field, not ${type}`;
    case 'max':
    case 'min':
      return NUMERIC.has(type) || DATES.has(type)
        ? undefined
        : `${op} needs a numeric or date field, not ${type}`;
    default:
      return undefined;
  }
}

interface Scoped {
  ctx: RuleContext;
  o: KibanaObject;
  where: string;
  scope: FieldScope;
}

function describe(scope: FieldScope): string {
  return `${scope.datasets.join(', ') || 'no dataset'}${scope.transform ? ` (transform ${scope.transform})` : ''}`;
}

function field(s: Scoped, name: string, what: string): FieldDefinition | undefined {
  // A dataset the package does not have was reported already (KIBANA_DATASET): no field findings on top.
  if (s.scope.datasets.length === 0 || s.scope.datasets.some((d) => !s.scope.fieldsByDataset.has(d)))
    return undefined;
  const f = lookupField(s.scope, name);
  if (!f)
    s.ctx.report(
      'KIBANA_PANEL',
      s.o.file,
      s.where,
      `${what} uses ${name}, which ${describe(s.scope)} does not define`,
    );
  return f;
}

function checkQuery(s: Scoped, query: unknown, what: string): void {
  if (typeof query !== 'string' || query.trim() === '') return;
  let names: string[];
  try {
    names = kqlQueryFields(parseKql(query));
  } catch (error) {
    s.ctx.report(
      'KIBANA_PANEL',
      s.o.file,
      s.where,
      `${what} is not KQL our parser reads: ${(error as Error).message}`,
    );
    return;
  }
  for (const name of names) field(s, name, what);
}

/** Lens formBased columns: fields defined, operations fit the types, column filters and filters buckets valid. */
function checkLensState(s: Scoped, state: Record<string, unknown>): void {
  checkQuery(s, isRecord(state['query']) ? state['query']['query'] : undefined, 'the panel query');
  const ds = isRecord(state['datasourceStates']) ? state['datasourceStates'] : {};
  const formBased = isRecord(ds['formBased']) ? ds['formBased'] : {};
  const layers = isRecord(formBased['layers']) ? formBased['layers'] : {};
  for (const layer of Object.values(layers)) {
    if (!isRecord(layer) || !isRecord(layer['columns'])) continue;
    for (const [id, col] of Object.entries(layer['columns'])) {
      if (!isRecord(col)) continue;
      const op = String(col['operationType']);
      const src = col['sourceField'];
      if (typeof src === 'string' && src !== '___records___') {
        const f = field(s, src, `column ${id} (${op})`);
        const problem = f ? typeProblem(op, f.type) : undefined;
        if (problem)
          s.ctx.report('KIBANA_FIELD_TYPE', s.o.file, s.where, `column ${id} on ${src}: ${problem}`);
      }
      if (isRecord(col['filter'])) checkQuery(s, col['filter']['query'], `the filter of column ${id}`);
      const params = isRecord(col['params']) ? col['params'] : {};
      if (op === 'filters' && Array.isArray(params['filters']))
        for (const f of params['filters'].filter(isRecord))
          checkQuery(
            s,
            isRecord(f['input']) ? f['input']['query'] : undefined,
            `a filters bucket of column ${id}`,
          );
      if (op === 'last_value' && typeof params['sortField'] === 'string') {
        const sort = field(s, params['sortField'], `the sort of column ${id}`);
        if (sort && !DATES.has(sort.type))
          s.ctx.report(
            'KIBANA_FIELD_TYPE',
            s.o.file,
            s.where,
            `last_value sorts on ${sort.name}, a ${sort.type}, not a date`,
          );
      }
    }
  }
}

interface DashboardScopeInput {
  pkg: PackageModel;
  views: Map<string, string>;
  dashboardDatasets: string[];
}

/** Resolves a data view id to its title; reports ids neither Fleet nor the package provides. */
function viewTitle(
  ctx: RuleContext,
  o: KibanaObject,
  where: string,
  views: Map<string, string>,
  id: string,
): string | undefined {
  if (FLEET_DATA_VIEWS.has(id)) return id;
  const title = views.get(id);
  if (title === undefined)
    ctx.report(
      'KIBANA_REFERENCE',
      o.file,
      where,
      `data view "${id}" is neither one Fleet installs (logs-*, metrics-*) nor in kibana/index_pattern/`,
    );
  return title;
}

/** Scope of a panel: its data view, and its own dataset clause or the dashboard's dataset filter. */
function panelScope(
  ctx: RuleContext,
  o: KibanaObject,
  where: string,
  input: DashboardScopeInput,
  viewId: string,
  query: unknown,
): FieldScope | undefined {
  const title = viewTitle(ctx, o, where, input.views, viewId);
  if (title === undefined) return undefined;
  const own = typeof query === 'string' ? queryDatasets(query) : undefined;
  const datasets = own ?? input.dashboardDatasets;
  const known = new Set(input.pkg.dataStreams.map((d) => d.dataset));
  for (const d of datasets)
    if (!known.has(d))
      ctx.report('KIBANA_DATASET', o.file, where, `dataset ${d} is not a data stream of the package`);
  if (own && input.dashboardDatasets.length > 0)
    for (const d of own)
      if (!input.dashboardDatasets.includes(d))
        ctx.report(
          'KIBANA_DATASET',
          o.file,
          where,
          `the panel reads ${d}, which the dashboard's dataset filter excludes`,
        );
  const scope = fieldScope(input.pkg, title, datasets);
  if (scope.transform !== undefined && scope.datasets.length === 0)
    ctx.report(
      'KIBANA_DATASET',
      o.file,
      where,
      `data view ${title} holds transform ${scope.transform}'s dataset, which the dataset filter (${datasets.join(', ') || 'none'}) excludes`,
    );
  return scope;
}

function layerList(attrs: Record<string, unknown>): Record<string, unknown>[] {
  const list = decodedJson(attrs['layerListJSON']);
  return Array.isArray(list) ? list.filter(isRecord) : [];
}

/** Panels, map layers, controls and references of one dashboard, against the package's fields. */
export function checkDashboardAssets(
  ctx: RuleContext,
  o: KibanaObject,
  panels: Record<string, unknown>[],
  views: Map<string, string>,
): void {
  const pkg = ctx.model;
  if (!pkg) return;
  const input: DashboardScopeInput = { pkg, views, dashboardDatasets: dashboardDatasets(o.attributes) };
  const refNames = new Set(o.references.map((r) => r.name));
  const expectedRefs = new Set<string>();
  for (const r of o.references) if (r.type === 'index-pattern') viewTitle(ctx, o, 'references', views, r.id);

  const meta = isRecord(o.attributes['kibanaSavedObjectMeta']) ? o.attributes['kibanaSavedObjectMeta'] : {};
  const source = decodedJson(meta['searchSourceJSON']);
  const filters =
    isRecord(source) && Array.isArray(source['filter']) ? source['filter'].filter(isRecord) : [];
  filters.forEach((f) => {
    const m = isRecord(f['meta']) ? f['meta'] : {};
    if (typeof m['indexRefName'] === 'string') expectedRefs.add(m['indexRefName']);
  });

  panels.forEach((p, i) => {
    const where = `attributes.panelsJSON[${i}]`;
    const panelIndex = String(p['panelIndex']);
    const cfg = isRecord(p['embeddableConfig']) ? p['embeddableConfig'] : {};
    const attrs = isRecord(cfg['attributes']) ? cfg['attributes'] : {};
    const inner = Array.isArray(attrs['references']) ? attrs['references'].filter(isRecord) : [];
    for (const r of inner) expectedRefs.add(`${panelIndex}:${String(r['name'])}`);
    if (p['type'] === 'lens') {
      const state = isRecord(attrs['state']) ? attrs['state'] : {};
      const query = isRecord(state['query']) ? state['query']['query'] : undefined;
      const layerRef = inner.find((r) => String(r['name']).startsWith('indexpattern-datasource-layer-'));
      if (!layerRef) return;
      const scope = panelScope(ctx, o, where, input, String(layerRef['id']), query);
      if (scope) checkLensState({ ctx, o, where, scope }, state);
    } else if (p['type'] === 'map') {
      const names = new Set(inner.map((r) => String(r['name'])));
      layerList(attrs).forEach((layer, li) => {
        const sd = isRecord(layer['sourceDescriptor']) ? layer['sourceDescriptor'] : {};
        const refName = sd['indexPatternRefName'];
        if (typeof refName !== 'string') return;
        const lwhere = `${where}.layerListJSON[${li}]`;
        if (!names.has(refName)) {
          ctx.report(
            'KIBANA_REFERENCE',
            o.file,
            lwhere,
            `map layer reference ${refName} is not in the panel's references`,
          );
          return;
        }
        const ref = inner.find((r) => r['name'] === refName);
        const q = isRecord(layer['query']) ? layer['query']['query'] : undefined;
        const scope = panelScope(ctx, o, lwhere, input, String(ref?.['id']), q);
        if (!scope) return;
        const s: Scoped = { ctx, o, where: lwhere, scope };
        checkQuery(s, q, 'the map layer query');
        if (typeof sd['geoField'] === 'string') {
          const f = field(s, sd['geoField'], 'the map layer');
          if (f && f.type !== 'geo_point' && f.type !== 'geo_shape')
            ctx.report(
              'KIBANA_FIELD_TYPE',
              o.file,
              lwhere,
              `map layer on ${f.name}: a ${f.type}, not a geo_point`,
            );
        }
      });
    }
  });

  const group = isRecord(o.attributes['controlGroupInput']) ? o.attributes['controlGroupInput'] : {};
  const controls = decodedJson(group['panelsJSON']);
  if (isRecord(controls)) {
    for (const [id, c] of Object.entries(controls)) {
      if (!isRecord(c)) continue;
      const where = `attributes.controlGroupInput.panelsJSON.${id}`;
      const refName = `controlGroup_${id}:optionsListDataView`;
      expectedRefs.add(refName);
      const ref = o.references.find((r) => r.name === refName);
      if (!ref) {
        ctx.report(
          'KIBANA_REFERENCE',
          o.file,
          where,
          `control ${id} needs a dashboard reference named ${refName}`,
        );
        continue;
      }
      const input2 = isRecord(c['explicitInput']) ? c['explicitInput'] : {};
      const name = input2['fieldName'];
      const scope = panelScope(ctx, o, where, input, ref.id, undefined);
      if (typeof name !== 'string' || !scope) continue;
      const f = field({ ctx, o, where, scope }, name, 'the control');
      if (f && !AGGREGATABLE_TYPES.has(f.type))
        ctx.report(
          'KIBANA_FIELD_TYPE',
          o.file,
          where,
          `an options list needs an aggregatable field; ${name} is ${f.type}`,
        );
    }
  }

  for (const name of expectedRefs)
    if (!refNames.has(name))
      ctx.report(
        'KIBANA_REFERENCE',
        o.file,
        'references',
        `nothing provides the reference ${name} a panel, filter or control uses`,
      );
  for (const r of o.references)
    if (r.type === 'index-pattern' && !expectedRefs.has(r.name))
      ctx.report(
        'KIBANA_REFERENCE',
        o.file,
        'references',
        `reference ${r.name} is used by no panel, filter or control`,
      );
}

/** A package data view must read a data stream of the package or a transform's read alias. */
export function checkDataView(ctx: RuleContext, o: KibanaObject): void {
  const pkg = ctx.model;
  if (!pkg) return;
  const title = o.attributes['title'];
  if (typeof title !== 'string') {
    ctx.report('KIBANA_DATASET', o.file, 'attributes.title', 'a data view needs a title');
    return;
  }
  const patterns = title.split(',').map((t) => t.trim());
  const ok = patterns.every(
    (p) =>
      pkg.transforms.some((t) => transformReadName(t) === p) ||
      pkg.dataStreams.some((ds) => indexPatternMatches(p, `${ds.type}-${ds.dataset}-default`)),
  );
  if (!ok)
    ctx.report(
      'KIBANA_DATASET',
      o.file,
      'attributes.title',
      `${title} reads no data stream of the package and no transform alias (${pkg.transforms.map(transformReadName).join(', ') || 'none'})`,
    );
}

/** Field definitions of the data streams a set of index patterns covers. */
export function indexScope(pkg: PackageModel, index: string[]): FieldScope {
  const datasets = pkg.dataStreams
    .filter((ds) => index.some((p) => indexPatternMatches(p, `${ds.type}-${ds.dataset}-default`)))
    .map((ds) => ds.dataset);
  return fieldScope(pkg, undefined, datasets);
}
