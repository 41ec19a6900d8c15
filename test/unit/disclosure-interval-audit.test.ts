// interval-audit.ts beyond one fresh audit of a small table (test/disclosure/audit.test.ts):
// - one engine reused over a growing sequence of patterns, as the suppression loop uses it (the
//   reach and the per-component cache carried from round to round, judge runs between exact ones)
//   must give exactly the independent full LP's interval for every suppressed cell in every exact
//   run, judge verdicts equal to the exact ones with inner intervals inside the exact ones, and a
//   reach that never leaves the attacker's range — a value noted reachable that is not would let
//   a later audit pass a cell it should fail;
// - an engine that does not know the true table (`truthKnown = false`) gives the same answers;
// (a component large enough for the helper threads: disclosure-audit-large.test.ts);
// - `auditIntervals`' inputs and result fields.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AuditEngine, auditIntervals, buildLinkedTables, loadHighs, thresholdRules } from '../../server/disclosure/index.js';
import { isPrimary } from '../../server/disclosure/primary.js';
import { structureOf } from '../../server/disclosure/structure.js';
import { referenceInterval, smallRelease } from '../disclosure/helpers.js';
import { mulberry32 } from '../helpers/seeded-random.js';

describe('one engine over a growing sequence of patterns', () => {
  it('every exact run equals the independent LP; judge runs agree; the reach stays inside', async () => {
    const highs = await loadHighs();
    let steps = 0;
    let unbounded = 0;
    await fc.assert(
      fc.asyncProperty(smallRelease(), fc.integer(), fc.boolean(), async (rel, seed, truthKnown) => {
        const rand = mulberry32(seed);
        const lt = buildLinkedTables(rel);
        const s = structureOf(lt.cells, lt.constraints);
        const sensitive = Uint8Array.from(s.values, (v) => (isPrimary(v, rel.k) ? 1 : 0));
        const rules = thresholdRules(s.n, sensitive, rel.k, rel.k);
        const engine = new AuditEngine(highs, s, rules, truthKnown);
        const suppressed = Uint8Array.from(sensitive);
        for (let step = 0; step < 3; step++) {
          const set = new Set<number>();
          suppressed.forEach((x, i) => x && set.add(i));
          const judge = engine.run(suppressed, 'judge');
          const exact = engine.run(suppressed, 'exact');
          const fresh = new AuditEngine(highs, s, rules).run(suppressed, 'exact');
          expect(exact.failing).toEqual(fresh.failing);
          for (const id of set) {
            const [lo, hi] = await referenceInterval(lt.cells, lt.constraints, set, id);
            const what = `step ${step}, cell ${id} (value ${s.values[id]}), truth ${truthKnown}`;
            expect([exact.lo[id], exact.hi[id]], what).toEqual([lo, hi]);
            expect([fresh.lo[id], fresh.hi[id]], what).toEqual([lo, hi]);
            expect(judge.ok[id], what).toBe(exact.ok[id]);
            expect(judge.lo[id]!, what).toBeGreaterThanOrEqual(lo);
            expect(judge.hi[id]!, what).toBeLessThanOrEqual(hi);
            // the reach: values the attacker cannot exclude (⌈min⌉ = lo, ⌊max⌋ = hi)
            expect(engine.reachLo[id]!, what).toBeGreaterThan(lo - 1);
            if (hi !== Infinity) expect(engine.reachHi[id]!, what).toBeLessThan(hi + 1);
            else unbounded++;
            // a reach that proves the rule proves it for the exact interval too
            if (engine.reachHolds(id)) expect(exact.ok[id], what).toBe(1);
          }
          // the failing list: exactly the suppressed cells whose verdict is negative, ascending
          expect(exact.failing).toEqual([...set].filter((i) => !exact.ok[i]).sort((a, b) => a - b));
          for (let i = 0; i < s.n; i++) if (!suppressed[i]) expect(exact.lo[i]).toBeNaN();
          steps++;
          // grow the pattern: suppressing more only widens intervals, the reach stays valid
          for (let i = 0; i < s.n; i++) if (!suppressed[i] && rand() < 0.3) suppressed[i] = 1;
        }
      }),
      { numRuns: 30, seed: 1707 },
    );
    expect(steps).toBe(90);
    expect(unbounded).toBeGreaterThan(0);
  }, 120_000);
});

describe('the per-component cache', () => {
  it('never serves one component the outcome of another (ids whose digits run together)', async () => {
    // 235 cells, all published but four: 12 = 34 + c100 and 234 = 1 + c101. Round 1 hides 12 and
    // 34 (one component, cells [12, 34]); round 2 also hides 1 and 234 (a second one, [1, 234]).
    // Written without a separator both would be "1234".
    const value = (id: number): number => ({ 12: 9, 34: 4, 100: 5, 234: 20, 1: 2, 101: 18 })[id] ?? 3;
    const cells = Array.from({ length: 235 }, (_, id) => ({ id, key: { c: `c${id}` }, tables: [0], value: value(id) }));
    const constraints = [
      { id: 0, total: 12, parts: [34, 100], dim: 'c' },
      { id: 1, total: 234, parts: [1, 101], dim: 'c' },
    ];
    const highs = await loadHighs();
    const s = structureOf(cells, constraints);
    const sensitive = Uint8Array.from(s.values, (v) => (isPrimary(v, 3) ? 1 : 0));
    const engine = new AuditEngine(highs, s, thresholdRules(s.n, sensitive, 3, 3));
    const suppressed = new Uint8Array(s.n);
    suppressed[12] = suppressed[34] = 1;
    const first = engine.run(suppressed, 'exact');
    expect([first.lo[12], first.lo[34]]).toEqual([5, 0]);
    suppressed[1] = suppressed[234] = 1;
    const second = engine.run(suppressed, 'exact');
    expect([1, 12, 34, 234].map((i) => [second.lo[i], second.hi[i]])).toEqual([
      [0, Infinity],
      [5, Infinity],
      [0, Infinity],
      [18, Infinity],
    ]);
  });
});

describe('unbounded maxima: only with a ray', () => {
  it('a cell bounded only by a combination of rows is not reported unbounded', async () => {
    // z = x + y and y = x + z (every cell hidden, x = 0, y = z = 3): each row alone leaves x
    // unbounded (x ≤ z − y with z unbounded), so bound propagation gives x no upper bound; only
    // the two rows together pin it (2x = 0). y and z grow together without bound (a ray). In the
    // tables Contamos builds a total is never a part of its own part, so propagation finds every
    // finite maximum there; this generic system is where the ray LP decides.
    const cells = [0, 3, 3].map((value, id) => ({ id, key: { c: `c${id}` }, tables: [0], value }));
    const constraints = [
      { id: 0, total: 2, parts: [0, 1], dim: 'c' },
      { id: 1, total: 1, parts: [0, 2], dim: 'd' },
    ];
    const all = new Set([0, 1, 2]);
    const r = await auditIntervals({ cells, constraints, suppressed: all, k: 3 });
    for (const iv of r.intervals) expect([iv.id, iv.lo, iv.hi]).toEqual([iv.id, ...(await referenceInterval(cells, constraints, all, iv.id))]);
    expect(r.intervals.map((i) => [i.lo, i.hi, i.ok])).toEqual([
      [0, 0, false],
      [0, Infinity, true],
      [0, Infinity, true],
    ]);
  });
});

describe('auditIntervals: inputs and result', () => {
  //   x0 + x1 = x2 (a row of two parts and its total), values 2, 6, 8
  const cells = [2, 6, 8].map((value, id) => ({ id, key: { a: `a${id}` }, tables: [0], value }));
  const constraints = [{ id: 0, total: 2, parts: [0, 1], dim: 'a' }];

  it('refuses a suppressed id that is not a cell', async () => {
    for (const id of [-1, 3, 1.5, Number.NaN])
      await expect(auditIntervals({ cells, constraints, suppressed: new Set([id]), k: 3 })).rejects.toThrow(`unknown cell id ${id}`);
  });

  it('judges extra sensitive cells, with the protection given (default k)', async () => {
    // x0 and x1 hidden, x2 published: x0 ∈ [0, 8], x1 = 8 − x0; x1 = 6 is not primary for k 3
    const both = new Set([0, 1]);
    const plain = await auditIntervals({ cells, constraints, suppressed: both, k: 3 });
    expect(plain).toEqual({
      ok: true,
      exact: true,
      intervals: [
        { id: 0, lo: 0, hi: 8, value: 2, sensitive: true, ok: true },
        { id: 1, lo: 0, hi: 8, value: 6, sensitive: false, ok: true },
      ],
      components: 1,
      lpSolves: 0,
    });
    // a protection of 9 cannot be met by a range of width 8
    const wide = await auditIntervals({ cells, constraints, suppressed: both, k: 3, protection: 9 });
    expect(wide.ok).toBe(false);
    expect(wide.intervals.map((i) => i.ok)).toEqual([false, true]);
    // k 7 makes x1 = 6 primary; k 9 would need hi ≥ 9 of a cell bounded by 8
    const k9 = await auditIntervals({ cells, constraints, suppressed: both, k: 9, protection: 2 });
    expect(k9.intervals.map((i) => [i.sensitive, i.ok])).toEqual([
      [true, false],
      [true, false],
    ]);
    // x1 made sensitive: judged by width too (protection 9 fails it)
    const extra = await auditIntervals({ cells, constraints, suppressed: both, k: 3, protection: 9, sensitive: [1] });
    expect(extra.intervals.map((i) => [i.sensitive, i.ok])).toEqual([
      [true, false],
      [true, false],
    ]);
  });

  it('refuses parameters primary.ts refuses', async () => {
    await expect(auditIntervals({ cells, constraints, suppressed: new Set([0, 1]), k: 0 })).rejects.toThrow();
    await expect(auditIntervals({ cells, constraints, suppressed: new Set([0, 1]), k: 3, protection: -1 })).rejects.toThrow();
  });
});
