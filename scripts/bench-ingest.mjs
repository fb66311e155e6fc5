#!/usr/bin/env node
// `npm run bench:ingest`: documents per second of the event_report ingest pipeline on the local executor
// (built dist, one core). Raw documents are generated from the pipeline-test inputs with varied time, user
// and address. Printed, never asserted.
import { createRequire } from 'node:module';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const { createExecutor, loadPackagePipelines } = require(join(root, 'packages/ingest/dist/index.js'));
const { fleetPipelineName, loadPackage } = require(join(root, 'packages/package-model/dist/index.js'));

const count = Number(process.argv[2] ?? 50000);
const pkg = loadPackage(root);
const ds = pkg.dataStreams.find((d) => d.name === 'event_report');
if (ds === undefined) {
  process.stdout.write('bench:ingest: no event_report data stream\n');
  process.exit(0);
}
const caseDir = join(ds.dir, '_dev', 'test', 'pipeline');
const templates = readdirSync(caseDir)
  .filter((f) => /^test-.*\.json$/.test(f) && !f.includes('-expected'))
  .flatMap((f) => JSON.parse(readFileSync(join(caseDir, f), 'utf8')).events)
  .filter((e) => typeof e.message === 'string' && e.message.startsWith('{'));
if (templates.length === 0) {
  process.stdout.write('bench:ingest: no event_report pipeline-test inputs to vary\n');
  process.exit(0);
}

function pad(n) {
  return String(n).padStart(2, '0');
}
const docs = [];
for (let i = 0; i < count; i += 1) {
  const t = templates[i % templates.length];
  const record = JSON.parse(t.message);
  const s = i % 86400;
  record.Time = `2024-06-${pad(1 + (i % 28))} ${pad(Math.floor(s / 3600))}:${pad(Math.floor(s / 60) % 60)}:${pad(s % 60)}`;
  record.Username = `user${i % 500}@example.com`;
  record.IP_Address = `198.51.100.${i % 250}`;
  docs.push({ ...t, message: JSON.stringify(record) });
}

const executor = createExecutor({ pipelines: loadPackagePipelines(pkg) });
const pipeline = fleetPipelineName(pkg, ds);
const index = `logs-${ds.dataset}-default`;
const run = (n) => {
  let errors = 0;
  for (let i = 0; i < n; i += 1) {
    const r = executor.process(pipeline, { _index: index, _source: docs[i] });
    if (r.kind !== 'indexed' || r._source.error !== undefined) errors += 1;
  }
  return errors;
};
run(Math.min(2000, count)); // warm-up
const started = process.hrtime.bigint();
const cpuStarted = process.cpuUsage();
const errors = run(count);
const seconds = Number(process.hrtime.bigint() - started) / 1e9;
const cpu = process.cpuUsage(cpuStarted);
const cpuSeconds = (cpu.user + cpu.system) / 1e6;
process.stdout.write(
  `bench:ingest: ${count} event_report documents in ${seconds.toFixed(2)} s wall = ${Math.round(count / seconds)} docs/s; ` +
    `${cpuSeconds.toFixed(2)} s CPU = ${Math.round(count / cpuSeconds)} docs per CPU-second ` +
    `(one thread, pipeline ${pipeline}, ${errors} with errors)\n`,
);
