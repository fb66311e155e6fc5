/**
 * Two real `lastpass-elastic collect` processes on one state directory (issue #15 §5): the second is
 * refused with one line and exit code 75 while the first runs; the lock goes when the first ends; a
 * lock left by a SIGKILLed collector is recognised as stale and replaced.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { ROOT, tempDir } from './support';

const CLI = join(ROOT, 'packages/cli/dist/main.js');
const EMPTY_PAGE = '{"status":"OK","next":null,"data":[]}';

/** A LastPass stand-in that holds each request until `release()` while `holding`, else answers at once. */
async function holdingLastPass() {
  const held: ServerResponse[] = [];
  const waiters: (() => void)[] = [];
  let holding = true;
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      if (!holding) {
        res.end(EMPTY_PAGE);
        return;
      }
      held.push(res);
      for (const w of waiters.splice(0)) w();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/enterpriseapi.php`,
    /** Resolves once a request is held (its collector then holds the lock: it is taken before any call). */
    requestHeld: () =>
      new Promise<void>((resolve) => {
        if (held.length > 0) resolve();
        else waiters.push(resolve);
      }),
    release(hold: boolean) {
      holding = hold;
      for (const res of held.splice(0)) res.end(EMPTY_PAGE);
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => {
          resolve();
        });
      }),
  };
}

function collect(env: NodeJS.ProcessEnv): {
  child: ChildProcess;
  output: () => string;
  exit: Promise<number | null>;
} {
  const child = spawn(process.execPath, [CLI, 'collect', '--once', '--streams', 'event_report'], {
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const chunks: string[] = [];
  child.stdout?.on('data', (c: Buffer) => chunks.push(c.toString()));
  child.stderr?.on('data', (c: Buffer) => chunks.push(c.toString()));
  const exit = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => {
      resolve(code);
    }),
  );
  return { child, output: () => chunks.join(''), exit };
}

const maybe = existsSync(CLI) ? describe : describe.skip;
if (!existsSync(CLI))
  process.stdout.write(`collector lock test skipped: ${CLI} is not built (npx tsc -b tsconfig.build.json)\n`);

maybe('one collector per state directory (two real processes)', () => {
  it('the second is refused (exit 75, one line naming the holder); after the first ends, or is killed, the next one runs', async () => {
    const fake = await holdingLastPass();
    const tmp = tempDir('lpe-lock-e2e-');
    try {
      const state = join(tmp.dir, 'state');
      const env: NodeJS.ProcessEnv = {
        PATH: process.env.PATH,
        LASTPASS_URL: fake.url,
        LASTPASS_ACCOUNT_NUMBER: '8771312',
        LASTPASS_PROVISIONING_HASH: 'lock-test-hash-3c9f1a',
        LASTPASS_ELASTIC_OUTPUT_DIR: join(tmp.dir, 'out'),
        LASTPASS_ELASTIC_STATE_DIR: state,
      };
      const lockFile = join(state, 'lastpass-elastic.lock');

      const first = collect(env);
      await fake.requestHeld();
      expect(JSON.parse(readFileSync(lockFile, 'utf8'))).toMatchObject({ pid: first.child.pid });

      const second = collect(env);
      expect(await second.exit).toBe(75);
      const refused = second.output().trim().split('\n');
      expect(refused).toHaveLength(1);
      expect(refused[0]).toContain(
        `lastpass-elastic collect: another collector is using the state directory ${state} (pid ${first.child.pid} on host`,
      );
      expect(refused[0]).toContain(`if that collector is gone, delete ${lockFile}`);

      fake.release(true);
      expect(await first.exit).toBe(0);
      expect(first.output()).toContain('stream=event_report');
      expect(existsSync(lockFile)).toBe(false);

      // a collector killed while it holds the lock leaves the file behind...
      const killed = collect(env);
      await fake.requestHeld();
      killed.child.kill('SIGKILL');
      await killed.exit;
      expect(JSON.parse(readFileSync(lockFile, 'utf8'))).toMatchObject({ pid: killed.child.pid });
      // ...and the next one sees that its process is gone, takes the lock and runs
      fake.release(false);
      const next = collect(env);
      expect(await next.exit).toBe(0);
      expect(next.output()).toContain('outcome=ok');
      expect(existsSync(lockFile)).toBe(false);
    } finally {
      fake.release(false);
      await fake.close();
      tmp.cleanup();
    }
  }, 60_000);
});
