/**
 * Issue #15 §3 end to end: LastPass error pages that echo the request body (and so the hash) reach
 * `collect`'s stderr, its pino log and the state file's `health.last_error` only as redacted excerpts —
 * no 8-character fragment of the hash anywhere, wherever the 120-character cut falls.
 */
import { mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { PassThrough } from 'node:stream';
import { Secret } from '../src/config/secret';
import { FRAGMENT_MIN } from '../src/lastpass/redact';
import { runCollect } from '../src/run';
import { FakeClock } from './lastpass/helpers';
import { testAccount, testConfig } from './support/harness';

const ROOT = resolve(__dirname, '../../..');
const SECRET = 'c41e9b7f2a6d0e8c3f5b1a9d7e2c4f6a8b0d1e3f';

function fragments(text: string): string[] {
  const found: string[] = [];
  for (let i = 0; i + FRAGMENT_MIN <= SECRET.length; i++)
    if (text.includes(SECRET.slice(i, i + FRAGMENT_MIN))) found.push(SECRET.slice(i, i + FRAGMENT_MIN));
  return found;
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? filesUnder(p) : [p];
  });
}

it.each([
  ['an HTTP 400 page', 400, (pad: string, body: string) => `<html><pre>${pad}${body}</pre></html>`],
  [
    'an HTML page with HTTP 200 (retried first)',
    200,
    (pad: string, body: string) => `<html>${pad}${body}</html>`,
  ],
])(
  '%s echoing the request: stderr, log lines and state files carry no fragment of the hash',
  async (_name, status, page) => {
    let pad = '';
    const requests: string[] = [];
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        requests.push(body);
        res.writeHead(status, { 'content-type': 'text/html' });
        res.end(page(pad, body));
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const dir = mkdtempSync(join(tmpdir(), 'lpe-echo-'));
    const output: string[] = [];
    try {
      const account = testAccount({
        url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/enterpriseapi.php`,
        provisioningHash: new Secret(SECRET),
      });
      const config = {
        ...testConfig([account], ['event_report', 'user']),
        stateDir: join(dir, 'state'),
        outputDir: join(dir, 'out'),
        logLevel: 'debug' as const,
      };
      // the 120-character cut falls inside the echoed hash for these paddings
      for (const n of [48, 64, 80]) {
        pad = '.'.repeat(n);
        const stdout = new PassThrough();
        const stderr = new PassThrough();
        stdout.on('data', (c: Buffer) => output.push(c.toString()));
        stderr.on('data', (c: Buffer) => output.push(c.toString()));
        const { exitCode } = await runCollect({
          config,
          env: {},
          stdout,
          stderr,
          interactive: false,
          once: true,
          strict: false,
          signal: new AbortController().signal,
          client: { clock: new FakeClock(), timeoutMs: 0, minIntervalMs: 0, retry: { maxAttempts: 2 } },
          packageRoot: ROOT,
        });
        expect(exitCode).toBe(1);
      }
      expect(requests.every((r) => r.includes(SECRET))).toBe(true);
      const state = JSON.parse(
        readFileSync(join(dir, 'state', account.accountNumber, 'event_report.json'), 'utf8'),
      ) as {
        health: { last_error: { message: string } };
      };
      expect(state.health.last_error.message).toContain(status === 400 ? 'unexpected HTTP 400' : 'HTML page');
      expect(state.health.last_error.message).toContain(String.raw`\"provhash\":\"[`);
      const everything = [output.join(''), ...filesUnder(dir).map((f) => readFileSync(f, 'utf8'))].join('\n');
      expect(everything).toContain('"level":50'); // the pino error lines are in there
      expect(fragments(everything)).toEqual([]);
    } finally {
      server.closeAllConnections();
      await new Promise<void>((r) =>
        server.close(() => {
          r();
        }),
      );
    }
  },
  60_000,
);
