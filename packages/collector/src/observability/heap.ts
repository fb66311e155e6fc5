import { setFlagsFromString } from 'node:v8';

/**
 * `--heap-growing-percent` the collector asks V8 for, per output: before a full collection the heap may
 * grow to 2.5× the live data with the Elasticsearch output, 1.25× with NDJSON (whose in-process pipelines
 * bound the speed anyway: the extra collections were measured free there).
 */
export const HEAP_GROWING_PERCENT = { elasticsearch: 150, ndjson: 25 } as const;

/**
 * By default V8 lets garbage grow the heap to about 4× the live data before a full collection. The
 * collector's live data is small (the pages in flight) and its garbage is large (each answer and bulk
 * body once), so a backfill's RSS is mostly garbage: with growth held as above it stays under 200 MB
 * at the same speed within noise (`npm run bench:collector` prints both). V8 reads this flag at every
 * collection, so setting it in a running process takes effect. A `--heap-growing-percent` given on the
 * node command line wins (Node refuses V8 flags in NODE_OPTIONS). A V8 without the flag would print
 * "unrecognized flag" once and change nothing. Returns whether it set the flag.
 */
export function limitHeapGrowth(
  output: keyof typeof HEAP_GROWING_PERCENT,
  execArgv: readonly string[] = process.execArgv,
  set: (flags: string) => void = setFlagsFromString,
): boolean {
  const given = execArgv.some((arg) => /heap[-_]growing[-_]percent/.test(arg));
  if (given) return false;
  set(`--heap-growing-percent=${HEAP_GROWING_PERCENT[output]}`);
  return true;
}
