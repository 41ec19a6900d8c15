// protectRelease's 'verdicts' final audit (used by the release service): the same suppression
// pattern and the same verdicts as the exact audit, with every reported interval a proven inner
// interval — inside the exact one, recomputed by an INDEPENDENT LP (helpers.ts) — that already
// satisfies the rule; and with earlier releases the audit stays exact.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { auditIntervals, buildLinkedTables, protectRelease, ruleHolds } from '../../server/disclosure/index.js';
import { referenceInterval, smallRelease } from './helpers.js';

describe("protectRelease({ finalAudit: 'verdicts' })", () => {
  // A generous time budget: the MILP then stops on its deterministic node limit, not on the clock,
  // so a loaded machine cannot make the two runs choose different patterns.
  it('same pattern and verdicts as the exact audit; inner intervals inside the exact ones', async () => {
    await fc.assert(
      fc.asyncProperty(smallRelease(), fc.constantFrom('auto' as const, 'heuristic' as const), async (rel, method) => {
        const exact = await protectRelease({ ...rel, method, timeBudgetMs: 120_000 });
        const verdicts = await protectRelease({ ...rel, method, finalAudit: 'verdicts', timeBudgetMs: 120_000 });
        expect(exact.audit.exact).toBe(true);
        expect(verdicts.audit.exact).toBe(false);
        expect(verdicts.cells).toEqual(exact.cells);
        expect(verdicts.audit.ok).toBe(true);
        expect(verdicts.audit.intervals.map((i) => [i.id, i.ok, i.sensitive])).toEqual(exact.audit.intervals.map((i) => [i.id, i.ok, i.sensitive]));
        const lt = buildLinkedTables(rel);
        const suppressed = new Set(verdicts.audit.intervals.map((i) => i.id));
        for (const iv of verdicts.audit.intervals) {
          const [lo, hi] = await referenceInterval(lt.cells, lt.constraints, suppressed, iv.id);
          expect(iv.lo).toBeGreaterThanOrEqual(lo);
          expect(iv.hi).toBeLessThanOrEqual(hi);
          expect(ruleHolds(iv.lo, iv.hi, iv.sensitive, rel.k, rel.k)).toBe(true);
        }
      }),
      { numRuns: 30, seed: 11 },
    );
  }, 180_000);

  it('finds a failing pattern as failing (the verdicts are not just "ok")', async () => {
    // 2×2 with one primary and nothing else suppressed: the margins pin it.
    const rel = {
      counts: [
        { key: { a: 'a1', b: 'b1' }, count: 2 },
        { key: { a: 'a1', b: 'b2' }, count: 9 },
        { key: { a: 'a2', b: 'b1' }, count: 8 },
        { key: { a: 'a2', b: 'b2' }, count: 7 },
      ],
      domains: { a: ['a1', 'a2'], b: ['b1', 'b2'] },
      tables: [['a', 'b']],
    };
    const lt = buildLinkedTables(rel);
    const p = lt.cells.find((c) => c.value === 2)!.id;
    const audit = await auditIntervals({ cells: lt.cells, constraints: lt.constraints, suppressed: new Set([p]), k: 5 });
    expect(audit.ok).toBe(false);
    const ok = await protectRelease({ ...rel, k: 5, finalAudit: 'verdicts' });
    expect(ok.audit.ok).toBe(true);
    expect(ok.stats.suppressedTotal).toBe(4);
  });
});
