import { HEAP_GROWING_PERCENT, limitHeapGrowth } from '../src/observability/heap';

describe('limitHeapGrowth', () => {
  it('asks V8 for a 2.5× heap growth unless the node command line or NODE_OPTIONS chose one', () => {
    const set: string[] = [];
    expect(limitHeapGrowth({}, ['--enable-source-maps'], (f) => set.push(f))).toBe(true);
    expect(set).toEqual([`--heap-growing-percent=${HEAP_GROWING_PERCENT}`]);
    expect(limitHeapGrowth({}, ['--heap-growing-percent=50'], (f) => set.push(f))).toBe(false);
    expect(limitHeapGrowth({ NODE_OPTIONS: '--heap_growing_percent=300' }, [], (f) => set.push(f))).toBe(
      false,
    );
    expect(set).toHaveLength(1);
  });
});
