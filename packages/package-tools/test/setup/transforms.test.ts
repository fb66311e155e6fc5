import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { startFakeElasticsearch, type FakeElasticsearch } from '@lastpass-elastic/ingest';
import { loadPackage, transformDestinations } from '@lastpass-elastic/package-model';
import {
  endpointFromEnv,
  planAssets,
  setupElasticsearch,
  unmetTransformFeatures,
  type SetupPlan,
  type TransformAssets,
} from '../../src';
import { Installer } from '../../src/setup/installer';
import { transformPreflight } from '../../src/setup/transforms';

const ROOT = resolve(__dirname, '../../../..');
const NOW = new Date('2024-06-01T00:00:00Z');
const KEY = 'a2V5OnNlY3JldA==';
const USER_TRANSFORM = join('elasticsearch', 'transform', 'latest_user', 'transform.yml');

/** A copy of the package with edited files (path relative to the root → edit of its text). */
function planWith(edits: Record<string, (text: string) => string>): { plan: SetupPlan; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'lpe-setup-transforms-'));
  for (const entry of ['manifest.yml', 'changelog.yml', 'data_stream', 'elasticsearch'])
    cpSync(join(ROOT, entry), join(dir, entry), { recursive: true });
  for (const [file, edit] of Object.entries(edits))
    writeFileSync(join(dir, file), edit(readFileSync(join(dir, file), 'utf8')));
  return {
    plan: planAssets(loadPackage(dir)),
    cleanup: () => {
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

const bumped = (version: string, destSuffix?: string) => (text: string) => {
  const out = text.replace('fleet_transform_version: 0.1.0', `fleet_transform_version: ${version}`);
  return destSuffix === undefined ? out : out.replace('dest_user-1"', `dest_user-${destSuffix}"`);
};

describe('setup --elasticsearch: the latest-state transforms, as Fleet installs them', () => {
  const pkg = loadPackage(ROOT);
  const plan = planAssets(pkg);
  const user = plan.transforms.find((t) => t.name === 'latest_user')!;
  let fake: FakeElasticsearch;
  beforeEach(async () => {
    fake = await startFakeElasticsearch({ now: () => NOW, auth: { apiKey: KEY } });
  });
  afterEach(async () => {
    await fake.close();
  });
  const endpoint = () =>
    endpointFromEnv('Elasticsearch', '--elasticsearch', fake.url, { ELASTICSEARCH_API_KEY: KEY });
  const writes = () =>
    fake.requests
      .filter((r) => r.method !== 'GET' && r.method !== 'HEAD')
      .map((r) => `${r.method} ${r.path}`);
  const transformWrites = () => writes().filter((w) => /_transform|transform\.|latest/.test(w));

  it("plans Fleet's names, priority, composition, settings and _meta from the package", () => {
    expect(plan.transforms.map((t) => t.id)).toEqual(transformDestinations(pkg).map((d) => d.transformId));
    expect(user).toMatchObject({
      id: 'logs-lastpass_enterprise.latest_user-default-0.1.0',
      idPrefix: 'logs-lastpass_enterprise.latest_user-default-',
      start: true,
      destIndex: 'logs-lastpass_enterprise_latest.dest_user-1',
      aliases: ['logs-lastpass_enterprise_latest.user'],
    });
    expect(user.indexTemplate).toEqual({
      name: 'logs-lastpass_enterprise.latest_user-template',
      body: {
        template: { settings: { index: { mapping: { ignore_malformed: true } } } },
        priority: 250,
        index_patterns: ['logs-lastpass_enterprise_latest.dest_user-1'],
        _meta: { package: { name: 'lastpass_enterprise' }, managed_by: 'lastpass-elastic', managed: true },
        composed_of: [
          'logs-lastpass_enterprise.latest_user-template@package',
          'logs-lastpass_enterprise.latest_user-template@custom',
          'ecs@mappings',
        ],
        ignore_missing_component_templates: [
          'logs-lastpass_enterprise.latest_user-template@custom',
          'ecs@mappings',
        ],
      },
    });
    const template = user.packageComponent.body['template'] as Record<string, Record<string, unknown>>;
    expect(template['settings']).toEqual({
      index: { codec: 'best_compression', mapping: { total_fields: { limit: 1000 } } },
    });
    const mappings = template['mappings']!;
    expect(mappings['dynamic']).toBe(false);
    const props = mappings['properties'] as Record<string, { properties: Record<string, unknown> }>;
    expect(props['lastpass_enterprise']?.properties['snapshot']).toEqual({
      properties: { id: { type: 'keyword', ignore_above: 1024 }, started_at: { type: 'date' } },
    });
    expect(props['data_stream']?.properties['namespace']).toEqual({ type: 'keyword', ignore_above: 1024 });
    // The transform body is transform.yml with Fleet's alias normalisation and _meta additions.
    expect(user.body['dest']).toEqual({
      index: 'logs-lastpass_enterprise_latest.dest_user-1',
      aliases: [{ alias: 'logs-lastpass_enterprise_latest.user', move_on_creation: true }],
    });
    expect(user.body['_meta']).toEqual({
      managed: true,
      run_as_kibana_system: false,
      fleet_transform_version: '0.1.0',
      package: { name: 'lastpass_enterprise' },
      managed_by: 'lastpass-elastic',
    });
    expect(Object.keys(user.body).sort()).toEqual(
      [
        '_meta',
        'description',
        'dest',
        'frequency',
        'latest',
        'retention_policy',
        'settings',
        'source',
        'sync',
      ].sort(),
    );
  });

  it('installs template, transform and start with the exact bodies; the destination index and alias appear; a second run makes 0 writes', async () => {
    const first = await setupElasticsearch(endpoint(), plan);
    expect(transformWrites()).toEqual(
      plan.transforms.flatMap((t) => [
        `PUT /_component_template/${encodeURIComponent(t.packageComponent.name)}`,
        `PUT /_index_template/${t.indexTemplate.name}`,
        `PUT /_transform/${t.id}?defer_validation=true`,
        `POST /_transform/${t.id}/_start`,
      ]),
    );
    const body = (path: string): unknown =>
      JSON.parse(fake.requests.find((r) => r.method !== 'GET' && r.path === path)?.body ?? 'null');
    for (const t of plan.transforms) {
      expect(body(`/_transform/${t.id}?defer_validation=true`)).toEqual(t.body);
      expect(body(`/_index_template/${t.indexTemplate.name}`)).toEqual(t.indexTemplate.body);
      expect(body(`/_component_template/${encodeURIComponent(t.packageComponent.name)}`)).toEqual(
        t.packageComponent.body,
      );
    }
    expect(first.changes.filter((c) => c.kind === 'transform')).toEqual(
      plan.transforms.flatMap((t) => [
        { kind: 'transform', name: t.id, action: 'created' },
        { kind: 'transform', name: t.id, action: 'started' },
      ]),
    );
    // What start did on the fake: a plain index from our priority-250 template (not a data stream from the
    // stack's `logs-*-*` template at 100), with the package mappings, behind the alias the dashboards read.
    for (const d of transformDestinations(pkg)) {
      const index = fake.cluster.indices.get(d.destIndex)!;
      expect(index.dataStream).toBeUndefined();
      expect(index.settings['index.codec']).toBe('best_compression');
      expect(index.settings['index.mapping.ignore_malformed']).toBe('true');
      expect(index.mappings['dynamic']).toBe(false);
      expect(fake.cluster.aliases.get(d.readName)).toEqual(new Set([d.destIndex]));
      expect(fake.cluster.transforms.get(d.transformId)?.state).toBe('started');
    }
    expect(fake.requests.every((r) => r.headers['authorization'] === `ApiKey ${KEY}`)).toBe(true);

    fake.requests.length = 0;
    const second = await setupElasticsearch(endpoint(), plan);
    expect(writes()).toEqual([]);
    expect(second.changed).toBe(false);
    expect(second.changes.filter((c) => c.kind === 'transform')).toEqual(
      plan.transforms.map((t) => ({ kind: 'transform', name: t.id, action: 'unchanged' })),
    );
  });

  it('starts a stopped transform again (one write); leaves a started one alone', async () => {
    await setupElasticsearch(endpoint(), plan);
    fake.cluster.transforms.get(user.id)!.state = 'stopped';
    fake.requests.length = 0;
    const again = await setupElasticsearch(endpoint(), plan);
    expect(writes()).toEqual([`POST /_transform/${user.id}/_start`]);
    expect(again.changes).toContainEqual({ kind: 'transform', name: user.id, action: 'started' });
  });

  it('does not start a transform whose manifest.yml says start: false', async () => {
    const manual = planWith({
      [join('elasticsearch', 'transform', 'latest_user', 'manifest.yml')]: (t) =>
        t.replace('start: true', 'start: false'),
    });
    try {
      await setupElasticsearch(endpoint(), manual.plan);
      expect(writes()).not.toContain(`POST /_transform/${user.id}/_start`);
      expect(fake.cluster.transforms.get(user.id)?.state).toBe('stopped');
      fake.requests.length = 0;
      await setupElasticsearch(endpoint(), manual.plan);
      expect(writes()).toEqual([]);
    } finally {
      manual.cleanup();
    }
  });

  it('a new fleet_transform_version replaces the old transform: stop + delete old, put + start new; the old destination index is kept and the alias moves', async () => {
    await setupElasticsearch(endpoint(), plan);
    const next = planWith({ [USER_TRANSFORM]: bumped('0.2.0', '2') });
    try {
      fake.requests.length = 0;
      const result = await setupElasticsearch(endpoint(), next.plan);
      const newId = 'logs-lastpass_enterprise.latest_user-default-0.2.0';
      expect(transformWrites().filter((w) => w.includes('latest_user'))).toEqual([
        `POST /_transform/${user.id}/_stop?force=true`,
        `DELETE /_transform/${user.id}?force=true`,
        `PUT /_index_template/${user.indexTemplate.name}`,
        `PUT /_transform/${newId}?defer_validation=true`,
        `POST /_transform/${newId}/_start`,
      ]);
      expect(result.changes).toEqual(
        expect.arrayContaining([
          { kind: 'transform', name: user.id, action: 'deleted', detail: `replaced by ${newId}` },
          {
            kind: 'index',
            name: 'logs-lastpass_enterprise_latest.dest_user-1',
            action: 'kept',
            detail: `destination of ${user.id}; the alias moves to logs-lastpass_enterprise_latest.dest_user-2 when ${newId} starts; delete it when no longer needed`,
          },
          { kind: 'transform', name: newId, action: 'created' },
          { kind: 'index_template', name: user.indexTemplate.name, action: 'updated' },
        ]),
      );
      expect([...fake.cluster.transforms.keys()].filter((id) => id.includes('latest_user'))).toEqual([newId]);
      expect(fake.cluster.indices.has('logs-lastpass_enterprise_latest.dest_user-1')).toBe(true);
      expect(fake.cluster.aliases.get('logs-lastpass_enterprise_latest.user')).toEqual(
        new Set(['logs-lastpass_enterprise_latest.dest_user-2']),
      );
      // The other transform did not change: nothing written for it.
      expect(transformWrites().filter((w) => w.includes('latest_shared_folder'))).toEqual([]);
      fake.requests.length = 0;
      expect((await setupElasticsearch(endpoint(), next.plan)).changed).toBe(false);
    } finally {
      next.cleanup();
    }
  });

  it('a version bump with the same destination index reuses it (nothing reported kept)', async () => {
    await setupElasticsearch(endpoint(), plan);
    const next = planWith({ [USER_TRANSFORM]: bumped('0.1.1') });
    try {
      const result = await setupElasticsearch(endpoint(), next.plan);
      expect(result.changes.filter((c) => c.kind === 'index')).toEqual([]);
      expect(fake.cluster.transforms.get('logs-lastpass_enterprise.latest_user-default-0.1.1')?.state).toBe(
        'started',
      );
    } finally {
      next.cleanup();
    }
  });

  it('refuses to replace a newer transform or one Fleet manages (nothing written) unless forced', async () => {
    const newer = planWith({ [USER_TRANSFORM]: bumped('0.9.0') });
    try {
      await setupElasticsearch(endpoint(), newer.plan);
      fake.requests.length = 0;
      await expect(setupElasticsearch(endpoint(), plan)).rejects.toMatchObject({
        code: 'SETUP_DOWNGRADE_REFUSED',
        message:
          'Elasticsearch has transform logs-lastpass_enterprise.latest_user-default-0.9.0 (fleet_transform_version 0.9.0); refusing to replace it with the older logs-lastpass_enterprise.latest_user-default-0.1.0 (use --force)',
      });
      expect(writes()).toEqual([]);
      await setupElasticsearch(endpoint(), plan, { force: true });
      expect([...fake.cluster.transforms.keys()].filter((id) => id.includes('latest_user'))).toEqual([
        user.id,
      ]);
    } finally {
      newer.cleanup();
    }
    const fleet = fake.cluster.transforms.get(user.id)!;
    fleet.config = { ...fleet.config, _meta: { managed_by: 'fleet' } };
    await expect(setupElasticsearch(endpoint(), plan)).rejects.toMatchObject({
      message: `transform ${user.id} is managed by Fleet; upgrade through Kibana (setup --kibana) or pass --force`,
    });
  });

  it('keeps a transform that differs under the same id (says why); --force replaces it', async () => {
    await setupElasticsearch(endpoint(), plan);
    const t = fake.cluster.transforms.get(user.id)!;
    t.config = { ...t.config, frequency: '1h' };
    fake.requests.length = 0;
    const kept = await setupElasticsearch(endpoint(), plan);
    expect(writes()).toEqual([]);
    expect(kept.changes).toContainEqual({
      kind: 'transform',
      name: user.id,
      action: 'kept',
      detail:
        "differs from the package's definition under the same id; raise _meta.fleet_transform_version (or use --force) to replace it",
    });
    const forced = await setupElasticsearch(endpoint(), plan, { force: true });
    expect(forced.changes).toContainEqual({
      kind: 'transform',
      name: user.id,
      action: 'updated',
      detail: 'differed from the package: replaced (--force)',
    });
    expect(fake.cluster.transforms.get(user.id)?.config['frequency']).toBe('5m');
    expect(fake.cluster.transforms.get(user.id)?.state).toBe('started');
  });

  it('is version-aware: features by Elasticsearch version; refused without --force, skipped with it', async () => {
    expect(unmetTransformFeatures(user.body, '8.16.0')).toEqual([]);
    expect(unmetTransformFeatures(user.body, '8.7.1')).toEqual([{ feature: 'dest.aliases', since: '8.8.0' }]);
    expect(unmetTransformFeatures(user.body, '8.4.3').map((f) => f.feature)).toEqual([
      'settings.unattended',
      'dest.aliases',
    ]);
    expect(unmetTransformFeatures(user.body, '8.0.0').map((f) => f.feature)).toEqual([
      'settings.deduce_mappings',
      'settings.unattended',
      'dest.aliases',
    ]);
    // Without --force the transform pre-flight refuses before anything is written (older clusters are
    // already refused by the 8.16 minimum, so the pre-flight is called directly here).
    const installer = new Installer(endpoint());
    await expect(transformPreflight(installer, plan, '8.7.1', false)).rejects.toMatchObject({
      code: 'SETUP_UNSUPPORTED_VERSION',
      message: `transform latest_shared_folder uses dest.aliases (Elasticsearch 8.8.0+); this cluster is 8.7.1`,
    });
    // With --force on an 8.4 cluster the rest installs and the transforms are skipped, saying why.
    const old = await startFakeElasticsearch({ version: '8.4.3' });
    try {
      const result = await setupElasticsearch(
        endpointFromEnv('Elasticsearch', '--elasticsearch', old.url, {}),
        plan,
        { force: true },
      );
      expect(old.requests.filter((r) => r.path.startsWith('/_transform'))).toEqual([]);
      expect(result.changes.filter((c) => c.kind === 'transform')).toEqual(
        plan.transforms.map((t) => ({
          kind: 'transform',
          name: t.id,
          action: 'skipped',
          detail:
            'uses settings.unattended (Elasticsearch 8.5.0+), dest.aliases (Elasticsearch 8.8.0+); this cluster is 8.4.3',
        })),
      );
      expect(old.cluster.transforms.size).toBe(0);
    } finally {
      await old.close();
    }
  });

  it('explains a 403 on the transform in one line naming the privileges, and never echoes the key', async () => {
    fake.faults.next({ kind: 'status', status: 403, method: 'PUT', path: '/_transform/' });
    const error: unknown = await setupElasticsearch(endpoint(), plan).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'SETUP_FORBIDDEN' });
    const message = (error as Error).message;
    expect(message).toBe(
      `Elasticsearch denied PUT transform ${plan.transforms[0]!.id} (403): the user needs the manage_transform cluster privilege (role transform_admin), and the transform runs with the user's roles: read and view_index_metadata on logs-lastpass_enterprise.detailed_shared_folder-*; read, create_index, index, delete (retention) and manage (the alias) on logs-lastpass_enterprise_latest.dest_detailed_shared_folder-1, logs-lastpass_enterprise_latest.detailed_shared_folder`,
    );
    expect(message).not.toContain(KEY);
    expect(message).not.toContain('\n');
    // A start refused for the transform's roles is reported the same way.
    fake.faults.next({ kind: 'status', status: 403, method: 'POST', path: '/_start' });
    await expect(setupElasticsearch(endpoint(), plan)).rejects.toMatchObject({
      code: 'SETUP_FORBIDDEN',
      message: expect.stringMatching(
        /^Elasticsearch denied POST transform .*\/_start \(403\): the user needs the manage_transform/,
      ),
    });
  });

  it('refuses a package whose Fleet transform id would exceed 64 characters', () => {
    const long = planWithFolder('latest_detailed_shared_folder');
    expect(long.error).toMatchObject({
      code: 'SETUP_INVALID_PACKAGE',
      message:
        "transform latest_detailed_shared_folder: Fleet's id logs-lastpass_enterprise.latest_detailed_shared_folder-default-0.1.0 has 68 characters; Elasticsearch refuses more than 64",
    });
  });
});

/** planAssets on a copy whose shared-folder transform lives in another folder (its error, if any). */
function planWithFolder(folder: string): { error: unknown; transforms?: TransformAssets[] } {
  const dir = mkdtempSync(join(tmpdir(), 'lpe-setup-transforms-'));
  try {
    for (const entry of ['manifest.yml', 'changelog.yml', 'data_stream', 'elasticsearch'])
      cpSync(join(ROOT, entry), join(dir, entry), { recursive: true });
    const base = join(dir, 'elasticsearch', 'transform');
    cpSync(join(base, 'latest_shared_folder'), join(base, folder), { recursive: true });
    rmSync(join(base, 'latest_shared_folder'), { recursive: true });
    return { error: undefined, transforms: planAssets(loadPackage(dir)).transforms };
  } catch (error) {
    return { error };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
