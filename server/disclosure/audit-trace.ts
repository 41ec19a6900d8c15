// audit-trace.ts — an engineer's view of where an audit's time goes, off unless asked for.
//
// With CONTAMOS_AUDIT_TRACE=<n> in the environment, every sub-component of at least n classes
// that the interval audit settles writes one line to stderr per phase: the mode, the number of
// classes, the phase, the milliseconds since the previous line and what is still open. The lines
// hold sizes and times only — no cell, count or identifier — and nothing is written without the
// variable. It is for benchmarks and profiling (docs/performance.md), not for a running server.
//
// Guarantees: without the variable `auditTrace` returns undefined and costs nothing else; with it,
// tracing changes no result (it only reads what the caller passes).

/** Phase timer of one sub-component (see header). */
export class AuditTrace {
  private last = performance.now();
  private readonly start = this.last;

  constructor(
    private readonly mode: string,
    private readonly classes: number,
    private readonly write: (line: string) => void,
  ) {}

  /** One line: `phase` took the time since the previous mark; `open` says what is left. */
  mark(phase: string, open: string): void {
    const now = performance.now();
    this.write(`[audit] ${this.mode} ${this.classes} classes: ${phase} ${(now - this.last).toFixed(0)} ms, ${open}\n`);
    this.last = now;
  }

  /** The closing line: the whole sub-component's time. */
  done(open: string): void {
    this.last = this.start;
    this.mark('total', open);
  }
}

/** The smallest sub-component traced, from CONTAMOS_AUDIT_TRACE (undefined: no tracing). */
function traceMin(): number | undefined {
  const raw = process.env.CONTAMOS_AUDIT_TRACE;
  if (raw === undefined || raw === '') return undefined;
  const n = Number(raw);
  return Number.isFinite(n) && n >= 0 ? n : undefined;
}

/** A trace for a sub-component of `classes` classes, or undefined when not asked for. */
export function auditTrace(mode: string, classes: number): AuditTrace | undefined {
  const min = traceMin();
  if (min === undefined || classes < min) return undefined;
  return new AuditTrace(mode, classes, (line) => process.stderr.write(line));
}
