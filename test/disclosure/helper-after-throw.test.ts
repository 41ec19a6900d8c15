// A helper thread's answer is only ever read as the answer to the work it was sent for
// (lp-parallel.ts). Attack (found by a red-team helper): an audit throws while a helper still owes
// the answer to its share; the next audit that uses the helper used to read that stale answer as
// its own, and an exact audit then passed hidden cells the true audit fails. Here the throw is
// injected into the main thread's share, after the helper got its own; every later audit, exact
// and judge, must give exactly what audits without helpers give.
import { afterEach, expect, it, vi } from 'vitest';
import { AuditEngine, loadHighs, thresholdRules } from '../../server/disclosure/index.js';
import { ExtremeSolver } from '../../server/disclosure/lp.js';
import { helperCount } from '../../server/disclosure/lp-parallel.js';
import { randomPattern } from '../helpers/random-pattern.js';

process.env.CONTAMOS_LP_THREADS ??= '1'; // one helper thread even on a one-core machine (read at first use)

afterEach(() => {
  AuditEngine.parallelMinClasses = 800;
  vi.restoreAllMocks();
});

it('an audit that throws while a helper owes an answer leaves every later audit as without helpers', async () => {
  const highs = await loadHighs();
  const victims = [2, 3, 4, 5].map((seed) => {
    const { s, suppressed, sensitive } = randomPattern(seed, [10, 8, 5], 0.45);
    return { s, suppressed, rules: thresholdRules(s.n, sensitive, 5, 5) };
  });
  // references: these components are below parallelMinClasses (800), so no helper takes part
  const refs = victims.map((p) => new AuditEngine(highs, p.s, p.rules).run(p.suppressed, 'exact'));
  AuditEngine.parallelMinClasses = 10;
  for (let t = 0; t < 100 && helperCount() === 0; t++) await new Promise((r) => setTimeout(r, 100));
  expect(helperCount()).toBeGreaterThan(0);
  // the main thread's first single LP throws: its share of the open ends, the helper's already sent
  const spy = vi.spyOn(ExtremeSolver.prototype, 'extreme').mockImplementationOnce(() => {
    throw new Error('injected');
  });
  const first = victims[0]!;
  expect(() => new AuditEngine(highs, first.s, first.rules).run(first.suppressed, 'exact')).toThrow('injected');
  expect(spy).toHaveBeenCalled();
  spy.mockRestore();
  for (const mode of ['exact', 'judge', 'exact'] as const) {
    victims.forEach((p, k) => {
      const r = new AuditEngine(highs, p.s, p.rules).run(p.suppressed, mode);
      const ref = refs[k]!;
      for (let i = 0; i < p.s.n; i++) {
        if (!p.suppressed[i]) continue;
        const what = `${mode}, pattern ${k}, cell ${i}: [${r.lo[i]}, ${r.hi[i]}] against [${ref.lo[i]}, ${ref.hi[i]}]`;
        expect(r.ok[i], what).toBe(ref.ok[i]);
        if (mode === 'exact') expect([r.lo[i], r.hi[i]], what).toEqual([ref.lo[i], ref.hi[i]]);
        else expect(r.lo[i]! >= ref.lo[i]! && r.hi[i]! <= ref.hi[i]!, what).toBe(true);
      }
    });
  }
}, 300_000);
