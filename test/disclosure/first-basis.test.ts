// A large sub-component's first basis by crossover from the true table (lp.ts `firstBasis`,
// interval-audit.ts `AuditEngine.startFromTruth`): it only decides where the simplex starts, so
// every exact interval and every verdict must be exactly what the interior-point start gives, in
// exact and judge mode, on this thread and with helpers; and crossover must really be what ran.
import type { Highs, Model, ModelData } from 'highs';
import { afterEach, expect, it } from 'vitest';
import { AuditEngine, loadHighs, thresholdRules } from '../../server/disclosure/index.js';
import { ExtremeSolver } from '../../server/disclosure/lp.js';
import { randomPattern } from '../helpers/random-pattern.js';

afterEach(() => {
  ExtremeSolver.IPM_START = 1500;
  AuditEngine.startFromTruth = true;
  AuditEngine.parallelMinClasses = 800;
});

/** HiGHS whose models count their crossover calls and interior-point runs. */
function counting(real: Highs) {
  const counts = { crossovers: 0, ipmRuns: 0 };
  const fake = Object.create(real) as Highs;
  fake.createModel = ((data: ModelData): Model => {
    const m = real.createModel(data);
    const crossover = m.crossover.bind(m);
    const run = m.run.bind(m);
    Object.defineProperty(m, 'crossover', {
      value: (input: Parameters<Model['crossover']>[0]) => {
        counts.crossovers++;
        return crossover(input);
      },
    });
    Object.defineProperty(m, 'run', {
      value: (...args: Parameters<Model['run']>) => {
        if (m.options.get('solver') === 'ipm') counts.ipmRuns++;
        return run(...args);
      },
    });
    return m;
  }) as Highs['createModel'];
  return { highs: fake, counts };
}

it('crossover from the true table gives exactly the intervals and verdicts of the interior-point start', async () => {
  const real = await loadHighs();
  ExtremeSolver.IPM_START = 40; // every sub-component here is "large"
  let compared = 0;
  for (const seed of [11, 12, 13, 14, 15, 16]) {
    const { s, suppressed, sensitive } = randomPattern(seed, [9, 7, 5], 0.4);
    const rules = thresholdRules(s.n, sensitive, 5, 5);
    for (const mode of ['exact', 'judge'] as const) {
      for (const parallelMin of [800, 10]) {
        AuditEngine.parallelMinClasses = parallelMin;
        AuditEngine.startFromTruth = false;
        const ipm = counting(real);
        const ref = new AuditEngine(ipm.highs, s, rules).run(suppressed, mode);
        AuditEngine.startFromTruth = true;
        const xo = counting(real);
        const got = new AuditEngine(xo.highs, s, rules).run(suppressed, mode);
        const tag = `seed ${seed}, ${mode}, parallelMinClasses ${parallelMin}`;
        expect(got.failing, tag).toEqual(ref.failing);
        expect(Array.from(got.ok), tag).toEqual(Array.from(ref.ok));
        if (mode === 'exact') {
          expect(Array.from(got.lo), tag).toEqual(Array.from(ref.lo));
          expect(Array.from(got.hi), tag).toEqual(Array.from(ref.hi));
        }
        // the reference never crossed over from a point; this run did, on this thread at least
        expect(ipm.counts.crossovers, tag).toBe(0);
        if (ipm.counts.ipmRuns > 0) {
          expect(xo.counts.crossovers, tag).toBeGreaterThan(0);
          // (exact mode has no capped LP, the one other interior-point run)
          if (mode === 'exact') expect(xo.counts.ipmRuns, tag).toBe(0);
          compared++;
        }
      }
    }
  }
  expect(compared).toBeGreaterThan(12);
}, 120_000);
