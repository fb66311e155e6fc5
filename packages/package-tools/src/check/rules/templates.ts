import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Handlebars from 'handlebars';
import { defaultTemplateVars, renderAgentTemplate } from '../../fleet-template';
import { isRecord } from '../../json';
import { filesIn, type RuleContext } from '../context';

/** Values for required vars that have no default, so templates can be rendered offline. */
const PLACEHOLDERS: Record<string, string> = { account_number: '12345678' };

function checkRendered(ctx: RuleContext, file: string, config: unknown, secretStateKeys: string[]): void {
  const { report } = ctx;
  if (!isRecord(config)) {
    report('TEMPLATE_RENDER', file, '', 'the rendered template is not a YAML mapping');
    return;
  }
  for (const key of ['config_version', 'interval', 'resource.url', 'state', 'program']) {
    if (!(key in config)) report('TEMPLATE_RENDER', file, key, `the rendered CEL config lacks ${key}`);
  }
  if ('program' in config && typeof config['program'] !== 'string')
    report('TEMPLATE_RENDER', file, 'program', 'program must be a string');
  const redact = config['redact'];
  const redacted = isRecord(redact) && Array.isArray(redact['fields']) ? redact['fields'].map(String) : [];
  for (const key of secretStateKeys) {
    if (!redacted.includes(key))
      report(
        'TEMPLATE_RENDER',
        file,
        'redact.fields',
        `secret state key "${key}" must be listed in redact.fields`,
      );
  }
}

/** Template paths exist, every *.hbs parses, and CEL stream templates render to a valid config with defaults. */
export function checkTemplates(ctx: RuleContext): void {
  const { model, report } = ctx;
  if (!model) return;
  for (const ds of model.dataStreams) {
    const streamDir = join(ds.dir, 'agent', 'stream');
    const templates = filesIn(streamDir, (f) => f.endsWith('.hbs'));
    for (const t of templates) {
      try {
        Handlebars.parse(readFileSync(join(streamDir, t), 'utf8'));
      } catch (error) {
        report(
          'TEMPLATE_PARSE',
          join(streamDir, t),
          '',
          `Handlebars: ${(error instanceof Error ? error.message : String(error)).split('\n')[0] ?? ''}`,
        );
      }
    }
    (ds.manifest.streams ?? []).forEach((stream, i) => {
      const path = stream.template_path ?? 'stream.yml.hbs';
      const match = templates.find((t) => t.endsWith(path));
      const manifestFile = join(ds.dir, 'manifest.yml');
      if (!match) {
        report(
          'TEMPLATE_MISSING',
          manifestFile,
          `streams[${i}].template_path`,
          `template ${path} not found in agent/stream/`,
        );
        return;
      }
      if (stream.input !== 'cel') return;
      const file = join(streamDir, match);
      const { vars, yamlVars, secretVars } = defaultTemplateVars(model, ds, PLACEHOLDERS);
      let config: unknown;
      try {
        config = renderAgentTemplate(readFileSync(file, 'utf8'), vars, yamlVars);
      } catch (error) {
        report(
          'TEMPLATE_RENDER',
          file,
          '',
          `rendering with default vars failed: ${(error instanceof Error ? error.message : String(error)).split('\n')[0] ?? ''}`,
        );
        return;
      }
      const state = isRecord(config) && isRecord(config['state']) ? config['state'] : {};
      const secretRefs = [...secretVars].map((v) => vars[v]);
      const secretKeys = Object.entries(state)
        .filter(([, v]) => secretRefs.includes(v))
        .map(([k]) => k);
      checkRendered(ctx, file, config, secretKeys);
      if (secretRefs.length > 0) {
        const outside = JSON.stringify({ ...(isRecord(config) ? config : {}), state: undefined });
        if (secretRefs.some((ref) => typeof ref === 'string' && outside.includes(ref))) {
          report(
            'TEMPLATE_RENDER',
            file,
            '',
            'a secret var is rendered outside state (it must only appear under state and be redacted)',
          );
        }
      }
    });
  }
}
