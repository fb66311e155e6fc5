import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { z } from 'zod';
import {
  ECS_VERSION,
  ecsField,
  fieldIndex,
  parseJson,
  parseYaml,
  type DataStreamModel,
} from '@lastpass-elastic/package-model';
import { isRecord, type RuleContext } from '../context';
import { removedFieldsOf, writtenFields } from '../pipeline-fields';

const lintResultSchema = z.array(z.object({ code: z.string(), message: z.string(), path: z.string() }));
type LintFn = (definition: unknown, opts: { file: string }) => unknown;

let lintLoadError: string | undefined;

/**
 * `lintPipeline` from @lastpass-elastic/ingest, loaded lazily so that `check` keeps running (and says
 * so) when that workspace does not export it or does not load.
 */
function findLint(): LintFn | undefined {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const mod = require('@lastpass-elastic/ingest') as Record<string, unknown>;
    const fn = mod['lintPipeline'];
    lintLoadError = typeof fn === 'function' ? undefined : 'it does not export lintPipeline';
    return typeof fn === 'function' ? (fn as LintFn) : undefined;
  } catch (error) {
    lintLoadError = `it does not load (${(error instanceof Error ? error.message : String(error)).split('\n')[0] ?? ''})`;
    return undefined;
  }
}

const ECS_VALUE_FIELDS = ['event.kind', 'event.category', 'event.type', 'event.outcome'];
const REFERENCE = /\{[{<]\s*IngestPipeline\s+"([^"]+)"\s*[}>]\}/g;

function readPipeline(file: string): unknown {
  const text = readFileSync(file, 'utf8');
  const read = file.endsWith('.json') ? parseJson(text, file) : parseYaml(text, file);
  return read.ok ? read.value : undefined;
}

function checkTags(
  ctx: RuleContext,
  file: string,
  processors: unknown,
  location: string,
  seen: Map<string, string>,
): void {
  if (!Array.isArray(processors)) return;
  processors.forEach((entry, index) => {
    if (!isRecord(entry)) return;
    for (const [type, opts] of Object.entries(entry)) {
      if (!isRecord(opts)) continue;
      const here = `${location}[${index}].${type}`;
      const tag = opts['tag'];
      if (typeof tag !== 'string' || tag.trim() === '') {
        ctx.report('PIPELINE_TAG', file, here, `${type} processor has no tag (SVR00006)`);
      } else if (seen.has(tag)) {
        ctx.report(
          'PIPELINE_TAG',
          file,
          here,
          `tag "${tag}" is already used at ${seen.get(tag) ?? ''} (SVR00006)`,
        );
      } else seen.set(tag, here);
      checkTags(ctx, file, opts['on_failure'], `${here}.on_failure`, seen);
      if (type === 'foreach' && isRecord(opts['processor']))
        checkTags(ctx, file, [opts['processor']], `${here}.processor`, seen);
    }
  });
}

function checkOnFailure(ctx: RuleContext, file: string, onFailure: unknown): void {
  if (!Array.isArray(onFailure) || onFailure.length === 0) {
    ctx.report(
      'PIPELINE_ON_FAILURE',
      file,
      'on_failure',
      'the pipeline needs a pipeline-level on_failure handler',
    );
    return;
  }
  const text = JSON.stringify(onFailure);
  const setsKind = onFailure.some(
    (p) =>
      isRecord(p) &&
      isRecord(p['set']) &&
      p['set']['field'] === 'event.kind' &&
      p['set']['value'] === 'pipeline_error',
  );
  if (!setsKind)
    ctx.report(
      'PIPELINE_ON_FAILURE',
      file,
      'on_failure',
      'on_failure must set event.kind to pipeline_error (SVR00008)',
    );
  const writesMessage = onFailure.some(
    (p) => isRecord(p) && ['set', 'append'].some((t) => isRecord(p[t]) && p[t]['field'] === 'error.message'),
  );
  const mentions = [
    '_ingest.on_failure_processor_type',
    '_ingest.on_failure_processor_tag',
    '_ingest.on_failure_message',
    '_ingest.pipeline',
  ];
  if (!writesMessage || mentions.some((m) => !text.includes(m))) {
    ctx.report(
      'PIPELINE_ON_FAILURE',
      file,
      'on_failure',
      `on_failure must set or append error.message naming ${mentions.join(', ')} (SVR00009)`,
    );
  }
}

function checkEcsValues(ctx: RuleContext, file: string, processors: unknown, location: string): void {
  if (!Array.isArray(processors)) return;
  processors.forEach((entry, index) => {
    if (!isRecord(entry)) return;
    for (const [type, opts] of Object.entries(entry)) {
      if (!isRecord(opts)) continue;
      const here = `${location}[${index}].${type}`;
      const field = opts['field'];
      if ((type === 'set' || type === 'append') && typeof field === 'string') {
        const values = (Array.isArray(opts['value']) ? opts['value'] : [opts['value']]).filter(
          (v): v is string => typeof v === 'string' && !v.includes('{{'),
        );
        if (field === 'ecs.version') {
          for (const v of values)
            if (v !== ECS_VERSION)
              ctx.report(
                'ECS_VERSION_PIN',
                file,
                here,
                `ecs.version "${v}" must equal the @elastic/ecs pin ${ECS_VERSION}`,
              );
        }
        if (ECS_VALUE_FIELDS.includes(field)) {
          const allowed = ecsField(field)?.allowed_values?.map((a) => a.name) ?? [];
          for (const v of values) {
            if (!allowed.includes(v))
              ctx.report(
                'ECS_ALLOWED_VALUE',
                file,
                here,
                `"${v}" is not an ECS allowed value of ${field} (${allowed.join(', ')})`,
              );
          }
        }
      }
      checkEcsValues(ctx, file, opts['on_failure'], `${here}.on_failure`);
      if (type === 'foreach' && isRecord(opts['processor']))
        checkEcsValues(ctx, file, [opts['processor']], `${here}.processor`);
    }
  });
}

function isDefined(ds: DataStreamModel, field: string, writesObject: boolean): boolean {
  const index = fieldIndex(ds);
  return (
    index.lookup(field) !== undefined ||
    index.underOpen(field) ||
    (writesObject && ds.fields.some((f) => f.name.startsWith(`${field}.`)))
  );
}

/** Tags, on_failure, references, ECS pin/values, written fields defined, and the ingest lint. */
export function checkPipelines(ctx: RuleContext): void {
  const { model, report } = ctx;
  if (!model) return;
  const lint = findLint();
  for (const ds of model.dataStreams) {
    const bases = new Set(ds.pipelineFiles.map((p) => p.base));
    const definitions = ds.pipelineFiles.map(({ file }) => ({ file, definition: readPipeline(file) }));
    const removedAnywhere = definitions.flatMap(({ definition }) =>
      isRecord(definition)
        ? [...removedFieldsOf(definition['processors']), ...removedFieldsOf(definition['on_failure'])]
        : [],
    );
    for (const { file, definition } of definitions) {
      if (!isRecord(definition)) continue; // structure walk reports unparsable pipelines
      const processors = definition['processors'];
      checkTags(ctx, file, processors, 'processors', new Map());
      checkOnFailure(ctx, file, definition['on_failure']);
      checkEcsValues(ctx, file, processors, 'processors');
      for (const m of readFileSync(file, 'utf8').matchAll(REFERENCE)) {
        const name = m[1] ?? '';
        if (!bases.has(name))
          report(
            'PIPELINE_REFERENCE',
            file,
            '',
            `IngestPipeline "${name}" is not a pipeline of data stream ${ds.name} (have ${[...bases].join(', ')})`,
          );
      }
      for (const w of [
        ...writtenFields(processors, 'processors', removedAnywhere),
        ...writtenFields(definition['on_failure'], 'on_failure', removedAnywhere),
      ]) {
        if (!isDefined(ds, w.field, w.writesObject)) {
          report(
            'PIPELINE_UNDEFINED_FIELD',
            file,
            w.location,
            `${w.processor}${w.tag ? ` (tag ${w.tag})` : ''} writes "${w.field}", which data stream ${ds.name} does not define in fields/`,
          );
        }
      }
      if (lint) {
        const parsed = lintResultSchema.safeParse(lint(definition, { file: basename(file) }));
        if (!parsed.success) report('PIPELINE_LINT', file, '', 'lintPipeline returned an unexpected shape');
        else for (const p of parsed.data) report('PIPELINE_LINT', file, p.path, `${p.code}: ${p.message}`);
      }
    }
  }
}

/** Undefined when the lint ran; otherwise why it was skipped. */
export function pipelineLintSkipped(): string | undefined {
  return findLint() === undefined ? (lintLoadError ?? 'unavailable') : undefined;
}
