import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ECS_VERSION, validateDocument } from '@lastpass-elastic/package-model';
import { isRecord } from '../../json';
import { ecsReference, filesIn, type RuleContext } from '../context';

/** sample_event*.json documents fit their data stream's fields (types, constants, ECS allowed values). */
export function checkSampleEvents(ctx: RuleContext): void {
  const { model, report } = ctx;
  if (!model) return;
  for (const ds of model.dataStreams) {
    for (const f of filesIn(ds.dir, (n) => /^sample_event(_[a-z0-9]+)?\.json$/.test(n))) {
      const file = join(ds.dir, f);
      let doc: unknown;
      try {
        doc = JSON.parse(readFileSync(file, 'utf8'));
      } catch {
        continue; // structure walk reports it
      }
      if (!isRecord(doc)) {
        report('SAMPLE_EVENT', file, '', 'a sample event must be a JSON object');
        continue;
      }
      for (const p of validateDocument(ds, doc)) {
        report(p.kind === 'allowed_value' ? 'ECS_ALLOWED_VALUE' : 'SAMPLE_EVENT', file, p.path, p.message);
      }
    }
  }
}

/** `_dev/build/build.yml` pins ECS to exactly the @elastic/ecs version (source mode). */
export function checkEcsPin(ctx: RuleContext): void {
  if (ctx.mode !== 'source') return;
  const pin = ecsReference(ctx.root);
  if (!pin) return; // the external-fields rule reports a missing build.yml when it matters
  const { file, reference } = pin;
  const expected = `git@v${ECS_VERSION}`;
  if (reference !== expected) {
    ctx.report(
      'ECS_VERSION_PIN',
      file,
      'dependencies.ecs.reference',
      `must be "${expected}" (the @elastic/ecs pin), got ${JSON.stringify(reference)}`,
    );
  }
}
