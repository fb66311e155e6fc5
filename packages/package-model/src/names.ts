import type { DataStreamModel, PackageModel } from './load';
import {
  fleetTransformId,
  indexPatternMatches,
  transformIndexTemplateName,
  transformReadName,
  transformSourceIndices,
  type TransformModel,
} from './transforms';

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

/** The data streams whose indices (`logs-<dataset>-<namespace>`) a transform reads. */
export function transformSourceStreams(pkg: PackageModel, t: TransformModel): DataStreamModel[] {
  const patterns = transformSourceIndices(t);
  return pkg.dataStreams.filter((ds) =>
    patterns.some((p) => indexPatternMatches(p, dataStreamName(ds, 'default'))),
  );
}

/** Where a transform's output lives, with Fleet's names (for readers such as dashboards and reports). */
export interface TransformDestination {
  /** Folder name, e.g. `latest_user`. */
  transform: string;
  /** Data streams the transform reads (by name, e.g. `user`). */
  sources: string[];
  /** The index to read: the `move_on_creation` alias, e.g. `logs-lastpass_enterprise_latest.user`. */
  readName: string;
  /** The concrete destination index (changes when its mapping changes), e.g. `…dest_user-1`. */
  destIndex: string;
  /** The transform id Fleet creates, e.g. `logs-lastpass_enterprise.latest_user-default-0.1.0`. */
  transformId: string;
  /** Fleet's index template for the destination index. */
  indexTemplate: string;
  /** `latest.unique_key` (empty for a pivot). */
  uniqueKey: string[];
}

/** Every transform's destination, read from `elasticsearch/transform/*\/transform.yml`. */
export function transformDestinations(pkg: PackageModel): TransformDestination[] {
  return pkg.transforms.map((t) => ({
    transform: t.name,
    sources: transformSourceStreams(pkg, t).map((ds) => ds.name),
    readName: transformReadName(t),
    destIndex: t.config.dest.index,
    transformId: fleetTransformId(pkg.manifest.name, t),
    indexTemplate: transformIndexTemplateName(pkg.manifest.name, t),
    uniqueKey: t.config.latest?.unique_key ?? [],
  }));
}
