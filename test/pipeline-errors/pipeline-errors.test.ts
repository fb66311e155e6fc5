// Repo-only malformed-input cases (not elastic-package pipeline tests, which must be error-free): every
// `test/pipeline-errors/<stream>/*.json` case runs through the package's pipelines on the local executor and
// must keep the document with the expected error.message, fields and tags. Case format:
//   { description, events: [raw documents, contracts §3], expected: [one entry per event:
//     { error_message: regex, fields?: {dotted path: exact value}, present?: [paths], absent?: [paths],
//       tags?: [tags that must be present], not_containing?: [strings absent from the whole document] } ] }
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createExecutor, loadPackagePipelines } from '@lastpass-elastic/ingest';
import { fleetPipelineName, loadPackage } from '@lastpass-elastic/package-model';
import { z } from 'zod';

const root = join(__dirname, '..', '..');
const NOW = new Date('2026-01-01T00:00:00Z');

const expectationSchema = z
  .object({
    error_message: z.string(),
    fields: z.record(z.string(), z.unknown()).optional(),
    present: z.array(z.string()).optional(),
    absent: z.array(z.string()).optional(),
    tags: z.array(z.string()).optional(),
    not_containing: z.array(z.string()).optional(),
  })
  .strict();
const caseSchema = z
  .object({
    description: z.string(),
    events: z.array(z.record(z.string(), z.unknown())).min(1),
    expected: z.array(expectationSchema).min(1),
  })
  .strict()
  .refine((c) => c.events.length === c.expected.length, 'one expected entry per event');

function lookup(doc: unknown, path: string): unknown {
  let node = doc;
  for (const key of path.split('.')) {
    if (node === null || typeof node !== 'object' || Array.isArray(node)) return undefined;
    node = (node as Record<string, unknown>)[key];
  }
  return node;
}

const pkg = loadPackage(root);
const executor = createExecutor({ pipelines: loadPackagePipelines(pkg), now: () => NOW });

describe.each(pkg.dataStreams.map((ds) => [ds.name, ds] as const))('pipeline error cases: %s', (name, ds) => {
  const dir = join(__dirname, name);
  const files = readdirSync(dir).filter((f) => f.endsWith('.json'));
  const pipeline = fleetPipelineName(pkg, ds);

  it('has error cases', () => {
    expect(files.length).toBeGreaterThan(0);
  });

  it.each(files)('%s', (file) => {
    const testCase = caseSchema.parse(JSON.parse(readFileSync(join(dir, file), 'utf8')));
    testCase.events.forEach((event, i) => {
      const want = testCase.expected[i]!;
      const result = executor.process(pipeline, { _index: `logs-${ds.dataset}-default`, _source: event });
      if (result.kind !== 'indexed') throw new Error(`${file}[${i}]: document not kept (${result.kind})`);
      const doc = result._source;
      const messages = lookup(doc, 'error.message');
      const text = Array.isArray(messages) ? messages.join('\n') : String(messages);
      expect(text).toMatch(new RegExp(want.error_message));
      for (const [path, value] of Object.entries(want.fields ?? {}))
        expect([path, lookup(doc, path)]).toEqual([path, value]);
      for (const path of want.present ?? [])
        expect([path, lookup(doc, path) !== undefined]).toEqual([path, true]);
      for (const path of want.absent ?? []) expect([path, lookup(doc, path)]).toEqual([path, undefined]);
      for (const tag of want.tags ?? []) expect(lookup(doc, 'tags')).toContain(tag);
      const serialised = JSON.stringify(doc);
      for (const secret of want.not_containing ?? []) expect(serialised).not.toContain(secret);
      // Whatever failed, the document can be indexed into the data stream: it has a @timestamp.
      expect(lookup(doc, '@timestamp')).toEqual(expect.any(String));
    });
  });
});
