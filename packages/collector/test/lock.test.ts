/** One collector per state directory (issue #15 §5): the lock file, its holder and stale locks. */
import { existsSync, mkdtempSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { acquireStateLock, LOCK_FILE, type LockIdentity } from '../src/checkpoint/lock';
import { CollectorError } from '../src/errors';

function identity(overrides: Partial<LockIdentity> = {}): LockIdentity {
  return {
    pid: 4242,
    hostname: 'host-a',
    bootId: 'boot-1',
    startTicks: () => '100',
    isAlive: () => true,
    now: () => Date.parse('2026-01-01T00:00:00Z'),
    ...overrides,
  };
}

function refusal(run: () => unknown): CollectorError {
  try {
    run();
  } catch (error) {
    if (error instanceof CollectorError) return error;
    throw error;
  }
  throw new Error('expected STATE_LOCKED');
}

describe('the state directory lock', () => {
  it('is a file naming its holder, refused to a second collector in one line, deleted on release', () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'lpe-lock-')), 'state');
    const lock = acquireStateLock(dir, identity());
    expect(lock.file).toBe(join(dir, LOCK_FILE));
    expect(JSON.parse(readFileSync(lock.file, 'utf8'))).toEqual({
      pid: 4242,
      hostname: 'host-a',
      boot_id: 'boot-1',
      start_ticks: '100',
      since: '2026-01-01T00:00:00.000Z',
    });
    const error = refusal(() => acquireStateLock(dir, identity({ pid: 5555 })));
    expect(error.code).toBe('STATE_LOCKED');
    expect(error.message).toBe(
      `another collector is using the state directory ${dir} (pid 4242 on host host-a, since 2026-01-01T00:00:00.000Z): run one collector per state directory; if that collector is gone, delete ${lock.file}`,
    );
    lock.release();
    expect(existsSync(lock.file)).toBe(false);
    lock.release(); // idempotent
    acquireStateLock(dir, identity({ pid: 5555 })).release();
  });

  it.each([
    ['its process is gone', identity({ pid: 5555, isAlive: (pid) => pid !== 4242 })],
    [
      'its pid now belongs to a later process',
      identity({ pid: 5555, startTicks: (pid) => (pid === 4242 ? '999' : '1') }),
    ],
    ['the machine rebooted since', identity({ pid: 5555, bootId: 'boot-2' })],
  ])('a stale lock on this host is replaced: %s', (_name, next) => {
    const dir = mkdtempSync(join(tmpdir(), 'lpe-lock-'));
    acquireStateLock(dir, identity()); // never released: a crash
    const lock = acquireStateLock(dir, next);
    expect(JSON.parse(readFileSync(lock.file, 'utf8'))).toMatchObject({ pid: 5555 });
    expect(existsSync(`${lock.file}.break`)).toBe(false);
    lock.release();
  });

  it('a lock of another host is never broken (its process cannot be checked)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'lpe-lock-'));
    acquireStateLock(dir, identity());
    const error = refusal(() =>
      acquireStateLock(dir, identity({ hostname: 'host-b', isAlive: () => false })),
    );
    expect(error.code).toBe('STATE_LOCKED');
    expect(error.message).toContain('pid 4242 on host host-a');
  });

  it('an unreadable lock: a collector is starting (refused) unless it is old (replaced)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'lpe-lock-'));
    const file = join(dir, LOCK_FILE);
    writeFileSync(file, '');
    const self = identity({ now: () => Date.now() });
    expect(refusal(() => acquireStateLock(dir, self)).message).toContain('(a collector that is starting)');
    const old = (Date.now() - 60_000) / 1000;
    utimesSync(file, old, old);
    acquireStateLock(dir, self).release();
  });

  it('release leaves a lock that is no longer ours alone', () => {
    const dir = mkdtempSync(join(tmpdir(), 'lpe-lock-'));
    const lock = acquireStateLock(dir, identity());
    writeFileSync(
      lock.file,
      JSON.stringify({ pid: 1, hostname: 'x', boot_id: null, start_ticks: null, since: 's' }),
    );
    lock.release();
    expect(existsSync(lock.file)).toBe(true);
  });
});
