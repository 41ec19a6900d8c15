// cost.ts — what it costs to suppress a cell (the information lost).
//
// Guarantees:
// - Lexicographic objective as one integer weight per cell: cost = W·units + value, where
//   W = 2·(Σ values + 1) exceeds any possible total of suppressed values. So any pattern with fewer
//   suppressed cells is cheaper, whatever the values, and among patterns with the same number of
//   cells the one with the smaller suppressed total is cheaper. Margins are weighted as cells.
// - Stability across a series: a cell that was suppressed in the most recent earlier release costs
//   `stabilityWeight` units (default ½) instead of 1, so the choice prefers keeping earlier
//   suppressions (a cell that stays suppressed reveals nothing new about the earlier release)
//   at the price of at most one extra such cell per normal cell saved. With stabilityWeight = 1
//   the preference disappears. Costs stay integers (W is even), so a MILP gap < 1 proves optimality.
// - Pure and deterministic.

export interface Costs {
  /** Integer cost per cell. */
  cost: Float64Array;
  /** Weight of one unit (one normal cell). */
  W: number;
}

export function cellCosts(values: Float64Array, previouslySuppressed?: Uint8Array, stabilityWeight = 0.5): Costs {
  let total = 0;
  for (const v of values) total += v;
  const W = 2 * (total + 1);
  const cost = new Float64Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const units = previouslySuppressed?.[i] ? stabilityWeight : 1;
    cost[i] = Math.round(W * units) + values[i]!;
  }
  return { cost, W };
}
