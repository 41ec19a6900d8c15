// lp-parallel.ts and lp-worker.mjs: a helper thread's answer for an LP must be that LP's optimum
// (the same value as lp.ts's `ExtremeSolver` on the main thread), ±Infinity when unbounded, or
// "not answered" (NaN) only when a point already seen reaches the task's threshold; its pool of
// points must hold only values the system can take (inside each column's exact range) and never
// lose the inner bounds it was given; a helper that fails answers `null` (the caller does the
// work); helpers are lent to one `SharedExtremes` at a time. The machine needs 2 cores for a
// helper (`availableParallelism() − 1`, at most 3); on one core the helper cases are skipped.
import { availableParallelism } from 'node:os';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadHighs } from '../../server/tables/highs.js';
import { ExtremeSolver, type SparseSystem } from '../../server/disclosure/lp.js';
import { helperCount, SharedExtremes } from '../../server/disclosure/lp-parallel.js';
import { mulberry32 } from '../helpers/seeded-random.js';

/**
 * A 2-D table of `r × c` unknown counts whose row and column totals are published (transportation
 * polytope), some cells capped.
 */
function transport(seed: number, r: number, c: number): SparseSystem {
  const rand = mulberry32(seed);
  const n = r * c;
  const x0 = Array.from({ length: r * c }, () => Math.floor(rand() * 9));
  const colLower = new Float64Array(n);
  const colUpper = new Float64Array(n).fill(Infinity);
  for (let j = 0; j < r * c; j++) if (rand() < 0.2) colUpper[j] = x0[j]! + 2;
  const rowStart = [0];
  const rowIndex: number[] = [];
  const rowValue: number[] = [];
  const rhs: number[] = [];
  for (let i = 0; i < r; i++) {
    let t = 0;
    for (let j = 0; j < c; j++) {
      rowIndex.push(i * c + j);
      rowValue.push(1);
      t += x0[i * c + j]!;
    }
    rowStart.push(rowIndex.length);
    rhs.push(t);
  }
  for (let j = 0; j < c; j++) {
    let t = 0;
    for (let i = 0; i < r; i++) {
      rowIndex.push(i * c + j);
      rowValue.push(1);
      t += x0[i * c + j]!;
    }
    rowStart.push(rowIndex.length);
    rhs.push(t);
  }
  return { numCols: n, colLower, colUpper, rowStart, rowIndex, rowValue, rowLower: Float64Array.from(rhs), rowUpper: Float64Array.from(rhs) };
}

const helpers = availableParallelism() > 1;

describe.runIf(helpers)('SharedExtremes: a helper thread answers LP optima', () => {
  // Helpers take work only once they have loaded HiGHS and said so: wait for that first.
  beforeAll(async () => {
    for (let waited = 0; helperCount() < Math.min(3, availableParallelism() - 1) && waited < 60_000; waited += 20) await new Promise((r) => setTimeout(r, 20));
  }, 70_000);

  it('has min(3, cores − 1) helpers', () => {
    expect(helperCount()).toBe(Math.min(3, availableParallelism() - 1));
  });

  it("every task's value equals the main thread's optimum; the pool stays inside the exact ranges", async () => {
    const highs = await loadHighs();
    for (const [seed, ipm] of [
      [1, false],
      [2, true],
    ] as const) {
      const sys = transport(seed, 6, 7);
      const n = sys.numCols;
      const main = new ExtremeSolver(highs, sys);
      const exactLo = new Float64Array(n);
      const exactHi = new Float64Array(n);
      for (let j = 0; j < n; j++) {
        exactLo[j] = main.extreme(j, 1).value;
        exactHi[j] = main.extreme(j, -1).value;
      }
      main.dispose();
      const shared = new SharedExtremes(sys, ipm);
      try {
        expect(shared.helpers).toBe(helperCount());
        // every column, both ends, in a scrambled order; no thresholds (never skipped)
        const tasks: number[] = [];
        for (let j = 0; j < n; j++) tasks.push(2 * j + 1, 2 * j);
        tasks.sort((a, b) => ((a * 7919) % 97) - ((b * 7919) % 97));
        // inner bounds given: the true point x0 is not known here, so give a narrow valid inner
        // interval for some columns (their midpoint of the exact range) and "empty" for the others
        const innerLo = new Float64Array(n).fill(Infinity);
        const innerHi = new Float64Array(n).fill(-Infinity);
        for (let j = 0; j < n; j += 3) innerLo[j] = innerHi[j] = (exactLo[j]! + exactHi[j]!) / 2;
        shared.send(0, Int32Array.from(tasks), new Float64Array(tasks.length).fill(Number.NaN), innerLo, innerHi);
        const ans = shared.receive(0);
        expect(ans, 'an answer').not.toBeNull();
        expect(ans!.solves).toBe(tasks.length);
        tasks.forEach((t, i) => {
          const j = t >> 1;
          const want = t & 1 ? exactHi[j]! : exactLo[j]!;
          expect(ans!.values[i], `column ${j} ${t & 1 ? 'max' : 'min'}`).toBeCloseTo(want, 6);
        });
        for (let j = 0; j < n; j++) {
          // every end was an optimum seen, so the pool reaches it; and never beyond
          expect(ans!.poolLo[j]).toBeCloseTo(exactLo[j]!, 6);
          expect(ans!.poolHi[j]).toBeCloseTo(exactHi[j]!, 6);
        }
      } finally {
        shared.release();
      }
    }
  }, 60_000);

  it('skips exactly the tasks whose threshold a point already seen reaches, and keeps the inner bounds', async () => {
    const highs = await loadHighs();
    const sys = transport(3, 5, 5);
    const n = sys.numCols;
    const main = new ExtremeSolver(highs, sys);
    const hi = Array.from({ length: n }, (_, j) => main.extreme(j, -1).value);
    const lo = Array.from({ length: n }, (_, j) => main.extreme(j, 1).value);
    main.dispose();
    const shared = new SharedExtremes(sys, false);
    try {
      // one task per column; inner bounds equal to the exact ends on even columns
      const innerLo = new Float64Array(n).fill(Infinity);
      const innerHi = new Float64Array(n).fill(-Infinity);
      for (let j = 0; j < n; j += 2) {
        innerLo[j] = lo[j]!;
        innerHi[j] = hi[j]!;
      }
      const tasks = Int32Array.from({ length: n }, (_, j) => 2 * j + (j % 4 < 2 ? 1 : 0));
      // thresholds at the exact end: reached by the given inner bound on even columns (first
      // tasks) — skipped; on odd columns only if an earlier optimum happens to reach it
      const thresholds = Float64Array.from({ length: n }, (_, j) => (tasks[j]! & 1 ? hi[j]! : lo[j]!));
      shared.send(0, tasks, thresholds, innerLo, innerHi);
      const ans = shared.receive(0)!;
      let skipped = 0;
      for (let j = 0; j < n; j++) {
        if (j % 2 === 0) expect(ans.values[j], `column ${j}: already reached`).toBeNaN();
        if (Number.isNaN(ans.values[j]!)) skipped++;
        else expect(ans.values[j]).toBeCloseTo(tasks[j]! & 1 ? hi[j]! : lo[j]!, 6);
        // the pool keeps what it was given, and every value in it is reachable
        expect(ans.poolLo[j]).toBeLessThanOrEqual(innerLo[j]!);
        expect(ans.poolHi[j]).toBeGreaterThanOrEqual(innerHi[j]!);
        if (Number.isFinite(ans.poolLo[j]!)) expect(ans.poolLo[j]).toBeGreaterThanOrEqual(lo[j]! - 1e-6);
        if (Number.isFinite(ans.poolHi[j]!)) expect(ans.poolHi[j]).toBeLessThanOrEqual(hi[j]! + 1e-6);
      }
      expect(ans.solves).toBe(n - skipped);
      expect(ans.solves).toBeGreaterThan(0);
      // a threshold just out of reach is never skipped: the task is solved
      const far = Float64Array.from({ length: n }, (_, j) => (tasks[j]! & 1 ? hi[j]! + 0.5 : lo[j]! - 0.5));
      shared.send(0, tasks, far, innerLo, innerHi);
      const all = shared.receive(0)!;
      expect(all.solves).toBe(n);
      for (let j = 0; j < n; j++) expect(all.values[j]).toBeCloseTo(tasks[j]! & 1 ? hi[j]! : lo[j]!, 6);
    } finally {
      shared.release();
    }
  }, 60_000);

  it('answers ±Infinity for an unbounded end', () => {
    // x0 = x1 + x2 (a total and its parts, all unknown), x2 ≤ 4: x0 and x1 unbounded above
    const sys: SparseSystem = {
      numCols: 3,
      colLower: new Float64Array(3),
      colUpper: Float64Array.of(Infinity, Infinity, 4),
      rowStart: [0, 3],
      rowIndex: [0, 1, 2],
      rowValue: [1, -1, -1],
      rowLower: [0],
      rowUpper: [0],
    };
    const n = 3;
    const shared = new SharedExtremes(sys, false);
    try {
      const tasks = Int32Array.of(2 * 0 + 1, 2 * 1 + 1, 2 * 1);
      shared.send(0, tasks, new Float64Array(3).fill(Number.NaN), new Float64Array(n).fill(Infinity), new Float64Array(n).fill(-Infinity));
      const ans = shared.receive(0)!;
      expect(ans.values[0]).toBe(Infinity);
      expect(ans.values[1]).toBe(Infinity);
      expect(ans.values[2]).toBe(0);
    } finally {
      shared.release();
    }
  });

  it('a helper that fails answers null; helpers are lent to one SharedExtremes at a time', () => {
    const sys = transport(5, 3, 3);
    const a = new SharedExtremes(sys, false);
    try {
      expect(a.helpers).toBeGreaterThan(0);
      expect(new SharedExtremes(sys, false).helpers).toBe(0);
      // a task on a column the model does not have: the worker's HiGHS call throws
      a.send(0, Int32Array.of(2 * 1000), Float64Array.of(Number.NaN), new Float64Array(9), new Float64Array(9));
      expect(a.receive(0)).toBeNull();
      // the helper is still usable afterwards
      a.send(0, Int32Array.of(1), Float64Array.of(Number.NaN), new Float64Array(9).fill(Infinity), new Float64Array(9).fill(-Infinity));
      expect(a.receive(0)?.solves).toBe(1);
    } finally {
      a.release();
    }
    const b = new SharedExtremes(sys, false);
    expect(b.helpers).toBe(helperCount());
    b.release();
  });
});
