import type { StreamCounts } from '../checkpoint/store';

/**
 * A one-line progress display for backfills on a TTY (stderr): stream, percent of the planned window,
 * counts. Redrawn in place, at most every 100 ms; `done` ends the line.
 */
export class ProgressLine {
  private lastDraw = 0;
  private active = false;

  constructor(
    private readonly out: NodeJS.WritableStream,
    private readonly now: () => number = Date.now,
  ) {}

  update(label: string, fraction: number | undefined, counts: StreamCounts): void {
    const t = this.now();
    if (t - this.lastDraw < 100 && fraction !== 1) return;
    this.lastDraw = t;
    const width = 24;
    const f = fraction === undefined ? 0 : Math.max(0, Math.min(1, fraction));
    const bar =
      fraction === undefined ? ' '.repeat(width) : '#'.repeat(Math.round(f * width)).padEnd(width, '.');
    const pct = fraction === undefined ? '   ' : `${String(Math.round(f * 100)).padStart(3)}%`;
    this.out.write(
      `\r${label.padEnd(34)} [${bar}] ${pct} fetched=${counts.fetched} indexed=${counts.indexed} duplicates=${counts.duplicates} failed=${counts.failed}\u001b[K`,
    );
    this.active = true;
  }

  done(): void {
    if (this.active) this.out.write('\n');
    this.active = false;
    this.lastDraw = 0;
  }
}
