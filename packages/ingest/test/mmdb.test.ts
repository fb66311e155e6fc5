import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createExecutor, IngestError } from '../src';

// A minimal MaxMind DB writer (IPv4 tree, 24-bit records, one network) to exercise the reader.
function ctrl(type: number, size: number): Buffer {
  const [inline, extra] = size < 29 ? [size, []] : [29, [size - 29]];
  return type <= 7
    ? Buffer.from([(type << 5) | inline, ...extra])
    : Buffer.from([inline, type - 7, ...extra]);
}
function enc(v: unknown): Buffer {
  if (typeof v === 'string') return Buffer.concat([ctrl(2, Buffer.byteLength(v)), Buffer.from(v)]);
  if (typeof v === 'number' && !Number.isInteger(v)) {
    const b = Buffer.alloc(8);
    b.writeDoubleBE(v);
    return Buffer.concat([ctrl(3, 8), b]);
  }
  if (typeof v === 'number') {
    const b = Buffer.alloc(4);
    b.writeUInt32BE(v);
    return Buffer.concat([ctrl(6, 4), b]);
  }
  const entries = Object.entries(v as Record<string, unknown>);
  return Buffer.concat([ctrl(7, entries.length), ...entries.flatMap(([k, x]) => [enc(k), enc(x)])]);
}
function writeMmdb(
  dir: string,
  name: string,
  network: [number, number, number, number],
  prefix: number,
  record: unknown,
  type: string,
): string {
  const nodeCount = prefix;
  const tree = Buffer.alloc(nodeCount * 6);
  const bits = network.flatMap((byte) => [...Array(8).keys()].map((i) => (byte >> (7 - i)) & 1));
  for (let n = 0; n < nodeCount; n += 1) {
    const next = n === nodeCount - 1 ? nodeCount + 16 : n + 1;
    const bit = bits[n]!;
    tree.writeUIntBE(bit === 0 ? next : nodeCount, 0 + n * 6, 3);
    tree.writeUIntBE(bit === 1 ? next : nodeCount, 3 + n * 6, 3);
  }
  const meta = enc({ node_count: nodeCount, record_size: 24, ip_version: 4, database_type: type });
  const marker = Buffer.concat([Buffer.from([0xab, 0xcd, 0xef]), Buffer.from('MaxMind.com')]);
  const file = join(dir, name);
  writeFileSync(file, Buffer.concat([tree, Buffer.alloc(16), enc(record), marker, meta]));
  return file;
}

describe('geoip with a user-supplied .mmdb', () => {
  const dir = mkdtempSync(join(tmpdir(), 'mmdb-'));
  const city = writeMmdb(
    dir,
    'city.mmdb',
    [81, 2, 69, 0],
    24,
    {
      continent: { names: { en: 'Europe' } },
      country: { iso_code: 'GB', names: { en: 'United Kingdom' } },
      subdivisions: [{ iso_code: 'ENG', names: { en: 'England' } }] as unknown as Record<string, unknown>,
      city: { names: { en: 'London' } },
      location: { latitude: 51.5142, longitude: -0.0931 },
    },
    'GeoLite2-City',
  );
  const asn = writeMmdb(
    dir,
    'asn.mmdb',
    [81, 2, 69, 0],
    24,
    { autonomous_system_number: 20712, autonomous_system_organization: 'Andrews & Arnold' },
    'GeoLite2-ASN',
  );
  const executor = createExecutor({
    pipelines: {
      p: {
        processors: [
          { geoip: { field: 'ip', target_field: 'geo' } },
          { geoip: { field: 'ip', target_field: 'as', database_file: 'GeoLite2-ASN.mmdb' } },
        ],
      },
    },
    geoip: { databases: { 'GeoLite2-City.mmdb': city, 'GeoLite2-ASN.mmdb': asn } },
  });

  it('maps City and ASN records to the processor properties', () => {
    const r = executor.process('p', { _index: 'i', _source: { ip: '81.2.69.160' } });
    expect(r).toMatchObject({
      kind: 'indexed',
      _source: {
        geo: {
          continent_name: 'Europe',
          country_iso_code: 'GB',
          country_name: 'United Kingdom',
          region_iso_code: 'GB-ENG',
          region_name: 'England',
          city_name: 'London',
          location: { lat: 51.5142, lon: -0.0931 },
        },
        as: { ip: '81.2.69.160', asn: 20712, organization_name: 'Andrews & Arnold', network: '81.2.69.0/24' },
      },
    });
  });

  it('leaves addresses the database does not know out (the bundled table is not consulted)', () => {
    const r = executor.process('p', { _index: 'i', _source: { ip: '89.160.20.156' } });
    expect(r).toEqual({ kind: 'indexed', _index: 'i', _id: undefined, _source: { ip: '89.160.20.156' } });
  });

  it('fails at load with a clear error for an unreadable database', () => {
    expect(() =>
      createExecutor({
        pipelines: {},
        geoip: { databases: { 'GeoLite2-City.mmdb': join(dir, 'missing.mmdb') } },
      }),
    ).toThrow(IngestError);
  });
});
