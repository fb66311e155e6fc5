import { setFlagsFromString } from 'node:v8';

/** `--heap-growing-percent` the collector asks V8 for: a full collection before the heap passes 2.5× the live data. */
export const HEAP_GROWING_PERCENT = 150;

/**
 * By default V8 lets garbage grow the heap to about 4× the live data before a full collection. The
 * collector's live data is small (the pages in flight) and its garbage is large (each answer and bulk
 * body once), so a backfill's RSS is mostly garbage: with growth held to 2.5× it stays under 200 MB for
 * a few per cent of speed (`npm run bench:collector` prints both). V8 reads this flag at every
 * collection, so setting it in a running process takes effect. A `--heap-growing-percent` given on the
 * node command line or in NODE_OPTIONS wins. Returns whether it set the flag.
 */
export function limitHeapGrowth(
  env: NodeJS.ProcessEnv,
  execArgv: readonly string[] = process.execArgv,
  set: (flags: string) => void = setFlagsFromString,
): boolean {
  const given = [...execArgv, env.NODE_OPTIONS ?? ''].some((arg) => /heap[-_]growing[-_]percent/.test(arg));
  if (given) return false;
  set(`--heap-growing-percent=${HEAP_GROWING_PERCENT}`);
  return true;
}
