import { HEAP_GROWING_PERCENT, limitHeapGrowth } from '../src/observability/heap';

describe('limitHeapGrowth', () => {
  it("asks V8 for the output's heap growth unless the node command line chose one", () => {
    const set: string[] = [];
    const record = (flags: string): void => {
      set.push(flags);
    };
    expect(limitHeapGrowth('elasticsearch', ['--enable-source-maps'], record)).toBe(true);
    expect(limitHeapGrowth('ndjson', [], record)).toBe(true);
    expect(set).toEqual(['--heap-growing-percent=150', '--heap-growing-percent=25']);
    expect(HEAP_GROWING_PERCENT).toEqual({ elasticsearch: 150, ndjson: 25 });
    expect(limitHeapGrowth('ndjson', ['--heap-growing-percent=50'], record)).toBe(false);
    expect(limitHeapGrowth('elasticsearch', ['--heap_growing_percent=300'], record)).toBe(false);
    expect(set).toHaveLength(2);
  });
});
