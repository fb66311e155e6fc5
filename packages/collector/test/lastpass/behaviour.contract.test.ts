/** Client ↔ simulator: every behaviour and option of the simulator seen through the client. */
import { AccountZone } from '@lastpass-elastic/simulator';
import { clientFor, failure, HASH, withSimulator } from './helpers';

describe('reporting request and response', () => {
  it('sends the documented envelope as JSON and reads JSON labelled text/xml', async () => {
    await withSimulator({ events: 500 }, async (sim) => {
      const { client } = clientFor(sim);
      const page = await client.reporting({
        from: '2024-11-01 00:00:00',
        to: '2024-11-15 00:00:00',
        search: 'log',
      });
      const request = sim.requests[0]!;
      expect(request.contentType).toBe('application/json');
      expect(request.body).toEqual({
        cid: 8771312,
        provhash: '[REDACTED]',
        apiuser: 'contract-tests',
        cmd: 'reporting',
        user: 'allusers',
        data: { from: '2024-11-01 00:00:00', to: '2024-11-15 00:00:00', search: 'log' },
      });
      expect(page.status).toBe('OK');
      expect(page.next).toBeNull();
      expect(page.apiCalls).toBe(1);
      expect(page.events.length).toBeGreaterThan(0);
      for (const e of page.events) expect(JSON.stringify(e).toLowerCase()).toContain('log');
    });
  });

  it('filters by user (data.user) and admin, and an empty window answers data [] (PHP empty map)', async () => {
    await withSimulator({ events: 3_000 }, async (sim) => {
      const { client } = clientFor(sim);
      const admin = sim.tenant.users.find((u) => u.record.admin)!.record.username;
      const byUser = await client.reporting({
        from: '2024-01-01 00:00:00',
        to: '2024-12-31 00:00:00',
        user: admin,
      });
      expect(byUser.events.length).toBeGreaterThan(0);
      expect(byUser.events.every((e) => e.Username === admin)).toBe(true);
      expect(sim.requests[0]!.body).toMatchObject({ user: admin, data: { user: admin } });
      const admins = new Set(sim.tenant.users.filter((u) => u.record.admin).map((u) => u.record.username));
      const adminOnly = await client.reporting({
        from: '2024-01-01 00:00:00',
        to: '2024-12-31 00:00:00',
        admin: '1',
      });
      expect(adminOnly.events.length).toBeGreaterThan(0);
      expect(adminOnly.events.every((e) => admins.has(e.Username))).toBe(true);
      const none = await client.reporting({ from: '2020-01-01 00:00:00', to: '2020-01-02 00:00:00' });
      expect(none.events).toEqual([]);
      expect(none.next).toBeNull();
    });
  });

  it('from/to inclusivity is an option: inclusive (default) keeps the boundary seconds, exclusive drops them', async () => {
    const pick = { events: 2_000 };
    for (const inclusive of [true, false]) {
      await withSimulator({ ...pick, fromInclusive: inclusive, toInclusive: inclusive }, async (sim) => {
        const { client } = clientFor(sim);
        const a = sim.tenant.events[100]!;
        const b = sim.tenant.events[200]!;
        const page = await client.reporting({ from: a.record.Time, to: b.record.Time });
        const inside = sim.tenant.events.filter((e) =>
          inclusive
            ? e.instant >= a.instant && e.instant <= b.instant
            : e.instant > a.instant && e.instant < b.instant,
        );
        expect(page.events).toEqual(inside.map((e) => e.record).reverse());
        expect(page.events.some((e) => e.Time === a.record.Time)).toBe(inclusive);
        expect(page.events.some((e) => e.Time === b.record.Time)).toBe(inclusive);
      });
    }
  });

  it('an ambiguous fall-back wall time is read with the earlier (default) or later offset', async () => {
    const wall = '2024-11-03 01:30:00'; // occurs at 05:30Z (EDT) and 06:30Z (EST); the tenant has an event at both
    for (const [ambiguousTime, iso] of [
      ['earlier', '2024-11-03T05:30:00.000Z'],
      ['later', '2024-11-03T06:30:00.000Z'],
    ] as const) {
      await withSimulator({ events: 2_000, ambiguousTime }, async (sim) => {
        const { client } = clientFor(sim);
        const page = await client.reporting({ from: wall, to: wall });
        const truth = sim.tenant.events.filter((e) => new Date(e.instant).toISOString() === iso);
        expect(truth.length).toBeGreaterThan(0);
        expect(page.events).toEqual(truth.map((e) => e.record).reverse());
      });
    }
  });

  it('a wall time in the spring-forward gap moves forward by the gap', async () => {
    await withSimulator({ events: 2_000 }, async (sim) => {
      const { client } = clientFor(sim);
      // 02:30 does not exist on 2024-03-10 in New York: read as 03:30 EDT (07:30Z); the tenant has events at 01:59:59 and 03:00:00.
      const page = await client.reporting({ from: '2024-03-10 01:59:59', to: '2024-03-10 02:30:00' });
      const truth = sim.tenant.events.filter(
        (e) => e.instant >= Date.UTC(2024, 2, 10, 6, 59, 59) && e.instant <= Date.UTC(2024, 2, 10, 7, 30),
      );
      expect(page.events.map((e) => e.Time)).toContain('2024-03-10 03:00:00');
      expect(page.events).toEqual(truth.map((e) => e.record).reverse());
    });
  });

  it('the virtual clock hides events after now; late-arriving events appear after their delay', async () => {
    await withSimulator({ events: 3_000, lateArrivalSeconds: 600 }, async (sim) => {
      const { client } = clientFor(sim);
      const zone = new AccountZone(sim.options.timeZone);
      const target = sim.tenant.events.find(
        (e) => e.visibleAt - e.instant >= 120_000 && e.instant > sim.options.start.getTime() + 86_400_000,
      )!;
      sim.clock.set(new Date(target.instant + 60_000));
      const window = {
        from: zone.format(target.instant - 3_600_000),
        to: zone.format(target.instant + 3_600_000),
      };
      const early = await client.reporting(window);
      expect(early.events).not.toContain(target.record);
      expect(early.events.every((e) => e.Time <= zone.format(target.instant + 60_000))).toBe(true);
      sim.clock.advance(target.visibleAt - target.instant);
      const later = await client.reporting(window);
      expect(later.events).toContainEqual(target.record);
    });
  });

  it('self-audit events are stamped with the account-zone time of the call and join the ground truth', async () => {
    await withSimulator({ events: 200, selfAudit: true, selfAuditUsername: 'API' }, async (sim) => {
      const { client } = clientFor(sim);
      sim.clock.set(new Date('2024-07-01T16:00:05Z'));
      await client.reporting({ from: '2024-07-01 11:00:00', to: '2024-07-01 12:00:00' });
      await client.getUserData({ pageSize: 100, pageIndex: 0 });
      await client.getDetailedSharedFolderData({ pageSize: 100, pageIndex: 0 });
      await client.getSharedFolderData();
      const audit = sim.tenant.events.filter((e) => e.selfAudit).map((e) => e.record);
      expect(audit).toEqual(
        ['Reporting', 'Get User Data', 'Get Shared Folder Data', 'Get Shared Folder Data'].map((Action) => ({
          Time: '2024-07-01 12:00:05',
          Username: 'API',
          IP_Address: '127.0.0.1',
          Action,
          Data: 'Initiated by API: contract-tests',
        })),
      );
      const page = await client.reporting({ from: '2024-07-01 12:00:00', to: '2024-07-01 12:00:05' });
      expect(page.events.filter((e) => e.Action === 'Get User Data')).toHaveLength(1);
    });
  });
});

describe('inventory commands', () => {
  it('getuserdata pages with a 0-based index; total, count, groups, invited (page 0) and passwords stripped', async () => {
    await withSimulator({ users: 40 }, async (sim) => {
      const { client } = clientFor(sim);
      const truth = sim.tenant.users;
      expect(truth.some((u) => u.record.attribs?.password !== undefined)).toBe(true);
      const seen: string[] = [];
      for (let pageIndex = 0; ; pageIndex++) {
        const page = await client.getUserData({ pageSize: 7, pageIndex });
        expect(page.total).toBe(40);
        expect(page.count).toBe(Object.keys(page.users).length);
        expect(page.invited).toEqual(pageIndex === 0 ? sim.tenant.invited : []);
        expect(page.groups).toEqual(sim.tenant.groups);
        for (const [id, user] of Object.entries(page.users)) {
          seen.push(id);
          expect(JSON.stringify(user)).not.toMatch(/"password"/);
          const { attribs, ...rest } = truth.find((u) => u.id === id)!.record;
          expect(user).toMatchObject(rest);
          if (attribs !== undefined) {
            const { password: _password, ...kept } = attribs;
            expect(user.attribs).toEqual(kept);
          }
        }
        if ((page.count ?? 0) < 7) break;
      }
      expect(seen).toEqual(truth.map((u) => u.id));
      expect(sim.requests[0]!.body).toMatchObject({
        cmd: 'getuserdata',
        data: { pagesize: 7, pageindex: 0 },
      });
    });
  });

  it('getuserdata caps the page size at userPageSize (a short page is not the end: compare with total)', async () => {
    await withSimulator({ users: 30, userPageSize: 10 }, async (sim) => {
      const { client } = clientFor(sim);
      const page = await client.getUserData({ pageSize: 25, pageIndex: 0 });
      expect(page.count).toBe(10);
      expect(page.total).toBe(30);
    });
  });

  it('getdetailedsfdata pages (string pagesize/pageindex) and carries sites; getsfdata has no sites', async () => {
    await withSimulator({ sharedFolders: 12 }, async (sim) => {
      const { client } = clientFor(sim);
      const ids: string[] = [];
      for (let pageIndex = 0; ; pageIndex++) {
        const page = await client.getDetailedSharedFolderData({ pageSize: 5, pageIndex });
        ids.push(...Object.keys(page.folders));
        if (page.count < 5) break;
      }
      expect(ids).toEqual(sim.tenant.sharedFolders.map((f) => f.id));
      expect(sim.requests[0]!.body).toMatchObject({ data: { data: 'all', pagesize: '5', pageindex: '0' } });
      const all = await client.getDetailedSharedFolderData();
      expect(sim.requests.at(-1)!.body).toMatchObject({ data: 'all' });
      const empty = sim.tenant.sharedFolders.find((f) => f.users.length === 0)!;
      expect(all.folders[empty.id]!.users).toEqual([]);
      const deleted = sim.tenant.sharedFolders.find((f) => f.deleted === true)!;
      expect(all.folders[deleted.id]!.deleted).toBe(true);
      const withSites = Object.values(all.folders).flatMap((f) => f.users ?? []);
      expect(withSites.some((m) => (m.sites ?? []).length > 0)).toBe(true);
      expect(withSites.some((m) => typeof m.readonly === 'boolean')).toBe(true);
      expect(withSites.some((m) => typeof m.readonly === 'number')).toBe(true);
      const plain = await client.getSharedFolderData();
      expect(Object.keys(plain.folders)).toEqual(ids);
      expect(
        Object.values(plain.folders)
          .flatMap((f) => f.users ?? [])
          .every((m) => m.sites === undefined),
      ).toBe(true);
    });
  });

  it('a page past the end answers [] and is read as an empty map', async () => {
    await withSimulator({ users: 10, sharedFolders: 5 }, async (sim) => {
      const { client } = clientFor(sim);
      const users = await client.getUserData({ pageSize: 10, pageIndex: 3 });
      expect(users.users).toEqual({});
      expect(users.count).toBe(0);
      const folders = await client.getDetailedSharedFolderData({ pageSize: 10, pageIndex: 3 });
      expect(folders.folders).toEqual({});
      expect(folders.count).toBe(0);
    });
  });
});

describe('rate limit and serialisation', () => {
  it('keeps minIntervalMs between the starts of two requests (virtual time, no real sleep)', async () => {
    await withSimulator({ events: 10 }, async (sim) => {
      const { client, clock } = clientFor(sim, { minIntervalMs: 1_000 });
      const window = { from: '2024-11-01 00:00:00', to: '2024-11-02 00:00:00' };
      await Promise.all([client.reporting(window), client.reporting(window), client.getSharedFolderData()]);
      expect(clock.sleeps).toEqual([1_000, 1_000]);
      expect(client.apiCalls).toBe(3);
    });
  });
});

it('the simulator never learns the hash back: its request log is redacted', async () => {
  await withSimulator({ events: 10 }, async (sim) => {
    const { client } = clientFor(sim);
    await client.getSharedFolderData();
    expect(JSON.stringify(sim.requests)).not.toContain(HASH);
    await expect(failure(client.getUserData({ pageSize: 0, pageIndex: 0 }))).resolves.toMatchObject({
      code: 'LASTPASS_INVALID_REQUEST',
    });
  });
});
