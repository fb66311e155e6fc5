#!/usr/bin/env node
// `npm run bench:collector`: a backfill of N events (default 1,000,000) from the LastPass simulator
// through the real client and the collector, into the fake Elasticsearch endpoint and into NDJSON. The
// simulator, the fake Elasticsearch and each collector run are separate processes (built dist); each
// collector run is the `lastpass-elastic collect --once` command itself (the CLI's entry, in a fresh
// process). Prints events/s, the collector's peak RSS, API calls, the stand-ins' CPU, and the ratio to a
// floor measured in the same run: JSON.parse of the response bytes + JSON.stringify of the bulk bodies
// for the same events. Runs: `ack` — a fake Elasticsearch in bulkMode 'acknowledge' (no pipeline; the
// SHA-1 of each source line as its id, so repeats still answer 409): the collector itself, what the
// issue's targets are about; `ack-default-pacing` — the same at the default request pacing (the other
// runs set `request_interval: 0s`); `ack-v8-default` — the same under V8's default heap growth; `es` — the fake
// running every package pipeline single-threaded (the collector AND that stand-in); `ndjson` — the
// pipelines run by the local executor in the collector. Printed, never asserted.
// Options: `node scripts/bench-collector.mjs [count] [--only ack|ack-default-pacing|ack-v8-default|es|ndjson]
// [--cpu-prof <dir>] [--node-arg <flag>]` (`--cpu-prof` writes V8 CPU profiles of each collector run and
// of the simulator and acknowledging fake into <dir>; `--node-arg` is passed to the collector runs only).
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const flag = (name) => {
  const i = args.indexOf(name);
  if (i < 0) return undefined;
  const value = args[i + 1];
  args.splice(i, 2);
  return value;
};
const only = flag('--only');
const cpuProfDir = flag('--cpu-prof');
const nodeArg = flag('--node-arg');
const count = Number(args[0] ?? 1_000_000);
const hash = 'bench-provisioning-hash-0f3a';
const dist = (ws) => join(root, `packages/${ws}/dist/index.js`);

/** Runs `code` in a child node process; resolves with the first stdout line parsed as JSON (and the child). */
function child(code, { keepAlive = false, nodeArgs = [] } = {}) {
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, [...nodeArgs, '-e', code], { stdio: ['ignore', 'pipe', 'inherit'] });
    let buf = '';
    proc.stdout.on('data', (chunk) => {
      buf += chunk.toString();
      // the answer is the first line that is a JSON object; other lines (e.g. --trace-gc) go to stderr
      for (let nl = buf.indexOf('\n'); nl >= 0; nl = buf.indexOf('\n')) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        if (!proc.answered && line.startsWith('{')) {
          proc.answered = true;
          resolve({ proc, answer: JSON.parse(line) });
        } else process.stderr.write(`${line}\n`);
      }
    });
    proc.once('exit', (code) => {
      if (!proc.answered) reject(new Error(`child exited ${code} without answering`));
    });
    if (!keepAlive) proc.stdin?.end();
  });
}

const simulatorCode = `
process.on('SIGINT', () => process.exit(0));
const { startSimulator } = require(${JSON.stringify(dist('simulator'))});
startSimulator({ seed: 1, events: ${count}, provisioningHash: ${JSON.stringify(hash)} }).then((s) => {
  console.log(JSON.stringify({ url: s.url, account: s.options.accountNumber, zone: s.options.timeZone, start: s.options.start, events: s.tenant.events.length }));
});`;

// With ackOnly the pipelines are installed (the collector's preflight checks them) but never run: the
// fake's bulkMode 'acknowledge' stores each source line unparsed under its SHA-1 (a repeat still
// answers 409) and answers in Elasticsearch's shape, so the figure is the collector's own.
const elasticsearchCode = (ackOnly) => `
const { startFakeElasticsearch } = require(${JSON.stringify(dist('ingest'))});
const { loadPackage } = require(${JSON.stringify(dist('package-model'))});
const { endpointFromEnv, planAssets, setupElasticsearch } = require(${JSON.stringify(dist('package-tools'))});
process.on('SIGINT', () => process.exit(0));
(async () => {
  const fake = await startFakeElasticsearch({ recordRequests: false, retainSources: false, auth: { apiKey: 'YmVuY2g6a2V5' }${ackOnly ? ", bulkMode: 'acknowledge'" : ''} });
  await setupElasticsearch(endpointFromEnv('Elasticsearch', '--elasticsearch', fake.url, { ELASTICSEARCH_API_KEY: 'YmVuY2g6a2V5' }), planAssets(loadPackage(${JSON.stringify(root)})));
  console.log(JSON.stringify({ url: fake.url }));
})();`;

/**
 * One collector run: the command users run, `lastpass-elastic collect --once --streams event_report`,
 * through the CLI's own entry (`main`, as bin/lastpass-elastic.js calls it) in a fresh process, so the
 * modules it loads, its heap and its RSS are the command's. Counts come from its final summary line.
 */
function collectorCode(env, since) {
  return `
const { main } = require(${JSON.stringify(dist('cli'))});
const { PassThrough } = require('node:stream');
(async () => {
  const out = [];
  const stdout = new PassThrough();
  stdout.on('data', (c) => out.push(c.toString()));
  const peak = { heapUsed: 0, external: 0, arrayBuffers: 0 };
  const sample = setInterval(() => {
    const m = process.memoryUsage();
    for (const k of Object.keys(peak)) peak[k] = Math.max(peak[k], m[k]);
  }, 50);
  const started = process.hrtime.bigint();
  const exitCode = await main(['collect', '--once', '--streams', 'event_report', '--since', new Date(${since}).toISOString()], {
    stdout, stderr: process.stderr, stdin: new PassThrough(), env: ${JSON.stringify(env)}, cwd: process.cwd(),
  });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  clearInterval(sample);
  const line = out.join('').split('\\n').find((l) => l.startsWith('stream=event_report')) ?? '';
  const counts = Object.fromEntries([...line.matchAll(/(\\w+)=(\\d+)/g)].map((m) => [m[1], Number(m[2])]));
  console.log(JSON.stringify({ exitCode, seconds, counts, maxRssKb: process.resourceUsage().maxRSS, peak, line }));
  // exit through the event loop so that --cpu-prof can write its profile
  process.exitCode = 0;
  setImmediate(() => process.exit(0));
})();`;
}

/** The floor: parse the response bytes and serialize the bulk bodies of the same events, in this process. */
async function floor(url, account) {
  const body = JSON.stringify({
    cid: account,
    provhash: hash,
    apiuser: 'bench',
    cmd: 'reporting',
    data: { from: '2000-01-01 00:00:00', to: '2100-01-01 00:00:00' },
  });
  const text = await (
    await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body })
  ).text();
  const perPage = Object.keys(JSON.parse(text).data ?? {}).length || 1;
  const pages = Math.ceil(count / perPage);
  const started = process.hrtime.bigint();
  for (let p = 0; p < pages; p++) {
    const events = Object.values(JSON.parse(text).data);
    const lines = [];
    for (const e of events) {
      lines.push('{"create":{"_index":"logs-lastpass_enterprise.event_report-default"}}');
      lines.push(
        JSON.stringify({
          message: JSON.stringify(e),
          data_stream: { type: 'logs', dataset: 'lastpass_enterprise.event_report', namespace: 'default' },
          _conf: { account_number: account, time_zone: 'America/New_York' },
          tags: ['forwarded'],
          lastpass_enterprise: { event_report: { occurrence: 0 } },
        }),
      );
    }
    lines.join('\n');
  }
  return Number(process.hrtime.bigint() - started) / 1e9;
}

function cpuSeconds(proc) {
  const stat = readFileSync(`/proc/${proc.pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}
const tmp = mkdtempSync(join(tmpdir(), 'lpe-bench-'));
const children = [];
try {
  process.stdout.write(
    `bench:collector: ${count.toLocaleString('en-US')} events, simulator and fake Elasticsearch in separate processes\n`,
  );
  const sim = await child(simulatorCode, {
    nodeArgs:
      cpuProfDir === undefined
        ? []
        : ['--cpu-prof', '--cpu-prof-dir', cpuProfDir, '--cpu-prof-name', 'simulator.cpuprofile'],
  });
  children.push(sim.proc);
  const es = await child(elasticsearchCode(false));
  children.push(es.proc);
  const esAck = await child(elasticsearchCode(true), {
    nodeArgs:
      cpuProfDir === undefined
        ? []
        : [
            '--cpu-prof',
            '--cpu-prof-dir',
            cpuProfDir,
            '--cpu-prof-name',
            'fake-elasticsearch-ack.cpuprofile',
          ],
  });
  children.push(esAck.proc);
  const floorSeconds = await floor(sim.answer.url, sim.answer.account);
  const hashFile = join(tmp, 'hash');
  writeFileSync(hashFile, hash);
  writeFileSync(join(tmp, 'config.yml'), 'request_interval: 0s\nlog_level: warn\n');
  // the collector's default pacing (request_interval 1s, backfill_request_interval 100ms): issue #15 §12
  writeFileSync(join(tmp, 'config-default-pacing.yml'), 'log_level: warn\n');
  const since = new Date(sim.answer.start).getTime() - 60_000;
  const base = {
    LASTPASS_URL: sim.answer.url,
    LASTPASS_ACCOUNT_NUMBER: sim.answer.account,
    LASTPASS_PROVISIONING_HASH_FILE: hashFile,
    LASTPASS_TIME_ZONE: sim.answer.zone,
    LASTPASS_ELASTIC_CONFIG: join(tmp, 'config.yml'),
    LASTPASS_ELASTIC_PACKAGE_DIR: root,
  };
  const runs = [
    [
      'ack',
      'elasticsearch, fake acknowledging without pipelines (the collector itself)',
      {
        ...base,
        ELASTICSEARCH_URL: esAck.answer.url,
        ELASTICSEARCH_API_KEY: 'YmVuY2g6a2V5',
        LASTPASS_ELASTIC_STATE_DIR: join(tmp, 'state-ack'),
      },
    ],
    [
      'ack-default-pacing',
      'the same at the default request pacing (request_interval 1s, 100 ms while answers carry records)',
      {
        ...base,
        LASTPASS_ELASTIC_CONFIG: join(tmp, 'config-default-pacing.yml'),
        ELASTICSEARCH_URL: esAck.answer.url,
        ELASTICSEARCH_API_KEY: 'YmVuY2g6a2V5',
        ELASTICSEARCH_NAMESPACE: 'pacing',
        LASTPASS_ELASTIC_STATE_DIR: join(tmp, 'state-ack-pacing'),
      },
    ],
    [
      'ack-v8-default',
      "the same with V8's default heap growth (the collect command otherwise asks for --heap-growing-percent=150)",
      {
        ...base,
        ELASTICSEARCH_URL: esAck.answer.url,
        ELASTICSEARCH_API_KEY: 'YmVuY2g6a2V5',
        // its own data stream: the acknowledging fake already holds the ack run's documents
        ELASTICSEARCH_NAMESPACE: 'v8default',
        LASTPASS_ELASTIC_STATE_DIR: join(tmp, 'state-ack-default'),
      },
      ['--heap-growing-percent=0'],
    ],
    [
      'es',
      'elasticsearch, fake running the package pipelines single-threaded (collector + stand-in)',
      {
        ...base,
        ELASTICSEARCH_URL: es.answer.url,
        ELASTICSEARCH_API_KEY: 'YmVuY2g6a2V5',
        LASTPASS_ELASTIC_STATE_DIR: join(tmp, 'state-es'),
      },
    ],
    [
      'ndjson',
      'ndjson (pipelines run by the local executor in the collector process)',
      {
        ...base,
        LASTPASS_ELASTIC_OUTPUT: 'ndjson',
        LASTPASS_ELASTIC_OUTPUT_DIR: join(tmp, 'out'),
        LASTPASS_ELASTIC_STATE_DIR: join(tmp, 'state-nd'),
      },
    ],
  ];
  process.stdout.write(
    `floor (JSON.parse responses + JSON.stringify bulk bodies): ${floorSeconds.toFixed(2)} s = ${Math.round(count / floorSeconds).toLocaleString('en-US')} events/s\n`,
  );
  const mb = (bytes) => Math.round(bytes / 1024 / 1024);
  for (const [key, label, env, extraArgs = []] of runs) {
    if (only !== undefined && only !== key) continue;
    const nodeArgs = [
      ...extraArgs,
      ...(cpuProfDir === undefined
        ? []
        : ['--cpu-prof', '--cpu-prof-dir', cpuProfDir, '--cpu-prof-name', `collector-${key}.cpuprofile`]),
      ...(nodeArg === undefined ? [] : [nodeArg]),
    ];
    const cpuBefore = children.map(cpuSeconds);
    const run = await child(collectorCode(env, since), { nodeArgs });
    await new Promise((resolve) => run.proc.once('exit', resolve));
    const cpuAfter = children.map(cpuSeconds);
    process.stdout.write(
      `  stand-in CPU: simulator ${(cpuAfter[0] - cpuBefore[0]).toFixed(1)} s, es ${(cpuAfter[1] - cpuBefore[1]).toFixed(1)} s, es-ack ${(cpuAfter[2] - cpuBefore[2]).toFixed(1)} s\n`,
    );
    const r = run.answer;
    const eps = Math.round((r.counts?.indexed ?? 0) / r.seconds);
    process.stdout.write(
      `${label}:\n  exit=${r.exitCode} indexed=${r.counts?.indexed} in ${r.seconds.toFixed(1)} s = ${eps.toLocaleString('en-US')} events/s; ` +
        `collector peak RSS ${mb(r.maxRssKb * 1024)} MB (heap ${mb(r.peak.heapUsed)} MB, external ${mb(r.peak.external)} MB); api_calls=${r.counts?.api_calls}; ratio to floor ${(r.seconds / floorSeconds).toFixed(1)}x\n  ${r.line}\n`,
    );
  }
} finally {
  // SIGINT lets a profiled stand-in write its --cpu-prof file on the way out
  for (const c of children) c.kill(cpuProfDir === undefined ? 'SIGTERM' : 'SIGINT');
  rmSync(tmp, { recursive: true, force: true });
}
