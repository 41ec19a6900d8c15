// secondary.ts's audit–repair loop on its own. In whole releases (known-answers, properties) the
// MILP or the hypercube pass already protects every cell, so the loop's repairs — the LP repair,
// the incident ray, the last resort — never ran (checked while mutation testing: no test of a
// single release reached `repairCell`). Here the loop starts from the primaries alone and must do
// all the work; every primary is then checked by the independent full LP of helpers.ts (hi − lo ≥
// protection, hi ≥ k), no suppressed cell may be pinned, and every value the engine was told the
// attacker cannot exclude (`noteReach`, from the repairs' perturbations) is inside the LP's range.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { loadHighs } from '../../server/disclosure/index.js';
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
