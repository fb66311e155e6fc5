// Large same-second bursts and a second with more events than a page, against a scripted endpoint, on
// both engines: the real one (mito, when present) and the emulation — which must agree.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { AgentInput, loadStream, type PeriodicRunResult } from '@lastpass-elastic/cel-harness';
import { MITO, MITO_SKIP_REASON, ROOT } from './support';

jest.setTimeout(60_000);

const record = {
  Time: '2024-11-04 10:00:00',
  Username: 'a@example.com',
  IP_Address: '10.0.0.1',
  Action: 'Failed Login Attempt',
  Data: '',
};
const other = { ...record, Username: 'b@example.com' };
const answer = (records: object[], next: number | null): string =>
  JSON.stringify({
    status: 'ok', // compared case-insensitively
    next,
    data: records.length === 0 ? [] : Object.fromEntries(records.map((r, i) => [`Event${i + 1}`, r])),
  });

/** An endpoint that plays `answers` in turn, then empty pages. */
async function scripted(answers: string[]): Promise<{ url: string; close: () => Promise<void> }> {
  let n = 0;
  const server: Server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      res.writeHead(200, { 'content-type': 'text/xml;charset=UTF-8' });
      res.end(answers[Math.min(n, answers.length - 1)] ?? answer([], null));
      n += 1;
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/enterpriseapi.php`,
    close: () =>
      new Promise<void>((r) =>
        server.close(() => {
          r();
        }),
      ),
  };
}

const engines = [['emulation'] as const, ...(MITO === undefined ? [] : [['mito'] as const])];
if (MITO === undefined) process.stdout.write(`bursts on mito: ${MITO_SKIP_REASON}\n`);

const occurrences = (run: PeriodicRunResult, username: string): number[] =>
  run.events
    .filter(
      (e) => !('error' in e) && (JSON.parse(String(e.message)) as { Username: string }).Username === username,
    )
    .map((e) => (e.lastpass_enterprise as { event_report: { occurrence: number } }).event_report.occurrence)
    .sort((a, b) => a - b);

describe.each(engines)('event_report bursts on the %s engine', (engine) => {
  // One evaluation per periodic run: the scripted answers never end, the program would go on.
  const input = (url: string): AgentInput =>
    new AgentInput({
      config: {
        ...loadStream(ROOT, 'event_report', {
          url,
          account_number: '1',
          provisioning_hash: 'h',
          initial_interval: '1h',
        }).config,
        maxExecutions: 1,
      },
      engine,
      ...(MITO === undefined ? {} : { mitoBin: MITO.path }),
    });

  test('15 identical records and 2 others in one answer: occurrences 0..14 and 0..1 (beyond the unrolled levels)', async () => {
    const api = await scripted([
      answer([...Array<object>(12).fill(record), other, other, ...Array<object>(3).fill(record)], null),
    ]);
    const i = input(api.url);
    try {
      const run = await i.runInterval();
      expect(run.errors).toEqual([]);
      expect(occurrences(run, 'a@example.com')).toEqual([...Array(15).keys()]);
      expect(occurrences(run, 'b@example.com')).toEqual([0, 1]);
    } finally {
      await i.close();
      await api.close();
    }
  });

  test('records with the same five values are counted as identical even when other keys differ (contracts §3)', async () => {
    // a key LastPass might add one day: not part of a record's identity (the ids fingerprint the five values)
    const api = await scripted([
      answer([{ ...record, Extra: 'x' }, { ...record, Extra: 'y' }, record, other], null),
    ]);
    const i = input(api.url);
    try {
      const run = await i.runInterval();
      expect(run.errors).toEqual([]);
      expect(occurrences(run, 'a@example.com')).toEqual([0, 1, 2]);
      expect(occurrences(run, 'b@example.com')).toEqual([0]);
      // the message is still the whole record as received
      const extras = run.events.map((e) => (JSON.parse(String(e.message)) as { Extra?: string }).Extra);
      expect(extras.filter((x) => x !== undefined).sort()).toEqual(['x', 'y']);
    } finally {
      await i.close();
      await api.close();
    }
  });

  test('an answer that stays full down to one second is delivered as is, with an EVENT_REPORT_SECOND_OVERFLOW error event', async () => {
    const api = await scripted([answer([record, record, other], 1730714400000001)]);
    const i = input(api.url);
    try {
      const narrowing = await i.runInterval(); // full: the sub-window is narrowed, nothing published
      expect(narrowing.events).toEqual([]);
      expect(narrowing.wantMore).toBe(true);
      const run = await i.runInterval();
      const delivered = run.events;
      expect(delivered).toHaveLength(4);
      expect(delivered.filter((e) => !('error' in e))).toHaveLength(3);
      expect(delivered.find((e) => 'error' in e)).toMatchObject({
        error: { code: 'EVENT_REPORT_SECOND_OVERFLOW', message: expect.stringContaining('page limit 3') },
      });
      expect(occurrences({ ...run, events: delivered }, 'a@example.com')).toEqual([0, 1]);
    } finally {
      await i.close();
      await api.close();
    }
  });
});
