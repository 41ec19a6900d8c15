// Exact samplers (Canonne–Kamath–Steinke 2020) with a FIXED seed: Bernoulli(exp(−γ)) frequencies
// for rational γ; discrete Laplace and discrete Gaussian mean, variance, chi-square goodness of fit
// against the exact PMF (α = 0.001) and a KS check of the CDF; 90% half-widths.
import { describe, expect, it } from 'vitest';
import {
  bernoulliExp,
  discreteGaussian,
  discreteGaussianHalfWidth,
  discreteGaussianPmf,
  discreteGaussianVariance,
  discreteLaplace,
  discreteLaplaceHalfWidth,
  discreteLaplacePmf,
  discreteLaplaceVariance,
  geometricExp,
  seededRandomSource,
  toRational,
} from '../../server/dp/index.js';
import { goodnessOfFit, moments } from './stats.js';

const N = 20000;

function checkMoments(samples: number[], variance: number, m4: number): void {
  const n = samples.length;
  const mean = samples.reduce((a, b) => a + b, 0) / n;
  const v = samples.reduce((a, b) => a + (b - mean) * (b - mean), 0) / (n - 1);
  expect(Math.abs(mean)).toBeLessThan(4.5 * Math.sqrt(variance / n));
  // sd of the sample variance ≈ sqrt((μ4 − σ⁴)/n)
  expect(Math.abs(v - variance)).toBeLessThan(4.5 * Math.sqrt((m4 - variance * variance) / n));
}

describe('Bernoulli(exp(−γ)) (Algorithm 1)', () => {
  it('has frequency exp(−γ) for rational γ', () => {
    const src = seededRandomSource('bernoulli-exp');
    for (const gamma of ['0', '1/3', '1', '5/2', '7/5', '4']) {
      const g = toRational(gamma);
      const p = Math.exp(-Number(g.num) / Number(g.den));
      let hits = 0;
      for (let i = 0; i < N; i++) if (bernoulliExp(src, g)) hits++;
      const sd = Math.sqrt((p * (1 - p)) / N);
      expect(Math.abs(hits / N - p), `γ = ${gamma}`).toBeLessThanOrEqual(4.5 * sd + 1e-12);
    }
  });

  it('rejects a negative γ', () => {
    expect(() => bernoulliExp(seededRandomSource(1), '-1/2')).toThrow();
  });
});

describe('geometric step', () => {
  it('P[X = x] ∝ exp(−x/scale)', () => {
    const src = seededRandomSource('geometric');
    const scale = 3;
    const p = Math.exp(-1 / scale);
    const samples = Array.from({ length: N }, () => Number(geometricExp(src, scale)));
    const r = goodnessOfFit(samples, (y) => (y < 0 ? 0 : (1 - p) * Math.pow(p, y)));
    expect(r.chi2).toBeLessThan(r.critical);
    expect(r.ks).toBeLessThan(r.ksCritical);
  });
});

describe('discrete Laplace (Algorithm 2)', () => {
  for (const t of ['1/2', '1', '5', '7/3']) {
    it(`scale t = ${t}: mean, variance, chi-square and KS against the exact PMF`, () => {
      const src = seededRandomSource(`laplace-${t}`);
      const tr = toRational(t);
      const scale = Number(tr.num) / Number(tr.den);
      const samples = Array.from({ length: N }, () => Number(discreteLaplace(src, tr)));
      const pmf = (y: number): number => discreteLaplacePmf(scale, y);
      const { variance, m4 } = moments(pmf);
      expect(variance).toBeCloseTo(discreteLaplaceVariance(scale), 9);
      checkMoments(samples, variance, m4);
      const r = goodnessOfFit(samples, pmf);
      expect(r.chi2, `chi2 ${r.chi2} df ${r.df}`).toBeLessThan(r.critical);
      expect(r.ks).toBeLessThan(r.ksCritical);
    });
  }

  it('90% half-width: P(|Y| ≤ h) ≥ 0.9 > P(|Y| ≤ h − 1)', () => {
    for (const scale of [0.5, 1, 5, 55, 550]) {
      const h = discreteLaplaceHalfWidth(scale, 0.9);
      const mass = (k: number): number => {
        let s = 0;
        for (let y = -k; y <= k; y++) s += discreteLaplacePmf(scale, y);
        return s;
      };
      expect(mass(h)).toBeGreaterThanOrEqual(0.9 - 1e-12);
      if (h > 0) expect(mass(h - 1)).toBeLessThan(0.9);
    }
  });

  it('rejects a non-positive scale', () => {
    expect(() => discreteLaplace(seededRandomSource(1), 0)).toThrow();
  });
});

describe('discrete Gaussian (Algorithm 3)', () => {
  for (const sigma2 of ['1/2', '2', '10', '100']) {
    it(`σ² = ${sigma2}: mean, variance, chi-square and KS against the exact PMF`, () => {
      const src = seededRandomSource(`gaussian-${sigma2}`);
      const s2 = toRational(sigma2);
      const v = Number(s2.num) / Number(s2.den);
      const samples = Array.from({ length: N }, () => Number(discreteGaussian(src, s2)));
      const pmf = (y: number): number => discreteGaussianPmf(v, y);
      // The normaliser is summed to convergence; the PMF sums to 1.
      let total = 0;
      for (let y = -2000; y <= 2000; y++) total += pmf(y);
      expect(total).toBeCloseTo(1, 12);
      const { variance, m4 } = moments(pmf);
      expect(variance).toBeCloseTo(discreteGaussianVariance(v), 9);
      expect(variance).toBeLessThanOrEqual(v + 1e-9); // the discrete Gaussian's variance is ≤ σ²
      checkMoments(samples, variance, m4);
      const r = goodnessOfFit(samples, pmf);
      expect(r.chi2, `chi2 ${r.chi2} df ${r.df}`).toBeLessThan(r.critical);
      expect(r.ks).toBeLessThan(r.ksCritical);
    });
  }

  it('90% half-width: P(|Y| ≤ h) ≥ 0.9 > P(|Y| ≤ h − 1)', () => {
    for (const s2 of [0.5, 2, 55, 1000]) {
      const h = discreteGaussianHalfWidth(s2, 0.9);
      const mass = (k: number): number => {
        let s = 0;
        for (let y = -k; y <= k; y++) s += discreteGaussianPmf(s2, y);
        return s;
      };
      expect(mass(h)).toBeGreaterThanOrEqual(0.9 - 1e-12);
      if (h > 0) expect(mass(h - 1)).toBeLessThan(0.9);
    }
    // ≈ 1.645 σ for large σ
    expect(Math.abs(discreteGaussianHalfWidth(10000, 0.9) - 164.5)).toBeLessThan(1.5);
  });

  it('accepts exact rational σ² with a large denominator', () => {
    const src = seededRandomSource('gaussian-rational');
    const xs = Array.from({ length: 2000 }, () => Number(discreteGaussian(src, { num: 123456789n, den: 98765432n })));
    expect(xs.every((x) => Number.isInteger(x))).toBe(true);
  });
});
