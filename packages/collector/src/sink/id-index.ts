/**
 * The exact set of `event.id`s written to the NDJSON files, in 24–48 bytes per id (12 a slot, at most
 * half the slots used) instead of a `Set<string>` (≈ 100 bytes per 28-character id).
 *
 * Each id is kept as a 32-bit hash and the place of its line (file number, byte offset). A lookup
 * that meets the same hash is confirmed by reading that line back (`readIdAt`) and comparing the id
 * itself, so the answer is exact: a hash collision costs one extra read, never a skipped event.
 * Collisions are rare: a lookup compares about two slots' hashes, each equal by chance with
 * probability 2^-32 (a million lookups: ≈ 5·10⁻⁴ extra reads in all); several ids sharing a hash
 * are all kept and all checked.
 */
export class IdIndex {
  private hashes = new Uint32Array(0);
  /** location + 1 (0 = empty slot): file * 2^40 + offset. */
  private loc = new Float64Array(0);
  private mask = -1;
  private count = 0;

  /** `readIdAt(file, offset)`: the `event.id` of the line starting there (undefined when none). */
  constructor(private readonly readIdAt: (file: number, offset: number) => string | undefined) {
    this.resize(1 << 12);
  }

  get size(): number {
    return this.count;
  }

  has(id: string): boolean {
    const h = hash32(id);
    for (let slot = h & this.mask; ; slot = (slot + 1) & this.mask) {
      const at = this.loc[slot] ?? 0;
      if (at === 0) return false;
      if (this.hashes[slot] === h) {
        const where = at - 1;
        const file = Math.floor(where / OFFSET_SPAN);
        if (this.readIdAt(file, where - file * OFFSET_SPAN) === id) return true;
      }
    }
  }

  /** Records that the line holding `id` starts at `offset` of file number `file` (the caller checked `has`). */
  add(id: string, file: number, offset: number): void {
    if (offset >= OFFSET_SPAN || file >= MAX_FILES)
      throw new RangeError(`NDJSON id index: file ${file} offset ${offset} out of range`);
    if ((this.count + 1) * 2 > this.loc.length) this.resize(this.loc.length * 2);
    this.place(hash32(id), file * OFFSET_SPAN + offset + 1);
    this.count++;
  }

  private place(h: number, at: number): void {
    let slot = h & this.mask;
    while ((this.loc[slot] ?? 0) !== 0) slot = (slot + 1) & this.mask;
    this.hashes[slot] = h;
    this.loc[slot] = at;
  }

  private resize(capacity: number): void {
    const { hashes, loc } = this;
    this.hashes = new Uint32Array(capacity);
    this.loc = new Float64Array(capacity);
    this.mask = capacity - 1;
    for (let i = 0; i < loc.length; i++) {
      const at = loc[i] ?? 0;
      if (at !== 0) this.place(hashes[i] ?? 0, at);
    }
  }
}

/** Byte offsets below 2^40 (1 TiB per file); file numbers below 2^12 keep locations exact in a double. */
const OFFSET_SPAN = 2 ** 40;
const MAX_FILES = 2 ** 12;

/** A 32-bit string hash over UTF-16 code units (a murmur-style mix with a final avalanche). */
export function hash32(text: string): number {
  let h = 0x9747b28c ^ text.length;
  for (let i = 0; i < text.length; i++) {
    h = Math.imul(h ^ text.charCodeAt(i), 0x5bd1e995);
    h ^= h >>> 15;
  }
  h = Math.imul(h ^ (h >>> 13), 0x5bd1e995);
  h ^= h >>> 15;
  return h >>> 0;
}
