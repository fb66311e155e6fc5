/**
 * Issue #15 §3 on the Agent's side: an answer whose `status` echoes the request (and so the hash) gives an
 * error event whose id is not that status; the hash appears in no event.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { RunningSimulator } from '@lastpass-elastic/simulator';
import { HASH, harness, render } from './support';

test('event_report: a status echoing the request body never becomes the error id', async () => {
  const statuses = (body: string) => [body, `x${HASH}`, HASH.slice(0, 12), 'FAIL'];
  let answer = 0;
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const status = statuses(body)[answer++ % 4] ?? '';
      res.end(JSON.stringify({ status, next: null, data: [] }));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  try {
    const now = new Date('2024-11-05T00:00:00Z');
    const fake = {
      url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/enterpriseapi.php`,
      options: { timeZone: 'America/New_York' },
      clock: { now: () => now },
    } as unknown as RunningSimulator;
    const { input } = harness(render('event_report', fake), fake);
    const ids: unknown[] = [];
    const events: unknown[] = [];
    for (let i = 0; i < 4; i++) {
      const run = await input.run();
      events.push(...run.events, ...run.errors);
      ids.push(...run.errors.map((e) => (e as { id?: unknown }).id));
    }
    expect(ids).toEqual(['reporting', 'reporting', 'reporting', 'FAIL']);
    expect(JSON.stringify(events)).not.toContain(HASH.slice(0, 8));
  } finally {
    server.closeAllConnections();
    await new Promise<void>((r) =>
      server.close(() => {
        r();
      }),
    );
  }
});
