import {
  Instant,
  LocalDateTime,
  ZoneId,
  ZoneOffset,
  ZonedDateTime,
  ZoneRulesProvider,
  type ZoneRules,
} from '@js-joda/core';
// The reference: js-joda's own provider (moment-timezone's packed IANA data), a devDependency only.
// Importing it plugs it into @js-joda/core; its rules are captured below, then ours are installed.
import '@js-joda/timezone';
import { installIntlZoneRules, intlZoneRules, IntlZoneRules } from '../src/intl-zone-rules';

const ZONES = [
  'America/New_York',
  'Europe/London',
  'Australia/Lord_Howe',
  'Pacific/Chatham',
  'Asia/Kolkata',
  'America/Sao_Paulo',
  'UTC',
  'Etc/UTC',
];
const FROM = Instant.parse('2019-01-01T00:00:00Z').epochSecond();
const TO = Instant.parse('2022-01-01T00:00:00Z').epochSecond();

const referenceRules = new Map<string, ZoneRules>();
const referenceZones = new Map<string, ZoneId>();
for (const id of ZONES) {
  referenceRules.set(id, ZoneRulesProvider.getRules(id));
  referenceZones.set(id, ZoneId.of(id));
}
installIntlZoneRules();

function reference(id: string): { rules: ZoneRules; zone: ZoneId } {
  const rules = referenceRules.get(id);
  const zone = referenceZones.get(id);
  if (rules === undefined || zone === undefined) throw new Error(`no reference for ${id}`);
  return { rules, zone };
}

const ldtOf = (localSecond: number): LocalDateTime =>
  LocalDateTime.ofEpochSecond(localSecond, 0, ZoneOffset.UTC);
const secondsOf = (offsets: ZoneOffset[]): number[] => offsets.map((o) => o.totalSeconds());

/** Instants (epoch seconds) at which the reference offset changes in [FROM, TO), found to the second. */
function referenceTransitions(rules: ZoneRules): number[] {
  const at = (s: number): number => rules.offsetOfEpochMilli(s * 1000).totalSeconds();
  const found: number[] = [];
  for (let s = FROM; s < TO; s += 3600) {
    if (at(s) === at(s + 3600)) continue;
    let before = s;
    let after = s + 3600;
    while (after - before > 1) {
      const mid = Math.floor((before + after) / 2);
      if (at(mid) === at(before)) before = mid;
      else after = mid;
    }
    found.push(after);
  }
  return found;
}

describe('IntlZoneRules against @js-joda/timezone, 2019-2021', () => {
  const transitionCounts: Record<string, number> = {};

  it.each(ZONES)('%s: offsets at instants, valid offsets, transitions and ZonedDateTime.of', (id) => {
    const ref = reference(id);
    const ours = ZoneId.of(id);
    // UTC is an offset-style id js-joda core answers itself
    if (id !== 'UTC') expect(ours.rules()).toBeInstanceOf(IntlZoneRules);
    expect(ours.id()).toBe(id);
    const transitions = referenceTransitions(ref.rules);
    transitionCounts[id] = transitions.length;
    let gaps = 0;
    let overlaps = 0;
    // a sparse sweep of offsets at instants over the three years
    for (let s = FROM; s < TO; s += 7 * 3600 + 17 * 60 + 3) {
      expect([id, s, ours.rules().offset(Instant.ofEpochSecond(s)).totalSeconds()]).toEqual([
        id,
        s,
        ref.rules.offset(Instant.ofEpochSecond(s)).totalSeconds(),
      ]);
    }
    for (const t of transitions) {
      // instants: to the second at the transition, by the minute up to 90 minutes around it
      const instants = [t - 1, t, t + 1];
      for (let m = -90; m <= 90; m++) instants.push(t + m * 60);
      for (const s of instants) {
        const got = [
          ours
            .rules()
            .offsetOfEpochMilli(s * 1000)
            .totalSeconds(),
          ours.rules().offsetOfInstant(Instant.ofEpochSecond(s)).totalSeconds(),
        ];
        const want = ref.rules.offsetOfEpochMilli(s * 1000).totalSeconds();
        expect([id, s, got]).toEqual([id, s, [want, want]]);
      }
      // local times: by the minute over three hours of local time around the transition, and to the second at its edges
      const before = ref.rules.offsetOfEpochMilli((t - 1) * 1000).totalSeconds();
      const after = ref.rules.offsetOfEpochMilli(t * 1000).totalSeconds();
      const locals: number[] = [];
      for (const edge of [t + before, t + after]) locals.push(edge - 1, edge, edge + 1);
      for (let m = -90; m <= 90; m++) locals.push(t + before + m * 60);
      for (const local of locals) {
        const ldt = ldtOf(local);
        const valid = secondsOf(ref.rules.validOffsets(ldt));
        expect([id, ldt.toString(), secondsOf(ours.rules().validOffsets(ldt))]).toEqual([
          id,
          ldt.toString(),
          valid,
        ]);
        expect(ours.rules().offset(ldt).totalSeconds()).toBe(ref.rules.offset(ldt).totalSeconds());
        for (const offset of [before, after]) {
          const o = ZoneOffset.ofTotalSeconds(offset);
          expect(ours.rules().isValidOffset(ldt, o)).toBe(valid.includes(offset));
        }
        if (valid.length !== 1) {
          if (valid.length === 0) gaps++;
          else overlaps++;
          const want = ref.rules.transition(ldt);
          const got = ours.rules().transition(ldt);
          expect([
            got.toString(),
            got.dateTimeBefore().toString(),
            got.offsetBefore().id(),
            got.offsetAfter().id(),
          ]).toEqual([
            want.toString(),
            want.dateTimeBefore().toString(),
            want.offsetBefore().id(),
            want.offsetAfter().id(),
          ]);
        }
        expect(ZonedDateTime.of(ldt, ours).toString()).toBe(ZonedDateTime.of(ldt, ref.zone).toString());
      }
    }
    // a spring-forward gap and an autumn overlap a year (Sao Paulo: DST ended in February 2019)
    expect([gaps > 0, overlaps > 0]).toEqual(
      transitions.length > 1 ? [true, true] : [false, transitions.length > 0],
    );
  });

  it('saw the transitions of the zones with DST (2019-2021)', () => {
    expect(transitionCounts).toEqual({
      'America/New_York': 6,
      'Europe/London': 6,
      'Australia/Lord_Howe': 6,
      'Pacific/Chatham': 6,
      'Asia/Kolkata': 0,
      'America/Sao_Paulo': 1,
      UTC: 0,
      'Etc/UTC': 0,
    });
  });
});

describe('java.time behaviour through ZoneId and ZonedDateTime', () => {
  const zdt = (text: string, id: string): string =>
    ZonedDateTime.of(LocalDateTime.parse(text), ZoneId.of(id)).toString();

  it('moves a spring-gap local time forward by the gap length, takes the earlier offset of an overlap', () => {
    expect(zdt('2021-03-14T02:30', 'America/New_York')).toBe('2021-03-14T03:30-04:00[America/New_York]');
    expect(zdt('2021-11-07T01:30', 'America/New_York')).toBe('2021-11-07T01:30-04:00[America/New_York]');
    // Lord Howe: 30-minute DST (+10:30 / +11:00)
    expect(zdt('2020-10-04T02:15', 'Australia/Lord_Howe')).toBe(
      '2020-10-04T02:45+11:00[Australia/Lord_Howe]',
    );
    expect(zdt('2021-04-04T01:45', 'Australia/Lord_Howe')).toBe(
      '2021-04-04T01:45+11:00[Australia/Lord_Howe]',
    );
    expect(zdt('2020-09-27T02:50', 'Pacific/Chatham')).toBe('2020-09-27T03:50+13:45[Pacific/Chatham]');
  });

  it('reports the transition of a gap and of an overlap, none elsewhere', () => {
    const rules = ZoneId.of('Europe/London').rules();
    const gap = rules.transition(LocalDateTime.parse('2020-03-29T01:10'));
    expect([
      gap.isGap(),
      gap.dateTimeBefore().toString(),
      gap.offsetBefore().id(),
      gap.offsetAfter().id(),
    ]).toEqual([true, '2020-03-29T01:00', 'Z', '+01:00']);
    const overlap = rules.transition(LocalDateTime.parse('2020-10-25T01:59:59'));
    expect([overlap.isOverlap(), overlap.dateTimeBefore().toString(), overlap.durationSeconds()]).toEqual([
      true,
      '2020-10-25T02:00',
      -3600,
    ]);
    expect(rules.transition(LocalDateTime.parse('2020-06-01T12:00'))).toBeNull();
    expect(rules.isFixedOffset()).toBe(false);
    expect(intlZoneRules('Europe/London').equals(ZoneId.of('Europe/London').rules())).toBe(true);
    expect(intlZoneRules('Europe/London').equals(ZoneId.of('Europe/Paris').rules())).toBe(false);
    expect(rules.toString()).toBe('Europe/London');
    expect(() => rules.nextTransition(Instant.EPOCH)).toThrow('not supported');
  });

  it('keeps offset-style ids in js-joda core and accepts IANA links', () => {
    const at = '2020-07-01T12:00';
    expect(zdt(at, '+01:00')).toBe('2020-07-01T12:00+01:00');
    expect(zdt(at, 'Z')).toBe('2020-07-01T12:00Z');
    expect(zdt(at, 'UTC')).toBe('2020-07-01T12:00Z[UTC]');
    expect(zdt(at, 'GMT+2')).toBe('2020-07-01T12:00+02:00[GMT+02:00]');
    expect(zdt(at, 'UTC+01:00')).toBe('2020-07-01T12:00+01:00[UTC+01:00]');
    expect(zdt(at, 'US/Eastern')).toBe('2020-07-01T12:00-04:00[US/Eastern]');
    expect(zdt(at, 'Asia/Calcutta')).toBe('2020-07-01T12:00+05:30[Asia/Calcutta]');
    expect(zdt(at, 'Etc/GMT+5')).toBe('2020-07-01T12:00-05:00[Etc/GMT+5]');
    expect(zdt(at, 'EST')).toBe('2020-07-01T12:00-05:00[EST]');
    expect(intlZoneRules('Europe/Paris')).toBe(intlZoneRules('Europe/Paris'));
    // offsets with seconds (local mean time before 1883)
    expect(ZoneId.of('America/New_York').rules().offset(Instant.parse('1850-01-01T00:00:00Z')).id()).toBe(
      reference('America/New_York').rules.offset(Instant.parse('1850-01-01T00:00:00Z')).id(),
    );
    expect(zdt('1850-01-01T00:00', 'America/New_York')).toBe('1850-01-01T00:00-04:56:02[America/New_York]');
  });

  it('rejects ids java.time does not know, even when Intl takes them', async () => {
    for (const id of [
      'America/Nowhere',
      'america/new_york',
      'utc',
      'us/eastern',
      'PST',
      'IST',
      'SystemV/EST5',
      'Etc/Unknown',
      'New York',
      '+25:00',
    ]) {
      expect(() => ZoneId.of(id)).toThrow();
    }
    expect(() => ZoneId.of('PST')).toThrow('Unknown time-zone ID: PST');
    // imported late: loading dates.ts installs the provider, after the reference was captured above
    const { zoneOf } = await import('../src/dates.js');
    expect(() => zoneOf('america/new_york')).toThrow('Unknown time-zone ID: america/new_york');
    expect(zoneOf('Europe/Berlin').rules()).toBeInstanceOf(IntlZoneRules);
  });
});
