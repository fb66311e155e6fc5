/**
 * Issue #15: excerpts never leak a fragment of the hash (§3); HTML pages are retried, sizes capped,
 * invalid UTF-8 reported (§6); every error says how many requests the call made (§8); pacing (§12).
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  createLastPassClient,
  createNdjsonTracer,
  type LastPassClient,
  type LastPassClientOptions,
  type Logger,
} from '../../src/lastpass';
import { Pacer } from '../../src/lastpass/pacer';
import { createRedactor, EXCERPT_LENGTH, FRAGMENT_MIN } from '../../src/lastpass/redact';
import { clientFor, failure, FakeClock, withSimulator } from './helpers';

/** Hex, like a real provisioning hash: none of its 8-character fragments occurs in our own wording. */
const SECRET = '7f3e9a1c5b2d8e4f6a0c3b7d9e1f5a2c4b6d8e0f';
const WINDOW = { from: '2024-11-01 00:00:00', to: '2024-11-02 00:00:00' };

/** Every fragment of the secret of FRAGMENT_MIN characters found in `text`. */
function leaks(text: string, secret = SECRET): string[] {
  const found: string[] = [];
  for (let i = 0; i + FRAGMENT_MIN <= secret.length; i++) {
    const gram = secret.slice(i, i + FRAGMENT_MIN);
    if (text.includes(gram)) found.push(gram);
  }
  return found;
}

interface Answer {
  status: number;
  body: string | Buffer;
  headers?: Record<string, string>;
}

/** A LastPass stand-in on 127.0.0.1:0 whose answer is made from the request body. */
async function fakeLastPass(
  answer: (requestBody: string, n: number) => Answer,
): Promise<{ url: string; requests: string[]; close: () => Promise<void> }> {
  const requests: string[] = [];
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      requests.push(body);
      const a = answer(body, requests.length);
      res.writeHead(a.status, { 'content-type': 'text/html', ...a.headers });
      res.end(a.body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/enterpriseapi.php`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => {
          resolve();
        });
      }),
  };
}

function clientOf(url: string, overrides: Partial<LastPassClientOptions> = {}): LastPassClient {
  return createLastPassClient({
    url,
    accountNumber: '8771312',
    provisioningHash: SECRET,
    apiUser: 'unit',
    clock: new FakeClock(),
    timeoutMs: 0,
    minIntervalMs: 0,
    retry: { maxAttempts: 1 },
    ...overrides,
  });
}

describe('the redactor (§3)', () => {
  const redactor = createRedactor(() => [SECRET]);

  it('an excerpt cut anywhere across the secret keeps no fragment of 8 characters, and says it was cut', () => {
    for (let pad = 0; pad <= EXCERPT_LENGTH + 5; pad++) {
      const body = `${'x'.repeat(pad)}"provhash":"${SECRET}" and more ${'y'.repeat(200)}`;
      const excerpt = redactor.excerpt(body);
      expect(leaks(excerpt)).toEqual([]);
      expect(excerpt.endsWith('…')).toBe(true);
      expect(excerpt.length).toBeLessThanOrEqual(EXCERPT_LENGTH + 1);
    }
  });

  it('a prefix, a suffix or an inner fragment of ≥ 8 characters is redacted; shorter ones and other text stay', () => {
    const excerpt = redactor.excerpt(
      `a=${SECRET.slice(0, 20)} b=${SECRET.slice(-9)} c=${SECRET.slice(10, 18)} d=${SECRET.slice(0, 7)} e=plain`,
    );
    expect(excerpt).toBe(`a=[REDACTED] b=[REDACTED] c=[REDACTED] d=${SECRET.slice(0, 7)} e=plain`);
  });

  it('`text` replaces whole occurrences only (our own wording stays readable); short secrets are matched whole', () => {
    expect(redactor.text(`x ${SECRET} y ${SECRET.slice(0, 20)}`)).toBe(
      `x [REDACTED] y ${SECRET.slice(0, 20)}`,
    );
    const short = createRedactor(() => ['abc12']);
    expect(short.excerpt('key abc12 and abc1')).toBe('key [REDACTED] and abc1');
  });

  it('follows the secret it is given at each use (a re-read hash is covered)', () => {
    let current = SECRET;
    const live = createRedactor(() => [current]);
    expect(live.text(SECRET)).toBe('[REDACTED]');
    current = 'another-secret-value-99';
    expect(live.text(`${SECRET} another-secret-value-99`)).toBe(`${SECRET} [REDACTED]`);
  });
});

describe('an error page echoing the request body never carries a fragment of the hash (§3)', () => {
  // Each answer embeds the request body (which holds the hash) after `pad` characters, so that over
  // the pads the 120-character cut falls at every position of the hash.
  const pages: [string, (body: string, pad: string) => Answer, 'reporting' | 'getuserdata'][] = [
    ['HTTP 400 HTML', (b, p) => ({ status: 400, body: `<html><pre>${p}${b}</pre></html>` }), 'reporting'],
    ['HTTP 500 HTML', (b, p) => ({ status: 500, body: `<html>${p}${b}</html>` }), 'reporting'],
    ['HTML with HTTP 200', (b, p) => ({ status: 200, body: `<!doctype html>${p}${b}` }), 'reporting'],
    ['text with HTTP 200', (b, p) => ({ status: 200, body: `error: ${p}${b}` }), 'reporting'],
    [
      'status FAIL',
      (b, p) => ({ status: 200, body: JSON.stringify({ status: 'FAIL', error: p + b }) }),
      'reporting',
    ],
    [
      'a status that is the echo',
      (b, p) => ({ status: 200, body: JSON.stringify({ status: p + b }) }),
      'reporting',
    ],
    [
      'a wrong shape',
      (b, p) => ({ status: 200, body: JSON.stringify({ status: 'OK', next: { echo: p + b } }) }),
      'reporting',
    ],
    ['an XML rc', (b, p) => ({ status: 200, body: `<lastpass rc='${p}${b}'/>` }), 'reporting'],
    [
      'an inventory refusal',
      (b, p) => ({ status: 200, body: JSON.stringify({ status: 'FAIL', error: p + b }) }),
      'getuserdata',
    ],
    [
      // the failing path (of the envelope: a malformed user is set aside instead) names the key: the echo
      'a wrong shape under a key that is the echo',
      (b, p) => ({ status: 200, body: JSON.stringify({ Users: {}, Groups: { [p + b]: 1 } }) }),
      'getuserdata',
    ],
    [
      'a wrong shape under a key that is a cut echo',
      (b, p) => ({
        status: 200,
        body: JSON.stringify({ Users: {}, Groups: { [(p + b).slice(0, 140)]: 1 } }),
      }),
      'getuserdata',
    ],
  ];

  it.each(pages)('%s: messages, stacks, log lines and trace lines', async (_name, page, command) => {
    const pads = [0, 20, 40, 60, 70, 75, 80, 85, 90, 95, 100, 110];
    let pad = '';
    const server = await fakeLastPass((body) => page(body, pad));
    const dir = mkdtempSync(join(tmpdir(), 'lastpass-echo-'));
    const file = join(dir, 'trace.ndjson');
    const lines: string[] = [];
    const logger: Logger = {
      warn: (obj, msg) => lines.push(JSON.stringify(obj), msg),
      debug: (obj, msg) => lines.push(JSON.stringify(obj), msg),
    };
    try {
      const client = clientOf(server.url, { tracer: createNdjsonTracer(file), logger });
      const texts: string[] = [];
      for (const n of pads) {
        pad = '.'.repeat(n);
        const error = await failure(
          command === 'reporting'
            ? client.reporting(WINDOW)
            : client.getUserData({ pageSize: 5, pageIndex: 0 }),
        );
        texts.push(error.message, String(error.stack), JSON.stringify(error));
        let cause: unknown = error.cause;
        while (cause instanceof Error) {
          texts.push(cause.message);
          cause = cause.cause;
        }
      }
      // the test is only worth something if the hash really went out and came back
      expect(server.requests.every((r) => r.includes(SECRET))).toBe(true);
      const trace = readFileSync(file, 'utf8');
      // and if an excerpt of it was cut somewhere (in a message or, for transport failures, the trace)
      expect([trace, ...texts].join('\n')).toMatch(/…/);
      for (const text of [trace, ...lines, ...texts]) expect(leaks(text)).toEqual([]);
    } finally {
      await server.close();
    }
  });
});

describe('a malformed record under a key that echoes the request (§3, §6)', () => {
  it('its reason (dead-letter file, log line, state note) carries no fragment of the hash', async () => {
    let pad = '';
    const server = await fakeLastPass((body) => ({
      status: 200,
      body: JSON.stringify({
        status: 'OK',
        next: null,
        data: {
          Event1: {
            Time: '2024-11-01 00:00:00',
            Username: 'a@example.com',
            IP_Address: '',
            Action: 'Log in',
            Data: '',
          },
          [(pad + body).slice(0, 140)]: { Time: 5 },
        },
      }),
    }));
    try {
      const reasons: string[] = [];
      for (const n of [0, 20, 40, 60, 80, 100]) {
        pad = '.'.repeat(n);
        const page = await clientOf(server.url).reporting(WINDOW);
        expect(page.events).toHaveLength(1);
        expect(page.rejected).toHaveLength(1);
        reasons.push(...(page.rejected ?? []).map((r) => r.reason));
      }
      // the test is only worth something if the cut echo held a fragment of the hash
      expect(server.requests.every((r) => leaks(r.slice(0, 140)).length > 0)).toBe(true);
      for (const reason of reasons) {
        expect(reason).toMatch(/\.Time: /);
        expect(leaks(reason)).toEqual([]);
      }
    } finally {
      await server.close();
    }
  });
});

describe('HTML pages, sizes and encodings (§6)', () => {
  it('an HTML page with HTTP 200 is transient: retried, then the data', async () => {
    const server = await fakeLastPass((_b, n) =>
      n <= 2
        ? { status: 200, body: '<!DOCTYPE html><html><body>Down for maintenance</body></html>' }
        : { status: 200, body: '{"status":"OK","next":null,"data":[]}' },
    );
    try {
      const client = clientOf(server.url, { retry: { maxAttempts: 5 } });
      const page = await client.reporting(WINDOW);
      expect(page.apiCalls).toBe(3);
      expect(page.events).toEqual([]);
    } finally {
      await server.close();
    }
  });

  it('an HTML page that persists → LASTPASS_RETRIES_EXHAUSTED whose cause is LASTPASS_HTML_RESPONSE', async () => {
    const server = await fakeLastPass(() => ({ status: 200, body: '<html>Bad gateway</html>' }));
    try {
      const error = await failure(clientOf(server.url, { retry: { maxAttempts: 3 } }).reporting(WINDOW));
      expect(error.code).toBe('LASTPASS_RETRIES_EXHAUSTED');
      expect(error.attempts).toBe(3);
      expect(error.message).toContain('LASTPASS_HTML_RESPONSE');
      expect(error.message).toContain('HTML page');
      expect(server.requests).toHaveLength(3);
    } finally {
      await server.close();
    }
  });

  it.each(['reporting', 'getuserdata'] as const)(
    'an XHTML page (an <?xml prolog, no <lastpass> element) with HTTP 200 is an HTML page too (%s): retried, never a refusal',
    async (command) => {
      const xhtml =
        '<?xml version="1.0" encoding="iso-8859-1"?>\n<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Strict//EN" "http://www.w3.org/TR/xhtml1/DTD/xhtml1-strict.dtd">\n<html xmlns="http://www.w3.org/1999/xhtml"><body>Down for maintenance</body></html>';
      const server = await fakeLastPass(() => ({ status: 200, body: xhtml }));
      try {
        const client = clientOf(server.url, { retry: { maxAttempts: 3 } });
        const error = await failure(
          command === 'reporting'
            ? client.reporting(WINDOW)
            : client.getUserData({ pageSize: 5, pageIndex: 0 }),
        );
        expect(error.code).toBe('LASTPASS_RETRIES_EXHAUSTED');
        expect((error.cause as { code?: string }).code).toBe('LASTPASS_HTML_RESPONSE');
        expect(server.requests).toHaveLength(3);
      } finally {
        await server.close();
      }
    },
  );

  it('the XML Authorization Error stays a permanent auth failure: one request', async () => {
    const server = await fakeLastPass(() => ({
      status: 200,
      body: '<?xml version="1.0" encoding="UTF-8"?>\n<lastpass rc="Authorization Error"/>',
    }));
    try {
      const error = await failure(clientOf(server.url, { retry: { maxAttempts: 5 } }).reporting(WINDOW));
      expect(error.code).toBe('LASTPASS_AUTH_FAILED');
      expect(server.requests).toHaveLength(1);
    } finally {
      await server.close();
    }
  });

  it.each([
    ['with a Content-Length', {}],
    ['streamed without one', { 'transfer-encoding': 'chunked' }],
  ])(
    'an answer larger than maxResponseBytes (%s) → LASTPASS_RESPONSE_TOO_LARGE naming the setting, not retried',
    async (_name, headers) => {
      const big = `{"status":"OK","next":null,"data":{"Event1":{"Time":"2024-11-01 00:00:00","Username":"${'u'.repeat(5000)}","IP_Address":"","Action":"Log in","Data":""}}}`;
      const server = await fakeLastPass(() => ({ status: 200, body: big, headers }));
      try {
        const client = clientOf(server.url, { maxResponseBytes: 4096, retry: { maxAttempts: 5 } });
        const error = await failure(client.reporting(WINDOW));
        expect(error.code).toBe('LASTPASS_RESPONSE_TOO_LARGE');
        expect(error.retryable).toBe(false);
        expect(error.message).toContain('response_max_bytes (4096 bytes');
        expect(error.message).toContain('page size');
        expect(server.requests).toHaveLength(1);
        // under the cap the same answer is read
        const page = await clientOf(server.url, { maxResponseBytes: 8192 }).reporting(WINDOW);
        expect(page.events).toHaveLength(1);
      } finally {
        await server.close();
      }
    },
  );

  it.each([
    ['with a Content-Length', {}],
    ['streamed without one', { 'transfer-encoding': 'chunked' }],
  ])(
    'an oversized 503 error page (%s) stays a retryable server error, not LASTPASS_RESPONSE_TOO_LARGE',
    async (_name, headers) => {
      const page = `<html><body>${'Service Unavailable '.repeat(1000)}</body></html>`;
      const server = await fakeLastPass(() => ({ status: 503, body: page, headers }));
      try {
        const client = clientOf(server.url, { maxResponseBytes: 4096, retry: { maxAttempts: 3 } });
        const error = await failure(client.reporting(WINDOW));
        expect(error.code).toBe('LASTPASS_RETRIES_EXHAUSTED');
        expect(error.message).not.toContain('LASTPASS_RESPONSE_TOO_LARGE');
        expect(server.requests).toHaveLength(3);
      } finally {
        await server.close();
      }
    },
  );

  it('invalid UTF-8 is read as U+FFFD and reported with its offset', async () => {
    const head = Buffer.from(
      '{"status":"OK","next":null,"data":{"Event1":{"Time":"2024-11-01 00:00:00","Username":"a',
    );
    const body = Buffer.concat([
      head,
      Buffer.from([0xff, 0xc3]),
      Buffer.from('b","IP_Address":"","Action":"Log in","Data":""}}}'),
    ]);
    const server = await fakeLastPass(() => ({ status: 200, body }));
    const warnings: [Record<string, unknown>, string][] = [];
    const logger: Logger = { warn: (obj, msg) => warnings.push([obj, msg]), debug: () => undefined };
    try {
      const page = await clientOf(server.url, { logger }).reporting(WINDOW);
      expect(page.events[0]?.Username).toBe('a\uFFFD\uFFFDb');
      expect(warnings).toHaveLength(1);
      expect(warnings[0]?.[0]).toMatchObject({ code: 'LASTPASS_INVALID_UTF8', offset: head.length });
      expect(warnings[0]?.[1]).toContain(`first invalid byte at offset ${head.length} of ${body.length}`);
    } finally {
      await server.close();
    }
  });
});

describe('api calls on failure (§8)', () => {
  it('every error a call throws carries the requests it made', async () => {
    const server = await fakeLastPass((_b, n) =>
      n <= 2 ? { status: 503, body: 'busy' } : { status: 403, body: 'no' },
    );
    try {
      const error = await failure(clientOf(server.url, { retry: { maxAttempts: 5 } }).reporting(WINDOW));
      expect(error.code).toBe('LASTPASS_HTTP_ERROR');
      expect(error.attempts).toBe(3);
    } finally {
      await server.close();
    }
  });
});

describe('pacing (§12)', () => {
  it('the pacer: request_interval unless the last answer carried records; a 429 slows every gap, then decays', () => {
    const pacer = new Pacer({ intervalMs: 1000, backfillIntervalMs: 100 });
    expect(pacer.gapMs).toBe(1000);
    pacer.answered(5);
    expect(pacer.gapMs).toBe(100);
    pacer.started(10_000);
    expect(pacer.waitMs(10_030)).toBe(70);
    pacer.answered(0);
    expect(pacer.gapMs).toBe(1000);
    pacer.failed(true);
    expect(pacer.gapMs).toBe(1000);
    pacer.failed(true);
    expect(pacer.gapMs).toBe(2000);
    const gaps: number[] = [];
    for (let i = 0; i < 12; i++) {
      pacer.answered(5);
      gaps.push(pacer.gapMs);
    }
    expect(gaps.slice(0, 3)).toEqual([1500, 1125, 843]);
    expect(gaps.at(-1)).toBe(100); // back to backfill pace
    for (let i = 0; i < 10; i++) pacer.failed(true);
    expect(pacer.gapMs).toBe(60_000);
  });

  it('a backfill of full answers at the default intervals waits 100 ms between requests; an empty answer 1 s', async () => {
    await withSimulator(
      { events: 2000, start: new Date('2024-11-01T00:00:00Z'), end: new Date('2024-11-02T00:00:00Z') },
      async (sim) => {
        const clock = new FakeClock();
        // the client's defaults: request_interval 1 s, backfill 100 ms
        const { client } = clientFor(sim, { clock, minIntervalMs: 1000 });
        const busy = { from: '2024-10-31 20:00:00', to: '2024-11-01 20:00:00' };
        const empty = { from: '2020-01-01 00:00:00', to: '2020-01-02 00:00:00' };
        for (const w of [busy, busy, busy, empty, busy]) await client.reporting(w);
        expect(clock.sleeps).toEqual([100, 100, 100, 1000]);
      },
    );
  });

  it('a 429 switches to request_interval (doubling on each further 429), then decays back', async () => {
    await withSimulator(
      {
        events: 2000,
        start: new Date('2024-11-01T00:00:00Z'),
        end: new Date('2024-11-02T00:00:00Z'),
        faults: [{ kind: 'rate-limit', after: 2, count: 2, retryAfterSeconds: 0 }],
      },
      async (sim) => {
        const clock = new FakeClock(Date.UTC(2024, 10, 15), 0);
        const { client } = clientFor(sim, {
          clock,
          minIntervalMs: 1000,
          retry: { baseDelayMs: 0, maxDelayMs: 0, maxAttempts: 5 },
        });
        const busy = { from: '2024-10-31 20:00:00', to: '2024-11-01 20:00:00' };
        for (let i = 0; i < 6; i++) await client.reporting(busy);
        // 2 paced backfill gaps; after the first 429 the interval (1 s), after the second 2 s;
        // then each success shrinks the penalty by a quarter
        expect(clock.sleeps.filter((ms) => ms > 0)).toEqual([100, 100, 1000, 2000, 1500, 1125, 843]);
      },
    );
  });
});
