// milp.ts's promise, checked against the independent full LP of test/disclosure/helpers.ts and a
// brute-force search: (1) whatever `solveMilp` returns protects every sensitive cell — its attacker
// interval, computed by the reference LP over the returned pattern, satisfies the cell's rule
// (need and width, rules.ts) — on random tables of one and two dimensions, linked tables and
// hierarchies, with the threshold rule and with raised needs (holdings); (2) on single 2-D tables
// with margins (totally unimodular, where the header promises optimality) its cost is exactly the
// cheapest pattern found by trying every set of non-sensitive cells in order of cost; (3) the size
// limits: `milpFits` at its bounds, and `null` beyond them.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { cellCosts } from '../../server/disclosure/cost.js';
import { buildLinkedTables, loadHighs } from '../../server/disclosure/index.js';
import { DEFAULT_MILP_LIMITS, milpFits, solveMilp } from '../../server/disclosure/milp.js';
import { isPrimary } from '../../server/disclosure/primary.js';
import { holds, thresholdRules, type Rules } from '../../server/disclosure/rules.js';
import { structureOf } from '../../server/disclosure/structure.js';
import type { Cell, Constraint } from '../../server/disclosure/types.js';
import { referenceInterval, smallRelease } from '../disclosure/helpers.js';
import { mulberry32 } from '../helpers/seeded-random.js';

interface Case {
  cells: readonly Cell[];
  constraints: readonly Constraint[];
  sensitive: Uint8Array;
  rules: Rules;
}

/** Sensitive cells: the primaries (1..k−1), and with `holdings` some need raised above k. */
function caseOf(cells: readonly Cell[], constraints: readonly Constraint[], k: number, p: number, rand?: () => number): Case {
  const n = cells.length;
  const sensitive = new Uint8Array(n);
  for (let i = 0; i < n; i++) if (isPrimary(cells[i]!.value, k)) sensitive[i] = 1;
  const rules = thresholdRules(n, sensitive, k, p);
  if (rand)
    for (let i = 0; i < n; i++)
      if (rand() < 0.15 && cells[i]!.value >= k) {
        // a count of k or more whose largest member holds most of it: need share + k (rules.ts)
        sensitive[i] = 1;
        rules.need[i] = cells[i]!.value - 1 + k;
        rules.width[i] = p;
      }
  return { cells, constraints, sensitive, rules };
}

/** Whether every sensitive cell's reference interval satisfies its rule under `suppressed`. */
async function protects(c: Case, suppressed: ReadonlySet<number>): Promise<string[]> {
  const wrong: string[] = [];
  for (let i = 0; i < c.cells.length; i++) {
    if (!c.sensitive[i]) continue;
    if (!suppressed.has(i)) {
      wrong.push(`cell ${i} published`);
      continue;
    }
    const [lo, hi] = await referenceInterval(c.cells, c.constraints, suppressed, i);
    if (!holds(c.rules, i, lo, hi)) wrong.push(`cell ${i} (value ${c.cells[i]!.value}): [${lo}, ${hi}]`);
  }
  return wrong;
}

async function milpOf(c: Case): Promise<{ set: Set<number>; cost: number } | null> {
  const s = structureOf(c.cells, c.constraints);
  const cost = cellCosts(s.values).cost;
  const r = solveMilp(await loadHighs(), s, c.sensitive, cost, c.rules, 30, DEFAULT_MILP_LIMITS);
  if (!r) return null;
  expect(r.optimal).toBe(true);
  const set = new Set<number>();
  let paid = 0;
  for (let i = 0; i < s.n; i++) {
    if (c.sensitive[i]) expect(r.suppressed[i], `sensitive cell ${i} suppressed`).toBe(1);
    if (r.suppressed[i]) {
      set.add(i);
      if (!c.sensitive[i]) paid += cost[i]!;
    }
  }
  return { set, cost: paid };
}

/** A single 2-D table with margins, random counts (many small), k, and a protection p. */
function table2d(seed: number) {
  const rand = mulberry32(seed);
  const ra = 2 + Math.floor(rand() * 2);
  const rb = 2 + Math.floor(rand() * 2);
  const a = Array.from({ length: ra }, (_, i) => `a${i}`);
  const b = Array.from({ length: rb }, (_, i) => `b${i}`);
  const counts = [];
  for (const x of a) for (const y of b) counts.push({ key: { a: x, b: y }, count: rand() < 0.15 ? 0 : 1 + Math.floor(rand() * (rand() < 0.5 ? 4 : 12)) });
  const lt = buildLinkedTables({ counts, domains: { a, b }, tables: [['a', 'b']] });
  const k = 3 + Math.floor(rand() * 3);
  // protection from 1 to 2k: above k the width, not the threshold, decides
  const p = rand() < 0.3 ? k : 1 + Math.floor(rand() * 2 * k);
  return { lt, k, p, rand };
}

describe('solveMilp: every sensitive cell protected, checked by the independent LP', () => {
  it('on random small releases (1–2 dimensions, linked tables, hierarchies)', async () => {
    let solved = 0;
    await fc.assert(
      fc.asyncProperty(smallRelease({ maxDims: 2 }), fc.integer({ min: 1, max: 10 }), fc.boolean(), fc.integer(), async (rel, p, holdings, seed) => {
        const lt = buildLinkedTables(rel);
        const c = caseOf(lt.cells, lt.constraints, rel.k, p, holdings ? mulberry32(seed) : undefined);
        const r = await milpOf(c);
        if (!r) return; // too large, or not proven optimal in time: the caller's heuristic runs
        solved++;
        expect(await protects(c, r.set)).toEqual([]);
      }),
      { numRuns: 30, seed: 1717 },
    );
    expect(solved).toBeGreaterThan(20);
  }, 120_000);
});

describe('solveMilp: optimal on single 2-D tables (brute force over every pattern)', () => {
  it('costs exactly the cheapest protecting pattern', async () => {
    let nontrivial = 0;
    for (let seed = 1; seed <= 14; seed++) {
      const { lt, k, p, rand } = table2d(seed);
      const c = caseOf(lt.cells, lt.constraints, k, p, seed % 2 ? rand : undefined);
      const r = await milpOf(c);
      expect(r, `seed ${seed}: solved`).not.toBeNull();
      expect(await protects(c, r!.set), `seed ${seed}`).toEqual([]);
      // brute force: every set of non-sensitive cells, cheapest first; the first that protects
      const s = structureOf(c.cells, c.constraints);
      const cost = cellCosts(s.values).cost;
      const free = c.cells.map((x) => x.id).filter((i) => !c.sensitive[i]);
      if (free.length === c.cells.length) {
        expect(r!.cost).toBe(0);
        continue;
      }
      const masks = Array.from({ length: 1 << free.length }, (_, m) => m);
      const costOf = (m: number): number => free.reduce((a, i, t) => a + (m & (1 << t) ? cost[i]! : 0), 0);
      masks.sort((x, y) => costOf(x) - costOf(y));
      let best = Infinity;
      for (const m of masks) {
        if (costOf(m) > r!.cost) break; // nothing cheaper than the MILP's protects: optimal
        const set = new Set(c.cells.map((x) => x.id).filter((i) => c.sensitive[i] || (m & (1 << free.indexOf(i))) !== 0));
        if ((await protects(c, set)).length === 0) {
          best = costOf(m);
          break;
        }
      }
      expect(best, `seed ${seed}: the cheapest protecting pattern`).toBe(r!.cost);
      if (r!.cost > 0) nontrivial++;
    }
    expect(nontrivial).toBeGreaterThan(8);
  }, 120_000);
});

describe('solveMilp: both directions, and nothing unproven', () => {
  //         b1  b2 |
  //   a1     1   5 |  6
  //   a2     5   0 |  5
  //          6   5 | 11
  // Hiding the four inner cells lets (a1,b1) rise to 6 but not fall ((a2,b2) is 0): a range of
  // width 5. With protection 6 the MILP must also make it fall (a margin hidden), so the down
  // perturbation is needed as much as the up one.
  const counts = [
    { key: { a: 'a1', b: 'b1' }, count: 1 },
    { key: { a: 'a1', b: 'b2' }, count: 5 },
    { key: { a: 'a2', b: 'b1' }, count: 5 },
  ];
  const lt = buildLinkedTables({ counts, domains: { a: ['a1', 'a2'], b: ['b1', 'b2'] }, tables: [['a', 'b']] });

  it('a cell that can rise but not fall is not protected by its rise alone', async () => {
    for (const p of [4, 5, 6]) {
      const c = caseOf(lt.cells, lt.constraints, 3, p);
      const r = await milpOf(c);
      expect(await protects(c, r!.set), `protection ${p}`).toEqual([]);
    }
  });

  it('a solve stopped before it proves an optimum gives null, never a pattern', async () => {
    const { lt: big, k, p } = table2d(11);
    const c = caseOf(big.cells, big.constraints, k, p);
    const s = structureOf(c.cells, c.constraints);
    // no time at all: HiGHS stops before any incumbent
    expect(solveMilp(await loadHighs(), s, c.sensitive, cellCosts(s.values).cost, c.rules, 0, DEFAULT_MILP_LIMITS)).toBeNull();
  });
});

describe('solveMilp: size limits', () => {
  it('milpFits at its bounds', () => {
    const limits = { maxCells: 10, maxProduct: 30, maxNodes: 1 };
    expect(milpFits(10, 3, limits)).toBe(true);
    expect(milpFits(11, 1, limits)).toBe(false);
    expect(milpFits(10, 4, limits)).toBe(false);
    expect(milpFits(6, 5, limits)).toBe(true);
    expect(milpFits(7, 5, limits)).toBe(false);
  });

  it('nothing sensitive: nothing suppressed; too large: null', async () => {
    const highs = await loadHighs();
    const { lt, k, p } = table2d(3);
    const c = caseOf(lt.cells, lt.constraints, k, p);
    const s = structureOf(c.cells, c.constraints);
    const cost = cellCosts(s.values).cost;
    const none = solveMilp(highs, s, new Uint8Array(s.n), cost, c.rules, 5, DEFAULT_MILP_LIMITS);
    expect(none).toEqual({ suppressed: new Uint8Array(s.n), optimal: true });
    let nSens = 0;
    for (const x of c.sensitive) nSens += x;
    expect(nSens).toBeGreaterThan(0);
    expect(solveMilp(highs, s, c.sensitive, cost, c.rules, 5, { ...DEFAULT_MILP_LIMITS, maxCells: s.n - 1 })).toBeNull();
    expect(solveMilp(highs, s, c.sensitive, cost, c.rules, 5, { ...DEFAULT_MILP_LIMITS, maxProduct: nSens * s.n - 1 })).toBeNull();
    expect(solveMilp(highs, s, c.sensitive, cost, c.rules, 5, { ...DEFAULT_MILP_LIMITS, maxCells: s.n, maxProduct: nSens * s.n })).not.toBeNull();
  });
});
