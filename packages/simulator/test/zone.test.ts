/** Wall-clock conversion against the platform's tz database (Intl), across DST changes in several zones. */
import { AccountZone } from '../src';

const ZONES = [
  'America/New_York',
  'Europe/Berlin',
  'Australia/Lord_Howe',
  'Asia/Kolkata',
  'America/St_Johns',
  'UTC',
];
const intl = (zone: string) =>
  new Intl.DateTimeFormat('sv-SE', {
    timeZone: zone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
    hourCycle: 'h23',
  });

describe.each(ZONES)('%s', (timeZone) => {
  const zone = new AccountZone(timeZone);
  const reference = intl(timeZone);
  const start = Date.UTC(2023, 0, 1);
  const end = Date.UTC(2025, 0, 1);

  it('format() equals Intl around every transition and at random instants', () => {
    const instants: number[] = [];
    for (const t of zone.transitions(start, end))
      for (let d = -3_601_000; d <= 3_601_000; d += 7_000) instants.push(t.at + d);
    for (let t = start; t < end; t += 86_399_777) instants.push(t);
    const wrong = instants.filter((t) => zone.format(t) !== reference.format(new Date(t)).replace('T', ' '));
    expect(wrong).toEqual([]);
  });

  it('parse(format(t)) round-trips outside a repeated hour; in one, earlier/later pick the two passes', () => {
    for (const t of zone.transitions(start, end)) {
      const before = t.at - 1000;
      const jump = (t.offsetAfterSeconds - t.offsetBeforeSeconds) * 1000;
      expect(zone.parse(zone.format(before), 'earlier')).toBe(before);
      if (jump < 0) {
        const later = before - jump; // same wall clock, second pass
        expect(zone.format(later)).toBe(zone.format(before));
        expect(zone.parse(zone.format(later), 'later')).toBe(later);
      }
    }
    expect(zone.parse('2024-02-30 00:00:00', 'earlier')).toBeUndefined();
    expect(zone.parse('2024-01-01T00:00:00', 'earlier')).toBeUndefined();
  });
});
