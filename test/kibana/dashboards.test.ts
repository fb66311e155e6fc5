// The generated dashboards against the requirements, and the posture / exposure tiles evaluated
// (by our instruments, see support.ts) on the latest state the transform would hold after two snapshots,
// one user and one folder member having disappeared from LastPass in the second.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { kqlValuesOf, parseKql } from '@lastpass-elastic/package-tools';
import {
  AccountZone,
  createTenant,
  resolveOptions,
  type SimSharedFolder,
  type SimUser,
} from '@lastpass-elastic/simulator';
import {
  evaluateTile,
  folderSnapshot,
  latest,
  ROOT,
  savedObjects,
  userSnapshot,
  type SavedObject,
} from './support';

const dashboards = savedObjects('dashboard');
const rules = savedObjects('security_rule');
const dashboard = (id: string): SavedObject => {
  const d = dashboards.find((x) => x.id === id);
  if (!d) throw new Error(`no dashboard ${id}`);
  return d;
};
type Panel = Record<string, unknown>;
const panelsOf = (d: SavedObject): Panel[] => d.attributes['panelsJSON'] as Panel[];
const lensAttrs = (p: Panel): Record<string, unknown> =>
  (p['embeddableConfig'] as Record<string, unknown>)['attributes'] as Record<string, unknown>;
const filtersOf = (d: SavedObject): Record<string, unknown>[] =>
  (
    (d.attributes['kibanaSavedObjectMeta'] as Record<string, unknown>)['searchSourceJSON'] as Record<
      string,
      unknown
    >
  )['filter'] as Record<string, unknown>[];
const LATEST_VIEWS = new Set([
  'lastpass_enterprise-latest-user',
  'lastpass_enterprise-latest-detailed-shared-folder',
]);

describe('generated dashboards (requirements of issue 13)', () => {
  it('five dashboards: overview, authentication, admin and policy changes, shared-folder exposure, user posture', () => {
    expect(dashboards.map((d) => d.id).sort()).toEqual([
      'lastpass_enterprise-admin-changes',
      'lastpass_enterprise-authentication',
      'lastpass_enterprise-event-report-overview',
      'lastpass_enterprise-shared-folder-access',
      'lastpass_enterprise-user-hygiene',
    ]);
  });

  it.each(dashboards.map((d) => [d.id, d] as const))(
    '%s has an options-list control on organization.id',
    (_id, d) => {
      const group = d.attributes['controlGroupInput'] as Record<string, unknown>;
      const controls = Object.values(group['panelsJSON'] as Record<string, Record<string, unknown>>);
      expect(
        controls.some(
          (c) =>
            c['type'] === 'optionsListControl' &&
            (c['explicitInput'] as Record<string, unknown>)['fieldName'] === 'organization.id',
        ),
      ).toBe(true);
    },
  );

  it.each(dashboards.map((d) => [d.id, d] as const))(
    '%s excludes the integration API polling when it shows events',
    (_id, d) => {
      const eventPanels = panelsOf(d).filter(
        (p) => !JSON.stringify(lensAttrs(p)['references'] ?? []).includes('latest'),
      );
      if (eventPanels.length === 0) return;
      expect(filtersOf(d)).toContainEqual(
        expect.objectContaining({
          meta: expect.objectContaining({
            key: 'tags',
            negate: true,
            params: { query: 'lastpass_api_poll' },
          }),
        }),
      );
    },
  );

  it('the exposure dashboard does not count deleted shared folders as live', () => {
    expect(filtersOf(dashboard('lastpass_enterprise-shared-folder-access'))).toContainEqual(
      expect.objectContaining({
        meta: expect.objectContaining({
          key: 'lastpass_enterprise.detailed_shared_folder.deleted',
          negate: true,
          params: { query: 'true' },
        }),
      }),
    );
  });

  it('the authentication dashboard maps source.geo.location (by-value Maps panel)', () => {
    const map = panelsOf(dashboard('lastpass_enterprise-authentication')).find((p) => p['type'] === 'map');
    const layers = JSON.parse(String(lensAttrs(map!)['layerListJSON'])) as Record<
      string,
      Record<string, unknown>
    >[];
    expect(layers.filter((l) => l['sourceDescriptor']?.['geoField'] === 'source.geo.location')).toHaveLength(
      2,
    );
  });

  it('every latest-state panel buckets on the newest snapshot first (or per account, then newest snapshot)', () => {
    const offenders: string[] = [];
    for (const d of dashboards) {
      for (const p of panelsOf(d)) {
        const attrs = lensAttrs(p);
        const refs = (attrs['references'] ?? []) as { id: string }[];
        if (p['type'] !== 'lens' || !refs.some((r) => LATEST_VIEWS.has(r.id))) continue;
        const state = attrs['state'] as Record<string, unknown>;
        const layer = Object.values(
          ((state['datasourceStates'] as Record<string, unknown>)['formBased'] as Record<string, unknown>)[
            'layers'
          ] as Record<string, { columns: Record<string, Record<string, unknown>>; columnOrder: string[] }>,
        )[0]!;
        const buckets = layer.columnOrder
          .map((id) => layer.columns[id]!)
          .filter((c) => c['isBucketed'] === true);
        const fields = buckets.map((c) => c['sourceField']);
        const metricOnlyTime =
          buckets.length === 0 &&
          Object.values(layer.columns).every((c) => c['sourceField'] === '@timestamp');
        const newestFirst =
          (fields[0] === 'lastpass_enterprise.snapshot.id' ||
            (fields[0] === 'organization.id' && fields[1] === 'lastpass_enterprise.snapshot.id')) &&
          buckets.some(
            (c) =>
              c['sourceField'] === 'lastpass_enterprise.snapshot.id' &&
              (c['params'] as Record<string, unknown>)['size'] === 1 &&
              (c['params'] as Record<string, unknown>)['orderDirection'] === 'desc',
          );
        if (!newestFirst && !metricOnlyTime) offenders.push(`${d.id}: ${String(p['title'])}`);
        // tiles and charts carry their condition in the metric columns, so the bucket sees every row
        const query = String((state['query'] as Record<string, unknown>)['query']);
        if (
          attrs['visualizationType'] !== 'lnsDatatable' &&
          query !== '' &&
          !query.startsWith('data_stream.dataset')
        )
          offenders.push(`${d.id}: ${String(p['title'])} filters rows before the snapshot bucket (${query})`);
      }
    }
    expect(offenders).toEqual([]);
  });

  it('uses only event.action values of the 97-action catalog (lower-cased), in dashboards and rules', () => {
    const catalog = parse(readFileSync(join(ROOT, 'test/event-report-catalog/actions.yml'), 'utf8')) as {
      actions: { action: string }[];
    };
    const known = new Set(catalog.actions.map((a) => a.action.toLowerCase().replace(/\s+/g, ' ')));
    const queries: string[] = [];
    // KQL lives under `query` keys (rules, Lens layers, column filters, filters buckets, map layers)
    const collect = (v: unknown, key = ''): void => {
      if (key === 'query' && typeof v === 'string') {
        if (/event\.action\s*:/.test(v)) queries.push(v);
      } else if (key === 'layerListJSON' && typeof v === 'string') collect(JSON.parse(v));
      else if (Array.isArray(v))
        v.forEach((x) => {
          collect(x);
        });
      else if (typeof v === 'object' && v !== null) for (const [k, x] of Object.entries(v)) collect(x, k);
    };
    for (const o of [...dashboards, ...rules]) collect(o.attributes);
    const values = queries.flatMap((q) => kqlValuesOf(parseKql(q), 'event.action'));
    expect(values.length).toBeGreaterThan(40);
    expect(values.filter((v) => !known.has(v))).toEqual([]);
  });
});

describe('posture and exposure tiles on the latest state after a user and a member disappeared', () => {
  const tenant = createTenant(resolveOptions({ seed: 1, events: 10 }));
  const zone = new AccountZone('America/New_York');
  const s1 = { id: '20241114T000000Z', start: '2024-11-14T00:00:00Z' };
  const s2 = { id: '20241115T000000Z', start: '2024-11-15T00:00:00Z' };
  const now = Date.parse(s2.start) + 3_600_000;
  const gone = tenant.users.find((u) => u.record.admin && !u.record.multifactor) ?? tenant.users[0]!;
  const current: SimUser[] = tenant.users.filter((u) => u !== gone);
  const userDocs = [
    ...userSnapshot(tenant.users, tenant.invited, s1),
    ...userSnapshot(current, tenant.invited, s2),
  ];
  const latestUsers = latest('latest_user', userDocs);
  const posture = dashboard('lastpass_enterprise-user-hygiene');
  const tile = (title: string): { value: number; bucket?: string } =>
    evaluateTile(posture, title, latestUsers, now);

  const active = current.filter((u) => !u.record.disabled);
  const loginAge = (u: SimUser): number | undefined => {
    const t = u.record.last_login === '' ? undefined : zone.parse(u.record.last_login, 'earlier');
    return t === undefined ? undefined : now - t;
  };
  const DAY = 86_400_000;
  const truth: Record<string, number> = {
    Users: current.length,
    Admins: current.filter((u) => u.record.admin).length,
    'Active users without MFA': active.filter((u) => !u.record.multifactor).length,
    'Weak master password (strength below 50)': current.filter((u) => Number(u.record.mpstrength) < 50)
      .length,
    'Never logged in': current.filter((u) => u.record.neverloggedin).length,
    'Disabled users': current.filter((u) => u.record.disabled).length,
    'No login for more than 30 days': active.filter((u) => (loginAge(u) ?? 0) > 30 * DAY).length,
    'No login for more than 90 days': active.filter((u) => (loginAge(u) ?? 0) > 90 * DAY).length,
    'Master password reset required': current.filter((u) => u.record.password_reset_required).length,
    'Pending invitations': tenant.invited.length,
  };

  it('the latest state still holds the departed user (the row the dashboards must not count)', () => {
    expect(latestUsers.length).toBe(tenant.users.length + tenant.invited.length);
    const row = latestUsers.find((d) => (d['user'] as Record<string, unknown>)['id'] === gone.id);
    expect(
      (row?.['lastpass_enterprise'] as Record<string, Record<string, unknown>>)['snapshot']?.['id'],
    ).toBe(s1.id);
  });

  it.each(Object.entries(truth))('%s counts the newest snapshot only', (title, expected) => {
    expect(tile(title)).toEqual({ value: expected, bucket: s2.id });
  });

  it('the ground truth is not trivial: several tiles differ between the snapshots', () => {
    const all = tenant.users;
    expect(truth['Users']).toBe(all.length - 1);
    expect(truth['Admins']).toBe(all.filter((u) => u.record.admin).length - 1);
    expect(Object.values(truth).filter((v) => v > 0).length).toBeGreaterThanOrEqual(7);
  });

  it('a condition nobody in the newest snapshot meets counts 0, not an older snapshot', () => {
    const s3 = { id: '20241116T000000Z', start: '2024-11-16T00:00:00Z' };
    const noneDisabled = current.filter((u) => !u.record.disabled);
    expect(current.length - noneDisabled.length).toBeGreaterThan(0);
    const docs = latest('latest_user', [...userDocs, ...userSnapshot(noneDisabled, tenant.invited, s3)]);
    expect(evaluateTile(posture, 'Disabled users', docs, now + DAY)).toEqual({ value: 0, bucket: s3.id });
  });

  const goneMember = tenant.sharedFolders.find((f) => f.users.length > 1)!;
  const folders2: SimSharedFolder[] = tenant.sharedFolders.map((f) =>
    f === goneMember ? { ...f, users: f.users.slice(1) } : f,
  );
  const latestFolders = latest('latest_shared_folder', [
    ...folderSnapshot(tenant.sharedFolders, s1),
    ...folderSnapshot(folders2, s2),
  ]);
  const exposure = dashboard('lastpass_enterprise-shared-folder-access');
  const live = folders2.filter((f) => f.deleted !== true);
  const members = live.flatMap((f) => f.users);
  const on = (v: number | boolean | undefined): boolean => v === true || v === 1;

  it.each([
    ['Live shared folders', live.length],
    ['Memberships', members.length],
    ['Distinct members', new Set(members.map((m) => m.username)).size],
    ['Folder admin memberships', members.filter((m) => on(m.can_administer)).length],
    ['Memberships that can see passwords', members.filter((m) => on(m.give)).length],
  ])('exposure: %s = %i (newest snapshot, deleted folders excluded)', (title, expected) => {
    expect(evaluateTile(exposure, title, latestFolders, now)).toEqual({ value: expected, bucket: s2.id });
  });

  it('the simulator tenant has deleted folders and folders without members (both matter above)', () => {
    expect(tenant.sharedFolders.some((f) => f.deleted === true)).toBe(true);
    expect(tenant.sharedFolders.some((f) => f.users.length === 0)).toBe(true);
  });
});
