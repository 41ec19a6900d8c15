// lp.ts, the disclosure modules' only contact with HiGHS models, checked against an independent
// LP: every system is also written as a CPLEX LP string and solved by HiGHS's one-shot `solve`
// (test/disclosure/helpers.ts's reference solver: no persistent model, no warm start, presolve
// on). `ExtremeSolver` must give exactly the reference's minimum and maximum of every column, in
// any order on one model (warm starts, objectives changed in place), with and without the
// interior-point first basis, ±Infinity when unbounded, one HiGHS run per answer; it must retry
// once from scratch when HiGHS reports anything else, and throw rather than answer when the retry
// fails too. `solveOnce` must map every status as its header says, and every model must be freed.
import type { Highs, Model, ModelData } from 'highs';
import { afterEach, describe, expect, it } from 'vitest';
import { loadHighs } from '../../server/tables/highs.js';
import { cappedPoint, ExtremeSolver, feasiblePoint, solveOnce, type SparseSystem } from '../../server/disclosure/lp.js';
import { mulberry32 } from '../helpers/seeded-random.js';
import { randomSystem, reference } from '../helpers/random-system.js';

function expectSame(got: number, want: number, what: string): void {
  if (Number.isFinite(want)) expect(got, what).toBeCloseTo(want, 6);
  else expect(got, what).toBe(want);
}

/** A HiGHS instance that counts created and disposed models and can fake a run's status. */
function countingHighs(real: Highs, statusOf: (run: number, real: number) => number = (_, s) => s) {
  const counts = { created: 0, disposed: 0, runs: 0 };
  const fake = Object.create(real) as Highs;
  fake.createModel = ((data: ModelData): Model => {
    const m = real.createModel(data);
    counts.created++;
    const run = m.run.bind(m);
    const dispose = m.dispose.bind(m);
    Object.defineProperty(m, 'run', {
      value: () => {
        const out = run();
        const status = statusOf(counts.runs++, out.modelStatus);
        return status === out.modelStatus ? out : { ...out, modelStatus: status };
      },
    });
    Object.defineProperty(m, 'dispose', {
      value: () => {
        counts.disposed++;
        dispose();
      },
    });
    return m;
  }) as Highs['createModel'];
  return { highs: fake, counts };
}

afterEach(() => {
  ExtremeSolver.IPM_START = 1500;
});

describe('ExtremeSolver: the exact minimum and maximum of every column', () => {
  it('equals the independent LP on random systems, in any order on one model, one run per answer', async () => {
    const highs = await loadHighs();
    let unbounded = 0;
    let bounded = 0;
    for (let seed = 1; seed <= 60; seed++) {
      const sys = randomSystem(seed);
      const rand = mulberry32(1000 + seed);
      const asks: Array<[number, 1 | -1]> = [];
      for (let j = 0; j < sys.numCols; j++) asks.push([j, 1], [j, -1]);
      asks.sort(() => rand() - 0.5);
      asks.push(...asks.slice(0, 3)); // asked again after other objectives
      const solver = new ExtremeSolver(highs, sys);
      try {
        for (const [j, sense] of asks) {
          const want = await reference(sys, new Map([[j, 1]]), sense === -1);
          const before = solver.solves;
          const r = solver.extreme(j, sense);
          expect(solver.solves - before, `seed ${seed}: one HiGHS run`).toBe(1);
          expectSame(r.value, want, `seed ${seed}, column ${j}, sense ${sense}`);
          if (Number.isFinite(want)) {
            bounded++;
            expect(r.x, `seed ${seed}: an optimal point`).toBeDefined();
            expect(r.x![j]).toBe(r.value);
            expect(feasiblePoint(sys, r.x!, 1e-6)).toBe(true);
          } else {
            unbounded++;
            expect(r.x).toBeUndefined();
          }
        }
      } finally {
        solver.dispose();
      }
    }
    // both kinds of answer occurred, both directions of unboundedness among them
    expect(bounded).toBeGreaterThan(100);
    expect(unbounded).toBeGreaterThan(10);
  }, 60_000);

  it('gives the same answers from an interior-point first basis (one extra run, once)', async () => {
    const highs = await loadHighs();
    ExtremeSolver.IPM_START = 2;
    for (let seed = 61; seed <= 80; seed++) {
      const sys = randomSystem(seed);
      const solver = new ExtremeSolver(highs, sys);
      try {
        for (let j = 0; j < sys.numCols; j++)
          for (const sense of [1, -1] as const) {
            const first = solver.solves === 0;
            const before = solver.solves;
            const r = solver.extreme(j, sense);
            expect(solver.solves - before).toBe(first && sys.numCols > 2 ? 2 : 1);
            expectSame(r.value, await reference(sys, new Map([[j, 1]]), sense === -1), `seed ${seed}, column ${j}, sense ${sense}`);
          }
      } finally {
        solver.dispose();
      }
    }
  }, 60_000);

  it('batch: an optimum of Σ sense·x over the columns asked, undefined when unbounded', async () => {
    const highs = await loadHighs();
    let optimal = 0;
    let none = 0;
    for (let seed = 81; seed <= 120; seed++) {
      const sys = randomSystem(seed);
      const rand = mulberry32(2000 + seed);
      const solver = new ExtremeSolver(highs, sys);
      try {
        for (let t = 0; t < 4; t++) {
          const cols = Array.from({ length: sys.numCols }, (_, j) => j).filter(() => rand() < 0.6);
          if (cols.length === 0) cols.push(0);
          const sense = rand() < 0.5 ? 1 : -1;
          const want = await reference(sys, new Map(cols.map((j) => [j, 1])), sense === -1);
          const x = solver.batch(cols, sense);
          if (!Number.isFinite(want)) {
            expect(x, `seed ${seed}: unbounded`).toBeUndefined();
            none++;
            continue;
          }
          optimal++;
          expect(x, `seed ${seed}: a point`).toBeDefined();
          expect(feasiblePoint(sys, x!, 1e-6)).toBe(true);
          expect(cols.reduce((a, j) => a + x![j]!, 0)).toBeCloseTo(want, 6);
          // the batch's objective is gone: the next single extreme is exact again
          const j = cols[0]!;
          expectSame(solver.extreme(j, 1).value, await reference(sys, new Map([[j, 1]]), false), `seed ${seed}: after a batch`);
        }
      } finally {
        solver.dispose();
      }
    }
    expect(optimal).toBeGreaterThan(40);
    expect(none).toBeGreaterThan(5);
  }, 60_000);

  it('batch stopped early returns the current point, and the limit does not outlive it', async () => {
    const highs = await loadHighs();
    // a chain x0 + x1 = 10, x1 + x2 = 10, …: maximising every other column takes several pivots
    const n = 30;
    const sys: SparseSystem = {
      numCols: n,
      colLower: new Float64Array(n),
      colUpper: new Float64Array(n).fill(10),
      rowStart: Array.from({ length: n }, (_, r) => 2 * r),
      rowIndex: Array.from({ length: n - 1 }, (_, r) => [r, r + 1]).flat(),
      rowValue: new Array(2 * (n - 1)).fill(1),
      rowLower: new Array(n - 1).fill(10),
      rowUpper: new Array(n - 1).fill(10),
    };
    const evens = Array.from({ length: n / 2 }, (_, i) => 2 * i);
    const solver = new ExtremeSolver(highs, sys);
    try {
      const early = solver.batch(evens, -1, 1);
      expect(early, 'a point at the iteration limit').toBeDefined();
      expect(early!.length).toBe(n);
      const full = solver.batch(evens, -1);
      expect(evens.reduce((a, j) => a + full![j]!, 0)).toBeCloseTo(150, 6);
      // the iteration limit was restored: a single LP runs to its optimum, in one run
      const before = solver.solves;
      expect(solver.extreme(1, -1).value).toBeCloseTo(10, 9);
      expect(solver.extreme(1, 1).value).toBeCloseTo(0, 9);
      expect(solver.solves - before).toBe(2);
    } finally {
      solver.dispose();
    }
  });
});

/** A two-way table of random counts with its row and column totals fixed, every cell in [0, ∞). */
function tableSystem(seed: number, rows: number, cols: number): SparseSystem {
  const rand = mulberry32(seed);
  const x = Array.from({ length: rows * cols }, () => Math.floor(rand() * 8));
  const rowStart = [0];
  const rowIndex: number[] = [];
  const rowValue: number[] = [];
  const rhs: number[] = [];
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) rowIndex.push(r * cols + c);
    rhs.push(x.slice(r * cols, (r + 1) * cols).reduce((a, b) => a + b, 0));
    rowStart.push(rowIndex.length);
  }
  for (let c = 0; c < cols; c++) {
    let sum = 0;
    for (let r = 0; r < rows; r++) {
      rowIndex.push(r * cols + c);
      sum += x[r * cols + c]!;
    }
    rhs.push(sum);
    rowStart.push(rowIndex.length);
  }
  rowValue.push(...new Array(rowIndex.length).fill(1));
  const n = rows * cols;
  return {
    numCols: n,
    colLower: new Float64Array(n),
    colUpper: new Float64Array(n).fill(Infinity),
    rowStart,
    rowIndex,
    rowValue,
    rowLower: rhs,
    rowUpper: rhs,
  };
}

describe('ExtremeSolver.extremeUnless: an LP that may stop once its point is far enough', () => {
  it('never stopped, it answers exactly what the independent LP does, one solve per answer, the point feasible', async () => {
    const highs = await loadHighs();
    let looked = 0;
    let answers = 0;
    for (let seed = 121; seed <= 150; seed++) {
      const sys = randomSystem(seed);
      const solver = new ExtremeSolver(highs, sys);
      try {
        for (let j = 0; j < sys.numCols; j++)
          for (const sense of [-1, 1] as const) {
            const before = solver.solves;
            const r = solver.extremeUnless(j, sense, 1, () => {
              looked++;
              return false;
            });
            expect(solver.solves - before).toBe(1);
            expect(r.exact).toBe(true);
            expectSame(r.value, await reference(sys, new Map([[j, 1]]), sense === -1), `seed ${seed}, column ${j}, sense ${sense}`);
            if (r.x) expect(feasiblePoint(sys, r.x, 1e-6)).toBe(true);
            answers++;
          }
      } finally {
        solver.dispose();
      }
    }
    expect(answers).toBeGreaterThan(100);
    // the simplex was stopped and resumed along the way (one iteration at a time at first)
    expect(looked).toBeGreaterThan(20);
  }, 60_000);

  it('stops at the first point accepted, which lies between where it started and the optimum; the limit does not outlive it', async () => {
    const highs = await loadHighs();
    let early = 0;
    let exact = 0;
    for (let seed = 1; seed <= 8; seed++) {
      const sys = tableSystem(seed, 6, 7);
      const solver = new ExtremeSolver(highs, sys);
      const check = new ExtremeSolver(highs, sys); // a second model: the optimum to compare with
      try {
        for (let j = 0; j < sys.numCols; j += 5) {
          const best = check.extreme(j, -1).value;
          // far enough: halfway from the value the column has when the LP starts, to its optimum
          const start = solver.extreme((j + 1) % sys.numCols, 1).x![j]!;
          const target = start + (best - start) / 2;
          const seen: number[] = [];
          const r = solver.extremeUnless(j, -1, 1, (x) => {
            seen.push(x[j]!);
            return feasiblePoint(sys, x) && x[j]! >= target;
          });
          // each point looked at is no further than the optimum, and the path only climbs
          for (const [t, v] of seen.entries()) {
            expect(v).toBeLessThanOrEqual(best + 1e-9);
            if (t > 0) expect(v).toBeGreaterThanOrEqual(seen[t - 1]! - 1e-9);
          }
          if (r.exact) {
            exact++;
            expect(r.value).toBeCloseTo(best, 9);
            expect(seen.every((v) => v < target)).toBe(true); // stopped only at the optimum when nothing before was enough
          } else {
            early++;
            expect(r.value).toBeGreaterThanOrEqual(target);
            expect(r.value).toBe(seen.at(-1));
            expect(feasiblePoint(sys, r.x!)).toBe(true);
          }
          // the iteration limit was restored: the next LP runs to its optimum in one run
          const before = solver.solves;
          expect(solver.extreme(j, -1).value).toBeCloseTo(best, 9);
          expect(solver.solves - before).toBe(1);
        }
      } finally {
        solver.dispose();
        check.dispose();
      }
    }
    // both ways of ending occurred
    expect(early).toBeGreaterThan(3);
    expect(exact).toBeGreaterThan(0);
  }, 60_000);
});

describe('ExtremeSolver: anything but optimal or unbounded is retried once, then refused', () => {
  // x0 + x1 = 4, 0 ≤ x ≤ 3: x0 ∈ [1, 3]; x2 ≥ 0 free above (unbounded maximum)
  const sys: SparseSystem = {
    numCols: 3,
    colLower: Float64Array.of(0, 0, 0),
    colUpper: Float64Array.of(3, 3, Infinity),
    rowStart: [0, 2],
    rowIndex: [0, 1],
    rowValue: [1, 1],
    rowLower: [4],
    rowUpper: [4],
  };

  for (const status of [8, 13, 14, 15, 4]) {
    it(`status ${status} on the persistent model: the answer comes from a fresh model`, async () => {
      const { highs, counts } = countingHighs(await loadHighs(), (run, s) => (run === 0 ? status : s));
      const solver = new ExtremeSolver(highs, sys);
      const r = solver.extreme(0, -1);
      expect(r.value).toBe(3);
      expect(r.x?.[0]).toBe(3);
      expect(solver.solves).toBe(2);
      expect(counts.created).toBe(2);
      // the persistent model was dropped and the retry's freed: nothing is left open
      expect(counts.disposed).toBe(2);
      // later answers reopen a model and are exact
      expect(solver.extreme(0, 1).value).toBe(1);
      solver.dispose();
      expect(counts.disposed).toBe(counts.created);
    });
  }

  it('an unbounded answer on the retry is ±Infinity, in each sense', async () => {
    const { highs } = countingHighs(await loadHighs(), (run, s) => (run === 0 || run === 2 ? 15 : s));
    const solver = new ExtremeSolver(highs, sys);
    expect(solver.extreme(2, -1)).toEqual({ value: Infinity, x: undefined });
    // a column free below (a signed change): minimised, −Infinity
    const signed = new ExtremeSolver(highs, {
      ...sys,
      colLower: Float64Array.of(0, 0, -Infinity),
      rowStart: [0, 2, 3],
      rowIndex: [0, 1, 2],
      rowValue: [1, 1, 1],
      rowLower: [4, -Infinity],
      rowUpper: [4, 7],
    });
    expect(signed.extreme(2, 1)).toEqual({ value: -Infinity, x: undefined });
    solver.dispose();
    signed.dispose();
  });

  it('unbounded or infeasible (9) is read as unbounded, in both senses', async () => {
    const { highs } = countingHighs(await loadHighs(), () => 9);
    const solver = new ExtremeSolver(highs, sys);
    expect(solver.extreme(0, -1)).toEqual({ value: Infinity, x: undefined });
    expect(solver.extreme(0, 1)).toEqual({ value: -Infinity, x: undefined });
    expect(solver.solves).toBe(2);
    solver.dispose();
  });

  it('throws when the retry fails too: never a silent answer', async () => {
    for (const status of [8, 15]) {
      const { highs, counts } = countingHighs(await loadHighs(), () => status);
      const solver = new ExtremeSolver(highs, sys);
      expect(() => solver.extreme(0, -1)).toThrow(/interval LP failed \((infeasible|error|limit)\)/);
      solver.dispose();
      expect(counts.disposed).toBe(counts.created);
    }
  });
});

describe('solveOnce: every status mapped, every model freed', () => {
  // x0 + x1 = 3, 2·x0 + 2·x2 ≤ 3 (x2 ≥ 0), x ≥ 0
  const base: SparseSystem = {
    numCols: 3,
    colLower: Float64Array.of(0, 0, 0),
    colUpper: Float64Array.of(Infinity, Infinity, Infinity),
    rowStart: [0, 2, 4],
    rowIndex: [0, 1, 0, 2],
    rowValue: [1, 1, 2, 2],
    rowLower: [3, -Infinity],
    rowUpper: [3, 3],
  };
  const cost = (...c: number[]): Float64Array => Float64Array.from(c);

  it('optimal: the point and its objective, minimising or maximising', async () => {
    const { highs, counts } = countingHighs(await loadHighs());
    const max = solveOnce(highs, base, cost(1, 0, 0), true);
    expect(max.status).toBe('optimal');
    expect(max.objective).toBeCloseTo(1.5, 9);
    expect(max.x[0]).toBeCloseTo(1.5, 9);
    expect(max.x[0]! + max.x[1]!).toBeCloseTo(3, 9);
    const min = solveOnce(highs, base, cost(0, 1, 0), false);
    expect(min.status).toBe('optimal');
    expect(min.objective).toBeCloseTo(1.5, 9);
    expect(counts.disposed).toBe(counts.created);
  });

  it('integer columns when asked: the MILP optimum, not the relaxation', async () => {
    const highs = await loadHighs();
    const r = solveOnce(highs, base, cost(1, 0, 0), true, { integrality: [1, 1, 0] });
    expect(r.status).toBe('optimal');
    expect(r.objective).toBeCloseTo(1, 9);
    expect(r.x[0]).toBeCloseTo(1, 9);
  });

  it('unbounded: ±Infinity as the objective, in each sense', async () => {
    const highs = await loadHighs();
    // x0 − x1 = 1 with x1 free above (and x0 free below, for the minimum)
    const ray: SparseSystem = {
      numCols: 2,
      colLower: Float64Array.of(-Infinity, -Infinity),
      colUpper: Float64Array.of(Infinity, Infinity),
      rowStart: [0, 2],
      rowIndex: [0, 1],
      rowValue: [1, -1],
      rowLower: [1],
      rowUpper: [1],
    };
    const up = solveOnce(highs, ray, cost(1, 0), true);
    expect([up.status, up.objective]).toEqual(['unbounded', Infinity]);
    expect(up.x).toEqual(new Float64Array(2));
    const down = solveOnce(highs, ray, cost(1, 0), false);
    expect([down.status, down.objective]).toEqual(['unbounded', -Infinity]);
  });

  it('unbounded or infeasible (9) is read as unbounded', async () => {
    const { highs } = countingHighs(await loadHighs(), () => 9);
    expect(solveOnce(highs, base, cost(1, 0, 0), true)).toEqual({ status: 'unbounded', x: new Float64Array(3), objective: Infinity });
    expect(solveOnce(highs, base, cost(1, 0, 0), false)).toEqual({ status: 'unbounded', x: new Float64Array(3), objective: -Infinity });
  });

  it('infeasible: NaN objective, no point', async () => {
    const highs = await loadHighs();
    const r = solveOnce(highs, { ...base, rowLower: [3, 7], rowUpper: [3, 9], colUpper: Float64Array.of(1, 1, 1) }, cost(1, 0, 0), false);
    expect(r.status).toBe('infeasible');
    expect(r.objective).toBeNaN();
    expect(r.x).toEqual(new Float64Array(3));
  });

  it('a limit without a feasible point is "limit" with no point; another failure is "error"', async () => {
    const highs = await loadHighs();
    const r = solveOnce(highs, base, cost(1, 0, 0), true, { mip: { simplex_iteration_limit: 0 } });
    expect(r.status).toBe('limit');
    expect(r.objective).toBeNaN();
    expect(r.x).toEqual(new Float64Array(3));
    for (const [status, want] of [
      [13, 'limit'],
      [14, 'limit'],
      [4, 'error'],
      [15, 'error'],
    ] as const) {
      const { highs: fake, counts } = countingHighs(highs, () => status);
      // a model stopped before any feasible point: presolve off, no iterations
      const got = solveOnce(fake, base, cost(1, 0, 0), true, { mip: { simplex_iteration_limit: 0 } });
      expect([status, got.status]).toEqual([status, want]);
      expect(got.objective).toBeNaN();
      expect(counts.disposed).toBe(counts.created);
    }
  });

  it('a limit with a feasible incumbent keeps it (and its objective)', async () => {
    // a solve that found the optimum, reported as stopped by a limit: the point is kept
    for (const [status, integrality] of [
      [13, [1, 1, 0]],
      [14, undefined],
      [15, undefined],
    ] as const) {
      const { highs } = countingHighs(await loadHighs(), () => status);
      const r = solveOnce(highs, base, cost(1, 0, 0), true, integrality ? { integrality: [...integrality] } : {});
      expect(r.status).toBe('limit');
      expect(r.x[0]).toBeCloseTo(integrality ? 1 : 1.5, 9);
      expect(r.objective).toBeCloseTo(integrality ? 1 : 1.5, 9);
    }
  });

  it('a run that throws still frees its model', async () => {
    const real = await loadHighs();
    const { highs, counts } = countingHighs(real, () => {
      throw new Error('boom');
    });
    expect(() => solveOnce(highs, base, cost(1, 0, 0), true)).toThrow('boom');
    expect(counts.created).toBe(1);
    expect(counts.disposed).toBe(1);
  });
});

describe('feasiblePoint: the check an early-stopped point must pass', () => {
  // x0 + 1e6·x1 = 1e6 (big terms), x0 − x2 ≤ 1 (one-sided), 0 ≤ x0 ≤ 2, x1, x2 ≥ 0
  const sys: SparseSystem = {
    numCols: 3,
    colLower: Float64Array.of(0, 0, 0),
    colUpper: Float64Array.of(2, Infinity, Infinity),
    rowStart: [0, 2, 4],
    rowIndex: [0, 1, 0, 2],
    rowValue: [1, 1e6, 1, -1],
    rowLower: [1e6, -Infinity],
    rowUpper: [1e6, 1],
  };
  it('column bounds: within tol·(1 + |x|) passes, beyond fails, at either end', () => {
    expect(feasiblePoint(sys, Float64Array.of(1, 1 - 1e-6, 0))).toBe(true);
    expect(feasiblePoint(sys, Float64Array.of(2 + 1e-8, 1 - 2e-6, 1.5))).toBe(true);
    expect(feasiblePoint(sys, Float64Array.of(2 + 1e-6, 1 - 2e-6, 1.5))).toBe(false);
    expect(feasiblePoint(sys, Float64Array.of(-1e-8, 1, 0))).toBe(true);
    expect(feasiblePoint(sys, Float64Array.of(-1e-6, 1, 0))).toBe(false);
    expect(feasiblePoint(sys, Float64Array.of(0, 1, -1e-6))).toBe(false);
    expect(feasiblePoint(sys, Float64Array.of(0, 1, Number.NaN))).toBe(false);
  });
  it('rows: the tolerance scales with the row’s largest term up to 1e-6, on both sides', () => {
    // a miss of 5e-7 on a row whose terms are 1e6 is within min(1e-7·1e6, 1e-6)
    expect(feasiblePoint(sys, Float64Array.of(5e-7, 1, 0))).toBe(true);
    expect(feasiblePoint(sys, Float64Array.of(0, 1 - 5e-13, 0))).toBe(true);
    // a miss of 0.01 would be within 1e-7·1e6 = 0.1, but not within the absolute cap
    expect(feasiblePoint(sys, Float64Array.of(0.01, 1, 0))).toBe(false);
    expect(feasiblePoint(sys, Float64Array.of(0, 1 - 1e-8, 0))).toBe(false);
    expect(feasiblePoint(sys, Float64Array.of(0.5, 1, 0))).toBe(false);
    expect(feasiblePoint(sys, Float64Array.of(0, 1 - 1e-6, 0))).toBe(false);
    // the one-sided row: small terms, the absolute tolerance 1e-7
    const x1 = (x0: number): number => (1e6 - x0) / 1e6;
    expect(feasiblePoint(sys, Float64Array.of(1 + 5e-8, x1(1 + 5e-8), 0))).toBe(true);
    expect(feasiblePoint(sys, Float64Array.of(1 + 1e-6, x1(1 + 1e-6), 0))).toBe(false);
    expect(feasiblePoint(sys, Float64Array.of(2, 1 - 2e-6, 0.999))).toBe(false);
    expect(feasiblePoint(sys, Float64Array.of(2, 1 - 2e-6, 1))).toBe(true);
    // a custom tolerance: tighter than the default, or looser (still capped at 1e-6)
    expect(feasiblePoint(sys, Float64Array.of(1 + 5e-8, x1(1 + 5e-8), 0), 1e-8)).toBe(false);
    expect(feasiblePoint(sys, Float64Array.of(1 + 5e-7, x1(1 + 5e-7), 0), 1e-5)).toBe(true);
    expect(feasiblePoint(sys, Float64Array.of(1 + 2e-6, x1(1 + 2e-6), 0), 1e-5)).toBe(false);
  });
});

// cappedPoint: one point bringing many columns up to their caps at once. Checked against the
// reference solver on a different formulation of the same LP: the least total shortfall
// Σ s_q, s_q ≥ cap_q − x_j, s_q ≥ 0 (cappedPoint maximises Σ min(x_j, cap_j) with y_j ≤ x_j).
describe('cappedPoint: as many columns as possible up to their caps, in one LP', () => {
  /** The system with one shortfall column per cap and its row x_j + s_q ≥ cap_q. */
  function shortfallSystem(sys: SparseSystem, cols: number[], caps: number[]): SparseSystem {
    const n = sys.numCols;
    const m = sys.rowLower.length;
    const rowStart = Array.from(sys.rowStart);
    const rowIndex = Array.from(sys.rowIndex);
    const rowValue = Array.from(sys.rowValue);
    const rowLower = Array.from(sys.rowLower);
    const rowUpper = Array.from(sys.rowUpper);
    cols.forEach((j, q) => {
      rowIndex.push(j, n + q);
      rowValue.push(1, 1);
      rowStart.push(rowIndex.length);
      rowLower.push(caps[q]!);
      rowUpper.push(Infinity);
    });
    expect(rowStart.length).toBe(m + cols.length + 1);
    return {
      numCols: n + cols.length,
      colLower: Float64Array.from([...sys.colLower, ...cols.map(() => 0)]),
      colUpper: Float64Array.from([...sys.colUpper, ...cols.map(() => Infinity)]),
      rowStart,
      rowIndex,
      rowValue,
      rowLower,
      rowUpper,
    };
  }

  it('a feasible point whose total shortfall is the reference optimum; columns that can all reach their caps do', async () => {
    const highs = await loadHighs();
    let reachedAll = 0;
    let someShort = 0;
    for (let seed = 1; seed <= 30; seed++) {
      const rand = mulberry32(1000 + seed);
      const sys = seed % 2 ? tableSystem(seed, 5, 6) : randomSystem(seed);
      const cols: number[] = [];
      const caps: number[] = [];
      for (let j = 0; j < sys.numCols; j++) {
        if (rand() < 0.5) continue;
        cols.push(j);
        caps.push(Math.floor(rand() * (seed % 3 === 0 ? 3 : 15)));
      }
      const x = cappedPoint(highs, sys, cols, caps);
      expect(x, `seed ${seed}`).toBeDefined();
      expect(x!.length).toBe(sys.numCols);
      expect(feasiblePoint(sys, x!), `seed ${seed}`).toBe(true);
      let shortfall = 0;
      cols.forEach((j, q) => (shortfall += Math.max(0, caps[q]! - x![j]!)));
      const cost = new Map(cols.map((_, q) => [sys.numCols + q, 1]));
      const best = await reference(shortfallSystem(sys, cols, caps), cost, false);
      expectSame(shortfall, best, `seed ${seed}: total shortfall`);
      if (best < 1e-9) reachedAll++;
      else someShort++;
    }
    // both cases arise: every cap reachable at once, and caps that compete
    expect(reachedAll).toBeGreaterThan(2);
    expect(someShort).toBeGreaterThan(2);
  });

  it('two columns competing for one row: one reaches its cap (a vertex), not both half-way', async () => {
    // x0 + x1 + x2 = 6, x ≥ 0; caps x0 → 5, x1 → 5: an interior optimum would give 3 and 3.
    const sys: SparseSystem = {
      numCols: 3,
      colLower: new Float64Array(3),
      colUpper: new Float64Array(3).fill(Infinity),
      rowStart: [0, 3],
      rowIndex: [0, 1, 2],
      rowValue: [1, 1, 1],
      rowLower: [6],
      rowUpper: [6],
    };
    const x = cappedPoint(await loadHighs(), sys, [0, 1], [5, 5])!;
    expect(feasiblePoint(sys, x)).toBe(true);
    expect(Math.min(x[0]!, 5) + Math.min(x[1]!, 5)).toBeCloseTo(6, 6);
    expect(Math.max(x[0]!, x[1]!)).toBeGreaterThanOrEqual(5 - 1e-6);
  });
});
