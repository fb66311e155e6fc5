import { applyFleetFinalPipeline, createExecutor, loadPackagePipelines } from '@lastpass-elastic/ingest';
import {
  dataStreamName,
  fleetPipelineName,
  loadPackage,
  type PackageModel,
} from '@lastpass-elastic/package-model';
import type { StreamId } from '../config/schema';
import { CollectorError } from '../errors';
import type { RawDocument } from '../streams/types';
import type { DocumentProcessor, ProcessedDocument } from './processor';

/**
 * Runs the package's default pipelines through the local executor, then Fleet's final-pipeline steps
 * (`event.ingested`; `event.original` removed unless tagged `preserve_original_event`): the document
 * Elasticsearch would store, for the NDJSON sink (contracts §7).
 */
export function createPackageProcessor(options: {
  packageRoot: string;
  namespace: string;
  now: () => Date;
}): DocumentProcessor {
  let pkg: PackageModel;
  try {
    pkg = loadPackage(options.packageRoot);
  } catch (error) {
    throw new CollectorError(
      'PIPELINE_UNAVAILABLE',
      `${options.packageRoot}: cannot load the package (${error instanceof Error ? error.message : String(error)})`,
      { cause: error },
    );
  }
  const executor = createExecutor({ pipelines: loadPackagePipelines(pkg), now: options.now });
  const targets = new Map<StreamId, { pipeline: string; index: string }>();
  const targetOf = (stream: StreamId): { pipeline: string; index: string } => {
    let target = targets.get(stream);
    if (target === undefined) {
      const ds = pkg.dataStreams.find((d) => d.name === stream);
      if (ds === undefined)
        throw new CollectorError('PIPELINE_UNAVAILABLE', `the package has no data stream ${stream}`);
      target = { pipeline: fleetPipelineName(pkg, ds), index: dataStreamName(ds, options.namespace) };
      if (!executor.has(target.pipeline))
        throw new CollectorError(
          'PIPELINE_UNAVAILABLE',
          `the package has no ingest pipeline ${target.pipeline}`,
        );
      targets.set(stream, target);
    }
    return target;
  };
  return {
    process(stream: StreamId, document: RawDocument): ProcessedDocument {
      const target = targetOf(stream);
      const result = executor.process(target.pipeline, {
        _index: target.index,
        _source: document as unknown as Record<string, unknown>, // the executor copies its input
      });
      if (result.kind === 'dropped') return result;
      if (result.kind === 'error')
        return { kind: 'error', type: result.error.type, reason: result.error.reason };
      return {
        kind: 'indexed',
        id: result._id,
        source: applyFleetFinalPipeline(result._source, { now: options.now() }),
      };
    },
  };
}
