// primary.ts — primary suppression and the protection rule.
//
// Guarantees:
// - `primaryCells` returns exactly the cells with 1 ≤ value < k (ascending ids). Zero is never
//   primary: a published zero is known information and is published as zero.
// - `ruleHolds` is the single definition of "protected" used everywhere (audit, heuristics, MILP
//   post-check, tests): for a sensitive cell with rounded attacker interval [lo, hi],
//   hi − lo ≥ protection AND hi ≥ k (the attacker can neither narrow the count to fewer than
//   `protection` values nor prove it is below the threshold); and no suppressed cell may be pinned
//   (lo == hi).
// - `validateParams` rejects k < 2, protection < 1 and non-integers.
import type { Cell } from './types.js';

export function validateParams(k: number, protection: number): void {
  if (!Number.isInteger(k) || k < 2) throw new Error('k must be an integer ≥ 2');
  if (!Number.isInteger(protection) || protection < 1) throw new Error('protection must be an integer ≥ 1');
}

export function isPrimary(value: number, k: number): boolean {
  return value >= 1 && value < k;
}

export function primaryCells(cells: readonly Cell[], k: number): number[] {
  const out: number[] = [];
  for (const c of cells) if (isPrimary(c.value, k)) out.push(c.id);
  return out;
}

/** Rounds an LP minimum up and an LP maximum down, with 1e-6 slack (values are integers). */
export function roundLo(x: number): number {
  return Math.ceil(x - 1e-6);
}
export function roundHi(x: number): number {
  return x === Infinity ? Infinity : Math.floor(x + 1e-6);
}

export function ruleHolds(lo: number, hi: number, sensitive: boolean, k: number, protection: number): boolean {
  if (lo >= hi) return false; // pinned
  if (!sensitive) return true;
  return hi - lo >= protection && hi >= k;
}
