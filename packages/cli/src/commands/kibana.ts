import { parseFlags, type Command } from '../command';
import { resolvePackageRoot } from '../package-root';

export const kibana: Command = {
  name: 'kibana',
  summary:
    'generate kibana/ (dashboards, data views, detection rules) from _dev/shared/kibana/ (--check: fail when stale)',
  usage: 'lastpass-elastic kibana [--root <dir>] [--check]',
  async run(argv, io) {
    const { values } = parseFlags(argv, { root: { type: 'string' }, check: { type: 'boolean' } });
    const root = resolvePackageRoot(io, values.root);
    const { KibanaDefinitionError, kibanaAssetsDrift, writeKibanaAssets } =
      await import('@lastpass-elastic/package-tools');
    try {
      if (values.check === true) {
        const drift = kibanaAssetsDrift(root);
        if (drift === undefined) {
          io.stderr.write(`lastpass-elastic kibana: no definitions in ${root}/_dev/shared/kibana\n`);
          return 1;
        }
        const stale = [
          ...drift.stale.map((f) => `stale ${f}`),
          ...drift.extra.map((f) => `not generated ${f}`),
        ];
        if (stale.length === 0) {
          io.stdout.write('kibana/ is up to date with _dev/shared/kibana/\n');
          return 0;
        }
        for (const line of stale) io.stdout.write(`${line}\n`);
        io.stderr.write('kibana/ is stale: run `lastpass-elastic kibana` and commit the result\n');
        return 1;
      }
      const { written, removed } = writeKibanaAssets(root);
      for (const f of written) io.stdout.write(`wrote ${f}\n`);
      for (const f of removed) io.stdout.write(`removed ${f}\n`);
      io.stdout.write(
        written.length + removed.length === 0
          ? 'kibana/ already up to date\n'
          : `${written.length} written, ${removed.length} removed\n`,
      );
      return 0;
    } catch (error) {
      if (error instanceof KibanaDefinitionError) {
        io.stderr.write(`lastpass-elastic kibana: ${error.message} [${error.code}]\n`);
        return 1;
      }
      throw error;
    }
  },
};
