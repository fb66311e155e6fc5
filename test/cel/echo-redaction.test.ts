/**
 * Issue #15 §3 on the Agent's side: an answer whose `status` echoes the request (and so the hash), whole or
 * in part, gives an error event whose id is not that status; no fragment of 8 or more characters of the hash
 * appears in any event. On the emulation and, when present, on Elastic's real engine (mito).
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { AgentInput } from '@lastpass-elastic/cel-harness';
import type { RunningSimulator } from '@lastpass-elastic/simulator';
import { HASH, MITO, MITO_SKIP_REASON, render } from './support';

jest.setTimeout(120_000);

/** Every fragment of the hash of 8 characters found in `text`. */
function leaks(text: string): string[] {
  const found: string[] = [];
  for (let i = 0; i + 8 <= HASH.length; i++)
    if (text.includes(HASH.slice(i, i + 8))) found.push(HASH.slice(i, i + 8));
  return found;
}

const engines = MITO === undefined ? (['emulation'] as const) : (['emulation', 'mito'] as const);
if (MITO === undefined) process.stdout.write(`echo-redaction on mito: ${MITO_SKIP_REASON}\n`);

test.each(engines)(
  'event_report on %s: a status echoing the request body never becomes the error id',
  async (engine) => {
    const statuses = (body: string): string[] => [
      body,
      `x${HASH}`,
      HASH.slice(0, 12),
      // short, not itself a part of the hash, but holding a fragment of 8+ characters of it
      `x${HASH.slice(0, 12)}`,
      `${HASH.slice(5, 13)}!`,
      'FAIL',
    ];
    let answer = 0;
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        const list = statuses(body);
        const status = list[answer++ % list.length] ?? '';
        res.end(JSON.stringify({ status, next: null, data: [] }));
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const now = new Date('2024-11-05T00:00:00Z');
    const fake = {
      url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/enterpriseapi.php`,
      options: { timeZone: 'America/New_York' },
      clock: { now: () => now },
    } as unknown as RunningSimulator;
    const input = new AgentInput({
      config: render('event_report', fake).config,
      engine,
      ...(engine === 'mito' && MITO !== undefined ? { mitoBin: MITO.path } : { now: () => now }),
    });
    try {
      const ids: unknown[] = [];
      const events: unknown[] = [];
      for (let i = 0; i < statuses('').length; i++) {
        const run = await input.runInterval();
        events.push(...run.events, ...run.errorEvents);
        ids.push(...run.errors.map((e) => (e as { id?: unknown }).id));
      }
      expect(ids).toEqual(['reporting', 'reporting', 'reporting', 'reporting', 'reporting', 'FAIL']);
      expect(leaks(JSON.stringify(events))).toEqual([]);
    } finally {
      await input.close();
      server.closeAllConnections();
      await new Promise<void>((r) =>
        server.close(() => {
          r();
        }),
      );
    }
  },
);
