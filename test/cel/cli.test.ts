import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main, memoryIo, type MemoryIo } from '@lastpass-elastic/cli';
import { startSimulator, type RunningSimulator } from '@lastpass-elastic/simulator';
import { ACCOUNT, HASH, ROOT } from './support';

const io = (): MemoryIo => memoryIo({ cwd: ROOT });

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

  test('prints the user events as NDJSON, never the hash', async () => {
    const t = io();
    const args = ['cel', '--data-stream', 'user', '--url', sim.url, '--account-number', ACCOUNT];
    const code = await main([...args, '--provisioning-hash-file', hashFile, '--page-size', '10'], t);
    expect(t.err()).toMatch(/32 events in 3 executions/);
    expect(code).toBe(0);
    const lines = t.out().trim().split('\n');
    expect(lines).toHaveLength(32);
    for (const line of lines) expect(JSON.parse(line)).toHaveProperty('lastpass_enterprise.snapshot.id');
    expect(t.out() + t.err()).not.toContain(HASH);
  });

  test('wrong hash: one error event on stderr, exit 1; bad flags: exit 2 naming the flag', async () => {
    const wrong = join(mkdtempSync(join(tmpdir(), 'cel-cli-')), 'hash');
    writeFileSync(wrong, 'not-the-right-hash-999');
    const t = io();
    const args = ['cel', '--data-stream', 'event_report', '--url', sim.url, '--account-number', ACCOUNT];
    expect(await main([...args, '--provisioning-hash-file', wrong], t)).toBe(1);
    expect(t.err()).toContain('LASTPASS_AUTH_FAILED');
    expect(t.out() + t.err()).not.toContain('not-the-right-hash-999');
    const u = io();
    expect(await main(['cel', '--data-stream', 'user', '--url', sim.url, '--account-number', 'x1'], u)).toBe(
      2,
    );
    expect(u.err()).toContain('--account-number');
    const v = io();
    expect(await main([...args, '--provisioning-hash-file', hashFile, '--executions', '0'], v)).toBe(2);
    expect(v.err()).toContain('--executions');
  });
});
