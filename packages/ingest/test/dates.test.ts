import { compileDateFormat, compileDatePrinter, zoneOf } from '../src/dates';

const print = compileDatePrinter("yyyy-MM-dd'T'HH:mm:ss.SSSXXX EEE");
const parse = (text: string, format: string, zone = 'UTC') =>
  print(compileDateFormat(format)(text, zoneOf(zone)));

describe('date parsing and printing', () => {
  it('handles dates before 1970, leap days and far years (proleptic Gregorian)', () => {
    expect(parse('1969-12-31 23:59:59', 'yyyy-MM-dd HH:mm:ss')).toBe('1969-12-31T23:59:59.000Z Wed');
    expect(parse('2024-02-29 12:00:00', 'yyyy-MM-dd HH:mm:ss', 'America/New_York')).toBe(
      '2024-02-29T12:00:00.000-05:00 Thu',
    );
    expect(parse('0001-01-01 00:00:00', 'yyyy-MM-dd HH:mm:ss')).toBe('0001-01-01T00:00:00.000Z Mon');
    expect(parse('2400-12-31 23:59:59', 'yyyy-MM-dd HH:mm:ss', 'Asia/Tokyo')).toBe(
      '2400-12-31T23:59:59.000+09:00 Sun',
    );
  });

  it('keeps zone offsets apart per zone (the same local minute, zones interleaved)', () => {
    const f = 'yyyy-MM-dd HH:mm:ss';
    for (let i = 0; i < 2; i += 1) {
      expect(parse('2024-07-01 10:00:00', f, 'America/New_York')).toBe('2024-07-01T10:00:00.000-04:00 Mon');
      expect(parse('2024-07-01 10:00:30', f, 'Europe/Berlin')).toBe('2024-07-01T10:00:30.000+02:00 Mon');
      expect(parse('2024-01-01 10:00:00', f, 'Europe/Berlin')).toBe('2024-01-01T10:00:00.000+01:00 Mon');
      expect(parse('2024-01-01 10:00:59', f, 'America/New_York')).toBe('2024-01-01T10:00:59.000-05:00 Mon');
    }
  });

  it('rejects impossible dates and out-of-range fields (STRICT)', () => {
    expect(() => parse('2023-02-29 00:00:00', 'yyyy-MM-dd HH:mm:ss')).toThrow();
    expect(() => parse('2023-13-01 00:00:00', 'yyyy-MM-dd HH:mm:ss')).toThrow();
    expect(() => parse('2023-01-01 24:00:00', 'yyyy-MM-dd HH:mm:ss')).toThrow();
  });

  it('parses text months, 12-hour clocks, fractions and offsets', () => {
    expect(parse('Mar 5, 2024 1:02:03 PM', 'MMM d, yyyy h:mm:ss a')).toBe('2024-03-05T13:02:03.000Z Tue');
    expect(
      parse('Tuesday, 05 March 2024 13:02:03.123456 +0200', 'EEEE, dd MMMM yyyy HH:mm:ss.SSSSSS Z'),
    ).toBe('2024-03-05T11:02:03.123Z Tue');
    expect(() => parse('05 Sept 2024', 'dd MMM yyyy')).toThrow();
  });

  it('ISO8601 accepts reduced precision, comma fractions and zone ids', () => {
    expect(parse('2024-03', 'ISO8601')).toBe('2024-03-01T00:00:00.000Z Fri');
    expect(parse('2024-03-05T10:11:12,5Z', 'ISO8601')).toBe('2024-03-05T10:11:12.500Z Tue');
    expect(parse('2024-07-01T12:00:00', 'ISO8601', 'Europe/Berlin')).toBe(
      '2024-07-01T12:00:00.000+02:00 Mon',
    );
  });

  it('epoch formats', () => {
    expect(parse('-1000', 'UNIX_MS')).toBe('1969-12-31T23:59:59.000Z Wed');
    expect(parse('1e3', 'UNIX')).toBe('1970-01-01T00:16:40.000Z Thu');
    expect(parse('1700000000', 'epoch_second')).toBe('2023-11-14T22:13:20.000Z Tue');
    expect(() => parse('12a', 'UNIX_MS')).toThrow();
  });
});

describe('week-based dates', () => {
  it('uses ISO week rules (Monday, week 1 holds January 4th)', () => {
    expect(parse('2020-33', 'YYYY-ww')).toBe('2020-08-10T00:00:00.000Z Mon');
    expect(parse('2021-01', 'YYYY-ww')).toBe('2021-01-04T00:00:00.000Z Mon');
    expect(parse('2015-53', 'YYYY-ww')).toBe('2015-12-28T00:00:00.000Z Mon');
  });
});
