import { fieldPath } from '../document';
import type { ProcessorFactory } from '../engine';
import { illegalArgument } from '../errors';
import { compileGrok, grokMatch, type CompiledGrok } from '../grok';
import { constField, inputString } from './util';

const grok: ProcessorFactory = (cfg) => {
  const field = constField(cfg, 'field');
  const patterns = cfg.stringList('patterns') ?? [];
  if (patterns.length === 0) throw cfg.error('patterns', '[patterns] List of patterns must not be empty');
  const defsRaw = cfg.map('pattern_definitions', false) ?? {};
  const defs: Record<string, string> = {};
  for (const [k, v] of Object.entries(defsRaw)) defs[k] = typeof v === 'string' ? v : JSON.stringify(v);
  const ecs = cfg.string('ecs_compatibility', 'disabled');
  if (ecs !== 'disabled')
    throw cfg.error(
      'ecs_compatibility',
      '[ecs_compatibility] only "disabled" (the legacy pattern bank) is emulated',
      'INGEST_UNSUPPORTED_FEATURE',
    );
  const traceMatch = cfg.bool('trace_match', false);
  const ignoreMissing = cfg.bool('ignore_missing', false);
  let compiled: CompiledGrok;
  try {
    compiled = compileGrok(patterns, defs);
  } catch (e) {
    const reason = e instanceof Error ? e.message : String(e);
    throw cfg.error(
      'patterns',
      `[patterns] Invalid regex pattern found in: [${patterns.join(', ')}]. ${reason}`,
    );
  }
  return {
    execute(doc) {
      const text = inputString(doc, field, ignoreMissing);
      if (text === undefined) return;
      const result = grokMatch(compiled, text);
      if (result === undefined)
        throw illegalArgument(`Provided Grok expressions do not match field value: [${text}]`);
      for (const [k, v] of result.fields) doc.set(fieldPath(k), v);
      if (traceMatch) {
        doc.ingest['_grok_match_index'] = patterns.length > 1 ? String(result.patternIndex) : '0';
      }
    },
  };
};

export const grokProcessors: Record<string, ProcessorFactory> = { grok };
