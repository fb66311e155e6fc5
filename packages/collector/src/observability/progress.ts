import type { StreamCounts } from '../checkpoint/store';
import type { Logger } from './logger';

/**
 * A one-line progress display for backfills on a TTY (stderr): stream, share of its planned work done
 * (for the event report: of the time window to read), counts and the event rate. Redrawn in place, at
 * most every 100 ms; `done` ends the line.
 */
export class ProgressLine {
  private lastDraw = 0;
  private active = false;
  private startedAt: number | undefined;

  constructor(
    private readonly out: NodeJS.WritableStream,
    private readonly now: () => number = Date.now,
  ) {}

  update(label: string, fraction: number | undefined, counts: StreamCounts): void {
    const t = this.now();
    this.startedAt ??= t;
    if (t - this.lastDraw < 100 && fraction !== 1) return;
    this.lastDraw = t;
    const width = 24;
    const f = fraction === undefined ? 0 : Math.max(0, Math.min(1, fraction));
    const bar =
      fraction === undefined ? ' '.repeat(width) : '#'.repeat(Math.round(f * width)).padEnd(width, '.');
    const pct = fraction === undefined ? '   ' : `${String(Math.round(f * 100)).padStart(3)}%`;
    const rate = ratePerSecond(counts.fetched, t - this.startedAt);
    this.out.write(
      `\r${label.padEnd(34)} [${bar}] ${pct} fetched=${counts.fetched}${rate === undefined ? '' : ` (${rate}/s)`} indexed=${counts.indexed} duplicates=${counts.duplicates} failed=${counts.failed}\u001b[K`,
    );
    this.active = true;
  }

  done(): void {
    if (this.active) this.out.write('\n');
    this.active = false;
    this.lastDraw = 0;
    this.startedAt = undefined;
  }
}

function ratePerSecond(events: number, ms: number): number | undefined {
  return ms >= 1000 ? Math.round((events * 1000) / ms) : undefined;
}

/** How often `ProgressLog` writes a line per stream while it runs. */
export const PROGRESS_LOG_INTERVAL_MS = 5_000;

/**
 * Progress for logs (not on a TTY, issue #15 §10): one pino `info` line per running stream at most every
 * `everyMs` of the collector's clock, with the share of the planned work, the counts and the event rate.
 * The CLI adds a line at start, at stop and at each stream's end.
 */
export class ProgressLog {
  private readonly runs = new Map<string, { startedAt: number; lastAt: number }>();

  constructor(
    private readonly logger: Logger,
    private readonly now: () => number,
    private readonly everyMs = PROGRESS_LOG_INTERVAL_MS,
  ) {}

  /** A stream's run begins: its first progress line comes `everyMs` later. */
  start(accountNumber: string, stream: string): void {
    const t = this.now();
    this.runs.set(`${accountNumber} ${stream}`, { startedAt: t, lastAt: t });
  }

  update(accountNumber: string, stream: string, fraction: number | undefined, counts: StreamCounts): void {
    const t = this.now();
    const key = `${accountNumber} ${stream}`;
    let run = this.runs.get(key);
    if (run === undefined) {
      run = { startedAt: t, lastAt: t };
      this.runs.set(key, run);
    }
    if (t - run.lastAt < this.everyMs) return;
    run.lastAt = t;
    const pct = fraction === undefined ? undefined : Math.round(Math.max(0, Math.min(1, fraction)) * 100);
    const rate = ratePerSecond(counts.fetched, t - run.startedAt);
    this.logger.info(
      {
        code: 'PROGRESS',
        account_number: accountNumber,
        stream,
        ...(pct === undefined ? {} : { percent: pct }),
        ...counts,
        ...(rate === undefined ? {} : { events_per_second: rate }),
      },
      `${stream}: ${pct === undefined ? '' : `${pct}% of the planned work, `}fetched=${counts.fetched} indexed=${counts.indexed} duplicates=${counts.duplicates} failed=${counts.failed} api_calls=${counts.api_calls}${rate === undefined ? '' : ` (${rate} events/s)`}`,
    );
  }

  /** Forgets a stream's run (its end is logged by the caller). */
  end(accountNumber: string, stream: string): number | undefined {
    const key = `${accountNumber} ${stream}`;
    const run = this.runs.get(key);
    this.runs.delete(key);
    return run === undefined ? undefined : this.now() - run.startedAt;
  }
}
