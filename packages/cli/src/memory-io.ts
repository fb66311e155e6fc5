import { PassThrough } from 'node:stream';
import type { CommandIo } from './command';

export interface MemoryIo extends CommandIo {
  /** Everything written to stdout so far. */
  out(): string;
  /** Everything written to stderr so far. */
  err(): string;
}

/**
 * An in-memory CommandIo for running `main()` in-process (tests, embedding): stdout and stderr are captured as
 * text; stdin holds `input` and is then ended.
 */
export function memoryIo(options: { cwd: string; env?: NodeJS.ProcessEnv; input?: string }): MemoryIo {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const stdin = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (c: Buffer) => (out += c.toString()));
  stderr.on('data', (c: Buffer) => (err += c.toString()));
  stdin.end(options.input ?? '');
  return { stdout, stderr, stdin, env: options.env ?? {}, cwd: options.cwd, out: () => out, err: () => err };
}
