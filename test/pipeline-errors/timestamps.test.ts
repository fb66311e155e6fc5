// The instants in the reviewed golden files, recomputed independently of the executor (which uses js-joda):
// here the zone rules come from the platform's Intl (ICU tz data). Elasticsearch's date processor follows
// java.time: a wall-clock time that occurs twice (fall back) takes the EARLIER offset, a time that does not
// exist (spring-forward gap) is shifted forward by the length of the gap. Every event_report @timestamp and
// every user date (created, last_login, last_password_change) must be that instant, printed with the offset
// in force at that instant; lastpass_enterprise.event_report.time_in_dst_gap is set exactly for gap times.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const root = join(__dirname, '..', '..');

/** Offset (ms, east positive) of `zone` at the UTC instant `t`, from Intl. */
function offsetAt(zone: string, t: number): number {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone: zone,
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  }).formatToParts(new Date(t));
  const get = (type: string): number => Number(parts.find((p) => p.type === type)?.value);
  const wall = Date.UTC(get('year'), get('month') - 1, get('day'), get('hour'), get('minute'), get('second'));
  return wall - Math.floor(t / 1000) * 1000;
}

interface Resolved {
  instant: number;
  kind: 'unique' | 'overlap' | 'gap';
}

/** java.time's resolution of a zone-less `yyyy-MM-dd HH:mm:ss` in `zone`. */
function resolveLocal(local: string, zone: string): Resolved {
  const m = /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})$/.exec(local);
  if (m === null) throw new Error(`not a LastPass time: ${local}`);
  const wall = Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!);
  const day = 86_400_000;
  const candidates = new Set([offsetAt(zone, wall - day), offsetAt(zone, wall), offsetAt(zone, wall + day)]);
  const valid = [...candidates].filter((o) => offsetAt(zone, wall - o) === o);
  if (valid.length === 1) return { instant: wall - valid[0]!, kind: 'unique' };
  if (valid.length > 1) return { instant: wall - Math.max(...valid), kind: 'overlap' }; // earlier instant
  // Gap: the offset before the transition is the smaller one; using it shifts the time forward by the gap.
  return { instant: wall - Math.min(...candidates), kind: 'gap' };
}

function printedOffset(text: string): number {
  if (text.endsWith('Z')) return 0;
  const m = /([+-])(\d{2}):(\d{2})$/.exec(text);
  if (m === null) throw new Error(`no offset in ${text}`);
  return (m[1] === '-' ? -1 : 1) * (Number(m[2]) * 60 + Number(m[3])) * 60_000;
}

/** Checks one parsed date field against the raw wall-clock text; returns the resolution kind. */
function check(label: string, printed: unknown, raw: string, zone: string): Resolved['kind'] {
  expect([label, typeof printed]).toEqual([label, 'string']);
  const text = printed as string;
  const want = resolveLocal(raw, zone);
  expect([label, raw, zone, new Date(Date.parse(text)).toISOString()]).toEqual([
    label,
    raw,
    zone,
    new Date(want.instant).toISOString(),
  ]);
  expect([label, printedOffset(text)]).toEqual([label, offsetAt(zone, want.instant)]);
  return want.kind;
}

type Doc = Record<string, unknown>;
const get = (doc: unknown, path: string): unknown =>
  path.split('.').reduce<unknown>((node, key) => (node as Doc | undefined)?.[key], doc);

function expectedDocs(stream: string): { file: string; doc: Doc }[] {
  const dir = join(root, 'data_stream', stream, '_dev/test/pipeline');
  return readdirSync(dir)
    .filter((f) => f.endsWith('-expected.json'))
    .flatMap((file) =>
      (JSON.parse(readFileSync(join(dir, file), 'utf8')) as { expected: Doc[] }).expected.map((doc) => ({
        file,
        doc,
      })),
    );
}

describe('time zone resolution (independent of the executor)', () => {
  it('resolves the reference DST examples like java.time', () => {
    const ny = 'America/New_York';
    expect(new Date(resolveLocal('2024-11-03 01:30:00', ny).instant).toISOString()).toBe(
      '2024-11-03T05:30:00.000Z',
    );
    expect(resolveLocal('2024-11-03 01:30:00', ny).kind).toBe('overlap');
    expect(new Date(resolveLocal('2024-03-10 02:30:00', ny).instant).toISOString()).toBe(
      '2024-03-10T07:30:00.000Z',
    );
    expect(resolveLocal('2024-03-10 02:30:00', ny).kind).toBe('gap');
    expect(new Date(resolveLocal('2024-03-10 04:08:00', ny).instant).toISOString()).toBe(
      '2024-03-10T08:08:00.000Z',
    );
  });

  it('event_report: every @timestamp is the java.time instant of Time in event.timezone', () => {
    const kinds = new Set<string>();
    let checked = 0;
    for (const { file, doc } of expectedDocs('event_report')) {
      const raw = get(doc, 'lastpass_enterprise.event_report.time');
      const zone = get(doc, 'event.timezone');
      if (typeof raw !== 'string' || typeof zone !== 'string') continue;
      const kind = check(`${file} ${raw}`, doc['@timestamp'], raw, zone);
      kinds.add(kind);
      checked++;
      expect([file, raw, get(doc, 'lastpass_enterprise.event_report.time_in_dst_gap')]).toEqual([
        file,
        raw,
        kind === 'gap' ? true : undefined,
      ]);
    }
    expect(checked).toBeGreaterThan(200);
    // The fixtures must keep both transitions (the DST case), or this test proves nothing about them.
    expect([...kinds].sort()).toEqual(['gap', 'overlap', 'unique']);
  });

  it('user: created, last_login and last_password_change are instants in the account time zone', () => {
    const kinds = new Set<string>();
    let checked = 0;
    const fields = [
      ['created', 'created'],
      ['last_login', 'last_login'],
      ['last_pw_change', 'last_password_change'],
    ] as const;
    for (const { file, doc } of expectedDocs('user')) {
      const original = get(doc, 'event.original');
      const zone = get(doc, 'event.timezone');
      if (typeof original !== 'string' || typeof zone !== 'string') continue;
      const record = JSON.parse(original) as Doc;
      for (const [rawKey, field] of fields) {
        const raw = record[rawKey];
        const printed = get(doc, `lastpass_enterprise.user.${field}`);
        if (typeof raw !== 'string' || raw === '') {
          expect([file, field, printed]).toEqual([file, field, undefined]);
          continue;
        }
        kinds.add(check(`${file} ${field}`, printed, raw, zone));
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(5);
    expect([...kinds].sort()).toEqual(['gap', 'overlap', 'unique']);
  });
});
