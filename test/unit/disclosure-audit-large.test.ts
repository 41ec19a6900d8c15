// interval-audit.ts on a component large enough for the helper threads (lp-parallel.ts and
// lp-worker.mjs share the per-end LPs of a component of ≥ 800 classes in exact mode): a 16×12×8
// table with 60 % of its cells suppressed makes one component of 1,412 classes. Every failing
// cell's interval, and a sixth of the others', must equal min/max of the cell over the whole
// unreduced system (published cells fixed, every constraint), solved by lp.ts's ExtremeSolver
// (itself checked against an independent LP in disclosure-lp.test.ts). Separate from
// disclosure-interval-audit.test.ts because it takes seconds.
import { describe, expect, it } from 'vitest';
import { AuditEngine, loadHighs, thresholdRules } from '../../server/disclosure/index.js';
import { ExtremeSolver, type SparseSystem } from '../../server/disclosure/lp.js';
import { roundHi, roundLo } from '../../server/disclosure/primary.js';
import type { Structure } from '../../server/disclosure/structure.js';
import { randomPattern } from '../helpers/random-pattern.js';

/** The attacker system over every cell, unreduced: published cells fixed, suppressed ≥ lower. */
function fullSystem(s: Structure, suppressed: Uint8Array): SparseSystem {
  const colLower = new Float64Array(s.n);
  const colUpper = new Float64Array(s.n);
  for (let i = 0; i < s.n; i++) {
    colLower[i] = suppressed[i] ? s.lower[i]! : s.values[i]!;
    colUpper[i] = suppressed[i] ? Infinity : s.values[i]!;
  }
  const rowStart = Array.from(s.conStart);
  const rowIndex = Array.from(s.conCells);
  const rowValue = rowIndex.map((_, q) => (rowStart.includes(q) ? 1 : -1));
  return { numCols: s.n, colLower, colUpper, rowStart, rowIndex, rowValue, rowLower: new Float64Array(s.m), rowUpper: new Float64Array(s.m) };
}

describe('a component large enough for the helper threads', () => {
  it('is audited exactly: every interval is min/max over the whole system', async () => {
    const highs = await loadHighs();
    const { s, suppressed, sensitive } = randomPattern(1, [16, 12, 8], 0.6);
    const engine = new AuditEngine(highs, s, thresholdRules(s.n, sensitive, 5, 5));
    const run = engine.run(suppressed, 'exact');
    // one component of more than 800 cells (1,412 classes after reduction: shared with helpers)
    expect(Math.max(...run.comps.map((c) => c.cells.length))).toBeGreaterThan(1000);
    const ref = new ExtremeSolver(highs, fullSystem(s, suppressed));
    try {
      const wrong: string[] = [];
      let failing = 0;
      let checked = 0;
      for (let i = 0; i < s.n; i++) {
        if (!suppressed[i]) continue;
        if (!run.ok[i]) failing++;
        // every failing cell and a sixth of the others (time: two LPs of 1,989 columns each)
        if (run.ok[i] && i % 6 !== 0) continue;
        checked++;
        const lo = Math.max(0, roundLo(ref.extreme(i, 1).value));
        const hi = roundHi(ref.extreme(i, -1).value);
        if (run.lo[i] !== lo || run.hi[i] !== hi) wrong.push(`cell ${i}: [${run.lo[i]}, ${run.hi[i]}] vs [${lo}, ${hi}]`);
      }
      expect(wrong).toEqual([]);
      expect(checked).toBeGreaterThan(200);
      expect(failing).toBeGreaterThan(0);
    } finally {
      ref.dispose();
    }
  }, 60_000);
});
