// stats.ts — small statistics helpers for the sampler tests (not a test file).
//
// Guarantees: pure functions; critical values are standard approximations (Wilson–Hilferty for
// chi-square, the asymptotic Kolmogorov distribution for KS), accurate to a few percent at the
// significance levels used here.

/** Upper critical value of chi-square with `df` degrees of freedom at level alpha (Wilson–Hilferty). */
export function chiSquareCritical(df: number, alpha = 1e-3): number {
  const z = normalQuantile(1 - alpha);
  const a = 2 / (9 * df);
  return df * Math.pow(1 - a + z * Math.sqrt(a), 3);
}

/** Standard normal quantile (Acklam's rational approximation, |error| < 1.2e-9). */
export function normalQuantile(p: number): number {
  const a = [-3.969683028665376e1, 2.209460984245205e2, -2.759285104469687e2, 1.38357751867269e2, -3.066479806614716e1, 2.506628277459239];
  const b = [-5.447609879822406e1, 1.615858368580409e2, -1.556989798598866e2, 6.680131188771972e1, -1.328068155288572e1];
  const c = [-7.784894002430293e-3, -3.223964580411365e-1, -2.400758277161838, -2.549732539343734, 4.374664141464968, 2.938163982698783];
  const d = [7.784695709041462e-3, 3.224671290700398e-1, 2.445134137142996, 3.754408661907416];
  const lo = 0.02425;
  if (p < lo) {
    const q = Math.sqrt(-2 * Math.log(p));
    return (((((c[0]! * q + c[1]!) * q + c[2]!) * q + c[3]!) * q + c[4]!) * q + c[5]!) / ((((d[0]! * q + d[1]!) * q + d[2]!) * q + d[3]!) * q + 1);
  }
  if (p > 1 - lo) return -normalQuantile(1 - p);
  const q = p - 0.5;
  const r = q * q;
  return (
    ((((((a[0]! * r + a[1]!) * r + a[2]!) * r + a[3]!) * r + a[4]!) * r + a[5]!) * q) / (((((b[0]! * r + b[1]!) * r + b[2]!) * r + b[3]!) * r + b[4]!) * r + 1)
  );
}

/** KS critical value for n samples at level alpha: sqrt(−ln(alpha/2)/2)/sqrt(n). */
export function ksCritical(n: number, alpha = 1e-3): number {
  return Math.sqrt(-Math.log(alpha / 2) / 2) / Math.sqrt(n);
}

export interface GoodnessOfFit {
  chi2: number;
  df: number;
  critical: number;
  ks: number;
  ksCritical: number;
  mean: number;
  variance: number;
}

/**
 * Compares integer samples with a PMF on ℤ (support truncated where the mass is negligible):
 * chi-square over bins with expected count ≥ 5 (tails merged into the outermost bins), KS
 * distance between the empirical and exact CDFs, and the sample mean and variance.
 */
export function goodnessOfFit(samples: readonly number[], pmf: (y: number) => number, alpha = 1e-3): GoodnessOfFit {
  const n = samples.length;
  const counts = new Map<number, number>();
  let sum = 0;
  for (const s of samples) {
    counts.set(s, (counts.get(s) ?? 0) + 1);
    sum += s;
  }
  const mean = sum / n;
  let ss = 0;
  for (const s of samples) ss += (s - mean) * (s - mean);
  const variance = ss / (n - 1);
  // Support range where the mass matters.
  let lo = 0;
  while (pmf(lo - 1) * n > 1e-3 || lo > -2) lo--;
  let hi = 0;
  while (pmf(hi + 1) * n > 1e-3 || hi < 2) hi++;
  const minSample = Math.min(...samples);
  const maxSample = Math.max(...samples);
  lo = Math.min(lo, minSample);
  hi = Math.max(hi, maxSample);
  // Bins: central values with expected ≥ 5; tails merged.
  let left = 0;
  while (pmf(left - 1) * n >= 5) left--;
  let right = 0;
  while (pmf(right + 1) * n >= 5) right++;
  const bins: Array<{ expected: number; observed: number }> = [];
  let tailE = 0;
  let tailO = 0;
  for (let y = lo; y < left; y++) {
    tailE += pmf(y) * n;
    tailO += counts.get(y) ?? 0;
  }
  // Mass beyond lo (negligible) counts in the tail too.
  tailE = Math.max(tailE, 0);
  bins.push({ expected: tailE + pmf(left) * n, observed: tailO + (counts.get(left) ?? 0) });
  for (let y = left + 1; y < right; y++) bins.push({ expected: pmf(y) * n, observed: counts.get(y) ?? 0 });
  let rE = pmf(right) * n;
  let rO = counts.get(right) ?? 0;
  for (let y = right + 1; y <= hi; y++) {
    rE += pmf(y) * n;
    rO += counts.get(y) ?? 0;
  }
  if (right > left) bins.push({ expected: rE, observed: rO });
  let chi2 = 0;
  for (const b of bins) chi2 += ((b.observed - b.expected) * (b.observed - b.expected)) / b.expected;
  const df = Math.max(1, bins.length - 1);
  // KS on the CDF over the support.
  let cdf = 0;
  let emp = 0;
  let ks = 0;
  for (let y = lo; y <= hi; y++) {
    cdf += pmf(y);
    emp += (counts.get(y) ?? 0) / n;
    ks = Math.max(ks, Math.abs(cdf - emp));
  }
  return { chi2, df, critical: chiSquareCritical(df, alpha), ks, ksCritical: ksCritical(n, alpha), mean, variance };
}

/** Exact variance and fourth central moment of a symmetric PMF on ℤ (summed to convergence). */
export function moments(pmf: (y: number) => number): { variance: number; m4: number } {
  let variance = 0;
  let m4 = 0;
  for (let y = 1; ; y++) {
    const p = pmf(y);
    variance += 2 * p * y * y;
    m4 += 2 * p * y * y * y * y;
    if (p * y ** 4 < 1e-16 * (m4 + 1e-300) && y > 5) break;
  }
  return { variance, m4 };
}
