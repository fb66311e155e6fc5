// `lastpass-elastic pipeline` (contracts §2/§6) and `lastpass-elastic conformance`, through the CLI dispatcher.
import { join } from 'node:path';
import { main, memoryIo, type MemoryIo } from '@lastpass-elastic/cli';

const root = join(__dirname, '..', '..');

const io = (input = ''): MemoryIo => memoryIo({ cwd: root, input });

const record = {
  Time: '2024-03-01 10:00:00',
  Username: 'ana@example.com',
  IP_Address: '192.0.2.10',
  Action: 'Log in',
  Data: 'lastpass.com',
};

describe('lastpass-elastic pipeline', () => {
  it('writes one line per input line: indexed, error, filled from flags', async () => {
    const lines = [
      JSON.stringify({
        message: JSON.stringify(record),
        lastpass_enterprise: { event_report: { occurrence: 0 } },
      }),
      'not json',
      JSON.stringify([1]),
    ].join('\n');
    const t = io(`${lines}\n`);
    const code = await main(
      [
        'pipeline',
        '--data-stream',
        'event_report',
        '--account-number',
        '8771312',
        '--time-zone',
        'Europe/Berlin',
        '--namespace',
        'prod',
      ],
      t,
    );
    expect(code).toBe(0);
    const out = t
      .out()
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(out).toHaveLength(3);
    expect(out[0]).toMatchObject({
      _index: 'logs-lastpass_enterprise.event_report-prod',
      _id: expect.any(String),
    });
    const doc = out[0]!['_source'] as Record<string, unknown>;
    expect(doc['@timestamp']).toBe('2024-03-01T10:00:00.000+01:00');
    expect(doc['organization']).toEqual({ id: '8771312' });
    expect(doc['data_stream']).toEqual({
      type: 'logs',
      dataset: 'lastpass_enterprise.event_report',
      namespace: 'prod',
    });
    expect(doc['_conf']).toBeUndefined();
    expect(out[1]).toEqual({
      error: { type: 'json_parse_exception', reason: expect.stringMatching(/not JSON/) },
    });
    expect(out[2]).toEqual({
      error: { type: 'illegal_argument_exception', reason: expect.stringMatching(/JSON object/) },
    });
  });

  it('keeps the document fields the input already has', async () => {
    const t = io(
      `${JSON.stringify({ message: JSON.stringify(record), _conf: { time_zone: 'UTC', account_number: '1' }, lastpass_enterprise: { event_report: { occurrence: 0 } } })}\n`,
    );
    expect(
      await main(
        [
          'pipeline',
          '--data-stream',
          'event_report',
          '--time-zone',
          'Europe/Berlin',
          '--account-number',
          '2',
        ],
        t,
      ),
    ).toBe(0);
    const doc = (JSON.parse(t.out()) as { _source: Record<string, unknown> })._source;
    expect(doc['@timestamp']).toBe('2024-03-01T10:00:00.000Z');
    expect(doc['organization']).toEqual({ id: '1' });
  });

  it('exits 2 naming the flag on bad usage', async () => {
    const t = io();
    expect(await main(['pipeline', '--data-stream', 'nope'], t)).toBe(2);
    expect(t.err()).toMatch(/--data-stream must be one of/);
    const u = io();
    expect(await main(['pipeline'], u)).toBe(2);
    expect(u.err()).toMatch(/--data-stream is required/);
    const z = io();
    expect(await main(['pipeline', '--data-stream', 'user', '--time-zone', 'Mars/Base'], z)).toBe(2);
    expect(z.err()).toMatch(/--time-zone must be an IANA time zone/);
    const a = io();
    expect(await main(['pipeline', '--data-stream', 'user', '--account-number', 'abc'], a)).toBe(2);
    expect(a.err()).toMatch(/--account-number/);
    const n = io();
    expect(await main(['pipeline', '--data-stream', 'user', '--namespace', 'Bad-NS'], n)).toBe(2);
    expect(n.err()).toMatch(/--namespace/);
  });

  it('--test runs the package pipeline tests', async () => {
    const t = io();
    const code = await main(['pipeline', '--test', '--data-stream', 'user'], t);
    expect(t.out()).toMatch(/\d+ passed, \d+ failed/);
    expect(code).toBe(t.out().includes(' 0 failed') ? 0 : 1);
  });
});

describe('lastpass-elastic conformance', () => {
  it('prints a skip notice and exits 0 when the corpus is absent', async () => {
    const t = io();
    expect(await main(['conformance', '--dir', join(root, 'no-such-corpus')], t)).toBe(0);
    expect(t.out()).toMatch(/skipped, corpus not found/);
  });
});
