import { call, errorText, type Endpoint } from './http';
import { MANAGED_BY, type SetupPlan, type StreamAssets } from './assets';
import { SetupError } from './errors';
import { fail, Installer, metaOf, NO_WRITE, templateBody, type Change } from './installer';
import { installTransforms, transformPreflight } from './transforms';
import { isRecord, type JsonObject } from '../json';
import { compareVersions } from '../semver';

export { sameAsset, type AssetKind, type Change, type ChangeAction } from './installer';

export interface ElasticsearchSetupResult {
  clusterVersion: string;
  version: string;
  /** Package version found in the index templates before this run (per stream), if any. */
  previous: Record<string, string | undefined>;
  changes: Change[];
  /** False when the second of two identical runs found everything in place. */
  changed: boolean;
}

export interface SetupOptions {
  /** Allow a downgrade, overwrite Fleet-managed templates, accept an Elasticsearch older than 8.16. */
  force?: boolean;
}

/** Oldest Elasticsearch the package's pipelines and templates are written for. */
export const MIN_ELASTICSEARCH = '8.16.0';

/**
 * Installs the plan into Elasticsearch the way Fleet would (see `planAssets`), idempotently:
 * every asset is read first and written only when it differs; `@custom` hooks are created only when
 * absent. Version-aware: refuses a downgrade or Fleet-managed templates unless `force`; on an upgrade
 * the new pipelines are in place before the templates switch, existing data streams get the new
 * mappings (rollover when a mapping cannot change in place) and `index.default_pipeline`, and the
 * previous version's pipelines are deleted only once no index uses them. Then the transforms (see
 * `installTransforms`), after a pre-flight that refuses features the cluster lacks and transforms
 * owned by Fleet or newer than the package's.
 */
export async function setupElasticsearch(
  es: Endpoint,
  plan: SetupPlan,
  options: SetupOptions = {},
): Promise<ElasticsearchSetupResult> {
  const force = options.force ?? false;
  const root = await call(es, 'GET', '/');
  if (root.status !== 200) fail(es, 'GET /', root);
  const info = root.json;
  const clusterVersion =
    isRecord(info) && isRecord(info['version']) && typeof info['version']['number'] === 'string'
      ? info['version']['number']
      : undefined;
  if (clusterVersion === undefined || root.headers['x-elastic-product'] !== 'Elasticsearch') {
    throw new SetupError(
      'SETUP_REQUEST_FAILED',
      `${es.url} did not answer like Elasticsearch (no version / x-elastic-product header)`,
    );
  }
  if (!force && compareVersions(clusterVersion.replace(/-.*/, ''), MIN_ELASTICSEARCH) < 0) {
    throw new SetupError(
      'SETUP_UNSUPPORTED_VERSION',
      `Elasticsearch ${clusterVersion} is older than ${MIN_ELASTICSEARCH}, which the package's pipelines need (use --force to try anyway)`,
    );
  }
  const installer = new Installer(es);

  // Pre-flight for every stream before anything is written: downgrades and Fleet ownership.
  const previous: Record<string, string | undefined> = {};
  for (const stream of plan.streams) {
    const path = `/_index_template/${encodeURIComponent(stream.indexTemplate.name)}`;
    const meta = metaOf(
      templateBody(
        await installer.get(path, `GET index_template ${stream.indexTemplate.name}`),
        'index_template',
      ),
    );
    previous[stream.stream] = meta.version;
    if (force) continue;
    if (meta.managedBy === 'fleet') {
      throw new SetupError(
        'SETUP_DOWNGRADE_REFUSED',
        `index template ${stream.indexTemplate.name} is managed by Fleet (package ${meta.version ?? '?'}); upgrade through Kibana (setup --kibana) or pass --force`,
      );
    }
    if (meta.version !== undefined && compareVersions(meta.version, plan.version) > 0) {
      throw new SetupError(
        'SETUP_DOWNGRADE_REFUSED',
        `Elasticsearch has ${plan.packageName} ${meta.version} installed (${stream.indexTemplate.name}); refusing to downgrade to ${plan.version} (use --force)`,
      );
    }
  }

  const transforms = await transformPreflight(installer, plan, clusterVersion, force);

  for (const stream of plan.streams) {
    await installStream(installer, stream, previous[stream.stream]);
  }
  await installTransforms(installer, plan, transforms, force);
  const changed = installer.changes.some((c) => !NO_WRITE.has(c.action));
  return { clusterVersion, version: plan.version, previous, changes: installer.changes, changed };
}

async function installStream(
  installer: Installer,
  stream: StreamAssets,
  previous: string | undefined,
): Promise<void> {
  // 1. Pipelines first (siblings before the entry), so a switched template never points at a missing one.
  for (const pipeline of stream.pipelines) await installer.pipeline(pipeline);
  // 2. Component templates, then the index template that composes them.
  const packageAction = await installer.template('component_template', stream.packageComponent);
  for (const custom of stream.customComponents) await installer.template('component_template', custom, true);
  await installer.template('index_template', stream.indexTemplate);
  // 3. Existing data streams: new mappings and default pipeline (documents keep flowing throughout).
  if (previous !== undefined && (packageAction === 'updated' || previous !== metaVersionOf(stream))) {
    await updateDataStreams(installer, stream);
  }
  // 4. Pipelines of other versions, deleted once no index references them.
  await removeUnusedPipelines(installer, stream);
}

function metaVersionOf(stream: StreamAssets): string | undefined {
  return metaOf(stream.indexTemplate.body).version;
}

/** `logs-<dataset>-`: what every version's pipelines of this stream start with. */
function pipelinePrefix(stream: StreamAssets): string {
  return stream.entryPipeline.slice(0, stream.entryPipeline.length - (metaVersionOf(stream)?.length ?? 0));
}

async function updateDataStreams(installer: Installer, stream: StreamAssets): Promise<void> {
  const es = installer.es;
  const found = await installer.get(
    `/_data_stream/${encodeURIComponent(`${stream.indexTemplate.name}-*`)}`,
    'GET data streams',
  );
  const list =
    isRecord(found) && Array.isArray(found['data_streams']) ? (found['data_streams'] as unknown[]) : [];
  const template = stream.packageComponent.body['template'];
  const mappings = isRecord(template) && isRecord(template['mappings']) ? template['mappings'] : {};
  for (const entry of list) {
    const name = isRecord(entry) && typeof entry['name'] === 'string' ? entry['name'] : undefined;
    if (name === undefined) continue;
    const target = encodeURIComponent(name);
    const mapped = await call(es, 'PUT', `/${target}/_mapping`, { body: JSON.stringify(mappings) });
    if (mapped.status === 400) {
      const rolled = await call(es, 'POST', `/${target}/_rollover`);
      if (rolled.status !== 200) fail(es, `POST ${name}/_rollover`, rolled);
      installer.record(
        'data_stream',
        name,
        'rolled_over',
        `mappings could not change in place: ${errorText(mapped)}`,
      );
    } else if (mapped.status !== 200) fail(es, `PUT ${name}/_mapping`, mapped);
    // The final pipeline moves only when it is ours (or none): Fleet's own stays where Fleet put it.
    const current = await installer.get(`/${target}/_settings/index.final_pipeline`, `GET ${name}/_settings`);
    const finals = isRecord(current)
      ? Object.values(current).map((i) =>
          isRecord(i) && isRecord(i['settings']) && isRecord(i['settings']['index'])
            ? i['settings']['index']['final_pipeline']
            : undefined,
        )
      : [];
    const ours = (p: unknown): boolean =>
      p === undefined || (typeof p === 'string' && p.startsWith(pipelinePrefix(stream)));
    const index: JsonObject = { default_pipeline: stream.entryPipeline };
    if (finals.every(ours)) index['final_pipeline'] = stream.finalPipeline;
    const settings = await call(es, 'PUT', `/${target}/_settings`, { body: JSON.stringify({ index }) });
    if (settings.status !== 200) fail(es, `PUT ${name}/_settings`, settings);
    installer.record(
      'data_stream',
      name,
      'switched',
      Object.entries(index)
        .map(([k, v]) => `index.${k} = ${String(v)}`)
        .join(', '),
    );
  }
}

async function removeUnusedPipelines(installer: Installer, stream: StreamAssets): Promise<void> {
  const es = installer.es;
  const prefix = pipelinePrefix(stream);
  const found = await installer.get(
    `/_ingest/pipeline/${encodeURIComponent(`${prefix}*`)}`,
    'GET old pipelines',
  );
  if (!isRecord(found)) return;
  const current = new Set(stream.pipelines.map((p) => p.name));
  const groups = new Map<string, string[]>();
  for (const name of Object.keys(found)) {
    if (current.has(name)) continue;
    const version = /^(\d+\.\d+\.\d+)/.exec(name.slice(prefix.length))?.[1];
    if (version === undefined || !isRecord(found[name]) || metaOf(found[name]).managedBy !== MANAGED_BY)
      continue;
    groups.set(version, [...(groups.get(version) ?? []), name]);
  }
  if (groups.size === 0) return;
  const settings = await installer.get(
    `/${encodeURIComponent(`${stream.indexTemplate.name}-*`)}/_settings/index.default_pipeline,index.final_pipeline`,
    'GET index settings',
  );
  const inUse = new Set<string>();
  if (isRecord(settings)) {
    for (const index of Object.values(settings)) {
      const index_ =
        isRecord(index) && isRecord(index['settings']) && isRecord(index['settings']['index'])
          ? index['settings']['index']
          : {};
      for (const key of ['default_pipeline', 'final_pipeline'])
        if (typeof index_[key] === 'string') inUse.add(index_[key]);
    }
  }
  for (const names of groups.values()) {
    if (names.some((n) => inUse.has(n))) {
      for (const n of names)
        installer.record('pipeline', n, 'kept', 'still the default pipeline of an index');
      continue;
    }
    // The entry pipeline (shortest name) first: it is the one that calls the siblings.
    for (const n of [...names].sort((a, b) => a.length - b.length)) {
      const reply = await call(es, 'DELETE', `/_ingest/pipeline/${encodeURIComponent(n)}`);
      if (reply.status === 200) installer.record('pipeline', n, 'deleted', 'previous package version');
      else installer.record('pipeline', n, 'kept', errorText(reply));
    }
  }
}
