import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import {
  fleetPipelineName,
  readStructured,
  validateDocument,
  type DataStreamModel,
  type PackageModel,
} from '@lastpass-elastic/package-model';
import { z } from 'zod';
import { createExecutor, type Executor } from './executor';
import { loadPackagePipelines, applyFleetFinalPipeline } from './package-pipelines';
import { isMap, type JsonMap } from './values';

/**
 * elastic-package's pipeline tests, run on the local executor:
 * `data_stream/<ds>/_dev/test/pipeline/test-*.{json,log}` with optional `<case>-config.yml`, compared
 * with `<case>-expected.json` as elastic-package compares (values by value, key order ignored, array
 * order significant, `dynamic_fields` by regex, any `error.message` fails, fields validated).
 */
export interface PipelineTestCaseResult {
  readonly dataStream: string;
  readonly file: string;
  readonly passed: boolean;
  readonly failures: readonly string[];
  /** True when `--update` rewrote the expected file. */
  readonly updated: boolean;
}

export interface PipelineTestReport {
  readonly cases: readonly PipelineTestCaseResult[];
  readonly passed: number;
  readonly failed: number;
  /** Files written by `update` (expected files and sample_event.json). */
  readonly written: readonly string[];
}

export interface PipelineTestOptions {
  readonly update: boolean;
  readonly dataStreams?: readonly string[];
  /** Clock for `_ingest.timestamp` and the sample event's `event.ingested`; default {@link PIPELINE_TEST_CLOCK}. */
  readonly now?: () => Date;
}

/**
 * The fixed instant pipeline tests run at (`_ingest.timestamp`, and `event.ingested` in the regenerated
 * `sample_event.json`), so that `--update` is reproducible: running it twice changes nothing, and the
 * generated docs (which embed the sample events) stay current. It is the day after the sample events'
 * `@timestamp`s, an obviously made-up ingest time. (elastic-package's pipeline tests do not run Fleet's final
 * pipeline, so expected files hold no `event.ingested`; a `_ingest.timestamp` copy would be a dynamic field there.)
 */
export const PIPELINE_TEST_CLOCK = '2024-03-02T00:00:00.000Z';

const configSchema = z
  .object({
    fields: z.record(z.string(), z.unknown()).optional(),
    dynamic_fields: z.record(z.string(), z.string()).optional(),
    numeric_keyword_fields: z.array(z.string()).optional(),
    string_number_fields: z.array(z.string()).optional(),
    multiline: z.object({ first_line_pattern: z.string() }).loose().optional(),
    skip: z.object({ reason: z.string(), link: z.string().optional() }).optional(),
  })
  .loose();
export type PipelineTestConfig = z.infer<typeof configSchema>;

const eventsSchema = z.object({ events: z.array(z.record(z.string(), z.unknown())) }).loose();
const expectedSchema = z.object({ expected: z.array(z.unknown()) }).loose();

/** Deep equality as elastic-package compares JSON: numbers by value, key order ignored. */
export function semanticEqual(a: unknown, b: unknown): boolean {
  if (typeof a === 'number' && typeof b === 'number') return a === b;
  if (a === null || b === null || typeof a !== 'object' || typeof b !== 'object') return a === b;
  if (Array.isArray(a) || Array.isArray(b)) {
    return (
      Array.isArray(a) &&
      Array.isArray(b) &&
      a.length === b.length &&
      a.every((x, i) => semanticEqual(x, b[i]))
    );
  }
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  return (
    ka.length === kb.length &&
    ka.every((k) => Object.hasOwn(b, k) && semanticEqual((a as JsonMap)[k], (b as JsonMap)[k]))
  );
}

/** Differences as `path: expected X, got Y` lines (first few). */
export function describeDifferences(
  expected: unknown,
  actual: unknown,
  path = '',
  out: string[] = [],
): string[] {
  if (out.length >= 10 || semanticEqual(expected, actual)) return out;
  if (isMap(expected) && isMap(actual)) {
    for (const k of new Set([...Object.keys(expected), ...Object.keys(actual)])) {
      describeDifferences(expected[k], actual[k], path === '' ? k : `${path}.${k}`, out);
    }
    return out;
  }
  if (Array.isArray(expected) && Array.isArray(actual) && expected.length === actual.length) {
    expected.forEach((e, i) => describeDifferences(e, actual[i], `${path}.${i}`, out));
    return out;
  }
  out.push(
    `${path === '' ? '(document)' : path}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`,
  );
  return out;
}

function getPath(doc: unknown, path: string): unknown {
  let node = doc;
  for (const part of path.split('.')) {
    if (!isMap(node)) return undefined;
    node = Object.hasOwn(node, part) ? node[part] : undefined;
  }
  return node;
}

function deletePath(doc: unknown, path: string): void {
  const parts = path.split('.');
  let node = doc;
  for (const part of parts.slice(0, -1)) {
    if (!isMap(node)) return;
    node = node[part];
  }
  if (isMap(node)) delete node[parts[parts.length - 1] ?? ''];
}

/** JSON with 4-space indent and sorted keys (elastic-package's expected-file format). */
export function stableJson(value: unknown): string {
  const sort = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(sort);
    if (isMap(v)) {
      const out: JsonMap = {};
      for (const k of Object.keys(v).sort()) out[k] = sort(v[k]);
      return out;
    }
    return v;
  };
  return `${JSON.stringify(sort(value), null, 4)}\n`;
}

/** `<case file>-config.yml` (elastic-package names config and expected files after the whole case file). */
function readConfig(dir: string, caseFile: string): PipelineTestConfig {
  for (const ext of ['yml', 'yaml', 'json']) {
    const file = join(dir, `${caseFile}-config.${ext}`);
    if (!existsSync(file)) continue;
    const read = readStructured(file);
    if (!read.ok) throw new Error(`${file}: ${read.problem.message}`);
    return configSchema.parse(read.value ?? {});
  }
  return {};
}

/** Input events of one case file (`.json` events or `.log` lines, with config `fields` merged). */
export function readCaseEvents(file: string, config: PipelineTestConfig): JsonMap[] {
  const text = readFileSync(file, 'utf8');
  let events: JsonMap[];
  if (file.endsWith('.json')) {
    events = eventsSchema.parse(JSON.parse(text)).events;
  } else {
    let lines = text.split(/\r?\n/);
    if (lines[lines.length - 1] === '') lines.pop();
    const first = config.multiline?.first_line_pattern;
    if (first !== undefined) {
      const re = new RegExp(first);
      const merged: string[] = [];
      for (const line of lines) {
        if (re.test(line) || merged.length === 0) merged.push(line);
        else merged[merged.length - 1] = `${merged[merged.length - 1] ?? ''}\n${line}`;
      }
      lines = merged;
    }
    events = lines.map((message) => ({ message }));
  }
  return events.map((e) => ({ ...structuredClone(config.fields ?? {}), ...e }));
}

function caseFiles(ds: DataStreamModel): { dir: string; files: string[] } {
  const dir = join(ds.dir, '_dev', 'test', 'pipeline');
  if (!existsSync(dir)) return { dir, files: [] };
  const files = readdirSync(dir)
    .filter(
      (f) =>
        /^test-.*\.(json|log)$/.test(f) && !f.endsWith('-expected.json') && !/-config\.(json|ya?ml)$/.test(f),
    )
    .sort();
  return { dir, files };
}

/** Runs one data stream's events; returns the `_source` of each (null when dropped or failed). */
export function runCaseEvents(
  executor: Executor,
  pkg: PackageModel,
  ds: DataStreamModel,
  events: readonly JsonMap[],
): { docs: (JsonMap | null)[]; errors: string[] } {
  const pipeline = fleetPipelineName(pkg, ds);
  const errors: string[] = [];
  const docs = events.map((event, i) => {
    const r = executor.process(pipeline, { _index: `${ds.type}-${ds.dataset}-default`, _source: event });
    if (r.kind === 'indexed') return r._source;
    if (r.kind === 'error') errors.push(`event ${i}: pipeline failed: ${r.error.type}: ${r.error.reason}`);
    return null;
  });
  return { docs, errors };
}

export function runPipelineTests(pkg: PackageModel, opts: PipelineTestOptions): PipelineTestReport {
  const now = opts.now ?? (() => new Date(PIPELINE_TEST_CLOCK));
  const executor = createExecutor({ pipelines: loadPackagePipelines(pkg), now });
  const cases: PipelineTestCaseResult[] = [];
  const written: string[] = [];
  const streams = pkg.dataStreams.filter(
    (ds) => opts.dataStreams === undefined || opts.dataStreams.includes(ds.name),
  );
  for (const ds of streams) {
    const { dir, files } = caseFiles(ds);
    for (const file of files) {
      const caseBase = file.replace(/\.(json|log)$/, '');
      const failures: string[] = [];
      let updated = false;
      try {
        const config = readConfig(dir, file);
        if (config.skip !== undefined) {
          cases.push({
            dataStream: ds.name,
            file,
            passed: true,
            failures: [`skipped: ${config.skip.reason}`],
            updated,
          });
          continue;
        }
        const events = readCaseEvents(join(dir, file), config);
        const { docs, errors } = runCaseEvents(executor, pkg, ds, events);
        failures.push(...errors);
        const dynamic = Object.entries(config.dynamic_fields ?? {});
        const lenient = new Set([
          ...(config.numeric_keyword_fields ?? []),
          ...(config.string_number_fields ?? []),
        ]);
        docs.forEach((doc, i) => {
          if (doc === null) return;
          const message = getPath(doc, 'error.message');
          if (message !== undefined)
            failures.push(`event ${i}: unexpected pipeline error: ${JSON.stringify(message)}`);
          for (const p of validateDocument(ds, doc)) {
            // elastic-package: numbers allowed in these keyword fields, numeric strings in these number fields
            if (p.kind === 'type' && lenient.has(p.path)) continue;
            failures.push(`event ${i}: field ${p.path}: ${p.message}`);
          }
          for (const [path, pattern] of dynamic) {
            const v = getPath(doc, path);
            if (v !== undefined && !new RegExp(pattern).test(typeof v === 'string' ? v : JSON.stringify(v))) {
              failures.push(
                `event ${i}: dynamic field ${path} value ${JSON.stringify(v)} does not match /${pattern}/`,
              );
            }
          }
        });
        const expectedFile = join(dir, `${file}-expected.json`);
        if (opts.update) {
          writeFileSync(expectedFile, stableJson({ expected: docs }));
          written.push(expectedFile);
          updated = true;
          if (caseBase === 'test-sample-event' && docs[0] !== null && docs[0] !== undefined) {
            const sample = join(ds.dir, 'sample_event.json');
            writeFileSync(sample, stableJson(applyFleetFinalPipeline(docs[0], { now: now() })));
            written.push(sample);
          }
        } else if (!existsSync(expectedFile)) {
          failures.push(`missing ${basename(expectedFile)} (run with --update to create it)`);
        } else {
          const expected = expectedSchema.parse(JSON.parse(readFileSync(expectedFile, 'utf8'))).expected;
          if (expected.length !== docs.length)
            failures.push(`expected ${expected.length} documents, got ${docs.length}`);
          expected.forEach((want, i) => {
            const got = structuredClone(docs[i] ?? null);
            const exp = structuredClone(want);
            for (const [path] of dynamic) {
              deletePath(got, path);
              deletePath(exp, path);
            }
            for (const d of describeDifferences(exp, got)) failures.push(`event ${i}: ${d}`);
          });
        }
      } catch (e) {
        failures.push(e instanceof Error ? e.message : String(e));
      }
      cases.push({
        dataStream: ds.name,
        file,
        passed: failures.length === 0 || (opts.update && failures.every((f) => f.startsWith('missing'))),
        failures,
        updated,
      });
    }
  }
  const passed = cases.filter((c) => c.passed).length;
  return { cases, passed, failed: cases.length - passed, written };
}

export interface ClusterComparison {
  readonly dataStream: string;
  readonly file: string;
  /** Differences between the cluster's `_simulate` documents (expected) and the local ones. */
  readonly differences: readonly string[];
}

/**
 * Installs the package pipelines into a real cluster (under their Fleet names) and runs every
 * pipeline-test case through its `_simulate`, comparing with the local executor's documents.
 */
export async function compareWithCluster(
  pkg: PackageModel,
  url: string,
  opts: { dataStreams?: readonly string[]; now?: () => Date; headers?: Record<string, string> } = {},
): Promise<ClusterComparison[]> {
  const pipelines = loadPackagePipelines(pkg);
  const executor = createExecutor({ pipelines, ...(opts.now !== undefined ? { now: opts.now } : {}) });
  const call = async (method: string, path: string, body: unknown): Promise<unknown> => {
    const response = await fetch(new URL(path, url), {
      method,
      headers: { 'content-type': 'application/json', ...(opts.headers ?? {}) },
      body: JSON.stringify(body),
    });
    const json: unknown = await response.json();
    if (!response.ok) throw new Error(`${method} ${path}: HTTP ${response.status} ${JSON.stringify(json)}`);
    return json;
  };
  for (const [name, definition] of Object.entries(pipelines))
    await call('PUT', `/_ingest/pipeline/${name}`, definition);
  const out: ClusterComparison[] = [];
  for (const ds of pkg.dataStreams.filter(
    (d) => opts.dataStreams === undefined || opts.dataStreams.includes(d.name),
  )) {
    const { dir, files } = caseFiles(ds);
    for (const file of files) {
      const events = readCaseEvents(join(dir, file), readConfig(dir, file));
      const local = runCaseEvents(executor, pkg, ds, events).docs;
      const answer = await call('POST', `/_ingest/pipeline/${fleetPipelineName(pkg, ds)}/_simulate`, {
        docs: events.map((e) => ({ _index: `${ds.type}-${ds.dataset}-default`, _source: e })),
      });
      const docs = isMap(answer) && Array.isArray(answer['docs']) ? answer['docs'] : [];
      const remote = docs.map((d: unknown) => {
        const doc = isMap(d) ? d['doc'] : undefined;
        return isMap(doc) && isMap(doc['_source']) ? doc['_source'] : null;
      });
      out.push({ dataStream: ds.name, file, differences: describeDifferences(remote, local) });
    }
  }
  return out;
}
