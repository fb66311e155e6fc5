// A burst larger than the program's unrolled levels (8), split across pages, against a scripted
// endpoint: every copy gets its own occurrence, counted across pages, whatever the key order.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CelInput, loadStream } from '@lastpass-elastic/cel-harness';
import { ROOT } from './support';

const record = {
  Time: '2024-11-04 10:00:00',
  Username: 'a@example.com',
  IP_Address: '10.0.0.1',
  Action: 'Failed Login Attempt',
  Data: '',
};
const other = { ...record, Username: 'b@example.com' };
const page = (records: object[], next: number | null): string =>
  JSON.stringify({
    status: 'ok',
    next,
    data: Object.fromEntries(records.map((r, i) => [`Event${i + 1}`, r])),
  });

describe('event_report occurrences for large bursts', () => {
  let server: Server;
  let url: string;
  const bodies: unknown[] = [];
  const pages = [
    page([...Array<object>(12).fill(record), other], 1730714400000001),
    page([other, ...Array<object>(3).fill(record)], null),
  ];
  beforeAll(async () => {
    server = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        bodies.push(JSON.parse(body));
        res.writeHead(200, { 'content-type': 'text/xml;charset=UTF-8' });
        res.end(pages[bodies.length - 1] ?? page([], null));
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/enterpriseapi.php`;
  });
  afterAll(
    () =>
      new Promise<void>((r) =>
        server.close(() => {
          r();
        }),
      ),
  );

  test('15 identical records over two pages get occurrences 0..14; status compared case-insensitively', async () => {
    const stream = loadStream(ROOT, 'event_report', {
      url,
      account_number: '1',
      provisioning_hash: 'h',
      initial_interval: '1h',
    });
    const input = new CelInput({ config: stream.config, now: () => new Date('2024-11-04T15:30:00Z') });
    const run = await input.run();
    expect(run.errors).toEqual([]);
    expect(run.executions).toBe(2);
    const occ = (username: string): number[] =>
      run.events
        .filter((e) => (JSON.parse(String(e.message)) as { Username: string }).Username === username)
        .map(
          (e) => (e.lastpass_enterprise as { event_report: { occurrence: number } }).event_report.occurrence,
        )
        .sort((a, b) => a - b);
    expect(occ('a@example.com')).toEqual([...Array(15).keys()]);
    expect(occ('b@example.com')).toEqual([0, 1]);
    expect(bodies[1]).toMatchObject({
      data: { from: '2024-11-04 09:30:00', to: '2024-11-04 10:28:00', next: 1730714400000001 },
    });
  });
});
