import { parseFlags, type Command } from '../command';
import { outDirFlag, specDirFlag } from './check';
import { resolvePackageRoot } from '../package-root';

export const build: Command = {
  name: 'build',
  summary: 'build build/packages/<name>-<version>.zip and check it in build mode',
  usage: 'lastpass-elastic build [--root <dir>] [--out <dir>] [--spec <package-spec dir>]',
  async run(argv, io) {
    const { values } = parseFlags(argv, {
      root: { type: 'string' },
      out: { type: 'string' },
      spec: { type: 'string' },
    });
    const root = resolvePackageRoot(io, values.root);
    const options = {
      ...(values.out !== undefined ? { outDir: outDirFlag(io, values.out) } : {}),
      ...(values.spec !== undefined ? { specDir: specDirFlag(io, values.spec) } : {}),
    };
    const { BuildError, buildPackage, formatFinding } = await import('@lastpass-elastic/package-tools');
    try {
      const result = buildPackage(root, options);
      io.stdout.write(
        `built ${result.zipPath} (${result.bytes} bytes, ${result.files} files); build-mode check and Kibana archive rules passed\n`,
      );
      return 0;
    } catch (error) {
      if (!(error instanceof BuildError)) throw error;
      for (const f of error.findings) io.stdout.write(`${formatFinding(f)}\n`);
      io.stderr.write(`lastpass-elastic build: ${error.message}\n`);
      return 1;
    }
  },
};
