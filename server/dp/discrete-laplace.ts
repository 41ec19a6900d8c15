// discrete-laplace.ts — exact samplers of Canonne, Kamath & Steinke (2020), "The Discrete Gaussian
// for Differential Privacy": Algorithm 1 (Bernoulli(exp(−γ))) and Algorithm 2 (discrete Laplace),
// plus the geometric step they share, and the (floating-point, reporting-only) PMF / quantiles.
//
// Guarantees:
// - Every sampler is EXACT for rational parameters: all random decisions are uniform integer draws
//   compared with BigInt numerators (see random.ts); no floating point, no logarithms, no
//   truncation. The output law is exactly the stated one, given an ideal random source.
//   · `bernoulliExp(src, γ)`        P[true] = exp(−γ), for rational γ ≥ 0.
//   · `geometricExp(src, scale)`    P[X = x] ∝ exp(−x/scale), x ∈ {0, 1, 2, …}.
//   · `discreteLaplace(src, scale)` P[Y = y] = (1−p)/(1+p) · p^|y|, p = exp(−1/scale), y ∈ ℤ.
// - Running time is random but finite with probability 1; expected O(1 + γ) draws for
//   bernoulliExp, O(1) iterations for the others (CKS 2020, §5).
// - `discreteLaplacePmf` / `discreteLaplaceHalfWidth` use floating point and serve only for
//   reporting and tests, never for sampling.
import { bernoulli, uniformBelow, type RandomSource } from './random.js';
import { toRational, type RationalInput } from './rational.js';

function checkNonNegative(num: bigint, den: bigint): void {
  if (den <= 0n || num < 0n) throw new Error('parameter must be a non-negative rational with a positive denominator');
}

/** CKS Algorithm 1: true with probability exactly exp(−num/den), num ≥ 0, den ≥ 1. */
export function bernoulliExp(src: RandomSource, gamma: RationalInput): boolean {
  const g = toRational(gamma);
  return bernoulliExpRaw(src, g.num, g.den);
}

/** Algorithm 1 on an unreduced numerator/denominator pair (hot path, no allocation of Rationals). */
export function bernoulliExpRaw(src: RandomSource, num: bigint, den: bigint): boolean {
  checkNonNegative(num, den);
  // γ > 1: exp(−γ) = exp(−1)^⌊γ⌋ · exp(−(γ − ⌊γ⌋)), independent trials, stop at the first failure.
  if (num > den) {
    const whole = num / den;
    for (let k = 0n; k < whole; k++) if (!bernoulliExpAtMostOne(src, 1n, 1n)) return false;
    return bernoulliExpAtMostOne(src, num - whole * den, den);
  }
  return bernoulliExpAtMostOne(src, num, den);
}

/** 0 ≤ γ ≤ 1: draw A_K ~ Bernoulli(γ/K) for K = 1, 2, … until the first 0; true iff that K is odd. */
function bernoulliExpAtMostOne(src: RandomSource, num: bigint, den: bigint): boolean {
  if (num === 0n) return true;
  let k = 1n;
  while (bernoulli(src, num, den * k)) k++;
  return (k & 1n) === 1n;
}

/**
 * Geometric on {0, 1, …} with P[X = x] ∝ exp(−x·den/num), i.e. exp(−x/scale) for scale = num/den —
 * the core of CKS Algorithm 2: X = U + t·V with U uniform on [0, t) accepted with prob. exp(−U/t),
 * V ~ Geometric(1 − e^{−1}) by Bernoulli(exp(−1)) trials, then ⌊X/s⌋ (t = num, s = den).
 */
export function geometricExp(src: RandomSource, scale: RationalInput): bigint {
  const r = toRational(scale);
  if (r.num <= 0n) throw new Error('scale must be > 0');
  return geometricRaw(src, r.num, r.den);
}

function geometricRaw(src: RandomSource, t: bigint, s: bigint): bigint {
  let u: bigint;
  do u = uniformBelow(src, t);
  while (!bernoulliExpRaw(src, u, t));
  let v = 0n;
  while (bernoulliExpRaw(src, 1n, 1n)) v++;
  return (u + t * v) / s;
}

/** CKS Algorithm 2: discrete Laplace with P[Y = y] ∝ exp(−|y|/scale), scale = num/den > 0. */
export function discreteLaplace(src: RandomSource, scale: RationalInput): bigint {
  const r = toRational(scale);
  if (r.num <= 0n) throw new Error('scale must be > 0');
  return discreteLaplaceRaw(src, r.num, r.den);
}

/** Algorithm 2 for scale t/s with positive integers t, s. */
export function discreteLaplaceRaw(src: RandomSource, t: bigint, s: bigint): bigint {
  if (t <= 0n || s <= 0n) throw new Error('discreteLaplace: t and s must be positive');
  for (;;) {
    const y = geometricRaw(src, t, s);
    const negative = bernoulli(src, 1n, 2n);
    if (negative && y === 0n) continue; // reject −0 so that 0 is not counted twice
    return negative ? -y : y;
  }
}

/** Exact discrete-Laplace PMF (floating point): (1−p)/(1+p)·p^|y| with p = exp(−1/scale). */
export function discreteLaplacePmf(scale: number, y: number): number {
  const p = Math.exp(-1 / scale);
  return ((1 - p) / (1 + p)) * Math.pow(p, Math.abs(y));
}

/** Variance of the discrete Laplace: 2p/(1−p)². */
export function discreteLaplaceVariance(scale: number): number {
  const p = Math.exp(-1 / scale);
  return (2 * p) / ((1 - p) * (1 - p));
}

/** Smallest integer h with P[|Y| ≤ h] ≥ level (P[|Y| > h] = 2p^{h+1}/(1+p)). */
export function discreteLaplaceHalfWidth(scale: number, level = 0.9): number {
  if (!(level > 0 && level < 1)) throw new Error('level must be in (0, 1)');
  const p = Math.exp(-1 / scale);
  // 2p^{h+1}/(1+p) ≤ 1 − level  ⇔  h ≥ ln((1−level)(1+p)/2)/ln p − 1
  let h = Math.max(0, Math.ceil(Math.log(((1 - level) * (1 + p)) / 2) / Math.log(p) - 1 - 1e-9));
  while (h > 0 && (2 * Math.pow(p, h)) / (1 + p) <= 1 - level) h--;
  while ((2 * Math.pow(p, h + 1)) / (1 + p) > 1 - level) h++;
  return h;
}
