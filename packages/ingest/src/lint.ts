import { parseCondition } from './condition';
import { compilePipeline, UNSUPPORTED_PROCESSORS } from './engine';
import { IngestError } from './errors';
import { processorRegistry } from './processors';
import { isMap } from './values';

export interface LintProblem {
  readonly code: string;
  readonly message: string;
  /** JSON-pointer-like location, e.g. `processors.3.set.if`. */
  readonly path: string;
}

/** Processors (and their options) Elasticsearch 8.16 has; the lint rejects anything else. */
const COMMON = ['tag', 'description', 'if', 'ignore_failure', 'on_failure'];
export const ES_8_16_PROCESSOR_OPTIONS: Readonly<Record<string, readonly string[]>> = {
  append: ['field', 'value', 'copy_from', 'allow_duplicates', 'media_type'],
  bytes: ['field', 'target_field', 'ignore_missing'],
  community_id: [
    'source_ip',
    'source_port',
    'destination_ip',
    'destination_port',
    'iana_number',
    'icmp_type',
    'icmp_code',
    'transport',
    'target_field',
    'seed',
    'ignore_missing',
  ],
  convert: ['field', 'type', 'target_field', 'ignore_missing'],
  csv: ['field', 'target_fields', 'separator', 'quote', 'ignore_missing', 'trim', 'empty_value'],
  date: ['field', 'target_field', 'formats', 'timezone', 'locale', 'output_format'],
  dissect: ['field', 'pattern', 'append_separator', 'ignore_missing'],
  dot_expander: ['field', 'path', 'override'],
  drop: [],
  fail: ['message'],
  fingerprint: ['fields', 'target_field', 'salt', 'method', 'ignore_missing'],
  foreach: ['field', 'processor', 'ignore_missing'],
  geoip: [
    'field',
    'target_field',
    'database_file',
    'properties',
    'ignore_missing',
    'first_only',
    'download_database_on_pipeline_creation',
  ],
  grok: ['field', 'patterns', 'pattern_definitions', 'ecs_compatibility', 'trace_match', 'ignore_missing'],
  gsub: ['field', 'pattern', 'replacement', 'target_field', 'ignore_missing'],
  html_strip: ['field', 'target_field', 'ignore_missing'],
  join: ['field', 'separator', 'target_field'],
  json: [
    'field',
    'target_field',
    'add_to_root',
    'add_to_root_conflict_strategy',
    'allow_duplicate_keys',
    'strict_json_parsing',
  ],
  kv: [
    'field',
    'field_split',
    'value_split',
    'target_field',
    'include_keys',
    'exclude_keys',
    'ignore_missing',
    'prefix',
    'trim_key',
    'trim_value',
    'strip_brackets',
  ],
  lowercase: ['field', 'target_field', 'ignore_missing'],
  network_direction: [
    'source_ip',
    'destination_ip',
    'target_field',
    'internal_networks',
    'internal_networks_field',
    'ignore_missing',
  ],
  pipeline: ['name', 'ignore_missing_pipeline'],
  registered_domain: ['field', 'target_field', 'ignore_missing'],
  remove: ['field', 'keep', 'ignore_missing'],
  rename: ['field', 'target_field', 'ignore_missing', 'override'],
  set: ['field', 'value', 'copy_from', 'override', 'ignore_empty_value', 'media_type'],
  split: ['field', 'separator', 'target_field', 'ignore_missing', 'preserve_trailing'],
  terminate: [],
  trim: ['field', 'target_field', 'ignore_missing'],
  uppercase: ['field', 'target_field', 'ignore_missing'],
  uri_parts: ['field', 'target_field', 'keep_original', 'remove_if_successful', 'ignore_missing'],
  urldecode: ['field', 'target_field', 'ignore_missing'],
};

function walk(list: unknown, path: string, problems: LintProblem[], file: string): void {
  if (!Array.isArray(list)) {
    problems.push({
      code: 'INGEST_LINT_NOT_A_LIST',
      message: `${file}: ${path} must be a list of processors`,
      path,
    });
    return;
  }
  list.forEach((entry, i) => {
    const here = `${path}.${i}`;
    if (!isMap(entry) || Object.keys(entry).length !== 1) {
      problems.push({
        code: 'INGEST_LINT_BAD_PROCESSOR',
        message: `${file}: ${here} must have exactly one processor type`,
        path: here,
      });
      return;
    }
    const [type = '', cfg] = Object.entries(entry)[0] ?? [];
    const at = `${here}.${type}`;
    const tag = isMap(cfg) && typeof cfg['tag'] === 'string' ? ` (tag ${cfg['tag']})` : '';
    const allowed = ES_8_16_PROCESSOR_OPTIONS[type];
    if (UNSUPPORTED_PROCESSORS.has(type) || allowed === undefined) {
      problems.push({
        code: 'INGEST_LINT_PROCESSOR',
        message: `${file}: ${at}${tag}: processor [${type}] is not allowed (only Elasticsearch 8.16 processors the local executor emulates; never script)`,
        path: at,
      });
      return;
    }
    if (!isMap(cfg)) return;
    for (const key of Object.keys(cfg)) {
      if (!allowed.includes(key) && !COMMON.includes(key)) {
        problems.push({
          code: 'INGEST_LINT_OPTION',
          message: `${file}: ${at}${tag}: option [${key}] is not an Elasticsearch 8.16 option of [${type}]`,
          path: `${at}.${key}`,
        });
      }
    }
    const cond = cfg['if'];
    if (cond !== undefined) {
      const source =
        typeof cond === 'string'
          ? cond
          : isMap(cond) && typeof cond['source'] === 'string'
            ? cond['source']
            : undefined;
      if (source === undefined) {
        problems.push({
          code: 'INGEST_LINT_CONDITION',
          message: `${file}: ${at}.if${tag}: must be a string`,
          path: `${at}.if`,
        });
      } else {
        try {
          parseCondition(source);
        } catch (e) {
          problems.push({
            code: 'INGEST_LINT_CONDITION',
            message: `${file}: ${at}.if${tag}: ${e instanceof Error ? e.message : String(e)}`,
            path: `${at}.if`,
          });
        }
      }
    }
    if (cfg['on_failure'] !== undefined) walk(cfg['on_failure'], `${at}.on_failure`, problems, file);
    if (type === 'foreach' && isMap(cfg['processor']))
      walk([cfg['processor']], `${at}.processor`, problems, file);
  });
}

/**
 * Lints a pipeline definition: the condition grammar (Painless subset), only processors and
 * options Elasticsearch 8.16 has, no `script`; then compiles it with the executor.
 */
export function lintPipeline(definition: unknown, opts: { file: string }): LintProblem[] {
  const problems: LintProblem[] = [];
  if (!isMap(definition)) {
    return [
      { code: 'INGEST_LINT_NOT_AN_OBJECT', message: `${opts.file}: a pipeline must be an object`, path: '' },
    ];
  }
  walk(definition['processors'], 'processors', problems, opts.file);
  if (definition['on_failure'] !== undefined)
    walk(definition['on_failure'], 'on_failure', problems, opts.file);
  if (problems.length > 0) return problems;
  try {
    compilePipeline(opts.file, definition, processorRegistry, { geoip: undefined });
  } catch (e) {
    const message = e instanceof IngestError ? e.message : e instanceof Error ? e.message : String(e);
    const tag =
      e instanceof IngestError && e.details.processorTag !== undefined
        ? ` (tag ${e.details.processorTag})`
        : '';
    problems.push({
      code: e instanceof IngestError ? e.code : 'INGEST_LINT_COMPILE',
      message: `${opts.file}${tag}: ${message}`,
      path: '',
    });
  }
  return problems;
}
