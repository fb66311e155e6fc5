/** The simulator over raw HTTP (what `curl -X POST` sees): envelope, quirks, paging limits, faults. */
import { AUTH_ERROR_XML, startSimulator, type RunningSimulator, type StartOptions } from '../src';

const HASH = 'sim-test-hash-93b1f0';

async function post(
  sim: RunningSimulator,
  body: unknown,
): Promise<{ status: number; type: string | null; text: string; headers: Headers }> {
  const res = await fetch(sim.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  return {
    status: res.status,
    type: res.headers.get('content-type'),
    text: await res.text(),
    headers: res.headers,
  };
}

async function withSim(options: StartOptions, run: (sim: RunningSimulator) => Promise<void>): Promise<void> {
  const sim = await startSimulator({ provisioningHash: HASH, ...options });
  try {
    await run(sim);
  } finally {
    await sim.close();
  }
}

const envelope = (
  sim: RunningSimulator,
  cmd: string,
  data: unknown,
  extra: Record<string, unknown> = {},
) => ({
  cid: sim.options.accountNumber,
  provhash: HASH,
  apiuser: 'raw-tests',
  cmd,
  data,
  ...extra,
});

describe('endpoint', () => {
  it('binds 127.0.0.1 and answers JSON labelled text/xml;charset=UTF-8, cid as a string or a number', async () => {
    await withSim({ events: 100 }, async (sim) => {
      expect(sim.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/enterpriseapi\.php$/);
      for (const cid of [sim.options.accountNumber, Number(sim.options.accountNumber)]) {
        const res = await post(sim, { ...envelope(sim, 'getsfdata', 'all'), cid });
        expect(res.status).toBe(200);
        expect(res.type).toBe('text/xml;charset=UTF-8');
        expect(Object.keys(JSON.parse(res.text) as object)).toEqual(
          sim.tenant.sharedFolders.map((f) => f.id),
        );
      }
    });
  });

  it('a wrong hash or cid gets the XML Authorization Error with HTTP 200', async () => {
    await withSim({ events: 10 }, async (sim) => {
      for (const body of [
        { ...envelope(sim, 'reporting', {}), provhash: 'nope' },
        { ...envelope(sim, 'reporting', {}), cid: 1 },
        { cmd: 'reporting' },
      ]) {
        const res = await post(sim, body);
        expect(res).toMatchObject({ status: 200, text: AUTH_ERROR_XML });
      }
    });
  });

  it('only POST on the endpoint; unknown commands and malformed bodies are refused', async () => {
    await withSim({ events: 10 }, async (sim) => {
      expect((await fetch(sim.url)).status).toBe(405);
      expect((await fetch(sim.url.replace('enterpriseapi.php', 'other'), { method: 'POST' })).status).toBe(
        404,
      );
      expect(JSON.parse((await post(sim, envelope(sim, 'getserdata', {}))).text)).toEqual({
        status: 'FAIL',
        error: 'Unknown command: getserdata',
      });
      expect(JSON.parse((await post(sim, '{"cid":')).text)).toMatchObject({ status: 'FAIL' });
      expect(
        JSON.parse((await post(sim, envelope(sim, 'reporting', { from: 'x', to: 'y' }))).text),
      ).toMatchObject({ status: 'FAIL' });
    });
  });

  it('string numbers in data are accepted (pagesize "2", pageindex "1")', async () => {
    await withSim({ users: 10 }, async (sim) => {
      const body = JSON.parse(
        (await post(sim, envelope(sim, 'getuserdata', { pagesize: '2', pageindex: '1' }))).text,
      ) as { Users: object; count: number; total: number };
      expect(Object.keys(body.Users)).toEqual(sim.tenant.users.slice(2, 4).map((u) => u.id));
      expect(body).toMatchObject({ count: 2, total: 10 });
      const admins = JSON.parse((await post(sim, envelope(sim, 'getuserdata', { admin: '1' }))).text) as {
        total: number;
      };
      expect(admins.total).toBe(sim.tenant.users.filter((u) => u.record.admin).length);
      const one = JSON.parse(
        (await post(sim, envelope(sim, 'getuserdata', { username: sim.tenant.users[3]!.record.username })))
          .text,
      ) as { total: number };
      expect(one.total).toBe(1);
    });
  });
});

describe('reporting', () => {
  it('at most pageSize events per response, EventN keys, next = the microsecond time of the next older event', async () => {
    await withSim({ events: 1_000, pageSize: 300 }, async (sim) => {
      const res = JSON.parse(
        (
          await post(
            sim,
            envelope(
              sim,
              'reporting',
              { from: '2024-01-01 00:00:00', to: '2024-12-31 23:59:59' },
              { user: 'allusers' },
            ),
          )
        ).text,
      ) as {
        status: string;
        next: number;
        data: Record<string, unknown>;
      };
      expect(res.status).toBe('OK');
      expect(Object.keys(res.data)).toEqual(Array.from({ length: 300 }, (_, i) => `Event${i + 1}`));
      const events = sim.tenant.events;
      expect(res.data.Event1).toEqual(events.at(-1)!.record);
      expect(res.next).toBe(events.at(-301)!.micros);
      expect(res.next).toBeGreaterThan(1.7e15);
    });
  });

  it('answers a 10,000-event page of a 200,000-event history in milliseconds', async () => {
    await withSim({ events: 200_000 }, async (sim) => {
      const body = envelope(sim, 'reporting', { from: '2024-01-01 00:00:00', to: '2024-12-31 23:59:59' });
      await post(sim, body);
      const started = performance.now();
      const res = await post(sim, {
        ...body,
        data: { ...(body.data as object), next: sim.tenant.events[150_000]!.micros },
      });
      const elapsed = performance.now() - started;
      expect(Object.keys((JSON.parse(res.text) as { data: object }).data)).toHaveLength(10_000);
      expect(elapsed).toBeLessThan(400);
    });
  });
});

describe('faults', () => {
  it('after/count/every/command select the affected requests; addFault works at run time', async () => {
    await withSim(
      { events: 10, faults: [{ kind: 'server-error', command: 'getsfdata', after: 1, count: 1, every: 3 }] },
      async (sim) => {
        const statuses: number[] = [];
        for (let i = 0; i < 7; i++)
          statuses.push((await post(sim, envelope(sim, 'getsfdata', 'all'))).status);
        expect(statuses).toEqual([200, 503, 200, 200, 503, 200, 200]);
        expect((await post(sim, envelope(sim, 'getuserdata', {}))).status).toBe(200);
        sim.addFault({ kind: 'rate-limit', retryAfterSeconds: 3 });
        const limited = await post(sim, envelope(sim, 'getuserdata', {}));
        expect(limited.status).toBe(429);
        expect(limited.headers.get('retry-after')).toBe('3');
        sim.addFault({ kind: 'rate-limit' });
        expect((await post(sim, envelope(sim, 'getuserdata', {}))).headers.get('retry-after')).toBeNull();
        expect(sim.requests.map((r) => r.fault)).toEqual([
          undefined,
          'server-error',
          undefined,
          undefined,
          'server-error',
          undefined,
          undefined,
          undefined,
          'rate-limit',
          'rate-limit',
        ]);
      },
    );
  });

  it('truncated: half of the JSON with a matching Content-Length', async () => {
    await withSim({ events: 10, faults: [{ kind: 'truncated' }] }, async (sim) => {
      const res = await post(sim, envelope(sim, 'getsfdata', 'all'));
      expect(res.status).toBe(200);
      expect(() => JSON.parse(res.text) as unknown).toThrow();
      expect(res.text.startsWith('{"')).toBe(true);
    });
  });

  it('restricted mode refuses inventory commands and still serves reporting', async () => {
    await withSim({ events: 10, restricted: true }, async (sim) => {
      expect(JSON.parse((await post(sim, envelope(sim, 'getuserdata', {}))).text)).toMatchObject({
        status: 'FAIL',
      });
      expect(
        JSON.parse(
          (
            await post(
              sim,
              envelope(sim, 'reporting', { from: '2024-01-01 00:00:00', to: '2024-01-02 00:00:00' }),
            )
          ).text,
        ),
      ).toMatchObject({ status: 'OK' });
    });
  });

  it('the request log never holds the hash', async () => {
    await withSim({ events: 10 }, async (sim) => {
      await post(sim, envelope(sim, 'getsfdata', 'all'));
      await post(sim, { ...envelope(sim, 'getsfdata', 'all'), provhash: `${HASH}x` });
      expect(JSON.stringify(sim.requests)).not.toContain(HASH);
    });
  });
});

describe('request log', () => {
  it('keeps every request by default; with requestLogLimit only the latest, and the count stays exact', async () => {
    await withSim({ events: 10 }, async (sim) => {
      for (let i = 0; i < 5; i++) await post(sim, envelope(sim, 'getsfdata', 'all'));
      expect(sim.requests).toHaveLength(5);
      expect(sim.requestCount).toBe(5);
    });
    await withSim({ events: 10, requestLogLimit: 3 }, async (sim) => {
      for (let i = 0; i < 11; i++)
        await post(sim, envelope(sim, i === 10 ? 'getuserdata' : 'getsfdata', 'all'));
      expect(sim.requestCount).toBe(11);
      expect(sim.requests.length).toBeGreaterThanOrEqual(3);
      expect(sim.requests.length).toBeLessThan(6);
      expect(sim.requests.at(-1)?.cmd).toBe('getuserdata');
    });
  });
});
