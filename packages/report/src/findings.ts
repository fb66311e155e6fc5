/**
 * The findings of one account, from the records a reader produced. Pure: no I/O, no clock — every age is
 * measured against the users snapshot (`collected.as_of`), so the same data always gives the same report.
 */
import {
  changeKindOf,
  type ChangeKind,
  type EventRecord,
  type FolderMemberRecord,
  type UserRecord,
} from './documents';
import { DAY_MS, toIso, type AccountData } from './model';
import type {
  AccountReport,
  ChangeItem,
  Finding,
  FindingId,
  FolderItem,
  Gap,
  InvitationItem,
  ReportParameters,
  Severity,
  UserItem,
} from './schema';

/** A snapshot older than this before the period end is reported as stale (twice the default 24h interval). */
export const STALE_SNAPSHOT_MS = 2 * DAY_MS;

const byText = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
const domainOf = (email: string): string => {
  const at = email.lastIndexOf('@');
  return at < 0 ? '' : email.slice(at + 1).toLowerCase();
};
const uniqueSorted = (values: Iterable<string>): string[] => [...new Set(values)].sort(byText);
const days = (ms: number): number => Math.floor(ms / DAY_MS);

interface FolderView {
  id: string;
  name: string;
  deleted: boolean;
  score: number | null;
  members: { userName: string; canAdminister: boolean; hidePasswords: boolean | null }[];
}

function foldersOf(records: readonly FolderMemberRecord[]): FolderView[] {
  const map = new Map<string, FolderView>();
  for (const r of records) {
    let f = map.get(r.folderId);
    if (f === undefined) {
      f = { id: r.folderId, name: r.folderName, deleted: r.deleted, score: r.score, members: [] };
      map.set(r.folderId, f);
    }
    if (r.member !== null) f.members.push(r.member);
  }
  return [...map.values()].sort((a, b) => byText(a.name, b.name) || byText(a.id, b.id));
}

/** The company domains: configured, else the most common email domain of the account's users. */
export function companyDomainsOf(
  users: readonly UserRecord[],
  configured: readonly string[] | null,
): AccountReport['company_domains'] {
  if (configured !== null)
    return { domains: uniqueSorted(configured.map((d) => d.toLowerCase())), basis: 'configured' };
  const counts = new Map<string, number>();
  for (const u of users)
    if (!u.invited) counts.set(domainOf(u.userName), (counts.get(domainOf(u.userName)) ?? 0) + 1);
  const best = [...counts].sort((a, b) => b[1] - a[1] || byText(a[0], b[0]))[0];
  return { domains: best === undefined || best[0] === '' ? [] : [best[0]], basis: 'most_common_user_domain' };
}

function userItem(u: UserRecord, asOf: number, folders: ReadonlyMap<string, string[]>): UserItem {
  return {
    user_name: u.userName,
    user_id: u.userId,
    full_name: u.fullName,
    admin: u.admin,
    disabled: u.disabled,
    never_logged_in: u.neverLoggedIn,
    password_reset_required: u.passwordResetRequired,
    multifactor: u.multifactor,
    master_password_strength: u.strength,
    last_login: u.lastLogin === null ? null : toIso(u.lastLogin),
    days_since_last_login: u.lastLogin === null ? null : days(asOf - u.lastLogin),
    created: u.created === null ? null : toIso(u.created),
    groups: uniqueSorted(u.groups),
    shared_folders: folders.get(u.userName.toLowerCase()) ?? [],
  };
}

function folderItem(f: FolderView, company: readonly string[]): FolderItem {
  return {
    folder_id: f.id,
    folder_name: f.name,
    deleted: f.deleted,
    score: f.score,
    members: f.members.length,
    admins: uniqueSorted(f.members.filter((m) => m.canAdminister).map((m) => m.userName)),
    passwords_visible_to: uniqueSorted(
      f.members.filter((m) => m.hidePasswords === false).map((m) => m.userName),
    ),
    external_members: uniqueSorted(
      f.members.map((m) => m.userName).filter((name) => !company.includes(domainOf(name))),
    ),
  };
}

function changeItem(e: EventRecord): ChangeItem {
  let detail = e.data;
  if (e.policyName !== null)
    detail = e.policyValue === null ? e.policyName : `${e.policyName} = ${e.policyValue}`;
  return {
    time: toIso(e.time),
    actor: e.actor,
    action: e.action,
    targets: e.targets,
    detail,
    source_ip: e.sourceIp,
    event_id: e.eventId,
  };
}

type Meta = Pick<Finding, 'id' | 'title' | 'rule' | 'severity' | 'parameters'>;
const meta = (
  id: FindingId,
  severity: Severity,
  title: string,
  rule: string,
  parameters: Finding['parameters'] = {},
): Meta => ({ id, title, rule, severity, parameters });

/** The report section of one account. */
export function buildAccountReport(data: AccountData, params: ReportParameters): AccountReport {
  const asOf = data.users.snapshot.started_at;
  const asOfMs = Date.parse(asOf);
  const people = data.users.records.filter((u) => !u.invited).sort((a, b) => byText(a.userName, b.userName));
  const enabled = people.filter((u) => !u.disabled);
  const invitees = data.users.records.filter((u) => u.invited);
  const folders = foldersOf(data.folders.records);
  const live = folders.filter((f) => !f.deleted);
  const memberships = new Map<string, string[]>();
  for (const f of live)
    for (const m of f.members) {
      const key = m.userName.toLowerCase();
      memberships.set(key, uniqueSorted([...(memberships.get(key) ?? []), f.name]));
    }
  const company = companyDomainsOf(people, params.company_domains);
  const users = (m: Meta, list: UserRecord[]): Finding => {
    const items = list.map((u) => userItem(u, asOfMs, memberships));
    return { ...m, subject: 'user', count: items.length, items };
  };
  const folderFinding = (m: Meta, list: FolderView[]): Finding => {
    const items = list.map((f) => folderItem(f, company.domains));
    return { ...m, subject: 'folder', count: items.length, items };
  };
  const { from, to } = data.period;
  const inPeriod = data.changes
    .filter((e) => e.time >= from && e.time <= to)
    .sort((a, b) => a.time - b.time || byText(a.eventId ?? '', b.eventId ?? ''));
  const changes = (m: Meta, kind: ChangeKind): Finding => {
    const items = inPeriod.filter((e) => changeKindOf(e) === kind).map(changeItem);
    return { ...m, subject: 'change', count: items.length, items };
  };
  const periodText = `between ${toIso(from)} and ${toIso(to)}`;
  const noMfa = (u: UserRecord): boolean => u.multifactor === null;

  const invitations: InvitationItem[] = invitees
    .map((u): InvitationItem => {
      const key = u.userName.toLowerCase();
      const byEvent = data.invitedByEvent.get(key);
      const firstSeen = data.inviteeFirstSeen.get(key) ?? u.snapshotStart;
      const fromEvent = byEvent !== undefined && byEvent <= firstSeen;
      const since = fromEvent ? byEvent : firstSeen;
      return {
        user_name: u.userName,
        invited_since: toIso(since),
        since_basis: fromEvent ? 'event_report' : 'first_snapshot',
        age_days: Math.max(0, days(asOfMs - since)),
      };
    })
    .filter((i) => asOfMs - Date.parse(i.invited_since) > params.invitation_days * DAY_MS)
    .sort((a, b) => byText(a.invited_since, b.invited_since) || byText(a.user_name, b.user_name));

  const findings: Finding[] = [
    users(
      meta(
        'never_logged_in',
        'medium',
        'Never logged in',
        'Enabled users who have never logged in to LastPass.',
      ),
      enabled.filter((u) => u.neverLoggedIn),
    ),
    users(
      meta(
        'inactive_users',
        'medium',
        `Inactive for more than ${params.inactive_days} days`,
        `Enabled users whose last login is more than ${params.inactive_days} days before the users snapshot (${asOf}); users who never logged in are listed above instead.`,
        { inactive_days: params.inactive_days },
      ),
      enabled.filter((u) => u.lastLogin !== null && asOfMs - u.lastLogin > params.inactive_days * DAY_MS),
    ),
    users(
      meta(
        'no_mfa',
        'high',
        'No multifactor authentication',
        'Enabled users for whom LastPass reports no multifactor method (the user record has no multifactor value).',
      ),
      enabled.filter(noMfa),
    ),
    users(
      meta(
        'weak_master_password',
        'high',
        `Weak master password (strength below ${params.weak_password_below})`,
        `Enabled users who have logged in and whose master-password strength (0–100) is below ${params.weak_password_below}.`,
        { weak_password_below: params.weak_password_below },
      ),
      enabled.filter(
        (u) => !u.neverLoggedIn && u.strength !== null && u.strength < params.weak_password_below,
      ),
    ),
    users(
      meta(
        'password_reset_required',
        'low',
        'Master password change required',
        'Enabled users who must change their master password at their next login.',
      ),
      enabled.filter((u) => u.passwordResetRequired),
    ),
    users(
      meta('admins', 'info', 'Administrators', 'Enabled users with the LastPass admin role.'),
      enabled.filter((u) => u.admin),
    ),
    users(
      meta(
        'admins_without_mfa',
        'high',
        'Administrators without multifactor authentication',
        'Enabled admins for whom LastPass reports no multifactor method.',
      ),
      enabled.filter((u) => u.admin && noMfa(u)),
    ),
    users(
      meta(
        'disabled_in_shared_folders',
        'high',
        'Disabled users still in shared folders',
        'Disabled users who are still members of at least one shared folder that is not deleted.',
      ),
      people.filter((u) => u.disabled && memberships.has(u.userName.toLowerCase())),
    ),
    {
      ...meta(
        'pending_invitations',
        'medium',
        `Invitations pending for more than ${params.invitation_days} days`,
        `Invitations still pending at the users snapshot whose age is more than ${params.invitation_days} days; the age runs from the earliest evidence in the data (an Employee Invited event naming the address, or the first users snapshot listing it), so it is a lower bound.`,
        { invitation_days: params.invitation_days },
      ),
      subject: 'invitation',
      count: invitations.length,
      items: invitations,
    },
    folderFinding(
      meta(
        'folders_many_admins',
        'medium',
        `Shared folders with more than ${params.folder_admins_above} administrators`,
        `Shared folders (not deleted) with more than ${params.folder_admins_above} members who can administer them.`,
        { folder_admins_above: params.folder_admins_above },
      ),
      live.filter((f) => f.members.filter((m) => m.canAdminister).length > params.folder_admins_above),
    ),
    folderFinding(
      meta(
        'folders_passwords_visible',
        'low',
        'Shared folders with "Hide passwords" off',
        'Shared folders (not deleted) where "Hide passwords" is off for at least one member, who can therefore see the passwords.',
      ),
      live.filter((f) => f.members.some((m) => m.hidePasswords === false)),
    ),
    folderFinding(
      meta(
        'folders_external_members',
        'high',
        'Shared folders with members outside the company',
        `Shared folders (not deleted) with at least one member whose email domain is not ${company.domains.length === 0 ? 'a company domain (none known)' : company.domains.join(', ')}.`,
        { company_domains: company.domains },
      ),
      live.filter((f) => f.members.some((m) => !company.domains.includes(domainOf(m.userName)))),
    ),
    folderFinding(
      meta(
        'deleted_folders',
        'info',
        'Deleted shared folders',
        'Shared folders that LastPass marks as deleted.',
      ),
      folders.filter((f) => f.deleted),
    ),
    changes(
      meta(
        'admin_role_changes',
        'high',
        'Admin role granted or removed',
        `Make Admin and Remove Admin events ${periodText}.`,
      ),
      'admin_role',
    ),
    changes(
      meta(
        'policy_changes',
        'medium',
        'Policy changes',
        `Policies added, edited, deleted or re-assigned to users ${periodText}.`,
      ),
      'policy',
    ),
    changes(
      meta(
        'account_setting_changes',
        'medium',
        'Other account setting changes',
        `Other account settings changed ${periodText}: events of ECS category configuration with type change, creation or deletion (API secret, provisioning, URL rules, …).`,
      ),
      'account_setting',
    ),
  ];

  const mfa = new Map<string, number>();
  for (const u of enabled) mfa.set(u.multifactor ?? 'none', (mfa.get(u.multifactor ?? 'none') ?? 0) + 1);
  const strengths = [0, 20, 40, 60, 80].map((lo) => ({
    from: lo,
    to: lo === 80 ? 100 : lo + 20,
    users: enabled.filter(
      (u) =>
        !u.neverLoggedIn &&
        u.strength !== null &&
        u.strength >= lo &&
        (lo === 80 ? u.strength <= 100 : u.strength < lo + 20),
    ).length,
  }));

  return {
    account_number: data.account,
    time_zone: data.timeZone,
    period: { from: toIso(from), to: toIso(to) },
    collected: {
      as_of: asOf,
      users_snapshot: data.users.snapshot,
      folders_snapshot: data.folders.snapshot,
      events_through: data.eventsThrough === null ? null : toIso(data.eventsThrough),
    },
    company_domains: company,
    summary: {
      users: people.length,
      enabled_users: enabled.length,
      disabled_users: people.length - enabled.length,
      admins: enabled.filter((u) => u.admin).length,
      pending_invitations: invitees.length,
      shared_folders: folders.length,
      deleted_folders: folders.length - live.length,
      folder_memberships: folders.reduce((n, f) => n + f.members.length, 0),
      events_in_period: data.eventsInPeriod,
      mfa_methods: Object.fromEntries([...mfa].sort((a, b) => byText(a[0], b[0]))),
      master_password_strength: strengths,
    },
    findings,
    coverage: {
      ...data.collector,
      time_zone: data.timeZone,
      events_per_day: data.eventsPerDay,
      gaps: gapsOf(data),
    },
  };
}

/** Where the collected data may not cover the period, or the collector itself reported trouble. */
export function gapsOf(data: AccountData): Gap[] {
  const gaps: Gap[] = [];
  const { from, to } = data.period;
  // Consecutive UTC days without a single event: LastPass logs even the collector's own API calls.
  const days = data.eventsPerDay;
  // Only whole days count: a day the period cuts short may simply be quiet in its few hours.
  const empty = (d: { date: string; events: number } | undefined): boolean => {
    if (d === undefined || d.events !== 0) return false;
    const start = Date.parse(`${d.date}T00:00:00.000Z`);
    return start >= from && start + DAY_MS - 1 <= to;
  };
  for (let i = 0; i < days.length;) {
    if (!empty(days[i])) {
      i++;
      continue;
    }
    let j = i;
    while (j + 1 < days.length && empty(days[j + 1])) j++;
    const start = Math.max(from, Date.parse(`${days[i]?.date ?? ''}T00:00:00.000Z`));
    const end = Math.min(to, Date.parse(`${days[j]?.date ?? ''}T00:00:00.000Z`) + DAY_MS - 1);
    if (data.eventsThrough === null || start <= data.eventsThrough)
      gaps.push({
        kind: 'no_events',
        stream: 'event_report',
        from: toIso(start),
        to: toIso(Math.min(end, data.eventsThrough ?? end)),
        detail: `${j - i + 1} UTC day(s) without any event, not even the collector's own API calls: a collection gap or an idle account`,
      });
    i = j + 1;
  }
  if (data.eventsThrough === null || data.eventsThrough < to)
    gaps.push({
      kind: 'not_collected',
      stream: 'event_report',
      from: toIso(data.eventsThrough === null ? from : Math.max(from, data.eventsThrough)),
      to: toIso(to),
      detail:
        data.eventsThrough === null
          ? 'no event of this account was collected'
          : `events are collected up to ${toIso(data.eventsThrough)}; the rest of the period is not covered yet`,
    });
  for (const [stream, snap] of [
    ['user', data.users.snapshot],
    ['detailed_shared_folder', data.folders.snapshot],
  ] as const) {
    const start = Date.parse(snap.started_at);
    if (to - start > STALE_SNAPSHOT_MS)
      gaps.push({
        kind: 'stale_snapshot',
        stream,
        from: snap.started_at,
        to: toIso(to),
        detail: `the snapshot used (${snap.id}) started ${Math.floor((to - start) / DAY_MS)} day(s) before the period end`,
      });
    if (snap.selected_by === 'unsettled')
      gaps.push({
        kind: 'collector_note',
        stream,
        from: snap.started_at,
        to: null,
        detail: `snapshot ${snap.id} was still receiving documents and no earlier one exists: it may be incomplete`,
      });
  }
  for (const s of data.collector.streams) {
    if (s.dead_letters !== null && s.dead_letters > 0)
      gaps.push({
        kind: 'dead_letters',
        stream: s.stream,
        from: null,
        to: null,
        detail: `${s.dead_letters} document(s) were rejected and kept in the dead-letter file instead of the output`,
      });
    if (s.last_error !== null)
      gaps.push({ kind: 'collector_error', stream: s.stream, from: null, to: null, detail: s.last_error });
    for (const [key, note] of Object.entries(s.notes).sort((a, b) => byText(a[0], b[0])))
      if (!(key === 'time_zone_check' && note === 'ok'))
        gaps.push({
          kind: 'collector_note',
          stream: s.stream,
          from: null,
          to: null,
          detail: `${key}: ${note}`,
        });
  }
  return gaps;
}
