import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { CelHarnessError } from './errors';
import { parseStreamConfig, renderStreamTemplate, type StreamConfig, type TemplateVars } from './render';

/**
 * Renders one data stream's `agent/stream/cel.yml.hbs` of a package folder with Fleet's variable
 * merge (package → input → stream defaults, then the given values; later wins).
 */
const varSchema = z.looseObject({ name: z.string(), type: z.string(), default: z.unknown().optional() });
const packageManifestSchema = z.looseObject({
  policy_templates: z
    .array(
      z.looseObject({
        inputs: z.array(z.looseObject({ type: z.string(), vars: z.array(varSchema).optional() })).optional(),
      }),
    )
    .optional(),
  vars: z.array(varSchema).optional(),
});
const streamManifestSchema = z.looseObject({
  streams: z.array(
    z.looseObject({
      input: z.string(),
      template_path: z.string().optional(),
      vars: z.array(varSchema).optional(),
    }),
  ),
});

function readYaml<T>(file: string, schema: z.ZodType<T>): T {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    throw new CelHarnessError('CEL_INVALID_OPTION', `${file}: cannot be read`);
  }
  const result = schema.safeParse(parseYaml(text));
  if (!result.success)
    throw new CelHarnessError(
      'CEL_CONFIG_INVALID',
      `${file}: ${result.error.issues[0]?.message ?? 'invalid'}`,
    );
  return result.data;
}

export interface LoadedStream {
  dataStream: string;
  rendered: string;
  config: StreamConfig;
  vars: TemplateVars;
}

export function loadStream(packageRoot: string, dataStream: string, values: TemplateVars): LoadedStream {
  const pkg = readYaml(join(packageRoot, 'manifest.yml'), packageManifestSchema);
  const dsManifest = readYaml(
    join(packageRoot, 'data_stream', dataStream, 'manifest.yml'),
    streamManifestSchema,
  );
  const stream = dsManifest.streams.find((s) => s.input === 'cel');
  if (stream === undefined)
    throw new CelHarnessError('CEL_CONFIG_INVALID', `data_stream/${dataStream}: no cel stream`);
  const input = pkg.policy_templates?.flatMap((p) => p.inputs ?? []).find((i) => i.type === 'cel');
  const declared = [...(pkg.vars ?? []), ...(input?.vars ?? []), ...(stream.vars ?? [])];
  const vars: TemplateVars = {};
  for (const v of declared) if (v.default !== undefined) vars[v.name] = v.default;
  Object.assign(vars, values);
  const yamlVars = declared.filter((v) => v.type === 'yaml').map((v) => v.name);
  const templatePath = join(
    packageRoot,
    'data_stream',
    dataStream,
    'agent',
    'stream',
    stream.template_path ?? 'stream.yml.hbs',
  );
  const template = readFileSync(templatePath, 'utf8');
  const rendered = renderStreamTemplate(template, vars, yamlVars);
  return { dataStream, rendered, config: parseStreamConfig(rendered), vars };
}
