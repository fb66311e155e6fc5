import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { readStructured } from '@lastpass-elastic/package-model';

/**
 * Source definitions of the package's Kibana assets (`_dev/shared/kibana/`, never shipped):
 * `data_views.yml`, `dashboards/*.yml`, `rules/*.yml`. `lastpass-elastic kibana` renders them into
 * `kibana/` (saved objects in the JSON shape Kibana 8.16 exports); `check` fails when `kibana/` drifts.
 */
export const DEFINITIONS_DIR = join('_dev', 'shared', 'kibana');

export class KibanaDefinitionError extends Error {
  readonly code = 'KIBANA_DEFINITION_INVALID';
  readonly retryable = false;
  constructor(message: string) {
    super(message);
    this.name = 'KibanaDefinitionError';
  }
}

export const dataViewSchema = z.strictObject({
  id: z.string().min(1),
  title: z.string().min(1),
  name: z.string().min(1),
  time_field: z.string().min(1),
});
export type DataViewDefinition = z.infer<typeof dataViewSchema>;

const kql = z.string();

/** One Lens column. Bucket ops: terms, date_histogram, filters; metric ops: the rest. */
export const columnSchema = z.strictObject({
  op: z.enum([
    'terms',
    'date_histogram',
    'filters',
    'count',
    'unique_count',
    'max',
    'min',
    'average',
    'sum',
    'median',
    'last_value',
  ]),
  field: z.string().optional(),
  label: z.string().optional(),
  /** Column filter (metrics only): the metric counts the documents matching this KQL. */
  filter: kql.optional(),
  /** terms */
  size: z.number().int().min(1).max(1000).optional(),
  order: z.enum(['metric', 'alphabetical_asc', 'alphabetical_desc']).optional(),
  other: z.boolean().optional(),
  missing: z.boolean().optional(),
  /** date_histogram */
  interval: z.string().optional(),
  /** filters */
  filters: z.array(z.strictObject({ label: z.string(), query: kql })).optional(),
});
export type ColumnDefinition = z.infer<typeof columnSchema>;

const grid = z.tuple([z.number().int(), z.number().int(), z.number().int(), z.number().int()]);

const panelBase = {
  key: z.string().regex(/^[a-z0-9][a-z0-9-]*$/),
  title: z.string().min(1),
  description: z.string().optional(),
  /** [x, y, w, h] on the 48-column grid. */
  grid,
  /** Data view id (default: the dashboard's). */
  data_view: z.string().optional(),
  /** Narrows the panel to one dataset (a data_stream.dataset clause in its query). */
  dataset: z.string().optional(),
  query: kql.optional(),
  /**
   * Latest-state panels: count only each account's newest snapshot. Adds a leading bucket on
   * lastpass_enterprise.snapshot.id (size 1, newest first: the ids are sortable start instants), so
   * rows left behind by users or members who disappeared from LastPass never count as current.
   */
  newest_snapshot: z.boolean().default(false),
};

export const panelSchema = z.discriminatedUnion('type', [
  z.strictObject({
    ...panelBase,
    type: z.literal('metric'),
    metric: columnSchema,
    /** A bucket column: one tile per value (with size 1 and alphabetical_desc on a snapshot id: the newest). */
    breakdown: columnSchema.optional(),
    secondary: columnSchema.optional(),
  }),
  z.strictObject({
    ...panelBase,
    type: z.enum(['bar', 'bar_stacked', 'bar_horizontal', 'bar_horizontal_stacked', 'line', 'area']),
    x: columnSchema,
    y: z.array(columnSchema).min(1),
    split: columnSchema.optional(),
  }),
  z.strictObject({
    ...panelBase,
    type: z.enum(['pie', 'donut']),
    slices: z.array(columnSchema).min(1),
    metric: columnSchema,
  }),
  z.strictObject({
    ...panelBase,
    type: z.literal('table'),
    rows: z.array(columnSchema).min(1),
    metrics: z.array(columnSchema).min(1),
  }),
  z.strictObject({
    ...panelBase,
    type: z.literal('map'),
    layers: z
      .array(
        z.strictObject({
          key: z.string().regex(/^[a-z0-9][a-z0-9-]*$/),
          label: z.string(),
          geo_field: z.string(),
          query: kql.optional(),
          color: z.string().regex(/^#[0-9A-Fa-f]{6}$/),
        }),
      )
      .min(1),
  }),
]);
export type PanelDefinition = z.infer<typeof panelSchema>;

export const filterSchema = z.strictObject({
  field: z.string(),
  /** One value: a phrase filter; several: a "is one of" filter. */
  values: z.array(z.string()).min(1),
  negate: z.boolean().default(false),
});
export type FilterDefinition = z.infer<typeof filterSchema>;

export const dashboardSchema = z.strictObject({
  id: z.string().min(1),
  title: z.string().min(1),
  description: z.string(),
  time: z.strictObject({ from: z.string(), to: z.string() }),
  data_view: z.string(),
  /** Dashboard-level filters; the first is the data_stream.dataset filter. */
  filters: z.array(filterSchema).min(1),
  query: kql.default(''),
  controls: z
    .array(z.strictObject({ field: z.string(), title: z.string(), data_view: z.string().optional() }))
    .min(1),
  panels: z.array(panelSchema).min(1),
});
export type DashboardDefinition = z.infer<typeof dashboardSchema>;

export const ruleSchema = z.strictObject({
  rule_id: z.uuid(),
  version: z.number().int().min(1),
  name: z.string().min(1),
  description: z.string().min(1),
  type: z.enum(['query', 'threshold', 'new_terms']),
  query: z.string().min(1),
  severity: z.enum(['low', 'medium', 'high', 'critical']),
  risk_score: z.number().int().min(0).max(100),
  threat: z
    .array(
      z.strictObject({
        tactic: z.string().regex(/^TA\d{4}$/),
        techniques: z.array(z.string().regex(/^T\d{4}(\.\d{3})?$/)).min(1),
      }),
    )
    .min(1),
  false_positives: z.array(z.string().min(1)).min(1),
  note: z.string().min(1),
  tags: z.array(z.string()).default([]),
  references: z.array(z.url()).default([]),
  investigation_fields: z.array(z.string()).min(1),
  threshold: z
    .strictObject({
      field: z.array(z.string()),
      value: z.number().int().min(1),
      cardinality: z.array(z.strictObject({ field: z.string(), value: z.number().int().min(1) })).optional(),
    })
    .optional(),
  new_terms_fields: z.array(z.string()).min(1).max(3).optional(),
  history_window_start: z.string().optional(),
  interval: z.string().default('5m'),
  from: z.string().default('now-15m'),
});
export type RuleDefinition = z.infer<typeof ruleSchema>;

/** What every rule shares (`rule_defaults.yml`). */
export const ruleDefaultsSchema = z.strictObject({
  author: z.array(z.string()).min(1),
  license: z.string().min(1),
  index: z.array(z.string()).min(1),
  related_integrations: z.array(z.strictObject({ package: z.string(), version: z.string() })).min(1),
  timestamp_override: z.string().optional(),
  max_signals: z.number().int().min(1),
  setup: z.string().min(1),
  tags: z.array(z.string()),
});
export type RuleDefaults = z.infer<typeof ruleDefaultsSchema>;

export interface KibanaDefinitions {
  dataViews: DataViewDefinition[];
  ruleDefaults: RuleDefaults | undefined;
  dashboards: { file: string; def: DashboardDefinition }[];
  rules: { file: string; def: RuleDefinition }[];
}

function load<T>(file: string, schema: z.ZodType<T>): T {
  const read = readStructured(file);
  if (!read.ok) throw new KibanaDefinitionError(`${file}: ${read.problem.message}`);
  const parsed = schema.safeParse(read.value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new KibanaDefinitionError(
      `${file}: ${issue ? `${issue.path.join('.') || '(root)'}: ${issue.message}` : 'invalid'}`,
    );
  }
  return parsed.data;
}

function yamlFiles(dir: string): string[] {
  return existsSync(dir)
    ? readdirSync(dir)
        .filter((f) => f.endsWith('.yml'))
        .sort()
        .map((f) => join(dir, f))
    : [];
}

/** Reads `_dev/shared/kibana/`; undefined when the package has no definitions. */
export function readDefinitions(root: string): KibanaDefinitions | undefined {
  const dir = join(root, DEFINITIONS_DIR);
  if (!existsSync(dir)) return undefined;
  const viewsFile = join(dir, 'data_views.yml');
  const dataViews = existsSync(viewsFile) ? load(viewsFile, z.array(dataViewSchema)) : [];
  const dashboards = yamlFiles(join(dir, 'dashboards')).map((file) => ({
    file,
    def: load(file, dashboardSchema),
  }));
  const rules = yamlFiles(join(dir, 'rules')).map((file) => ({ file, def: load(file, ruleSchema) }));
  const defaultsFile = join(dir, 'rule_defaults.yml');
  const ruleDefaults = existsSync(defaultsFile) ? load(defaultsFile, ruleDefaultsSchema) : undefined;
  if (rules.length > 0 && ruleDefaults === undefined)
    throw new KibanaDefinitionError(`${defaultsFile}: rules need their shared defaults`);
  return { dataViews, ruleDefaults, dashboards, rules };
}
