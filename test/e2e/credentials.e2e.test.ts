// Refused credentials and hash rotation (issue #15 items 9 and 14), through the CLI and runCollect against the
// simulator: a wrong hash is exit 3 (not 1, which systemd restarts), in --once and in continuous mode; a hash
// regenerated in LastPass and written to the hash file is picked up by the running collector without a restart.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { main, memoryIo } from '@lastpass-elastic/cli';
import { createLogger, resolveConfig, runCollect, type StreamRunResult } from '@lastpass-elastic/collector';
import { startSimulator } from '@lastpass-elastic/simulator';
import { ROOT, tempDir } from './support';

const REAL = 'rotation-test-hash-one-0123456789abcdef';
const NEXT = 'rotation-test-hash-two-fedcba9876543210';

describe('LastPass refuses the credentials', () => {
  it.each([
    ['collect --once', ['--once']],
    ['collect (continuous: stops by itself, no signal)', []],
  ])('%s exits 3 with one line saying what to fix; the hash is never printed', async (_name, flags) => {
    const sim = await startSimulator({ seed: 3, events: 50, provisioningHash: REAL });
    const tmp = tempDir('lpe-cred-');
    try {
      const t = memoryIo({
        cwd: tmp.dir,
        env: {
          LASTPASS_URL: sim.url,
          LASTPASS_ACCOUNT_NUMBER: sim.options.accountNumber,
          LASTPASS_PROVISIONING_HASH: NEXT,
          LASTPASS_ELASTIC_PACKAGE_DIR: ROOT,
        },
      });
      expect(await main(['collect', ...flags, '--streams', 'event_report,user'], t)).toBe(3);
      expect(t.out()).toMatch(/stream=event_report .*outcome=failed error=LASTPASS_AUTH_FAILED/);
      // The first refusal stops the run: the other stream is not tried with credentials known to be wrong.
      expect(t.out()).not.toMatch(/stream=user/);
      expect(t.err()).toMatch(
        /LastPass refused the credentials of every account \(LASTPASS_AUTH_FAILED\): fix the account number or provisioning hash, then start again \(exit 3\)/,
      );
      expect(`${t.out()}${t.err()}`).not.toContain(NEXT);
    } finally {
      tmp.cleanup();
      await sim.close();
    }
  });
});

describe('rotating the provisioning hash', () => {
  it('the running collector re-reads LASTPASS_PROVISIONING_HASH_FILE when LastPass refuses the old hash', async () => {
    const sim = await startSimulator({ seed: 4, events: 200, provisioningHash: REAL });
    const tmp = tempDir('lpe-rotate-');
    try {
      const hashFile = join(tmp.dir, 'hash');
      writeFileSync(hashFile, `${REAL}\n`);
      const config = resolveConfig(
        { output: 'ndjson', outputDir: 'out', stateDir: 'state', streams: 'event_report' },
        {
          LASTPASS_URL: sim.url,
          LASTPASS_ACCOUNT_NUMBER: sim.options.accountNumber,
          LASTPASS_PROVISIONING_HASH_FILE: 'hash',
          LASTPASS_TIME_ZONE: sim.options.timeZone,
        },
        tmp.dir,
      );
      expect(config.accounts[0]?.provisioningHashFile).toBe(hashFile);
      const controller = new AbortController();
      let sleeps = 0;
      const clock = {
        now: () => sim.clock.now().getTime(),
        sleep: (ms: number) => {
          sleeps += 1;
          if (sleeps === 1) {
            // Between two polls an admin regenerates the hash in LastPass and writes the new one to the file.
            (sim.options as { provisioningHash: string }).provisioningHash = NEXT;
            writeFileSync(hashFile, `${NEXT}\n`);
          } else controller.abort();
          sim.clock.advance(ms);
          return Promise.resolve();
        },
      };
      let logged = '';
      const results: StreamRunResult[] = [];
      const { exitCode } = await runCollect({
        config,
        env: {},
        stdout: { write: () => true } as unknown as NodeJS.WritableStream,
        stderr: { write: () => true } as unknown as NodeJS.WritableStream,
        interactive: false,
        once: false,
        strict: false,
        since: sim.options.start.getTime(),
        signal: controller.signal,
        clock,
        client: { clock: { now: clock.now, sleep: () => Promise.resolve() }, minIntervalMs: 0, timeoutMs: 0 },
        packageRoot: ROOT,
        logger: createLogger({
          level: 'warn',
          destination: {
            write: (line: string) => {
              logged += line;
              return true;
            },
          } as unknown as NodeJS.WritableStream,
        }),
      }).then((r) => {
        results.push(...r.results);
        return r;
      });
      expect(results.map((r) => r.error?.message ?? '')).toEqual(['', '']);
      expect(exitCode).toBe(0);
      expect(results.map((r) => [r.stream, r.outcome])).toEqual([
        ['event_report', 'ok'],
        ['event_report', 'ok'],
      ]);
      expect(logged).toMatch(/LASTPASS_HASH_RELOADED/);
      expect(logged).not.toContain(REAL);
      expect(logged).not.toContain(NEXT);
    } finally {
      tmp.cleanup();
      await sim.close();
    }
  });
});
