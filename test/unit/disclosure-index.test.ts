// protectRelease (server/disclosure/index.ts), the single-release entry point, on what it promises
// a caller: the threshold asked for is the one applied (a count below k is never published, for
// any k), each hidden cell says why (primary or secondary), the counts of the stats, and the final
// audit exact by default (intervals) or verdicts only when asked.
import { describe, expect, it } from 'vitest';
import { buildLinkedTables, protectRelease } from '../../server/disclosure/index.js';
import { referenceInterval } from '../disclosure/helpers.js';

const release = (counts: Record<string, number>) => ({
  counts: Object.entries(counts).map(([region, count]) => ({ key: { region }, count })),
  domains: { region: Object.keys(counts) },
  tables: [['region']],
});

describe('protectRelease', () => {
  it('applies the k asked for, also above the default', async () => {
    const input = release({ r1: 6, r2: 9, r3: 14, r4: 30, r5: 11 });
    for (const k of [3, 5, 7, 10]) {
      const r = await protectRelease({ ...input, k });
      expect(r.audit.ok).toBe(true);
      for (const c of r.cells) if (c.count !== null) expect(c.count === 0 || c.count >= k, `k ${k}: ${JSON.stringify(c.key)} = ${c.count}`).toBe(true);
      expect(r.stats.primary).toBe([6, 9, 14, 30, 11].filter((v) => v < k).length);
    }
    const d = await protectRelease(release({ r1: 4, r2: 9, r3: 14, r4: 30 }));
    expect(d.cells.find((c) => c.key.region === 'r1')!.suppressed).toBe(true); // default k = 5
  });

  it('each hidden cell says why; the stats count them', async () => {
    const r = await protectRelease({ ...release({ r1: 2, r2: 9, r3: 14, r4: 30 }), k: 5 });
    const r1 = r.cells.find((c) => c.key.region === 'r1')!;
    expect(r1).toMatchObject({ count: null, suppressed: true, reason: 'primary' });
    const secondaries = r.cells.filter((c) => c.suppressed && c.key.region !== 'r1');
    expect(secondaries.length).toBeGreaterThan(0);
    for (const c of secondaries) expect(c.reason).toBe('secondary');
    for (const c of r.cells.filter((x) => !x.suppressed)) expect('reason' in c).toBe(false);
    expect(r.stats.primary).toBe(1);
    expect(r.stats.secondary).toBe(secondaries.length);
    expect(r.stats.suppressedTotal).toBe(1 + secondaries.length);
    expect(r.stats.cells).toBe(5);
  });

  it('the final audit is exact unless verdicts are asked for', async () => {
    const input = { ...release({ r1: 2, r2: 9, r3: 14, r4: 30 }), k: 5 };
    const exact = await protectRelease(input);
    expect(exact.audit.exact).toBe(true);
    for (const iv of exact.audit.intervals) expect(Number.isFinite(iv.lo)).toBe(true);
    const hidden = exact.audit.intervals.find((iv) => iv.value === 2)!;
    expect(hidden.hi).toBeGreaterThanOrEqual(5);
    // exact: each interval is the independent LP's
    const lt = buildLinkedTables(input);
    const suppressed = new Set(exact.audit.intervals.map((iv) => iv.id));
    for (const iv of exact.audit.intervals)
      expect([iv.lo, iv.hi], `cell ${iv.id}`).toEqual(await referenceInterval(lt.cells, lt.constraints, suppressed, iv.id));
    // the same on a 2-D table with a group, several primaries and linked margins
    const counts: Array<{ key: Record<string, string>; count: number }> = [];
    const values = [3, 12, 0, 7, 1, 9, 14, 2, 22, 4, 6, 11, 8, 1, 17, 5];
    values.forEach((count, i) => count > 0 && counts.push({ key: { a: `a${i % 4}`, b: `b${Math.floor(i / 4)}` }, count }));
    const two = {
      counts,
      domains: { a: ['a0', 'a1', 'a2', 'a3'], b: ['b0', 'b1', 'b2', 'b3'] },
      tables: [['a', 'b'], ['a']],
      hierarchies: { a: { g: ['a0', 'a1'] } },
      k: 5,
      method: 'heuristic' as const,
    };
    const r2 = await protectRelease(two);
    expect(r2.audit.exact).toBe(true);
    const lt2 = buildLinkedTables(two);
    const sup2 = new Set(r2.audit.intervals.map((iv) => iv.id));
    for (const iv of r2.audit.intervals) expect([iv.lo, iv.hi], `2-D cell ${iv.id}`).toEqual(await referenceInterval(lt2.cells, lt2.constraints, sup2, iv.id));
    const verdicts = await protectRelease({ ...input, finalAudit: 'verdicts' });
    expect(verdicts.audit.exact).toBe(false);
    expect(verdicts.audit.ok).toBe(true);
    expect(verdicts.cells).toEqual(exact.cells);
    expect(exact.audit.lpSolves).toBeGreaterThanOrEqual(0);
    expect(exact.audit.lpSolves).toBeLessThanOrEqual(exact.stats.lpSolves);
  });
});
