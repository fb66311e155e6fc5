/**
 * Schema and classification unit tests on edge records, through an injected undici MockAgent
 * (no server): every documented quirk is accepted, every wrong envelope is LASTPASS_UNEXPECTED_RESPONSE,
 * a wrong record (event, user, folder, folder member) is set aside with its reason (issue #15 §6).
 */
import { MockAgent } from 'undici';
import { createLastPassClient } from '../../src/lastpass';
import { failure, FakeClock, HASH, mocked, MOCK_ORIGIN as ORIGIN } from './helpers';

const WINDOW = { from: '2024-03-01 00:00:00', to: '2024-03-01 01:00:00' };
const event = {
  Time: '2015-07-17 09:51:51',
  Username: 'j.user@example.com',
  IP_Address: '10.16.21.21',
  Action: 'Failed Login Attempt',
  Data: '',
};

describe('reporting schema', () => {
  it('returns records exactly as received, ordered by the numeric suffix of EventN (Event10 after Event2)', async () => {
    const data: Record<string, unknown> = {};
    for (const n of [10, 2, 1]) data[`Event${n}`] = { ...event, Data: `n${n}`, Extra: { kept: true } };
    const { client } = mocked(200, JSON.stringify({ status: 'OK', next: null, data }));
    const page = await client.reporting(WINDOW);
    expect(page.events.map((e) => e.Data)).toEqual(['n1', 'n2', 'n10']);
    expect(page.events[0]).toEqual({ ...event, Data: 'n1', Extra: { kept: true } });
  });

  it.each([
    ['a number', 1709999999123456, 1709999999123456],
    ['a string', '1709999999123456', '1709999999123456'],
    ['absent', undefined, null],
  ])('accepts next as %s and hands it back raw', async (_name, next, expected) => {
    const { client } = mocked(
      200,
      JSON.stringify({ status: 'OK', ...(next === undefined ? {} : { next }), data: [] }),
    );
    expect((await client.reporting(WINDOW)).next).toEqual(expected);
  });

  it.each(['OK', 'ok', 'Ok', 'success', 'Success'])(
    'status %s is success (case-insensitive)',
    async (status) => {
      const { client } = mocked(200, JSON.stringify({ status, next: null, data: { Event1: event } }));
      expect((await client.reporting(WINDOW)).events).toHaveLength(1);
    },
  );

  it.each(['WARN', 'FAIL', 'fail', 'Pending'])(
    'status %s → LASTPASS_REPORT_FAILED (not retryable)',
    async (status) => {
      const { client } = mocked(200, JSON.stringify({ status, error: 'Invalid date range' }));
      const error = await failure(client.reporting(WINDOW));
      expect(error.code).toBe('LASTPASS_REPORT_FAILED');
      expect(error.retryable).toBe(false);
      expect(error.message).toContain(status);
      expect(error.message).toContain('Invalid date range');
      expect(error.message.includes('unknown status')).toBe(status === 'Pending');
    },
  );

  it.each([
    ['a malformed Time', { ...event, Time: '2015-07-17T09:51:51Z' }, 'data.Event1.Time'],
    ['a missing Action', { Time: event.Time, Username: '', IP_Address: '', Data: '' }, 'data.Event1.Action'],
    ['a numeric Username', { ...event, Username: 42 }, 'data.Event1.Username'],
  ])(
    '%s → that record is set aside with its path (issue #15 §6); the page is delivered without it',
    async (_name, record, path) => {
      const good = { ...event, Data: 'kept' };
      const { client } = mocked(
        200,
        JSON.stringify({ status: 'OK', next: null, data: { Event1: record, Event2: good } }),
      );
      const page = await client.reporting(WINDOW);
      expect(page.events).toEqual([good]);
      expect(page.texts).toEqual([JSON.stringify(good)]);
      expect(page.rejected).toHaveLength(1);
      expect(page.rejected?.[0]?.key).toBe('Event1');
      expect(page.rejected?.[0]?.record).toEqual(record);
      expect(`data.${page.rejected?.[0]?.reason ?? ''}`).toContain(path);
    },
  );

  it('most of a page failing looks like a format change: LASTPASS_UNEXPECTED_RESPONSE, nothing set aside', async () => {
    const data = Object.fromEntries(
      Array.from({ length: 12 }, (_, i) => [`Event${i + 1}`, { ...event, Time: 1_700_000_000 + i }]),
    );
    const { client } = mocked(200, JSON.stringify({ status: 'OK', next: null, data }));
    const error = await failure(client.reporting(WINDOW));
    expect(error.code).toBe('LASTPASS_UNEXPECTED_RESPONSE');
    expect(error.message).toContain('12 of 12 records fail validation (first: Event1.Time:');
    expect(error.message).toContain('format looks changed');
  });

  it('an envelope of the wrong shape still fails the page, naming the path', async () => {
    const { client } = mocked(200, JSON.stringify({ status: 'OK', next: { a: 1 }, data: {} }));
    const error = await failure(client.reporting(WINDOW));
    expect(error.code).toBe('LASTPASS_UNEXPECTED_RESPONSE');
    expect(error.message).toContain('unexpected response shape at next');
    expect(error.message).toContain('body starts');
  });

  it('an XML rc other than Authorization Error → LASTPASS_API_ERROR with the rc', async () => {
    const { client } = mocked(200, '<?xml version="1.0" encoding="UTF-8"?>\n<lastpass rc="Server Busy"/>');
    const error = await failure(client.reporting(WINDOW));
    expect(error.code).toBe('LASTPASS_API_ERROR');
    expect(error.message).toContain('Server Busy');
  });

  it.each(['<lastpass rc="authorization error"/>', "<lastpass rc='Authorization Error' />"])(
    'the XML auth error is recognised without the <?xml prolog, any quotes or case, whatever the content type (%s)',
    async (body) => {
      const { client } = mocked(200, body, { 'content-type': 'application/json' });
      expect((await failure(client.reporting(WINDOW))).code).toBe('LASTPASS_AUTH_FAILED');
    },
  );
});

describe('classification of bodies and statuses', () => {
  it.each([
    ['LASTPASS_AUTH_FAILED', 200, '<lastpass rc="Authorization Error"/>'],
    ['LASTPASS_REPORT_FAILED', 200, '{"status":"FAIL"}'],
    ['LASTPASS_UNEXPECTED_RESPONSE', 200, 'oops'],
    ['LASTPASS_API_ERROR', 200, '<lastpass rc="Busy"/>'],
    ['LASTPASS_HTTP_ERROR', 403, 'Forbidden'],
  ])('%s is permanent: one request, no retry', async (code, status, body) => {
    const { client } = mocked(status, body, {}, 5);
    expect((await failure(client.reporting(WINDOW))).code).toBe(code);
    expect(client.apiCalls).toBe(1);
  });

  it.each([
    ['LASTPASS_UNAVAILABLE', 500, ''],
    ['LASTPASS_RATE_LIMITED', 429, ''],
    ['LASTPASS_TRUNCATED_RESPONSE', 200, '{"status":"OK","da'],
  ])('%s is retried up to maxAttempts', async (code, status, body) => {
    const { client } = mocked(status, body, {}, 4);
    const error = await failure(client.reporting(WINDOW));
    expect(error.code).toBe('LASTPASS_RETRIES_EXHAUSTED');
    expect((error.cause as { code: string }).code).toBe(code);
    expect(client.apiCalls).toBe(4);
  });

  it('a body that is not JSON → LASTPASS_UNEXPECTED_RESPONSE (not retried)', async () => {
    const { client } = mocked(200, 'Service temporarily unavailable, please retry');
    const error = await failure(client.reporting(WINDOW));
    expect(error.code).toBe('LASTPASS_UNEXPECTED_RESPONSE');
    expect(error.message).toContain('not JSON');
  });

  it('malformed JSON that is not cut short is not mistaken for truncation', async () => {
    const { client } = mocked(200, '{"status":OK,"data":[]}');
    expect((await failure(client.reporting(WINDOW))).code).toBe('LASTPASS_UNEXPECTED_RESPONSE');
  });

  it.each(['{"status":"OK","next":null,"data":{"Event1":{"Time":"2015', '{"status":"OK","next":1'])(
    'JSON cut short (%s) → LASTPASS_TRUNCATED_RESPONSE',
    async (body) => {
      const { client } = mocked(200, body);
      const error = await failure(client.reporting(WINDOW));
      expect(error.code).toBe('LASTPASS_RETRIES_EXHAUSTED');
      expect((error.cause as { code: string }).code).toBe('LASTPASS_TRUNCATED_RESPONSE');
    },
  );

  it('another HTTP status → LASTPASS_HTTP_ERROR with status and excerpt, not retried', async () => {
    const { client } = mocked(404, '<html>Not Found</html>');
    const error = await failure(client.getSharedFolderData());
    expect(error).toMatchObject({ code: 'LASTPASS_HTTP_ERROR', status: 404, retryable: false });
    expect(error.message).toContain('Not Found');
  });

  it('Retry-After as an HTTP date is honoured', async () => {
    const clock = new FakeClock(Date.UTC(2024, 10, 15, 12, 0, 0));
    const agent = new MockAgent();
    agent.disableNetConnect();
    const pool = agent.get(ORIGIN);
    pool
      .intercept({ path: '/enterpriseapi.php', method: 'POST' })
      .reply(429, '', { headers: { 'retry-after': 'Fri, 15 Nov 2024 12:00:42 GMT' } });
    pool.intercept({ path: '/enterpriseapi.php', method: 'POST' }).reply(200, '[]');
    const client = createLastPassClient({
      url: `${ORIGIN}/enterpriseapi.php`,
      accountNumber: '1',
      provisioningHash: HASH,
      apiUser: 'u',
      dispatcher: agent,
      clock,
      timeoutMs: 0,
      minIntervalMs: 0,
    });
    const page = await client.getSharedFolderData();
    expect(page).toEqual({ folders: {}, count: 0, apiCalls: 2 });
    expect(clock.sleeps).toEqual([42_000]);
  });

  it.each([
    ['reporting status', 200, `{"status":"FAIL","error":"bad provhash ${HASH}"}`],
    ['an inventory refusal', 200, `{"status":"FAIL","error":"bad provhash ${HASH}"}`],
    ['a shape error', 200, `{"Users":{"1":{"username":"${HASH}"}},"invited":"${HASH}"}`],
    ['a non-JSON body', 200, `denied for ${HASH}`],
    ['an HTTP error', 400, `bad request ${HASH}`],
  ])('%s echoing the hash is redacted in the message', async (_name, status, body) => {
    const { client } = mocked(status, body);
    const error = await failure(
      _name === 'reporting status'
        ? client.reporting(WINDOW)
        : client.getUserData({ pageSize: 1, pageIndex: 0 }),
    );
    expect(error.message).toContain('[REDACTED]');
    expect(error.message).not.toContain(HASH);
  });
});

describe('inventory schemas', () => {
  const never = {
    username: 'bo@example.com',
    fullname: '',
    mpstrength: '0',
    created: '2022-06-21 11:12:30',
    last_pw_change: '2022-06-21 11:12:30',
    last_login: '',
    neverloggedin: true,
    disabled: false,
    admin: false,
    password_reset_required: true,
    totalscore: null,
    duousername: null,
    sites: null,
    notes: null,
    formfills: null,
    applications: null,
    attachments: null,
  };

  it('accepts the documented user quirks and strips every password key', async () => {
    const users = {
      '453055833': {
        ...never,
        username: 'ana@example.com',
        mpstrength: 100,
        totalscore: '0',
        sites: 0,
        groups: ['Dev'],
        multifactor: 'duo',
        attribs: { objectGUID: 'x', password: 'p1', nested: { password: 'p2' } },
        password: 'top',
      },
      '456589433': never,
    };
    const { client } = mocked(
      200,
      JSON.stringify({
        total: '2',
        count: 2,
        Users: users,
        Groups: { Dev: ['ana@example.com'] },
        invited: ['new@example.com'],
      }),
    );
    const page = await client.getUserData({ pageSize: 2000, pageIndex: 0 });
    expect(page.total).toBe(2);
    expect(page.count).toBe(2);
    expect(page.invited).toEqual(['new@example.com']);
    expect(page.groups).toEqual({ Dev: ['ana@example.com'] });
    expect(page.users['456589433']).toEqual(never);
    expect(page.users['453055833']!.attribs).toEqual({ objectGUID: 'x', nested: {} });
    expect(JSON.stringify(page)).not.toMatch(/"password"|p1|p2|top/);
  });

  it('accepts empty Users/Groups as [] and absent total/count/invited', async () => {
    const { client } = mocked(200, JSON.stringify({ Users: [], Groups: [] }));
    expect(await client.getUserData({ pageSize: 10, pageIndex: 0 })).toEqual({
      users: {},
      groups: {},
      invited: [],
      total: null,
      count: null,
      apiCalls: 1,
    });
  });

  it.each([
    ['Users missing', { total: 1, count: 1 }, 'Users'],
    ['Users a string', { Users: 'none' }, 'Users'],
    ['invited not a list', { Users: { '1': never }, invited: 'a@b' }, 'invited'],
    ['Groups of the wrong shape', { Users: { '1': never }, Groups: { Dev: 'a@b' } }, 'Groups.Dev'],
  ])(
    'getuserdata with %s (the envelope) → LASTPASS_UNEXPECTED_RESPONSE at that path',
    async (_name, body, path) => {
      const { client } = mocked(200, JSON.stringify(body));
      const error = await failure(client.getUserData({ pageSize: 10, pageIndex: 0 }));
      expect(error.code).toBe('LASTPASS_UNEXPECTED_RESPONSE');
      expect(error.message).toContain(`unexpected response shape at ${path}`);
    },
  );

  it.each([
    ['mpstrength not numeric', { ...never, mpstrength: 'strong' }, 'Users.1.mpstrength: '],
    ['a bad date', { ...never, created: 'yesterday' }, 'Users.1.created: expected "YYYY-MM-DD HH:MM:SS"'],
    ['groups not a list', { ...never, groups: 'Dev' }, 'Users.1.groups: '],
    ['a numeric username', { ...never, username: 42 }, 'Users.1.username: Invalid input: expected string'],
    ['no username', { fullname: 'Nobody' }, 'Users.1.username: '],
    ['a user that is a list', ['bo@example.com'], 'Users.1: '],
    ['a __proto__ key', { ...never }, 'Users.__proto__: expected a record key'],
  ])(
    'getuserdata with a user with %s → that user is set aside with its path and reason (issue #15 §6), the others kept',
    async (name, user, reason) => {
      const key = name === 'a __proto__ key' ? '__proto__' : '1';
      const record = Array.isArray(user) ? user : { ...user, password: 'pw1' };
      // text, not an object literal: a `__proto__` key must reach the client as JSON.parse makes it
      const body = `{"Users":{${JSON.stringify(key)}:${JSON.stringify(record)},"2":${JSON.stringify({ ...never, attribs: { password: 'pw2' } })}},"invited":["new@example.com"],"total":2}`;
      const { client } = mocked(200, body);
      const page = await client.getUserData({ pageSize: 10, pageIndex: 0 });
      expect(Object.keys(page.users)).toEqual(['2']);
      expect(page.users['2']).toEqual({ ...never, attribs: {} });
      expect(page.invited).toEqual(['new@example.com']);
      expect(page.total).toBe(2);
      expect(page.rejected).toHaveLength(1);
      expect(page.rejected?.[0]?.key).toBe(key);
      expect(page.rejected?.[0]?.member).toBeUndefined();
      expect(page.rejected?.[0]?.reason).toContain(reason);
      // passwords never leave the client, not even in a rejected record
      expect(JSON.stringify(page)).not.toMatch(/"password"|pw1|pw2/);
    },
  );

  it('a rejected record echoing the provisioning hash has it redacted (record and reason)', async () => {
    const { client } = mocked(
      200,
      JSON.stringify({ Users: { '1': { username: HASH, mpstrength: HASH, [HASH]: 1 }, '2': never } }),
    );
    const page = await client.getUserData({ pageSize: 10, pageIndex: 0 });
    expect(page.rejected?.[0]?.record).toEqual({
      username: '[REDACTED]',
      mpstrength: '[REDACTED]',
      '[REDACTED]': 1,
    });
    expect(page.rejected?.[0]?.reason).toContain('Users.1.mpstrength');
    expect(JSON.stringify(page.rejected)).not.toContain(HASH);
  });

  it('most of a users page failing looks like a format change: LASTPASS_UNEXPECTED_RESPONSE, nothing set aside', async () => {
    const users = (bad: number, good: number): Record<string, unknown> =>
      Object.fromEntries([
        ...Array.from({ length: bad }, (_, i): [string, unknown] => [String(i), { ...never, username: i }]),
        ...Array.from({ length: good }, (_, i): [string, unknown] => [String(100 + i), never]),
      ]);
    const many = mocked(200, JSON.stringify({ Users: users(11, 10) })).client;
    const error = await failure(many.getUserData({ pageSize: 100, pageIndex: 0 }));
    expect(error.code).toBe('LASTPASS_UNEXPECTED_RESPONSE');
    expect(error.message).toContain(
      'getuserdata: 11 of 21 records fail validation (first: Users.0.username:',
    );
    // 11 of 22, or 10 of 12: set aside
    const half = mocked(200, JSON.stringify({ Users: users(11, 11) })).client;
    expect((await half.getUserData({ pageSize: 100, pageIndex: 0 })).rejected).toHaveLength(11);
    const few = mocked(200, JSON.stringify({ Users: users(10, 2) })).client;
    expect((await few.getUserData({ pageSize: 100, pageIndex: 0 })).rejected).toHaveLength(10);
  });

  it('accepts folder flags as 0/1, booleans and "0"/"1", folders without users, and an empty [] answer', async () => {
    const folders = {
      '101': {
        sharedfoldername: 'ThisSFName',
        score: 99,
        users: [
          { username: 'joe@example.com', readonly: 0, give: 1, can_administer: 1 },
          {
            username: 'jane@example.com',
            readonly: true,
            give: false,
            can_administer: '0',
            superadmin: false,
            sites: ['aaa.com'],
          },
        ],
      },
      '102': { sharedfoldername: 'Empty', score: '0', deleted: true, users: [] },
      '103': { sharedfoldername: 'No users key', score: null },
    };
    const { client } = mocked(200, JSON.stringify(folders));
    const page = await client.getDetailedSharedFolderData({ pageSize: 3, pageIndex: 0 });
    expect(page.count).toBe(3);
    expect(page.folders).toEqual(folders);
    expect(await mocked(200, '[]').client.getSharedFolderData()).toEqual({
      folders: {},
      count: 0,
      apiCalls: 1,
    });
  });

  const goodFolder = { sharedfoldername: 'Good', users: [{ username: 'g@example.com', readonly: 1 }] };
  it.each([
    ['a member with a flag of 2', [{ username: 'a@b', readonly: 2 }], '1.users.1.readonly: '],
    ['a member without username', [{ readonly: 1 }], '1.users.1.username: '],
    ['a member that is a string', ['a@b'], '1.users.1: '],
  ])(
    'a folder with %s → that member alone is set aside (issue #15 §6): the folder and its other members stay',
    async (_name, bad, reason) => {
      const ok = { username: 'ok@example.com', give: 0 };
      const folder = { sharedfoldername: 'A', score: 1, users: [ok, ...bad, { username: 'z@example.com' }] };
      const { client } = mocked(200, JSON.stringify({ '1': folder, '2': goodFolder }));
      for (const page of [
        await client.getSharedFolderData(),
        await client.getDetailedSharedFolderData({ pageSize: 5, pageIndex: 0 }),
      ]) {
        expect(page.count).toBe(2);
        expect(page.folders).toEqual({
          '1': { sharedfoldername: 'A', score: 1, users: [ok, { username: 'z@example.com' }] },
          '2': goodFolder,
        });
        expect(Object.keys(page.folders['1'] ?? {})).toEqual(['sharedfoldername', 'score', 'users']);
        expect(page.rejected).toEqual([
          { key: '1', member: 1, record: bad[0], reason: expect.stringContaining(reason) as unknown },
        ]);
      }
    },
  );

  it.each([
    ['a folder that is a list', ['A'], '1: '],
    ['a folder without sharedfoldername', { users: [] }, '1.sharedfoldername: '],
    ['users that is not a list', { sharedfoldername: 'A', users: { username: 'a@b' } }, '1.users: '],
  ])('%s → that folder is set aside whole, the others kept', async (_name, bad, reason) => {
    const { client } = mocked(200, JSON.stringify({ '1': bad, '2': goodFolder }));
    const page = await client.getDetailedSharedFolderData({ pageSize: 5, pageIndex: 0 });
    expect(page.count).toBe(2);
    expect(page.folders).toEqual({ '2': goodFolder });
    expect(page.rejected).toEqual([
      { key: '1', record: bad, reason: expect.stringContaining(reason) as unknown },
    ]);
  });

  it('most of a folders page failing (members count) looks like a format change: LASTPASS_UNEXPECTED_RESPONSE', async () => {
    const renamed = {
      sharedfoldername: 'A',
      users: Array.from({ length: 6 }, (_, i) => ({ name: `u${i}` })),
    };
    const { client } = mocked(200, JSON.stringify({ '1': renamed, '2': renamed, '3': goodFolder }));
    const error = await failure(client.getDetailedSharedFolderData({ pageSize: 5, pageIndex: 0 }));
    expect(error.code).toBe('LASTPASS_UNEXPECTED_RESPONSE');
    expect(error.message).toContain(
      'getdetailedsfdata: 12 of 16 records fail validation (first: 1.users.0.username:',
    );
  });

  it.each([
    ['a JSON string', '"Access denied"'],
    ['a FAIL status object', '{"status":"FAIL","error":"Not allowed"}'],
    ['an error list', '{"errors":["restricted"]}'],
    ['an XML rc', '<lastpass rc="Access Denied"/>'],
  ])('an inventory refusal as %s → LASTPASS_COMMAND_RESTRICTED', async (_name, body) => {
    const { client } = mocked(200, body);
    for (const call of [
      () => client.getSharedFolderData(),
      () => client.getUserData({ pageSize: 1, pageIndex: 0 }),
    ]) {
      const error = await failure(call());
      expect(error.code).toBe('LASTPASS_COMMAND_RESTRICTED');
    }
  });
});

describe('options and request validation (nothing is sent)', () => {
  const base = {
    url: `${ORIGIN}/enterpriseapi.php`,
    accountNumber: '8771312',
    provisioningHash: HASH,
    apiUser: 'u',
  };
  it.each([
    ['url', { url: 'ftp://x' }],
    ['accountNumber', { accountNumber: 'abc' }],
    ['provisioningHash', { provisioningHash: '  ' }],
    ['apiUser', { apiUser: '' }],
    ['timeoutMs', { timeoutMs: -1 }],
    ['retry.maxAttempts', { retry: { maxAttempts: 0 } }],
  ])('%s invalid → LASTPASS_INVALID_REQUEST naming it', (field, override) => {
    expect(() => createLastPassClient({ ...base, ...override })).toThrow(
      expect.objectContaining({ code: 'LASTPASS_INVALID_REQUEST', message: expect.stringContaining(field) }),
    );
  });

  it('rejects from/to not in "YYYY-MM-DD HH:mm:ss" and bad page parameters', async () => {
    const { client } = mocked(200, '[]');
    expect(
      (await failure(client.reporting({ from: '2024-03-01T00:00:00Z', to: WINDOW.to }))).message,
    ).toMatch(/^from: expected/);
    expect((await failure(client.getUserData({ pageSize: 10, pageIndex: -1 }))).message).toMatch(
      /^pageIndex/,
    );
    expect((await failure(client.getDetailedSharedFolderData({ pageSize: 1.5 }))).message).toMatch(
      /^pageSize/,
    );
    expect(client.apiCalls).toBe(0); // refused before any request was sent
  });
});
