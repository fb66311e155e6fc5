import { createHash } from 'node:crypto';

/**
 * A UUID-shaped id derived from its parts (SHA-1, RFC 4122 variant, version nibble 5): the same
 * definition always yields the same panel, layer and column ids, so regenerating changes nothing and
 * ids survive unrelated edits.
 */
export function stableUuid(...parts: string[]): string {
  const hex = createHash('sha1').update(parts.join('\u0001')).digest('hex');
  const variant = ((parseInt(hex.slice(16, 17), 16) & 0x3) | 0x8).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-5${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}
