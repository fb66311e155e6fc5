import { closeSync, fsyncSync, mkdirSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { ReportError } from './errors';

/**
 * Writes every file of `files` into `dir` so that none is ever half-written: each goes to a temporary file
 * (fsync) first, and only when all are written are they renamed into place. On failure the temporary
 * files are removed and the previous outputs, if any, stay as they were.
 */
export function writeAtomically(dir: string, files: Record<string, string>): string[] {
  const reason = (error: unknown): string => String((error as { code?: unknown }).code ?? error);
  try {
    mkdirSync(dir, { recursive: true });
  } catch (error) {
    throw new ReportError('REPORT_OUTPUT_UNWRITABLE', `--out: cannot create ${dir} (${reason(error)})`);
  }
  const staged: [string, string][] = [];
  try {
    for (const [name, text] of Object.entries(files)) {
      const final = join(dir, name);
      const tmp = `${final}.tmp-${process.pid}`;
      staged.push([tmp, final]);
      const fd = openSync(tmp, 'w', 0o644);
      try {
        writeSync(fd, text);
        fsyncSync(fd);
      } finally {
        closeSync(fd);
      }
    }
    for (const [tmp, final] of staged) renameSync(tmp, final);
  } catch (error) {
    for (const [tmp] of staged) rmSync(tmp, { force: true });
    throw new ReportError('REPORT_OUTPUT_UNWRITABLE', `--out: cannot write into ${dir} (${reason(error)})`);
  }
  return staged.map(([, final]) => final);
}
