import type { PackageModel } from '@lastpass-elastic/package-model';
import {
  KibanaDefinitionError,
  type ColumnDefinition,
  type DashboardDefinition,
  type DataViewDefinition,
  type FilterDefinition,
  type PanelDefinition,
} from './definitions';
import { fieldScope, lensDataType, lookupField, type FieldScope } from './fields';
import { stableUuid } from './ids';

type Json = Record<string, unknown>;
interface Reference {
  type: string;
  id: string;
  name: string;
}

/** The Kibana 8.16 dashboard attribute defaults our dashboards share. */
const OPTIONS = {
  useMargins: true,
  syncColors: true,
  syncCursor: true,
  syncTooltips: true,
  hidePanelTitles: false,
};
const BUCKET_OPS = new Set(['terms', 'date_histogram', 'filters']);

interface Context {
  pkg: PackageModel;
  views: Map<string, DataViewDefinition>;
  dashboard: DashboardDefinition;
  where: string;
}

function dataViewTitle(ctx: Context, id: string): string {
  if (id === 'logs-*' || id === 'metrics-*') return id;
  const view = ctx.views.get(id);
  if (!view)
    throw new KibanaDefinitionError(
      `${ctx.where}: data view "${id}" is neither Fleet's nor in data_views.yml`,
    );
  return view.title;
}

/** The datasets a panel reads: its own `dataset`, else the dashboard's data_stream.dataset filter values. */
export function panelDatasets(dashboard: DashboardDefinition, panel: PanelDefinition): string[] {
  if (panel.dataset !== undefined) return [panel.dataset];
  const filter = dashboard.filters.find((f) => f.field === 'data_stream.dataset' && !f.negate);
  return filter?.values ?? [];
}

function kqlAnd(...parts: (string | undefined)[]): string {
  const present = parts.filter((p): p is string => p !== undefined && p.trim() !== '');
  return present.length <= 1 ? (present[0] ?? '') : present.map((p) => `(${p})`).join(' and ');
}

function fieldType(ctx: Context, scope: FieldScope, name: string): string {
  const f = lookupField(scope, name);
  if (!f)
    throw new KibanaDefinitionError(
      `${ctx.where}: field ${name} is not defined in ${scope.datasets.join(', ') || 'no dataset'}${scope.transform ? ` (transform ${scope.transform})` : ''}`,
    );
  return f.type;
}

function defaultLabel(c: ColumnDefinition): string {
  switch (c.op) {
    case 'count':
      return 'Count of records';
    case 'terms':
      return `Top ${c.size ?? 5} values of ${c.field ?? ''}`;
    case 'date_histogram':
      return c.field ?? '@timestamp';
    case 'filters':
      return 'Filters';
    case 'unique_count':
      return `Unique count of ${c.field ?? ''}`;
    case 'average':
      return `Average of ${c.field ?? ''}`;
    case 'last_value':
      return `Last value of ${c.field ?? ''}`;
    default:
      return `${c.op[0]?.toUpperCase() ?? ''}${c.op.slice(1)} of ${c.field ?? ''}`;
  }
}

/** One Lens formBased column in the shape Kibana 8.16 exports. */
function lensColumn(
  ctx: Context,
  scope: FieldScope,
  c: ColumnDefinition,
  orderColumn: string | undefined,
): Json {
  const label = c.label ?? defaultLabel(c);
  const custom = c.label !== undefined ? { customLabel: true } : {};
  const filter = c.filter !== undefined ? { filter: { query: c.filter, language: 'kuery' } } : {};
  const need = (): string => {
    if (c.field === undefined) throw new KibanaDefinitionError(`${ctx.where}: ${c.op} needs a field`);
    return c.field;
  };
  switch (c.op) {
    case 'count':
      return {
        label,
        dataType: 'number',
        operationType: 'count',
        isBucketed: false,
        scale: 'ratio',
        sourceField: '___records___',
        params: { emptyAsNull: true },
        ...filter,
        ...custom,
      };
    case 'terms': {
      const field = need();
      const order = c.order ?? 'metric';
      return {
        label,
        dataType: lensDataType(fieldType(ctx, scope, field)),
        operationType: 'terms',
        scale: 'ordinal',
        sourceField: field,
        isBucketed: true,
        params: {
          size: c.size ?? 5,
          orderBy:
            order === 'metric' && orderColumn !== undefined
              ? { type: 'column', columnId: orderColumn }
              : { type: 'alphabetical', fallback: false },
          orderDirection: order === 'alphabetical_asc' ? 'asc' : 'desc',
          otherBucket: c.other ?? false,
          missingBucket: c.missing ?? false,
          parentFormat: { id: 'terms' },
          include: [],
          exclude: [],
          includeIsRegex: false,
          excludeIsRegex: false,
        },
        ...custom,
      };
    }
    case 'date_histogram': {
      const field = c.field ?? '@timestamp';
      fieldType(ctx, scope, field);
      return {
        label,
        dataType: 'date',
        operationType: 'date_histogram',
        sourceField: field,
        isBucketed: true,
        scale: 'interval',
        params: { interval: c.interval ?? 'auto', includeEmptyRows: true, dropPartials: false },
        ...custom,
      };
    }
    case 'filters':
      return {
        label,
        dataType: 'string',
        operationType: 'filters',
        scale: 'ordinal',
        isBucketed: true,
        params: {
          filters: (c.filters ?? []).map((f) => ({
            input: { query: f.query, language: 'kuery' },
            label: f.label,
          })),
        },
        ...custom,
      };
    case 'last_value': {
      const field = need();
      const type = lensDataType(fieldType(ctx, scope, field));
      return {
        label,
        dataType: type,
        operationType: 'last_value',
        isBucketed: false,
        scale: type === 'number' ? 'ratio' : 'ordinal',
        sourceField: field,
        params: { sortField: '@timestamp', showArrayValues: true },
        ...filter,
        ...custom,
      };
    }
    default: {
      const field = need();
      const type = lensDataType(fieldType(ctx, scope, field));
      return {
        label,
        dataType: c.op === 'unique_count' ? 'number' : type,
        operationType: c.op,
        isBucketed: false,
        scale: 'ratio',
        sourceField: field,
        params: { emptyAsNull: true },
        ...filter,
        ...custom,
      };
    }
  }
}

interface LensLayer {
  layerId: string;
  columns: Record<string, Json>;
  columnOrder: string[];
}

/** Builds the layer: bucket columns (in order) then metric columns; terms order by the first metric. */
function layer(
  ctx: Context,
  scope: FieldScope,
  key: string,
  named: [string, ColumnDefinition][],
): LensLayer & { ids: Map<string, string> } {
  const layerId = stableUuid(ctx.dashboard.id, key, 'layer');
  const ids = new Map(named.map(([role]) => [role, stableUuid(ctx.dashboard.id, key, role)]));
  const firstMetric = named.find(([, c]) => !BUCKET_OPS.has(c.op))?.[0];
  const orderColumn = firstMetric === undefined ? undefined : ids.get(firstMetric);
  const columns: Record<string, Json> = {};
  for (const [role, c] of named) columns[ids.get(role) ?? role] = lensColumn(ctx, scope, c, orderColumn);
  const bucketsFirst = [
    ...named.filter(([, c]) => BUCKET_OPS.has(c.op)),
    ...named.filter(([, c]) => !BUCKET_OPS.has(c.op)),
  ];
  return { layerId, columns, columnOrder: bucketsFirst.map(([role]) => ids.get(role) ?? role), ids };
}

function visualization(panel: PanelDefinition, l: ReturnType<typeof layer>): { type: string; state: Json } {
  const id = (role: string): string => l.ids.get(role) ?? role;
  switch (panel.type) {
    case 'metric':
      return {
        type: 'lnsMetric',
        state: {
          layerId: l.layerId,
          layerType: 'data',
          metricAccessor: id('metric'),
          ...(panel.secondary ? { secondaryMetricAccessor: id('secondary') } : {}),
          ...(panel.breakdown ? { breakdownByAccessor: id('breakdown'), maxCols: 3 } : {}),
        },
      };
    case 'pie':
    case 'donut':
      return {
        type: 'lnsPie',
        state: {
          shape: panel.type,
          layers: [
            {
              layerId: l.layerId,
              layerType: 'data',
              primaryGroups: panel.slices.map((_, i) => id(`slice${i}`)),
              metrics: [id('metric')],
              numberDisplay: 'percent',
              categoryDisplay: 'default',
              legendDisplay: 'default',
              nestedLegend: false,
            },
          ],
        },
      };
    case 'table':
      return {
        type: 'lnsDatatable',
        state: {
          layerId: l.layerId,
          layerType: 'data',
          columns: [
            ...panel.rows.map((_, i) => ({ columnId: id(`row${i}`), isTransposed: false, isMetric: false })),
            ...panel.metrics.map((_, i) => ({
              columnId: id(`metric${i}`),
              isTransposed: false,
              isMetric: true,
            })),
          ],
          rowHeight: 'single',
          headerRowHeight: 'single',
        },
      };
    case 'map':
      throw new KibanaDefinitionError('a map is not a Lens visualization');
    default:
      return {
        type: 'lnsXY',
        state: {
          legend: { isVisible: true, position: 'right' },
          valueLabels: 'hide',
          fittingFunction: 'None',
          axisTitlesVisibilitySettings: { x: true, yLeft: true, yRight: true },
          tickLabelsVisibilitySettings: { x: true, yLeft: true, yRight: true },
          gridlinesVisibilitySettings: { x: true, yLeft: true, yRight: true },
          preferredSeriesType: panel.type,
          layers: [
            {
              layerId: l.layerId,
              layerType: 'data',
              seriesType: panel.type,
              xAccessor: id('x'),
              accessors: panel.y.map((_, i) => id(`y${i}`)),
              ...(panel.split ? { splitAccessor: id('split') } : {}),
              position: 'top',
              showGridlines: false,
            },
          ],
        },
      };
  }
}

/** The newest-snapshot bucket (snapshot ids are sortable start instants: alphabetical desc = newest). */
export const SNAPSHOT_FIELD = 'lastpass_enterprise.snapshot.id';
const NEWEST_SNAPSHOT: ColumnDefinition = {
  op: 'terms',
  field: SNAPSHOT_FIELD,
  size: 1,
  order: 'alphabetical_desc',
  label: 'Snapshot',
};

type LensPanel = Exclude<PanelDefinition, { type: 'map' }>;

/** A metric column that also requires `query` (Lens column filter), AND-ed with its own filter. */
function filtered(c: ColumnDefinition, query: string | undefined): ColumnDefinition {
  if (query === undefined || query.trim() === '' || BUCKET_OPS.has(c.op)) return c;
  return { ...c, filter: kqlAnd(query, c.filter) };
}

/**
 * The panel with the newest-snapshot bucket put where it nests outermost (breakdown, split or first
 * row). For tiles and charts the panel's query moves into the metric columns' filters: the snapshot
 * bucket then picks the account's newest snapshot among ALL its rows, not among the matching ones (a
 * tile whose condition matches nobody now shows 0, not an older snapshot's count). Tables keep the
 * query on the rows they list: a table whose condition matches nobody in the newest snapshot lists the
 * newest snapshot that has matches, and its Snapshot column shows which.
 */
function withNewestSnapshot(panel: LensPanel, where: string): LensPanel {
  if (!panel.newest_snapshot) return panel;
  const q = panel.query;
  switch (panel.type) {
    case 'metric':
      if (panel.breakdown)
        throw new KibanaDefinitionError(`${where}: ${panel.key}: newest_snapshot is the breakdown`);
      return {
        ...panel,
        query: undefined,
        breakdown: NEWEST_SNAPSHOT,
        metric: filtered(panel.metric, q),
        ...(panel.secondary ? { secondary: filtered(panel.secondary, q) } : {}),
      };
    case 'table':
      return { ...panel, rows: [NEWEST_SNAPSHOT, ...panel.rows] };
    case 'pie':
    case 'donut':
      return {
        ...panel,
        query: undefined,
        slices: [NEWEST_SNAPSHOT, ...panel.slices],
        metric: filtered(panel.metric, q),
      };
    default:
      if (panel.split)
        throw new KibanaDefinitionError(`${where}: ${panel.key}: newest_snapshot is the split`);
      return { ...panel, query: undefined, split: NEWEST_SNAPSHOT, y: panel.y.map((c) => filtered(c, q)) };
  }
}

function namedColumns(panel: LensPanel): [string, ColumnDefinition][] {
  switch (panel.type) {
    case 'metric':
      return [
        ...(panel.breakdown ? ([['breakdown', panel.breakdown]] as [string, ColumnDefinition][]) : []),
        ['metric', panel.metric],
        ...(panel.secondary ? ([['secondary', panel.secondary]] as [string, ColumnDefinition][]) : []),
      ];
    case 'pie':
    case 'donut':
      return [
        ...panel.slices.map((c, i): [string, ColumnDefinition] => [`slice${i}`, c]),
        ['metric', panel.metric],
      ];
    case 'table':
      return [
        ...panel.rows.map((c, i): [string, ColumnDefinition] => [`row${i}`, c]),
        ...panel.metrics.map((c, i): [string, ColumnDefinition] => [`metric${i}`, c]),
      ];
    default:
      // A split nests outside the x axis (columnOrder = nesting order), so a newest-snapshot split
      // selects the snapshot before bucketing x.
      return [
        ...(panel.split ? ([['split', panel.split]] as [string, ColumnDefinition][]) : []),
        ['x', panel.x],
        ...panel.y.map((c, i): [string, ColumnDefinition] => [`y${i}`, c]),
      ];
  }
}

function datasetClause(datasets: string[], panel: PanelDefinition): string | undefined {
  // A panel-level dataset narrows a dashboard filter that lists several datasets.
  return panel.dataset !== undefined && datasets.length === 1
    ? `data_stream.dataset : "${datasets[0] ?? ''}"`
    : undefined;
}

function gridData(panelIndex: string, panel: PanelDefinition): Json {
  const [x, y, w, h] = panel.grid;
  return { x, y, w, h, i: panelIndex };
}

function lensPanel(ctx: Context, defined: LensPanel, refs: Reference[]): Json {
  const panel = withNewestSnapshot(defined, ctx.where);
  const viewId = panel.data_view ?? ctx.dashboard.data_view;
  const title = dataViewTitle(ctx, viewId);
  const datasets = panelDatasets(ctx.dashboard, panel);
  const scope = fieldScope(ctx.pkg, title, datasets);
  const l = layer(ctx, scope, panel.key, namedColumns(panel));
  const vis = visualization(panel, l);
  const panelIndex = stableUuid(ctx.dashboard.id, panel.key, 'panel');
  const layerRef = `indexpattern-datasource-layer-${l.layerId}`;
  refs.push({ type: 'index-pattern', id: viewId, name: `${panelIndex}:${layerRef}` });
  return {
    type: 'lens',
    panelIndex,
    gridData: gridData(panelIndex, panel),
    title: panel.title,
    embeddableConfig: {
      enhancements: {},
      ...(panel.description !== undefined ? { description: panel.description } : {}),
      attributes: {
        title: panel.title,
        description: panel.description ?? '',
        type: 'lens',
        visualizationType: vis.type,
        references: [{ type: 'index-pattern', id: viewId, name: layerRef }],
        state: {
          datasourceStates: {
            formBased: {
              layers: {
                [l.layerId]: {
                  columns: l.columns,
                  columnOrder: l.columnOrder,
                  incompleteColumns: {},
                  sampling: 1,
                  ignoreGlobalFilters: false,
                },
              },
            },
            indexpattern: { layers: {} },
            textBased: { layers: {} },
          },
          filters: [],
          query: { language: 'kuery', query: kqlAnd(datasetClause(datasets, panel), panel.query) },
          visualization: vis.state,
          adHocDataViews: {},
          internalReferences: [],
        },
      },
    },
  };
}

const ICON_SIZE = { minSize: 7, maxSize: 32, field: { label: 'count', name: 'doc_count', origin: 'source' } };

/** A by-value Maps panel: an EMS basemap plus one clusters (geo grid) layer per definition layer. */
function mapPanel(ctx: Context, panel: Extract<PanelDefinition, { type: 'map' }>, refs: Reference[]): Json {
  const viewId = panel.data_view ?? ctx.dashboard.data_view;
  const title = dataViewTitle(ctx, viewId);
  const datasets = panelDatasets(ctx.dashboard, panel);
  const scope = fieldScope(ctx.pkg, title, datasets);
  const panelIndex = stableUuid(ctx.dashboard.id, panel.key, 'panel');
  const inner: Reference[] = [];
  const layers: Json[] = [
    {
      sourceDescriptor: { type: 'EMS_TMS', isAutoSelect: true, lightModeDefault: 'road_map_desaturated' },
      id: stableUuid(ctx.dashboard.id, panel.key, 'basemap'),
      label: null,
      minZoom: 0,
      maxZoom: 24,
      alpha: 1,
      visible: true,
      style: { type: 'EMS_VECTOR_TILE', color: '' },
      includeInFitToBounds: true,
      type: 'EMS_VECTOR_TILE',
    },
  ];
  panel.layers.forEach((l, i) => {
    const type = fieldType(ctx, scope, l.geo_field);
    if (type !== 'geo_point')
      throw new KibanaDefinitionError(
        `${ctx.where}: map layer ${l.key} needs a geo_point, ${l.geo_field} is ${type}`,
      );
    const refName = `layer_${i + 1}_source_index_pattern`;
    inner.push({ name: refName, type: 'index-pattern', id: viewId });
    refs.push({ type: 'index-pattern', id: viewId, name: `${panelIndex}:${refName}` });
    layers.push({
      sourceDescriptor: {
        type: 'ES_GEO_GRID',
        id: stableUuid(ctx.dashboard.id, panel.key, l.key, 'source'),
        geoField: l.geo_field,
        requestType: 'point',
        resolution: 'COARSE',
        metrics: [{ type: 'count' }],
        applyGlobalQuery: true,
        applyGlobalTime: true,
        applyForceRefresh: true,
        indexPatternRefName: refName,
      },
      id: stableUuid(ctx.dashboard.id, panel.key, l.key, 'layer'),
      label: l.label,
      minZoom: 0,
      maxZoom: 24,
      alpha: 0.75,
      visible: true,
      includeInFitToBounds: true,
      style: {
        type: 'VECTOR',
        properties: {
          icon: { type: 'STATIC', options: { value: 'marker' } },
          fillColor: { type: 'STATIC', options: { color: l.color } },
          lineColor: { type: 'STATIC', options: { color: '#FFFFFF' } },
          lineWidth: { type: 'STATIC', options: { size: 1 } },
          iconSize: {
            type: 'DYNAMIC',
            options: { ...ICON_SIZE, fieldMetaOptions: { isEnabled: true, sigma: 3 } },
          },
          iconOrientation: { type: 'STATIC', options: { orientation: 0 } },
          labelText: { type: 'DYNAMIC', options: { field: ICON_SIZE.field } },
          labelColor: { type: 'STATIC', options: { color: '#000000' } },
          labelSize: { type: 'STATIC', options: { size: 14 } },
          labelBorderColor: { type: 'STATIC', options: { color: '#FFFFFF' } },
          symbolizeAs: { options: { value: 'circle' } },
          labelBorderSize: { options: { size: 'SMALL' } },
        },
        isTimeAware: true,
      },
      type: 'GEOJSON_VECTOR',
      query: { query: kqlAnd(datasetClause(datasets, panel), panel.query, l.query), language: 'kuery' },
      joins: [],
    });
  });
  const center = { lat: 25, lon: 0, zoom: 1.4 };
  return {
    type: 'map',
    panelIndex,
    gridData: gridData(panelIndex, panel),
    title: panel.title,
    embeddableConfig: {
      enhancements: {},
      attributes: {
        title: panel.title,
        description: panel.description ?? '',
        // Kibana keeps a map's layer list and state as JSON strings, also inside a by-value panel.
        layerListJSON: JSON.stringify(layers),
        mapStateJSON: JSON.stringify({
          zoom: center.zoom,
          center: { lon: center.lon, lat: center.lat },
          timeFilters: { from: ctx.dashboard.time.from, to: ctx.dashboard.time.to },
          refreshConfig: { isPaused: true, interval: 0 },
          query: { query: '', language: 'kuery' },
          filters: [],
          settings: {
            autoFitToDataBounds: false,
            initialLocation: 'LAST_SAVED_LOCATION',
            showSpatialFilters: true,
          },
        }),
        uiStateJSON: JSON.stringify({ isLayerTOCOpen: true, openTOCDetails: [] }),
        references: inner,
      },
      mapCenter: center,
      isLayerTOCOpen: true,
      openTOCDetails: [],
      hiddenLayers: [],
    },
  };
}

function filterObject(f: FilterDefinition, index: number): Json {
  const indexRefName = `kibanaSavedObjectMeta.searchSourceJSON.filter[${index}].meta.index`;
  const meta = { alias: null, negate: f.negate, disabled: false, key: f.field, field: f.field, indexRefName };
  if (f.values.length === 1)
    return {
      meta: { ...meta, type: 'phrase', params: { query: f.values[0] } },
      query: { match_phrase: { [f.field]: f.values[0] } },
      $state: { store: 'appState' },
    };
  return {
    meta: { ...meta, type: 'phrases', params: f.values },
    query: {
      bool: { minimum_should_match: 1, should: f.values.map((v) => ({ match_phrase: { [f.field]: v } })) },
    },
    $state: { store: 'appState' },
  };
}

/** Renders one dashboard definition into its saved object (JSON attributes decoded, as in package sources). */
export function renderDashboard(
  pkg: PackageModel,
  views: Map<string, DataViewDefinition>,
  def: DashboardDefinition,
  where: string,
): Json {
  const ctx: Context = { pkg, views, dashboard: def, where };
  const refs: Reference[] = [];
  def.filters.forEach((_, i) =>
    refs.push({
      type: 'index-pattern',
      id: def.data_view,
      name: `kibanaSavedObjectMeta.searchSourceJSON.filter[${i}].meta.index`,
    }),
  );
  const keys = new Set<string>();
  const panels = def.panels.map((p) => {
    if (keys.has(p.key)) throw new KibanaDefinitionError(`${where}: panel key ${p.key} is used twice`);
    keys.add(p.key);
    return p.type === 'map' ? mapPanel(ctx, p, refs) : lensPanel(ctx, p, refs);
  });
  const controls: Record<string, Json> = {};
  def.controls.forEach((c, order) => {
    const id = stableUuid(def.id, 'control', c.field);
    const viewId = c.data_view ?? def.data_view;
    dataViewTitle(ctx, viewId);
    controls[id] = {
      order,
      width: 'medium',
      grow: true,
      type: 'optionsListControl',
      explicitInput: {
        id,
        fieldName: c.field,
        title: c.title,
        grow: true,
        width: 'medium',
        searchTechnique: 'prefix',
        selectedOptions: [],
        sort: { by: '_count', direction: 'desc' },
        enhancements: {},
      },
    };
    refs.push({ type: 'index-pattern', id: viewId, name: `controlGroup_${id}:optionsListDataView` });
  });
  return {
    id: def.id,
    type: 'dashboard',
    attributes: {
      title: def.title,
      description: def.description,
      timeRestore: true,
      timeFrom: def.time.from,
      timeTo: def.time.to,
      refreshInterval: { pause: true, value: 0 },
      optionsJSON: OPTIONS,
      controlGroupInput: {
        chainingSystem: 'HIERARCHICAL',
        controlStyle: 'oneLine',
        ignoreParentSettingsJSON: {
          ignoreFilters: false,
          ignoreQuery: false,
          ignoreTimerange: false,
          ignoreValidations: false,
        },
        panelsJSON: controls,
      },
      panelsJSON: panels,
      kibanaSavedObjectMeta: {
        searchSourceJSON: {
          query: { query: def.query, language: 'kuery' },
          filter: def.filters.map(filterObject),
        },
      },
    },
    references: refs,
    coreMigrationVersion: '8.8.0',
    typeMigrationVersion: '8.9.0',
  };
}

/** A data view saved object (attributes Kibana stores as JSON strings are strings here too). */
export function renderDataView(view: DataViewDefinition): Json {
  return {
    id: view.id,
    type: 'index-pattern',
    attributes: {
      title: view.title,
      name: view.name,
      timeFieldName: view.time_field,
      allowNoIndex: true,
      fieldAttrs: '{}',
      fieldFormatMap: '{}',
      runtimeFieldMap: '{}',
      sourceFilters: '[]',
      fields: '[]',
      typeMeta: '{}',
    },
    references: [],
    coreMigrationVersion: '8.8.0',
    typeMigrationVersion: '8.0.0',
  };
}
