// cost.ts's promise, checked by brute force over every pair of suppression sets of small tables:
// the cost of a set orders sets lexicographically by (units, suppressed total), where a cell
// suppressed in the previous release counts `stabilityWeight` units and any other cell 1 — so a
// pattern with fewer units is always cheaper, whatever the values (tiny totals included: a
// release of one incident is where a weight that does not dominate the values shows), and costs
// are integers.
import { describe, expect, it } from 'vitest';
import { cellCosts } from '../../server/disclosure/cost.js';
import { mulberry32 as rng } from '../helpers/seeded-random.js';

function checkOrder(values: number[], prev: Uint8Array | undefined, sw: number): void {
  const { cost, W } = cellCosts(Float64Array.from(values), prev, sw);
  expect(cost.length).toBe(values.length);
  for (const c of cost) expect(Number.isInteger(c)).toBe(true);
  expect(W).toBe(2 * (values.reduce((a, b) => a + b, 0) + 1));
  const n = values.length;
  const sets = Array.from({ length: 1 << n }, (_, m) => {
    let units = 0;
    let total = 0;
    let paid = 0;
    for (let i = 0; i < n; i++)
      if (m & (1 << i)) {
        units += prev?.[i] ? sw : 1;
        total += values[i]!;
        paid += cost[i]!;
      }
    return { m, units, total, paid };
  });
  const wrong: string[] = [];
  for (const a of sets)
    for (const b of sets) {
      const better = a.units < b.units || (a.units === b.units && a.total < b.total);
      if (better && !(a.paid < b.paid)) wrong.push(`set ${a.m} (${a.paid}) vs ${b.m} (${b.paid})`);
    }
  expect(wrong, `values [${values}], previous [${prev ?? ''}], weight ${sw}`).toEqual([]);
}

describe('cellCosts: fewer units always cheaper, then the smaller suppressed total', () => {
  it('on tiny totals (0, 1, 2 incidents), where the unit weight is smallest', () => {
    checkOrder([0, 0, 0], undefined, 0.5);
    checkOrder([1, 0, 0, 0], undefined, 0.5);
    checkOrder([1, 0, 0], Uint8Array.from([0, 1, 0]), 0.5);
    checkOrder([2, 0, 1, 1], Uint8Array.from([1, 0, 0, 1]), 0.5);
  });

  it('on random small tables, with and without earlier suppressions, stability weights ½ and 1', () => {
    const rand = rng(17);
    for (let t = 0; t < 60; t++) {
      const n = 2 + Math.floor(rand() * 6);
      const values = Array.from({ length: n }, () => (rand() < 0.3 ? 0 : Math.floor(rand() * 12)));
      const prev = rand() < 0.7 ? Uint8Array.from({ length: n }, () => (rand() < 0.4 ? 1 : 0)) : undefined;
      checkOrder(values, prev, rand() < 0.7 ? 0.5 : 1);
    }
  });

  it('a cell suppressed in the previous release costs half a unit more than its value, others a whole unit', () => {
    const { cost, W } = cellCosts(Float64Array.from([3, 4, 0]), Uint8Array.from([1, 0, 1]));
    expect(W).toBe(16);
    expect([...cost]).toEqual([8 + 3, 16 + 4, 8]);
    // with stabilityWeight 1 the earlier pattern makes no difference
    expect([...cellCosts(Float64Array.from([3, 4, 0]), Uint8Array.from([1, 0, 1]), 1).cost]).toEqual([19, 20, 16]);
  });
});
