// secondary.ts's audit–repair loop on its own. In whole releases (known-answers, properties) the
// MILP or the hypercube pass already protects every cell, so the loop's repairs — the LP repair,
// the incident ray, the last resort — never ran (checked while mutation testing: no test of a
// single release reached `repairCell`). Here the loop starts from the primaries alone and must do
// all the work; every primary is then checked by the independent full LP of helpers.ts (hi − lo ≥
// protection, hi ≥ k), no suppressed cell may be pinned, and every value the engine was told the
// attacker cannot exclude (`noteReach`, from the repairs' perturbations) is inside the LP's range.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { cellCosts } from '../../server/disclosure/cost.js';
import { AuditEngine, loadHighs, thresholdRules } from '../../server/disclosure/index.js';
import { initialPattern, repairUntilProtected, UnprotectableError, type PatternOptions } from '../../server/disclosure/secondary.js';
import { structureOf } from '../../server/disclosure/structure.js';
import { repairFromPrimaries } from '../helpers/repair-from-primaries.js';
import { referenceInterval, smallRelease } from './helpers.js';

describe('repairUntilProtected from the primaries alone', () => {
  it('protects every primary and pins no cell, checked by an independent LP', async () => {
    const highs = await loadHighs();
    let rounds = 0;
    await fc.assert(
      fc.asyncProperty(smallRelease(), async (rel) => {
        const { lt, s, sensitive, engine, state } = repairFromPrimaries(highs, rel);
        rounds += state.rounds;
        const suppressed = new Set<number>();
        state.suppressed.forEach((x, i) => x && suppressed.add(i));
        for (let i = 0; i < s.n; i++) if (sensitive[i]) expect(suppressed.has(i), `primary ${i} published`).toBe(true);
        for (const id of suppressed) {
          const [lo, hi] = await referenceInterval(lt.cells, lt.constraints, suppressed, id);
          expect(lo, `cell ${id} pinned`).toBeLessThan(hi);
          // Every value the engine noted as reachable (it skips the LP of a cell whose reach proves
          // its rule) lies in the true attacker range [min, max], with lo = ⌈min⌉ and hi = ⌊max⌋.
          expect(engine.reachLo[id]!, `cell ${id}: noted reach below the attacker's minimum`).toBeGreaterThan(lo - 1 - 1e-6);
          if (hi !== Infinity) expect(engine.reachHi[id]!, `cell ${id}: noted reach above the attacker's maximum`).toBeLessThan(hi + 1 + 1e-6);
          if (sensitive[id]) {
            expect(hi - lo, `primary ${id}: [${lo}, ${hi}], k ${rel.k}`).toBeGreaterThanOrEqual(rel.k);
            expect(hi).toBeGreaterThanOrEqual(rel.k);
          }
        }
      }),
      { numRuns: 40, seed: 29 },
    );
    expect(rounds).toBeGreaterThan(20); // the loop did repair
  }, 120_000);
});

// When everything that may be hidden is hidden, a secondary that fails however much else is hidden
// (a hidden zero that a published margin keeps below k) is no reason to give up: the loop shows it
// again, for good, and goes on. Before, it kept hiding, found nothing more to hide, and called the
// release unprotectable (or "did not converge") although a smaller pattern protects it.
describe('repairUntilProtected when hiding everything is too much', () => {
  // T1 = p + q (7 = 1 + 6) and T2 = z + w (2 = 0 + 2), both totals published earlier (locked); k 3.
  // p (1) is the primary; every hidden cell must be able to reach 3. With z and w hidden as well,
  // z + w = 2 keeps both below 3, whatever else is hidden.
  const values = [7, 1, 6, 2, 0, 2];
  const cells = values.map((value, id) => ({ id, key: { c: `c${id}` }, tables: [0], value }));
  const constraints = [
    { id: 0, total: 0, parts: [1, 2], dim: 'c' },
    { id: 1, total: 3, parts: [4, 5], dim: 'c' },
  ];
  const setUp = async (primaries: number[]) => {
    const highs = await loadHighs();
    const s = structureOf(cells, constraints);
    const sensitive = new Uint8Array(s.n);
    for (const p of primaries) sensitive[p] = 1;
    const rules = thresholdRules(s.n, sensitive, 3, 3);
    const engine = new AuditEngine(highs, s, rules);
    const locked = Uint8Array.from([1, 0, 0, 1, 0, 0]);
    const o: PatternOptions = { highs, s, engine, rules, costs: cellCosts(s.values), timeBudgetMs: 1000, locked };
    const state = initialPattern(o, sensitive);
    // Every primary's next repair is the last resort: hide everything that may be hidden.
    for (const p of primaries) state.attempts.set(p, 8);
    return { o, s, sensitive, state };
  };

  it('shows again, for good, the hidden zero and its partner that no pattern lets reach k', async () => {
    const { o, sensitive, state } = await setUp([1]);
    repairUntilProtected(o, sensitive, state);
    const hidden = [...state.suppressed.keys()].filter((i) => state.suppressed[i]);
    expect(hidden).toEqual([1, 2]);
    expect([...state.shownForGood.keys()].filter((i) => state.shownForGood[i])).toEqual([4, 5]);
    // Checked apart from the engine: the primary's attacker interval reaches k with width ≥ k.
    const [lo, hi] = await referenceInterval(cells, constraints, new Set(hidden), 1);
    expect(hi).toBeGreaterThanOrEqual(3);
    expect(hi - lo).toBeGreaterThanOrEqual(3);
  }, 30_000);

  it('still refuses when a primary is what fails (w = 2 below k, its total published at 2)', async () => {
    const { o, sensitive, state } = await setUp([1, 5]);
    expect(() => repairUntilProtected(o, sensitive, state)).toThrow(UnprotectableError);
  }, 30_000);
});
