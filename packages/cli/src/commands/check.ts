import { existsSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { CheckResult, Finding } from '@lastpass-elastic/package-tools';
import { parseFlags, UsageError, type Command, type CommandIo } from '../command';
import { resolvePackageRoot } from '../package-root';

/** `--spec` as an absolute path; a usage error unless it is a package-spec checkout. */
export function specDirFlag(io: CommandIo, value: string): string {
  const dir = resolve(io.cwd, value);
  if (!existsSync(join(dir, 'spec', 'integration', 'spec.yml')))
    throw new UsageError(`--spec: expected a package-spec checkout (spec/integration/spec.yml), got ${dir}`);
  return dir;
}

/** `--out` as an absolute path; a usage error when it exists but is not a folder. */
export function outDirFlag(io: CommandIo, value: string): string {
  const dir = resolve(io.cwd, value);
  if (existsSync(dir) && !statSync(dir).isDirectory())
    throw new UsageError(`--out: expected a folder, got the file ${dir}`);
  return dir;
}

export function printCheck(result: CheckResult, formatFinding: (f: Finding) => string, io: CommandIo): void {
  for (const notice of result.notices) io.stdout.write(`notice: ${notice}\n`);
  for (const f of result.findings) io.stdout.write(`${formatFinding(f)}\n`);
  const parts = [
    `schema+structure ${result.ran.schema ? `checked (format_version ${result.formatVersion ?? '?'})` : 'skipped'}`,
    `docs ${result.ran.docs ? 'checked' : 'skipped'}`,
  ];
  const verdict =
    result.findings.length === 0
      ? 'ok'
      : `${result.findings.length} problem${result.findings.length === 1 ? '' : 's'}`;
  io.stdout.write(`check (${result.mode} mode) ${result.root}: ${verdict}; ${parts.join(', ')}\n`);
}

export const check: Command = {
  name: 'check',
  summary: 'validate the integration package offline (package-spec + semantic rules)',
  usage: 'lastpass-elastic check [--root <dir>] [--mode source|build] [--spec <package-spec dir>] [--json]',
  async run(argv, io) {
    const { values } = parseFlags(argv, {
      root: { type: 'string' },
      mode: { type: 'string' },
      spec: { type: 'string' },
      json: { type: 'boolean' },
    });
    const mode = values.mode ?? 'source';
    if (mode !== 'source' && mode !== 'build')
      throw new UsageError(`--mode must be "source" or "build", got "${mode}"`);
    const root = resolvePackageRoot(io, values.root);
    const { checkPackage, formatFinding } = await import('@lastpass-elastic/package-tools');
    const result = checkPackage(root, {
      mode,
      ...(values.spec !== undefined ? { specDir: specDirFlag(io, values.spec) } : {}),
    });
    if (values.json === true) io.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
    else printCheck(result, formatFinding, io);
    return result.findings.length === 0 ? 0 : 1;
  },
};
