import { hash32, IdIndex } from '../src/sink/id-index';

describe('NDJSON id index (exact, hash + confirm by reading the line)', () => {
  it('answers exactly for 100,000 ids across files and growth, confirming every hash hit by a read', () => {
    const lines = new Map<string, string>(); // "file:offset" → id
    let reads = 0;
    const index = new IdIndex((file, offset) => {
      reads++;
      return lines.get(`${file}:${offset}`);
    });
    let wrong = 0;
    for (let i = 0; i < 100_000; i++) {
      const id = `id-${i}`;
      const file = i % 3;
      const offset = i * 1000 + 2 ** 33; // offsets past 32 bits stay exact
      if (index.has(id)) wrong++;
      index.add(id, file, offset);
      lines.set(`${file}:${offset}`, id);
    }
    expect(index.size).toBe(100_000);
    reads = 0;
    for (let i = 0; i < 100_000; i += 7) if (!index.has(`id-${i}`)) wrong++;
    expect(reads).toBeGreaterThanOrEqual(Math.ceil(100_000 / 7));
    for (let i = 100_000; i < 110_000; i++) if (index.has(`id-${i}`)) wrong++;
    expect(wrong).toBe(0);
  });

  it('a hash hit whose line holds another id is no hit (a collision never skips an event)', () => {
    let stored = 'the-id';
    const index = new IdIndex(() => stored);
    index.add('the-id', 0, 0);
    expect(index.has('the-id')).toBe(true);
    stored = 'another-id'; // what a colliding entry's line would hold
    expect(index.has('the-id')).toBe(false);
  });

  it('keeps every entry sharing a hash and checks them all', () => {
    const at = ['x', 'y'];
    const index = new IdIndex((_file, offset) => at[offset]);
    index.add('y', 0, 1);
    index.add('y', 0, 0); // a second entry with the same hash, its line now holding "x"
    expect(index.has('y')).toBe(true);
    expect(index.has('x')).toBe(false); // different hash: never even read
  });

  it('hash32 separates near-identical ids and spreads them over the low bits the slots use', () => {
    const seen = new Set<number>();
    const low = new Set<number>();
    for (let i = 0; i < 50_000; i++) {
      const h = hash32(`AAAAAAAAAAAAAAAAAAAAAAAA${i.toString(36)}`);
      seen.add(h);
      low.add(h & 0xffff);
    }
    expect(seen.size).toBe(50_000);
    expect(low.size).toBeGreaterThan(65_536 * 0.5); // ≈ 1 - e^-0.76 of the 2^16 buckets for uniform hashes
  });
});
