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

describe('heuristic on a medium linked release (hierarchy, 3-D + 2-D tables)', () => {
  it('passes the audit, and sampled primaries pass the independent LP check', async () => {
    // Deterministic sparse counts (LCG), ~1,000 cells: the hypercube pass, LP repairs and (for
    // cells shared with the 2-D tables) the fallbacks all get exercised.
    let seed = 12345;
    const rnd = (): number => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed / 0x7fffffff;
    };
    const domains = {
      year: ['2021', '2022', '2023', '2024'],
      region: ['r1', 'r2', 'r3', 'r4', 'r5', 'r6', 'r7', 'r8'],
      type: ['t1', 't2', 't3', 't4', 't5'],
      gender: ['g1', 'g2', 'g3'],
    };
    const hierarchies = { region: { north: ['r1', 'r2', 'r3', 'r4'], south: ['r5', 'r6', 'r7', 'r8'] } };
    const counts: Array<{ key: Record<string, string>; count: number }> = [];
    for (const year of domains.year)
      for (const region of domains.region)
        for (const type of domains.type)
          for (const gender of domains.gender) {
            const u = rnd();
            const count = u < 0.55 ? 0 : u < 0.75 ? 1 + Math.floor(rnd() * 3) : 3 + Math.floor(rnd() * 12);
            if (count > 0) counts.push({ key: { year, region, type, gender }, count });
          }
    const tables = [
      ['year', 'region', 'type'],
      ['year', 'gender'],
      ['region', 'gender'],
    ];
    const r = await protectRelease({ counts, domains, hierarchies, tables, k: 5, method: 'heuristic' });
    expect(r.audit.ok).toBe(true);
    for (const c of r.cells) if (!c.suppressed) expect(c.count === 0 || c.count! >= 5).toBe(true);
    const lt = buildLinkedTables({ counts, domains, hierarchies, tables });
    const hidden = new Set(r.cells.filter((c) => c.suppressed).map((c) => identityOf(c.key)));
    const suppressed = new Set(lt.cells.filter((c) => hidden.has(identityOf(c.key))).map((c) => c.id));
    const primaries = lt.cells.filter((c) => c.value >= 1 && c.value < 5);
    expect(primaries.length).toBeGreaterThan(20);
    for (const c of primaries.filter((_, i) => i % 5 === 0)) {
      const [lo, hi] = await referenceInterval(lt.cells, lt.constraints, suppressed, c.id);
      expect(hi - lo).toBeGreaterThanOrEqual(5);
      expect(hi).toBeGreaterThanOrEqual(5);
    }
  }, 120_000);
});
