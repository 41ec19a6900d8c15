// bounds.ts — what one differential-privacy request may ask for, and what it costs the server's
// single budget (docs/release-format.md, "Differential-privacy releases").
//
// Guarantees:
// - `readPrivacyAmount` accepts exactly: a finite JavaScript number, or a string that is a plain
//   decimal ("0.5") or a fraction ("1/4") of at most 40 characters; it is read EXACTLY (rational.ts)
//   and must be ≥ DP_MIN_AMOUNT. Anything else (exponents, signs, spaces, NaN, huge strings) is
//   refused with a message, never thrown.
// - `rhoCharge` is exact: rho for a zCDP request, epsilon²/2 for a pure-DP request (an ε-DP
//   mechanism is (ε²/2)-zCDP: Bun & Steinke 2016, Prop. 1.4). Numbers and strings of the same
//   value cost the same.
// - `readDpBounds` accepts operator bounds only when 0 < max ≤ total, max ≤ DP_MAX_RHO_CEILING and
//   total ≤ DP_TOTAL_RHO_CEILING; `requestProblem` refuses any request whose charge is above the
//   ceiling, so no configuration and no request can ask for more than the ceiling per release.
// Pure: no I/O.
import { compare, formatDecimal, mul, rational, toRational, type Rational } from './rational.js';

/** Default total budget of the server (CONTAMOS_DP_TOTAL_RHO), zCDP rho. */
export const DP_DEFAULT_TOTAL_RHO = '2';
/** Default most one release may spend (CONTAMOS_DP_MAX_RHO), zCDP rho. */
export const DP_DEFAULT_MAX_RHO = '0.5';
/**
 * The most any release may spend on any server, and so the largest CONTAMOS_DP_MAX_RHO: at
 * rho = 2 a count in a table where an incident falls into 6 cells already gets noise of variance
 * 1.5 only (σ² = m / 2ρ).
 */
export const DP_MAX_RHO_CEILING = '2';
/** The largest CONTAMOS_DP_TOTAL_RHO accepted at start. */
export const DP_TOTAL_RHO_CEILING = '100';
/** The smallest rho or epsilon a request may give (below it the noise is absurdly large). */
export const DP_MIN_AMOUNT = '0.000001';

export type DpUnit = 'rho' | 'epsilon';
/** A request's privacy parameter: exactly one of rho (zCDP) or epsilon (pure DP). */
export type DpAmount = { rho: number | string; epsilon?: undefined } | { epsilon: number | string; rho?: undefined };

/** The operator's bounds, in zCDP rho, as exact normalised spellings ("2", "0.5", "1/3"). */
export interface DpBounds {
  totalRho: string;
  maxRho: string;
}

const DECIMAL = /^(?:0|[1-9]\d*)(?:\.\d+)?$/;
const FRACTION = /^(?:0|[1-9]\d*)\/[1-9]\d*$/;

/** Reads a rho or epsilon exactly, or says why it is not acceptable. */
export function readPrivacyAmount(x: unknown): { ok: true; value: Rational } | { ok: false; message: string } {
  let value: Rational;
  if (typeof x === 'number') {
    if (!Number.isFinite(x)) return { ok: false, message: 'must be a finite number' };
    value = toRational(x);
  } else if (typeof x === 'string') {
    if (x.length > 40 || !(DECIMAL.test(x) || FRACTION.test(x)))
      return { ok: false, message: 'must be a decimal such as "0.5" or a fraction such as "1/4" (at most 40 characters)' };
    value = toRational(x);
  } else {
    return { ok: false, message: 'must be a number or a string' };
  }
  if (compare(value, toRational(DP_MIN_AMOUNT)) < 0) return { ok: false, message: `must be at least ${DP_MIN_AMOUNT}` };
  return { ok: true, value };
}

/** The zCDP cost of a request: rho, or epsilon²/2. Throws on an amount `readPrivacyAmount` refuses. */
export function rhoCharge(amount: DpAmount): Rational {
  const unit: DpUnit = amount.rho !== undefined ? 'rho' : 'epsilon';
  const read = readPrivacyAmount(unit === 'rho' ? amount.rho : amount.epsilon);
  if (!read.ok) throw new RangeError(`${unit} ${read.message}`);
  return unit === 'rho' ? read.value : mul(rational(1n, 2n), mul(read.value, read.value));
}

/**
 * Why a request's amount cannot be accepted by any server (bad spelling, below the minimum, or a
 * charge above DP_MAX_RHO_CEILING), or null. The operator's own, possibly lower, bound is checked
 * by the ledger (services/dp-ledger.ts).
 */
export function requestProblem(unit: DpUnit, x: unknown): string | null {
  const read = readPrivacyAmount(x);
  if (!read.ok) return read.message;
  const rho = unit === 'rho' ? read.value : mul(rational(1n, 2n), mul(read.value, read.value));
  if (compare(rho, toRational(DP_MAX_RHO_CEILING)) > 0) {
    return unit === 'rho'
      ? `must be at most ${DP_MAX_RHO_CEILING}: no release may spend more`
      : `must be at most 2 (epsilon²/2 is charged, and no release may spend more than rho = ${DP_MAX_RHO_CEILING})`;
  }
  return null;
}

/** Reads and checks the operator's bounds (CONTAMOS_DP_TOTAL_RHO, CONTAMOS_DP_MAX_RHO). Throws with a clear message. */
export function readDpBounds(totalRho: string, maxRho: string): DpBounds {
  const read = (name: string, s: string): Rational => {
    const r = readPrivacyAmount(s);
    if (!r.ok) throw new RangeError(`${name} ${r.message}`);
    return r.value;
  };
  const total = read('CONTAMOS_DP_TOTAL_RHO', totalRho);
  const max = read('CONTAMOS_DP_MAX_RHO', maxRho);
  if (compare(total, toRational(DP_TOTAL_RHO_CEILING)) > 0) throw new RangeError(`CONTAMOS_DP_TOTAL_RHO must be at most ${DP_TOTAL_RHO_CEILING}`);
  if (compare(max, toRational(DP_MAX_RHO_CEILING)) > 0) throw new RangeError(`CONTAMOS_DP_MAX_RHO must be at most ${DP_MAX_RHO_CEILING}`);
  if (compare(max, total) > 0) throw new RangeError('CONTAMOS_DP_MAX_RHO must not be larger than CONTAMOS_DP_TOTAL_RHO');
  return { totalRho: formatDecimal(total), maxRho: formatDecimal(max) };
}

/** The default bounds. */
export const DEFAULT_DP_BOUNDS: DpBounds = readDpBounds(DP_DEFAULT_TOTAL_RHO, DP_DEFAULT_MAX_RHO);
