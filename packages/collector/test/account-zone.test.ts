/**
 * AccountZone reads the tz database built into Node (Intl). These tests check it against an
 * independent implementation (js-joda with its own copy of the tz database, a test-only dependency)
 * over zones with every kind of transition: DST both ways, 30-minute DST, 45-minute offsets, zones
 * south of the equator, a zone that changed its standard offset, and UTC.
 */
import { Instant, LocalDateTime, ZoneId, ZonedDateTime } from '@js-joda/core';
import '@js-joda/timezone';
import { isJavaRegionId } from '@lastpass-elastic/ingest';
import { AccountZone, isValidTimeZone } from '../src/time/account-zone';

const ZONES = [
  'America/New_York',
  'Europe/London',
  'Europe/Berlin',
  'Australia/Lord_Howe',
  'Australia/Sydney',
  'Pacific/Chatham',
  'Asia/Kolkata',
  'America/Sao_Paulo',
  'Europe/Moscow',
  'America/St_Johns',
  'UTC',
];
const pad = (n: number, w = 2): string => String(n).padStart(w, '0');

function referenceFormat(zone: string, epochMs: number): string {
  const t = ZonedDateTime.ofInstant(Instant.ofEpochMilli(epochMs), ZoneId.of(zone));
  return `${pad(t.year(), 4)}-${pad(t.monthValue())}-${pad(t.dayOfMonth())} ${pad(t.hour())}:${pad(t.minute())}:${pad(t.second())}`;
}

function referenceInstants(zone: string, text: string): number[] {
  const [date = '', time = ''] = text.split(' ');
  const [y, mo, d] = date.split('-').map(Number);
  const [h, mi, s] = time.split(':').map(Number);
  const ldt = LocalDateTime.of(y ?? 0, mo ?? 0, d ?? 0, h ?? 0, mi ?? 0, s ?? 0);
  return ZoneId.of(zone)
    .rules()
    .validOffsets(ldt)
    .map((o) => ldt.toInstant(o).toEpochMilli())
    .sort((a, b) => a - b);
}

/** A deterministic spread of instants 2011–2030, plus every instant ±1 s and ±30 min around each transition found. */
function instantsFor(zone: string): number[] {
  const out: number[] = [];
  let x = 12345;
  for (let i = 0; i < 400; i++) {
    x = (x * 1103515245 + 12345) % 2 ** 31;
    out.push(Date.UTC(2011, 0, 1) + Math.floor(((x / 2 ** 31) * 20 * 365 * 86_400_000) / 1000) * 1000);
  }
  // transitions of 2019–2020, found by scanning every 15 minutes, then bisected to the second
  const rules = ZoneId.of(zone).rules();
  const offset = (ms: number): number => rules.offset(Instant.ofEpochMilli(ms)).totalSeconds();
  const STEP = 15 * 60_000;
  for (let t = Date.UTC(2019, 0, 1); t < Date.UTC(2021, 0, 1); t += STEP) {
    if (offset(t) === offset(t + STEP)) continue;
    let lo = t;
    let hi = t + STEP;
    while (hi - lo > 1000) {
      const mid = lo + Math.floor((hi - lo) / 2000) * 1000;
      if (offset(mid) === offset(lo)) lo = mid;
      else hi = mid;
    }
    for (const d of [-1800_000, -1000, 0, 1000, 1800_000]) out.push(hi + d);
  }
  return out;
}

describe.each(ZONES)('AccountZone(%s) agrees with js-joda', (zone) => {
  const account = new AccountZone(zone);
  const instants = instantsFor(zone);

  it('format: the same wall-clock text for every instant', () => {
    for (const t of instants) expect([t, account.format(t)]).toEqual([t, referenceFormat(zone, t)]);
  });

  it('instantsOf: the same 0, 1 or 2 instants for texts around every transition', () => {
    for (const t of instants) {
      for (const shift of [0, 3600_000, -3600_000]) {
        const text = referenceFormat('UTC', t + shift); // any wall text, including gap and overlap texts
        expect([text, account.instantsOf(text)]).toEqual([text, referenceInstants(zone, text)]);
      }
    }
  });
});

describe('AccountZone edges', () => {
  it('names no instant for impossible dates and refuses non-wall-clock text', () => {
    const zone = new AccountZone('America/New_York');
    expect(zone.instantsOf('2024-02-30 12:00:00')).toEqual([]);
    expect(zone.instantsOf('2023-02-29 12:00:00')).toEqual([]);
    expect(zone.instantsOf('2024-02-29 12:00:00')).toEqual([Date.parse('2024-02-29T17:00:00Z')]);
    expect(() => zone.instantsOf('2024-02-29T12:00:00')).toThrow(RangeError);
  });

  it('accepts IANA names and links, refuses offsets, abbreviations and unknown names', () => {
    for (const name of [
      'America/New_York',
      'US/Eastern',
      'UTC',
      'Etc/GMT+5',
      'America/Argentina/Buenos_Aires',
    ])
      expect([name, isValidTimeZone(name)]).toEqual([name, true]);
    for (const name of ['+05:00', 'Mars/Olympus', '', 'America/New York', '../etc'])
      expect([name, isValidTimeZone(name)]).toEqual([name, false]);
    expect(() => new AccountZone('Mars/Olympus')).toThrow(RangeError);
  });
});

describe('time-zone names: as java.time takes them (Elasticsearch resolves _conf.time_zone with it)', () => {
  // js-joda's list: every tz database name and link, in its exact case (what java.time accepts)
  const names = ZoneId.getAvailableZoneIds().filter((n) => !n.startsWith('SystemV/'));

  it('accepts every tz name and link that ICU knows, in its exact case', () => {
    const refused = names.filter((n) => !isValidTimeZone(n));
    const icuUnknown = refused.filter((n) => {
      try {
        new Intl.DateTimeFormat('en-US', { timeZone: n });
        return false;
      } catch {
        return true;
      }
    });
    expect(refused).toEqual(icuUnknown);
    expect(names.length - refused.length).toBeGreaterThan(400);
  });

  it('refuses other case, old three-letter ids and System V zones, as java.time does', () => {
    const known = new Set(names);
    for (const name of names) {
      for (const variant of [name.toUpperCase(), name.toLowerCase()]) {
        if (known.has(variant)) continue;
        expect([variant, isValidTimeZone(variant)]).toEqual([variant, false]);
      }
    }
    for (const name of [
      'PST',
      'IST',
      'CST',
      'SystemV/EST5',
      'US/EASTERN',
      'Asia/CALCUTTA',
      'america/new_york',
    ])
      expect([name, isValidTimeZone(name)]).toEqual([name, false]);
  });

  it("agrees with the ingest package's rule (the executor's) on every name and variant", () => {
    for (const name of names)
      for (const variant of [name, name.toUpperCase(), name.toLowerCase(), `${name}x`])
        expect([variant, isValidTimeZone(variant)]).toEqual([variant, isJavaRegionId(variant)]);
  });
});
