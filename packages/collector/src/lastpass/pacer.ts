/**
 * Request pacing for one account (issue #15 §12). LastPass publishes no rate limit; HTTP 429 is its only
 * signal (lastpass-api.md §7). The policy, with one request in flight at any time (the transport's queue):
 *
 * - After an answer that carried records (a backfill or snapshot is under way: the next request is more
 *   of the same work), the next request may start `backfillIntervalMs` after the previous one started
 *   (default 100 ms: at most 10 requests a second, and in practice LastPass's own answer time is the
 *   pace). Elastic Agent's CEL input (ours and Elastic's own LastPass package) also re-runs at once for
 *   the next page (`want_more`).
 * - Otherwise (the first request, after an empty answer, after a failure) it waits `intervalMs`
 *   (`request_interval`, default 1 s).
 * - A 429 adds a penalty: every gap is at least `intervalMs`, doubled by each further 429 up to
 *   `maxPenaltyMs` (60 s); each successful answer shrinks the penalty by a quarter, and it is dropped once
 *   below the backfill interval. `Retry-After` is honoured on top by the retry layer.
 */

export interface PacerOptions {
  intervalMs: number;
  backfillIntervalMs: number;
  maxPenaltyMs?: number;
}

export const DEFAULT_BACKFILL_INTERVAL_MS = 100;
const DEFAULT_MAX_PENALTY_MS = 60_000;

export class Pacer {
  #lastStart = Number.NEGATIVE_INFINITY;
  #productive = false;
  #penaltyMs = 0;

  constructor(private readonly options: PacerOptions) {}

  /** The current gap between two request starts. */
  get gapMs(): number {
    const { intervalMs, backfillIntervalMs } = this.options;
    const base = this.#productive ? Math.min(backfillIntervalMs, intervalMs) : intervalMs;
    return Math.max(base, this.#penaltyMs);
  }

  /** How long to wait at `now` before the next request may start. */
  waitMs(now: number): number {
    return Math.max(0, this.#lastStart + this.gapMs - now);
  }

  started(now: number): void {
    this.#lastStart = now;
  }

  /** A successful answer carrying `records` records. */
  answered(records: number): void {
    this.#productive = records > 0;
    if (this.#penaltyMs > 0) {
      this.#penaltyMs = Math.floor(this.#penaltyMs * 0.75);
      if (this.#penaltyMs < Math.min(this.options.backfillIntervalMs, this.options.intervalMs))
        this.#penaltyMs = 0;
    }
  }

  /** A failed attempt; `throttled` for HTTP 429. */
  failed(throttled: boolean): void {
    this.#productive = false;
    if (!throttled) return;
    const max = this.options.maxPenaltyMs ?? DEFAULT_MAX_PENALTY_MS;
    this.#penaltyMs = Math.min(max, Math.max(this.options.intervalMs, this.#penaltyMs * 2));
  }
}
