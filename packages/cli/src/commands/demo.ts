import { existsSync, mkdirSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { StreamRunResult } from '@lastpass-elastic/collector';
import { parseFlags, positiveIntFlag, UsageError, type Command } from '../command';
import { abortOnSignals } from './collect';

/** Written into every demo folder: what marks a folder as one the demo may reset. */
export const DEMO_MARKER = '.lastpass-elastic-demo';
const DEFAULT_DIR = 'output/demo';
/** What the demo writes: the marker, the state folder and the NDJSON files (rotations included). */
const DEMO_ENTRY = /^(\.lastpass-elastic-demo|state|lastpass_enterprise\.[a-z_]+-[^/]+\.ndjson(\.\d+)?)$/;

/**
 * Empties the demo folder of what an earlier demo wrote, and nothing else. A folder is the demo's when it holds
 * the marker — or, for the default ./output/demo, when it holds only what a demo writes (folders made before
 * the marker existed). Any other non-empty folder is refused: the demo never deletes what it did not write.
 */
export function resetDemoDir(dir: string, isDefault: boolean): void {
  if (existsSync(dir)) {
    if (!statSync(dir).isDirectory()) throw new UsageError(`--output-dir: ${dir} is a file, not a folder`);
    const entries = readdirSync(dir);
    const ours = entries.includes(DEMO_MARKER) || (isDefault && entries.every((e) => DEMO_ENTRY.test(e)));
    if (entries.length > 0 && !ours)
      throw new UsageError(
        `--output-dir: ${dir} is not empty and is not a demo folder (no ${DEMO_MARKER}); the demo resets its folder, so give a new or empty one`,
      );
    for (const entry of entries.filter((e) => DEMO_ENTRY.test(e)))
      rmSync(join(dir, entry), { recursive: true, force: true });
  }
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    join(dir, DEMO_MARKER),
    'made by `lastpass-elastic demo`, which empties this folder at each run\n',
  );
}

const USAGE = `Usage: lastpass-elastic demo [--events <n>] [--seed <n>] [--output-dir <dir>]

Starts the LastPass API simulator in-process on a virtual clock, backfills every stream over the whole
simulated history into ./output/demo/ (NDJSON and state, reset at each run), then prints a summary.
  --events       simulated events (default 20000)
  --seed         the simulated tenant's seed (default 1)
  --output-dir   another folder (default ./output/demo); it must be new, empty or an earlier demo's
                 (marked by a ${DEMO_MARKER} file): the demo deletes only what it wrote there`;

export const demo: Command = {
  name: 'demo',
  summary: 'run the collector against an in-process simulator into ./output/demo (npm start)',
  usage: USAGE,
  async run(argv, io) {
    const { values } = parseFlags(argv, {
      events: { type: 'string' },
      seed: { type: 'string' },
      'output-dir': { type: 'string' },
    });
    const events = positiveIntFlag('events', values.events) ?? 20_000;
    const seed = positiveIntFlag('seed', values.seed) ?? 1;
    const dir = resolve(io.cwd, values['output-dir'] ?? DEFAULT_DIR);
    resetDemoDir(dir, dir === resolve(io.cwd, DEFAULT_DIR));

    const { resolveConfig, runCollect, systemClock } = await import('@lastpass-elastic/collector');
    const { startSimulator } = await import('@lastpass-elastic/simulator');
    const sim = await startSimulator({ seed, events, selfAudit: true, apiUser: 'lastpass-elastic' });
    const signals = abortOnSignals();
    const started = Date.now();
    try {
      const o = sim.options;
      // The demo prints its own summary; the collector's info lines (progress, stream ends) would only interleave with it.
      const resolved = resolveConfig(
        { outputDir: dir, stateDir: resolve(dir, 'state'), output: 'ndjson' },
        {
          LASTPASS_URL: sim.url,
          LASTPASS_ACCOUNT_NUMBER: o.accountNumber,
          LASTPASS_PROVISIONING_HASH: o.provisioningHash,
          LASTPASS_TIME_ZONE: o.timeZone,
          LASTPASS_API_USER: 'lastpass-elastic',
        },
        io.cwd,
      );
      const config = { ...resolved, logLevel: 'warn' as const };
      const virtual = {
        now: () => sim.clock.now().getTime(),
        sleep: (ms: number) => {
          sim.clock.advance(ms);
          return Promise.resolve();
        },
      };
      io.stdout.write(
        `Simulated LastPass tenant: account ${o.accountNumber}, ${o.timeZone}, ${sim.tenant.events.length} events from ${o.start.toISOString()} to ${o.end.toISOString()}, ${sim.tenant.users.length} users, ${sim.tenant.sharedFolders.length} shared folders\n`,
      );
      const { exitCode, results } = await runCollect({
        config,
        env: io.env,
        stdout: io.stdout,
        stderr: io.stderr,
        interactive: (io.stderr as { isTTY?: boolean }).isTTY === true,
        once: true,
        strict: false,
        since: o.start.getTime() - 60_000,
        signal: signals.signal,
        clock: virtual,
        // The client's timeouts and backoff need real timers; its `now` follows the virtual clock.
        client: { clock: { now: virtual.now, sleep: systemClock.sleep.bind(systemClock) }, minIntervalMs: 0 },
      });
      const settled = virtual.now() - (config.accounts[0]?.eventReport.settleLagMs ?? 0);
      const visible = sim.tenant.events.filter(
        (e) => e.instant <= settled && e.visibleAt <= virtual.now(),
      ).length;
      io.stdout.write(`\n${summaryTable(results, dir, config.namespace)}\n`);
      const er = results.find((r) => r.stream === 'event_report');
      if (er !== undefined)
        io.stdout.write(
          `Ground truth: ${visible} events settled at the virtual now; event_report indexed ${er.counts.indexed} (${er.counts.indexed === visible ? 'exactly once' : 'MISMATCH'})\n`,
        );
      io.stdout.write(`Took ${((Date.now() - started) / 1000).toFixed(1)} s. Output: ${dir}\n`);
      return exitCode;
    } finally {
      signals.dispose();
      await sim.close();
    }
  },
};

function summaryTable(results: readonly StreamRunResult[], dir: string, namespace: string): string {
  const rows = [
    ['stream', 'fetched', 'indexed', 'duplicates', 'failed', 'api calls', 'file'],
    ...results.map((r) => [
      r.stream,
      String(r.counts.fetched),
      String(r.counts.indexed),
      String(r.counts.duplicates),
      String(r.counts.failed),
      String(r.counts.api_calls),
      `${dir}/lastpass_enterprise.${r.stream}-${namespace}.ndjson`,
    ]),
  ];
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((row) => (row[i] ?? '').length))) ?? [];
  return rows
    .map((row) =>
      row
        .map((c, i) => (i === 0 || i === 6 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0)))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}
