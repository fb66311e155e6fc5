import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { startFakeElasticsearch } from '@lastpass-elastic/ingest';
import { fleetPipelineName, loadPackage, validateDocument } from '@lastpass-elastic/package-model';
import { endpointFromEnv, generateMappings, planAssets, setupElasticsearch } from '../../src';
import { isRecord, type JsonObject } from '../../src/json';

const ROOT = resolve(__dirname, '../../../..');
const GOLDEN = join(__dirname, 'golden');
const UPDATE = process.env['UPDATE_GOLDEN'] === '1';
const pkg = loadPackage(ROOT);
const plan = planAssets(pkg);

type Json = JsonObject;

/** Every mapped leaf as [dotted path, mapping]. */
function leaves(properties: Json, prefix = ''): [string, Json][] {
  return Object.entries(properties).flatMap(([name, raw]) => {
    const path = prefix === '' ? name : `${prefix}.${name}`;
    const field = raw as Json;
    return isRecord(field['properties'])
      ? [
          ...(field['type'] === undefined ? [] : [[path, field] as [string, Json]]),
          ...leaves(field['properties'], path),
        ]
      : [[path, field] as [string, Json]];
  });
}

/** Leaf paths of a document (dotted keys and nested objects alike; arrays of objects walked). */
function documentPaths(value: unknown, prefix = ''): string[] {
  if (Array.isArray(value)) return value.flatMap((v) => documentPaths(v, prefix));
  if (!isRecord(value)) return prefix === '' ? [] : [prefix];
  return Object.entries(value).flatMap(([k, v]) => documentPaths(v, prefix === '' ? k : `${prefix}.${k}`));
}

describe('generated assets (golden files; regenerate with UPDATE_GOLDEN=1 and review the diff)', () => {
  it.each(plan.streams.map((s) => [s.stream, s] as const))('%s matches its golden file', (stream, assets) => {
    const file = join(GOLDEN, `${stream}.json`);
    const actual = {
      pipelines: assets.pipelines,
      packageComponent: assets.packageComponent,
      customComponents: assets.customComponents,
      indexTemplate: assets.indexTemplate,
    };
    if (UPDATE) {
      mkdirSync(GOLDEN, { recursive: true });
      writeFileSync(file, `${JSON.stringify(actual, null, 2)}\n`);
    }
    if (!existsSync(file))
      throw new Error(
        `${file} is missing: run UPDATE_GOLDEN=1 npx jest --selectProjects package-tools ${__filename}`,
      );
    expect(JSON.parse(JSON.stringify(actual))).toEqual(JSON.parse(readFileSync(file, 'utf8')));
  });

  it.each(plan.transforms.map((t) => [t.name, t] as const))(
    'transform %s matches its golden file',
    (name, assets) => {
      const file = join(GOLDEN, `transform-${name}.json`);
      const actual = {
        id: assets.id,
        packageComponent: assets.packageComponent,
        indexTemplate: assets.indexTemplate,
        body: assets.body,
        start: assets.start,
      };
      if (UPDATE) writeFileSync(file, `${JSON.stringify(actual, null, 2)}\n`);
      if (!existsSync(file))
        throw new Error(
          `${file} is missing: run UPDATE_GOLDEN=1 npx jest --selectProjects package-tools ${__filename}`,
        );
      expect(JSON.parse(JSON.stringify(actual))).toEqual(JSON.parse(readFileSync(file, 'utf8')));
    },
  );

  it('has a golden file for every stream and transform and no stale ones', () => {
    expect(readdirSync(GOLDEN).sort()).toEqual(
      [
        ...plan.streams.map((s) => `${s.stream}.json`),
        ...plan.transforms.map((t) => `transform-${t.name}.json`),
      ].sort(),
    );
  });
});

describe('sanity rules on the generated templates', () => {
  it.each(pkg.dataStreams.map((ds) => [ds.name, ds] as const))(
    '%s: every field typed once, @timestamp date, constants, default pipeline',
    (_name, ds) => {
      const generated = generateMappings(ds.fields);
      expect(generated.problems).toEqual([]);
      const mapped = leaves(generated.properties);
      const untyped = mapped.filter(([, m]) => typeof m['type'] !== 'string').map(([p]) => p);
      expect(untyped).toEqual([]);
      const paths = mapped.map(([p]) => p);
      expect(new Set(paths).size).toBe(paths.length);
      const byPath = new Map(mapped);
      expect(byPath.get('@timestamp')).toEqual({ type: 'date', ignore_malformed: false });
      for (const f of ['data_stream.type', 'data_stream.dataset', 'data_stream.namespace'])
        expect(byPath.get(f)?.['type']).toBe('constant_keyword');
      expect(byPath.get('event.dataset')).toEqual({ type: 'constant_keyword', value: ds.dataset });
      expect(byPath.get('event.module')).toEqual({ type: 'constant_keyword', value: pkg.manifest.name });
      const assets = plan.streams.find((s) => s.stream === ds.name)!;
      const template = assets.packageComponent.body['template'] as Json;
      expect((template['settings'] as Json)['index']).toMatchObject({
        default_pipeline: fleetPipelineName(pkg, ds),
      });
      expect(assets.indexTemplate.body).toMatchObject({
        index_patterns: [`logs-${ds.dataset}-*`],
        priority: 200,
        data_stream: {},
      });
      expect(assets.indexTemplate.body['composed_of']).toContain(assets.packageComponent.name);
    },
  );

  it('every field the pipelines write (pipeline-test inputs run through the installed assets) has a mapping', async () => {
    const fake = await startFakeElasticsearch({
      builtins: false,
      now: () => new Date('2024-06-01T00:00:00Z'),
    });
    try {
      await setupElasticsearch(endpointFromEnv('Elasticsearch', '--elasticsearch', fake.url, {}), plan);
      for (const ds of pkg.dataStreams) {
        const dir = join(ds.dir, '_dev', 'test', 'pipeline');
        const inputs = existsSync(dir)
          ? readdirSync(dir).filter((f) => /^test-[^.]*\.json$/.test(f) && !f.endsWith('-expected.json'))
          : [];
        expect(inputs.length).toBeGreaterThan(0);
        const index = `logs-${ds.dataset}-default`;
        const lines = inputs.flatMap((f) =>
          (JSON.parse(readFileSync(join(dir, f), 'utf8')) as { events: unknown[] }).events.flatMap((e) => [
            JSON.stringify({ create: { _index: index } }),
            JSON.stringify(e),
          ]),
        );
        const res = await fetch(`${fake.url}/_bulk`, {
          method: 'POST',
          headers: { 'content-type': 'application/x-ndjson' },
          body: `${lines.join('\n')}\n`,
        });
        const bulk = (await res.json()) as { items: { create: { status: number; error?: unknown } }[] };
        const refused = bulk.items.filter(
          (i) => i.create.status !== 201 && i.create.status !== 409 && i.create.error !== undefined,
        );
        // Documents the pipeline itself fails are the pipeline tests' business; mapping refusals are ours.
        expect(
          refused.filter((i) => JSON.stringify(i.create.error).includes('document_parsing_exception')),
        ).toEqual([]);
        const mapping = generateMappings(ds.fields);
        const mapped = new Map(leaves(mapping.properties));
        const isMapped = (path: string): boolean => {
          if (mapped.has(path)) return true;
          const parts = path.split('.');
          return parts.some((_, i) =>
            ['geo_point', 'flattened'].includes(String(mapped.get(parts.slice(0, i).join('.'))?.['type'])),
          );
        };
        const docs = [...fake.documents(index).values()];
        expect(docs.length).toBeGreaterThan(0);
        const unmapped = new Set(docs.flatMap((d) => documentPaths(d)).filter((p) => !isMapped(p)));
        expect([...unmapped]).toEqual([]);
        for (const doc of docs) expect(validateDocument(ds, doc)).toEqual([]);
      }
    } finally {
      await fake.close();
    }
  });
});
