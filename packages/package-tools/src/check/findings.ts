import { relative } from 'node:path';

/**
 * The check rule catalog: every finding carries one of these stable codes. `elastic` names the
 * matching code or rule of Elastic's validator (package-spec / elastic-package) when there is one.
 */
export const CHECK_RULES = {
  SPEC_VERSION_UNKNOWN: {
    summary: 'format_version is not a version of package-spec',
    elastic: 'spec changelog',
  },
  SPEC_SCHEMA: { summary: 'a file does not match its package-spec JSON schema', elastic: 'file schemas' },
  SPEC_SECRET_VAR: {
    summary: 'a password or secret-looking var does not set `secret:`',
    elastic: 'secret rule',
  },
  SPEC_RENAME_MESSAGE: {
    summary: 'renaming `message` to `event.original` lacks the guard/remove companions',
    elastic: 'JSE00001',
  },
  SPEC_STRUCTURE: {
    summary: 'an unexpected, misnamed, mistyped or mode-restricted file or folder',
    elastic: 'folder specs',
  },
  SPEC_REQUIRED: { summary: 'a required file or folder is missing', elastic: 'folder specs' },
  SPEC_FILE: {
    summary: 'a file is empty, too large, unparsable, or misses its leading `---`',
    elastic: 'folder specs',
  },
  MODEL_INVALID: { summary: 'a manifest or fields file cannot be read into the package model', elastic: '' },
  VERSION_CHANGELOG: {
    summary: 'manifest version missing from changelog, duplicated, or not the newest entry first',
    elastic: 'version integrity',
  },
  VERSION_PRERELEASE: {
    summary: 'a pre-release tag other than next, SNAPSHOT, betaN, rcN, previewN',
    elastic: 'prerelease',
  },
  CHANGELOG_LINK: {
    summary: 'a GitHub changelog link does not end in a positive PR/issue number',
    elastic: 'changelog links',
  },
  FIELDS_DUPLICATE: {
    summary: 'a field is defined more than once in a data stream',
    elastic: 'unique fields',
  },
  FIELDS_REQUIRED: {
    summary: 'data_stream.* constant_keyword or @timestamp date is missing',
    elastic: 'required fields',
  },
  FIELDS_CONSTANT: {
    summary:
      'event.dataset / event.module constant values differ from the data stream dataset / package name',
    elastic: '',
  },
  FIELDS_LIMIT: { summary: 'more than 2,048 fields in a data stream', elastic: 'fields limit' },
  FIELDS_GROUP: { summary: 'a group field sets unit or metric_type', elastic: 'field groups' },
  FIELDS_DATE_FORMAT: { summary: 'date_format on a field that is not a date', elastic: 'date' },
  FIELDS_EXTERNAL_UNKNOWN: {
    summary: 'an `external: ecs` field is not in the pinned ECS',
    elastic: 'external fields',
  },
  FIELDS_EXTERNAL_BUILD: {
    summary: '`external` without _dev/build/build.yml (source) or present in a built package',
    elastic: 'external needs build.yml / no external in build',
  },
  FIELDS_EXTERNAL_TYPE: {
    summary: 'an `external: ecs` field overrides its ECS type incompatibly',
    elastic: 'external fields',
  },
  ECS_VERSION_PIN: {
    summary: 'build.yml or a pipeline `ecs.version` differs from the @elastic/ecs pin',
    elastic: '',
  },
  ECS_ALLOWED_VALUE: {
    summary: 'a value outside ECS allowed values for event.kind/category/type/outcome',
    elastic: 'document checks',
  },
  KIBANA_ID: {
    summary: 'a saved object id differs from its file name, or its type from its folder',
    elastic: 'Kibana ids',
  },
  KIBANA_DANGLING_REFERENCE: {
    summary: 'a saved-object reference points to nothing in the package',
    elastic: 'SVR00003',
  },
  KIBANA_BY_REFERENCE: {
    summary: 'a dashboard references lens/visualization/map objects instead of by-value panels',
    elastic: 'SVR00004',
  },
  KIBANA_FILTER_MISSING: {
    summary: 'a dashboard has no data_stream.dataset filter',
    elastic: 'SVR00001/SVR00002',
  },
  KIBANA_LEGACY_VISUALIZATION: {
    summary: 'an aggregation-based or TSVB visualization',
    elastic: 'no legacy visualizations',
  },
  KIBANA_TAG_DUPLICATE: { summary: 'a tag name defined twice', elastic: 'SVR00007' },
  KIBANA_PANEL: {
    summary:
      'a Lens panel uses a field its dataset does not define, leaves the 48-column grid, lacks its dashboard reference, or claims a migration version newer than Kibana 8.16',
    elastic: 'dashboard lint',
  },
  KIBANA_ENCODING: {
    summary: 'saved-object JSON attributes are not encoded as strings in a built package',
    elastic: 'dashboards build',
  },
  KIBANA_FIELD_TYPE: {
    summary:
      'a panel, map layer or control aggregates, sorts or maps a field whose type cannot (text, numeric operation on a keyword, date histogram on a non-date, geo on a non-geo_point)',
    elastic: '',
  },
  KIBANA_DATASET: {
    summary:
      "a panel's data_stream.dataset filter names no dataset of the package, or not the one its data view (a transform destination) holds",
    elastic: '',
  },
  KIBANA_REFERENCE: {
    summary:
      'a panel, map layer or control reference lacks its dashboard-level reference (or the reverse), or names a data view neither Fleet nor the package provides',
    elastic: 'SVR00003 (data views)',
  },
  KIBANA_GENERATED_STALE: {
    summary:
      'kibana/ differs from what the generator makes of _dev/shared/kibana/ (run `lastpass-elastic kibana`)',
    elastic: '',
  },
  SECURITY_RULE: {
    summary:
      'a detection rule lacks a required attribute or is inconsistent (id `<rule_id>_<version>`, UUID rule_id, severity vs risk score, MITRE ATT&CK, false positives, type parameters, index patterns of the package)',
    elastic: 'security rule schema (Kibana)',
  },
  SECURITY_RULE_QUERY: {
    summary:
      "a detection rule's KQL does not parse, or it or its threshold / new terms fields use fields its data streams do not define (or cannot aggregate)",
    elastic: '',
  },
  SECURITY_CAPABILITY: {
    summary: 'security rule assets without `conditions.elastic.capabilities: [security]` in the manifest',
    elastic: 'capabilities (ValidateCapabilitiesRequired)',
  },
  TRANSFORM_SOURCE: {
    summary: "a transform's source.index matches no data stream of the package",
    elastic: '',
  },
  TRANSFORM_DEST: {
    summary:
      "a transform's destination would be claimed by a data-stream template, or has no single move_on_creation alias for readers",
    elastic: '',
  },
  TRANSFORM_META: {
    summary:
      "a transform lacks _meta.fleet_transform_version, run_as_kibana_system: false, settings.unattended: true or sync, or Fleet's transform id breaks Elasticsearch's id rules (over 64 characters)",
    elastic: 'Fleet transform install',
  },
  TRANSFORM_FIELDS: {
    summary:
      "a transform's fields miss or retype a source field, keep data_stream.namespace constant, or its key/sort/sync/retention fields are undefined or of the wrong type",
    elastic: '',
  },
  TEMPLATE_MISSING: {
    summary: "a stream's template_path does not exist in agent/stream/",
    elastic: 'template paths',
  },
  TEMPLATE_PARSE: { summary: 'a Handlebars template does not parse', elastic: 'Handlebars parse' },
  TEMPLATE_RENDER: {
    summary: 'a template rendered with defaults is not a valid CEL input config (YAML, keys, redaction)',
    elastic: '',
  },
  PIPELINE_TAG: { summary: 'a processor lacks a unique non-empty tag', elastic: 'SVR00006' },
  PIPELINE_ON_FAILURE: {
    summary: 'the pipeline-level on_failure is missing or does not set event.kind/error.message',
    elastic: 'SVR00008/SVR00009',
  },
  PIPELINE_REFERENCE: {
    summary: 'an IngestPipeline reference names no pipeline of the data stream',
    elastic: '',
  },
  PIPELINE_LINT: {
    summary: 'the ingest lint (Elasticsearch 8.16 processors/options, conditions, no script) failed',
    elastic: '',
  },
  PIPELINE_UNDEFINED_FIELD: {
    summary: 'a pipeline writes a field the data stream does not define',
    elastic: 'document checks (static)',
  },
  SAMPLE_EVENT: {
    summary: 'sample_event.json has undefined fields or values of the wrong type',
    elastic: 'document checks',
  },
  DOCS_STALE: {
    summary: 'docs/README.md differs from its rendering of _dev/build/docs/README.md',
    elastic: 'lint docs',
  },
  DOCS_TEMPLATE: { summary: 'the docs template is missing or does not render', elastic: '' },
  ARCHIVE: {
    summary:
      "a built zip breaks Kibana's archive rules (top folder, manifest keys, data stream title/type, size)",
    elastic: 'Kibana archive parse',
  },
} as const;

export type CheckCode = keyof typeof CHECK_RULES;

export interface Finding {
  code: CheckCode;
  /** Path relative to the package root (POSIX separators). */
  file: string;
  /** Path inside the file (JSON pointer-ish, dotted) or '' for the whole file. */
  path: string;
  message: string;
}

export type Report = (code: CheckCode, file: string, path: string, message: string) => void;

export function collector(root: string): { findings: Finding[]; report: Report } {
  const findings: Finding[] = [];
  const report: Report = (code, file, path, message) => {
    const rel = file.startsWith(root) ? relative(root, file).split('\\').join('/') : file;
    findings.push({ code, file: rel || '.', path, message });
  };
  return { findings, report };
}

export function formatFinding(f: Finding): string {
  return `${f.code} ${f.file}${f.path ? ` ${f.path}` : ''}: ${f.message}`;
}
