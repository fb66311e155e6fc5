import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { lintPipeline } from '@lastpass-elastic/ingest';
import {
  ECS_VERSION,
  ecsField,
  fieldIndex,
  parseJson,
  parseYaml,
  type DataStreamModel,
} from '@lastpass-elastic/package-model';
import { isRecord } from '../../json';
import type { RuleContext } from '../context';
import { eachProcessor, removedFieldsOf, writtenFields } from '../pipeline-fields';

const ECS_VALUE_FIELDS = ['event.kind', 'event.category', 'event.type', 'event.outcome'];
const REFERENCE = /\{[{<]\s*IngestPipeline\s+"([^"]+)"\s*[}>]\}/g;

/** Every processor (nested ones included) carries a tag used nowhere else in the file. */
function checkTags(ctx: RuleContext, file: string, processors: unknown): void {
  const seen = new Map<string, string>();
  eachProcessor(processors, 'processors', (type, opts, here) => {
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

/** Constant `set`/`append` values of ecs.version and of the ECS allowed-value fields. */
function checkEcsValues(ctx: RuleContext, file: string, processors: unknown): void {
  eachProcessor(processors, 'processors', (type, opts, here) => {
    const field = opts['field'];
    if ((type !== 'set' && type !== 'append') || typeof field !== 'string') return;
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
  for (const ds of model.dataStreams) {
    const bases = new Set(ds.pipelineFiles.map((p) => p.base));
    const definitions = ds.pipelineFiles.map(({ file }) => {
      const text = readFileSync(file, 'utf8');
      const read = file.endsWith('.json') ? parseJson(text, file) : parseYaml(text, file);
      return { file, text, definition: read.ok ? read.value : undefined };
    });
    const removedAnywhere = definitions.flatMap(({ definition }) =>
      isRecord(definition)
        ? [...removedFieldsOf(definition['processors']), ...removedFieldsOf(definition['on_failure'])]
        : [],
    );
    for (const { file, text, definition } of definitions) {
      if (!isRecord(definition)) continue; // structure walk reports unparsable pipelines
      const processors = definition['processors'];
      checkTags(ctx, file, processors);
      checkOnFailure(ctx, file, definition['on_failure']);
      checkEcsValues(ctx, file, processors);
      for (const m of text.matchAll(REFERENCE)) {
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
      for (const p of lintPipeline(definition, { file: basename(file) }))
        report('PIPELINE_LINT', file, p.path, `${p.code}: ${p.message}`);
    }
  }
}
