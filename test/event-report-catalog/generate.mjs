#!/usr/bin/env node
// Renders the event-report action catalog (actions.yml, the single source) into
//   - data_stream/event_report/elasticsearch/ingest_pipeline/catalog.yml: plain `set`/`append` processors
//     whose `if` conditions match the normalised action EXACTLY (list literal + contains, no script);
//   - data_stream/event_report/_dev/test/pipeline/test-catalog.json: every action in its attested spelling and in
//     the other casing (sentence case, or Title Case) with its example Data values.
// Usage: node test/event-report-catalog/generate.mjs [--check]
//   --check: write nothing; exit 1 naming every generated file that differs from its rendering.
import { readFileSync, writeFileSync, existsSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse, stringify } from 'yaml';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..');
const catalogFile = join(here, 'actions.yml');
const pipelineFile = join(root, 'data_stream/event_report/elasticsearch/ingest_pipeline/catalog.yml');
const testFile = join(root, 'data_stream/event_report/_dev/test/pipeline/test-catalog.json');

/** The normalisation the default pipeline applies to `Action` (gsub \s+ → ' ', trim, lowercase). */
export function normalise(action) {
  return action.replace(/\s+/g, ' ').trim().toLowerCase();
}

function titleCase(action) {
  return action.replace(/(^|\s)(\S)/g, (_m, space, ch) => space + ch.toUpperCase());
}

function sentenceCase(action) {
  const lower = action.toLowerCase();
  return lower.charAt(0).toUpperCase() + lower.slice(1);
}

function slug(values) {
  return values.join('_').replace(/[^a-z0-9]+/g, '_');
}

/** A Painless list literal, one action per line (the condition is a YAML block scalar). */
function painlessList(values) {
  return `[\n${values.map((v) => `  '${v}'`).join(',\n')}\n]`;
}

/** Groups actions by the JSON of one property: one processor per distinct value. */
function groupBy(actions, key) {
  const groups = new Map();
  for (const entry of actions) {
    const value = entry[key];
    if (value === undefined) continue;
    const id = JSON.stringify(value);
    if (!groups.has(id)) groups.set(id, { value, actions: [] });
    groups.get(id).actions.push(normalise(entry.action));
  }
  return [...groups.values()];
}

export function loadCatalog() {
  const catalog = parse(readFileSync(catalogFile, 'utf8'));
  const seen = new Set();
  for (const entry of catalog.actions) {
    const key = normalise(entry.action);
    if (seen.has(key)) throw new Error(`actions.yml: duplicate action '${key}'`);
    if (key.includes("'")) throw new Error(`actions.yml: action '${key}' contains a quote`);
    if (!(entry.format in catalog.formats))
      throw new Error(`actions.yml: '${key}' has unknown format '${entry.format}'`);
    if (
      !Array.isArray(entry.examples) ||
      entry.examples.length === 0 ||
      entry.examples.some((e) => typeof e !== 'string')
    ) {
      throw new Error(
        `actions.yml: '${key}' needs examples, a non-empty list of strings (quote values holding ': ')`,
      );
    }
    seen.add(key);
  }
  return catalog;
}

export function renderPipeline(catalog) {
  const processors = [];
  const condition = (actions) => `${painlessList(actions)}.contains(ctx.event?.action)`;
  for (const { value, actions } of groupBy(catalog.actions, 'category')) {
    processors.push({
      set: { tag: `catalog_category_${slug(value)}`, field: 'event.category', value, if: condition(actions) },
    });
  }
  for (const { value, actions } of groupBy(catalog.actions, 'type')) {
    processors.push({
      set: { tag: `catalog_type_${slug(value)}`, field: 'event.type', value, if: condition(actions) },
    });
  }
  for (const { value, actions } of groupBy(catalog.actions, 'outcome')) {
    processors.push({
      set: { tag: `catalog_outcome_${value}`, field: 'event.outcome', value, if: condition(actions) },
    });
  }
  for (const { value, actions } of groupBy(catalog.actions, 'format')) {
    processors.push({
      set: { tag: `catalog_format_${value}`, field: '_tmp.format', value, if: condition(actions) },
    });
  }
  processors.push({
    append: {
      tag: 'catalog_tag_unknown_action',
      field: 'tags',
      value: 'lastpass_unknown_action',
      allow_duplicates: false,
      if: 'ctx._tmp?.format == null',
    },
  });
  const pipeline = {
    description:
      'LastPass event-report action catalog: exact match of the normalised action (event.action) to ECS ' +
      'event.category, event.type, event.outcome and the Data format. Unknown actions get only the tag ' +
      'lastpass_unknown_action.',
    processors,
    on_failure: [
      { set: { tag: 'catalog_on_failure_set_event_kind', field: 'event.kind', value: 'pipeline_error' } },
      {
        append: {
          tag: 'catalog_on_failure_append_error_message',
          field: 'error.message',
          value:
            "Processor '{{{_ingest.on_failure_processor_type}}}' with tag '{{{_ingest.on_failure_processor_tag}}}' " +
            "in pipeline '{{{_ingest.pipeline}}}' failed with message: {{{_ingest.on_failure_message}}}",
        },
      },
    ],
  };
  const header =
    '---\n# GENERATED by test/event-report-catalog/generate.mjs from test/event-report-catalog/actions.yml.\n' +
    '# Do not edit: change actions.yml and run `node test/event-report-catalog/generate.mjs`.\n';
  return header + stringify(pipeline, { lineWidth: 0 });
}

export function renderTestCase(catalog) {
  const events = [];
  let second = 0;
  const event = (action, data) => {
    const time = `2024-03-01 10:${String(Math.floor(second / 60)).padStart(2, '0')}:${String(second % 60).padStart(2, '0')}`;
    second += 1;
    return {
      message: JSON.stringify({
        Time: time,
        Username: 'admin@example.com',
        IP_Address: '192.0.2.10',
        Action: action,
        Data: data,
      }),
      _conf: { account_number: '8771312', time_zone: 'America/New_York' },
      data_stream: { type: 'logs', dataset: 'lastpass_enterprise.event_report', namespace: 'default' },
      lastpass_enterprise: { event_report: { occurrence: 0 } },
      tags: ['forwarded'],
    };
  };
  for (const entry of catalog.actions) {
    const examples = entry.examples.length > 1 ? entry.examples : [entry.examples[0], entry.examples[0]];
    // The attested spelling (as LastPass wrote it, reference §11) and the other casing era: sentence case,
    // or Title Case when the attested spelling already is sentence case
    // (one-word actions: lower case, which still proves case-insensitive matching).
    const variants = [sentenceCase(entry.action), titleCase(entry.action), entry.action.toLowerCase()];
    const other = variants.find((v) => v !== entry.action) ?? entry.action;
    examples.forEach((data, i) => {
      events.push(event(i % 2 === 0 ? entry.action : other, data));
    });
  }
  return `${JSON.stringify({ events }, null, 4)}\n`;
}

function main() {
  const check = process.argv.includes('--check');
  const catalog = loadCatalog();
  const outputs = [
    [pipelineFile, renderPipeline(catalog)],
    [testFile, renderTestCase(catalog)],
  ];
  const drifted = [];
  for (const [file, text] of outputs) {
    const current = existsSync(file) ? readFileSync(file, 'utf8') : undefined;
    if (current === text) continue;
    if (check) drifted.push(relative(root, file));
    else writeFileSync(file, text);
  }
  if (drifted.length > 0) {
    console.error(
      `generated from actions.yml but out of date: ${drifted.join(', ')}; run node test/event-report-catalog/generate.mjs`,
    );
    process.exit(1);
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) main();
