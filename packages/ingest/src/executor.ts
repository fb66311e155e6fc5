import { IngestDocument } from './document';
import {
  compilePipeline,
  errorJson,
  snapshot,
  type GeoIpLookup,
  type Pipeline,
  type ProcessorFactory,
  type Runtime,
  type Services,
  type TraceEntry,
} from './engine';
import { IngestError, ProcessingError, illegalArgument, rootCause } from './errors';
import { createGeoIpLookup, type GeoIpOptions } from './geoip';
import { processorRegistry } from './processors';
import { JavaDateTime, isMap, javaToString, toPlainInPlace, type JsonMap } from './values';

export type ProcessResult =
  | { kind: 'indexed'; _index: string; _id: string | undefined; _source: Record<string, unknown> }
  | { kind: 'error'; error: { type: string; reason: string } }
  | { kind: 'dropped' };

export interface ExecutorOptions {
  /** Pipeline id → definition (JSON of `PUT _ingest/pipeline/<id>`). */
  readonly pipelines: Record<string, unknown>;
  readonly geoip?: GeoIpOptions;
  /** Clock for `_ingest.timestamp`. */
  readonly now?: () => Date;
}

export interface SimulateOptions {
  readonly verbose?: boolean;
}

export interface IngestDocumentInput {
  readonly _index: string;
  readonly _id?: string;
  readonly _source: Record<string, unknown>;
}

export interface Executor {
  /** Runs one document through a pipeline (synchronous). */
  process(pipeline: string, doc: IngestDocumentInput): ProcessResult;
  /** The JSON answer of `POST _ingest/pipeline/<pipeline>/_simulate`. */
  simulate(pipeline: string, docs: unknown[], opts?: SimulateOptions): unknown;
  has(pipeline: string): boolean;
}

const MAX_DEPTH = 100;

export { zonedDateTimeToString as zonedDateTimeText } from './values';

/**
 * A mutable set of compiled pipelines plus the execution entry points. `createExecutor` wraps it;
 * the conformance runner and fake Elasticsearch use it directly (put/delete).
 */
export class PipelineStore implements Executor {
  private readonly pipelines = new Map<string, Pipeline>();
  private readonly services: Services;
  private readonly registry: ReadonlyMap<string, ProcessorFactory> = processorRegistry;
  readonly now: () => Date;

  constructor(options: { geoip?: GeoIpOptions; now?: () => Date } = {}) {
    const geoip: GeoIpLookup | undefined = createGeoIpLookup(options.geoip);
    this.services = { geoip };
    this.now = options.now ?? (() => new Date());
  }

  /** Compiles and stores a pipeline; throws IngestError when it cannot load. */
  put(id: string, definition: unknown): Pipeline {
    const compiled = this.compile(id, definition);
    this.pipelines.set(id, compiled);
    return compiled;
  }

  compile(id: string, definition: unknown): Pipeline {
    return compilePipeline(id, definition, this.registry, this.services);
  }

  delete(id: string): boolean {
    return this.pipelines.delete(id);
  }

  get(id: string): Pipeline | undefined {
    return this.pipelines.get(id);
  }

  ids(): string[] {
    return [...this.pipelines.keys()];
  }

  has(pipeline: string): boolean {
    return this.pipelines.has(pipeline);
  }

  timestamp(): JavaDateTime {
    return new JavaDateTime(this.now());
  }

  newDocument(input: { _index?: string; _id?: string | undefined; _source: JsonMap }): IngestDocument {
    return IngestDocument.create(input, this.timestamp());
  }

  private plainRuntime: Runtime | undefined;

  runtime(trace: TraceEntry[] | undefined): Runtime {
    if (trace === undefined && this.plainRuntime !== undefined) return this.plainRuntime;
    const rt: Runtime = {
      trace,
      services: this.services,
      runPipeline: (name, doc, ignoreMissing) => {
        const p = this.pipelines.get(name);
        if (p === undefined) {
          if (ignoreMissing) return;
          throw new ProcessingError(
            'illegal_state_exception',
            `Pipeline processor configured for non-existent pipeline [${name}]`,
          );
        }
        this.execute(p, doc, rt);
      },
      verifyPipeline: (name, doc, ignoreMissing) => {
        if (!this.pipelines.has(name)) {
          if (ignoreMissing) return;
          throw illegalArgument(`Pipeline processor configured for non-existent pipeline [${name}]`);
        }
        const cycle = this.findCycle(name, [...doc.executing]);
        if (cycle !== undefined)
          throw new ProcessingError('illegal_state_exception', `Cycle detected for pipeline: ${cycle}`);
      },
    };
    if (trace === undefined) this.plainRuntime = rt;
    return rt;
  }

  /** A pipeline name that repeats when following constant pipeline references from `name`. */
  private findCycle(name: string, stack: string[]): string | undefined {
    if (stack.includes(name)) return name;
    const p = this.pipelines.get(name);
    if (p === undefined) return undefined;
    stack.push(name);
    for (const ref of p.references()) {
      const found = this.findCycle(ref, stack);
      if (found !== undefined) return found;
    }
    stack.pop();
    return undefined;
  }

  /** Runs a pipeline on a document as a top-level or nested pipeline (sets `_ingest.pipeline`). */
  execute(pipeline: Pipeline, doc: IngestDocument, rt: Runtime): void {
    if (doc.executing.includes(pipeline.id)) {
      throw new ProcessingError('illegal_state_exception', `Cycle detected for pipeline: ${pipeline.id}`);
    }
    if (doc.executing.length >= MAX_DEPTH) {
      throw new ProcessingError(
        'graph_structure_exception',
        `Too many nested pipelines. Cannot have more than ${MAX_DEPTH} nested pipelines`,
      );
    }
    const previous = doc.ingest['pipeline'];
    const hadPrevious = Object.hasOwn(doc.ingest, 'pipeline');
    doc.executing.push(pipeline.id);
    doc.ingest['pipeline'] = pipeline.id;
    try {
      pipeline.run(doc, rt);
    } finally {
      doc.executing.pop();
      doc.terminated = false;
      if (hadPrevious) doc.ingest['pipeline'] = previous;
      else delete doc.ingest['pipeline'];
    }
  }

  /** Runs a document; the document is updated in place. Throws ProcessorFailure on failure. */
  runDocument(pipeline: Pipeline, doc: IngestDocument, trace?: TraceEntry[]): void {
    this.execute(pipeline, doc, this.runtime(trace));
  }

  process(pipelineId: string, input: IngestDocumentInput): ProcessResult {
    const pipeline = this.pipelines.get(pipelineId);
    if (pipeline === undefined) {
      return {
        kind: 'error',
        error: {
          type: 'illegal_argument_exception',
          reason: `pipeline with id [${pipelineId}] does not exist`,
        },
      };
    }
    const doc = this.newDocument(input);
    try {
      this.runDocument(pipeline, doc);
    } catch (e) {
      const cause = rootCause(e);
      return { kind: 'error', error: { type: cause.type, reason: cause.message } };
    }
    if (doc.dropped) return { kind: 'dropped' };
    const index = doc.meta['_index'];
    const id = doc.meta['_id'];
    return {
      kind: 'indexed',
      _index: typeof index === 'string' ? index : input._index,
      _id: id === undefined || id === null ? undefined : javaToString(id),
      _source: toPlainInPlace(doc.source) as Record<string, unknown>,
    };
  }

  simulate(pipelineId: string, docs: unknown[], opts: SimulateOptions = {}): unknown {
    const pipeline = this.pipelines.get(pipelineId);
    if (pipeline === undefined) {
      throw new IngestError('INGEST_PIPELINE_NOT_FOUND', `pipeline [${pipelineId}] does not exist`, {
        pipeline: pipelineId,
        esType: 'resource_not_found_exception',
      });
    }
    return this.simulatePipeline(pipeline, docs, opts);
  }

  /** `_simulate` over an already compiled (stored or inline) pipeline. */
  simulatePipeline(pipeline: Pipeline, docs: unknown[], opts: SimulateOptions = {}): { docs: unknown[] } {
    const out = docs.map((raw) => {
      const d = isMap(raw) ? raw : {};
      const source = isMap(d['_source']) ? d['_source'] : {};
      const input: JsonMap & { _source: JsonMap } = { ...d, _source: source };
      input['_index'] = typeof d['_index'] === 'string' ? d['_index'] : '_index';
      input['_id'] = d['_id'] === undefined ? '_id' : javaToString(d['_id']);
      const doc = IngestDocument.create(input, this.timestamp());
      doc.meta['_version'] = d['_version'] ?? -3;
      if (opts.verbose === true) {
        const trace: TraceEntry[] = [];
        try {
          this.runDocument(pipeline, doc, trace);
        } catch {
          // the error is already in the trace
        }
        return { processor_results: trace };
      }
      try {
        this.runDocument(pipeline, doc);
      } catch (e) {
        return { error: errorJson(rootCause(e)) };
      }
      if (doc.dropped) return null;
      return { doc: snapshot(doc) };
    });
    return { docs: out };
  }
}

/** Compiles every pipeline once; throws IngestError naming pipeline, processor and tag on failure. */
export function createExecutor(options: ExecutorOptions): Executor & { readonly store: PipelineStore } {
  const store = new PipelineStore({
    ...(options.geoip !== undefined ? { geoip: options.geoip } : {}),
    ...(options.now !== undefined ? { now: options.now } : {}),
  });
  for (const [id, definition] of Object.entries(options.pipelines)) {
    try {
      store.put(id, definition);
    } catch (e) {
      if (e instanceof IngestError) {
        throw new IngestError(
          e.code,
          e.details.pipeline === undefined ? `pipeline [${id}]: ${e.message}` : e.message,
          { ...e.details, pipeline: id },
        );
      }
      throw e;
    }
  }
  return {
    store,
    process: (p, d) => store.process(p, d),
    simulate: (p, docs, o) => store.simulate(p, docs, o),
    has: (p) => store.has(p),
  };
}
