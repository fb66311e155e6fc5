import { readFileSync } from 'node:fs';
import { IngestError } from './errors';
import { parseIp } from './ip';
import type { JsonMap } from './values';

/**
 * A minimal, synchronous reader of MaxMind DB files (GeoLite2/GeoIP2 `.mmdb`): metadata, the
 * binary search tree (24/28/32-bit records, IPv4 and IPv6 trees) and the data section decoder.
 */
const MARKER = Buffer.from([0xab, 0xcd, 0xef, ...Buffer.from('MaxMind.com', 'latin1')]);

export interface MmdbReader {
  readonly databaseType: string;
  /** The decoded record for an address and its network prefix length, or undefined. */
  lookup(ip: string): { record: unknown; prefix: number } | undefined;
}

class Decoder {
  constructor(
    private readonly buf: Buffer,
    private readonly base: number,
  ) {}

  decode(offset: number): { value: unknown; next: number } {
    let pos = offset;
    const ctrl = this.buf[pos] ?? 0;
    pos += 1;
    let type = ctrl >> 5;
    if (type === 1) {
      const ss = (ctrl >> 3) & 3;
      const v = ctrl & 7;
      let p: number;
      if (ss === 0) p = (v << 8) | (this.buf[pos] ?? 0);
      else if (ss === 1) p = ((v << 16) | this.buf.readUInt16BE(pos)) + 2048;
      else if (ss === 2) p = (v << 24) + this.buf.readUIntBE(pos, 3) + 526336;
      else p = this.buf.readUInt32BE(pos);
      pos += ss + 1;
      return { value: this.decode(this.base + p).value, next: pos };
    }
    if (type === 0) {
      type = 7 + (this.buf[pos] ?? 0);
      pos += 1;
    }
    let size = ctrl & 0x1f;
    if (size === 29) {
      size = 29 + (this.buf[pos] ?? 0);
      pos += 1;
    } else if (size === 30) {
      size = 285 + this.buf.readUInt16BE(pos);
      pos += 2;
    } else if (size === 31) {
      size = 65821 + this.buf.readUIntBE(pos, 3);
      pos += 3;
    }
    switch (type) {
      case 2:
        return { value: this.buf.toString('utf8', pos, pos + size), next: pos + size };
      case 3:
        return { value: this.buf.readDoubleBE(pos), next: pos + 8 };
      case 4:
        return { value: this.buf.subarray(pos, pos + size), next: pos + size };
      case 5:
      case 6:
      case 8:
      case 9:
      case 10: {
        let n = 0n;
        for (let i = 0; i < size; i += 1) n = (n << 8n) | BigInt(this.buf[pos + i] ?? 0);
        if (type === 8 && size === 4) n = BigInt.asIntN(32, n);
        return { value: n <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(n) : n, next: pos + size };
      }
      case 7: {
        const out: JsonMap = {};
        for (let i = 0; i < size; i += 1) {
          const k = this.decode(pos);
          const v = this.decode(k.next);
          out[String(k.value)] = v.value;
          pos = v.next;
        }
        return { value: out, next: pos };
      }
      case 11: {
        const out: unknown[] = [];
        for (let i = 0; i < size; i += 1) {
          const v = this.decode(pos);
          out.push(v.value);
          pos = v.next;
        }
        return { value: out, next: pos };
      }
      case 14:
        return { value: size !== 0, next: pos };
      case 15:
        return { value: this.buf.readFloatBE(pos), next: pos + 4 };
      default:
        throw new Error(`unsupported MaxMind DB data type ${type}`);
    }
  }
}

export function openMmdb(path: string): MmdbReader {
  let buf: Buffer;
  try {
    buf = readFileSync(path);
  } catch (e) {
    throw new IngestError(
      'INGEST_GEOIP_DATABASE',
      `cannot read GeoIP database ${path}: ${e instanceof Error ? e.message : String(e)}`,
    );
  }
  const at = buf.lastIndexOf(MARKER);
  if (at < 0)
    throw new IngestError(
      'INGEST_GEOIP_DATABASE',
      `${path} is not a MaxMind DB file (metadata marker not found)`,
    );
  const meta = new Decoder(buf, at + MARKER.length).decode(at + MARKER.length).value as JsonMap;
  const nodeCount = Number(meta['node_count']);
  const recordSize = Number(meta['record_size']);
  const ipVersion = Number(meta['ip_version']);
  if (![24, 28, 32].includes(recordSize) || !Number.isInteger(nodeCount)) {
    throw new IngestError('INGEST_GEOIP_DATABASE', `${path}: unsupported record size ${recordSize}`);
  }
  const nodeBytes = (recordSize * 2) / 8;
  const treeSize = nodeBytes * nodeCount;
  const data = new Decoder(buf, treeSize + 16);
  const record = (node: number, bit: number): number => {
    const o = node * nodeBytes;
    if (recordSize === 24) return bit === 0 ? buf.readUIntBE(o, 3) : buf.readUIntBE(o + 3, 3);
    if (recordSize === 32) return bit === 0 ? buf.readUInt32BE(o) : buf.readUInt32BE(o + 4);
    const middle = buf[o + 3] ?? 0;
    return bit === 0
      ? ((middle & 0xf0) << 20) | buf.readUIntBE(o, 3)
      : ((middle & 0x0f) << 24) | buf.readUIntBE(o + 4, 3);
  };
  let ipv4Start = 0;
  if (ipVersion === 6) {
    for (let i = 0; i < 96 && ipv4Start < nodeCount; i += 1) ipv4Start = record(ipv4Start, 0);
  }
  return {
    databaseType: String(meta['database_type']),
    lookup(ip) {
      const bytes = parseIp(ip);
      if (bytes === undefined) return undefined;
      if (bytes.length === 16 && ipVersion === 4) return undefined;
      let node = bytes.length === 4 ? ipv4Start : 0;
      const bits = bytes.length * 8;
      for (let i = 0; i < bits && node < nodeCount; i += 1) {
        node = record(node, ((bytes[i >> 3] ?? 0) >> (7 - (i & 7))) & 1);
        if (node === nodeCount) return undefined;
        if (node > nodeCount)
          return { record: data.decode(treeSize + (node - nodeCount)).value, prefix: i + 1 };
      }
      return undefined;
    },
  };
}

function en(v: unknown): string | undefined {
  const names = (v as { names?: Record<string, unknown> } | undefined)?.names;
  const name = names?.['en'];
  return typeof name === 'string' ? name : undefined;
}

/** Maps a GeoIP2/GeoLite2 record to Elasticsearch's geoip processor properties. */
export function geoipProperties(record: unknown, ip: string, prefix: number, databaseType: string): JsonMap {
  const r = (record ?? {}) as Record<string, unknown>;
  const out: JsonMap = { ip };
  if (/ASN/i.test(databaseType)) {
    if (r['autonomous_system_number'] !== undefined) out['asn'] = r['autonomous_system_number'];
    if (r['autonomous_system_organization'] !== undefined)
      out['organization_name'] = r['autonomous_system_organization'];
    const bytes = parseIp(ip);
    if (bytes !== undefined) {
      const masked = Uint8Array.from(bytes);
      const effective = prefix;
      for (let i = 0; i < masked.length * 8; i += 1) {
        if (i >= effective) masked[i >> 3] = (masked[i >> 3] ?? 0) & ~(1 << (7 - (i & 7)));
      }
      out['network'] =
        `${bytes.length === 4 ? [...masked].join('.') : [...Array(8).keys()].map((g) => (((masked[g * 2] ?? 0) << 8) | (masked[g * 2 + 1] ?? 0)).toString(16)).join(':')}/${Math.max(effective, 0)}`;
    }
    return out;
  }
  const continent = en(r['continent']);
  if (continent !== undefined) out['continent_name'] = continent;
  const country = r['country'] as { iso_code?: string } | undefined;
  if (country?.iso_code !== undefined) out['country_iso_code'] = country.iso_code;
  const countryName = en(country);
  if (countryName !== undefined) out['country_name'] = countryName;
  const sub = (r['subdivisions'] as { iso_code?: string }[] | undefined)?.[0];
  if (sub?.iso_code !== undefined && country?.iso_code !== undefined)
    out['region_iso_code'] = `${country.iso_code}-${sub.iso_code}`;
  const subName = en(sub);
  if (subName !== undefined) out['region_name'] = subName;
  const city = en(r['city']);
  if (city !== undefined) out['city_name'] = city;
  const loc = r['location'] as { latitude?: number; longitude?: number; time_zone?: string } | undefined;
  if (loc?.latitude !== undefined && loc.longitude !== undefined)
    out['location'] = { lat: loc.latitude, lon: loc.longitude };
  if (loc?.time_zone !== undefined) out['timezone'] = loc.time_zone;
  return out;
}
