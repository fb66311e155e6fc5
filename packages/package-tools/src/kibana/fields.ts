import {
  transformReadName,
  transformSourceStreams,
  type FieldDefinition,
  type PackageModel,
} from '@lastpass-elastic/package-model';

/** Data views Fleet installs itself (any package may reference them). */
export const FLEET_DATA_VIEWS = new Set(['logs-*', 'metrics-*']);

/** What a panel's data view and dataset filter make visible: the fields, and which datasets they hold. */
export interface FieldScope {
  datasets: string[];
  /** Per dataset, the field definitions of its data stream or transform destination. */
  fieldsByDataset: Map<string, FieldDefinition[]>;
  /** The transform a package data view reads, when it is one. */
  transform: string | undefined;
}

/**
 * The field scope of a panel: for Fleet's `logs-*`, the data streams named by its dataset filter; for
 * a package data view whose title is a transform's read alias, that transform's destination fields
 * (the dataset is its source data stream's). `datasets` lists what the dataset filter names.
 */
export function fieldScope(
  pkg: PackageModel,
  dataViewTitle: string | undefined,
  datasets: string[],
): FieldScope {
  const fieldsByDataset = new Map<string, FieldDefinition[]>();
  const transform =
    dataViewTitle === undefined
      ? undefined
      : pkg.transforms.find((t) => transformReadName(t) === dataViewTitle);
  if (transform) {
    // A transform destination holds only its sources' datasets: other datasets of the filter are moot.
    const own = transformSourceStreams(pkg, transform).filter((ds) => datasets.includes(ds.dataset));
    for (const ds of own) fieldsByDataset.set(ds.dataset, transform.fields);
    return { datasets: own.map((ds) => ds.dataset), fieldsByDataset, transform: transform.name };
  }
  for (const ds of pkg.dataStreams)
    if (datasets.includes(ds.dataset)) fieldsByDataset.set(ds.dataset, ds.fields);
  return { datasets, fieldsByDataset, transform: undefined };
}

/** The field's definition in every dataset of the scope (undefined when any of them lacks it). */
export function lookupField(scope: FieldScope, name: string): FieldDefinition | undefined {
  let found: FieldDefinition | undefined;
  for (const dataset of scope.datasets) {
    const fields = scope.fieldsByDataset.get(dataset);
    const f = fields?.find((x) => x.name === name) ?? multiField(fields ?? [], name);
    if (!f) return undefined;
    found ??= f;
  }
  return found;
}

/** `x.text` declared as a multi-field of `x`: a synthetic definition of its type. */
function multiField(fields: FieldDefinition[], name: string): FieldDefinition | undefined {
  const dot = name.lastIndexOf('.');
  if (dot < 0) return undefined;
  const parent = fields.find((f) => f.name === name.slice(0, dot));
  const multi = parent?.raw['multi_fields'];
  if (!parent || !Array.isArray(multi)) return undefined;
  const entry: unknown = multi.find(
    (m: unknown) =>
      typeof m === 'object' && m !== null && (m as Record<string, unknown>)['name'] === name.slice(dot + 1),
  );
  if (typeof entry !== 'object' || entry === null) return undefined;
  const type = (entry as Record<string, unknown>)['type'];
  return { ...parent, name, type: typeof type === 'string' ? type : 'keyword', raw: { name, type } };
}

/** Lens data type of a field type. */
export function lensDataType(type: string): string {
  if (['long', 'integer', 'short', 'byte', 'double', 'float', 'half_float', 'scaled_float'].includes(type))
    return 'number';
  if (type === 'date' || type === 'date_nanos') return 'date';
  if (type === 'boolean') return 'boolean';
  if (type === 'ip') return 'ip';
  if (type === 'geo_point') return 'geo_point';
  return 'string';
}
