// Post-processing (property tests, fast-check, on random small linked tables and random noise):
// every stage returns non-negative integers, every table is additive and shared margins agree
// (checked independently of the constraint list), the grand total is exact with keepTotal, and
// with zero noise the output is the true counts. Also: a cyclic structure that defeats the
// table-by-table rounding still gets a consistent answer from the microdata repair.
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Highs } from 'highs';
import { loadHighs } from '../../server/tables/highs.js';
import { buildLinkedTables, keyInTable } from '../../server/tables/linked-tables.js';
import type { LinkedTables } from '../../server/tables/types.js';
import { checkConsistent, discreteGaussian, largestRemainder, postProcess, seededRandomSource, splitRepair, totalCellOf } from '../../server/dp/index.js';
import { checkPublished, structureArb } from './structures.js';

let highs: Highs;
beforeAll(async () => {
  highs = await loadHighs();
});

function published(lt: LinkedTables, counts: ArrayLike<number>): Array<{ table: number; key: Record<string, string>; count: number }> {
  const out: Array<{ table: number; key: Record<string, string>; count: number }> = [];
  lt.tableCells.forEach((ids, t) => {
    for (const id of ids) out.push({ table: t, key: keyInTable(lt.cells[id]!, lt.tables[t]!), count: counts[id]! });
  });
  return out;
}

describe('post-processing', () => {
  it('every stage: non-negative integers, additive tables, shared margins equal, exact total with keepTotal', async () => {
    await fc.assert(
      fc.asyncProperty(structureArb, fc.array(fc.integer({ min: -8, max: 8 }), { minLength: 64, maxLength: 64 }), fc.boolean(), async (s, noise, keepTotal) => {
        const lt = buildLinkedTables(s);
        const noisy = lt.cells.map((c, i) => c.value + noise[(i * 7) % noise.length]!);
        const totalId = totalCellOf(lt);
        for (const strategy of ['auto', 'tables', 'split'] as const) {
          const r = await postProcess(highs, lt, noisy, { keepTotal, strategy });
          expect(checkPublished(s, published(lt, r.counts)), `${strategy}: ${r.trace.join('; ')}`).toEqual([]);
          expect(checkConsistent(lt, r.counts, keepTotal ? { id: totalId, value: lt.cells[totalId]!.value } : undefined)).toBeNull();
          if (keepTotal) expect(r.counts[totalId]).toBe(lt.cells[totalId]!.value);
          if (strategy === 'auto' && Number.isFinite(r.lpObjective)) expect(r.l1).toBeGreaterThanOrEqual(r.lpObjective - 1e-6);
        }
      }),
      { numRuns: 40 },
    );
  });

  it('reads only the noisy values (never the true counts, except the total with keepTotal)', async () => {
    await fc.assert(
      fc.asyncProperty(structureArb, fc.array(fc.integer({ min: -5, max: 5 }), { minLength: 32, maxLength: 32 }), fc.nat(), async (s, noise, salt) => {
        const lt = buildLinkedTables(s);
        const noisy = lt.cells.map((c, i) => c.value + noise[i % noise.length]!);
        const before = await postProcess(highs, lt, noisy, { strategy: 'tables' });
        // Scramble the true counts kept in the structure: the answer must not change.
        const scrambled = { ...lt, cells: lt.cells.map((c, i) => ({ ...c, value: (i * 31 + salt) % 17 })) };
        const after = await postProcess(highs, scrambled, noisy, { strategy: 'tables' });
        expect(Array.from(after.counts)).toEqual(Array.from(before.counts));
        const auto1 = await postProcess(highs, lt, noisy);
        const auto2 = await postProcess(highs, scrambled, noisy);
        expect(Array.from(auto2.counts)).toEqual(Array.from(auto1.counts));
      }),
      { numRuns: 25 },
    );
  });

  it('with zero noise the output is the true counts', async () => {
    await fc.assert(
      fc.asyncProperty(structureArb, fc.boolean(), async (s, keepTotal) => {
        const lt = buildLinkedTables(s);
        const truth = lt.cells.map((c) => c.value);
        const r = await postProcess(highs, lt, truth, { keepTotal });
        expect(Array.from(r.counts)).toEqual(truth);
        expect(r.l1).toBe(0);
      }),
      { numRuns: 40 },
    );
  });

  it('with zero noise the interior-point path (large-problem settings) also returns the true counts', async () => {
    await fc.assert(
      fc.asyncProperty(structureArb, async (s) => {
        const lt = buildLinkedTables(s);
        const truth = lt.cells.map((c) => c.value);
        const r = await postProcess(highs, lt, truth, { simplexMaxCells: 0, milpMaxCells: 0 });
        expect(Array.from(r.counts)).toEqual(truth);
      }),
      { numRuns: 20 },
    );
  });

  it('a negative-heavy noisy input still gives non-negative consistent counts (and zeros when all noise is very negative)', async () => {
    const s = {
      domains: { a: ['a1', 'a2', 'a3'], b: ['b1', 'b2'] },
      tables: [['a', 'b'], ['a']],
      counts: [{ key: { a: 'a1', b: 'b1' }, count: 2 }],
    };
    const lt = buildLinkedTables(s);
    const r = await postProcess(
      highs,
      lt,
      lt.cells.map(() => -50),
    );
    expect(Array.from(r.counts).every((v) => v === 0)).toBe(true);
    const k = await postProcess(
      highs,
      lt,
      lt.cells.map(() => -50),
      { keepTotal: true },
    );
    expect(k.counts[totalCellOf(lt)]).toBe(2);
    expect(checkPublished({ ...s, hierarchies: {} }, published(lt, k.counts))).toEqual([]);
  });

  it('a 3-D table whose LP optimum is fractional: the MILP answer is consistent and at least as close as the rounding', async () => {
    // Seed 10 of this generator gives a fractional LP vertex (found by search, deterministic).
    const src = seededRandomSource(10);
    const domains = { a: ['a1', 'a2', 'a3'], b: ['b1', 'b2', 'b3'], c: ['c1', 'c2', 'c3'] };
    const counts = [];
    for (const a of domains.a)
      for (const b of domains.b)
        for (const c of domains.c) {
          const v = Number(discreteGaussian(src, 4));
          if (v > 0) counts.push({ key: { a, b, c }, count: v });
        }
    const s = { domains, hierarchies: {}, tables: [['a', 'b', 'c']], counts };
    const lt = buildLinkedTables(s);
    const noisy = lt.cells.map((c) => c.value + Number(discreteGaussian(src, 9)));
    const milp = await postProcess(highs, lt, noisy);
    expect(milp.fractional).toBeGreaterThan(0);
    expect(milp.method).toBe('milp');
    expect(checkPublished(s, published(lt, milp.counts))).toEqual([]);
    expect(milp.l1).toBeGreaterThanOrEqual(milp.lpObjective - 1e-6);
    for (const strategy of ['tables', 'split'] as const) {
      const r = await postProcess(highs, lt, noisy, { strategy });
      expect(checkPublished(s, published(lt, r.counts))).toEqual([]);
      expect(milp.l1).toBeLessThanOrEqual(r.l1 * (1 + 1e-4));
    }
  });

  it('cyclic separators: [a,b], [b,c], [a,c], [a,b,c] still give a consistent answer', async () => {
    const s = {
      domains: { a: ['a1', 'a2'], b: ['b1', 'b2'], c: ['c1', 'c2'] },
      hierarchies: {},
      tables: [
        ['a', 'b'],
        ['b', 'c'],
        ['a', 'c'],
        ['a', 'b', 'c'],
      ],
      counts: [
        { key: { a: 'a1', b: 'b1', c: 'c1' }, count: 3 },
        { key: { a: 'a2', b: 'b1', c: 'c2' }, count: 5 },
        { key: { a: 'a2', b: 'b2', c: 'c1' }, count: 1 },
      ],
    };
    const lt = buildLinkedTables(s);
    for (const [i, strategy] of (['auto', 'tables', 'split'] as const).entries()) {
      const noisy = lt.cells.map((c, j) => c.value + (((j * 5 + i) % 7) - 3));
      const r = await postProcess(highs, lt, noisy, { strategy, keepTotal: true });
      expect(checkPublished(s, published(lt, r.counts))).toEqual([]);
      expect(r.counts[totalCellOf(lt)]).toBe(9);
    }
  });

  it('the microdata repair is consistent for any guide, including zero and garbage guides', () => {
    fc.assert(
      fc.property(structureArb, fc.array(fc.double({ min: -5, max: 30, noNaN: true }), { minLength: 50, maxLength: 50 }), fc.nat(40), (s, g, total) => {
        const lt = buildLinkedTables(s);
        const guide = lt.cells.map((_, i) => g[i % g.length]!);
        const x = splitRepair(lt, guide, total);
        expect(checkConsistent(lt, x, { id: totalCellOf(lt), value: total })).toBeNull();
        const zero = splitRepair(
          lt,
          lt.cells.map(() => 0),
          total,
        );
        expect(checkConsistent(lt, zero, { id: totalCellOf(lt), value: total })).toBeNull();
      }),
      { numRuns: 80 },
    );
  });

  it('largestRemainder preserves the sum and rounds every quota down or up', () => {
    fc.assert(
      fc.property(fc.nat(1000), fc.array(fc.double({ min: 0, max: 100, noNaN: true }), { minLength: 1, maxLength: 20 }), (count, w) => {
        if (!(w.reduce((a, b) => a + b, 0) > 0)) return;
        const parts = largestRemainder(count, w);
        const sum = w.reduce((a, b) => a + b, 0);
        expect(parts.reduce((a, b) => a + b, 0)).toBe(count);
        parts.forEach((p, k) => {
          const q = (count * w[k]!) / sum;
          expect(p).toBeGreaterThanOrEqual(Math.floor(q - 1e-9));
          expect(p).toBeLessThanOrEqual(Math.ceil(q + 1e-9));
          if (w[k] === 0) expect(p).toBe(0);
        });
      }),
    );
  });
});
