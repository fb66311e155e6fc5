/**
 * A seeded simulator tenant collected into NDJSON + state by the real collector (as `demo` does), twice:
 * a first snapshot, then the virtual clock moves `laterDays` on and every stream is collected again. The
 * simulator's tenant is the ground truth the report's counts are checked against.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { resolveConfig, runCollect, systemClock } from '@lastpass-elastic/collector';
import { startSimulator, type RunningSimulator } from '@lastpass-elastic/simulator';

export const DAY = 86_400_000;

export interface CollectedTenant {
  sim: RunningSimulator;
  dir: string;
  stateDir: string;
  /** Virtual clock at the first and the second collection (epoch ms). */
  firstAt: number;
  secondAt: number;
}

async function collectOnce(sim: RunningSimulator, dir: string, stateDir: string): Promise<void> {
  const o = sim.options;
  const config = resolveConfig(
    { outputDir: dir, stateDir, output: 'ndjson' },
    {
      LASTPASS_URL: sim.url,
      LASTPASS_ACCOUNT_NUMBER: o.accountNumber,
      LASTPASS_PROVISIONING_HASH: o.provisioningHash,
      LASTPASS_TIME_ZONE: o.timeZone,
    },
    dir,
  );
  const virtual = {
    now: () => sim.clock.now().getTime(),
    sleep: (ms: number) => {
      sim.clock.advance(ms);
      return Promise.resolve();
    },
  };
  const { exitCode } = await runCollect({
    config,
    env: {},
    stdout: new PassThrough(),
    stderr: new PassThrough(),
    interactive: false,
    once: true,
    strict: true,
    since: o.start.getTime() - 60_000,
    signal: new AbortController().signal,
    clock: virtual,
    client: { clock: { now: virtual.now, sleep: systemClock.sleep.bind(systemClock) }, minIntervalMs: 0 },
  });
  if (exitCode !== 0) throw new Error(`collect exited ${exitCode}`);
}

/** Fixed history span (not the simulator's default clock): the ground truth does not move with it. */
export async function collectTenant(
  options: { events?: number; laterDays?: number; seed?: number } = {},
): Promise<CollectedTenant> {
  const sim = await startSimulator({
    seed: options.seed ?? 7,
    events: options.events ?? 4_000,
    users: 40,
    sharedFolders: 14,
    invited: 3,
    start: '2024-02-19T00:00:00Z',
    end: '2024-11-15T00:00:00Z',
  });
  const dir = mkdtempSync(join(tmpdir(), 'lpe-report-'));
  const stateDir = join(dir, 'state');
  const firstAt = sim.clock.now().getTime();
  await collectOnce(sim, dir, stateDir);
  sim.clock.advance((options.laterDays ?? 20) * DAY);
  const secondAt = sim.clock.now().getTime();
  await collectOnce(sim, dir, stateDir);
  return { sim, dir, stateDir, firstAt, secondAt };
}

export const defaultParameters = {
  inactive_days: 90,
  weak_password_below: 50,
  invitation_days: 14,
  folder_admins_above: 2,
  company_domains: null,
  from: null,
  to: null,
  days: 30,
  accounts: null,
};
