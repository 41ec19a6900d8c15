// rules.ts — what "protected" means for each cell: the single definition used by the audit
// engine, the suppression heuristics, the MILP and the global model.
//
// A cell's rule, judged on its attacker interval [lo, hi] (rounded inwards to integers):
//   pinned:  when `pin`, lo < hi (a cell hidden by choice must not be derivable);
//   width:   hi − lo ≥ width (the protection level p of a sensitive count; 0 otherwise);
//   reach:   hi ≥ need, OR lo ≤ lowAlt.
// A small count (true value 1..k−1) has need k, width p; a count that is small once the largest
// member organisation's own incidents are taken off ("holdings") has need = that member's share + k
// (so what the others reported could be ≥ k), width p; a cell shown as suppressed has need ≥ k (no
// hidden cell may be provably below k); a net change that may be negative (true value t in
// ±(1..k−1)) has the band rule: for t > 0, hi ≥ k or lo ≤ 0; for t < 0, hi ≥ 0 or lo ≤ −k (the
// attacker cannot be sure the change was 1..k−1 in either direction).
//
// Guarantees: `holds` is monotone — widening an interval never turns a pass into a failure — so
// a verdict proven on an inner interval (values known reachable) or refuted on an outer one
// (valid bounds) is certain (interval-audit.ts relies on this). `rise` is the smallest upward
// move of a cell's maximum from its true value `v` that satisfies `need` and `width` given the
// lower end `lo` already reachable (0 when nothing is needed); pure functions, no I/O.
export interface Rules {
  need: Float64Array;
  lowAlt: Float64Array;
  width: Float64Array;
  pin: Uint8Array;
}

/** Rules that ask nothing of any cell. */
export function emptyRules(n: number): Rules {
  return { need: new Float64Array(n).fill(-Infinity), lowAlt: new Float64Array(n).fill(-Infinity), width: new Float64Array(n), pin: new Uint8Array(n) };
}

export function holds(r: Rules, i: number, lo: number, hi: number): boolean {
  if (r.pin[i] && lo >= hi) return false;
  if (hi - lo < r.width[i]!) return false;
  return hi >= r.need[i]! || lo <= r.lowAlt[i]!;
}

/** Upward move of the cell's maximum needed from true value `v` (lo: reachable lower end). */
export function rise(r: Rules, i: number, v: number, lo: number): number {
  let up = 0;
  if (lo > r.lowAlt[i]!) up = Math.max(up, r.need[i]! - v);
  up = Math.max(up, r.width[i]! - (v - lo));
  if (r.pin[i]) up = Math.max(up, 1);
  return up;
}

/** Sets the level rule of a sensitive count: need `need` (≥ k), width p, not pinned. */
export function setSensitive(r: Rules, i: number, need: number, width: number): void {
  r.need[i] = Math.max(r.need[i]!, need);
  r.width[i] = Math.max(r.width[i]!, width);
  r.pin[i] = 1;
}

/** Sets the band rule of a change cell with true value t (|t| in 1..k−1). */
export function setBand(r: Rules, i: number, t: number, k: number): void {
  const [need, lowAlt] = band(t, 0, k);
  r.need[i] = need;
  r.lowAlt[i] = lowAlt;
}

/**
 * The band rule around a member's own net change c, for a change whose others' part o = t − c
 * has |o| in 1..k−1: [need, lowAlt] = [c + k, c] when o > 0, [c, c − k] when o < 0 (c = 0: the
 * plain band rule).
 */
export function band(t: number, c: number, k: number): [number, number] {
  return t - c > 0 ? [c + k, c] : [c, c - k];
}

/**
 * The single-release rules: cells in `sensitive` (the primaries) need k and width p; every other
 * cell, if suppressed, must not be pinned and must admit k (no suppressed cell provably below k).
 */
export function thresholdRules(n: number, sensitive: Uint8Array, k: number, protection: number): Rules {
  const r = emptyRules(n);
  for (let i = 0; i < n; i++) {
    r.pin[i] = 1;
    r.need[i] = k;
    if (sensitive[i]) r.width[i] = protection;
  }
  return r;
}
