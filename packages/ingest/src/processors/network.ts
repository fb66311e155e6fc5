import { createHash } from 'node:crypto';
import { fieldPath } from '../document';
import type { ProcessorFactory } from '../engine';
import { illegalArgument } from '../errors';
import { compareBytes, inCidr, isIpLiteral, normalizeIp, parseCidr, parseIp, type Cidr } from '../ip';
import { deepCopy, isNumber, javaClassName, javaToString, numericValue, type JsonMap } from '../values';
import { constField, getString } from './util';

// ---------------------------------------------------------------------------------------------
// geoip

const CITY_DEFAULT = [
  'continent_name',
  'country_iso_code',
  'country_name',
  'region_iso_code',
  'region_name',
  'city_name',
  'location',
];
const ASN_DEFAULT = ['ip', 'asn', 'organization_name', 'network'];

const geoip: ProcessorFactory = (cfg, ctx) => {
  const field = constField(cfg, 'field');
  const target = constField(cfg, 'target_field', 'geoip');
  const database = cfg.string('database_file', 'GeoLite2-City.mmdb');
  const asn = /ASN/i.test(database);
  const properties = cfg.stringList('properties', false) ?? (asn ? ASN_DEFAULT : CITY_DEFAULT);
  const ignoreMissing = cfg.bool('ignore_missing', false);
  const firstOnly = cfg.bool('first_only', true);
  cfg.bool('download_database_on_pipeline_creation', true);
  // answers per address (filtered to `properties`), copied on every use
  const cache = new Map<string, JsonMap | null>();
  const lookup = (ip: string): JsonMap | undefined => {
    let hit = cache.get(ip);
    if (hit === undefined) {
      if (!isIpLiteral(ip)) throw illegalArgument(`'${ip}' is not an IP string literal.`);
      const record = ctx.services.geoip?.(ip, database);
      const out: JsonMap = {};
      if (record !== undefined) for (const p of properties) if (record[p] !== undefined) out[p] = record[p];
      hit = Object.keys(out).length > 0 ? out : null;
      if (cache.size >= 10000) cache.clear();
      cache.set(ip, hit);
    }
    return hit === null ? undefined : deepCopy(hit);
  };
  return {
    execute(doc) {
      const v = doc.get(field, ignoreMissing);
      if (v === undefined || v === null) {
        if (ignoreMissing) return;
        throw illegalArgument(`field [${field.path}] is null, cannot extract geoip information.`);
      }
      if (Array.isArray(v)) {
        const results = v.map((x) => lookup(javaToString(x))).filter((r): r is JsonMap => r !== undefined);
        if (results.length === 0) return;
        doc.set(target, firstOnly ? results[0] : results);
        return;
      }
      if (typeof v !== 'string')
        throw illegalArgument(
          `field [${field.path}] of type [${javaClassName(v)}] cannot be cast to [java.lang.String]`,
        );
      const r = lookup(v);
      if (r !== undefined) doc.set(target, r);
    },
  };
};

// ---------------------------------------------------------------------------------------------
// community_id (Community ID v1)

const TRANSPORTS: Record<string, number> = {
  icmp: 1,
  igmp: 2,
  tcp: 6,
  udp: 17,
  gre: 47,
  'ipv6-icmp': 58,
  icmpv6: 58,
  eigrp: 88,
  ospf: 89,
  pim: 103,
  sctp: 132,
};
const ICMP4_PAIRS: Record<number, number> = {
  8: 0,
  0: 8,
  13: 14,
  14: 13,
  15: 16,
  16: 15,
  17: 18,
  18: 17,
  10: 9,
  9: 10,
};
const ICMP6_PAIRS: Record<number, number> = {
  128: 129,
  129: 128,
  133: 134,
  134: 133,
  135: 136,
  136: 135,
  130: 131,
  131: 130,
  144: 145,
  145: 144,
};

function readPort(v: unknown): number | undefined {
  if (v === undefined || v === null) return undefined;
  const n = isNumber(v) ? numericValue(v) : Number(v);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw illegalArgument(`invalid port [${javaToString(v)}]`);
  return n;
}

const communityId: ProcessorFactory = (cfg) => {
  const sourceIp = constField(cfg, 'source_ip', 'source.ip');
  const sourcePort = constField(cfg, 'source_port', 'source.port');
  const destIp = constField(cfg, 'destination_ip', 'destination.ip');
  const destPort = constField(cfg, 'destination_port', 'destination.port');
  const ianaNumber = constField(cfg, 'iana_number', 'network.iana_number');
  const transport = constField(cfg, 'transport', 'network.transport');
  const icmpType = constField(cfg, 'icmp_type', 'icmp.type');
  const icmpCode = constField(cfg, 'icmp_code', 'icmp.code');
  const target = constField(cfg, 'target_field', 'network.community_id');
  const seed = cfg.int('seed', 0);
  if (seed < 0 || seed > 65535) throw cfg.error('seed', '[seed] must be a value between 0 and 65535');
  const ignoreMissing = cfg.bool('ignore_missing', true);
  return {
    execute(doc) {
      const sip = doc.getOrUndefined(sourceIp);
      const dip = doc.getOrUndefined(destIp);
      if (typeof sip !== 'string' || typeof dip !== 'string') {
        if (ignoreMissing) return;
        throw illegalArgument('ip address cannot be null');
      }
      let s = parseIp(sip);
      let d = parseIp(dip);
      if (s === undefined || d === undefined)
        throw illegalArgument(`'${s === undefined ? sip : dip}' is not an IP string literal.`);
      s = normalizeIp(s);
      d = normalizeIp(d);
      let proto: number | undefined;
      const iana = doc.getOrUndefined(ianaNumber);
      if (iana !== undefined && iana !== null) proto = isNumber(iana) ? numericValue(iana) : Number(iana);
      else {
        const t = doc.getOrUndefined(transport);
        if (typeof t === 'string') proto = TRANSPORTS[t.toLowerCase()];
        if (proto === undefined) {
          if (ignoreMissing) return;
          throw illegalArgument(`could not convert string [${javaToString(t)}] to transport protocol`);
        }
      }
      if (proto === undefined || !Number.isInteger(proto)) return;
      let sp: number | undefined;
      let dp: number | undefined;
      let oneWay = false;
      if (proto === 1 || proto === 58) {
        const type = readPort(doc.getOrUndefined(icmpType));
        const code = readPort(doc.getOrUndefined(icmpCode)) ?? 0;
        if (type === undefined) {
          if (ignoreMissing) return;
          throw illegalArgument('icmp type cannot be null');
        }
        const pairs = proto === 1 ? ICMP4_PAIRS : ICMP6_PAIRS;
        const pair = pairs[type];
        sp = type;
        if (pair === undefined) {
          oneWay = true;
          dp = code;
        } else dp = pair;
      } else if (proto === 6 || proto === 17 || proto === 132) {
        sp = readPort(doc.getOrUndefined(sourcePort));
        dp = readPort(doc.getOrUndefined(destPort));
        if (sp === undefined || dp === undefined) {
          if (ignoreMissing) return;
          throw illegalArgument('port cannot be null');
        }
      }
      let swap = false;
      const cmp = compareBytes(s, d);
      if (!oneWay && (cmp > 0 || (cmp === 0 && sp !== undefined && dp !== undefined && sp > dp))) swap = true;
      const [ip1, ip2, p1, p2] = swap ? [d, s, dp, sp] : [s, d, sp, dp];
      const parts: number[] = [(seed >> 8) & 0xff, seed & 0xff, ...ip1, ...ip2, proto, 0];
      if (p1 !== undefined && p2 !== undefined)
        parts.push((p1 >> 8) & 0xff, p1 & 0xff, (p2 >> 8) & 0xff, p2 & 0xff);
      const digest = createHash('sha1').update(Uint8Array.from(parts)).digest('base64');
      doc.set(target, `1:${digest}`);
    },
  };
};

// ---------------------------------------------------------------------------------------------
// network_direction

const NAMED_RANGES: Record<string, (ip: Uint8Array) => boolean> = {
  loopback: (ip) => (ip.length === 4 ? ip[0] === 127 : ip.every((b, i) => (i === 15 ? b === 1 : b === 0))),
  unicast: (ip) => !NAMED_RANGES['multicast']?.(ip),
  global_unicast: (ip) =>
    !(NAMED_RANGES['loopback']?.(ip) ?? false) &&
    !(NAMED_RANGES['multicast']?.(ip) ?? false) &&
    !(NAMED_RANGES['link_local_unicast']?.(ip) ?? false) &&
    !(NAMED_RANGES['unspecified']?.(ip) ?? false) &&
    !(ip.length === 4 && ip.every((b) => b === 255)),
  multicast: (ip) => (ip.length === 4 ? (ip[0] ?? 0) >= 224 && (ip[0] ?? 0) <= 239 : ip[0] === 0xff),
  interface_local_multicast: (ip) => ip.length === 16 && ip[0] === 0xff && ((ip[1] ?? 0) & 0x0f) === 1,
  link_local_unicast: (ip) =>
    ip.length === 4 ? ip[0] === 169 && ip[1] === 254 : ip[0] === 0xfe && ((ip[1] ?? 0) & 0xc0) === 0x80,
  link_local_multicast: (ip) =>
    ip.length === 4
      ? ip[0] === 224 && ip[1] === 0 && ip[2] === 0
      : ip[0] === 0xff && ((ip[1] ?? 0) & 0x0f) === 2,
  private: (ip) =>
    ip.length === 4
      ? ip[0] === 10 || (ip[0] === 172 && ((ip[1] ?? 0) & 0xf0) === 16) || (ip[0] === 192 && ip[1] === 168)
      : ((ip[0] ?? 0) & 0xfe) === 0xfc,
  public: (ip) =>
    !(NAMED_RANGES['private']?.(ip) ?? false) &&
    !(NAMED_RANGES['loopback']?.(ip) ?? false) &&
    !(NAMED_RANGES['unspecified']?.(ip) ?? false) &&
    !(NAMED_RANGES['link_local_unicast']?.(ip) ?? false) &&
    !(NAMED_RANGES['link_local_multicast']?.(ip) ?? false) &&
    !(NAMED_RANGES['interface_local_multicast']?.(ip) ?? false) &&
    !(ip.length === 4 && ip.every((b) => b === 255)),
  unspecified: (ip) => ip.every((b) => b === 0),
};

function compileNetworks(list: readonly string[]): ((ip: Uint8Array) => boolean)[] {
  return list.map((n) => {
    const named = NAMED_RANGES[n];
    if (named !== undefined) return (ip: Uint8Array) => named(normalizeIp(ip));
    const cidr: Cidr | undefined = parseCidr(n);
    if (cidr === undefined) throw illegalArgument(`'${n}' is not an IP string literal.`);
    return (ip: Uint8Array) => inCidr(ip, cidr);
  });
}

const networkDirection: ProcessorFactory = (cfg) => {
  const sourceIp = constField(cfg, 'source_ip', 'source.ip');
  const destIp = constField(cfg, 'destination_ip', 'destination.ip');
  const target = constField(cfg, 'target_field', 'network.direction');
  const internalRaw = cfg.stringList('internal_networks', false);
  const internalField = cfg.string('internal_networks_field', null);
  if (internalRaw === undefined && internalField === undefined) {
    throw cfg.error(
      'internal_networks',
      '[internal_networks] and [internal_networks_field] cannot both be empty',
    );
  }
  if (internalRaw !== undefined && internalField !== undefined) {
    throw cfg.error(
      'internal_networks',
      '[internal_networks] and [internal_networks_field] cannot both be used in the same processor',
    );
  }
  const templates = internalRaw?.map((n) => cfg.compile(n, 'internal_networks'));
  const constNetworks =
    templates?.every((t) => t.isConstant) === true ? compileNetworks(internalRaw ?? []) : undefined;
  const ignoreMissing = cfg.bool('ignore_missing', true);
  return {
    execute(doc) {
      const s = getString(doc, sourceIp, ignoreMissing);
      const d = getString(doc, destIp, ignoreMissing);
      if (s === undefined || d === undefined) {
        if (ignoreMissing) return;
        throw illegalArgument('unable to calculate network direction from document');
      }
      let networks = constNetworks;
      if (networks === undefined) {
        if (internalField !== undefined) {
          const v = doc.getOrUndefined(fieldPath(internalField));
          if (v === undefined || v === null) {
            if (ignoreMissing) return;
            throw illegalArgument(`field [${internalField}] not present as part of path [${internalField}]`);
          }
          networks = compileNetworks((Array.isArray(v) ? v : [v]).map((x) => javaToString(x)));
        } else networks = compileNetworks((templates ?? []).map((t) => t.render(doc)));
      }
      const sb = parseIp(s);
      const db = parseIp(d);
      if (sb === undefined || db === undefined)
        throw illegalArgument('unable to calculate network direction from document');
      const sIn = networks.some((f) => f(sb));
      const dIn = networks.some((f) => f(db));
      doc.set(target, sIn ? (dIn ? 'internal' : 'outbound') : dIn ? 'inbound' : 'external');
    },
  };
};

export const networkProcessors: Record<string, ProcessorFactory> = {
  geoip,
  community_id: communityId,
  network_direction: networkDirection,
};
