import {
  closeSync,
  existsSync,
  fstatSync,
  fsyncSync,
  ftruncateSync,
  mkdirSync,
  openSync,
  readdirSync,
  readSync,
  renameSync,
  writeSync,
} from 'node:fs';
import { join } from 'node:path';
import type { StreamId } from '../config/schema';
import { CollectorError } from '../errors';
import type { RawDocument } from '../streams/types';
import { IdIndex } from './id-index';
import { BodyWriter } from './serialize';
import type { DocumentProcessor } from './processor';
import type { Sink, Verdict } from './types';

interface OpenFile {
  path: string;
  fd: number;
  size: number;
  /** File number → its path: the rotated files (oldest first), then the current one (last). */
  paths: string[];
  ids: IdIndex;
}

function eventIdOf(line: string): string | undefined {
  try {
    const doc = JSON.parse(line) as { event?: { id?: unknown } };
    return typeof doc.event?.id === 'string' ? doc.event.id : undefined;
  } catch {
    return undefined;
  }
}

const CHUNK = 1 << 20;

/**
 * Calls `line(text, offset)` for every complete line of the file (read in 1 MiB chunks, never whole);
 * returns the byte length of its complete lines.
 */
function eachLine(fd: number, line: (text: string, offset: number) => void): number {
  const chunk = Buffer.allocUnsafe(CHUNK);
  let carry = Buffer.alloc(0);
  let carryAt = 0; // file offset of carry[0]
  for (let pos = 0; ;) {
    const n = readSync(fd, chunk, 0, CHUNK, pos);
    if (n === 0) return carryAt;
    pos += n;
    const buf = carry.length > 0 ? Buffer.concat([carry, chunk.subarray(0, n)]) : chunk.subarray(0, n);
    let start = 0;
    for (let nl = buf.indexOf(10); nl >= 0; nl = buf.indexOf(10, start)) {
      line(buf.toString('utf8', start, nl), carryAt + start);
      start = nl + 1;
    }
    carry = Buffer.from(buf.subarray(start));
    carryAt += start;
  }
}

/** The line starting at `offset` of an open file (up to its newline or the end of the file). */
function lineAt(fd: number, offset: number): string {
  let buf = Buffer.allocUnsafe(4096);
  let length = 0;
  for (;;) {
    if (length === buf.length) buf = Buffer.concat([buf, Buffer.allocUnsafe(buf.length)]);
    const n = readSync(fd, buf, length, buf.length - length, offset + length);
    const nl = buf.indexOf(10, length);
    length += n;
    if (nl >= 0 && nl < length) return buf.toString('utf8', 0, nl);
    if (n === 0) return buf.toString('utf8', 0, length);
  }
}

/**
 * The embedded default output (contracts §7): `<dir>/lastpass_enterprise.<stream>-<namespace>.ndjson`,
 * one ECS document per line after the package pipeline and Fleet's final-pipeline steps. Idempotent
 * across restarts: the `event.id`s of every existing file (rotations included) are indexed at start
 * (files read in chunks; the index keeps a 64-bit hash and the line's place per id and confirms a hash
 * hit by reading the line back, so it is exact — see `IdIndex`) and never written twice; a partial last
 * line left by a crash is truncated first. Each batch is written with one write and fsync'd before its
 * verdicts are returned. Size-based rotation: `.1`, `.2`, … (higher = newer).
 */
/** The NDJSON sink writes a batch's lines to the file in pieces of about this size. */
const FLUSH_BYTES = 1 << 20;

export class NdjsonSink implements Sink {
  private readonly files = new Map<StreamId, OpenFile>();
  /** The lines of the batch being written (reused: `writeSync` is done with it on return). */
  private readonly lines = new BodyWriter(FLUSH_BYTES + (1 << 16));

  constructor(
    private readonly options: {
      dir: string;
      namespace: string;
      processor: DocumentProcessor;
      maxBytes: number;
    },
  ) {}

  fileOf(stream: StreamId): string {
    return join(this.options.dir, `lastpass_enterprise.${stream}-${this.options.namespace}.ndjson`);
  }

  private open(stream: StreamId): OpenFile {
    const existing = this.files.get(stream);
    if (existing !== undefined) return existing;
    const path = this.fileOf(stream);
    try {
      mkdirSync(this.options.dir, { recursive: true });
      const paths = [...this.rotations(path), path];
      const current = paths.length - 1;
      const file: OpenFile = {
        path,
        fd: -1,
        size: 0,
        paths,
        ids: new IdIndex((n, offset) => this.idAt(file, n, offset)),
      };
      const index = (n: number) => (text: string, offset: number) => {
        const id = eventIdOf(text);
        if (id !== undefined) file.ids.add(id, n, offset);
      };
      paths.slice(0, current).forEach((rotated, n) => {
        const fd = openSync(rotated, 'r');
        try {
          eachLine(fd, index(n));
        } finally {
          closeSync(fd);
        }
      });
      file.fd = openSync(path, existsSync(path) ? 'r+' : 'w+', 0o644);
      const complete = eachLine(file.fd, index(current));
      if (complete !== fstatSync(file.fd).size) {
        ftruncateSync(file.fd, complete); // a partial last line left by a crash
        fsyncSync(file.fd);
      }
      file.size = complete;
      this.files.set(stream, file);
      return file;
    } catch (error) {
      throw new CollectorError(
        'SINK_OUTPUT_FAILED',
        `${path}: cannot open NDJSON output (${String((error as { code?: unknown }).code ?? error)})`,
        {
          cause: error,
        },
      );
    }
  }

  /** The `event.id` of the line at `offset` of file number `n` (the index confirming a hash hit). */
  private idAt(file: OpenFile, n: number, offset: number): string | undefined {
    const path = file.paths[n] ?? '';
    try {
      if (n === file.paths.length - 1) return eventIdOf(lineAt(file.fd, offset));
      const fd = openSync(path, 'r');
      try {
        return eventIdOf(lineAt(fd, offset));
      } finally {
        closeSync(fd);
      }
    } catch (error) {
      throw new CollectorError(
        'SINK_OUTPUT_FAILED',
        `${path}: cannot read back a written line to confirm its event.id (${String((error as { code?: unknown }).code ?? error)})`,
        { cause: error },
      );
    }
  }

  private rotations(path: string): string[] {
    const dir = this.options.dir;
    const base = path.slice(dir.length + 1);
    return readdirSync(dir)
      .filter((f) => f.startsWith(`${base}.`) && /^\d+$/.test(f.slice(base.length + 1)))
      .sort((a, b) => Number(a.slice(base.length + 1)) - Number(b.slice(base.length + 1)))
      .map((f) => join(dir, f));
  }

  private rotate(file: OpenFile): void {
    fsyncSync(file.fd); // what a batch already wrote there is durable before the file is renamed
    closeSync(file.fd);
    const last = file.paths.length >= 2 ? file.paths[file.paths.length - 2] : undefined;
    const n = last === undefined ? 1 : Number(last.slice(file.path.length + 1)) + 1;
    const rotated = `${file.path}.${n}`;
    renameSync(file.path, rotated);
    file.paths[file.paths.length - 1] = rotated;
    file.paths.push(file.path);
    file.fd = openSync(file.path, 'w+', 0o644);
    file.size = 0;
  }

  write(stream: StreamId, documents: readonly RawDocument[]): Promise<Verdict[]> {
    try {
      return Promise.resolve(this.writeNow(stream, documents));
    } catch (error) {
      return Promise.reject(error instanceof Error ? error : new Error(String(error)));
    }
  }

  private writeNow(stream: StreamId, documents: readonly RawDocument[]): Verdict[] {
    const file = this.open(stream);
    // Lines go straight into one reused buffer as they are made (no string of every line of the batch
    // to outlive young-generation collections, flatten and encode), flushed to the file every
    // FLUSH_BYTES; the file is fsync'd once, when the batch is written.
    const data = this.lines;
    data.reset();
    const batchIds = new Set<string>();
    let placed: { id: string; offset: number }[] = []; // offsets within the buffer
    let wrote = false;
    const flush = (): void => {
      const bytes = data.at;
      if (bytes === 0) return;
      try {
        if (file.size > 0 && file.size + bytes > this.options.maxBytes) this.rotate(file);
        for (let done = 0; done < bytes;)
          done += writeSync(file.fd, data.buffer, done, bytes - done, file.size + done);
      } catch (error) {
        throw this.writeError(file, error);
      }
      const n = file.paths.length - 1;
      for (const { id, offset } of placed) file.ids.add(id, n, file.size + offset);
      file.size += bytes;
      placed = [];
      data.reset();
      wrote = true;
    };
    const verdicts = documents.map((doc): Verdict => {
      const result = this.options.processor.process(stream, doc);
      if (result.kind === 'dropped') return { status: 'dropped' };
      if (result.kind === 'error') return { status: 'failed', type: result.type, reason: result.reason };
      const id = result.id;
      if (id !== undefined && (batchIds.has(id) || file.ids.has(id))) return { status: 'duplicate', id };
      if (id !== undefined) {
        batchIds.add(id);
        placed.push({ id, offset: data.at });
      }
      data.text(JSON.stringify(result.source));
      data.byte(0x0a); // \n
      if (data.at >= FLUSH_BYTES) flush();
      return { status: 'indexed', id };
    });
    flush();
    if (wrote) {
      try {
        fsyncSync(file.fd);
      } catch (error) {
        throw this.writeError(file, error);
      }
    }
    return verdicts;
  }

  private writeError(file: OpenFile, error: unknown): CollectorError {
    return new CollectorError(
      'SINK_OUTPUT_FAILED',
      `${file.path}: cannot write (${String((error as { code?: unknown }).code ?? error)})`,
      { cause: error },
    );
  }

  close(): Promise<void> {
    for (const file of this.files.values()) closeSync(file.fd);
    this.files.clear();
    return Promise.resolve();
  }
}
