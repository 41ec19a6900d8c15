// dpRelease end to end: same cell order and key format as protectRelease; mechanism and exact
// parameters for rho (discrete Gaussian) and epsilon (discrete Laplace); errorMargin90; the total
// invariant; determinism for a fixed seed; input validation; and, on random structures, published
// counts that are non-negative integers with additive, linked tables.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { protectRelease } from '../../server/disclosure/index.js';
import { discreteGaussianHalfWidth, discreteLaplaceHalfWidth, dpRelease, seededRandomSource } from '../../server/dp/index.js';
import { checkPublished, structureArb } from './structures.js';

const input = {
  counts: [
    { key: { year: '2022', region: 'PE-LMA', incidentType: 'robo' }, count: 14 },
    { key: { year: '2022', region: 'PE-CUS', incidentType: 'golpe' }, count: 3 },
    { key: { year: '2023', region: 'PE-LMA', incidentType: 'golpe' }, count: 22 },
    { key: { year: '2023', region: 'PE-CAL', incidentType: 'robo' }, count: 7 },
    { key: { year: '2023', region: 'PE-ARE', incidentType: 'amenaza' }, count: 1 },
  ],
  domains: {
    year: ['2022', '2023'],
    region: ['PE-LMA', 'PE-CAL', 'PE-CUS', 'PE-ARE'],
    incidentType: ['robo', 'golpe', 'amenaza'],
  },
  hierarchies: { region: { 'lima-callao': ['PE-LMA', 'PE-CAL'] } },
  tables: [
    ['year', 'region'],
    ['year', 'incidentType'],
  ],
};

describe('dpRelease', () => {
  it('publishes the cells of protectRelease, in the same order and key format', async () => {
    const dp = await dpRelease({ ...input, rho: 0.5, random: seededRandomSource('order') });
    const sdc = await protectRelease({ ...input, k: 2 });
    expect(dp.cells.map((c) => [c.table, c.key])).toEqual(sdc.cells.map((c) => [c.table, c.key]));
    expect(checkPublished(input, dp.cells)).toEqual([]);
    expect(dp.stats.randomSource).toBe('seeded');
  });

  it('rho → discrete Gaussian with σ² = m/(2ρ); errorMargin90 is its 90% half-width', async () => {
    const r = await dpRelease({ ...input, rho: '0.25', random: seededRandomSource('rho') });
    expect(r.mechanism).toBe('discrete-gaussian');
    // [year, region] with a 2-level region: {}, {y}, {r}, {g}, {y,r}, {y,g}; [year, type]: {t}, {y,t} → 8
    expect(r.params.m).toBe(8);
    expect(r.params).toMatchObject({ rho: 0.25, sigma2: 16, keepTotal: false, invariants: [], exact: { rho: '0.25', sigma2: '16' } });
    expect(r.errorMargin90).toBe(discreteGaussianHalfWidth(16, 0.9));
  });

  it('epsilon → discrete Laplace with scale m/ε', async () => {
    const r = await dpRelease({ ...input, epsilon: 2, random: seededRandomSource('eps') });
    expect(r.mechanism).toBe('discrete-laplace');
    expect(r.params).toMatchObject({ epsilon: 2, scale: 4, m: 8, exact: { epsilon: '2', scale: '4' } });
    expect(r.errorMargin90).toBe(discreteLaplaceHalfWidth(4, 0.9));
    expect(checkPublished(input, r.cells)).toEqual([]);
  });

  it('keepTotal publishes the exact grand total and records it as an invariant', async () => {
    const r = await dpRelease({ ...input, rho: 0.01, keepTotal: true, random: seededRandomSource('total') });
    const totals = r.cells.filter((c) => Object.values(c.key).every((v) => v === '*'));
    expect(totals.map((c) => c.count)).toEqual([47, 47]);
    expect(r.params.invariants).toEqual(['total']);
    expect(checkPublished(input, r.cells)).toEqual([]);
  });

  it('is deterministic for a fixed seed, and the seed matters', async () => {
    const a = await dpRelease({ ...input, rho: 0.05, random: seededRandomSource('same') });
    const b = await dpRelease({ ...input, rho: 0.05, random: seededRandomSource('same') });
    const c = await dpRelease({ ...input, rho: 0.05, random: seededRandomSource('other') });
    expect(a.cells).toEqual(b.cells);
    expect(a.cells).not.toEqual(c.cells);
  });

  it('rejects both or neither budget, and non-positive budgets', async () => {
    await expect(dpRelease({ ...input, random: seededRandomSource(1) })).rejects.toThrow();
    await expect(dpRelease({ ...input, rho: 1, epsilon: 1, random: seededRandomSource(1) })).rejects.toThrow();
    await expect(dpRelease({ ...input, rho: 0, random: seededRandomSource(1) })).rejects.toThrow();
    await expect(dpRelease({ ...input, epsilon: '-1', random: seededRandomSource(1) })).rejects.toThrow();
  });

  it('random structures: non-negative integer counts, additive and linked tables', async () => {
    await fc.assert(
      fc.asyncProperty(structureArb, fc.boolean(), fc.boolean(), fc.nat(), async (s, gaussian, keepTotal, seed) => {
        const r = await dpRelease({ ...s, ...(gaussian ? { rho: 0.5 } : { epsilon: 1 }), keepTotal, random: seededRandomSource(seed) });
        expect(checkPublished(s, r.cells)).toEqual([]);
        if (keepTotal) {
          const total = s.counts.reduce((a, c) => a + c.count, 0);
          for (const c of r.cells) if (Object.values(c.key).every((v) => v === '*')) expect(c.count).toBe(total);
        }
      }),
      { numRuns: 25 },
    );
  });
});
