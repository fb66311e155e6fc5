import {
  fleetPipelineName,
  readStructured,
  type DataStreamModel,
  type PackageModel,
} from '@lastpass-elastic/package-model';
import { IngestError } from './errors';
import { isMap, type JsonMap } from './values';

const REFERENCE = /\{\{\s*IngestPipeline\s+"([^"]+)"\s*\}\}/g;

function resolveReferences(value: unknown, resolveName: (base: string) => string): unknown {
  if (typeof value === 'string') return value.replace(REFERENCE, (_m, base: string) => resolveName(base));
  if (Array.isArray(value)) return value.map((v) => resolveReferences(v, resolveName));
  if (isMap(value)) {
    const out: JsonMap = {};
    for (const [k, v] of Object.entries(value)) out[k] = resolveReferences(v, resolveName);
    return out;
  }
  return value;
}

/** Reads one data stream's pipeline files: Fleet name → definition with references resolved. */
export function loadDataStreamPipelines(pkg: PackageModel, ds: DataStreamModel): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const bases = new Set(ds.pipelineFiles.map((f) => f.base));
  for (const { base, file } of ds.pipelineFiles) {
    const read = readStructured(file);
    if (!read.ok) {
      throw new IngestError('INGEST_PIPELINE_LOAD_FAILED', `${file}: ${read.problem.message}`, {
        pipeline: base,
      });
    }
    out[fleetPipelineName(pkg, ds, base)] = resolveReferences(read.value, (ref) => {
      if (!bases.has(ref)) {
        throw new IngestError(
          'INGEST_PIPELINE_LOAD_FAILED',
          `${file}: IngestPipeline "${ref}" does not name a pipeline file of data stream ${ds.name}`,
          {
            pipeline: base,
          },
        );
      }
      return fleetPipelineName(pkg, ds, ref);
    });
  }
  return out;
}

/** Every pipeline of the package under its Fleet name, `{{ IngestPipeline "x" }}` resolved. */
export function loadPackagePipelines(pkg: PackageModel): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const ds of pkg.dataStreams) Object.assign(out, loadDataStreamPipelines(pkg, ds));
  return out;
}

/**
 * The parts of Fleet's final pipeline that change our documents: `event.ingested` (the ingest
 * time truncated to seconds) and `event.original` removed unless tagged `preserve_original_event`.
 * Returns a new object; the input is not modified.
 */
export function applyFleetFinalPipeline(
  source: Record<string, unknown>,
  opts: { now: Date },
): Record<string, unknown> {
  const out: JsonMap = { ...source };
  const event: JsonMap = isMap(out['event']) ? { ...out['event'] } : {};
  event['ingested'] = `${opts.now.toISOString().slice(0, 19)}Z`;
  const tags = out['tags'];
  const preserve = Array.isArray(tags)
    ? tags.includes('preserve_original_event')
    : tags === 'preserve_original_event';
  if (!preserve) delete event['original'];
  out['event'] = event;
  return out;
}
