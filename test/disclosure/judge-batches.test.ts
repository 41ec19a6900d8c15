// Judge mode's iteration-limited batch LPs (interval-audit.ts, `AuditEngine.judgeBatchIterations`):
// a batch stopped after a few simplex iterations gives a point that is used as a witness only once
// `feasiblePoint` accepts it, so the verdicts stay exactly those of the exact audit and every inner
// interval stays inside the exact one, however early the batches stop.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { AuditEngine, loadHighs, thresholdRules } from '../../server/disclosure/index.js';
import type { EngineRun } from '../../server/disclosure/interval-audit.js';
import { feasiblePoint, type SparseSystem } from '../../server/disclosure/lp.js';
import { structureOf } from '../../server/disclosure/structure.js';
import type { Cell, Constraint } from '../../server/disclosure/types.js';
import { randomPattern } from '../helpers/random-pattern.js';

/** A 3-way table with margins, small counts, and a large suppression pattern (one big component). */
const bigPattern = (seed: number) => randomPattern(seed, [10, 8, 5], 0.45);

/** Judge runs with and without a step give the exact audit's verdicts, and inner intervals inside the exact ones. */
function expectAsExact(judge: EngineRun, without: EngineRun, exact: EngineRun, suppressed: Uint8Array, seed: number): void {
  for (let i = 0; i < suppressed.length; i++) {
    if (!suppressed[i]) continue;
    expect(judge.ok[i], `cell ${i}, seed ${seed}`).toBe(exact.ok[i]);
    expect(without.ok[i]).toBe(exact.ok[i]);
    expect(judge.lo[i]).toBeGreaterThanOrEqual(exact.lo[i]!);
    expect(judge.hi[i]).toBeLessThanOrEqual(exact.hi[i]!);
  }
}

afterEach(() => {
  AuditEngine.judgeSingleSteps = 100;
  AuditEngine.judgeBatchIterations = 200;
  AuditEngine.parallelMinClasses = 800;
  AuditEngine.judgeRayMin = 2;
  AuditEngine.judgeCappedMin = 200;
  AuditEngine.judgeDepthAfterCapped = 0;
  delete process.env.CONTAMOS_AUDIT_TRACE;
  vi.restoreAllMocks();
});

describe('judge mode with iteration-limited batches', () => {
  for (const iterations of [1, 5, 200, 0]) {
    it(`same verdicts as the exact audit, inner intervals inside the exact ones (${iterations || 'unlimited'} iterations)`, async () => {
      const highs = await loadHighs();
      for (const seed of [1, 2, 3]) {
        const { s, suppressed, sensitive } = bigPattern(seed);
        const rules = thresholdRules(s.n, sensitive, 5, 5);
        const exact = new AuditEngine(highs, s, rules).run(suppressed, 'exact');
        AuditEngine.judgeBatchIterations = iterations;
        const engine = new AuditEngine(highs, s, rules);
        const judge = engine.run(suppressed, 'judge');
        let failing = 0;
        for (let i = 0; i < s.n; i++) {
          if (!suppressed[i]) continue;
          expect(judge.ok[i]).toBe(exact.ok[i]);
          expect(judge.lo[i]).toBeGreaterThanOrEqual(exact.lo[i]!);
          expect(judge.hi[i]).toBeLessThanOrEqual(exact.hi[i]!);
          if (!exact.ok[i]) failing++;
        }
        // The pattern is large enough for batches (> 64 classes) and has both kinds of verdict.
        expect(Math.max(...judge.comps.map((c) => c.cells.length))).toBeGreaterThan(64);
        expect(failing).toBeGreaterThan(0);
        expect(failing).toBeLessThan(judge.comps.reduce((n, c) => n + c.cells.length, 0));
      }
    }, 120_000);
  }
});

// Judge mode's single LPs stopped once their point settles the verdict (`AuditEngine.judgeSingleSteps`,
// lp.ts `extremeUnless`): a point is used only once `feasiblePoint` accepts it, an LP stopped early
// records no exact end, so the verdicts stay exactly the exact audit's however often it looks.
describe('judge mode with single LPs stopped once the verdict is settled', () => {
  for (const steps of [1, 3]) {
    it(`same verdicts as the exact audit and as LPs run to their optimum, inner intervals inside the exact ones (every ${steps} iterations)`, async () => {
      const highs = await loadHighs();
      let early = 0;
      let patternsStoppedEarly = 0;
      for (const seed of [1, 2, 3, 4]) {
        const { s, suppressed, sensitive } = bigPattern(seed);
        const rules = thresholdRules(s.n, sensitive, 5, 5);
        const exact = new AuditEngine(highs, s, rules).run(suppressed, 'exact');
        AuditEngine.judgeSingleSteps = 0;
        const full = new AuditEngine(highs, s, rules);
        const toOptimum = full.run(suppressed, 'judge');
        AuditEngine.judgeSingleSteps = steps;
        const engine = new AuditEngine(highs, s, rules);
        const judge = engine.run(suppressed, 'judge');
        expectAsExact(judge, toOptimum, exact, suppressed, seed);
        expect(full.settledEarly).toBe(0);
        early += engine.settledEarly;
        if (engine.settledEarly > 0) patternsStoppedEarly++;
      }
      // single LPs were stopped early, in more than one pattern
      expect(early).toBeGreaterThan(2);
      expect(patternsStoppedEarly).toBeGreaterThan(1);
    }, 120_000);
  }
});

// Judge mode's capped LP (`AuditEngine.judgeCappedMin`, lp.ts `cappedPoint`): after the first pair
// of batches, one LP brings the uncertain classes up to what each needs. Its point is a witness
// only once `feasiblePoint` accepts it, so verdicts stay the exact audit's. Batches of one
// iteration leave many classes uncertain, so that it has work on these small patterns.
describe('judge mode with the capped LP after the first batches', () => {
  /**
   * bigPattern with holdings-like needs on a third of the cells (own value + 1..20), so that some
   * classes the capped LP aims at cannot reach what they need (a point taken unchecked would show
   * there), and its exact audit.
   */
  const cappedCase = async (seed: number) => {
    const { s, suppressed, sensitive } = bigPattern(seed);
    const rules = thresholdRules(s.n, sensitive, 5, 5);
    for (let i = 0; i < s.n; i += 3) rules.need[i] = s.values[i]! + 1 + ((i * 7) % 20);
    const exact = new AuditEngine(await loadHighs(), s, rules).run(suppressed, 'exact');
    return { s, suppressed, rules, exact };
  };

  it('same verdicts as the exact audit and as without it, inner intervals inside the exact ones, and it settles classes', async () => {
    const highs = await loadHighs();
    let settled = 0;
    let patterns = 0;
    let failing = 0;
    AuditEngine.judgeBatchIterations = 1;
    AuditEngine.parallelMinClasses = 10;
    for (const seed of [1, 2, 3, 4, 5, 6, 7, 8]) {
      const { s, suppressed, rules, exact } = await cappedCase(seed);
      AuditEngine.judgeCappedMin = 0;
      const without = new AuditEngine(highs, s, rules).run(suppressed, 'judge');
      AuditEngine.judgeCappedMin = 1;
      const engine = new AuditEngine(highs, s, rules);
      const judge = engine.run(suppressed, 'judge');
      expectAsExact(judge, without, exact, suppressed, seed);
      for (let i = 0; i < s.n; i++) if (suppressed[i] && !exact.ok[i]) failing++;
      settled += engine.cappedSettled;
      if (engine.cappedSettled > 0) patterns++;
    }
    // the capped LP ran and settled classes, in more than one pattern, and some verdicts fail
    expect(settled).toBeGreaterThan(10);
    expect(patterns).toBeGreaterThan(1);
    expect(failing).toBeGreaterThan(0);
  }, 120_000);

  // After the capped LP the batches take every uncertain class at once (`judgeDepthAfterCapped`
  // 0) instead of spaced ones (2): only which points are found changes, never a verdict. The
  // audit's trace (audit-trace.ts) shows which spacing the first batch after the capped LP used.
  it('batches of every uncertain class after it: the same verdicts as spaced batches, and the spacing really changes', async () => {
    const highs = await loadHighs();
    AuditEngine.judgeBatchIterations = 1;
    AuditEngine.parallelMinClasses = 10;
    AuditEngine.judgeCappedMin = 1;
    /** Judge run, and the depth of the first batch round after the capped LP (undefined: none). */
    const judged = (engine: AuditEngine, suppressed: Uint8Array) => {
      const lines: string[] = [];
      process.env.CONTAMOS_AUDIT_TRACE = '0';
      vi.spyOn(process.stderr, 'write').mockImplementation(((chunk: string) => {
        lines.push(String(chunk));
        return true;
      }) as typeof process.stderr.write);
      const run = engine.run(suppressed, 'judge');
      vi.restoreAllMocks();
      delete process.env.CONTAMOS_AUDIT_TRACE;
      const after = lines.findIndex((l) => l.includes(': capped LP '));
      const next = after < 0 ? undefined : lines.slice(after + 1).find((l) => l.includes(': batch round '));
      return { run, depth: next === undefined ? undefined : Number(/depth (\d)/.exec(next)![1]) };
    };
    const depths = { 0: new Set<number | undefined>(), 2: new Set<number | undefined>() };
    for (const seed of [1, 2, 3, 4, 5, 6, 7, 8]) {
      const { s, suppressed, rules, exact } = await cappedCase(seed);
      AuditEngine.judgeDepthAfterCapped = 2;
      const spaced = judged(new AuditEngine(highs, s, rules), suppressed);
      AuditEngine.judgeDepthAfterCapped = 0;
      const all = judged(new AuditEngine(highs, s, rules), suppressed);
      expectAsExact(all.run, spaced.run, exact, suppressed, seed);
      depths[2].add(spaced.depth);
      depths[0].add(all.depth);
    }
    // batches followed the capped LP in these patterns, at depth 0 by default and spaced before
    expect([...depths[0]].filter((d) => d !== undefined)).toEqual([0]);
    // (spaced: depth 2, or 1 where the first round gained too little to stay at 2)
    expect([...depths[2]].filter((d) => d !== undefined).every((d) => d! > 0)).toBe(true);
    expect([...depths[2]].filter((d) => d !== undefined).length).toBeGreaterThan(0);
  }, 120_000);
});

// Judge mode's ray LP (`closeUncertainUnbounded`): the uncertain classes that may be unbounded
// above are settled by one LP (which are, exactly; the others are known bounded and may be batched)
// instead of one LP each. With the large totals hidden too, many classes are unbounded above.
describe('judge mode with the ray LP for classes that may be unbounded', () => {
  it('same verdicts as the exact audit and as without it, in fewer LPs', async () => {
    const highs = await loadHighs();
    let unbounded = 0;
    let fewer = 0;
    for (const seed of [1, 2, 3]) {
      const { s, suppressed, sensitive } = bigPattern(seed);
      for (let i = 0; i < s.n; i++) if (s.values[i]! > 100) suppressed[i] = 1; // the one-way margins and the grand total
      const rules = thresholdRules(s.n, sensitive, 5, 5);
      const exact = new AuditEngine(highs, s, rules).run(suppressed, 'exact');
      AuditEngine.judgeRayMin = Infinity;
      const withoutEngine = new AuditEngine(highs, s, rules);
      const without = withoutEngine.run(suppressed, 'judge');
      AuditEngine.judgeRayMin = 2;
      const engine = new AuditEngine(highs, s, rules);
      const judge = engine.run(suppressed, 'judge');
      expectAsExact(judge, without, exact, suppressed, seed);
      for (let i = 0; i < s.n; i++) if (suppressed[i] && judge.hi[i] === Infinity) unbounded++;
      if (engine.lpSolves < withoutEngine.lpSolves) fewer++;
    }
    // The case arises (classes proven unbounded in judge mode) and saves LPs.
    expect(unbounded).toBeGreaterThan(0);
    expect(fewer).toBeGreaterThan(0);
  }, 120_000);

  it('a class that bound propagation leaves unbounded but the LP bounds is not taken as unbounded', async () => {
    // a = b + c, e = a + d, e = b + P (P = 10 published): so c + d = 10, while a, b, e are
    // unbounded above; propagation bounds neither c nor d (c = a − b, d = b + 10 − a).
    const cell = (id: number, value: number): Cell => ({ id, key: { k: String(id) }, tables: [0], value });
    const cells = [cell(0, 9), cell(1, 5), cell(2, 4), cell(3, 6), cell(4, 15), cell(5, 10)];
    const constraints: Constraint[] = [
      { id: 0, total: 0, parts: [1, 2], dim: 'a' },
      { id: 1, total: 4, parts: [0, 3], dim: 'b' },
      { id: 2, total: 4, parts: [1, 5], dim: 'c' },
    ];
    const s = structureOf(cells, constraints);
    const suppressed = Uint8Array.of(1, 1, 1, 1, 1, 0);
    const sensitive = Uint8Array.of(0, 0, 1, 0, 0, 0);
    const rules = thresholdRules(s.n, sensitive, 5, 5);
    const highs = await loadHighs();
    const exact = new AuditEngine(highs, s, rules).run(suppressed, 'exact');
    expect([...exact.hi].slice(0, 5)).toEqual([Infinity, Infinity, 10, 10, Infinity]);
    const engine = new AuditEngine(highs, s, rules);
    const judge = engine.run(suppressed, 'judge');
    for (let i = 0; i < 5; i++) {
      expect(judge.ok[i]).toBe(exact.ok[i]);
      expect(judge.hi[i]).toBeLessThanOrEqual(exact.hi[i]!);
    }
    expect(judge.hi[0]).toBe(Infinity); // the ray LP's answer for the unbounded ones
  });
});

describe('feasiblePoint', () => {
  // x0 + x1 = 3, x1 − x2 = 1 (as a range row), 0 ≤ x ≤ 5
  const sys: SparseSystem = {
    numCols: 3,
    colLower: Float64Array.of(0, 0, 0),
    colUpper: Float64Array.of(5, 5, 5),
    rowStart: [0, 2, 4],
    rowIndex: [0, 1, 1, 2],
    rowValue: [1, 1, 1, -1],
    rowLower: [3, 1],
    rowUpper: [3, 1],
  };
  it('accepts a feasible point, also within the tolerance', () => {
    expect(feasiblePoint(sys, Float64Array.of(1, 2, 1))).toBe(true);
    expect(feasiblePoint(sys, Float64Array.of(1 + 1e-9, 2, 1))).toBe(true);
  });
  it('refuses a point off a row, outside a box, or not a number', () => {
    expect(feasiblePoint(sys, Float64Array.of(1, 2, 1.5))).toBe(false);
    expect(feasiblePoint(sys, Float64Array.of(1.001, 2, 1))).toBe(false);
    expect(feasiblePoint(sys, Float64Array.of(-1, 4, 3))).toBe(false);
    expect(feasiblePoint(sys, Float64Array.of(Number.NaN, 2, 1))).toBe(false);
  });

  // The single LPs after the batches, on a large sub-component, first solved exactly for every
  // uncertain class and shared with helper threads (lp-parallel.ts): forced here on smaller
  // sub-components, batches cut to 1 iteration so that many ends are left. The verdicts must be
  // the exact audit's, and every interval the same with no helper thread as with one.
  it('same verdicts as the exact audit, and the same intervals with or without helper threads', async () => {
    const highs = await loadHighs();
    /** A fresh copy of the engine modules, with CONTAMOS_LP_THREADS as given. */
    const engineWith = async (threads: string | undefined) => {
      if (threads === undefined) delete process.env.CONTAMOS_LP_THREADS;
      else process.env.CONTAMOS_LP_THREADS = threads;
      vi.resetModules();
      const mod = await import('../../server/disclosure/interval-audit.js');
      const par = await import('../../server/disclosure/lp-parallel.js');
      mod.AuditEngine.judgeBatchIterations = 1;
      mod.AuditEngine.parallelMinClasses = 16;
      return { Engine: mod.AuditEngine, helpers: par.helperCount() };
    };
    const none = await engineWith('0');
    const some = await engineWith('1');
    delete process.env.CONTAMOS_LP_THREADS;
    expect(none.helpers).toBe(0);
    let shared = 0;
    for (const seed of [1, 2, 3]) {
      const { s, suppressed, sensitive } = bigPattern(seed);
      const rules = thresholdRules(s.n, sensitive, 5, 5);
      const exact = new AuditEngine(highs, s, rules).run(suppressed, 'exact');
      const alone = new none.Engine(highs, s, rules).run(suppressed, 'judge');
      const engine = new some.Engine(highs, s, rules);
      const judge = engine.run(suppressed, 'judge');
      shared += engine.helperSolves;
      for (let i = 0; i < s.n; i++) {
        if (!suppressed[i]) continue;
        expect(judge.ok[i]).toBe(exact.ok[i]);
        expect(judge.lo[i]).toBeGreaterThanOrEqual(exact.lo[i]!);
        expect(judge.hi[i]).toBeLessThanOrEqual(exact.hi[i]!);
        expect([judge.ok[i], judge.lo[i], judge.hi[i]], `cell ${i}, seed ${seed}`).toEqual([alone.ok[i], alone.lo[i], alone.hi[i]]);
      }
    }
    // where a helper thread can start, it did share the work
    if (some.helpers > 0) expect(shared).toBeGreaterThan(0);
  }, 120_000);
});

// The second lane of judge-mode batches (lp-parallel.ts `BatchPartner`): a helper thread when one is
// ready, else a second model on the main thread. Given the same batches, both must return the same
// points, bit for bit — so an audit does not depend on whether a helper thread was free.
describe('the second lane of batch LPs', () => {
  it('returns the same points on a helper thread as on a model of the main thread', async () => {
    const highs = await loadHighs();
    const { s, suppressed } = bigPattern(4);
    // The LP of the hidden cells: the published values substituted, as the audit builds it.
    const hidden = [...suppressed.keys()].filter((i) => suppressed[i]);
    const col = new Map(hidden.map((c, j) => [c, j]));
    const rowStart = [0];
    const rowIndex: number[] = [];
    const rowValue: number[] = [];
    const rhs: number[] = [];
    for (let j = 0; j < s.m; j++) {
      let r = 0;
      let any = false;
      for (let q = s.conStart[j]!; q < s.conStart[j + 1]!; q++) {
        const c = s.conCells[q]!;
        const a = q === s.conStart[j] ? 1 : -1; // total − Σ parts = 0
        if (suppressed[c]) {
          rowIndex.push(col.get(c)!);
          rowValue.push(a);
          any = true;
        } else r -= a * s.values[c]!;
      }
      if (!any) continue;
      rhs.push(r);
      rowStart.push(rowIndex.length);
    }
    const sys: SparseSystem = {
      numCols: hidden.length,
      colLower: new Float64Array(hidden.length),
      colUpper: new Float64Array(hidden.length).fill(Infinity),
      rowStart,
      rowIndex,
      rowValue,
      rowLower: rhs,
      rowUpper: rhs,
    };
    const lane = async (threads: string) => {
      process.env.CONTAMOS_LP_THREADS = threads;
      vi.resetModules();
      const par = await import('../../server/disclosure/lp-parallel.js');
      // The first basis from the interior-point method, as on large systems (both lanes alike).
      (await import('../../server/disclosure/lp.js')).ExtremeSolver.IPM_START = sys.numCols - 1;
      for (let wait = 0; wait < 200 && threads !== '0' && par.helperCount() === 0; wait++) await new Promise((r) => setTimeout(r, 50));
      const partner = new par.BatchPartner(highs, sys);
      const points: Array<Float64Array | undefined> = [];
      for (let b = 0; b < 12; b++) {
        const cols = Array.from({ length: 20 }, (_, t) => (b * 37 + t * 11) % sys.numCols);
        partner.start(cols, b % 3 === 2 ? undefined : 5 + b);
        points.push(partner.finish());
      }
      const onHelper = partner.helperBatches;
      partner.dispose();
      return { points, onHelper };
    };
    const here = await lane('0');
    const helper = await lane('1');
    delete process.env.CONTAMOS_LP_THREADS;
    expect(here.onHelper).toBe(0);
    expect(helper.onHelper).toBe(12); // every batch went to the helper thread
    // Batches run to their optimum give feasible points (the stopped ones are checked by the audit).
    here.points.forEach((x, b) => b % 3 === 2 && expect(x !== undefined && feasiblePoint(sys, x), `batch ${b}`).toBe(true));
    // Different batches move different columns: the points are not all one point.
    expect(new Set(here.points.map((x) => x?.join(','))).size).toBeGreaterThan(6);
    helper.points.forEach((x, b) => expect(x && [...x], `batch ${b}`).toEqual(here.points[b] && [...here.points[b]!]));
  }, 120_000);
});
