// Red team of judge mode's single LPs stopped once a checked point settles the verdict
// (`AuditEngine.judgeSingleSteps`, lp.ts `extremeUnless`; 2026-12-07, third session). The attacker
// holds the published tables; the engine's promise is that an early stop never turns a verdict:
// judge mode must give the exact audit's verdicts, inner intervals inside the exact ones, the same
// answer twice, whatever the step (1, 2, 3, 7), the batch iterations (0, 1, 200) and the path
// (helper-thread path forced with parallelMinClasses 10), on threshold rules and random monotone
// rules (holdings-like, band-like), large counts included; and no publication of seeded grid logs
// may leak in the independent full-model LP. Early stops are counted so that no test passes
// without the new path having run. The red team's wider searches with the same checks (798 seeded
// systems, 250 grid logs: no finding but the one pinned below) are in docs/performance.md.
process.env.CONTAMOS_LP_THREADS ??= '0';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { forgetCarried } from '../../server/disclosure/global/carry.js';
import { GRID, GRID_HIER, GRID_TABLES, gridOpArb, hiddenIntervals, replayGridLog, Sim, type GridLog } from '../disclosure/global-helpers.js';
import { AuditEngine, loadHighs, thresholdRules } from '../../server/disclosure/index.js';
import { emptyRules, type Rules } from '../../server/disclosure/rules.js';
import { mulberry32 } from '../helpers/seeded-random.js';
import { randomPattern } from '../helpers/random-pattern.js';

/** randomPattern with some large counts (a share of cells 10^3..10^6): rows with large terms, where feasiblePoint's relative tolerance is widest (capped at 1e-6). */
function bigPattern(seed: number, shape: readonly [number, number, number], share: number) {
  return randomPattern(seed, shape, share, (rand) => (rand() < 0.2 ? Math.floor(10 ** (3 + 3 * rand())) : Math.floor(rand() * 12)));
}

type Shape = [number, number, number];
const SHAPES: Array<[Shape, number]> = [
  [[10, 8, 5], 0.45],
  [[6, 6, 4], 0.3],
  [[8, 5, 3], 0.6],
  [[5, 4, 4], 0.2],
  [[12, 6, 3], 0.5],
  [[7, 7, 2], 0.7],
];

/** Random monotone rules: need, width, lowAlt, pin per cell (a superset of threshold / holdings / band-like rules). */
function randomRules(seed: number, values: Float64Array | number[], sensitive: Uint8Array): Rules {
  const rand = mulberry32(seed * 7919 + 13);
  const n = values.length;
  const r = emptyRules(n);
  for (let i = 0; i < n; i++) {
    const v = values[i]!;
    const kind = rand();
    if (sensitive[i] || kind < 0.3) {
      // holdings-like: need = own share + k, width p
      r.need[i] = v + 1 + Math.floor(rand() * 6);
      r.width[i] = Math.floor(rand() * 5);
      r.pin[i] = 1;
    } else if (kind < 0.5) {
      // band-like: hi ≥ need or lo ≤ lowAlt
      r.need[i] = v + 1 + Math.floor(rand() * 4);
      r.lowAlt[i] = v - 1 - Math.floor(rand() * 3);
    } else {
      r.need[i] = 3 + Math.floor(rand() * 4);
      r.pin[i] = rand() < 0.7 ? 1 : 0;
    }
  }
  return r;
}

interface Case {
  seed: number;
  shape: number;
  rules: 'threshold' | 'random';
  big?: boolean;
}

const saved = {
  steps: AuditEngine.judgeSingleSteps,
  batch: AuditEngine.judgeBatchIterations,
  pmc: AuditEngine.parallelMinClasses,
};
afterEach(() => {
  AuditEngine.judgeSingleSteps = saved.steps;
  AuditEngine.judgeBatchIterations = saved.batch;
  AuditEngine.parallelMinClasses = saved.pmc;
});

function build(c: Case) {
  const [shape, share] = SHAPES[c.shape % SHAPES.length]!;
  const { s, suppressed, sensitive } = (c.big ? bigPattern : randomPattern)(c.seed, shape, share);
  const k = 3 + (c.seed % 3);
  const rules = c.rules === 'threshold' ? thresholdRules(s.n, sensitive, k, k) : randomRules(c.seed, s.values, sensitive);
  return { s, suppressed, sensitive, rules };
}

/** Single LPs stopped early over the cases `checkCase` ran. */
const earlyInCases = { n: 0 };

/** Compares judge runs (several settings, twice each, and on an engine already used on a smaller pattern) with the exact audit. */
async function checkCase(c: Case, steps: number[], batchIters: number[], pmcs: number[]): Promise<string[]> {
  const highs = await loadHighs();
  const { s, suppressed, rules } = build(c);
  const problems: string[] = [];
  const exact = new AuditEngine(highs, s, rules).run(suppressed, 'exact');
  // A smaller pattern (some secondaries shown), audited first on the same engine: its reach is valid for the larger one.
  const rand = mulberry32(c.seed + 99);
  const smaller = Uint8Array.from(suppressed, (h, i) => (h && rules.width[i] === 0 && rand() < 0.3 ? 0 : h));
  let early = 0;
  for (const st of steps)
    for (const bi of batchIters)
      for (const pmc of pmcs) {
        AuditEngine.judgeSingleSteps = st;
        AuditEngine.judgeBatchIterations = bi;
        AuditEngine.parallelMinClasses = pmc;
        const tag = `seed ${c.seed} shape ${c.shape} ${c.rules} steps ${st} batch ${bi} pmc ${pmc}`;
        const runs = [];
        for (let t = 0; t < 2; t++) {
          const e = new AuditEngine(highs, s, rules);
          runs.push(e.run(suppressed, 'judge'));
          early += e.settledEarly;
        }
        const warm = new AuditEngine(highs, s, rules);
        warm.run(smaller, 'judge');
        runs.push(warm.run(suppressed, 'judge'));
        early += warm.settledEarly;
        // failingAmong for a random focus
        const focus = Uint8Array.from(suppressed, (h) => (h && rand() < 0.5 ? 1 : 0));
        const fa = new AuditEngine(highs, s, rules).failingAmong(suppressed, focus);
        const faExpected = [...focus.keys()].filter((i) => focus[i] && !exact.ok[i]);
        if (JSON.stringify(fa) !== JSON.stringify(faExpected))
          problems.push(`${tag}: failingAmong ${JSON.stringify(fa)} vs exact ${JSON.stringify(faExpected)}`);
        for (let i = 0; i < s.n; i++) {
          if (!suppressed[i]) continue;
          runs.forEach((r, t) => {
            if (r.ok[i] !== exact.ok[i])
              problems.push(
                `${tag} run ${t}: cell ${i} judge ok ${r.ok[i]} exact ${exact.ok[i]} (judge [${r.lo[i]}, ${r.hi[i]}], exact [${exact.lo[i]}, ${exact.hi[i]}])`,
              );
            if (!(r.lo[i]! >= exact.lo[i]!) || !(r.hi[i]! <= exact.hi[i]!))
              problems.push(`${tag} run ${t}: cell ${i} inner [${r.lo[i]}, ${r.hi[i]}] outside exact [${exact.lo[i]}, ${exact.hi[i]}]`);
          });
          if (runs[0]!.lo[i] !== runs[1]!.lo[i] || runs[0]!.hi[i] !== runs[1]!.hi[i])
            problems.push(`${tag}: nondeterministic cell ${i}: [${runs[0]!.lo[i]}, ${runs[0]!.hi[i]}] vs [${runs[1]!.lo[i]}, ${runs[1]!.hi[i]}]`);
        }
      }
  earlyInCases.n += early;
  return problems;
}

// ---------- Global model: seeded grid logs, judgeSingleSteps 1 (and 2) against 0 ----------
const TABLES: string[][][] = [...GRID_TABLES, [['a']], [['b']]];
interface Log extends GridLog {
  minK: number;
  coalition: number;
  hier: boolean;
}
const logArb: fc.Arbitrary<Log> = fc.record({
  minK: fc.constantFrom(2, 3),
  coalition: fc.constantFrom(1, 2),
  members: fc.integer({ min: 2, max: 4 }),
  hier: fc.boolean(),
  c23: fc.array(fc.integer({ min: 0, max: 6 }), { minLength: 12, maxLength: 12 }),
  c24: fc.array(fc.integer({ min: 0, max: 6 }), { minLength: 12, maxLength: 12 }),
  ops: fc.array(gridOpArb(TABLES.length, fc.constantFrom(2, 3, 4, 5)), { minLength: 3, maxLength: 10 }),
});

/** Single LPs stopped early, over every engine (counted around run and failingAmong). */
const earlyCount = { n: 0 };
for (const name of ['run', 'failingAmong'] as const) {
  const orig = AuditEngine.prototype[name] as (...a: unknown[]) => unknown;
  (AuditEngine.prototype as unknown as Record<string, unknown>)[name] = function (this: AuditEngine, ...a: unknown[]) {
    const before = this.settledEarly;
    try {
      return orig.apply(this, a);
    } finally {
      earlyCount.n += this.settledEarly - before;
    }
  };
}

async function replay(log: Log, steps: number) {
  AuditEngine.judgeSingleSteps = steps;
  forgetCarried();
  const sim = new Sim(GRID, log.hier ? GRID_HIER : {}, log.minK, log.coalition);
  try {
    const r = await replayGridLog(sim, log, TABLES, (o) => Math.max(o.k ?? log.minK, log.minK));
    return { sim, ...r, picture: JSON.stringify(r.pubs.map((m) => [...m])) };
  } finally {
    AuditEngine.judgeSingleSteps = saved.steps;
    forgetCarried();
  }
}

/** Hidden cells of each publication that leak in the independent full-model LP (hi < k or pinned). */
async function leaks(sim: Sim, count: number): Promise<string[]> {
  const out: string[] = [];
  for (let p = 0; p < count; p++)
    for (const { key, lo, hi, k } of await hiddenIntervals(sim, p)) if (hi < k || lo >= hi) out.push(`publication ${p} ${key} [${lo}, ${hi}] k ${k}`);
  return out;
}

async function globalSearch(numRuns: number, seed: number, stepsList = [1]) {
  const found = { logs: 0, differ: [] as string[], nondet: [] as string[], leaks: [] as string[], errs: [] as string[] };
  await fc.assert(
    fc.asyncProperty(logArb, async (log) => {
      found.logs++;
      const tell = JSON.stringify(log);
      const base = await replay(log, 0);
      for (const steps of stepsList) {
        const a = await replay(log, steps);
        const b = await replay(log, steps);
        if (a.picture !== b.picture || a.err !== b.err) found.nondet.push(`steps ${steps} ${tell}`);
        if (a.picture !== base.picture || a.err !== base.err) {
          found.differ.push(`steps ${steps}: ${a.pubs.length} pubs (${a.err}) vs ${base.pubs.length} (${base.err}) ${tell}`);
          found.leaks.push(...(await leaks(a.sim, a.pubs.length)).map((l) => `steps ${steps} ${l} ${tell}`));
          found.leaks.push(...(await leaks(base.sim, base.pubs.length)).map((l) => `steps 0 ${l} ${tell}`));
        } else if (found.logs % 4 === 0) found.leaks.push(...(await leaks(a.sim, a.pubs.length)).map((l) => `steps ${steps} ${l} ${tell}`));
        if (a.err && !base.err) found.errs.push(`steps ${steps}: ${a.err} ${tell}`);
      }
    }),
    { numRuns, seed },
  );
  return found;
}

// ---------- Kept tests (fast): each asserts behaviour that a wrong early stop would break ----------

describe('judge mode with early-stopped single LPs against the exact audit (seeded systems)', () => {
  // DEFENDED: same verdicts as the exact audit, inner intervals inside the exact ones, the same
  // lo/hi twice, on a fresh engine and on one whose reach comes from a smaller pattern, and
  // failingAmong agrees; threshold rules and random monotone rules (holdings-like need = own + k,
  // band-like need/lowAlt, widths), six table shapes, large counts too; helper path forced (pmc 10).
  it('steps 1, 2, 3, 7 × batch iterations 0, 1, 200 × parallelMinClasses 10, 800', async () => {
    let problems: string[] = [];
    earlyInCases.n = 0;
    for (const seed of [5, 6, 7, 8, 9, 10])
      for (const rules of ['threshold', 'random'] as const)
        problems = problems.concat(await checkCase({ seed, shape: seed % SHAPES.length, rules, big: seed % 2 === 0 }, [1, 2, 3, 7], [0, 1, 200], [10, 800]));
    expect(problems).toEqual([]);
    // the early stop actually happened (else this test would prove nothing)
    expect(earlyInCases.n).toBeGreaterThan(50);
  }, 180_000);
});

describe('ExtremeSolver.extremeUnless edge cases', () => {
  it('an unbounded column ends exact at ±Infinity with one solve; an exception in `enough` restores the iteration limit', async () => {
    const { ExtremeSolver } = await import('../../server/disclosure/lp.js');
    const highs = await loadHighs();
    // x0 + x1 − x2 − x3 = 2, x2 + x4 − x5 = 1, x0 − x5 + x6 = 3, x ≥ 0: every column unbounded above, minimum 0
    const sys = {
      numCols: 7,
      colLower: new Float64Array(7),
      colUpper: new Float64Array(7).fill(Infinity),
      rowStart: [0, 4, 7, 10],
      rowIndex: [0, 1, 2, 3, 2, 4, 5, 0, 5, 6],
      rowValue: [1, 1, -1, -1, 1, 1, -1, 1, -1, 1],
      rowLower: [2, 1, 3],
      rowUpper: [2, 1, 3],
    };
    const s = new ExtremeSolver(highs, sys);
    try {
      for (const step of [1, 2, 3])
        for (let j = 0; j < 7; j++)
          for (const sense of [-1, 1] as const) {
            const before = s.solves;
            const r = s.extremeUnless(j, sense, step, () => false);
            expect(r.exact).toBe(true);
            expect(r.value).toBe(sense === -1 ? Infinity : 0);
            expect(s.solves - before).toBe(1);
          }
      // an exception thrown by `enough`: the next LP still runs to its optimum in one run
      let threw = 0;
      for (let j = 0; j < 7; j++)
        try {
          s.extremeUnless(j, -1, 1, () => {
            throw new Error('boom');
          });
        } catch {
          threw++;
        }
      expect(threw).toBeGreaterThan(0);
      let looked = 0;
      const r = s.extremeUnless(1, 1, 1 << 30, () => {
        looked++;
        return false;
      });
      expect(looked).toBe(0);
      expect(r.value).toBe(0);
    } finally {
      s.dispose();
    }
  });
});

describe('global model: seeded grid logs, judgeSingleSteps 1 and 2 against 0', () => {
  // DEFENDED: no hidden cell below k or pinned in the independent full-model LP, the same log twice
  // gives the same publications. NOT the same cells as steps 0 in every log: see DIFF_LOG below.
  it('no leak, deterministic (12 logs)', async () => {
    const before = earlyCount.n;
    const f = await globalSearch(12, 7, [1, 2]);
    expect(earlyCount.n - before, 'single LPs stopped early inside the protection').toBeGreaterThan(0);
    expect(f.logs).toBe(12);
    expect(f.leaks).toEqual([]);
    expect(f.nondet).toEqual([]);
  }, 180_000);

  // Found by the search (150 logs, seed 7): with judgeSingleSteps 2 the third publication hides
  // {b:b1} on top of {b:b2}, {b:b3} (steps 0, 1, 3, 100: only the two), and the fourth {a:a1} instead
  // of {a:a3}. Both safe in the full model: the reach (inner intervals) differs, and the repair's
  // choices depend on it. Asserted here: both safe, and steps 2 deterministic.
  const DIFF_LOG: Log = {
    minK: 2,
    coalition: 1,
    members: 3,
    hier: false,
    c23: [2, 3, 5, 6, 1, 1, 2, 1, 2, 2, 4, 2],
    c24: [4, 4, 1, 6, 1, 2, 2, 3, 3, 6, 5, 2],
    ops: [
      { op: 'pub', series: 's', tables: 2, years: [2023], k: 2 },
      { op: 'pub', series: 't', tables: 2, years: [2024], k: 2 },
      { op: 'add', year: 2023, cell: 2, n: 2 },
      { op: 'add', year: 2024, cell: 3, n: 2 },
      { op: 'add', year: 2023, cell: 10, n: 3 },
      { op: 'add', year: 2023, cell: 7, n: 1 },
      { op: 'pub', series: 't', tables: 6, years: [2023, 2024], k: 3 },
      { op: 'pub', series: 't', tables: 5, years: [2024], k: 4 },
    ],
  };
  it('a log where steps 2 hides other cells than steps 0: both safe, deterministic', async () => {
    const base = await replay(DIFF_LOG, 0);
    const two = await replay(DIFF_LOG, 2);
    const again = await replay(DIFF_LOG, 2);
    expect(base.err).toBeUndefined();
    expect(two.err).toBeUndefined();
    expect(again.picture).toBe(two.picture);
    expect(await leaks(base.sim, base.pubs.length)).toEqual([]);
    expect(await leaks(two.sim, two.pubs.length)).toEqual([]);
  }, 60_000);
});
