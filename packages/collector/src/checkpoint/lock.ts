import {
  closeSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readFileSync,
  statSync,
  unlinkSync,
  writeSync,
} from 'node:fs';
import { hostname as osHostname } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import { CollectorError } from '../errors';

/**
 * One collector per state directory (issue #15 §5): `collect` creates `<state_dir>/lastpass-elastic.lock`
 * with O_EXCL, holding who has it (pid, host, boot id, the process's start time), and deletes it when it
 * ends. A second collector on the same directory is refused (STATE_LOCKED, exit code 75). A lock left by
 * a crash (SIGKILL, power loss) is recognised as stale on the same host — its process is gone, or the
 * pid now belongs to a later process, or the machine rebooted since — and replaced. A lock taken on
 * another host (a shared volume) is never broken automatically: its message says which file to delete.
 */
export const LOCK_FILE = 'lastpass-elastic.lock';

const holderSchema = z.object({
  pid: z.number().int().positive(),
  hostname: z.string(),
  boot_id: z.string().nullable(),
  /** /proc/<pid>/stat starttime (clock ticks since boot), to tell a reused pid from the holder. */
  start_ticks: z.string().nullable(),
  since: z.string(),
});
type Holder = z.infer<typeof holderSchema>;

/** A lock file younger than this that cannot be read yet is being written by a collector starting now. */
const UNREADABLE_GRACE_MS = 10_000;

export interface StateLock {
  readonly file: string;
  /** Deletes the lock file if it is still ours (idempotent). */
  release(): void;
}

function bootId(): string | null {
  try {
    return readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim() || null;
  } catch {
    return null;
  }
}

function startTicks(pid: number): string | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19] ?? null;
  } catch {
    return null;
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as { code?: unknown }).code === 'EPERM';
  }
}

function codeOf(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : 'unknown error';
}

/** The holder written in `file`; `undefined` when the file is gone, `null` when it cannot be read as one. */
function readHolder(file: string): Holder | null | undefined {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    if (codeOf(error) === 'ENOENT') return undefined;
    return null;
  }
  try {
    const parsed = holderSchema.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

function ageMs(file: string, now: number): number {
  try {
    return now - statSync(file).mtimeMs;
  } catch {
    return 0;
  }
}

export interface LockIdentity {
  pid: number;
  hostname: string;
  bootId: string | null;
  startTicks(pid: number): string | null;
  isAlive(pid: number): boolean;
  now(): number;
}

export const processIdentity = (): LockIdentity => ({
  pid: process.pid,
  hostname: osHostname(),
  bootId: bootId(),
  startTicks,
  isAlive,
  now: Date.now,
});

/** Is the holder certainly gone? Only decidable on its own host. */
function isStale(holder: Holder, self: LockIdentity): boolean {
  if (holder.hostname !== self.hostname) return false;
  if (holder.boot_id !== null && self.bootId !== null && holder.boot_id !== self.bootId) return true;
  if (!self.isAlive(holder.pid)) return true;
  const ticks = self.startTicks(holder.pid);
  return holder.start_ticks !== null && ticks !== null && ticks !== holder.start_ticks;
}

function lockedError(stateDir: string, file: string, holder: Holder | null): CollectorError {
  const who =
    holder === null
      ? 'a collector that is starting'
      : `pid ${holder.pid} on host ${holder.hostname}, since ${holder.since}`;
  return new CollectorError(
    'STATE_LOCKED',
    `another collector is using the state directory ${stateDir} (${who}): run one collector per state directory; if that collector is gone, delete ${file}`,
  );
}

/**
 * Takes the state directory's lock or throws STATE_LOCKED naming the holder. Breaking a stale lock is
 * itself guarded (`<lock>.break`, O_EXCL), so two collectors starting together after a crash cannot
 * both take it.
 */
export function acquireStateLock(stateDir: string, self: LockIdentity = processIdentity()): StateLock {
  try {
    mkdirSync(stateDir, { recursive: true });
  } catch (error) {
    throw new CollectorError('CHECKPOINT_WRITE_FAILED', `${stateDir}: cannot create (${codeOf(error)})`);
  }
  const file = join(stateDir, LOCK_FILE);
  const mine: Holder = {
    pid: self.pid,
    hostname: self.hostname,
    boot_id: self.bootId,
    start_ticks: self.startTicks(self.pid),
    since: new Date(self.now()).toISOString(),
  };
  for (let tries = 0; tries < 3; tries++) {
    let fd: number | undefined;
    try {
      fd = openSync(file, 'wx', 0o600);
    } catch (error) {
      if (codeOf(error) !== 'EEXIST')
        throw new CollectorError(
          'CHECKPOINT_WRITE_FAILED',
          `${file}: cannot create the lock (${codeOf(error)})`,
        );
    }
    if (fd !== undefined) {
      try {
        writeSync(fd, `${JSON.stringify(mine)}\n`);
        fsyncSync(fd);
      } finally {
        closeSync(fd);
      }
      let held = true;
      return {
        file,
        release() {
          if (!held) return;
          held = false;
          const current = readHolder(file);
          if (current?.pid === mine.pid && current.since === mine.since) {
            try {
              unlinkSync(file);
            } catch {
              // already gone
            }
          }
        },
      };
    }
    const holder = readHolder(file);
    if (holder === undefined) continue; // released meanwhile: try again
    if (holder === null) {
      if (ageMs(file, self.now()) < UNREADABLE_GRACE_MS) throw lockedError(stateDir, file, null);
    } else if (!isStale(holder, self)) throw lockedError(stateDir, file, holder);
    breakStale(file, holder, self, stateDir);
  }
  throw lockedError(stateDir, file, readHolder(file) ?? null);
}

/** Deletes a stale lock, unless someone else is breaking it or it changed since it was judged stale. */
function breakStale(file: string, judged: Holder | null, self: LockIdentity, stateDir: string): void {
  const guard = `${file}.break`;
  let fd: number;
  try {
    fd = openSync(guard, 'wx', 0o600);
  } catch (error) {
    if (codeOf(error) === 'EEXIST' && ageMs(guard, self.now()) > UNREADABLE_GRACE_MS) {
      // left by a collector that died while breaking a lock (both crashed): clear it, try once more
      try {
        unlinkSync(guard);
      } catch {
        // someone else cleared it
      }
      return;
    }
    throw lockedError(stateDir, file, null);
  }
  try {
    const now = readHolder(file);
    const same =
      now === null
        ? judged === null
        : now !== undefined && now.pid === judged?.pid && now.since === judged.since;
    if (same) unlinkSync(file);
  } finally {
    closeSync(fd);
    try {
      unlinkSync(guard);
    } catch {
      // gone
    }
  }
}
