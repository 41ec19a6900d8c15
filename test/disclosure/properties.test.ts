// Property tests of protectRelease on random small releases (1–3 dimensions, many small counts,
// k 2..6, linked table sets, optional hierarchy), for the MILP and for the heuristic:
//   - no published count is in 1..k−1;
//   - every primary's interval, recomputed by an INDEPENDENT full LP (helpers.ts), has
//     hi − lo ≥ k and hi ≥ k, and no suppressed cell is pinned;
//   - the result is deterministic.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { buildLinkedTables, identityOf, protectRelease } from '../../server/disclosure/index.js';
import { referenceInterval, smallRelease } from './helpers.js';

describe('protectRelease properties', () => {
  for (const method of ['auto', 'heuristic'] as const) {
    it(`publishes no small count and protects every primary, checked by an independent LP (${method})`, async () => {
      await fc.assert(
        fc.asyncProperty(smallRelease(), async (rel) => {
          const r = await protectRelease({ ...rel, method });
          for (const c of r.cells) {
            if (c.suppressed) expect(c.count).toBeNull();
            else expect(c.count === 0 || c.count! >= rel.k).toBe(true);
          }
          expect(r.audit.ok).toBe(true);
          const lt = buildLinkedTables(rel);
          const hidden = new Set(r.cells.filter((c) => c.suppressed).map((c) => identityOf(c.key)));
          const suppressed = new Set(lt.cells.filter((c) => hidden.has(identityOf(c.key))).map((c) => c.id));
          // Every table row of one quantity agrees (linked cells are one cell).
          for (const c of r.cells) expect(c.suppressed).toBe(hidden.has(identityOf(c.key)));
          for (const id of suppressed) {
            const cell = lt.cells[id]!;
            const [lo, hi] = await referenceInterval(lt.cells, lt.constraints, suppressed, id);
            expect(lo).toBeLessThan(hi); // never pinned
            if (cell.value >= 1 && cell.value < rel.k) {
              expect(hi - lo).toBeGreaterThanOrEqual(rel.k);
              expect(hi).toBeGreaterThanOrEqual(rel.k);
            }
          }
        }),
        { numRuns: method === 'auto' ? 40 : 60, seed: method === 'auto' ? 17 : 23 },
      );
    }, 180_000);
  }

  it('is deterministic: the same input gives the same output', async () => {
    await fc.assert(
      fc.asyncProperty(smallRelease(), fc.constantFrom('auto' as const, 'heuristic' as const), async (rel, method) => {
        const a = await protectRelease({ ...rel, method });
        const b = await protectRelease({ ...rel, method });
        expect(b.cells).toEqual(a.cells);
        expect(b.audit.intervals).toEqual(a.audit.intervals);
        expect(b.method).toBe(a.method);
      }),
      { numRuns: 25, seed: 5 },
    );
  }, 120_000);
});
