import { unzipSync } from 'fflate';
import { parse } from 'yaml';
import { z } from 'zod';
import { call, errorText, type Endpoint, type Reply } from './http';
import { SetupError } from './errors';
import { isRecord } from '../json';
import { compareVersions } from '../semver';

/** Fleet's public API version header value (Kibana 8.x and 9.x accept it). */
export const FLEET_API_VERSION = '2023-10-31';

export interface PackageArchive {
  name: string;
  version: string;
  zip: Uint8Array;
}

export interface KibanaSetupResult {
  action: 'installed' | 'updated' | 'unchanged' | 'reinstalled' | 'downgraded';
  version: string;
  previous: string | undefined;
  /** Assets Fleet reported (`items`), when an upload happened. */
  assets: number | undefined;
}

const manifestSchema = z.looseObject({ name: z.string().min(1), version: z.string().min(1) });

/** Reads name and version from a package zip (`<name>-<version>/manifest.yml`) and checks the folder name. */
export function readArchive(zip: Uint8Array, source: string): PackageArchive {
  let files: Record<string, Uint8Array>;
  try {
    files = unzipSync(zip, { filter: (f) => /^[^/]+\/manifest\.yml$/.test(f.name) });
  } catch {
    throw new SetupError('SETUP_INVALID_PACKAGE', `${source} is not a zip archive`);
  }
  const [path, data] = Object.entries(files)[0] ?? [];
  if (path === undefined || data === undefined)
    throw new SetupError('SETUP_INVALID_PACKAGE', `${source} has no <name>-<version>/manifest.yml`);
  const parsed = manifestSchema.safeParse(parse(Buffer.from(data).toString('utf8')));
  if (!parsed.success)
    throw new SetupError('SETUP_INVALID_PACKAGE', `${source}: ${path} needs name and version`);
  const { name, version } = parsed.data;
  if (path !== `${name}-${version}/manifest.yml`) {
    throw new SetupError(
      'SETUP_INVALID_PACKAGE',
      `${source}: top folder must be ${name}-${version}/ (Kibana refuses other layouts)`,
    );
  }
  return { name, version, zip };
}

const fleetHeaders = { 'kbn-xsrf': 'true', 'elastic-api-version': FLEET_API_VERSION };

const packageInfoSchema = z.looseObject({
  item: z.looseObject({
    status: z.string().optional(),
    version: z.string().optional(),
    installationInfo: z.looseObject({ version: z.string().optional() }).optional(),
    savedObject: z
      .looseObject({ attributes: z.looseObject({ version: z.string().optional() }).optional() })
      .nullish(),
  }),
});

/** One line per Fleet failure, naming the cause (no response headers or credentials are echoed). */
export function explainKibanaError(kibana: Endpoint, what: string, reply: Reply): SetupError {
  const message = errorText(reply);
  switch (reply.status) {
    case 401:
      return new SetupError(
        'SETUP_AUTH_FAILED',
        `Kibana refused the credentials (401) on ${what}; check ELASTICSEARCH_API_KEY or ELASTICSEARCH_USERNAME/PASSWORD`,
      );
    case 403:
      return new SetupError(
        'SETUP_FORBIDDEN',
        `Kibana denied ${what} (403): the user needs the Integrations "all" and Fleet agent policies "all" privileges (${message})`,
      );
    case 409:
      return new SetupError(
        'SETUP_VERSION_CONFLICT',
        `Fleet reports a version conflict (409) on ${what}: ${message} — another install of this package may be running; retry shortly`,
      );
    case 413:
      return new SetupError(
        'SETUP_TOO_LARGE',
        `Kibana refused the upload as too large (413): the archive must be under 100 MB`,
      );
    case 429:
      return new SetupError(
        'SETUP_RATE_LIMITED',
        `Fleet rate-limits uploads (429, one per 10 s per Kibana): ${message}`,
      );
    case 400:
      return new SetupError('SETUP_PACKAGE_REJECTED', `Fleet rejected the package (400): ${message}`);
    default:
      return new SetupError(
        'SETUP_REQUEST_FAILED',
        `${kibana.label} ${what} failed (HTTP ${reply.status}): ${message}`,
      );
  }
}

/** The version Fleet reports as installed, or undefined when the package is not installed. */
export async function installedVersion(kibana: Endpoint, name: string): Promise<string | undefined> {
  const what = `GET /api/fleet/epm/packages/${name}`;
  const reply = await call(kibana, 'GET', `/api/fleet/epm/packages/${encodeURIComponent(name)}`, {
    headers: fleetHeaders,
  });
  if (reply.status === 404) return undefined;
  if (reply.status !== 200) throw explainKibanaError(kibana, what, reply);
  const parsed = packageInfoSchema.safeParse(reply.json);
  if (!parsed.success) throw new SetupError('SETUP_REQUEST_FAILED', `${what}: unexpected answer (no "item")`);
  const item = parsed.data.item;
  if (item.status !== 'installed') return undefined;
  return item.installationInfo?.version ?? item.savedObject?.attributes?.version ?? item.version;
}

/**
 * Uploads the package zip to Fleet (`POST /api/fleet/epm/packages`, `Content-Type: application/zip`,
 * `kbn-xsrf`, `elastic-api-version`) after asking Fleet which version is installed: the same version
 * is left alone (unless `force`, which re-installs), an older one is upgraded, a newer one is a
 * refused downgrade unless `force`.
 */
export async function setupKibana(
  kibana: Endpoint,
  archive: PackageArchive,
  options: { force?: boolean } = {},
): Promise<KibanaSetupResult> {
  const force = options.force ?? false;
  const previous = await installedVersion(kibana, archive.name);
  const order = previous === undefined ? undefined : compareVersions(archive.version, previous);
  if (order === 0 && !force)
    return { action: 'unchanged', version: archive.version, previous, assets: undefined };
  if (order !== undefined && order < 0 && !force) {
    throw new SetupError(
      'SETUP_DOWNGRADE_REFUSED',
      `Kibana has ${archive.name} ${previous ?? '?'} installed; refusing to downgrade to ${archive.version} (use --force)`,
    );
  }
  const reply = await call(kibana, 'POST', '/api/fleet/epm/packages', {
    body: archive.zip,
    headers: { ...fleetHeaders, 'content-type': 'application/zip' },
  });
  if (reply.status !== 200) throw explainKibanaError(kibana, 'POST /api/fleet/epm/packages', reply);
  const items =
    isRecord(reply.json) && Array.isArray(reply.json['items']) ? reply.json['items'].length : undefined;
  const action =
    previous === undefined
      ? 'installed'
      : order === 0
        ? 'reinstalled'
        : order !== undefined && order < 0
          ? 'downgraded'
          : 'updated';
  return { action, version: archive.version, previous, assets: items };
}
