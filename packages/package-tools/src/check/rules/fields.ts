import { join } from 'node:path';
import { ecsField, readStructured, type FieldDefinition } from '@lastpass-elastic/package-model';
import { isRecord } from '../../json';
import { ecsReference, filesIn, type RuleContext } from '../context';

const FIELDS_LIMIT = 2048;
const REQUIRED: Record<string, string> = {
  'data_stream.type': 'constant_keyword',
  'data_stream.dataset': 'constant_keyword',
  'data_stream.namespace': 'constant_keyword',
  '@timestamp': 'date',
};
/** Type changes elastic-package allows over an imported ECS definition. */
const ALLOWED_OVERRIDES: Record<string, string[]> = {
  keyword: ['constant_keyword'],
  constant_keyword: ['keyword'],
  object: ['group', 'nested'],
};

/** Group entries (containers, which the flattened model omits) may not set unit or metric_type. */
function checkGroups(ctx: RuleContext, file: string, entries: unknown, prefix: string): void {
  if (!Array.isArray(entries)) return;
  for (const entry of entries) {
    if (!isRecord(entry) || typeof entry['name'] !== 'string') continue;
    const name = prefix ? `${prefix}.${entry['name']}` : entry['name'];
    if (entry['type'] === 'group' && (entry['unit'] !== undefined || entry['metric_type'] !== undefined)) {
      ctx.report('FIELDS_GROUP', file, name, 'group fields cannot set unit or metric_type');
    }
    checkGroups(ctx, file, entry['fields'], name);
  }
}

function checkField(ctx: RuleContext, f: FieldDefinition, buildYml: boolean): void {
  const { report } = ctx;
  if (f.date_format !== undefined && f.type !== 'date') {
    report(
      'FIELDS_DATE_FORMAT',
      f.source,
      f.name,
      `date_format is only valid on date fields, this one is ${f.type}`,
    );
  }
  if (f.external === undefined) return;
  if (ctx.mode === 'build') {
    report(
      'FIELDS_EXTERNAL_BUILD',
      f.source,
      f.name,
      'a built package must not contain external fields (materialise them at build)',
    );
    return;
  }
  if (!buildYml) {
    report(
      'FIELDS_EXTERNAL_BUILD',
      f.source,
      f.name,
      'external: ecs needs _dev/build/build.yml with dependencies.ecs.reference',
    );
  }
  const ecs = ecsField(f.name);
  if (
    ecs &&
    f.declaredType !== undefined &&
    f.declaredType !== ecs.type &&
    !(ALLOWED_OVERRIDES[ecs.type] ?? []).includes(f.declaredType)
  ) {
    report(
      'FIELDS_EXTERNAL_TYPE',
      f.source,
      f.name,
      `type ${f.declaredType} cannot override the ECS type ${ecs.type}`,
    );
  }
}

/** Groups, duplicates and per-field rules of one fields/ folder; the first definition of each name. */
function checkFieldSet(
  ctx: RuleContext,
  dir: string,
  fields: FieldDefinition[],
  buildYml: boolean,
): Map<string, FieldDefinition> {
  const fieldsDir = join(dir, 'fields');
  for (const f of filesIn(fieldsDir, (n) => n.endsWith('.yml'))) {
    const read = readStructured(join(fieldsDir, f));
    if (read.ok) checkGroups(ctx, join(fieldsDir, f), read.value, '');
  }
  const first = new Map<string, FieldDefinition>();
  for (const f of fields) {
    const prior = first.get(f.name);
    if (prior) {
      ctx.report(
        'FIELDS_DUPLICATE',
        f.source,
        f.name,
        `field "${f.name}" is already defined in ${prior.source.slice(dir.length + 1)}`,
      );
    } else first.set(f.name, f);
    checkField(ctx, f, buildYml);
  }
  return first;
}

/** Unique, required, limited, well-typed fields per data stream (and transform); external fields resolvable and allowed. */
export function checkFields(ctx: RuleContext): void {
  const { model, report } = ctx;
  if (!model) return;
  const buildYml = typeof ecsReference(ctx.root)?.reference === 'string';
  for (const t of model.transforms) checkFieldSet(ctx, t.dir, t.fields, buildYml);
  for (const ds of model.dataStreams) {
    const fieldsDir = join(ds.dir, 'fields');
    const first = checkFieldSet(ctx, ds.dir, ds.fields, buildYml);
    for (const [name, type] of Object.entries(REQUIRED)) {
      const f = first.get(name);
      if (!f)
        report('FIELDS_REQUIRED', fieldsDir, name, `data stream ${ds.name} must define ${name} as ${type}`);
      else if (f.external === undefined && f.type !== type)
        report('FIELDS_REQUIRED', f.source, name, `${name} must be ${type}, not ${f.type}`);
    }
    const constants: Record<string, string> = {
      'event.dataset': ds.dataset,
      'event.module': model.manifest.name,
    };
    for (const [name, expected] of Object.entries(constants)) {
      const f = first.get(name);
      if (f?.value !== undefined && f.value !== expected) {
        report(
          'FIELDS_CONSTANT',
          f.source,
          name,
          `${name} is fixed to "${f.value}" but must be "${expected}"`,
        );
      }
    }
    if (ds.fields.length > FIELDS_LIMIT) {
      report(
        'FIELDS_LIMIT',
        fieldsDir,
        '',
        `data stream ${ds.name} defines ${ds.fields.length} fields, more than ${FIELDS_LIMIT}`,
      );
    }
  }
}
