// rational.ts — exact non-negative rationals as BigInt numerator/denominator, for the privacy
// parameters (rho, epsilon, sigma², Laplace scale) and the samplers' Bernoulli probabilities.
//
// Guarantees:
// - Every `Rational` returned is normalised: den > 0, gcd(num, den) = 1 (num may be 0 → 0/1).
// - `toRational` is exact: a decimal string ("0.1", "1e-3") or a JavaScript number is read through
//   its shortest round-trip decimal spelling (`String(x)`), so `0.1` means exactly 1/10 — the value
//   the operator typed, not the nearest binary double. Non-finite or malformed input throws.
// - `toNumber` is the correctly rounded double when num and den are exactly representable, and a
//   faithful approximation otherwise (only for reporting; no sampling decision uses it).
// - Pure: no I/O, no randomness.

export interface Rational {
  readonly num: bigint;
  readonly den: bigint;
}

/** Anything accepted where a rational parameter is expected. */
export type RationalInput = number | string | Rational;

export function gcd(a: bigint, b: bigint): bigint {
  if (a < 0n) a = -a;
  if (b < 0n) b = -b;
  while (b !== 0n) [a, b] = [b, a % b];
  return a;
}

export function rational(num: bigint, den: bigint = 1n): Rational {
  if (den === 0n) throw new Error('rational: zero denominator');
  if (den < 0n) {
    num = -num;
    den = -den;
  }
  if (num === 0n) return { num: 0n, den: 1n };
  const g = gcd(num, den);
  return { num: num / g, den: den / g };
}

export function isRational(x: unknown): x is Rational {
  return typeof x === 'object' && x !== null && typeof (x as Rational).num === 'bigint' && typeof (x as Rational).den === 'bigint';
}

const DECIMAL = /^([+-]?)(\d+)?(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/;

/** Exact rational from a decimal string, a number (via its shortest decimal spelling) or a Rational. */
export function toRational(x: RationalInput): Rational {
  if (isRational(x)) return rational(x.num, x.den);
  if (typeof x === 'number') {
    if (!Number.isFinite(x)) throw new Error(`not a finite number: ${x}`);
    return toRational(String(x));
  }
  if (typeof x !== 'string') throw new Error('expected a number, a decimal string or a rational');
  const s = x.trim();
  const frac = /^([+-]?\d+)\s*\/\s*(\d+)$/.exec(s);
  if (frac) return rational(BigInt(frac[1]!), BigInt(frac[2]!));
  const m = DECIMAL.exec(s);
  if (!m || (m[2] === undefined && (m[3] === undefined || m[3] === ''))) throw new Error(`not a decimal number: ${JSON.stringify(x)}`);
  const sign = m[1] === '-' ? -1n : 1n;
  const intPart = m[2] ?? '0';
  const fracPart = m[3] ?? '';
  const exp = Number(m[4] ?? '0') - fracPart.length;
  if (!Number.isSafeInteger(exp) || Math.abs(exp) > 10_000) throw new Error(`exponent out of range: ${JSON.stringify(x)}`);
  let num = sign * BigInt(intPart + fracPart);
  let den = 1n;
  if (exp >= 0) num *= 10n ** BigInt(exp);
  else den = 10n ** BigInt(-exp);
  return rational(num, den);
}

export function add(a: Rational, b: Rational): Rational {
  return rational(a.num * b.den + b.num * a.den, a.den * b.den);
}

export function sub(a: Rational, b: Rational): Rational {
  return rational(a.num * b.den - b.num * a.den, a.den * b.den);
}

export function mul(a: Rational, b: Rational): Rational {
  return rational(a.num * b.num, a.den * b.den);
}

export function div(a: Rational, b: Rational): Rational {
  if (b.num === 0n) throw new Error('rational: division by zero');
  return rational(a.num * b.den, a.den * b.num);
}

/** −1, 0 or 1 as a <, =, > b. */
export function compare(a: Rational, b: Rational): -1 | 0 | 1 {
  const l = a.num * b.den;
  const r = b.num * a.den;
  return l < r ? -1 : l > r ? 1 : 0;
}

/** ⌊a⌋ for a ≥ 0. */
export function floorOf(a: Rational): bigint {
  if (a.num < 0n) throw new Error('floorOf: negative');
  return a.num / a.den;
}

/** ⌊√n⌋ for a non-negative BigInt (Newton's method, exact). */
export function isqrt(n: bigint): bigint {
  if (n < 0n) throw new Error('isqrt: negative');
  if (n < 2n) return n;
  const approx = Math.sqrt(Number(n));
  let x = Number.isFinite(approx) ? BigInt(Math.floor(approx)) + 1n : 1n << BigInt(Math.ceil(bitLength(n) / 2));
  // Correct the floating-point estimate exactly.
  for (;;) {
    const y = (x + n / x) >> 1n;
    if (y >= x) break;
    x = y;
  }
  while (x * x > n) x -= 1n;
  while ((x + 1n) * (x + 1n) <= n) x += 1n;
  return x;
}

export function toNumber(a: Rational): number {
  const n = Number(a.num);
  const d = Number(a.den);
  if (Number.isFinite(n) && Number.isFinite(d) && Number.isSafeInteger(n) && Number.isSafeInteger(d)) return n / d;
  // Keep ~64 significant bits of the quotient: q = ⌊num·2^k / den⌋, value ≈ q·2^−k.
  const k = 64 - (bitLength(a.num) - bitLength(a.den));
  const q = k >= 0 ? (a.num << BigInt(k)) / a.den : a.num / (a.den << BigInt(-k));
  return Number(q) * Math.pow(2, -k);
}

export function bitLength(n: bigint): number {
  if (n < 0n) n = -n;
  return n === 0n ? 0 : n.toString(2).length;
}

/** "num/den" (or "num" when den = 1): a stable spelling for manifests. */
export function format(a: Rational): string {
  return a.den === 1n ? a.num.toString() : `${a.num}/${a.den}`;
}

/** Exact decimal spelling when the denominator is 2^a·5^b ("0.3"), else "num/den". */
export function formatDecimal(a: Rational): string {
  let d = a.den;
  let twos = 0;
  let fives = 0;
  while (d % 2n === 0n) {
    d /= 2n;
    twos++;
  }
  while (d % 5n === 0n) {
    d /= 5n;
    fives++;
  }
  if (d !== 1n) return format(a);
  const digits = Math.max(twos, fives);
  const scaled = (a.num * 10n ** BigInt(digits)) / a.den;
  const neg = scaled < 0n;
  let s = (neg ? -scaled : scaled).toString();
  if (digits > 0) {
    s = s.padStart(digits + 1, '0');
    s = `${s.slice(0, s.length - digits)}.${s.slice(s.length - digits)}`;
  }
  return neg ? `-${s}` : s;
}
