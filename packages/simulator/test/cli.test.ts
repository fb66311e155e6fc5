/** `lastpass-elastic simulator` flag handling (the CLI command is a thin wrapper over runSimulatorCli). */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { parseSimulatorArgs, resolveOptions, runSimulatorCli, type RunningSimulator } from '../src';

function io(env: NodeJS.ProcessEnv = {}) {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const out: string[] = [];
  const err: string[] = [];
  stdout.on('data', (c: Buffer) => out.push(c.toString()));
  stderr.on('data', (c: Buffer) => err.push(c.toString()));
  return { io: { stdout, stderr, env }, out: () => out.join(''), err: () => err.join('') };
}

describe('flags', () => {
  it('maps every flag onto options', () => {
    const { port, options } = parseSimulatorArgs(
      [
        '--port',
        '0',
        '--seed',
        'abc',
        '--account-number',
        '123',
        '--time-zone',
        'Europe/Berlin',
        '--page-size',
        '500',
        '--events',
        '42',
        '--now',
        '2024-06-01T00:00:00Z',
        '--next-mode',
        'repeat-last',
        '--next-type',
        'string',
        '--order',
        'oldest-first',
        '--from-exclusive',
        '--to-exclusive',
        '--ambiguous-time',
        'later',
        '--late-arrival-seconds',
        '30',
        '--self-audit',
        '--restricted',
        '--restricted-response',
        'xml',
        '--clock',
        'fixed',
        '--fault',
        'rate-limit,every=10,retry-after=2',
        '--fault',
        'slow,delay-ms=100,command=reporting',
      ],
      {},
    );
    expect(port).toBe(0);
    expect(options).toMatchObject({
      seed: 'abc',
      accountNumber: '123',
      timeZone: 'Europe/Berlin',
      pageSize: 500,
      events: 42,
      now: '2024-06-01T00:00:00Z',
      nextMode: 'repeat-last',
      nextType: 'string',
      order: 'oldest-first',
      fromInclusive: false,
      toInclusive: false,
      ambiguousTime: 'later',
      lateArrivalSeconds: 30,
      selfAudit: true,
      restricted: true,
      restrictedResponse: 'xml',
      clock: 'fixed',
      faults: [
        { kind: 'rate-limit', every: 10, retryAfterSeconds: 2 },
        { kind: 'slow', delayMs: 100, command: 'reporting' },
      ],
    });
  });

  it('reads the hash from --provisioning-hash-file, then the environment', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'sim-cli-')), 'hash');
    writeFileSync(file, 'from-file-hash\n');
    expect(parseSimulatorArgs(['--provisioning-hash-file', file], {}).options.provisioningHash).toBe(
      'from-file-hash',
    );
    expect(parseSimulatorArgs([], { LASTPASS_PROVISIONING_HASH: 'from-env' }).options.provisioningHash).toBe(
      'from-env',
    );
    expect(
      parseSimulatorArgs(['--provisioning-hash', 'flag'], { LASTPASS_PROVISIONING_HASH: 'env' }).options
        .provisioningHash,
    ).toBe('flag');
  });

  it.each([
    [['--page-size', 'ten'], '--page-size: expected a non-negative integer, got "ten"'],
    [['--page-size', '1'], '--page-size: expected ≥ 2'],
    [['--next-mode', 'x'], '--next-mode:'],
    [['--time-zone', 'Nowhere/City'], '--time-zone: expected an IANA time zone'],
    [['--now', 'tomorrow'], '--now: expected an RFC 3339 date-time'],
    [['--fault', 'explode'], '--fault: "explode"'],
    [['--fault', 'rate-limit,wait=3'], '--fault: unknown key "wait"'],
    [['--account-number', 'abc'], '--account-number: expected digits'],
    [['--port', '70000'], '--port: expected 0–65535'],
    [['--provisioning-hash-file', '/nonexistent/hash'], '--provisioning-hash-file: cannot read'],
    [['--bogus'], "Unknown option '--bogus'"],
  ])('%j → exit 2 with one line naming the flag', async (argv, message) => {
    const t = io();
    const code = await runSimulatorCli(argv, t.io, () => Promise.resolve());
    expect(code).toBe(2);
    expect(t.err()).toContain(message);
    expect(t.err().trim().split('\n')).toHaveLength(1);
    expect(t.out()).toBe('');
  });
});

describe('the history span by default (issue #15 §11)', () => {
  const realNow = () => Date.parse('2026-03-04T05:06:07.890Z');

  it('the CLI (running clock) ends its history at the real current time, so collect finds events', () => {
    const { options } = parseSimulatorArgs([], {});
    const resolved = resolveOptions(options, realNow);
    expect(resolved.clock).toBe('running');
    expect(resolved.end.toISOString()).toBe('2026-03-04T05:06:07.000Z');
    expect(resolved.now).toEqual(resolved.end);
    expect(resolved.end.getTime() - resolved.start.getTime()).toBe(270 * 86_400_000);
  });

  it('the library default (fixed clock) stays the deterministic 2024 span; explicit --end/--now win', () => {
    expect(resolveOptions({}, realNow).end.toISOString()).toBe('2024-11-15T00:00:00.000Z');
    expect(
      resolveOptions(
        parseSimulatorArgs(['--end', '2024-06-01T00:00:00Z'], {}).options,
        realNow,
      ).end.toISOString(),
    ).toBe('2024-06-01T00:00:00.000Z');
    expect(
      resolveOptions(
        parseSimulatorArgs(['--now', '2025-01-01T00:00:00Z'], {}).options,
        realNow,
      ).end.toISOString(),
    ).toBe('2025-01-01T00:00:00.000Z');
  });
});

describe('run', () => {
  it('prints the URL and the account number, never the hash, serves until stopped', async () => {
    const t = io({ LASTPASS_PROVISIONING_HASH: 'very-secret-hash-77' });
    let url = '';
    const code = await runSimulatorCli(
      ['--port', '0', '--events', '50', '--account-number', '4242'],
      t.io,
      async (sim: RunningSimulator) => {
        url = sim.url;
        const res = await fetch(sim.url, {
          method: 'POST',
          body: JSON.stringify({ cid: 4242, provhash: 'very-secret-hash-77', cmd: 'getsfdata', data: 'all' }),
        });
        expect(res.status).toBe(200);
        expect(sim.options.clock).toBe('running');
      },
    );
    expect(code).toBe(0);
    expect(t.out()).toContain(url);
    expect(t.out()).toContain('account number 4242');
    expect(t.out()).toContain('stopped after 1 request');
    expect(t.out() + t.err()).not.toContain('very-secret-hash-77');
    await expect(fetch(url, { method: 'POST' })).rejects.toThrow();
  });

  it('a port in use → exit 1 with one line', async () => {
    const t = io();
    await runSimulatorCli(['--port', '0', '--events', '10'], t.io, async (sim) => {
      const second = io();
      expect(
        await runSimulatorCli(['--port', String(sim.port), '--events', '10'], second.io, () =>
          Promise.resolve(),
        ),
      ).toBe(1);
      expect(second.err()).toContain(`cannot listen on 127.0.0.1:${sim.port} (EADDRINUSE)`);
    });
  });
});
