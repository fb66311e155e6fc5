import {
  dataStreamName,
  fleetTransformId,
  indexPatternMatches,
  transformSourceIndices,
  transformSourceStreams,
  type FieldDefinition,
  type TransformModel,
} from '@lastpass-elastic/package-model';
import type { RuleContext } from '../context';

/** Field types a terms/composite aggregation (a latest transform's unique_key) can group on. */
export const AGGREGATABLE_TYPES = new Set([
  'keyword',
  'constant_keyword',
  'wildcard',
  'long',
  'integer',
  'short',
  'byte',
  'double',
  'float',
  'half_float',
  'scaled_float',
  'unsigned_long',
  'date',
  'date_nanos',
  'boolean',
  'ip',
  'version',
]);
const DATE_TYPES = new Set(['date', 'date_nanos']);
const SEMVER = /^\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?$/;
/** Elasticsearch's transform id rules (TransformStrings.isValidId / ID_LENGTH_LIMIT). */
export const TRANSFORM_ID_LIMIT = 64;
const TRANSFORM_ID = /^[a-z0-9](?:[a-z0-9_.-]*[a-z0-9])?$/;

/** Types that may differ between a source data stream and the destination index. */
function compatible(name: string, sourceType: string, destType: string): boolean {
  if (sourceType === destType) return true;
  // One destination index holds every namespace: namespace must not stay constant_keyword.
  if (name === 'data_stream.namespace') return sourceType === 'constant_keyword' && destType === 'keyword';
  return false;
}

function byName(fields: FieldDefinition[]): Map<string, FieldDefinition> {
  return new Map(fields.map((f) => [f.name, f]));
}

function checkOne(ctx: RuleContext, t: TransformModel): void {
  const { model, report } = ctx;
  if (!model) return;
  const { file, config } = t;
  const sources = transformSourceStreams(model, t);
  if (sources.length === 0) {
    report(
      'TRANSFORM_SOURCE',
      file,
      'source.index',
      `${transformSourceIndices(t).join(', ')} matches no data stream of the package (logs-<dataset>-<namespace>)`,
    );
  }

  // Destination: never inside a data stream of the package (its index template would claim it), and
  // read through an alias that follows upgrades.
  const dest = config.dest.index;
  for (const ds of model.dataStreams) {
    const pattern = `${ds.type}-${ds.dataset}-*`;
    if (indexPatternMatches(pattern, dest) || dest === dataStreamName(ds, 'default'))
      report(
        'TRANSFORM_DEST',
        file,
        'dest.index',
        `${dest} matches the data stream template pattern ${pattern}: Elasticsearch would create a data stream, not the transform's index`,
      );
  }
  const moving = (config.dest.aliases ?? []).filter((a) => a.move_on_creation === true);
  if (moving.length !== 1)
    report(
      'TRANSFORM_DEST',
      file,
      'dest.aliases',
      `give exactly one alias with move_on_creation: true (found ${moving.length}): readers query it, and Fleet moves it to the new index when dest.index changes`,
    );
  for (const a of config.dest.aliases ?? [])
    if (a.alias === dest)
      report('TRANSFORM_DEST', file, 'dest.aliases', `alias ${a.alias} equals dest.index`);

  // Fleet's transform id must pass Elasticsearch's id rules (TransformStrings: at most 64 characters,
  // lowercase alphanumerics, `-`, `_`, `.`), or the put fails and with it the package install.
  const id = fleetTransformId(model.manifest.name, t);
  if (id.length > TRANSFORM_ID_LIMIT || !TRANSFORM_ID.test(id))
    report(
      'TRANSFORM_META',
      file,
      '',
      `Fleet installs this transform as ${id} (${id.length} characters): Elasticsearch refuses transform ids longer than ${TRANSFORM_ID_LIMIT} characters or with characters other than a-z, 0-9, '-', '_', '.'; shorten the folder name ${t.name}`,
    );

  // Fleet metadata and unattended operation.
  const meta = config._meta ?? {};
  const version = meta['fleet_transform_version'];
  if (typeof version !== 'string' || !SEMVER.test(version))
    report(
      'TRANSFORM_META',
      file,
      '_meta.fleet_transform_version',
      'must be a version string (Fleet reinstalls the transform only when it changes)',
    );
  if (meta['run_as_kibana_system'] !== false)
    report(
      'TRANSFORM_META',
      file,
      '_meta.run_as_kibana_system',
      "must be false: kibana_system has no privileges on a third-party package's indices, so the transform must run as the installing user",
    );
  if (config.settings?.['unattended'] !== true)
    report(
      'TRANSFORM_META',
      file,
      'settings.unattended',
      'must be true so the transform retries instead of failing on transient errors',
    );
  if (config.sync === undefined)
    report('TRANSFORM_META', file, 'sync', 'a transform without sync runs once and never updates');

  // Fields: the destination defines every source field with the same type; key fields can be grouped on.
  if (t.fields.length === 0) {
    report(
      'TRANSFORM_FIELDS',
      `${t.dir}/fields`,
      '',
      'a transform needs fields/ for its destination mappings',
    );
    return;
  }
  const destFields = byName(t.fields);
  for (const ds of sources) {
    for (const f of ds.fields) {
      const d = destFields.get(f.name);
      if (config.latest !== undefined && d === undefined)
        report(
          'TRANSFORM_FIELDS',
          `${t.dir}/fields`,
          f.name,
          `${f.name} (${f.type}) of data stream ${ds.name} is not defined for the destination index`,
        );
      else if (d !== undefined && !compatible(f.name, f.type, d.type))
        report(
          'TRANSFORM_FIELDS',
          d.source,
          f.name,
          `${f.name} is ${d.type} here but ${f.type} in data stream ${ds.name}`,
        );
    }
  }
  const namespace = destFields.get('data_stream.namespace');
  if (namespace?.type === 'constant_keyword')
    report(
      'TRANSFORM_FIELDS',
      namespace.source,
      'data_stream.namespace',
      'must be keyword: the destination holds documents of every namespace',
    );
  if (sources.length === 0) return;
  const sourceField = (name: string): FieldDefinition | undefined => {
    for (const ds of sources) {
      const f = ds.fields.find((x) => x.name === name);
      if (f) return f;
    }
    return undefined;
  };
  const need = (path: string, name: string, types: Set<string>, what: string): void => {
    const f = sourceField(name);
    if (!f) report('TRANSFORM_FIELDS', file, path, `${name} is not a field of the source data streams`);
    else if (!types.has(f.type)) report('TRANSFORM_FIELDS', file, path, `${name} is ${f.type}; ${what}`);
  };
  config.latest?.unique_key.forEach((k, i) => {
    need(`latest.unique_key[${i}]`, k, AGGREGATABLE_TYPES, 'a unique key must be an aggregatable type');
  });
  if (config.latest) need('latest.sort', config.latest.sort, DATE_TYPES, 'sort on a date');
  if (config.sync) need('sync.time.field', config.sync.time.field, DATE_TYPES, 'sync needs a date field');
  if (config.retention_policy)
    need(
      'retention_policy.time.field',
      config.retention_policy.time.field,
      DATE_TYPES,
      'retention needs a date field',
    );
}

/** Fleet transform assets: sources, destinations, metadata and destination fields. */
export function checkTransforms(ctx: RuleContext): void {
  for (const t of ctx.model?.transforms ?? []) checkOne(ctx, t);
}
