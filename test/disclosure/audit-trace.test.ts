// The audit's phase trace (audit-trace.ts): off unless CONTAMOS_AUDIT_TRACE is set; when set, one
// line per phase of every large enough sub-component, holding sizes and times only, and the
// audit's results are exactly those without it.
import { afterEach, expect, it, vi } from 'vitest';
import { AuditEngine, loadHighs, thresholdRules } from '../../server/disclosure/index.js';
import { auditTrace } from '../../server/disclosure/audit-trace.js';
import { randomPattern } from '../helpers/random-pattern.js';

const saved = process.env.CONTAMOS_AUDIT_TRACE;
afterEach(() => {
  if (saved === undefined) delete process.env.CONTAMOS_AUDIT_TRACE;
  else process.env.CONTAMOS_AUDIT_TRACE = saved;
  vi.restoreAllMocks();
});

/** Runs `fn` and returns the trace lines it wrote to stderr (other writes pass through). */
function traced<T>(fn: () => T): { value: T; lines: string[] } {
  const lines: string[] = [];
  const write = process.stderr.write.bind(process.stderr);
  vi.spyOn(process.stderr, 'write').mockImplementation(((chunk: string | Uint8Array, ...rest: never[]) => {
    if (typeof chunk === 'string' && chunk.startsWith('[audit]')) {
      lines.push(chunk);
      return true;
    }
    return write(chunk, ...rest);
  }) as typeof process.stderr.write);
  const value = fn();
  vi.restoreAllMocks();
  return { value, lines };
}

it('writes nothing unless asked, and a line per phase when asked, changing no result', async () => {
  const highs = await loadHighs();
  const { s, suppressed, sensitive } = randomPattern(7, [10, 8, 5], 0.45);
  const rules = thresholdRules(s.n, sensitive, 5, 5);
  const run = (mode: 'exact' | 'judge') => new AuditEngine(highs, s, rules).run(suppressed, mode);

  delete process.env.CONTAMOS_AUDIT_TRACE;
  expect(auditTrace('judge', 1e9)).toBeUndefined();
  const quiet = { exact: traced(() => run('exact')), judge: traced(() => run('judge')) };
  expect(quiet.exact.lines).toEqual([]);
  expect(quiet.judge.lines).toEqual([]);

  process.env.CONTAMOS_AUDIT_TRACE = '0';
  for (const mode of ['exact', 'judge'] as const) {
    const loud = traced(() => run(mode));
    expect(loud.value.failing).toEqual(quiet[mode].value.failing);
    expect(Array.from(loud.value.lo)).toEqual(Array.from(quiet[mode].value.lo));
    expect(Array.from(loud.value.hi)).toEqual(Array.from(quiet[mode].value.hi));
    // sizes and times only: every line has exactly this shape
    const shape = new RegExp(
      `^\\[audit\\] ${mode} \\d+ classes: [a-zA-Z ]+(?: \\d+)?(?: \\([\\w ,+()]*\\))? \\d+ ms, (?:\\d+ (?:uncertain|open ends), )?\\d+ LPs\\n$`,
    );
    for (const line of loud.lines) expect(line).toMatch(shape);
    const phases = loud.lines.map((l) =>
      l
        .split(': ')[1]!
        .replace(/ \d+ ms.*$/s, '')
        .replace(/ \(.*$/s, ''),
    );
    expect(phases[0]).toBe('bounds');
    expect(phases).toContain('rays');
    expect(phases).toContain('single LPs');
    expect(phases.at(-1)).toBe('total');
    if (mode === 'exact') expect(phases).toContain('batches');
  }

  // a sub-component smaller than the threshold is not traced
  process.env.CONTAMOS_AUDIT_TRACE = String(s.n + 1);
  expect(traced(() => run('judge')).lines).toEqual([]);
  process.env.CONTAMOS_AUDIT_TRACE = 'yes';
  expect(auditTrace('judge', 1e9)).toBeUndefined();
});
