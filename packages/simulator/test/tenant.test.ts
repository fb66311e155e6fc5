/** The seeded tenant: deterministic, and carrying every quirk of lastpass-api.md the collector must survive. */
import { AccountZone, createTenant, resolveOptions, type Tenant } from '../src';
import { CATALOG } from '../src/catalog';

const options = resolveOptions({ seed: 7, events: 20_000 });
const tenant: Tenant = createTenant(options);
const zone = new AccountZone(options.timeZone);

describe('determinism', () => {
  it('the same options give the same tenant; another seed gives another', () => {
    const again = createTenant(resolveOptions({ seed: 7, events: 20_000 }));
    expect(JSON.stringify(again)).toBe(JSON.stringify(tenant));
    const other = createTenant(resolveOptions({ seed: 8, events: 20_000 }));
    expect(JSON.stringify(other.events.slice(0, 50))).not.toBe(JSON.stringify(tenant.events.slice(0, 50)));
  });

  it('late arrival does not change the records, only when they become visible', () => {
    const late = createTenant(resolveOptions({ seed: 7, events: 20_000, lateArrivalSeconds: 300 }));
    expect(late.events.map((e) => e.record)).toEqual(tenant.events.map((e) => e.record));
    expect(late.events.some((e) => e.visibleAt > e.instant)).toBe(true);
    expect(late.events.every((e) => e.visibleAt - e.instant <= 300_000)).toBe(true);
    expect(tenant.events.every((e) => e.visibleAt === e.instant)).toBe(true);
  });
});

describe('event history', () => {
  const records = tenant.events.map((e) => e.record);

  it('has exactly the requested number of events, inside the span, sorted, with unique increasing micros', () => {
    expect(tenant.events).toHaveLength(20_000);
    const unsorted = tenant.events.findIndex((b, i) => {
      const a = tenant.events[i - 1];
      return a !== undefined && !(b.micros > a.micros && b.instant >= a.instant);
    });
    expect(unsorted).toBe(-1);
    expect(tenant.events[0]!.instant).toBeGreaterThanOrEqual(options.start.getTime());
    expect(tenant.events.at(-1)!.instant).toBeLessThanOrEqual(options.end.getTime());
    expect(tenant.events.filter((e) => Math.floor(e.micros / 1_000_000) !== e.instant / 1000)).toEqual([]);
  });

  it('covers the whole action catalog of lastpass-api.md §11 (modern spelling after late 2022)', () => {
    const actions = new Set(records.map((r) => r.Action));
    for (const entry of CATALOG) expect(actions.has(entry.modern ?? entry.action)).toBe(true);
    expect(actions.has('Master Password Reset by Super Admin')).toBe(false);
    const old = createTenant(
      resolveOptions({ events: 500, start: '2022-01-01T00:00:00Z', end: '2022-06-01T00:00:00Z' }),
    );
    expect(old.events.some((e) => e.record.Action === 'Master Password Reset by Super Admin')).toBe(true);
  });

  it('Time is the account-zone wall clock of the instant, never inside the spring-forward gap', () => {
    expect(tenant.events.filter((e) => e.record.Time !== zone.format(e.instant))).toEqual([]);
    expect(records.some((r) => r.Time.startsWith('2024-03-10 02:'))).toBe(false);
    expect(records.some((r) => r.Time === '2024-03-10 01:59:59')).toBe(true);
    expect(records.some((r) => r.Time === '2024-03-10 03:00:00')).toBe(true);
  });

  it('the repeated fall-back hour holds events in both passes, including an identical record at the same wall time', () => {
    const inHour = tenant.events.filter((e) => e.record.Time.startsWith('2024-11-03 01:'));
    const offsets = new Set(inHour.map((e) => zone.offsetSeconds(e.instant)));
    expect(offsets).toEqual(new Set([-4 * 3600, -5 * 3600]));
    const twins = inHour.filter((e) => e.record.Time === '2024-11-03 01:30:00');
    expect(twins).toHaveLength(2);
    expect(twins[1]!.instant - twins[0]!.instant).toBe(3_600_000);
    expect(twins[1]!.record).toEqual(twins[0]!.record);
  });

  it('has same-second identical repeats and same-second bulk records', () => {
    let identical = 0;
    let bulk = 0;
    for (let i = 1; i < records.length; i++) {
      if (records[i]!.Time !== records[i - 1]!.Time) continue;
      if (JSON.stringify(records[i]) === JSON.stringify(records[i - 1])) identical++;
      else bulk++;
    }
    expect(identical).toBeGreaterThan(50);
    expect(bulk).toBeGreaterThan(5);
  });

  it('has IPv4, IPv6 and empty IP addresses; email, empty, API and "API: <label>" usernames', () => {
    const ips = records.map((r) => r.IP_Address);
    expect(ips.some((ip) => /^\d+\.\d+\.\d+\.\d+$/.test(ip))).toBe(true);
    expect(ips.some((ip) => ip.includes(':'))).toBe(true);
    expect(ips.some((ip) => ip === '')).toBe(true);
    const names = new Set(records.map((r) => r.Username));
    expect(names.has('')).toBe(true);
    expect(names.has('API')).toBe(true);
    expect([...names].some((n) => n.startsWith('API: '))).toBe(true);
    expect([...names].some((n) => n.endsWith('@example.com'))).toBe(true);
  });

  it('Data follows the documented formats per action', () => {
    const data = (action: string): string[] => records.filter((r) => r.Action === action).map((r) => r.Data);
    expect(
      data('Update Folder Permissions').every((d) =>
        /^'.+' '.+@.+' 'Read only:(yes|no) Admin:(yes|no) Hide PW:(yes|no)'$/.test(d),
      ),
    ).toBe(true);
    expect(data('Remove from Group').every((d) => /^'.+' '.+'$/.test(d))).toBe(true);
    expect(data('Log in').some((d) => /^VID: \d{19}$/.test(d))).toBe(true);
    expect(data('Log in').some((d) => d.startsWith('LastPass via '))).toBe(true);
    expect(data('Move to Shared Folder').some((d) => d.startsWith(' to '))).toBe(true);
    expect(data('Created LastPass Account').every((d) => /-Shared-/.test(d))).toBe(true);
    expect(data('Reporting').every((d) => /^Initiated by API(: .+)?$/.test(d))).toBe(true);
    expect(data('Employee Invited').some((d) => d.includes(','))).toBe(true);
    expect(data('Data Export').every((d) => d === '')).toBe(true);
  });
});

describe('users, groups, folders', () => {
  const users = tenant.users.map((u) => u.record);

  it('has admins, disabled and never-logged-in users with the documented null/"" quirks', () => {
    expect(users.some((u) => u.admin)).toBe(true);
    expect(users.some((u) => u.disabled)).toBe(true);
    const never = users.filter((u) => u.neverloggedin);
    expect(never.length).toBeGreaterThan(0);
    for (const u of never) {
      expect(u).toMatchObject({
        last_login: '',
        totalscore: null,
        duousername: null,
        sites: null,
        notes: null,
        attachments: null,
      });
      expect(u.groups).toBeUndefined();
    }
    expect(users.every((u) => typeof u.mpstrength === 'string')).toBe(true);
  });

  it('has MFA variants (including absent), attribs with a password, a linked account, numeric-string ids', () => {
    const mfa = new Set(users.map((u) => ('multifactor' in u ? String(u.multifactor) : 'absent')));
    expect(mfa.size).toBeGreaterThanOrEqual(5);
    expect(mfa.has('absent') && mfa.has('null')).toBe(true);
    expect(users.some((u) => u.attribs?.password !== undefined)).toBe(true);
    expect(users.some((u) => u.linked !== undefined)).toBe(true);
    expect(tenant.users.every((u) => /^\d+$/.test(u.id))).toBe(true);
  });

  it('groups and users agree; invitees exist', () => {
    for (const [group, members] of Object.entries(tenant.groups)) {
      for (const m of members) expect(users.find((u) => u.username === m)?.groups).toContain(group);
    }
    expect(tenant.invited.length).toBe(3);
  });

  it('folders: empty, deleted, 0/1 and boolean permissions, sites per member', () => {
    const folders = tenant.sharedFolders;
    expect(folders.some((f) => f.users.length === 0)).toBe(true);
    expect(folders.some((f) => f.deleted === true)).toBe(true);
    expect(folders.some((f) => f.deleted === undefined)).toBe(true);
    const members = folders.flatMap((f) => f.users);
    expect(members.some((m) => typeof m.give === 'boolean')).toBe(true);
    expect(members.some((m) => m.give === 0 || m.give === 1)).toBe(true);
    expect(members.some((m) => m.sites.length > 0)).toBe(true);
    expect(folders.some((f) => f.sharedfoldername.includes(' '))).toBe(true);
  });
});

describe('options', () => {
  it.each([
    [{ pageSize: 1 }, /^pageSize:/],
    [{ timeZone: 'Mars/Base' }, /^timeZone: expected an IANA time zone/],
    [{ nextMode: 'sideways' }, /^nextMode:/],
    [{ start: '2024-12-01T00:00:00Z', end: '2024-11-01T00:00:00Z' }, /^start: expected a time before end/],
    [{ start: 'yesterday' }, /^start: expected an RFC 3339/],
    [{ faults: [{ kind: 'server-error', status: 404 }] }, /^faults\.0\.status/],
  ])('%j → SimulatorOptionsError naming the option', (input, message) => {
    expect(() => resolveOptions(input as never)).toThrow(message);
  });

  it('defaults: 10,000 events per page, newest first, documented next, inclusive bounds, earlier offset', () => {
    const o = resolveOptions();
    expect(o).toMatchObject({
      pageSize: 10_000,
      order: 'newest-first',
      nextMode: 'older-microtime',
      fromInclusive: true,
      toInclusive: true,
      ambiguousTime: 'earlier',
      timeZone: 'America/New_York',
    });
    expect(o.now).toEqual(o.end);
  });
});
