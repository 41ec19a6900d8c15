// progress.ts — a small progress line on stderr for long runs (bulk import, download).
//
// Guarantees:
// - On a terminal, one line rewritten in place with "\r" (at most ~10 times a second).
// - Otherwise (a log file, CI), one plain line each time another 5% is done, and at the end.
// - Writes only to stderr, so stdout stays clean for the summary or piped output.
import type { OutStream } from './io.js';

export class ProgressLine {
  private done = 0;
  private lastPct = -1;
  private lastDraw = 0;
  private drawn = false;

  constructor(
    private readonly out: OutStream,
    private readonly total: number,
    private readonly label: string,
  ) {}

  tick(n = 1): void {
    this.done += n;
    this.draw(false);
  }

  private draw(final: boolean): void {
    if (this.total <= 0) return;
    const pct = Math.floor((this.done / this.total) * 100);
    const text = `${this.label}: ${this.done}/${this.total} (${pct}%)`;
    if (this.out.isTTY) {
      const now = Date.now();
      if (!final && now - this.lastDraw < 100 && this.done < this.total) return;
      this.lastDraw = now;
      this.out.write(`\r${text}\x1b[K`);
      this.drawn = true;
    } else {
      const step = Math.floor(pct / 5) * 5;
      if (step > this.lastPct || (final && this.lastPct < 100 && pct === 100)) {
        this.lastPct = step;
        this.out.write(text + '\n');
      }
    }
  }

  /** Ends the line (a newline on a terminal). */
  finish(): void {
    if (this.out.isTTY && this.drawn) {
      this.draw(true);
      this.out.write('\n');
    }
  }
}
