import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { UsageError, type CommandIo } from './command';

/**
 * The integration package a command works on: `--root`; else `LASTPASS_ELASTIC_PACKAGE_DIR`; else the working
 * directory when it holds a package; else the package this command was installed with (the repository checkout,
 * or the root of the installed `npm pack` tarball, which has the repository's layout). A usage error naming the
 * source unless the folder holds a manifest.yml.
 */
export function resolvePackageRoot(io: CommandIo, flag: string | undefined): string {
  const envDir = io.env.LASTPASS_ELASTIC_PACKAGE_DIR;
  let source: string;
  let root: string;
  if (flag !== undefined) {
    [source, root] = ['--root', resolve(io.cwd, flag)];
  } else if (envDir !== undefined && envDir !== '') {
    [source, root] = ['LASTPASS_ELASTIC_PACKAGE_DIR', resolve(io.cwd, envDir)];
  } else if (existsSync(join(io.cwd, 'manifest.yml'))) {
    [source, root] = ['the working directory', io.cwd];
  } else {
    // dist/ of packages/cli → the repository (or installed package) root.
    [source, root] = ['the installed package', resolve(__dirname, '..', '..', '..')];
  }
  if (!existsSync(join(root, 'manifest.yml'))) {
    throw new UsageError(`${source}: expected a package folder with a manifest.yml, got ${root}`);
  }
  return root;
}
