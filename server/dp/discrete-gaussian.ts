// discrete-gaussian.ts — exact sampler of the discrete Gaussian N_ℤ(0, σ²) (Canonne, Kamath &
// Steinke 2020, Algorithm 3), plus its (floating-point, reporting-only) PMF and quantiles.
//
// Guarantees:
// - `discreteGaussian(src, sigma2)` returns y ∈ ℤ with P[y] = exp(−y²/(2σ²)) / Σ_z exp(−z²/(2σ²))
//   EXACTLY, for rational σ² = num/den > 0: with t = ⌊σ⌋ + 1 (computed exactly by an integer square
//   root), draw Y from the discrete Laplace of scale t and accept it with probability
//   exp(−(|Y| − σ²/t)² / (2σ²)), a rational exponent evaluated by Algorithm 1. No floating point
//   touches a random decision. Expected number of iterations is below 2 for every σ (CKS §5.3).
// - `discreteGaussianPmf`, `discreteGaussianVariance`, `discreteGaussianHalfWidth` use floating
//   point (the normaliser is summed until the terms vanish) and serve only reporting and tests.
import { bernoulliExpRaw, discreteLaplaceRaw } from './discrete-laplace.js';
import type { RandomSource } from './random.js';
import { floorOf, isqrt, toRational, type RationalInput } from './rational.js';

/** CKS Algorithm 3: one exact sample of N_ℤ(0, σ²), σ² = num/den > 0. */
export function discreteGaussian(src: RandomSource, sigma2: RationalInput): bigint {
  const r = toRational(sigma2);
  if (r.num <= 0n) throw new Error('sigma² must be > 0');
  return discreteGaussianRaw(src, r.num, r.den);
}

/** Algorithm 3 for σ² = n/d with positive integers n, d. */
export function discreteGaussianRaw(src: RandomSource, n: bigint, d: bigint): bigint {
  if (n <= 0n || d <= 0n) throw new Error('discreteGaussian: sigma² must be > 0');
  // ⌊σ⌋ = ⌊√⌊σ²⌋⌋ exactly.
  const t = isqrt(floorOf({ num: n, den: d })) + 1n;
  // γ(Y) = (|Y| − σ²/t)² / (2σ²) = (|Y|·d·t − n)² / (2·n·d·t²)
  const gammaDen = 2n * n * d * t * t;
  const dt = d * t;
  for (;;) {
    const y = discreteLaplaceRaw(src, t, 1n);
    const a = (y < 0n ? -y : y) * dt - n;
    if (bernoulliExpRaw(src, a * a, gammaDen)) return y;
  }
}

const normCache = new Map<number, { norm: number; variance: number }>();

function moments(sigma2: number): { norm: number; variance: number } {
  if (!(sigma2 > 0) || !Number.isFinite(sigma2)) throw new Error('sigma² must be a positive finite number');
  const hit = normCache.get(sigma2);
  if (hit) return hit;
  let norm = 1;
  let second = 0;
  for (let y = 1; ; y++) {
    const w = Math.exp(-(y * y) / (2 * sigma2));
    norm += 2 * w;
    second += 2 * w * y * y;
    if (w === 0 || (w * y * y < 1e-18 * second && w < 1e-18 * norm)) break;
  }
  const res = { norm, variance: second / norm };
  if (normCache.size > 1000) normCache.clear();
  normCache.set(sigma2, res);
  return res;
}

/** P[Y = y] for N_ℤ(0, σ²) (normaliser summed to convergence). */
export function discreteGaussianPmf(sigma2: number, y: number): number {
  return Math.exp(-(y * y) / (2 * sigma2)) / moments(sigma2).norm;
}

/** Exact variance of N_ℤ(0, σ²) (≤ σ², and → σ² quickly as σ grows). */
export function discreteGaussianVariance(sigma2: number): number {
  return moments(sigma2).variance;
}

/** Smallest integer h with P[|Y| ≤ h] ≥ level. */
export function discreteGaussianHalfWidth(sigma2: number, level = 0.9): number {
  if (!(level > 0 && level < 1)) throw new Error('level must be in (0, 1)');
  let mass = discreteGaussianPmf(sigma2, 0);
  let h = 0;
  while (mass < level) {
    h++;
    mass += 2 * discreteGaussianPmf(sigma2, h);
  }
  return h;
}
