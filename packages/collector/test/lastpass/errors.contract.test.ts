/** Client ↔ simulator: each error code, its retryable flag and the retry policy, on a virtual clock. */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLastPassClient, createNdjsonTracer, LastPassError, type Logger } from '../../src/lastpass';
import { clientFor, failure, FakeClock, HASH, withSimulator } from './helpers';

const WINDOW = { from: '2024-11-01 00:00:00', to: '2024-11-02 00:00:00' };

describe('authentication', () => {
  it.each([
    ['a wrong hash', { provisioningHash: 'not-the-hash' }],
    ['a wrong account number', { accountNumber: '1234' }],
  ])('%s → LASTPASS_AUTH_FAILED from the XML body on HTTP 200, never retried', async (_name, override) => {
    await withSimulator({ events: 10 }, async (sim) => {
      const { client } = clientFor(sim, override);
      const error = await failure(client.reporting(WINDOW));
      expect(error.code).toBe('LASTPASS_AUTH_FAILED');
      expect(error.retryable).toBe(false);
      expect(error.command).toBe('reporting');
      expect(error.message).toMatch(/account number and the provisioning hash/);
      expect(error.message).toMatch(/regenerated/);
      expect(sim.requests).toHaveLength(1);
      expect(sim.requests[0]!.status).toBe(200);
    });
  });
});

describe('policy restriction', () => {
  it.each(['json', 'xml'] as const)(
    'restricted (%s refusal): inventory → LASTPASS_COMMAND_RESTRICTED, reporting still works',
    async (restrictedResponse) => {
      await withSimulator({ events: 100, restricted: true, restrictedResponse }, async (sim) => {
        const { client } = clientFor(sim);
        for (const call of [
          () => client.getUserData({ pageSize: 10, pageIndex: 0 }),
          () => client.getDetailedSharedFolderData({ pageSize: 10, pageIndex: 0 }),
          () => client.getSharedFolderData(),
        ]) {
          const error = await failure(call());
          expect(error.code).toBe('LASTPASS_COMMAND_RESTRICTED');
          expect(error.retryable).toBe(false);
          expect(error.message).toMatch(/Restrict Enterprise API to event reporting/);
        }
        await expect(client.reporting(WINDOW)).resolves.toMatchObject({ status: 'OK' });
        expect(sim.requests).toHaveLength(4);
      });
    },
  );
});

describe('throttling and server errors', () => {
  it('429 with Retry-After waits at least that long, then succeeds', async () => {
    await withSimulator(
      { events: 10, faults: [{ kind: 'rate-limit', count: 1, retryAfterSeconds: 7 }] },
      async (sim) => {
        const { client, clock } = clientFor(sim);
        const page = await client.reporting(WINDOW);
        expect(page.apiCalls).toBe(2);
        expect(clock.sleeps).toEqual([7_000]);
      },
    );
  });

  it('429 without Retry-After backs off exponentially with jitter', async () => {
    await withSimulator({ events: 10, faults: [{ kind: 'rate-limit', count: 3 }] }, async (sim) => {
      const { client, clock } = clientFor(sim);
      const page = await client.reporting(WINDOW);
      expect(page.apiCalls).toBe(4);
      expect(clock.sleeps).toEqual([750, 1_500, 3_000]); // base 1 s doubling, jitter 0.5 → ¾ of the step
    });
  });

  it('jitter spreads the wait between half and all of the step', async () => {
    await withSimulator({ events: 10, faults: [{ kind: 'server-error', count: 1 }] }, async (sim) => {
      const low = new FakeClock(Date.UTC(2024, 10, 15), 0);
      await clientFor(sim, { clock: low }).client.reporting(WINDOW);
      expect(low.sleeps).toEqual([500]);
    });
  });

  it('a 5xx burst is retried; beyond maxAttempts → LASTPASS_RETRIES_EXHAUSTED with the last error as cause', async () => {
    await withSimulator(
      { events: 10, faults: [{ kind: 'server-error', status: 502, count: 10 }] },
      async (sim) => {
        const { client } = clientFor(sim, { retry: { maxAttempts: 3 } });
        const error = await failure(client.getSharedFolderData());
        expect(error.code).toBe('LASTPASS_RETRIES_EXHAUSTED');
        expect(error.attempts).toBe(3);
        expect(error.cause).toBeInstanceOf(LastPassError);
        expect((error.cause as LastPassError).code).toBe('LASTPASS_UNAVAILABLE');
        expect((error.cause as LastPassError).status).toBe(502);
        expect(sim.requests.map((r) => r.status)).toEqual([502, 502, 502]);
        expect(client.apiCalls).toBe(3);
      },
    );
  });

  it('stops early when the next wait would pass maxElapsedMs (a long Retry-After)', async () => {
    await withSimulator(
      { events: 10, faults: [{ kind: 'rate-limit', count: 5, retryAfterSeconds: 300 }] },
      async (sim) => {
        const { client, clock } = clientFor(sim, { retry: { maxElapsedMs: 60_000 } });
        const error = await failure(client.reporting(WINDOW));
        expect(error.code).toBe('LASTPASS_RETRIES_EXHAUSTED');
        expect((error.cause as LastPassError).code).toBe('LASTPASS_RATE_LIMITED');
        expect((error.cause as LastPassError).retryAfterMs).toBe(300_000);
        expect(clock.sleeps).toEqual([]);
        expect(sim.requests).toHaveLength(1);
      },
    );
  });

  it('unpaged getdetailedsfdata over unpagedFolderLimit → 429 (retried, then exhausted); paged it works', async () => {
    await withSimulator({ events: 10, sharedFolders: 12, unpagedFolderLimit: 10 }, async (sim) => {
      const { client } = clientFor(sim, { retry: { maxAttempts: 2 } });
      const error = await failure(client.getDetailedSharedFolderData());
      expect((error.cause as LastPassError).code).toBe('LASTPASS_RATE_LIMITED');
      await expect(client.getDetailedSharedFolderData({ pageSize: 20, pageIndex: 0 })).resolves.toMatchObject(
        { count: 12 },
      );
    });
  });
});

describe('broken transport', () => {
  it('truncated JSON → LASTPASS_TRUNCATED_RESPONSE (retryable), then success', async () => {
    await withSimulator({ events: 500, faults: [{ kind: 'truncated', count: 1 }] }, async (sim) => {
      const { client } = clientFor(sim, { retry: { maxAttempts: 1 } });
      const error = await failure(
        client.reporting({ from: '2024-01-01 00:00:00', to: '2024-12-31 00:00:00' }),
      );
      expect(error.code).toBe('LASTPASS_RETRIES_EXHAUSTED');
      expect((error.cause as LastPassError).code).toBe('LASTPASS_TRUNCATED_RESPONSE');
      expect((error.cause as LastPassError).retryable).toBe(true);
      const again = await client.reporting({ from: '2024-01-01 00:00:00', to: '2024-12-31 00:00:00' });
      expect(again.events).toHaveLength(500);
    });
  });

  it('a reset connection → LASTPASS_UNAVAILABLE, retried', async () => {
    await withSimulator({ events: 10, faults: [{ kind: 'reset', count: 1 }] }, async (sim) => {
      const { client } = clientFor(sim);
      const page = await client.getSharedFolderData();
      expect(page.apiCalls).toBe(2);
    });
  });

  it('a slow answer → LASTPASS_TIMEOUT through the injected clock (no real wait)', async () => {
    await withSimulator(
      { events: 10, faults: [{ kind: 'slow', delayMs: 60_000, count: 1 }] },
      async (sim) => {
        const { client } = clientFor(sim, { timeoutMs: 5_000, retry: { maxAttempts: 1 } });
        const error = await failure(client.reporting(WINDOW));
        expect((error.cause as LastPassError).code).toBe('LASTPASS_TIMEOUT');
        expect((error.cause as LastPassError).retryable).toBe(true);
      },
    );
  });

  it('an unreachable endpoint → LASTPASS_UNAVAILABLE', async () => {
    let url = '';
    await withSimulator({ events: 10 }, async (sim) => {
      url = sim.url;
    });
    const client = createLastPassClient({
      url,
      accountNumber: '8771312',
      provisioningHash: HASH,
      apiUser: 'contract-tests',
      clock: new FakeClock(),
      timeoutMs: 0,
      retry: { maxAttempts: 2 },
    });
    const error = await failure(client.getSharedFolderData());
    expect((error.cause as LastPassError).code).toBe('LASTPASS_UNAVAILABLE');
    expect(client.apiCalls).toBe(2);
  });
});

/** A clock whose waits only end by abort, and which aborts `controller` as soon as anything waits. */
function abortingClock(controller: AbortController): FakeClock {
  const clock = new FakeClock();
  clock.sleep = (ms: number, signal?: AbortSignal) => {
    clock.sleeps.push(ms);
    const waiting = new Promise<void>((_resolve, reject) => {
      signal?.addEventListener('abort', () => {
        reject(new Error('aborted'));
      });
    });
    controller.abort();
    return waiting;
  };
  return clock;
}

describe('shutdown', () => {
  it('an abort during a retry backoff ends the wait with LASTPASS_ABORTED, without another request', async () => {
    await withSimulator({ events: 10, faults: [{ kind: 'server-error', count: 5 }] }, async (sim) => {
      const controller = new AbortController();
      const clock = abortingClock(controller);
      const { client } = clientFor(sim, { clock, signal: controller.signal });
      const error = await failure(client.getSharedFolderData());
      expect(error).toMatchObject({ code: 'LASTPASS_ABORTED', retryable: false });
      expect(clock.sleeps).toHaveLength(1);
      expect(sim.requests).toHaveLength(1);
    });
  });

  it('an aborted signal stops a call before it is sent, and ends a rate-limit wait early', async () => {
    await withSimulator({ events: 10 }, async (sim) => {
      const before = new AbortController();
      before.abort();
      const { client: idle } = clientFor(sim, { signal: before.signal });
      expect((await failure(idle.getSharedFolderData())).code).toBe('LASTPASS_ABORTED');
      expect(sim.requests).toHaveLength(0);

      const controller = new AbortController();
      // The test aborts while the client waits for its turn.
      const clock = abortingClock(controller);
      const { client } = clientFor(sim, {
        clock,
        signal: controller.signal,
        minIntervalMs: 1_000,
        backfillIntervalMs: 1_000,
      });
      await client.getSharedFolderData();
      const error = await failure(client.getSharedFolderData());
      expect(error).toMatchObject({ code: 'LASTPASS_ABORTED', retryable: false });
      expect(clock.sleeps).toEqual([1_000]);
      expect(sim.requests).toHaveLength(1);
    });
  });
});

describe('secrets', () => {
  it('the hash appears in no error message, log line or trace line; the trace is redacted NDJSON', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lastpass-trace-'));
    const file = join(dir, 'trace.ndjson');
    const lines: string[] = [];
    const logger: Logger = {
      warn: (obj, msg) => lines.push(JSON.stringify(obj), msg),
      debug: (obj, msg) => lines.push(JSON.stringify(obj), msg),
    };
    await withSimulator(
      {
        events: 50,
        faults: [
          { kind: 'server-error', count: 1 },
          { kind: 'truncated', after: 1, count: 1 },
        ],
      },
      async (sim) => {
        const { client } = clientFor(sim, {
          tracer: createNdjsonTracer(file),
          logger,
          retry: { maxAttempts: 3 },
        });
        await client.reporting(WINDOW);
        const messages: string[] = [];
        const bad = clientFor(sim, {
          provisioningHash: `${HASH}-wrong`,
          tracer: createNdjsonTracer(file),
          logger,
        }).client;
        for (const call of [
          () => bad.reporting(WINDOW),
          () => bad.getUserData({ pageSize: 5, pageIndex: 0 }),
        ]) {
          const error = await failure(call());
          messages.push(error.message, String(error.stack));
        }
        const trace = readFileSync(file, 'utf8');
        const entries = trace
          .trim()
          .split('\n')
          .map((l) => JSON.parse(l) as Record<string, unknown>);
        expect(entries.map((e) => e.outcome)).toEqual([
          'LASTPASS_UNAVAILABLE',
          'LASTPASS_TRUNCATED_RESPONSE',
          'ok',
          'LASTPASS_AUTH_FAILED',
          'LASTPASS_AUTH_FAILED',
        ]);
        expect(entries[0]).toMatchObject({
          command: 'reporting',
          attempt: 1,
          status: 503,
          request: { provhash: '[REDACTED]', cmd: 'reporting' },
        });
        expect(lines.length).toBeGreaterThan(0);
        for (const text of [trace, ...lines, ...messages, JSON.stringify(sim.requests)]) {
          expect(text).not.toContain(HASH);
        }
      },
    );
  });
});
