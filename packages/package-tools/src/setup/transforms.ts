import { call, type Endpoint, type Reply } from './http';
import { MANAGED_BY, type SetupPlan, type TransformAssets } from './assets';
import { SetupError } from './errors';
import { fail, sameAsset, type Installer } from './installer';
import { isRecord, type JsonObject } from '../json';
import { compareVersions } from '../semver';

/**
 * Transform features and the first Elasticsearch version that accepts them in a create-transform
 * body (its parser is strict: an older cluster answers 400 "unknown field"). Sources: Elasticsearch's
 * SettingsConfig wire versions for `settings.*`; elastic/elasticsearch#94943 (8.8) for `dest.aliases`.
 */
export const TRANSFORM_FEATURES: readonly { feature: string; since: string }[] = [
  { feature: 'settings.dates_as_epoch_millis', since: '7.11.0' },
  { feature: 'settings.align_checkpoints', since: '7.15.0' },
  { feature: 'settings.use_point_in_time', since: '7.16.1' },
  { feature: 'settings.deduce_mappings', since: '8.1.0' },
  { feature: 'settings.num_failure_retries', since: '8.4.0' },
  { feature: 'settings.unattended', since: '8.5.0' },
  { feature: 'dest.aliases', since: '8.8.0' },
];

/** The features of a create-transform body the cluster version does not know yet. */
export function unmetTransformFeatures(
  body: JsonObject,
  clusterVersion: string,
): { feature: string; since: string }[] {
  const core = clusterVersion.replace(/-.*/, '');
  return TRANSFORM_FEATURES.filter(({ feature, since }) => {
    const [section = '', key = ''] = feature.split('.');
    const part = body[section];
    return isRecord(part) && part[key] !== undefined && compareVersions(core, since) < 0;
  });
}

/** What a 403 on a transform means: the cluster privilege, and the index privileges the transform runs with. */
function transformPrivileges(t: TransformAssets): string {
  const source = t.body['source'];
  const index = isRecord(source) ? source['index'] : undefined;
  const sources = (Array.isArray(index) ? index : [index]).filter((i) => typeof i === 'string').join(', ');
  return `the user needs the manage_transform cluster privilege (role transform_admin), and the transform runs with the user's roles: read and view_index_metadata on ${sources}; read, create_index, index, delete (retention) and manage (the alias) on ${[t.destIndex, ...t.aliases].join(', ')}`;
}

interface Installed {
  id: string;
  raw: JsonObject;
  managedBy: string | undefined;
  destIndex: string | undefined;
}

export interface TransformPreflight {
  /** Per transform name: installed transforms of any version, and why it is skipped (if it is). */
  byName: Map<string, { installed: Installed[]; skip?: string }>;
}

function installedOf(reply: unknown): Installed[] {
  const list =
    isRecord(reply) && Array.isArray(reply['transforms']) ? (reply['transforms'] as unknown[]) : [];
  return list.filter(isRecord).flatMap((raw) => {
    if (typeof raw['id'] !== 'string') return [];
    const meta = isRecord(raw['_meta']) ? raw['_meta'] : {};
    const dest = isRecord(raw['dest']) ? raw['dest'] : {};
    return [
      {
        id: raw['id'],
        raw,
        managedBy: typeof meta['managed_by'] === 'string' ? meta['managed_by'] : undefined,
        destIndex: typeof dest['index'] === 'string' ? dest['index'] : undefined,
      },
    ];
  });
}

/**
 * Before anything is written: features the cluster lacks (refused, or the transform skipped with
 * `force`), installed versions of each transform, and ownership (Fleet's, someone else's or newer
 * transforms are replaced only with `force`).
 */
export async function transformPreflight(
  installer: Installer,
  plan: SetupPlan,
  clusterVersion: string,
  force: boolean,
): Promise<TransformPreflight> {
  const byName: TransformPreflight['byName'] = new Map();
  for (const t of plan.transforms) {
    const unmet = unmetTransformFeatures(t.body, clusterVersion);
    const skip =
      unmet.length === 0
        ? undefined
        : `uses ${unmet.map((u) => `${u.feature} (Elasticsearch ${u.since}+)`).join(', ')}; this cluster is ${clusterVersion}`;
    if (skip !== undefined && !force)
      throw new SetupError('SETUP_UNSUPPORTED_VERSION', `transform ${t.name} ${skip}`);
    if (skip !== undefined) {
      byName.set(t.name, { installed: [], skip });
      continue;
    }
    const installed = installedOf(
      await installer.get(
        `/_transform/${encodeURIComponent(t.idPrefix)}*`,
        `GET transform ${t.idPrefix}*`,
        transformPrivileges(t),
      ),
    ).filter((i) => i.id.startsWith(t.idPrefix));
    if (!force) {
      for (const i of installed) {
        if (i.managedBy !== MANAGED_BY)
          throw new SetupError(
            'SETUP_DOWNGRADE_REFUSED',
            i.managedBy === 'fleet'
              ? `transform ${i.id} is managed by Fleet; upgrade through Kibana (setup --kibana) or pass --force`
              : `transform ${i.id} was not installed by lastpass-elastic setup (managed_by ${i.managedBy ?? 'unset'}); pass --force to replace it`,
          );
        const version = i.id.slice(t.idPrefix.length);
        if (compareVersions(version, t.fleetTransformVersion) > 0)
          throw new SetupError(
            'SETUP_DOWNGRADE_REFUSED',
            `Elasticsearch has transform ${i.id} (fleet_transform_version ${version}); refusing to replace it with the older ${t.id} (use --force)`,
          );
      }
    }
    byName.set(t.name, { installed });
  }
  return { byName };
}

/** A 200 (or one of `ok`), else the one-line error for this transform request. */
function expect200(
  es: Endpoint,
  reply: Reply,
  what: string,
  t: TransformAssets,
  ok: readonly number[] = [],
): void {
  if (reply.status === 200 || ok.includes(reply.status)) return;
  if (reply.status === 409 && what.startsWith('PUT'))
    throw new SetupError(
      'SETUP_VERSION_CONFLICT',
      `${what}: the transform was created meanwhile by someone else (409); run setup again`,
    );
  fail(es, what, reply, transformPrivileges(t));
}

/** Fleet's removal: stop with force, then delete (force), keeping the destination index. */
async function remove(installer: Installer, t: TransformAssets, id: string): Promise<void> {
  const es = installer.es;
  const path = `/_transform/${encodeURIComponent(id)}`;
  expect200(es, await call(es, 'POST', `${path}/_stop?force=true`), `POST transform ${id}/_stop`, t, [404]);
  expect200(es, await call(es, 'DELETE', `${path}?force=true`), `DELETE transform ${id}`, t, [404]);
}

async function create(installer: Installer, t: TransformAssets): Promise<void> {
  const es = installer.es;
  const reply = await call(es, 'PUT', `/_transform/${encodeURIComponent(t.id)}?defer_validation=true`, {
    body: JSON.stringify(t.body),
  });
  expect200(es, reply, `PUT transform ${t.id}`, t);
}

async function start(installer: Installer, t: TransformAssets): Promise<void> {
  const es = installer.es;
  const reply = await call(es, 'POST', `/_transform/${encodeURIComponent(t.id)}/_start`);
  // 409: already started (by someone else in between) — what we wanted.
  expect200(es, reply, `POST transform ${t.id}/_start`, t, [409]);
  installer.record('transform', t.id, 'started');
}

async function state(installer: Installer, t: TransformAssets): Promise<{ state?: string; reason?: string }> {
  const stats = await installer.get(
    `/_transform/${encodeURIComponent(t.id)}/_stats`,
    `GET transform ${t.id}/_stats`,
    transformPrivileges(t),
  );
  const first: unknown =
    isRecord(stats) && Array.isArray(stats['transforms']) ? (stats['transforms'] as unknown[])[0] : undefined;
  if (!isRecord(first)) return {};
  return {
    ...(typeof first['state'] === 'string' ? { state: first['state'] } : {}),
    ...(typeof first['reason'] === 'string' ? { reason: first['reason'] } : {}),
  };
}

/**
 * Installs the plan's transforms as Fleet does (after the data streams' assets): other versions of
 * the transform stopped and deleted (their destination index kept), the destination index template,
 * the transform (`defer_validation`), then `_start` unless manifest.yml says `start: false`.
 * Idempotent: an installed transform equal to the package's is left alone (started again only if it
 * is stopped); one that differs under the same id is kept unless `force`.
 */
export async function installTransforms(
  installer: Installer,
  plan: SetupPlan,
  preflight: TransformPreflight,
  force: boolean,
): Promise<void> {
  for (const t of plan.transforms) {
    const found = preflight.byName.get(t.name);
    if (found?.skip !== undefined) {
      installer.record('transform', t.id, 'skipped', found.skip);
      continue;
    }
    const installed = found?.installed ?? [];
    for (const old of installed.filter((i) => i.id !== t.id)) {
      await remove(installer, t, old.id);
      installer.record('transform', old.id, 'deleted', `replaced by ${t.id}`);
      if (old.destIndex !== undefined && old.destIndex !== t.destIndex) {
        const exists = await call(installer.es, 'HEAD', `/${encodeURIComponent(old.destIndex)}`);
        if (exists.status === 200)
          installer.record(
            'index',
            old.destIndex,
            'kept',
            `destination of ${old.id}; the alias moves to ${t.destIndex} when ${t.id} starts; delete it when no longer needed`,
          );
      }
    }
    await installer.template('component_template', t.packageComponent);
    await installer.template('index_template', t.indexTemplate);
    const current = installed.find((i) => i.id === t.id);
    let fresh = true;
    if (current === undefined) {
      await create(installer, t);
      installer.record('transform', t.id, 'created');
    } else if (sameAsset(current.raw, t.body)) {
      installer.record('transform', t.id, 'unchanged');
      fresh = false;
    } else if (force) {
      await remove(installer, t, t.id);
      await create(installer, t);
      installer.record('transform', t.id, 'updated', 'differed from the package: replaced (--force)');
    } else {
      installer.record(
        'transform',
        t.id,
        'kept',
        "differs from the package's definition under the same id; raise _meta.fleet_transform_version (or use --force) to replace it",
      );
      fresh = false;
    }
    if (!t.start) continue;
    if (fresh) {
      await start(installer, t);
      continue;
    }
    const now = await state(installer, t);
    if (now.state === 'stopped') await start(installer, t);
    else if (now.state === 'failed')
      installer.record(
        'transform',
        t.id,
        'kept',
        `failed${now.reason === undefined ? '' : `: ${now.reason}`}; fix the cause, then POST _transform/${t.id}/_stop?force=true and run setup again`,
      );
  }
}
