import {
  closeSync,
  existsSync,
  fstatSync,
  fsyncSync,
  ftruncateSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  renameSync,
  writeSync,
} from 'node:fs';
import { join } from 'node:path';
import type { StreamId } from '../config/schema';
import { CollectorError } from '../errors';
import type { RawDocument } from '../streams/types';
import type { DocumentProcessor } from './processor';
import type { Sink, Verdict } from './types';

interface OpenFile {
  path: string;
  fd: number;
  size: number;
  ids: Set<string>;
}

function eventIdOf(line: string): string | undefined {
  try {
    const doc = JSON.parse(line) as { event?: { id?: unknown } };
    return typeof doc.event?.id === 'string' ? doc.event.id : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The embedded default output (contracts §7): `<dir>/lastpass_enterprise.<stream>-<namespace>.ndjson`,
 * one ECS document per line after the package pipeline and Fleet's final-pipeline steps. Idempotent
 * across restarts: the `event.id`s of every existing file (rotations included) are loaded at start and
 * never written twice; a partial last line left by a crash is truncated first. Each batch is written
 * with one write and fsync'd before its verdicts are returned. Size-based rotation: `.1`, `.2`, …
 * (higher = newer).
 */
export class NdjsonSink implements Sink {
  private readonly files = new Map<StreamId, OpenFile>();

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
      const ids = new Set<string>();
      for (const rotated of this.rotations(path)) this.collectIds(readFileSync(rotated, 'utf8'), ids);
      const fd = openSync(path, existsSync(path) ? 'r+' : 'w+', 0o644);
      const text = readFileSync(path, 'utf8');
      const end = text.lastIndexOf('\n') + 1;
      const complete = Buffer.byteLength(text.slice(0, end));
      if (complete !== fstatSync(fd).size) {
        ftruncateSync(fd, complete); // a partial last line left by a crash
        fsyncSync(fd);
      }
      this.collectIds(text.slice(0, end), ids);
      const file: OpenFile = { path, fd, size: complete, ids };
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

  private rotations(path: string): string[] {
    const dir = this.options.dir;
    const base = path.slice(dir.length + 1);
    return readdirSync(dir)
      .filter((f) => f.startsWith(`${base}.`) && /^\d+$/.test(f.slice(base.length + 1)))
      .sort((a, b) => Number(a.slice(base.length + 1)) - Number(b.slice(base.length + 1)))
      .map((f) => join(dir, f));
  }

  private collectIds(text: string, ids: Set<string>): void {
    let start = 0;
    for (;;) {
      const nl = text.indexOf('\n', start);
      if (nl < 0) break;
      const id = eventIdOf(text.slice(start, nl));
      if (id !== undefined) ids.add(id);
      start = nl + 1;
    }
  }

  private rotate(file: OpenFile): void {
    closeSync(file.fd);
    const last = this.rotations(file.path).at(-1);
    const n = last === undefined ? 1 : Number(last.slice(file.path.length + 1)) + 1;
    renameSync(file.path, `${file.path}.${n}`);
    file.fd = openSync(file.path, 'w+', 0o644);
    file.size = 0;
  }

  write(stream: StreamId, documents: readonly RawDocument[]): Promise<Verdict[]> {
    const file = this.open(stream);
    const lines: string[] = [];
    const batchIds = new Set<string>();
    const verdicts = documents.map((doc): Verdict => {
      const result = this.options.processor.process(stream, doc);
      if (result.kind === 'dropped') return { status: 'dropped' };
      if (result.kind === 'error') return { status: 'failed', type: result.type, reason: result.reason };
      const id = result.id;
      if (id !== undefined && (file.ids.has(id) || batchIds.has(id))) return { status: 'duplicate', id };
      if (id !== undefined) batchIds.add(id);
      lines.push(JSON.stringify(result.source));
      return { status: 'indexed', id };
    });
    if (lines.length > 0) {
      const data = Buffer.from(`${lines.join('\n')}\n`);
      try {
        if (file.size > 0 && file.size + data.length > this.options.maxBytes) this.rotate(file);
        writeSync(file.fd, data, 0, data.length, file.size);
        fsyncSync(file.fd);
      } catch (error) {
        return Promise.reject(
          new CollectorError(
            'SINK_OUTPUT_FAILED',
            `${file.path}: cannot write (${String((error as { code?: unknown }).code ?? error)})`,
            {
              cause: error,
            },
          ),
        );
      }
      file.size += data.length;
      for (const id of batchIds) file.ids.add(id);
    }
    return Promise.resolve(verdicts);
  }

  close(): Promise<void> {
    for (const file of this.files.values()) closeSync(file.fd);
    this.files.clear();
    return Promise.resolve();
  }
}
