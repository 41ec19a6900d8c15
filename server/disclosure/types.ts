// types.ts — the plain-data shapes of the disclosure-control modules: the linked tables' shapes
// (defined in server/tables/types.ts, re-exported here) and the audit's results.
//
// Guarantees: types only (plus the `ALL` code constant); no behaviour, no I/O.

export { ALL } from '../tables/types.js';
export type { Cell, Constraint, CountRecord, Domains, Hierarchies, Key, LinkedTables, LinkedTablesInput } from '../tables/types.js';

/** One suppressed cell's attacker interval, rounded to integers (lo up, hi down, 1e-6 slack). */
export interface CellInterval {
  id: number;
  /** Smallest value an attacker can prove consistent (LP minimum, rounded up). */
  lo: number;
  /** Largest value (LP maximum rounded down); `Infinity` when unbounded. */
  hi: number;
  /** True value. */
  value: number;
  /** Whether the cell is judged by the protection rule (primary or difference-sensitive). */
  sensitive: boolean;
  /** Sensitive: hi − lo ≥ protection and hi ≥ k and not pinned. Others: not pinned (lo < hi). */
  ok: boolean;
}

export interface AuditResult {
  ok: boolean;
  /**
   * True: every interval is the exact attacker interval. False ("verdict" audit): every verdict
   * is proven, and each interval is a proven INNER interval (values the attacker cannot exclude),
   * which is all the rule needs; the exact ones are `auditIntervals`' (and the auditor's) to give.
   */
  exact: boolean;
  /** Every suppressed cell, ascending id. */
  intervals: CellInterval[];
  /** Independent systems of unknowns that were analysed (after substituting published cells). */
  components: number;
  /** HiGHS solves performed. */
  lpSolves: number;
}

export type SuppressionReason = 'primary' | 'secondary' | 'difference';
