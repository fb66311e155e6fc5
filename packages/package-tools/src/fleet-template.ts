import Handlebars from 'handlebars';
import { parse, stringify } from 'yaml';
import type { DataStreamModel, PackageModel, PackageVar } from '@lastpass-elastic/package-model';

/**
 * A Handlebars environment with the helpers Fleet registers for agent templates
 * (x-pack/platform/plugins/shared/fleet/server/services/epm/agent/agent.ts): `contains`,
 * `escape_string`, `escape_multiline_string`, `to_json`, `url_encode`. Fleet compiles with noEscape.
 */
export function fleetHandlebars(): typeof Handlebars {
  const hb = Handlebars.create();
  hb.registerHelper(
    'contains',
    function (this: unknown, value: unknown, list: unknown, options: Handlebars.HelperOptions) {
      return Array.isArray(list) && list.includes(value) ? options.fn(this) : '';
    },
  );
  hb.registerHelper('escape_string', (value: unknown) => {
    if (typeof value !== 'string' || value === '') return undefined;
    return value.includes('\n') ? JSON.stringify(value) : `'${value.replace(/'/g, "''")}'`;
  });
  hb.registerHelper('escape_multiline_string', (value: unknown) =>
    typeof value === 'string' ? value.replace(/'/g, "''").replace(/\n/g, '\n\n') : undefined,
  );
  hb.registerHelper('to_json', (value: unknown) => JSON.stringify(value));
  hb.registerHelper('url_encode', (value: unknown) =>
    typeof value === 'string' ? encodeURIComponent(value) : undefined,
  );
  return hb;
}

/** The fake secret reference Fleet puts in place of a `secret: true` value. */
export function fakeSecretRef(name: string): string {
  return `$co.elastic.secret{fake-${name}}`;
}

export type TemplateVars = Record<string, unknown>;

/**
 * Variables a stream template sees with manifest defaults, merged package → input → stream as Fleet
 * does. Secret vars become fake secret references; `overrides` replace values (e.g. required vars
 * without a default). `type: yaml` values are kept as text; renderAgentTemplate splices them.
 */
export function defaultTemplateVars(
  pkg: PackageModel,
  ds: DataStreamModel,
  overrides: TemplateVars = {},
): { vars: TemplateVars; yamlVars: Set<string>; secretVars: Set<string> } {
  const stream = ds.manifest.streams?.[0];
  const input = pkg.manifest.policy_templates
    ?.flatMap((t) => t.inputs ?? [])
    .find((i) => i.type === stream?.input);
  const declared: PackageVar[] = [
    ...(pkg.manifest.vars ?? []),
    ...(input?.vars ?? []),
    ...(stream?.vars ?? []),
  ];
  const vars: TemplateVars = {};
  const yamlVars = new Set<string>();
  const secretVars = new Set<string>();
  for (const v of declared) {
    if (v.type === 'yaml') yamlVars.add(v.name);
    if (v.secret === true) secretVars.add(v.name);
    const value = Object.prototype.hasOwnProperty.call(overrides, v.name) ? overrides[v.name] : v.default;
    if (v.secret === true) vars[v.name] = fakeSecretRef(v.name);
    else if (value !== undefined) vars[v.name] = value;
  }
  return { vars, yamlVars, secretVars };
}

/** Compiles and renders an agent template like Fleet: yaml vars go in as placeholders and are spliced back parsed. */
export function renderAgentTemplate(
  template: string,
  vars: TemplateVars,
  yamlVars: ReadonlySet<string> = new Set(),
): unknown {
  const placeholders = new Map<string, unknown>();
  const context: TemplateVars = { ...vars };
  for (const name of yamlVars) {
    const value = vars[name];
    if (typeof value === 'string' && value !== '') {
      const key = `##${name}##`;
      placeholders.set(key, parse(value) as unknown);
      context[name] = `"${key}"`;
    }
  }
  let rendered = fleetHandlebars().compile(template, { noEscape: true, strict: false })(context);
  // Fleet's replaceRootLevelYamlVariables: a placeholder at the start of a line becomes the dumped YAML.
  for (const [key, value] of placeholders) {
    rendered = rendered.replace(new RegExp(`^"${key}"`, 'gm'), () =>
      value === null || value === undefined ? '' : stringify(value),
    );
  }
  const doc = parse(rendered, { uniqueKeys: true }) as unknown;
  const splice = (node: unknown): unknown => {
    if (typeof node === 'string' && placeholders.has(node)) return placeholders.get(node);
    if (Array.isArray(node)) return node.map(splice);
    if (typeof node === 'object' && node !== null) {
      return Object.fromEntries(Object.entries(node).map(([k, v]) => [k, splice(v)]));
    }
    return node;
  };
  return JSON.parse(JSON.stringify(splice(doc) ?? null)) as unknown;
}
