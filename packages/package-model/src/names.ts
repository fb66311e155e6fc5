import type { DataStreamModel, PackageModel } from './load';

/** Fleet's name for an installed pipeline: `logs-<dataset>-<version>` for the entry one, `…-<base>` for others. */
export function fleetPipelineName(pkg: PackageModel, ds: DataStreamModel, base = 'default'): string {
  const entry = ds.manifest.ingest_pipeline ?? 'default';
  const name = `${ds.type}-${ds.dataset}-${pkg.manifest.version}`;
  return base === entry ? name : `${name}-${base}`;
}

/** Fleet's index template name: `logs-<dataset>`. */
export function indexTemplateName(_pkg: PackageModel, ds: DataStreamModel): string {
  return `${ds.type}-${ds.dataset}`;
}

/** The data stream a document lands in: `logs-<dataset>-<namespace>`. */
export function dataStreamName(ds: DataStreamModel, namespace: string): string {
  return `${ds.type}-${ds.dataset}-${namespace}`;
}
