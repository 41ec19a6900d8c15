// The interval audit: catches pinned cells, reports unbounded maxima, and agrees exactly with an
// independent full LP (one LP over all cells, written as a CPLEX LP string in helpers.ts).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { auditIntervals, buildLinkedTables, identityOf } from '../../server/disclosure/index.js';
import { referenceInterval, smallRelease } from './helpers.js';

const idOf = (cells: { id: number; key: Record<string, string> }[], key: Record<string, string>): number =>
  cells.find((c) => identityOf(c.key) === identityOf(key))!.id;

describe('auditIntervals', () => {
  it("handles a total whose id is larger than its parts' (cell order is free in the global model)", async () => {
    // x3 = x0 + x1 + x2 with the total LAST and every cell hidden: one row of four unknowns whose
    // first class is the largest. (A union-find that kept a stale root split this row across two
    // sub-components and crashed.) Compared with the independent full LP.
    const cells = [3, 4, 5, 12].map((value, id) => ({ id, key: { c: `c${id}` }, tables: [0], value }));
    const constraints = [
      { id: 0, total: 3, parts: [0, 1, 2], dim: 'c' },
      { id: 1, total: 3, parts: [2, 0, 1], dim: 'd' },
    ];
    const r = await auditIntervals({ cells, constraints, suppressed: new Set([0, 1, 2, 3]), k: 5 });
    for (const iv of r.intervals) {
      const [lo, hi] = await referenceInterval(cells, constraints, new Set([0, 1, 2, 3]), iv.id);
      expect([iv.lo, iv.hi]).toEqual([lo, hi]);
    }
  });

  //         b1  b2  b3 | *
  //   a1     2   6   7 | 15
  //   a2     8   9   4 | 21
  // Deliberately broken pattern: only (a1,b1) suppressed. Its row total is published, so
  // (a1,b1) = 15 − 6 − 7 = 2 exactly: pinned.
  const counts = [
    { key: { a: 'a1', b: 'b1' }, count: 2 },
    { key: { a: 'a1', b: 'b2' }, count: 6 },
    { key: { a: 'a1', b: 'b3' }, count: 7 },
    { key: { a: 'a2', b: 'b1' }, count: 8 },
    { key: { a: 'a2', b: 'b2' }, count: 9 },
    { key: { a: 'a2', b: 'b3' }, count: 4 },
  ];
  const lt = buildLinkedTables({ counts, domains: { a: ['a1', 'a2'], b: ['b1', 'b2', 'b3'] }, tables: [['a', 'b']] });

  it('catches a single suppressed cell in a row with a published margin (pinned)', async () => {
    const p = idOf(lt.cells, { a: 'a1', b: 'b1' });
    const r = await auditIntervals({ cells: lt.cells, constraints: lt.constraints, suppressed: new Set([p]), k: 5 });
    expect(r.ok).toBe(false);
    expect(r.intervals).toEqual([{ id: p, lo: 2, hi: 2, value: 2, sensitive: true, ok: false }]);
  });

  it('flags a pinned secondary cell even when every primary is fine', async () => {
    // (a1,b1) and (a1,b2) suppressed: the row pins their SUM but (a1,b2) alone is pinned by its
    // column? No — column b2 = 15 has (a2,b2) published, so (a1,b2) = 15 − 9 = 6 is pinned, and then
    // (a1,b1) = 15 − 6 − 7 = 2 is pinned too.
    const ids = [idOf(lt.cells, { a: 'a1', b: 'b1' }), idOf(lt.cells, { a: 'a1', b: 'b2' })];
    const r = await auditIntervals({ cells: lt.cells, constraints: lt.constraints, suppressed: new Set(ids), k: 5 });
    expect(r.ok).toBe(false);
    expect(r.intervals.every((i) => i.lo === i.hi && !i.ok)).toBe(true);
  });

  it('reports an unbounded maximum as Infinity (grand total suppressed with its whole chain)', async () => {
    // Suppress row a1 entirely (cells and total), column b1 (cells and total) and the grand total.
    const keys: Array<Record<string, string>> = [
      { a: 'a1', b: 'b1' },
      { a: 'a1', b: 'b2' },
      { a: 'a1', b: 'b3' },
      { a: 'a1' },
      { a: 'a2', b: 'b1' },
      { b: 'b1' },
      {},
    ];
    const ids = new Set(keys.map((k) => idOf(lt.cells, k)));
    const r = await auditIntervals({ cells: lt.cells, constraints: lt.constraints, suppressed: ids, k: 5 });
    const p = r.intervals.find((i) => i.id === idOf(lt.cells, { a: 'a1', b: 'b1' }))!;
    expect(p.hi).toBe(Infinity);
    expect(p.lo).toBe(0);
    expect(await referenceInterval(lt.cells, lt.constraints, ids, p.id)).toEqual([0, Infinity]);
    // …while (a2,b1) is still pinned by its row (21 − 9 − 4 = 8): the audit says so.
    const q = r.intervals.find((i) => i.id === idOf(lt.cells, { a: 'a2', b: 'b1' }))!;
    expect([q.lo, q.hi, q.ok]).toEqual([8, 8, false]);
    expect(r.ok).toBe(false);
  });

  it('judges difference-sensitive cells by the rule when asked', async () => {
    // (a2,b1) = 8 is not primary; made sensitive, it is judged by the rule. In the rectangle
    // (a1,b1)+t, (a1,b2)−t, (a2,b1)−t, (a2,b2)+t with t ∈ [−min(2,9), min(6,8)] = [−2, 6],
    // (a2,b1) = 8 − t ranges over [2, 10]: width 8 ≥ 5 and hi ≥ 5.
    const rect = new Set(
      [
        { a: 'a1', b: 'b1' },
        { a: 'a1', b: 'b2' },
        { a: 'a2', b: 'b1' },
        { a: 'a2', b: 'b2' },
      ].map((k) => idOf(lt.cells, k)),
    );
    const q = idOf(lt.cells, { a: 'a2', b: 'b1' });
    const r = await auditIntervals({ cells: lt.cells, constraints: lt.constraints, suppressed: rect, k: 5, sensitive: [q] });
    const iq = r.intervals.find((i) => i.id === q)!;
    expect(iq.sensitive).toBe(true);
    expect([iq.lo, iq.hi]).toEqual([2, 10]);
    expect(r.ok).toBe(true);
  });

  it('agrees exactly with one independent full LP on random tables and random patterns', async () => {
    await fc.assert(
      fc.asyncProperty(smallRelease(), fc.array(fc.boolean(), { minLength: 400, maxLength: 400 }), async (rel, mask) => {
        const lt2 = buildLinkedTables(rel);
        const suppressed = new Set(lt2.cells.filter((c) => mask[c.id % mask.length] && (c.id * 7) % 3 !== 0).map((c) => c.id));
        const r = await auditIntervals({ cells: lt2.cells, constraints: lt2.constraints, suppressed, k: rel.k });
        expect(r.intervals.map((i) => i.id)).toEqual([...suppressed].sort((a, b) => a - b));
        for (const iv of r.intervals) {
          const [lo, hi] = await referenceInterval(lt2.cells, lt2.constraints, suppressed, iv.id);
          expect([iv.lo, iv.hi]).toEqual([lo, hi]);
          expect(iv.lo).toBeLessThanOrEqual(iv.value);
          expect(iv.hi).toBeGreaterThanOrEqual(iv.value);
        }
      }),
      { numRuns: 40, seed: 4242 },
    );
  }, 120_000);
});
