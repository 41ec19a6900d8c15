// secondary.ts's incident ray, the repair that guarantees termination: no test of a whole release
// reaches it (the MILP, the hypercubes or the LP repair always get there first), yet what it
// claims is trusted — every cell it suppresses is noted as unbounded above (`noteReach(c, ∞)`), and
// the judge audit then skips those cells' LPs. Here the loop starts from the primaries alone with
// every primary's failure count already at 4, so the ray is the first repair tried; afterwards,
// the independent full LP (helpers.ts) must confirm every primary's rule, that no suppressed cell
// is pinned, and that every cell noted unbounded above really is.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { loadHighs } from '../../server/disclosure/index.js';
import { repairFromPrimaries } from '../helpers/repair-from-primaries.js';
import { referenceInterval, smallRelease } from '../disclosure/helpers.js';

describe('the incident ray', () => {
  it('what it suppresses protects the primaries, and what it notes unbounded is unbounded', async () => {
    const highs = await loadHighs();
    let unbounded = 0;
    await fc.assert(
      fc.asyncProperty(smallRelease(), async (rel) => {
        const { lt, s, sensitive, engine, state } = repairFromPrimaries(highs, rel, 4);
        const suppressed = new Set<number>();
        state.suppressed.forEach((x, i) => x && suppressed.add(i));
        for (let i = 0; i < s.n; i++) if (sensitive[i]) expect(suppressed.has(i), `primary ${i} published`).toBe(true);
        for (const id of suppressed) {
          const [lo, hi] = await referenceInterval(lt.cells, lt.constraints, suppressed, id);
          expect(lo, `cell ${id} pinned`).toBeLessThan(hi);
          if (sensitive[id]) {
            expect(hi, `primary ${id}: hi`).toBeGreaterThanOrEqual(rel.k);
            expect(hi - lo, `primary ${id}: width`).toBeGreaterThanOrEqual(rel.k);
          }
          if (engine.reachHi[id] === Infinity) {
            unbounded++;
            expect(hi, `cell ${id} noted unbounded above`).toBe(Infinity);
          }
          expect(engine.reachLo[id]!, `cell ${id}: noted reach below the attacker's minimum`).toBeGreaterThan(lo - 1 - 1e-6);
        }
      }),
      { numRuns: 30, seed: 23 },
    );
    expect(unbounded).toBeGreaterThan(20); // the ray did run
  }, 120_000);
});
