/** IPv4/IPv6 literal parsing to bytes (InetAddresses.forString semantics for plain literals). */
export function parseIp(s: string): Uint8Array | undefined {
  if (s.includes(':')) return parseIpv6(s);
  return parseIpv4(s);
}

function parseIpv4(s: string): Uint8Array | undefined {
  const parts = s.split('.');
  if (parts.length !== 4) return undefined;
  const out = new Uint8Array(4);
  for (let i = 0; i < 4; i += 1) {
    const p = parts[i] ?? '';
    if (!/^\d{1,3}$/.test(p) || (p.length > 1 && p.startsWith('0'))) return undefined;
    const n = Number(p);
    if (n > 255) return undefined;
    out[i] = n;
  }
  return out;
}

function parseIpv6(input: string): Uint8Array | undefined {
  let s = input;
  const pct = s.indexOf('%');
  if (pct >= 0) s = s.slice(0, pct);
  if (s.startsWith('[') && s.endsWith(']')) s = s.slice(1, -1);
  let tail: Uint8Array | undefined;
  const lastColon = s.lastIndexOf(':');
  if (s.slice(lastColon + 1).includes('.')) {
    tail = parseIpv4(s.slice(lastColon + 1));
    if (tail === undefined) return undefined;
    s = `${s.slice(0, lastColon + 1)}${(((tail[0] ?? 0) << 8) | (tail[1] ?? 0)).toString(16)}:${(((tail[2] ?? 0) << 8) | (tail[3] ?? 0)).toString(16)}`;
  }
  const dbl = s.split('::');
  if (dbl.length > 2) return undefined;
  const head = dbl[0] === '' ? [] : (dbl[0] ?? '').split(':');
  const rest = dbl.length === 2 ? (dbl[1] === '' ? [] : (dbl[1] ?? '').split(':')) : [];
  const groups =
    dbl.length === 2 ? [...head, ...Array<string>(8 - head.length - rest.length).fill('0'), ...rest] : head;
  if (groups.length !== 8 || (dbl.length === 2 && head.length + rest.length > 7)) return undefined;
  const out = new Uint8Array(16);
  for (let i = 0; i < 8; i += 1) {
    const g = groups[i] ?? '';
    if (!/^[0-9a-fA-F]{1,4}$/.test(g)) return undefined;
    const n = parseInt(g, 16);
    out[i * 2] = n >> 8;
    out[i * 2 + 1] = n & 0xff;
  }
  return out;
}

const literalCache = new Map<string, boolean>();

export function isIpLiteral(s: string): boolean {
  let ok = literalCache.get(s);
  if (ok === undefined) {
    ok = parseIp(s) !== undefined;
    if (literalCache.size >= 10000) literalCache.clear();
    literalCache.set(s, ok);
  }
  return ok;
}

/** IPv4-mapped IPv6 addresses are treated as IPv4 (as Java's InetAddress does). */
export function normalizeIp(bytes: Uint8Array): Uint8Array {
  if (
    bytes.length === 16 &&
    bytes.slice(0, 10).every((b) => b === 0) &&
    bytes[10] === 0xff &&
    bytes[11] === 0xff
  ) {
    return bytes.slice(12);
  }
  return bytes;
}

export interface Cidr {
  readonly bytes: Uint8Array;
  readonly prefix: number;
}

export function parseCidr(s: string): Cidr | undefined {
  const [addr = '', len] = s.split('/');
  const bytes = parseIp(addr);
  if (bytes === undefined) return undefined;
  const prefix = len === undefined ? bytes.length * 8 : Number(len);
  if (!Number.isInteger(prefix) || prefix < 0 || prefix > bytes.length * 8) return undefined;
  return { bytes, prefix };
}

export function inCidr(ip: Uint8Array, cidr: Cidr): boolean {
  const a = normalizeIp(ip);
  const b = normalizeIp(cidr.bytes);
  const prefix = cidr.bytes.length === 16 && b.length === 4 ? cidr.prefix - 96 : cidr.prefix;
  if (a.length !== b.length) return false;
  let bits = prefix;
  for (let i = 0; i < a.length && bits > 0; i += 1) {
    const mask = bits >= 8 ? 0xff : (0xff << (8 - bits)) & 0xff;
    if (((a[i] ?? 0) & mask) !== ((b[i] ?? 0) & mask)) return false;
    bits -= 8;
  }
  return true;
}

export function compareBytes(a: Uint8Array, b: Uint8Array): number {
  for (let i = 0; i < Math.min(a.length, b.length); i += 1) {
    const d = (a[i] ?? 0) - (b[i] ?? 0);
    if (d !== 0) return d;
  }
  return a.length - b.length;
}
