import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { CollectorError } from '../errors';

const PACKAGE_NAME_RE = /^name:\s*lastpass_enterprise\s*$/m;

function isPackageRoot(dir: string): boolean {
  const manifest = join(dir, 'manifest.yml');
  return existsSync(manifest) && PACKAGE_NAME_RE.test(readFileSync(manifest, 'utf8'));
}

/**
 * Where the integration package (manifest.yml, data_stream/…/ingest_pipeline) is: `LASTPASS_ELASTIC_PACKAGE_DIR`,
 * else the nearest folder above this code holding it: the repository checkout, or the root of the installed
 * `npm run pack:cli` tarball (which has the repository's layout).
 */
export function findPackageRoot(env: NodeJS.ProcessEnv, from: string = __dirname): string {
  const configured = env.LASTPASS_ELASTIC_PACKAGE_DIR;
  if (configured !== undefined && configured !== '') {
    const dir = resolve(configured);
    if (!isPackageRoot(dir))
      throw new CollectorError(
        'PIPELINE_UNAVAILABLE',
        `LASTPASS_ELASTIC_PACKAGE_DIR: ${dir} holds no lastpass_enterprise manifest.yml`,
      );
    return dir;
  }
  for (let dir = resolve(from); ; dir = dirname(dir)) {
    if (isPackageRoot(dir)) return dir;
    if (dirname(dir) === dir) break;
  }
  throw new CollectorError(
    'PIPELINE_UNAVAILABLE',
    'cannot find the lastpass_enterprise package (its ingest pipelines make the NDJSON documents); set LASTPASS_ELASTIC_PACKAGE_DIR',
  );
}
