import type { GeoIpLookup } from './engine';
import { inCidr, parseCidr, parseIp, type Cidr } from './ip';
import { geoipProperties, openMmdb } from './mmdb';
import { deepCopy, type JsonMap } from './values';

/**
 * GeoIP data. By default a small bundled table of the test ranges used by Elasticsearch's and
 * elastic-package's test databases (MaxMind's public test data and the documentation ranges); an
 * address outside it yields no result (the field is left out, never guessed).
 */
export interface GeoIpOptions {
  /** Extra or replacement entries: CIDR → City-database record (Elasticsearch property names). */
  readonly table?: readonly GeoIpEntry[];
  /** When true, the bundled test table is not used. */
  readonly noBundledTable?: boolean;
  /**
   * User-supplied MaxMind DB files by the processor's `database_file` name, e.g.
   * `{ 'GeoLite2-City.mmdb': '/data/GeoLite2-City.mmdb' }`. A configured database answers alone
   * (the bundled table is not consulted for that name).
   */
  readonly databases?: Readonly<Record<string, string>>;
}

export interface GeoIpEntry {
  readonly cidr: string;
  readonly city?: JsonMap;
  readonly asn?: JsonMap;
}

/** Bundled test ranges (facts from MaxMind's GeoIP2 test databases and elastic-package's test stack). */
export const BUNDLED_GEOIP_TABLE: readonly GeoIpEntry[] = [
  {
    cidr: '89.160.20.128/25',
    city: {
      continent_name: 'Europe',
      country_iso_code: 'SE',
      country_name: 'Sweden',
      region_iso_code: 'SE-E',
      region_name: 'Östergötland County',
      city_name: 'Linköping',
      location: { lat: 58.4167, lon: 15.6167 },
    },
    asn: { asn: 29518, organization_name: 'Bredband2 AB' },
  },
  {
    cidr: '81.2.69.0/24',
    city: {
      continent_name: 'Europe',
      country_iso_code: 'GB',
      country_name: 'United Kingdom',
      region_iso_code: 'GB-ENG',
      region_name: 'England',
      city_name: 'London',
      location: { lat: 51.5142, lon: -0.0931 },
    },
  },
  {
    cidr: '67.43.156.0/24',
    city: {
      continent_name: 'Asia',
      country_iso_code: 'BT',
      country_name: 'Bhutan',
      location: { lat: 27.5, lon: 90.5 },
    },
    asn: { asn: 35908 },
  },
  {
    cidr: '216.160.83.56/29',
    city: {
      continent_name: 'North America',
      country_iso_code: 'US',
      country_name: 'United States',
      region_iso_code: 'US-WA',
      region_name: 'Washington',
      city_name: 'Milton',
      location: { lat: 47.2513, lon: -122.3149 },
    },
    asn: { asn: 209 },
  },
  {
    cidr: '175.16.199.0/24',
    city: {
      continent_name: 'Asia',
      country_iso_code: 'CN',
      country_name: 'China',
      region_iso_code: 'CN-22',
      region_name: 'Jilin Sheng',
      city_name: 'Changchun',
      location: { lat: 43.88, lon: 125.3228 },
    },
  },
  {
    cidr: '192.0.2.0/24',
    city: {
      continent_name: 'North America',
      country_iso_code: 'US',
      country_name: 'United States',
      region_iso_code: 'US-NV',
      region_name: 'Nevada',
      city_name: 'Las Vegas',
      location: { lat: 36.175, lon: -115.1372 },
    },
    asn: { asn: 64500, organization_name: 'Documentation ASN' },
  },
  {
    cidr: '198.51.100.0/24',
    city: {
      continent_name: 'Europe',
      country_iso_code: 'NL',
      country_name: 'Netherlands',
      region_iso_code: 'NL-NH',
      region_name: 'North Holland',
      city_name: 'Amsterdam',
      location: { lat: 52.374, lon: 4.8897 },
    },
    asn: { asn: 64501, organization_name: 'Documentation ASN' },
  },
  {
    cidr: '203.0.113.0/24',
    city: {
      continent_name: 'Europe',
      country_iso_code: 'ES',
      country_name: 'Spain',
      region_iso_code: 'ES-M',
      region_name: 'Madrid',
      city_name: 'Madrid',
      location: { lat: 40.4172, lon: -3.684 },
    },
    asn: { asn: 64502, organization_name: 'Documentation ASN' },
  },
  {
    cidr: '2001:db8::/32',
    city: {
      continent_name: 'Europe',
      country_iso_code: 'GB',
      country_name: 'United Kingdom',
      region_iso_code: 'GB-ENG',
      region_name: 'England',
      city_name: 'Greenwich',
      location: { lat: 51.4769, lon: 0.0 },
    },
    asn: { asn: 64503, organization_name: 'Documentation ASN' },
  },
];

export function createGeoIpLookup(options: GeoIpOptions = {}): GeoIpLookup {
  const entries: { cidr: Cidr; entry: GeoIpEntry }[] = [];
  for (const e of [
    ...(options.table ?? []),
    ...(options.noBundledTable === true ? [] : BUNDLED_GEOIP_TABLE),
  ]) {
    const cidr = parseCidr(e.cidr);
    if (cidr !== undefined) entries.push({ cidr, entry: e });
  }
  const cache = new Map<string, { entry: GeoIpEntry; cidr: string } | null>();
  const find = (ip: string): { entry: GeoIpEntry; cidr: string } | null => {
    let hit = cache.get(ip);
    if (hit === undefined) {
      const bytes = parseIp(ip);
      const found = bytes === undefined ? undefined : entries.find((e) => inCidr(bytes, e.cidr));
      hit = found === undefined ? null : { entry: found.entry, cidr: found.entry.cidr };
      if (cache.size >= 10000) cache.clear();
      cache.set(ip, hit);
    }
    return hit;
  };
  const readers = new Map(
    Object.entries(options.databases ?? {}).map(([name, path]) => [name, openMmdb(path)] as const),
  );
  const fromMmdb = (ip: string, database: string): JsonMap | undefined => {
    const reader = readers.get(database);
    const hit = reader?.lookup(ip);
    return reader === undefined || hit === undefined
      ? undefined
      : geoipProperties(hit.record, ip, hit.prefix, reader.databaseType);
  };
  const results = new Map<string, JsonMap | null>();
  const lookup = (ip: string, database: string): JsonMap | undefined => {
    const hit = find(ip);
    if (hit === null) return undefined;
    const asn = /ASN/i.test(database);
    const record = asn ? hit.entry.asn : hit.entry.city;
    if (record === undefined) return undefined;
    const out: JsonMap = { ip };
    if (asn && record['asn'] !== undefined) out['network'] = hit.entry.cidr;
    if (/Country/i.test(database)) {
      for (const k of ['continent_name', 'country_iso_code', 'country_name'])
        if (record[k] !== undefined) out[k] = record[k];
      return out;
    }
    return { ...out, ...record };
  };
  return (ip, database) => {
    const key = `${database}|${ip}`;
    let r = results.get(key);
    if (r === undefined) {
      r = (readers.has(database) ? fromMmdb(ip, database) : lookup(ip, database)) ?? null;
      if (results.size >= 10000) results.clear();
      results.set(key, r);
    }
    return r === null ? undefined : deepCopy(r);
  };
}
