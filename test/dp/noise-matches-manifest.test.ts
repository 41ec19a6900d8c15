// The noise a DP release actually adds is the noise its parameters state: for a one-way table
// with large counts (so that non-negativity never binds and the L1 post-processing leaves almost
// every region cell at its noisy value), the published minus true counts of many cells, over
// several releases, fit the discrete Gaussian of the σ² the release states (rho) or the discrete
// Laplace of its scale (epsilon): chi-square and KS at α = 10⁻³, and the share of noise within
// ±σ and ±2σ within 0.07 of the PMF's (not the variance: the post-processing moves one cell per
// release by the whole table's discrepancy, which a variance would count in full). The PMFs
// are computed here from their definitions, not taken from server/dp. And published counts are
// not the true ones (the production random source). Shown to fail: docs/test-evidence.md.
import { describe, expect, it } from 'vitest';
import { dpRelease, seededRandomSource } from '../../server/dp/index.js';
import { goodnessOfFit } from './stats.js';

const REGIONS = Array.from({ length: 60 }, (_, i) => `R${String(i).padStart(2, '0')}`);
const TRUE = 5000;
const input = {
  counts: REGIONS.map((region) => ({ key: { region }, count: TRUE })),
  domains: { region: REGIONS },
  hierarchies: {},
  tables: [['region']],
};

/** A symmetric PMF on ℤ proportional to `weight`, normalised numerically. */
function pmfOf(weight: (y: number) => number): (y: number) => number {
  let z = weight(0);
  for (let y = 1; y < 10_000; y++) {
    const w = weight(y);
    z += 2 * w;
    if (w < 1e-300) break;
  }
  return (y) => weight(Math.abs(y)) / z;
}
function variance(pmf: (y: number) => number): number {
  let v = 0;
  for (let y = 1; y < 10_000; y++) {
    const p = pmf(y);
    v += 2 * p * y * y;
    if (p < 1e-300) break;
  }
  return v;
}
/** P(|X| ≤ w) under `pmf`, and the share of `samples` within ±w. */
function within(pmf: (y: number) => number, samples: number[], w: number): { expected: number; seen: number } {
  let expected = pmf(0);
  for (let y = 1; y <= w; y++) expected += 2 * pmf(y);
  return { expected, seen: samples.filter((s) => Math.abs(s) <= w).length / samples.length };
}

async function noiseSamples(budget: { rho: number } | { epsilon: number }, runs: number) {
  const samples: number[] = [];
  let params: Awaited<ReturnType<typeof dpRelease>>['params'] | undefined;
  for (let r = 0; r < runs; r++) {
    const rel = await dpRelease({ ...input, ...budget, random: seededRandomSource(`noise-${JSON.stringify(budget)}-${r}`) });
    params = rel.params;
    for (const c of rel.cells) if (c.key.region !== '*') samples.push(c.count - TRUE);
  }
  return { samples, params: params! };
}

/** The samples fit the pmf: chi-squared and Kolmogorov–Smirnov below their critical values, and
 *  the share within one and two standard deviations as expected. */
function expectFits(samples: number[], pmf: Parameters<typeof goodnessOfFit>[1]): ReturnType<typeof goodnessOfFit> {
  const f = goodnessOfFit(samples, pmf);
  expect(f.chi2, `chi2 ${f.chi2} (critical ${f.critical})`).toBeLessThan(f.critical);
  expect(f.ks, `ks ${f.ks}`).toBeLessThan(f.ksCritical);
  const sd = Math.sqrt(variance(pmf));
  for (const w of [Math.floor(sd), Math.floor(2 * sd)]) {
    const { expected, seen } = within(pmf, samples, w);
    expect(Math.abs(seen - expected), `±${w}: ${seen} seen, ${expected} expected`).toBeLessThan(0.07);
  }
  return f;
}

describe('DP noise matches the parameters the release states', () => {
  it('rho: published − true fits the discrete Gaussian of the stated σ²', async () => {
    const { samples, params } = await noiseSamples({ rho: 0.0625 }, 10);
    expect(params.m).toBe(2); // the total and the region: two cells per incident
    expect(params.sigma2).toBe(16); // m / (2ρ)
    const pmf = pmfOf((y) => Math.exp(-(y * y) / (2 * params.sigma2!)));
    const f = expectFits(samples, pmf);
    expect(Math.abs(f.mean)).toBeLessThan(1.5);
  });

  it('epsilon: published − true fits the discrete Laplace of the stated scale', async () => {
    const { samples, params } = await noiseSamples({ epsilon: 0.5 }, 10);
    expect(params.scale).toBe(4); // m / ε
    const pmf = pmfOf((y) => Math.exp(-y / params.scale!));
    expectFits(samples, pmf);
  });

  it('published counts differ from the true ones (production random source)', async () => {
    const rel = await dpRelease({ ...input, rho: 0.0625 });
    expect(rel.stats.randomSource).toBe('crypto');
    const cells = rel.cells.filter((c) => c.key.region !== '*');
    const same = cells.filter((c) => c.count === TRUE).length;
    // P(a discrete Gaussian of σ² = 16 is 0) ≈ 0.1: far fewer than half can be unchanged
    expect(same).toBeLessThan(cells.length / 3);
    expect(new Set(cells.map((c) => c.count)).size).toBeGreaterThan(10);
  });
});
