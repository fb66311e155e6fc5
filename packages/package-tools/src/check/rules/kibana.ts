import { readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { parse } from 'yaml';
import { filesIn, isRecord, type RuleContext } from '../context';

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
    'tag',
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
  for (const o of objects) {
    const id = basename(o.file, '.json');
    if (o.id !== id)
      report('KIBANA_ID', o.file, 'id', `id ${JSON.stringify(o.id)} must equal the file name "${id}"`);
    const expectedType = o.folder === 'index_pattern' ? 'index-pattern' : o.folder;
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
