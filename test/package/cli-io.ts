import { PassThrough } from 'node:stream';
import type { CommandIo } from '@lastpass-elastic/cli';

/** A CommandIo whose stdout and stderr are captured as text (for CLI tests). */
export function captureIo(
  cwd: string,
  env: NodeJS.ProcessEnv = {},
): CommandIo & { out: () => string; err: () => string } {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (c: Buffer) => (out += c.toString()));
  stderr.on('data', (c: Buffer) => (err += c.toString()));
  return { stdout, stderr, stdin: new PassThrough(), env, cwd, out: () => out, err: () => err };
}
