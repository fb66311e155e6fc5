import {
  buildAccountReport,
  changeKindOf,
  countPerDay,
  eventFromDocument,
  folderFromDocument,
  resolvePeriod,
  userFromDocument,
  type AccountData,
} from '../src';
import { DAY, defaultParameters } from './tenant-fixture';

// The pure part on hand-made documents shaped like the pipelines' output: each rule's edges.
const AS_OF = Date.parse('2024-06-01T00:00:00.000Z');
const snap = { id: '20240601T000000Z' };
const base = (extra: object) => ({
  '@timestamp': '2024-06-01T00:00:00.000Z',
  organization: { id: '42' },
  event: { timezone: 'Europe/Berlin', ingested: '2024-06-01T00:05:00Z' },
  ...extra,
});
const user = (name: string, u: object, extra: object = {}) =>
  userFromDocument(
    base({ user: { name, id: name, ...extra }, lastpass_enterprise: { snapshot: snap, user: u } }),
  )!;
const member = (folder: string, name: string | null, m: object, f: object = {}) =>
  folderFromDocument(
    base({
      ...(name === null ? {} : { user: { name } }),
      lastpass_enterprise: {
        snapshot: snap,
        detailed_shared_folder: { id: folder, name: `F${folder}`, member: m, ...f },
      },
    }),
  )!;
const event = (time: string, action: string, category: string, type: string[], extra: object = {}) =>
  eventFromDocument({
    '@timestamp': time,
    organization: { id: '42' },
    event: { action, category: [category], type, id: `${time}-${action}` },
    lastpass_enterprise: { event_report: { action } },
    ...extra,
  })!;
const iso = (ms: number): string => new Date(ms).toISOString();

function data(partial: Partial<AccountData>): AccountData {
  const period = { from: AS_OF - 10 * DAY, to: AS_OF };
  return {
    account: '42',
    timeZone: 'Europe/Berlin',
    period,
    users: {
      snapshot: { id: snap.id, started_at: iso(AS_OF), documents: 0, selected_by: 'state' },
      records: [],
    },
    folders: {
      snapshot: { id: snap.id, started_at: iso(AS_OF), documents: 0, selected_by: 'state' },
      records: [],
    },
    inviteeFirstSeen: new Map(),
    invitedByEvent: new Map(),
    changes: [],
    eventsInPeriod: 0,
    eventsPerDay: countPerDay(
      period,
      new Float64Array(Array.from({ length: 11 }, (_, i) => period.from + i * DAY)),
    ),
    eventsThrough: AS_OF,
    collector: { basis: 'data', time_zone_check: null, streams: [] },
    ...partial,
  };
}
const count = (r: ReturnType<typeof buildAccountReport>, id: string): string[] =>
  (r.findings.find((f) => f.id === id)?.items ?? []).map((i) =>
    'user_name' in i ? i.user_name : 'folder_id' in i ? i.folder_id : i.action,
  );

describe('findings on hand-made documents', () => {
  it('user rules: thresholds are strict, disabled users and invitees are not "enabled users"', () => {
    const lastLogin = (days: number) => new Date(AS_OF - days * DAY).toISOString();
    const users = [
      user('a@corp.com', { master_password_strength: 49, last_login: lastLogin(91), multifactor: 'duo' }),
      user('b@corp.com', { master_password_strength: 50, last_login: lastLogin(90), admin: true }),
      user('c@corp.com', {
        never_logged_in: true,
        master_password_strength: 0,
        password_reset_required: true,
      }),
      user('d@corp.com', { disabled: true, last_login: lastLogin(400) }),
      user('i@else.org', { invited: true }),
    ];
    const r = buildAccountReport(data({ users: { ...data({}).users, records: users } }), defaultParameters);
    expect(count(r, 'inactive_users')).toEqual(['a@corp.com']);
    expect(count(r, 'weak_master_password')).toEqual(['a@corp.com']);
    expect(count(r, 'never_logged_in')).toEqual(['c@corp.com']);
    expect(count(r, 'no_mfa')).toEqual(['b@corp.com', 'c@corp.com']);
    expect(count(r, 'admins_without_mfa')).toEqual(['b@corp.com']);
    expect(count(r, 'password_reset_required')).toEqual(['c@corp.com']);
    expect(r.summary).toMatchObject({
      users: 4,
      enabled_users: 3,
      disabled_users: 1,
      pending_invitations: 1,
    });
    expect(r.company_domains).toEqual({ domains: ['corp.com'], basis: 'most_common_user_domain' });
  });

  it('folder rules skip deleted folders; members outside the company domains are external', () => {
    const records = [
      member('1', 'a@corp.com', { can_administer: true, hide_passwords: true }),
      member('1', 'b@corp.com', { can_administer: true, hide_passwords: true }),
      member('1', 'x@gmail.com', { can_administer: true, hide_passwords: false }),
      member('2', 'd@corp.com', { hide_passwords: true }),
      member('3', 'd@corp.com', { can_administer: true, hide_passwords: false }, { deleted: true }),
      member('4', null, {}),
    ];
    const users = [user('d@corp.com', { disabled: true }), user('a@corp.com', {})];
    const r = buildAccountReport(
      data({ users: { ...data({}).users, records: users }, folders: { ...data({}).folders, records } }),
      { ...defaultParameters, company_domains: ['CORP.com'] },
    );
    expect(count(r, 'folders_many_admins')).toEqual(['1']);
    expect(count(r, 'folders_passwords_visible')).toEqual(['1']);
    expect(count(r, 'folders_external_members')).toEqual(['1']);
    expect(count(r, 'deleted_folders')).toEqual(['3']);
    expect(count(r, 'disabled_in_shared_folders')).toEqual(['d@corp.com']);
    const disabled = r.findings.find((f) => f.id === 'disabled_in_shared_folders')?.items[0];
    expect(disabled && 'shared_folders' in disabled ? disabled.shared_folders : []).toEqual(['F2']);
    expect(r.summary.shared_folders).toBe(4);
  });

  it('an invitation is dated by the earliest evidence: an Employee Invited event or the first snapshot', () => {
    const users = [
      user('old@x.org', { invited: true }),
      user('new@x.org', { invited: true }),
      user('evt@x.org', { invited: true }),
    ];
    const r = buildAccountReport(
      data({
        users: { ...data({}).users, records: users },
        inviteeFirstSeen: new Map([
          ['old@x.org', AS_OF - 15 * DAY],
          ['new@x.org', AS_OF - 14 * DAY],
          ['evt@x.org', AS_OF],
        ]),
        invitedByEvent: new Map([['evt@x.org', AS_OF - 30 * DAY]]),
      }),
      defaultParameters,
    );
    const items = r.findings.find((f) => f.id === 'pending_invitations')?.items ?? [];
    expect(items).toEqual([
      {
        user_name: 'evt@x.org',
        invited_since: iso(AS_OF - 30 * DAY),
        since_basis: 'event_report',
        age_days: 30,
      },
      {
        user_name: 'old@x.org',
        invited_since: iso(AS_OF - 15 * DAY),
        since_basis: 'first_snapshot',
        age_days: 15,
      },
    ]);
  });

  it('changes: admin role, policy and other configuration changes inside the period only', () => {
    const t = (d: number): string => iso(AS_OF - d * DAY);
    const changes = [
      event(t(1), 'make admin', 'iam', ['user', 'change'], {
        user: { name: 'boss@corp.com', target: { name: 'a@corp.com' } },
      }),
      event(t(2), 'edit policy', 'configuration', ['change'], {
        lastpass_enterprise: {
          event_report: { action: 'Edit Policy', policy: { name: 'Length', value: '12' } },
        },
      }),
      event(t(3), 'enterprise api secret regenerated', 'configuration', ['change']),
      event(t(4), 'provisioning sync happened', 'configuration', ['info']),
      event(t(20), 'remove admin', 'iam', ['user', 'change']),
    ];
    expect(changes.map((e) => changeKindOf(e))).toEqual([
      'admin_role',
      'policy',
      'account_setting',
      null,
      'admin_role',
    ]);
    const r = buildAccountReport(data({ changes }), defaultParameters);
    const admin = r.findings.find((f) => f.id === 'admin_role_changes')?.items ?? [];
    expect(admin).toEqual([
      {
        time: t(1),
        actor: 'boss@corp.com',
        action: 'make admin',
        targets: ['a@corp.com'],
        detail: null,
        source_ip: null,
        event_id: `${t(1)}-make admin`,
      },
    ]);
    expect((r.findings.find((f) => f.id === 'policy_changes')?.items[0] as { detail: string }).detail).toBe(
      'Length = 12',
    );
    expect(count(r, 'account_setting_changes')).toEqual(['enterprise api secret regenerated']);
  });

  it('gaps: whole UTC days without events, the uncollected end of the period, stale snapshots, dead letters', () => {
    const period = { from: Date.parse('2024-05-20T12:00:00Z'), to: Date.parse('2024-05-25T12:00:00Z') };
    const times = new Float64Array([Date.parse('2024-05-21T01:00:00Z'), Date.parse('2024-05-23T01:00:00Z')]);
    const r = buildAccountReport(
      data({
        period,
        eventsPerDay: countPerDay(period, times),
        eventsThrough: Date.parse('2024-05-24T06:00:00Z'),
        users: {
          ...data({}).users,
          snapshot: { ...data({}).users.snapshot, started_at: '2024-05-22T00:00:00.000Z' },
        },
        collector: {
          basis: 'state_files',
          time_zone_check: 'ok',
          streams: [
            {
              stream: 'event_report',
              last_success: null,
              cursor: null,
              dead_letters: 2,
              last_error: null,
              notes: { time_zone_check: 'ok' },
            },
          ],
        },
      }),
      defaultParameters,
    );
    expect(r.coverage.gaps.map((g) => [g.kind, g.stream, g.from, g.to])).toEqual([
      ['no_events', 'event_report', '2024-05-22T00:00:00.000Z', '2024-05-22T23:59:59.999Z'],
      ['no_events', 'event_report', '2024-05-24T00:00:00.000Z', '2024-05-24T06:00:00.000Z'],
      ['not_collected', 'event_report', '2024-05-24T06:00:00.000Z', '2024-05-25T12:00:00.000Z'],
      ['stale_snapshot', 'user', '2024-05-22T00:00:00.000Z', '2024-05-25T12:00:00.000Z'],
      ['dead_letters', 'event_report', null, null],
    ]);
  });

  it('the default period ends when events were collected through; --from after it is refused', () => {
    expect(resolvePeriod({ from: null, to: null, days: 30 }, AS_OF, 0)).toEqual({
      from: AS_OF - 30 * DAY,
      to: AS_OF,
    });
    expect(resolvePeriod({ from: null, to: null, days: 7 }, null, AS_OF)).toEqual({
      from: AS_OF - 7 * DAY,
      to: AS_OF,
    });
    expect(() => resolvePeriod({ from: iso(AS_OF + 1), to: null, days: 1 }, AS_OF, AS_OF)).toThrow(
      /is after the period end/,
    );
  });
});
