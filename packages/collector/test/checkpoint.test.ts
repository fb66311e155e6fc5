import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { emptyHealth, FileCheckpointStore } from '../src/checkpoint/store';
import { CollectorError } from '../src/errors';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'lpe-state-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

async function rejection(p: Promise<unknown>): Promise<CollectorError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof CollectorError) return e;
    throw e;
  }
  throw new Error('expected a rejection');
}

describe('FileCheckpointStore (contracts §8)', () => {
  it('writes <state_dir>/<account>/<stream>.json atomically and reads it back; no temp file left', async () => {
    const store = new FileCheckpointStore(dir);
    const state = { cursor: { upper: '2024-01-01T00:00:00.000Z' }, health: emptyHealth() };
    await store.commit('123', 'event_report', state, new Date('2024-01-01T00:00:00Z'));
    expect(readdirSync(join(dir, '123'))).toEqual(['event_report.json']);
    expect(await store.load('123', 'event_report')).toEqual(state);
    expect(await store.load('123', 'user')).toBeUndefined();
    expect(await store.list()).toEqual([{ accountNumber: '123', stream: 'event_report' }]);
  });

  it('unreadable state is an error naming the file, never a reset', async () => {
    mkdirSync(join(dir, '123'));
    writeFileSync(join(dir, '123', 'event_report.json'), '{"format": "lastpass-elastic/state@1", ');
    const e = await rejection(new FileCheckpointStore(dir).load('123', 'event_report'));
    expect(e.code).toBe('CHECKPOINT_UNREADABLE');
    expect(e.message).toContain(join(dir, '123', 'event_report.json'));
  });

  it('foreign state (another format, account or stream) is an error naming the file', async () => {
    const store = new FileCheckpointStore(dir);
    mkdirSync(join(dir, '123'));
    writeFileSync(join(dir, '123', 'user.json'), '{"bookmarks": {}}');
    expect((await rejection(store.load('123', 'user'))).code).toBe('CHECKPOINT_FOREIGN');
    await store.commit('999', 'event_report', { cursor: null, health: emptyHealth() }, new Date());
    writeFileSync(join(dir, '123', 'event_report.json'), readFileSync(join(dir, '999', 'event_report.json')));
    const e = await rejection(store.load('123', 'event_report'));
    expect(e.code).toBe('CHECKPOINT_FOREIGN');
    expect(e.message).toMatch(/state of account 999/);
  });
});
