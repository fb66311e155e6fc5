import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main, memoryIo, type MemoryIo } from '@lastpass-elastic/cli';
import { startSimulator, type RunningSimulator } from '@lastpass-elastic/simulator';
import { ACCOUNT, HASH, MITO, ROOT } from './support';

const io = (env: NodeJS.ProcessEnv = {}): MemoryIo => memoryIo({ cwd: ROOT, env });

describe('lastpass-elastic cel', () => {
  let sim: RunningSimulator;
  let hashFile: string;
  beforeAll(async () => {
    sim = await startSimulator({
      seed: 2,
      users: 30,
      invited: 2,
      accountNumber: ACCOUNT,
      provisioningHash: HASH,
    });
    hashFile = join(mkdtempSync(join(tmpdir(), 'cel-cli-')), 'hash');
    writeFileSync(hashFile, `${HASH}\n`);
  });
  afterAll(() => sim.close());

  const userArgs = (): string[] => [
    'cel',
    '--data-stream',
    'user',
    '--url',
    sim.url,
    '--account-number',
    ACCOUNT,
    '--provisioning-hash-file',
    hashFile,
    '--page-size',
    '10',
  ];

  const engines: ['emulation' | 'mito'][] = [
    ['emulation'],
    ...(MITO === undefined ? [] : [['mito'] as ['mito']]),
  ];
  test.each(engines)(
    '--engine %s prints the user events as NDJSON, never the hash, and says which engine ran',
    async (engine) => {
      const t = io();
      const code = await main(
        [...userArgs(), '--engine', engine, ...(MITO === undefined ? [] : ['--mito', MITO.path])],
        t,
      );
      expect(t.err()).toContain(`engine: ${engine}`);
      expect(t.err()).toMatch(/32 events in 3 executions over 1 periodic runs/);
      expect(code).toBe(0);
      const lines = t.out().trim().split('\n');
      expect(lines).toHaveLength(32);
      for (const line of lines) {
        const event = JSON.parse(line) as Record<string, unknown>;
        expect(event).toHaveProperty('lastpass_enterprise.snapshot.started_at');
        expect(event).not.toHaveProperty('@timestamp');
      }
      expect(t.out() + t.err()).not.toContain(HASH);
    },
  );

  test('auto takes mito when MITO_BIN names it, else the emulation (and says so)', async () => {
    const t = io(MITO === undefined ? {} : { MITO_BIN: MITO.path });
    expect(await main(userArgs(), t)).toBe(0);
    expect(t.err()).toContain(
      MITO === undefined ? 'engine: emulation' : `engine: mito (Elastic's CEL engine) from MITO_BIN`,
    );
  });

  test('wrong hash: one error event on stderr, exit 1; bad flags: exit 2 naming the flag', async () => {
    const wrong = join(mkdtempSync(join(tmpdir(), 'cel-cli-')), 'hash');
    writeFileSync(wrong, 'not-the-right-hash-999');
    const t = io();
    const args = ['cel', '--data-stream', 'event_report', '--url', sim.url, '--account-number', ACCOUNT];
    expect(await main([...args, '--provisioning-hash-file', wrong, '--engine', 'emulation'], t)).toBe(1);
    expect(t.err()).toContain('LASTPASS_AUTH_FAILED');
    expect(t.out() + t.err()).not.toContain('not-the-right-hash-999');
    const u = io();
    expect(await main(['cel', '--data-stream', 'user', '--url', sim.url, '--account-number', 'x1'], u)).toBe(
      2,
    );
    expect(u.err()).toContain('--account-number');
    for (const [flag, value] of [
      ['--executions', '0'],
      ['--intervals', '0'],
      ['--engine', 'go'],
      ['--mito', '/nonexistent/mito'],
    ] as const) {
      const v = io();
      expect(await main([...args, '--provisioning-hash-file', hashFile, flag, value], v)).toBe(2);
      expect(v.err()).toContain(flag);
    }
  });
});
