import { appendFileSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { NdjsonSink } from '../src/sink/ndjson';
import { createPackageProcessor } from '../src/sink/package-processor';
import { makeDocument, type RawDocument } from '../src/streams/types';

const ROOT = resolve(__dirname, '../../..');
const envelope = {
  accountNumber: '8771312',
  timeZone: 'America/New_York',
  namespace: 'default',
  tags: ['forwarded'],
  preserveOriginalEvent: false,
};

function events(n: number): RawDocument[] {
  return Array.from({ length: n }, (_, i) => {
    const doc = makeDocument('event_report', envelope, {
      Time: `2024-06-01 10:${String(Math.floor(i / 60) % 60).padStart(2, '0')}:${String(i % 60).padStart(2, '0')}`,
      Username: 'ana@example.com',
      IP_Address: '10.0.0.1',
      Action: 'Log in',
      Data: 'lastpass.com',
    });
    doc.lastpass_enterprise = { event_report: { occurrence: 0 } };
    return doc;
  });
}

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'lpe-ndjson-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

function sink(maxBytes = 1 << 30): NdjsonSink {
  const processor = createPackageProcessor({
    packageRoot: ROOT,
    namespace: 'default',
    now: () => new Date('2024-06-02T00:00:00Z'),
  });
  return new NdjsonSink({ dir, namespace: 'default', processor, maxBytes });
}

describe('NDJSON sink (contracts §7)', () => {
  it('writes pipeline output with event.id, never the same event.id twice across restarts, truncating a partial last line', async () => {
    const docs = events(50);
    const first = sink();
    const v1 = await first.write('event_report', docs.slice(0, 30));
    expect(v1.every((v) => v.status === 'indexed')).toBe(true);
    await first.close();
    const file = join(dir, 'lastpass_enterprise.event_report-default.ndjson');
    appendFileSync(file, '{"event":{"id":"half-writ'); // a crash in the middle of a line
    const second = sink();
    const v2 = await second.write('event_report', docs);
    expect(v2.filter((v) => v.status === 'duplicate')).toHaveLength(30);
    expect(v2.filter((v) => v.status === 'indexed')).toHaveLength(20);
    await second.close();
    const lines = readFileSync(file, 'utf8')
      .split('\n')
      .filter((l) => l !== '');
    expect(lines).toHaveLength(50);
    const parsed = lines.map(
      (l) =>
        JSON.parse(l) as { event: { id: string; ingested: string }; '@timestamp': string; _conf?: unknown },
    );
    expect(new Set(parsed.map((d) => d.event.id)).size).toBe(50);
    expect(parsed[0]?.event.ingested).toBeDefined();
    expect(parsed[0]?._conf).toBeUndefined();
    expect(parsed[0]?.['@timestamp']).toMatch(/^2024-06-01T10:00:00/);
  });

  it('rotates by size (.1, .2, …) and still knows the ids of rotated files', async () => {
    const docs = events(60);
    const s = sink(4096);
    for (let i = 0; i < 60; i += 10) await s.write('event_report', docs.slice(i, i + 10));
    await s.close();
    const files = readdirSync(dir).sort();
    expect(files.length).toBeGreaterThan(2);
    expect(files).toContain('lastpass_enterprise.event_report-default.ndjson.1');
    const again = sink(4096);
    const verdicts = await again.write('event_report', docs);
    expect(verdicts.every((v) => v.status === 'duplicate')).toBe(true);
    await again.close();
  });

  it('one batch larger than a flush piece is written in pieces, rotating between them; every line whole, every id known', async () => {
    const docs = events(1500); // ~1,500 lines of ~1–2 KB: more than one 1 MiB piece
    const s = sink(512 * 1024);
    const verdicts = await s.write('event_report', docs);
    expect(verdicts.every((v) => v.status === 'indexed')).toBe(true);
    await s.close();
    const files = readdirSync(dir);
    expect(files.length).toBeGreaterThan(1);
    const ids = files.flatMap((f) =>
      readFileSync(join(dir, f), 'utf8')
        .split('\n')
        .filter((l) => l !== '')
        .map((l) => (JSON.parse(l) as { event: { id: string } }).event.id),
    );
    expect(ids).toHaveLength(1500);
    expect(new Set(ids).size).toBe(1500);
    const again = sink(512 * 1024);
    expect((await again.write('event_report', docs)).every((v) => v.status === 'duplicate')).toBe(true);
    await again.close();
  });

  it('confirms repeats against lines that a rotation moved, in the same run; a vanished file is an error, not a guess', async () => {
    const docs = events(60);
    const s = sink(4096);
    for (let i = 0; i < 60; i += 10) await s.write('event_report', docs.slice(i, i + 10));
    expect(readdirSync(dir).length).toBeGreaterThan(2);
    const verdicts = await s.write('event_report', docs);
    expect(verdicts.filter((v) => v.status === 'duplicate')).toHaveLength(60);
    rmSync(join(dir, 'lastpass_enterprise.event_report-default.ndjson.1'));
    await expect(s.write('event_report', docs.slice(0, 1))).rejects.toMatchObject({
      code: 'SINK_OUTPUT_FAILED',
    });
    await s.close();
  });
});
