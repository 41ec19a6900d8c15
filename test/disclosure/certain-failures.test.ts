// `AuditEngine.certainFailures` (interval-audit.ts): the cells whose rule fails by bound
// propagation alone, no LP — what global/protect.ts shows again before its first whole-system audit.
// Sound: every cell it names fails in the exact audit (the outer interval is a relaxation). Useful:
// a small hidden cell that its published neighbours pin is named without an LP. Pure: it finds no
// witness, so the audits after it are those of a fresh engine.
import { describe, expect, it } from 'vitest';
import { AuditEngine, loadHighs, thresholdRules } from '../../server/disclosure/index.js';
import { structureOf } from '../../server/disclosure/structure.js';
import { randomPattern } from '../helpers/random-pattern.js';

describe('certain failures by bound propagation', () => {
  it('names only cells that fail in the exact audit, many of them, with no LP and no witness', async () => {
    const highs = await loadHighs();
    let named = 0;
    let failing = 0;
    for (const seed of [1, 2, 3, 4, 5, 6]) {
      // a thin pattern: few cells hidden beyond the primaries, so many primaries are pinned or bounded low
      const { s, suppressed, sensitive } = randomPattern(seed, [6, 5, 4], seed % 2 === 0 ? 0.05 : 0.2);
      // every hidden cell must reach k (as the new publication's cells must), primaries also width p
      const rules = thresholdRules(s.n, sensitive, 5, 5);
      const engine = new AuditEngine(highs, s, rules);
      const certain = engine.certainFailures(suppressed);
      expect(engine.lpSolves).toBe(0);
      for (let i = 0; i < s.n; i++) {
        expect(engine.reachLo[i]).toBe(s.values[i]); // no witness found: the reach is the true table's
        expect(engine.reachHi[i]).toBe(s.values[i]);
      }
      const exact = new AuditEngine(highs, s, rules).run(suppressed, 'exact');
      for (const c of certain) {
        expect(suppressed[c], `cell ${c} is hidden`).toBe(1);
        expect(exact.ok[c], `cell ${c} (value ${s.values[c]}, exact [${exact.lo[c]}, ${exact.hi[c]}]) fails`).toBe(0);
      }
      named += certain.length;
      failing += exact.failing.length;
    }
    // Propagation alone finds a good share of the failures here (not all: some need an LP).
    expect(named).toBeGreaterThan(10);
    expect(named).toBeLessThanOrEqual(failing);
  }, 120_000);

  it('names a small hidden cell pinned by its published row, and nothing when the pattern protects it', async () => {
    const highs = await loadHighs();
    // One row: total = a + b + c, with a = 2 small. Only a hidden: pinned (2 = total − b − c).
    const cells = [17, 2, 7, 8].map((value, id) => ({ id, key: { x: String(id) }, tables: [0], value }));
    const s = structureOf(cells, [{ id: 0, total: 0, parts: [1, 2, 3], dim: 'x' }]);
    const sensitive = Uint8Array.of(0, 1, 0, 0);
    const engine = new AuditEngine(highs, s, thresholdRules(4, sensitive, 5, 5));
    expect(engine.certainFailures(Uint8Array.of(0, 1, 0, 0))).toEqual([1]);
    // With b hidden too, a can reach 9: propagation no longer refutes it.
    expect(engine.certainFailures(Uint8Array.of(0, 1, 1, 0))).toEqual([]);
  });
});

// `AuditEngine.failingAmong`: judge mode for some cells only (global/protect.ts asks it which of the
// warm start's secondaries fail, before any whole audit). It must name exactly the failing cells
// of the focus, and leave the engine as good as fresh for the whole audit that follows.
describe('failures among some cells only', () => {
  it('the failing cells of the focus, as the whole audit finds them, for fewer LPs; the next audit is unchanged', async () => {
    const highs = await loadHighs();
    let fewer = 0;
    let found = 0;
    for (const seed of [1, 2, 3, 4]) {
      const { s, suppressed, sensitive } = randomPattern(seed, [10, 8, 5], 0.45);
      const rules = thresholdRules(s.n, sensitive, 5, 5);
      // the focus: every fourth hidden cell that is not a primary (as the warm start's secondaries)
      const focus = new Uint8Array(s.n);
      let t = 0;
      for (let i = 0; i < s.n; i++) if (suppressed[i] && !sensitive[i] && t++ % 4 === 0) focus[i] = 1;
      const whole = new AuditEngine(highs, s, rules);
      const all = whole.run(suppressed, 'judge');
      const focused = new AuditEngine(highs, s, rules);
      const failing = focused.failingAmong(suppressed, focus);
      expect(failing).toEqual(all.failing.filter((c) => focus[c]));
      found += failing.length;
      if (focused.lpSolves < whole.lpSolves) fewer++;
      // the whole audit after it: the same verdicts as on a fresh engine (nothing cached from the focus)
      const after = focused.run(suppressed, 'judge');
      expect(after.failing).toEqual(all.failing);
      for (let i = 0; i < s.n; i++) if (suppressed[i]) expect(after.ok[i]).toBe(all.ok[i]);
    }
    expect(found).toBeGreaterThan(0); // the focus holds failures to find
    expect(fewer).toBeGreaterThanOrEqual(3);
  }, 120_000);
});
