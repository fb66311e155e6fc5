#!/usr/bin/env node
// `npm run bench:cel`: the event_report program on Elastic's real CEL engine (mito: MITO_BIN, else
// ../shared/mito/mito), run interval after interval by the Agent-like driver (packages/cel-harness
// AgentInput) against the simulator, in the scenarios of issue #12: 30,000 events, LastPass's page of
// 10,000 (BENCH_CEL_EVENTS, BENCH_CEL_PAGE change them), `next` as documented and as "last returned record", and transient faults (10% 429, 5% 503)
// without and with the Agent's retries. Prints figures; asserts nothing. Needs `npm run build:ts`.
import { join } from 'node:path';
import { AgentInput, loadStream, locateMito } from '../packages/cel-harness/dist/index.js';
import { startSimulator } from '../packages/simulator/dist/index.js';

const ROOT = join(import.meta.dirname, '..');
const mito = locateMito(ROOT);
if (mito === undefined) {
  process.stdout.write('bench:cel skipped: no mito binary (set MITO_BIN or provide ../shared/mito/mito)\n');
  process.exit(0);
}
const events = Number(process.env.BENCH_CEL_EVENTS ?? 30_000);
const pageSize = Number(process.env.BENCH_CEL_PAGE ?? 10_000);
const FAULTS = [
  { kind: 'rate-limit', command: 'reporting', every: 10, count: 1 },
  { kind: 'server-error', command: 'reporting', after: 5, every: 20, count: 1, status: 503 },
];
const scenarios = [
  { name: 'next = next older record', sim: {} },
  { name: 'next = last returned record', sim: { nextMode: 'repeat-last' } },
  {
    name: '10% 429 + 5% 503, no HTTP retry',
    sim: { faults: FAULTS },
    retry: { maxAttempts: 1, waitMinMs: 2000, waitMaxMs: 60_000 },
  },
  { name: '10% 429 + 5% 503, template retries', sim: { faults: FAULTS } },
];

const key = (r) =>
  JSON.stringify(
    Object.keys(r)
      .sort()
      .map((k) => [k, r[k]]),
  );
process.stdout.write(`event_report on mito (${mito.source}), ${events} events, page ${pageSize}\n`);
process.stdout.write(
  'scenario | intervals | evaluations | requests (retries) | published | missing | extra pairs | re-read | error events | wall s | driver cpu s (mito runs in child processes)\n',
);
for (const s of scenarios) {
  const sim = await startSimulator({ seed: 12, events, pageSize, end: '2024-11-15T00:00:00Z', ...s.sim });
  const start = sim.tenant.events[0]?.instant ?? Date.parse('2024-02-18T00:00:00Z');
  const hours = Math.ceil((Date.now() - start) / 3_600_000) + 1;
  const stream = loadStream(ROOT, 'event_report', {
    url: sim.url,
    account_number: sim.options.accountNumber,
    provisioning_hash: 'simulator-provisioning-hash-0000',
    initial_interval: `${hours}h`,
  });
  const input = new AgentInput({
    config: stream.config,
    engine: 'mito',
    mitoBin: mito.path,
    ...(s.retry ? { retry: s.retry } : {}),
  });
  const t0 = Date.now();
  const c0 = process.cpuUsage();
  const run = await input.runIntervals(
    500,
    (r) => r.events.length === 0 && r.errors.length === 0 && !r.wantMore,
  );
  const cpu = process.cpuUsage(c0);
  const seen = new Map();
  const truth = new Set();
  for (const e of sim.tenant.events) {
    const k = key(e.record);
    const n = seen.get(k) ?? 0;
    seen.set(k, n + 1);
    truth.add(`${k}#${n}`);
  }
  const got = new Set(
    run.events.map((e) => `${key(JSON.parse(e.message))}#${e.lastpass_enterprise.event_report.occurrence}`),
  );
  const missing = [...truth].filter((p) => !got.has(p)).length;
  const extra = [...got].filter((p) => !truth.has(p)).length;
  process.stdout.write(
    `${s.name} | ${run.runs} | ${run.executions} | ${input.http.requests} (${input.http.retries}) | ${run.events.length} | ${missing} | ${extra} | ${(run.events.length / truth.size).toFixed(3)}x | ${run.errors.length} | ${((Date.now() - t0) / 1000).toFixed(1)} | ${((cpu.user + cpu.system) / 1e6).toFixed(1)}\n`,
  );
  await input.close();
  await sim.close();
}
