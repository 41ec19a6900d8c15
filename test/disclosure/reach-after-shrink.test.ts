// The audit engine's reach (interval-audit.ts) is valid for the pattern it was found on and every
// larger one. Auditing a SMALLER pattern with the same engine (global/protect.ts's drop loop shows
// cells again) must first forget it (`forgetReach`): the verdicts are then those of a fresh
// engine's exact audit of the smaller pattern. Without it, the larger pattern's witnesses decide
// verdicts of the smaller one wrongly (shown below on the same cases).
import { describe, expect, it } from 'vitest';
import { AuditEngine, loadHighs, thresholdRules } from '../../server/disclosure/index.js';
import { randomPattern } from '../helpers/random-pattern.js';

describe('judge mode after the pattern shrinks', () => {
  it('same verdicts as a fresh exact audit once the reach of the larger pattern is forgotten', async () => {
    const highs = await loadHighs();
    let staleWrong = 0;
    for (const seed of [7, 12, 17]) {
      const { s, suppressed, sensitive } = randomPattern(seed, [5, 4, 3], 0.35);
      const rules = thresholdRules(s.n, sensitive, 5, 5);
      // a larger pattern first: the same hidden cells and about 40% of the published ones
      let r = seed * 7919;
      const rnd = () => (r = (r * 1103515245 + 12345) >>> 0) / 2 ** 32;
      const larger = Uint8Array.from(suppressed);
      for (let i = 0; i < s.n; i++) if (!larger[i] && rnd() < 0.4) larger[i] = 1;
      const exact = new AuditEngine(highs, s, rules).run(suppressed, 'exact');
      for (const forget of [false, true]) {
        const engine = new AuditEngine(highs, s, rules);
        engine.run(larger, 'judge');
        if (forget) engine.forgetReach();
        const judge = engine.run(suppressed, 'judge');
        let wrong = 0;
        for (let i = 0; i < s.n; i++) if (suppressed[i] && judge.ok[i] !== exact.ok[i]) wrong++;
        if (forget) expect(wrong, `seed ${seed}`).toBe(0);
        else staleWrong += wrong;
      }
    }
    // the cases exercise the fault: the stale reach gets some verdict wrong
    expect(staleWrong).toBeGreaterThan(0);
  }, 120_000);
});
