import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, statSync, watch, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { startSimulator, type RunningSimulator } from '@lastpass-elastic/simulator';
import { filesContaining, HASH, ROOT, tempDir } from './support';

const CLI = join(ROOT, 'packages/cli/dist/main.js');
const START = new Date('2024-10-20T00:00:00Z');
const END = new Date('2024-11-10T00:00:00Z');
const EVENTS = 20_000;

/** Seeded kill points: fractions of the expected output at which the collector is SIGKILLed. */
function killPoints(seed: number, n: number): number[] {
  let a = seed;
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    a = (a * 1_103_515_245 + 12_345) % 2 ** 31;
    out.push(0.1 + (0.8 * a) / 2 ** 31);
  }
  return out;
}

function runCollector(env: NodeJS.ProcessEnv, stderr: string[]): ChildProcess {
  const child = spawn(
    process.execPath,
    [CLI, 'collect', '--once', '--streams', 'event_report', '--since', '2024-10-19T00:00:00Z'],
    {
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  child.stderr?.on('data', (chunk: Buffer) => stderr.push(chunk.toString('utf8')));
  child.stdout?.on('data', (chunk: Buffer) => stderr.push(chunk.toString('utf8')));
  return child;
}

function exited(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) =>
    child.once('exit', (code) => {
      resolve(code);
    }),
  );
}

/**
 * Waits until the output passes `bytes`, then SIGKILLs the child (false when it ended before). The file is
 * looked at when its folder changes (fs.watch), not in a loop: a busy loop here took one of CI's two
 * cores from the collector it watches.
 */
async function killWhenOutputPasses(child: ChildProcess, file: string, bytes: number): Promise<boolean> {
  const done = exited(child);
  mkdirSync(dirname(file), { recursive: true });
  const reached = (): boolean => existsSync(file) && statSync(file).size >= bytes;
  const passed = await new Promise<boolean>((resolve) => {
    let settled = false;
    const settle = (value: boolean): void => {
      if (settled) return;
      settled = true;
      watcher.close();
      resolve(value);
    };
    const watcher = watch(dirname(file), () => {
      if (reached()) settle(true);
    });
    void done.then(() => {
      settle(false);
    });
    if (reached()) settle(true);
  });
  if (!passed) return false;
  child.kill('SIGKILL');
  await done;
  return true;
}

const maybe = existsSync(CLI) ? describe : describe.skip;
if (!existsSync(CLI))
  process.stdout.write(`collector kill test skipped: ${CLI} is not built (npx tsc -b tsconfig.build.json)\n`);

maybe('process kill (SIGKILL at seeded points, then restart): still exactly once', () => {
  let sim: RunningSimulator;
  beforeAll(async () => {
    sim = await startSimulator({
      start: START,
      end: END,
      seed: 3,
      events: EVENTS,
      pageSize: 2000,
      provisioningHash: HASH,
    });
  });
  afterAll(async () => {
    await sim.close();
  });

  it('kills three times mid-backfill, restarts, and every event is in the NDJSON exactly once; the hash is nowhere', async () => {
    const tmp = tempDir('lpe-kill-');
    try {
      const hashFile = join(tmp.dir, 'hash');
      writeFileSync(hashFile, `${HASH}\n`);
      const config = join(tmp.dir, 'config.yml');
      writeFileSync(config, 'request_interval: 0s\nevent_report:\n  page_limit: 2000\n');
      const out = join(tmp.dir, 'out');
      const env: NodeJS.ProcessEnv = {
        PATH: process.env.PATH,
        LASTPASS_URL: sim.url,
        LASTPASS_ACCOUNT_NUMBER: sim.options.accountNumber,
        LASTPASS_PROVISIONING_HASH_FILE: hashFile,
        LASTPASS_TIME_ZONE: sim.options.timeZone,
        LASTPASS_ELASTIC_CONFIG: config,
        LASTPASS_ELASTIC_OUTPUT_DIR: out,
        LASTPASS_ELASTIC_STATE_DIR: join(tmp.dir, 'state'),
      };
      const file = join(out, 'lastpass_enterprise.event_report-default.ndjson');
      const logs: string[] = [];
      const expectedBytes = EVENTS * 900; // roughly; only used to place the kill points
      let kills = 0;
      for (const fraction of killPoints(42, 3)) {
        const child = runCollector(env, logs);
        if (
          await killWhenOutputPasses(
            child,
            file,
            Math.max(statSync(file, { throwIfNoEntry: false })?.size ?? 0, 0) +
              fraction * expectedBytes * 0.3,
          )
        )
          kills++;
      }
      expect(kills).toBeGreaterThan(0);
      const final = runCollector(env, logs);
      expect(await exited(final)).toBe(0);
      const lines = readFileSync(file, 'utf8')
        .split('\n')
        .filter((l) => l !== '');
      const ids = lines.map((l) => (JSON.parse(l) as { event: { id: string } }).event.id);
      const truth = sim.tenant.events.filter((e) => e.instant <= Date.now()).length;
      expect(new Set(ids).size).toBe(ids.length);
      expect(ids.length).toBe(truth);
      expect(logs.join('')).toMatch(
        /stream=event_report fetched=\d+ indexed=\d+ duplicates=\d+ failed=0 api_calls=\d+/,
      );
      expect(logs.join('')).not.toContain(HASH);
      expect(filesContaining(tmp.dir, HASH)).toEqual([hashFile]);
    } finally {
      tmp.cleanup();
    }
  }, 60_000);
});
