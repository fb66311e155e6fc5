import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { AgentHttpProxy, agentAttempts, agentBackoffMs, firstJsonValue } from '../src/index';

/** An API that answers the scripted statuses in turn (then 200), counting requests. */
async function scripted(
  statuses: number[],
  headers: Record<string, string> = {},
): Promise<{ url: string; count: () => number; close: () => Promise<void> }> {
  let n = 0;
  const server: Server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      const status = statuses[n] ?? 200;
      n += 1;
      if (status === -1) {
        res.destroy();
        return;
      }
      res.writeHead(status, headers);
      res.end(`answer ${n}`);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/api`,
    count: () => n,
    close: () =>
      new Promise<void>((r) =>
        server.close(() => {
          r();
        }),
      ),
  };
}

const post = (url: string): Promise<{ status: number; body: string }> =>
  fetch(url, { method: 'POST', body: '{"x":1}' }).then(async (r) => ({
    status: r.status,
    body: await r.text(),
  }));

describe("the Agent's HTTP client (resource.retry) in front of the API", () => {
  test('attempts and backoff as go-retryablehttp in the CEL input: max_attempts > 1 means 1 + max_attempts requests', () => {
    expect(agentAttempts({ maxAttempts: 1, waitMinMs: 1000, waitMaxMs: 60_000 })).toBe(1);
    expect(agentAttempts({ maxAttempts: 5, waitMinMs: 1000, waitMaxMs: 60_000 })).toBe(6);
    const retry = { maxAttempts: 5, waitMinMs: 2000, waitMaxMs: 60_000 };
    expect([0, 1, 2, 3, 4, 5].map((a) => agentBackoffMs(retry, a, undefined))).toEqual([
      2000, 4000, 8000, 16_000, 32_000, 60_000,
    ]);
    const limited = { status: 429, headers: { 'retry-after': '7' }, body: Buffer.alloc(0) };
    expect(agentBackoffMs(retry, 0, limited)).toBe(7000);
  });

  test('429 and 5xx are retried, 501 and 4xx are not; after the last attempt the program gets the last answer', async () => {
    const api = await scripted([429, 503, 500, 200, 501, 404]);
    const proxy = new AgentHttpProxy({
      target: api.url,
      retry: { maxAttempts: 3, waitMinMs: 1000, waitMaxMs: 60_000 },
    });
    try {
      const url = await proxy.start();
      expect(await post(url)).toEqual({ status: 200, body: 'answer 4' });
      expect(await post(url)).toEqual({ status: 501, body: 'answer 5' });
      expect(await post(url)).toEqual({ status: 404, body: 'answer 6' });
      expect(proxy.stats).toMatchObject({
        requests: 3,
        attempts: 6,
        retries: 3,
        virtualWaitMs: 1000 + 2000 + 4000,
      });
      expect(proxy.stats.failuresDelivered).toEqual([]);
    } finally {
      await proxy.close();
      await api.close();
    }
  });

  test('without retries a 429 reaches the program; a dropped connection becomes a transport error', async () => {
    const api = await scripted([429, -1]);
    const proxy = new AgentHttpProxy({
      target: api.url,
      retry: { maxAttempts: 1, waitMinMs: 1000, waitMaxMs: 60_000 },
    });
    try {
      const url = await proxy.start();
      expect((await post(url)).status).toBe(429);
      await expect(post(url)).rejects.toThrow();
      expect(proxy.stats.failuresDelivered.map((f) => f.status)).toEqual([429, 0]);
      expect(api.count()).toBe(2);
    } finally {
      await proxy.close();
      await api.close();
    }
  });

  test('the gate holds a request: it never reaches the API and onHold is told', async () => {
    const api = await scripted([]);
    let onHeld: () => void = () => undefined;
    const heldSeen = new Promise<void>((r) => {
      onHeld = r;
    });
    const proxy = new AgentHttpProxy({
      target: api.url,
      gate: () => true,
      onHold: () => {
        onHeld();
      },
    });
    try {
      const url = await proxy.start();
      const pending = post(url).catch(() => 'dropped');
      await heldSeen;
      proxy.releaseHeld();
      expect(await pending).toBe('dropped');
      expect(api.count()).toBe(0);
      expect(proxy.stats.held).toBe(1);
    } finally {
      await proxy.close();
      await api.close();
    }
  });

  test('firstJsonValue reads only the first of the values mito prints', () => {
    expect(firstJsonValue('{\n\t"a": "}{",\n\t"b": [1]\n}\n{"c": 2}\n')).toEqual({ a: '}{', b: [1] });
    expect(firstJsonValue('{"a": ')).toBeUndefined();
    expect(firstJsonValue('')).toBeUndefined();
  });
});
