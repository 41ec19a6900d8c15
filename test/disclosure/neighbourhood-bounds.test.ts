// Outer bounds from a class's neighbourhood (interval-audit.ts `boundByNeighbourhood`, lp.ts
// `boundByDuality`): a bound computed by weak duality from whatever multipliers HiGHS returns is
// never inside the true extreme, even when the multipliers are garbage; and judge mode, which uses
// such bounds to refute classes before any single LP, gives exactly the exact audit's verdicts,
// with fewer LPs over the whole sub-component.
import type { Highs } from 'highs';
import { afterEach, describe, expect, it } from 'vitest';
import { AuditEngine, loadHighs, thresholdRules } from '../../server/disclosure/index.js';
import { boundByDuality, type SparseSystem } from '../../server/disclosure/lp.js';
import { randomPattern } from '../helpers/random-pattern.js';
import { randomSystem, reference } from '../helpers/random-system.js';
import { mulberry32 } from '../helpers/seeded-random.js';

afterEach(() => {
  AuditEngine.neighbourhoodRadius = 2;
  AuditEngine.judgeBatchIterations = 200;
  AuditEngine.parallelMinClasses = 800;
});

/** A random feasible system (free columns, one-sided rows, coefficients −2..2), larger than lp.ts's tests use. */
const system = (seed: number) => randomSystem(seed, { cols: [8, 30], rows: [3, 20] });

/** The true extreme of column j, from the independent reference solver. */
const extremeOf = (sys: SparseSystem, j: number, sense: 1 | -1): Promise<number> => reference(sys, new Map([[j, 1]]), sense === -1);

/** `highs`, except that every model's solution carries the row multipliers `garble` makes of HiGHS's. */
function withRowDuals(highs: Highs, garble: (y: Float64Array) => Float64Array): Highs {
  const fake = Object.create(highs) as Highs;
  fake.createModel = ((...args: Parameters<Highs['createModel']>) => {
    const model = highs.createModel(...args);
    const getSolution = model.getSolution.bind(model);
    Object.defineProperty(model, 'getSolution', {
      configurable: true,
      writable: true,
      value: () => {
        const sol = getSolution();
        return { ...sol, rowDual: garble(Float64Array.from(sol.rowDual)) };
      },
    });
    return model;
  }) as Highs['createModel'];
  return fake;
}

describe('boundByDuality', () => {
  // Valid on any system; tight where every column is boxed, as in the audit's neighbourhoods (each
  // class boxed by non-negativity and propagation): where a column has no bound on one side, a
  // rounding error in its reduced cost makes the bound infinite, still valid.
  it('bounds each extreme from outside, and with HiGHS’s multipliers meets it on boxed systems', async () => {
    const highs = await loadHighs();
    let met = 0;
    let ends = 0;
    for (let seed = 1; seed <= 40; seed++) {
      const loose = system(seed);
      const sys = {
        ...loose,
        colLower: loose.colLower.map((v) => Math.max(v, -1000)),
        colUpper: loose.colUpper.map((v) => Math.min(v, 1000)),
      };
      for (let j = 0; j < sys.numCols; j += 3) {
        for (const sense of [-1, 1] as const) {
          const truth = await extremeOf(sys, j, sense);
          const bound = boundByDuality(highs, sys, j, sense);
          if (Number.isFinite(truth)) ends++;
          if (sense === -1) expect(bound, `seed ${seed} max x${j}`).toBeGreaterThanOrEqual(truth - 1e-9);
          else expect(bound, `seed ${seed} min x${j}`).toBeLessThanOrEqual(truth + 1e-9);
          if (Number.isFinite(truth) && Math.abs(bound - truth) <= 1e-6 * (1 + Math.abs(truth))) met++;
        }
      }
    }
    // not only valid but tight: the optimum's own multipliers give the optimum
    expect(met).toBe(ends);
  });

  // The attacker's side of a bound: if the bound could fall inside the true interval, a safe cell
  // could be judged failing (harmless) — or, used as an inner value, an unsafe one passing. The
  // bound must hold whatever HiGHS answers: multipliers scaled, flipped, perturbed or random.
  it('is never inside the true extreme, whatever multipliers the solver returns', async () => {
    const highs = await loadHighs();
    const garbles: Array<[string, (y: Float64Array, rnd: () => number) => Float64Array]> = [
      ['flipped', (y) => y.map((v) => -v)],
      ['scaled', (y) => y.map((v) => 3 * v)],
      ['perturbed', (y, rnd) => y.map((v) => v + (rnd() - 0.5) * 1e-3)],
      ['random', (y, rnd) => y.map(() => (rnd() - 0.5) * 10)],
      ['zero', (y) => y.map(() => 0)],
    ];
    for (const [name, garble] of garbles) {
      const rnd = mulberry32(7);
      const fake = withRowDuals(highs, (y) => garble(y, rnd));
      for (let seed = 1; seed <= 25; seed++) {
        const sys = system(seed);
        for (let j = 0; j < sys.numCols; j += 4) {
          const max = await extremeOf(sys, j, -1);
          const min = await extremeOf(sys, j, 1);
          expect(boundByDuality(fake, sys, j, -1), `${name}, seed ${seed}, max x${j}`).toBeGreaterThanOrEqual(max - 1e-9);
          expect(boundByDuality(fake, sys, j, 1), `${name}, seed ${seed}, min x${j}`).toBeLessThanOrEqual(min + 1e-9);
        }
      }
    }
  });
});

describe('judge mode with neighbourhood bounds', () => {
  /**
   * A sparse pattern (as a real release's: few hidden cells per row) on a 3-way table with
   * margins, where a third of the hidden cells need one more than their exact maximum: they fail,
   * by the smallest margin, so only an exact bound refutes them.
   */
  const hardCase = async (seed: number, density: number) => {
    const highs = await loadHighs();
    const { s, suppressed, sensitive } = randomPattern(seed, [10, 8, 5], density);
    const rules = thresholdRules(s.n, sensitive, 5, 5);
    const first = new AuditEngine(highs, s, rules).run(suppressed, 'exact');
    for (let i = 0, t = 0; i < s.n; i++) if (suppressed[i] && Number.isFinite(first.hi[i]!) && t++ % 3 === 0) rules.need[i] = first.hi[i]! + 1;
    const exact = new AuditEngine(highs, s, rules).run(suppressed, 'exact');
    return { s, suppressed, rules, exact };
  };

  it('gives the exact audit’s verdicts, inner intervals inside the exact ones, with fewer whole-system LPs', async () => {
    const highs = await loadHighs();
    AuditEngine.judgeBatchIterations = 1;
    AuditEngine.parallelMinClasses = 10;
    let saved = 0;
    let settled = 0;
    let failing = 0;
    for (const seed of [1, 2, 3]) {
      for (const density of [0.05, 0.1]) {
        const { s, suppressed, rules, exact } = await hardCase(seed, density);
        AuditEngine.neighbourhoodRadius = 0;
        const plain = new AuditEngine(highs, s, rules);
        const without = plain.run(suppressed, 'judge');
        expect(plain.neighbourhoodLps).toBe(0);
        AuditEngine.neighbourhoodRadius = 2;
        const engine = new AuditEngine(highs, s, rules);
        const judge = engine.run(suppressed, 'judge');
        for (let i = 0; i < s.n; i++) {
          if (!suppressed[i]) continue;
          expect(judge.ok[i], `cell ${i}, seed ${seed}, density ${density}`).toBe(exact.ok[i]);
          expect(without.ok[i]).toBe(exact.ok[i]);
          expect(judge.lo[i]).toBeGreaterThanOrEqual(exact.lo[i]!);
          expect(judge.hi[i]).toBeLessThanOrEqual(exact.hi[i]!);
          if (!exact.ok[i]) failing++;
        }
        settled += engine.neighbourhoodSettled;
        saved += plain.lpSolves - (engine.lpSolves - engine.neighbourhoodLps);
      }
    }
    expect(failing).toBeGreaterThan(0);
    // the neighbourhood bounds refuted classes that would otherwise each take an LP over the whole sub-component
    expect(settled).toBeGreaterThan(5);
    expect(saved).toBeGreaterThan(0);
  }, 120_000);
});
