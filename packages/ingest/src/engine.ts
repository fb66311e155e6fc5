import { compileCondition, conditionGuard, type CompiledCondition, type ConditionGuard } from './condition';
import { ProcessorConfig } from './config';
import { IngestDocument, METADATA_KEYS, type FieldPath } from './document';
import { IngestError, ProcessingError, ProcessorFailure, rootCause } from './errors';
import { deepCopy, isMap, javaToString, toPlain, type JsonMap } from './values';

/** One result line of a verbose simulate (Elasticsearch's SimulateProcessorResult JSON). */
export type TraceEntry = JsonMap;

/** What a processor sees while it runs. */
export interface Runtime {
  /** Runs a stored pipeline on the same document (pipeline processor). */
  runPipeline(name: string, doc: IngestDocument, ignoreMissing: boolean): void;
  /** Verbose simulate: fails like Elasticsearch's tracking processor (missing pipeline, static cycle). */
  verifyPipeline(name: string, doc: IngestDocument, ignoreMissing: boolean): void;
  readonly trace: TraceEntry[] | undefined;
  readonly services: Services;
}

/** Shared, injectable services (clock, geoip). */
export interface Services {
  readonly geoip: GeoIpLookup | undefined;
}

export type GeoIpLookup = (ip: string, database: string) => JsonMap | undefined;

export interface Processor {
  execute(doc: IngestDocument, rt: Runtime): void;
  /** Pipeline processors: the (constant) pipeline name it calls, for static cycle checks. */
  readonly pipelineRef?: string;
  /** Verbose simulate only: checks run before the processor's own result entry is written. */
  verify?(doc: IngestDocument, rt: Runtime): void;
  /** Every path the processor can write, when known at load time (set, append, string processors). */
  readonly writes?: readonly FieldPath[];
}

export interface CompileContext {
  readonly pipelineId: string | undefined;
  compileList(list: unknown, property: string): Step[];
  readonly services: Services;
}

export type ProcessorFactory = (cfg: ProcessorConfig, ctx: CompileContext) => Processor;

/** A compiled processor with its common options. */
export interface Step {
  readonly type: string;
  readonly tag: string | undefined;
  readonly description: string | undefined;
  readonly ifSource: string | undefined;
  readonly condition: CompiledCondition | undefined;
  /** A cheap necessary test of the condition, for runs of steps guarded on the same field. */
  readonly guard: ConditionGuard | undefined;
  readonly ignoreFailure: boolean;
  readonly onFailure: readonly Step[] | undefined;
  readonly processor: Processor;
}

/** Processors the executor knows but refuses (not emulable), reported at load time. */
export const UNSUPPORTED_PROCESSORS: ReadonlySet<string> = new Set([
  'script',
  'user_agent',
  'enrich',
  'inference',
  'attachment',
  'circle',
  'set_security_user',
  'reroute',
  'sort',
  'ip_location',
  'redact',
  'normalize_for_stream',
]);

export function compileSteps(
  list: unknown,
  registry: ReadonlyMap<string, ProcessorFactory>,
  pipelineId: string | undefined,
  services: Services,
  property = 'processors',
): Step[] {
  if (!Array.isArray(list)) {
    throw new IngestError(
      'INGEST_INVALID_CONFIG',
      `[${property}] property isn't a list, but of type [${typeof list}]`,
      {
        esType: 'parse_exception',
      },
    );
  }
  const ctx: CompileContext = {
    pipelineId,
    services,
    compileList: (l, prop) => compileSteps(l, registry, pipelineId, services, prop),
  };
  return list.map((entry) => compileStep(entry, registry, ctx));
}

function compileStep(
  entry: unknown,
  registry: ReadonlyMap<string, ProcessorFactory>,
  ctx: CompileContext,
): Step {
  if (!isMap(entry) || Object.keys(entry).length !== 1) {
    throw new IngestError(
      'INGEST_INVALID_CONFIG',
      'processor definition must be an object with exactly one processor type',
      {
        esType: 'parse_exception',
      },
    );
  }
  const [type = '', rawConfig] = Object.entries(entry)[0] ?? [];
  const raw: JsonMap = isMap(rawConfig) ? { ...rawConfig } : {};
  const tag =
    typeof raw['tag'] === 'string'
      ? raw['tag']
      : raw['tag'] === undefined || raw['tag'] === null
        ? undefined
        : javaToString(raw['tag']);
  const cfg = new ProcessorConfig(type, tag, raw, ctx.pipelineId);
  cfg.take('tag');
  if (UNSUPPORTED_PROCESSORS.has(type)) {
    throw new IngestError(
      'INGEST_UNSUPPORTED_PROCESSOR',
      `processor [${type}]${tag !== undefined ? ` with tag [${tag}]` : ''}${ctx.pipelineId !== undefined ? ` in pipeline [${ctx.pipelineId}]` : ''} is not supported by the local ingest executor`,
      { processorType: type, ...(tag !== undefined ? { processorTag: tag } : {}), esType: 'parse_exception' },
    );
  }
  const factory = registry.get(type);
  if (factory === undefined) {
    throw new IngestError('INGEST_UNKNOWN_PROCESSOR', `No processor type exists with name [${type}]`, {
      processorType: type,
      ...(tag !== undefined ? { processorTag: tag } : {}),
      esType: 'parse_exception',
    });
  }
  const description = cfg.string('description', null);
  const ignoreFailure = cfg.bool('ignore_failure', false);
  const ifRaw = cfg.take('if');
  let ifSource: string | undefined;
  let params: JsonMap = {};
  if (typeof ifRaw === 'string') ifSource = ifRaw;
  else if (isMap(ifRaw)) {
    if (typeof ifRaw['source'] !== 'string') throw cfg.error('if', '[if] must have a [source]');
    if (ifRaw['lang'] !== undefined && ifRaw['lang'] !== 'painless')
      throw cfg.error('if', `[if] language [${javaToString(ifRaw['lang'])}] is not supported`);
    ifSource = ifRaw['source'];
    params = isMap(ifRaw['params']) ? ifRaw['params'] : {};
  } else if (ifRaw !== undefined && ifRaw !== null)
    throw cfg.error('if', '[if] must be a string or a script object');
  let condition: CompiledCondition | undefined;
  if (ifSource !== undefined) {
    try {
      condition = compileCondition(ifSource, params);
    } catch (e) {
      throw cfg.error('if', e instanceof Error ? e.message : String(e), 'INGEST_INVALID_CONDITION');
    }
  }
  const onFailureRaw = cfg.take('on_failure');
  let onFailure: Step[] | undefined;
  if (onFailureRaw !== undefined && onFailureRaw !== null) {
    if (!Array.isArray(onFailureRaw)) throw cfg.error('on_failure', `[on_failure] property isn't a list`);
    if (onFailureRaw.length === 0)
      throw cfg.error('on_failure', '[on_failure] processors list cannot be empty');
    onFailure = ctx.compileList(onFailureRaw, 'on_failure');
  }
  const processor = factory(cfg, ctx);
  cfg.finish();
  const guard = ifSource === undefined ? undefined : conditionGuard(ifSource);
  return { type, tag, description, ifSource, condition, guard, ignoreFailure, onFailure, processor };
}

// ---------------------------------------------------------------------------------------------
// Execution

const FAILURE_KEYS = [
  'on_failure_message',
  'on_failure_processor_type',
  'on_failure_processor_tag',
  'on_failure_pipeline',
] as const;

function wrapFailure(
  error: unknown,
  type: string,
  tag: string | undefined,
  doc: IngestDocument,
): ProcessorFailure {
  if (error instanceof ProcessorFailure) return error;
  const pipeline = doc.ingest['pipeline'];
  return new ProcessorFailure(
    rootCause(error),
    type,
    tag,
    typeof pipeline === 'string' ? pipeline : undefined,
  );
}

export function errorJson(cause: ProcessingError): JsonMap {
  return {
    root_cause: [{ type: cause.type, reason: cause.message }],
    type: cause.type,
    reason: cause.message,
  };
}

export function snapshot(doc: IngestDocument): JsonMap {
  const out: JsonMap = {};
  for (const [k, v] of Object.entries(doc.meta))
    out[k] = k === '_version' && v !== undefined && v !== null ? javaToString(v) : toPlain(v);
  out['_source'] = toPlain(doc.source);
  out['_ingest'] = toPlain(doc.ingest);
  return out;
}

function traceEntry(step: Step, status: string, extra: JsonMap): TraceEntry {
  const e: TraceEntry = { processor_type: step.type, status };
  if (step.description !== undefined) e['description'] = step.description;
  if (step.tag !== undefined) e['tag'] = step.tag;
  return Object.assign(e, extra);
}

/** Runs a list of steps (Elasticsearch CompoundProcessor without handlers). Stops on drop/terminate. */
export function runSteps(steps: readonly Step[], doc: IngestDocument, rt: Runtime): void {
  const traced = rt.trace !== undefined;
  for (const step of steps) {
    if (traced) runStep(step, doc, rt);
    else runStepFast(step, doc, rt);
    if (doc.dropped || doc.terminated) return;
  }
}

/** runStep without tracing (the hot path of `process`). */
function runStepFast(step: Step, doc: IngestDocument, rt: Runtime): void {
  const condition = step.condition;
  if (condition !== undefined) {
    let ok: boolean;
    try {
      ok = condition(doc);
    } catch (e) {
      throw wrapFailure(e, 'conditional', step.tag, doc);
    }
    if (!ok) return;
  }
  try {
    step.processor.execute(doc, rt);
  } catch (e) {
    if (step.ignoreFailure) return;
    const failure = wrapFailure(e, step.type, step.tag, doc);
    if (step.onFailure === undefined) throw failure;
    runOnFailure(step.onFailure, failure, doc, rt);
  }
}

function runStep(step: Step, doc: IngestDocument, rt: Runtime): void {
  const trace = rt.trace;
  let ifJson: JsonMap | undefined;
  if (step.condition !== undefined) {
    let ok: boolean;
    try {
      ok = step.condition(doc);
    } catch (e) {
      const failure = wrapFailure(e, 'conditional', step.tag, doc);
      if (trace !== undefined)
        trace.push(
          traceEntry(step, 'error', {
            if: { condition: step.ifSource, result: false },
            error: errorJson(failure.cause),
          }),
        );
      throw failure;
    }
    if (trace !== undefined) ifJson = { condition: step.ifSource, result: ok };
    if (!ok) {
      if (trace !== undefined) trace.push(traceEntry(step, 'skipped', { if: ifJson }));
      return;
    }
  }
  const cond = ifJson === undefined ? {} : { if: ifJson };
  let traceIndex = -1;
  if (trace !== undefined && step.type === 'pipeline') {
    try {
      step.processor.verify?.(doc, rt);
    } catch (e) {
      const failure = wrapFailure(e, step.type, step.tag, doc);
      trace.push(
        traceEntry(step, step.ignoreFailure ? 'error_ignored' : 'error', {
          ...cond,
          error: errorJson(failure.cause),
        }),
      );
      if (step.ignoreFailure) return;
      if (step.onFailure === undefined) throw failure;
      runOnFailure(step.onFailure, failure, doc, rt);
      return;
    }
    traceIndex = trace.length;
    trace.push(traceEntry(step, 'success', cond));
  }
  try {
    step.processor.execute(doc, rt);
  } catch (e) {
    const failure = wrapFailure(e, step.type, step.tag, doc);
    if (step.ignoreFailure) {
      if (trace !== undefined && traceIndex < 0) {
        trace.push(
          traceEntry(step, 'error_ignored', {
            ...cond,
            ignored_error: { error: errorJson(rootCause(e)) },
            doc: snapshot(doc),
          }),
        );
      }
      return;
    }
    if (trace !== undefined && traceIndex < 0)
      trace.push(traceEntry(step, 'error', { ...cond, error: errorJson(rootCause(e)) }));
    if (step.onFailure === undefined) throw failure;
    runOnFailure(step.onFailure, failure, doc, rt);
    return;
  }
  if (trace !== undefined && traceIndex < 0) {
    trace.push(
      traceEntry(
        step,
        doc.dropped ? 'dropped' : 'success',
        doc.dropped ? cond : { ...cond, doc: snapshot(doc) },
      ),
    );
  }
}

/** Runs handlers with `_ingest.on_failure_*` set (restored afterwards, also for nested handlers). */
export function runOnFailure(
  handlers: readonly Step[],
  failure: ProcessorFailure,
  doc: IngestDocument,
  rt: Runtime,
): void {
  const saved = FAILURE_KEYS.map((k) => [k, Object.hasOwn(doc.ingest, k), doc.ingest[k]] as const);
  doc.ingest['on_failure_message'] = failure.cause.message;
  doc.ingest['on_failure_processor_type'] = failure.processorType;
  doc.ingest['on_failure_processor_tag'] = failure.processorTag ?? null;
  doc.ingest['on_failure_pipeline'] = failure.pipeline ?? null;
  try {
    runSteps(handlers, doc, rt);
  } finally {
    for (const [k, had, v] of saved) {
      if (had) doc.ingest[k] = v;
      else delete doc.ingest[k];
    }
  }
}

/**
 * Consecutive steps whose conditions are guarded on the same `_source` field (e.g. the action catalog's
 * `[...].contains(ctx.event?.action)`), none of which can write that field or a path around it: the field
 * is read once and each step's guard decides whether its full condition needs evaluating at all.
 */
class GuardedRun {
  /** For each value some guard admits, the members (in order) whose guard admits it. */
  readonly byValue = new Map<unknown, Step[]>();
  constructor(
    readonly read: (doc: IngestDocument) => unknown,
    readonly members: readonly (Step & { readonly guard: ConditionGuard })[],
  ) {
    for (const step of members) {
      for (const v of step.guard.admitted) {
        const list = this.byValue.get(v);
        if (list === undefined) this.byValue.set(v, [step]);
        else if (list[list.length - 1] !== step) list.push(step);
      }
    }
  }
}

/** True when the write path and the read path cannot affect each other (neither is a prefix of the other). */
function disjoint(write: FieldPath, read: readonly string[]): boolean {
  if (write.root === 'ingest' || METADATA_KEYS.has(write.parts[0] ?? '')) return true;
  const n = Math.min(write.parts.length, read.length);
  for (let i = 0; i < n; i += 1) if (write.parts[i] !== read[i]) return true;
  return false;
}

function joinsRun(step: Step, path: readonly string[]): step is Step & { readonly guard: ConditionGuard } {
  const guard = step.guard;
  return (
    guard !== undefined &&
    guard.path.length === path.length &&
    guard.path.every((p, i) => p === path[i]) &&
    step.onFailure === undefined &&
    step.processor.writes !== undefined &&
    step.processor.writes.every((w) => disjoint(w, path))
  );
}

/** The untraced execution plan of a step list: single steps and guarded runs of two or more. */
function planSteps(steps: readonly Step[]): (Step | GuardedRun)[] {
  const plan: (Step | GuardedRun)[] = [];
  let i = 0;
  while (i < steps.length) {
    const first = steps[i] as Step;
    const path = first.guard?.path;
    const members: (Step & { readonly guard: ConditionGuard })[] = [];
    for (let j = i; path !== undefined && j < steps.length; j += 1) {
      const step = steps[j] as Step;
      if (!joinsRun(step, path)) break;
      members.push(step);
    }
    if (members.length >= 2 && first.guard !== undefined) {
      plan.push(new GuardedRun(first.guard.read, members));
      i += members.length;
    } else {
      plan.push(first);
      i += 1;
    }
  }
  return plan;
}

function runGuarded(run: GuardedRun, doc: IngestDocument, rt: Runtime): void {
  let value: unknown;
  try {
    value = run.read(doc);
  } catch {
    // the first condition fails the same way, and reports it with its own step
    for (const step of run.members) {
      runStepFast(step, doc, rt);
      if (doc.dropped || doc.terminated) return;
    }
    return;
  }
  // Map keys compare like `===` for strings, booleans and null; no guard admits any other value
  const admitted = run.byValue.get(value);
  if (admitted === undefined) return;
  for (const step of admitted) {
    runStepFast(step, doc, rt);
    if (doc.dropped || doc.terminated) return;
  }
}

/** A compiled pipeline. */
export class Pipeline {
  private readonly plan: readonly (Step | GuardedRun)[];
  constructor(
    readonly id: string,
    readonly description: string | undefined,
    readonly steps: readonly Step[],
    readonly onFailure: readonly Step[] | undefined,
    readonly definition: unknown,
  ) {
    this.plan = planSteps(steps);
  }

  private runBody(doc: IngestDocument, rt: Runtime): void {
    if (rt.trace !== undefined) {
      runSteps(this.steps, doc, rt);
      return;
    }
    for (const entry of this.plan) {
      if (entry instanceof GuardedRun) runGuarded(entry, doc, rt);
      else runStepFast(entry, doc, rt);
      if (doc.dropped || doc.terminated) return;
    }
  }

  /** Constant names of the pipelines this one calls (pipeline processors, including handlers). */
  references(): string[] {
    const out: string[] = [];
    const walk = (steps: readonly Step[] | undefined): void => {
      for (const s of steps ?? []) {
        if (s.processor.pipelineRef !== undefined) out.push(s.processor.pipelineRef);
        walk(s.onFailure);
      }
    };
    walk(this.steps);
    walk(this.onFailure);
    return out;
  }

  /** Runs the body with pipeline-level on_failure: handlers run, then the pipeline stops. */
  run(doc: IngestDocument, rt: Runtime): void {
    try {
      this.runBody(doc, rt);
    } catch (e) {
      if (this.onFailure === undefined) throw e;
      const failure = e instanceof ProcessorFailure ? e : wrapFailure(e, 'pipeline', undefined, doc);
      runOnFailure(this.onFailure, failure, doc, rt);
    }
  }
}

const PIPELINE_KEYS = new Set([
  'description',
  'processors',
  'on_failure',
  'version',
  '_meta',
  'deprecated',
  'created_date',
  'modified_date',
  'created_date_millis',
  'modified_date_millis',
]);

export function compilePipeline(
  id: string,
  definition: unknown,
  registry: ReadonlyMap<string, ProcessorFactory>,
  services: Services,
): Pipeline {
  if (!isMap(definition)) {
    throw new IngestError('INGEST_INVALID_CONFIG', `pipeline [${id}] definition must be an object`, {
      pipeline: id,
      esType: 'parse_exception',
    });
  }
  const unknown = Object.keys(definition).filter((k) => !PIPELINE_KEYS.has(k));
  if (unknown.length > 0) {
    throw new IngestError(
      'INGEST_INVALID_CONFIG',
      `pipeline [${id}] doesn't support one or more provided configuration parameters [${unknown.join(', ')}]`,
      {
        pipeline: id,
        esType: 'parse_exception',
      },
    );
  }
  const processors = definition['processors'];
  if (processors === undefined || processors === null) {
    throw new IngestError('INGEST_INVALID_CONFIG', '[processors] required property is missing', {
      pipeline: id,
      propertyName: 'processors',
      esType: 'parse_exception',
    });
  }
  const steps = compileSteps(processors, registry, id, services);
  const rawOnFailure = definition['on_failure'];
  let onFailure: Step[] | undefined;
  if (rawOnFailure !== undefined && rawOnFailure !== null) {
    if (Array.isArray(rawOnFailure) && rawOnFailure.length === 0) {
      throw new IngestError(
        'INGEST_INVALID_CONFIG',
        `pipeline [${id}] cannot have an empty on_failure option defined`,
        {
          pipeline: id,
          esType: 'parse_exception',
        },
      );
    }
    onFailure = compileSteps(rawOnFailure, registry, id, services, 'on_failure');
  }
  const description = typeof definition['description'] === 'string' ? definition['description'] : undefined;
  return new Pipeline(id, description, steps, onFailure, deepCopy(definition));
}
