import { parseFlags, type Command } from '../command';
import { resolvePackageRoot } from '../package-root';

export const docs: Command = {
  name: 'docs',
  summary: 'render docs/README.md from _dev/build/docs/README.md (--check: fail when stale)',
  usage: 'lastpass-elastic docs [--root <dir>] [--check]',
  async run(argv, io) {
    const { values } = parseFlags(argv, { root: { type: 'string' }, check: { type: 'boolean' } });
    const root = resolvePackageRoot(io, values.root);
    const { docsAreCurrent, writeDocs } = await import('@lastpass-elastic/package-tools');
    if (values.check === true) {
      if (docsAreCurrent(root)) {
        io.stdout.write('docs/README.md is up to date\n');
        return 0;
      }
      io.stderr.write(
        'docs/README.md is stale: run `lastpass-elastic docs` (or `npm run docs`) and commit it\n',
      );
      return 1;
    }
    io.stdout.write(writeDocs(root) ? 'docs/README.md written\n' : 'docs/README.md already up to date\n');
    return 0;
  },
};
