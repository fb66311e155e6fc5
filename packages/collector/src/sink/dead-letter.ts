import { appendFileSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { StreamId } from '../config/schema';
import type { RawDocument } from '../streams/types';

/**
 * Documents a sink rejected permanently, one JSON line each with the reason:
 * `<state_dir>/<account_number>/<stream>.dead-letter.ndjson`. They hold raw documents only (no secrets).
 */
export interface DeadLetters {
  write(
    accountNumber: string,
    stream: StreamId,
    entries: { document: RawDocument; type: string; reason: string }[],
    at: Date,
  ): void;
  /** Where the entries of (account, stream) go, for messages (e.g. the file path). */
  locate?(accountNumber: string, stream: StreamId): string;
}

export class FileDeadLetters implements DeadLetters {
  constructor(readonly stateDir: string) {}

  fileOf(accountNumber: string, stream: StreamId): string {
    return join(this.stateDir, accountNumber, `${stream}.dead-letter.ndjson`);
  }

  locate(accountNumber: string, stream: StreamId): string {
    return this.fileOf(accountNumber, stream);
  }

  write(
    accountNumber: string,
    stream: StreamId,
    entries: { document: RawDocument; type: string; reason: string }[],
    at: Date,
  ): void {
    if (entries.length === 0) return;
    const file = this.fileOf(accountNumber, stream);
    mkdirSync(dirname(file), { recursive: true });
    const lines = entries.map((e) =>
      JSON.stringify({
        '@timestamp': at.toISOString(),
        error: { type: e.type, reason: e.reason },
        document: e.document,
      }),
    );
    appendFileSync(file, `${lines.join('\n')}\n`, { mode: 0o600 });
  }
}

export class MemoryDeadLetters implements DeadLetters {
  readonly entries: {
    accountNumber: string;
    stream: StreamId;
    type: string;
    reason: string;
    document: RawDocument;
  }[] = [];

  write(
    accountNumber: string,
    stream: StreamId,
    entries: { document: RawDocument; type: string; reason: string }[],
  ): void {
    for (const e of entries) this.entries.push({ accountNumber, stream, ...e });
  }
}
