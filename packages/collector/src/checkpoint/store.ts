import {
  closeSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  renameSync,
  writeSync,
} from 'node:fs';
import { dirname, join } from 'node:path';
import { z } from 'zod';
import { streamIdSchema, type StreamId } from '../config/schema';
import { CollectorError } from '../errors';

export const STATE_FORMAT = 'lastpass-elastic/state@1';

const countsSchema = z.object({
  fetched: z.number().int().nonnegative(),
  indexed: z.number().int().nonnegative(),
  duplicates: z.number().int().nonnegative(),
  failed: z.number().int().nonnegative(),
  api_calls: z.number().int().nonnegative(),
});
export type StreamCounts = z.infer<typeof countsSchema>;
export const zeroCounts = (): StreamCounts => ({
  fetched: 0,
  indexed: 0,
  duplicates: 0,
  failed: 0,
  api_calls: 0,
});

const errorSchema = z.object({ code: z.string(), message: z.string(), at: z.string() });

/** Operator-facing facts about a stream, kept beside its cursor; shown by `status`. */
export const healthSchema = z.object({
  last_success: z.string().nullable(),
  last_error: errorSchema.nullable(),
  dead_letters: z.number().int().nonnegative(),
  totals: countsSchema,
  /** Notes that are not errors, e.g. `blocked_by_account_policy`, the time-zone self-check. */
  notes: z.record(z.string(), z.string()),
});
export type StreamHealth = z.infer<typeof healthSchema>;
export const emptyHealth = (): StreamHealth => ({
  last_success: null,
  last_error: null,
  dead_letters: 0,
  totals: zeroCounts(),
  notes: {},
});

export const stateFileSchema = z
  .object({
    format: z.literal(STATE_FORMAT),
    account_number: z.string(),
    stream: streamIdSchema,
    updated_at: z.string(),
    /** Opaque to the store; each stream validates its own cursor with its own schema. */
    cursor: z.unknown(),
    health: healthSchema,
  })
  .strict();
export type StateFile = z.infer<typeof stateFileSchema>;

export interface StreamState {
  cursor: unknown;
  health: StreamHealth;
}

/** Where cursors live. Only the sync loop calls `commit` (architecture-models.md §6.1). */
export interface CheckpointStore {
  load(accountNumber: string, stream: StreamId): Promise<StreamState | undefined>;
  commit(accountNumber: string, stream: StreamId, state: StreamState, now: Date): Promise<void>;
  /** Every (account, stream) with state, for `status`. */
  list(): Promise<{ accountNumber: string; stream: StreamId }[]>;
  /** Where the state of (account, stream) lives, for messages (e.g. the file path). */
  locate?(accountNumber: string, stream: StreamId): string;
}

/** Validates a state document read from `where`; unreadable or foreign state is an error naming it. */
export function parseStateFile(
  text: string,
  where: string,
  expected?: { accountNumber: string; stream: StreamId },
): StateFile {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    throw new CollectorError(
      'CHECKPOINT_UNREADABLE',
      `${where}: state file is not valid JSON; fix or move it away (the collector never resets state silently)`,
    );
  }
  const format =
    typeof data === 'object' && data !== null ? (data as Record<string, unknown>).format : undefined;
  if (format !== STATE_FORMAT)
    throw new CollectorError(
      'CHECKPOINT_FOREIGN',
      `${where}: not a lastpass-elastic state file (format ${JSON.stringify(format ?? null)}, expected "${STATE_FORMAT}")`,
    );
  const parsed = stateFileSchema.safeParse(data);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new CollectorError(
      'CHECKPOINT_UNREADABLE',
      `${where}: invalid state at "${issue?.path.map(String).join('.') ?? ''}": ${issue?.message ?? 'invalid'}`,
    );
  }
  if (
    expected !== undefined &&
    (parsed.data.account_number !== expected.accountNumber || parsed.data.stream !== expected.stream)
  )
    throw new CollectorError(
      'CHECKPOINT_FOREIGN',
      `${where}: state of account ${parsed.data.account_number} stream ${parsed.data.stream}, expected account ${expected.accountNumber} stream ${expected.stream}`,
    );
  return parsed.data;
}

/** `<state_dir>/<account_number>/<stream>.json`, written atomically: temp file, fsync, rename, fsync dir (contracts §8). */
export class FileCheckpointStore implements CheckpointStore {
  constructor(readonly stateDir: string) {}

  fileOf(accountNumber: string, stream: StreamId): string {
    return join(this.stateDir, accountNumber, `${stream}.json`);
  }

  locate(accountNumber: string, stream: StreamId): string {
    return this.fileOf(accountNumber, stream);
  }

  load(accountNumber: string, stream: StreamId): Promise<StreamState | undefined> {
    return Promise.resolve().then(() => this.loadSync(accountNumber, stream));
  }

  private loadSync(accountNumber: string, stream: StreamId): StreamState | undefined {
    const file = this.fileOf(accountNumber, stream);
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (error) {
      const code = (error as { code?: unknown }).code;
      if (code === 'ENOENT') return undefined;
      throw new CollectorError('CHECKPOINT_UNREADABLE', `${file}: cannot read state (${String(code)})`);
    }
    const parsed = parseStateFile(text, file, { accountNumber, stream });
    return { cursor: parsed.cursor, health: parsed.health };
  }

  commit(accountNumber: string, stream: StreamId, state: StreamState, now: Date): Promise<void> {
    const file = this.fileOf(accountNumber, stream);
    const doc: StateFile = {
      format: STATE_FORMAT,
      account_number: accountNumber,
      stream,
      updated_at: now.toISOString(),
      cursor: state.cursor,
      health: state.health,
    };
    const tmp = `${file}.tmp-${process.pid}`;
    try {
      mkdirSync(dirname(file), { recursive: true });
      const fd = openSync(tmp, 'w', 0o600);
      try {
        writeSync(fd, `${JSON.stringify(doc, null, 2)}\n`);
        fsyncSync(fd);
      } finally {
        closeSync(fd);
      }
      renameSync(tmp, file);
      const dirFd = openSync(dirname(file), 'r');
      try {
        fsyncSync(dirFd);
      } finally {
        closeSync(dirFd);
      }
    } catch (error) {
      return Promise.reject(
        new CollectorError(
          'CHECKPOINT_WRITE_FAILED',
          `${file}: cannot write state (${String((error as { code?: unknown }).code ?? error)})`,
          {
            cause: error,
          },
        ),
      );
    }
    return Promise.resolve();
  }

  list(): Promise<{ accountNumber: string; stream: StreamId }[]> {
    const out: { accountNumber: string; stream: StreamId }[] = [];
    let accounts: string[] = [];
    try {
      accounts = readdirSync(this.stateDir);
    } catch {
      return Promise.resolve(out);
    }
    for (const accountNumber of accounts.sort()) {
      let files: string[] = [];
      try {
        files = readdirSync(join(this.stateDir, accountNumber));
      } catch {
        continue;
      }
      for (const f of files.sort()) {
        const stream = streamIdSchema.safeParse(f.replace(/\.json$/, ''));
        if (f.endsWith('.json') && stream.success) out.push({ accountNumber, stream: stream.data });
      }
    }
    return Promise.resolve(out);
  }
}

/** In-memory store for tests; keeps every commit so tests can assert on the sequence. */
export class MemoryCheckpointStore implements CheckpointStore {
  readonly commits: { accountNumber: string; stream: StreamId; state: StreamState }[] = [];
  private readonly states = new Map<string, string>();

  load(accountNumber: string, stream: StreamId): Promise<StreamState | undefined> {
    const text = this.states.get(`${accountNumber}/${stream}`);
    return Promise.resolve(text === undefined ? undefined : (JSON.parse(text) as StreamState));
  }

  commit(accountNumber: string, stream: StreamId, state: StreamState): Promise<void> {
    const copy = JSON.parse(JSON.stringify(state)) as StreamState;
    this.states.set(`${accountNumber}/${stream}`, JSON.stringify(copy));
    this.commits.push({ accountNumber, stream, state: copy });
    return Promise.resolve();
  }

  list(): Promise<{ accountNumber: string; stream: StreamId }[]> {
    return Promise.resolve(
      [...this.states.keys()].map((k) => {
        const [accountNumber = '', stream = ''] = k.split('/');
        return { accountNumber, stream: streamIdSchema.parse(stream) };
      }),
    );
  }
}
