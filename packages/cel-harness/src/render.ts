import Handlebars from 'handlebars';
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';
import { z } from 'zod';
import { CelHarnessError } from './errors';

/**
 * Renders a `cel.yml.hbs` the way Fleet compiles a stream template (elastic-package-format §7.7):
 * Handlebars with `noEscape`, Fleet's helpers, and `type: yaml` variables spliced in as YAML
 * structures after the text is parsed. Secrets are rendered as the values given (the Agent resolves
 * `$co.elastic.secret{…}` references to the value before the input sees its configuration).
 */
export type TemplateVars = Record<string, unknown>;

const text = (value: unknown): string =>
  typeof value === 'string' ? value : value === undefined || value === null ? '' : JSON.stringify(value);

function escapeString(value: unknown): string {
  const s = text(value);
  if (s.includes('\n')) return JSON.stringify(s);
  return `'${s.replace(/'/g, "''")}'`;
}

function createHandlebars(): typeof Handlebars {
  const hb = Handlebars.create();
  hb.registerHelper('escape_string', escapeString);
  hb.registerHelper('escape_multiline_string', (value: unknown) => text(value));
  hb.registerHelper('to_json', (value: unknown) => JSON.stringify(value));
  hb.registerHelper('url_encode', (value: unknown) => encodeURIComponent(text(value)));
  hb.registerHelper(
    'contains',
    function (this: unknown, needle: unknown, haystack: unknown, options: Handlebars.HelperOptions) {
      const found =
        (Array.isArray(haystack) && haystack.includes(needle)) ||
        (typeof haystack === 'string' && typeof needle === 'string' && haystack.includes(needle));
      return found ? options.fn(this) : options.inverse(this);
    },
  );
  return hb;
}
const hb = createHandlebars();

/**
 * Renders the template; `yamlVars` names the variables of `type: yaml` (given as YAML text). As Fleet
 * does, each such variable renders as the quoted placeholder `"##name##"`; a placeholder alone at the
 * start of a line (a root-level block such as `processors:`) is replaced by the dumped YAML text, the
 * others are replaced by the parsed structure after the text is parsed.
 */
export function renderStreamTemplate(
  template: string,
  vars: TemplateVars,
  yamlVars: readonly string[] = [],
): string {
  const context: TemplateVars = {};
  const spliced = new Map<string, unknown>();
  for (const [key, value] of Object.entries(vars)) {
    if (yamlVars.includes(key) && typeof value === 'string') {
      const parsed: unknown = parseYaml(value);
      const marker = `##${key}##`;
      context[key] = parsed === null || parsed === undefined ? null : `"${marker}"`;
      if (parsed !== null && parsed !== undefined) spliced.set(marker, parsed);
    } else {
      context[key] = value;
    }
  }
  let text: string;
  try {
    text = hb.compile(template, { noEscape: true, strict: false })(context);
  } catch (e) {
    throw new CelHarnessError('CEL_TEMPLATE_INVALID', `cel.yml.hbs: ${(e as Error).message}`);
  }
  if (spliced.size === 0) return text;
  for (const [marker, value] of spliced)
    text = text.replace(new RegExp(`^"${marker}"`, 'gm'), () => stringifyYaml(value).trimEnd());
  const doc: unknown = parseYaml(text);
  return stringifyYaml(replaceMarkers(doc, spliced));
}

function replaceMarkers(value: unknown, spliced: Map<string, unknown>): unknown {
  if (typeof value === 'string' && spliced.has(value)) return spliced.get(value);
  if (Array.isArray(value)) return value.map((v) => replaceMarkers(v, spliced));
  if (typeof value === 'object' && value !== null)
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, replaceMarkers(v, spliced)]));
  return value;
}

const streamConfigSchema = z.looseObject({
  config_version: z.union([z.literal(2), z.literal('2')]).optional(),
  interval: z.string().min(1),
  'resource.url': z.string().min(1),
  'resource.timeout': z.string().optional(),
  max_executions: z.number().int().positive().optional(),
  program: z.string().min(1),
  state: z.record(z.string(), z.unknown()).default({}),
  redact: z.object({ fields: z.array(z.string()).default([]) }).optional(),
  tags: z.array(z.string()).nullable().optional(),
});

export interface StreamConfig {
  interval: string;
  url: string;
  timeout: string | undefined;
  maxExecutions: number;
  program: string;
  /** The configured `state`, with YAML integers as CEL ints (bigint). */
  state: Record<string, unknown>;
  redactFields: string[];
  tags: string[];
  raw: Record<string, unknown>;
}

/** Parses a rendered template (YAML integers become CEL ints, as the Agent hands them to CEL). */
export function parseStreamConfig(text: string): StreamConfig {
  let doc: unknown;
  try {
    doc = parseYaml(text, { intAsBigInt: true, uniqueKeys: true });
  } catch (e) {
    throw new CelHarnessError(
      'CEL_CONFIG_INVALID',
      `rendered cel.yml.hbs is not valid YAML: ${(e as Error).message}`,
    );
  }
  const numbersAsNumber = JSON.parse(
    JSON.stringify(doc, (_k, v: unknown) => (typeof v === 'bigint' ? Number(v) : v)),
  ) as unknown;
  const result = streamConfigSchema.safeParse(numbersAsNumber);
  if (!result.success) {
    const issue = result.error.issues[0];
    throw new CelHarnessError(
      'CEL_CONFIG_INVALID',
      `rendered cel.yml.hbs: ${issue?.path.join('.') ?? '?'}: ${issue?.message ?? 'invalid'}`,
    );
  }
  const cfg = result.data;
  const rawState = (doc as { state?: Record<string, unknown> }).state ?? {};
  return {
    interval: cfg.interval,
    url: cfg['resource.url'],
    timeout: cfg['resource.timeout'],
    maxExecutions: cfg.max_executions ?? 1000,
    program: cfg.program,
    state: rawState,
    redactFields: cfg.redact?.fields ?? [],
    tags: cfg.tags ?? [],
    raw: numbersAsNumber as Record<string, unknown>,
  };
}
