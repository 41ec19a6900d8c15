// budget.ts — sensitivity of a linked-tables release, the noise it needs for a privacy budget,
// and the arithmetic of a budget ledger (the server's one ledger is services/dp-ledger.ts).
//
// Neighbouring datasets: one incident added or removed (event-level privacy; a person who reports
// several incidents is protected per incident, with the budget composed over them).
//
// Guarantees:
// - `sensitivityCells(lt)` is EXACT: the largest number m of distinct published cells (a quantity
//   shared by several tables counts once) that one incident with a full key falls into. A cell
//   is identified by its non-"*" coordinates, so the cells containing an incident are in
//   one-to-one correspondence with pairs (S, codes): S a set of dimensions contained in some
//   requested table (including ∅, the grand total), and for each d ∈ S one non-"*" ancestor of the
//   incident's leaf (the leaf itself or one of its groups). Hence
//   m = Σ_{S ∈ down-closure(tables)} Π_{d ∈ S} depth_d, maximised by the deepest leaf of every
//   dimension (depth = number of non-"*" codes on the path from "*", 1 without hierarchy).
//   Adding/removing the incident changes each of those m cells by exactly 1 and no other cell:
//   L1 sensitivity m, L2 sensitivity √m.
// - `budgetFor` returns the noise with exact rational parameters:
//   · { rho }:     discrete Gaussian with σ² = m/(2ρ) on every distinct cell ⇒ ρ-zCDP
//                  (CKS 2020, Thm 14: Δ₂²/(2σ²) = m/(2σ²) = ρ).
//   · { epsilon }: discrete Laplace with scale t = m/ε on every distinct cell ⇒ ε-DP
//                  (Δ₁/t = ε).
//   Decimal inputs are read exactly (0.1 = 1/10, see rational.ts).
// - `spend` composes additively (ρ for zCDP, ε for pure DP) in EXACT rational arithmetic (no
//   float drift: 0.1 + 0.2 ≤ 0.3 holds) and refuses with 'budget_exceeded' when spent + amount >
//   total. An ε-DP release may be charged to a ρ ledger as ρ = ε²/2 (Bun & Steinke 2016,
//   Prop. 1.4); a ρ release cannot be charged to an ε ledger ('unit_mismatch').
// - Pure: no I/O (the lead stores the ledger).
import type { LinkedTables } from '../tables/types.js';
import { add, compare, div, formatDecimal, mul, rational, sub, toNumber, toRational, type Rational, type RationalInput } from './rational.js';

/** What `sensitivityCells` needs from a LinkedTables. */
export type LinkedStructure = Pick<LinkedTables, 'tables' | 'trees'>;

/** Depth of the deepest leaf of one dimension ("*" has depth 0). */
function maxLeafDepth(tree: { parent: number[]; children: number[][] }): number {
  const depth = new Array<number>(tree.parent.length).fill(0);
  let max = 0;
  // Codes are in depth-first order: a parent always precedes its children.
  for (let i = 1; i < tree.parent.length; i++) {
    depth[i] = depth[tree.parent[i]!]! + 1;
    if (tree.children[i]!.length === 0 && depth[i]! > max) max = depth[i]!;
  }
  return max;
}

/** m: the number of distinct cells one incident falls into (maximum over incidents). */
export function sensitivityCells(lt: LinkedStructure): number {
  const depth = new Map<string, number>();
  for (const t of lt.tables) {
    if (t.length > 24) throw new Error('table with more than 24 dimensions');
    for (const d of t) {
      if (depth.has(d)) continue;
      const tree = lt.trees[d];
      if (!tree) throw new Error(`no code tree for dimension ${d}`);
      depth.set(d, maxLeafDepth(tree));
    }
  }
  const seen = new Set<string>();
  let m = 0;
  for (const t of lt.tables) {
    const dims = [...t].sort();
    for (let mask = 0; mask < 1 << dims.length; mask++) {
      const subset = dims.filter((_, i) => (mask >> i) & 1);
      const id = subset.join('\u0001');
      if (seen.has(id)) continue;
      seen.add(id);
      m += subset.reduce((p, d) => p * depth.get(d)!, 1);
    }
  }
  return m;
}

export type BudgetRequest = { rho: RationalInput; epsilon?: undefined } | { epsilon: RationalInput; rho?: undefined };

export type Budget =
  | {
      mechanism: 'discrete-gaussian';
      /** Distinct cells per incident: L2 sensitivity √m. */
      m: number;
      rho: Rational;
      /** Variance parameter of the discrete Gaussian on every cell: m/(2ρ). */
      sigma2: Rational;
      values: { rho: number; sigma2: number };
    }
  | {
      mechanism: 'discrete-laplace';
      /** Distinct cells per incident: L1 sensitivity m. */
      m: number;
      epsilon: Rational;
      /** Scale of the discrete Laplace on every cell: m/ε. */
      scale: Rational;
      values: { epsilon: number; scale: number };
    };

function positive(x: RationalInput, name: string): Rational {
  const r = toRational(x);
  if (r.num <= 0n) throw new Error(`${name} must be > 0`);
  return r;
}

/** The noise needed on every distinct cell of `structure` for the requested budget. */
export function budgetFor(structure: LinkedStructure, request: BudgetRequest): Budget {
  const hasRho = request.rho !== undefined;
  const hasEps = request.epsilon !== undefined;
  if (hasRho === hasEps) throw new Error('give exactly one of rho (zCDP, discrete Gaussian) or epsilon (pure DP, discrete Laplace)');
  const m = sensitivityCells(structure);
  const mr = rational(BigInt(m));
  if (hasRho) {
    const rho = positive(request.rho!, 'rho');
    const sigma2 = div(mr, mul(rational(2n), rho));
    return { mechanism: 'discrete-gaussian', m, rho, sigma2, values: { rho: toNumber(rho), sigma2: toNumber(sigma2) } };
  }
  const epsilon = positive(request.epsilon!, 'epsilon');
  const scale = div(mr, epsilon);
  return { mechanism: 'discrete-laplace', m, epsilon, scale, values: { epsilon: toNumber(epsilon), scale: toNumber(scale) } };
}

export type BudgetUnit = 'rho' | 'epsilon';

export interface Ledger {
  /** Total budget (decimal number or exact string such as "0.5" or "1/3"). */
  total: number | string;
  /** Already spent (same spelling). */
  spent: number | string;
  unit: BudgetUnit;
}

export type SpendResult =
  | {
      ok: true;
      /** The updated ledger; `spent` is spelled exactly (a decimal string, or "num/den"). */
      ledger: Ledger & { spent: string };
      /** Amount charged, in the ledger's unit (exact spelling). */
      charged: string;
      remaining: number;
    }
  | { ok: false; error: 'budget_exceeded'; requested: string; remaining: number }
  | { ok: false; error: 'invalid_amount' | 'unit_mismatch'; message: string };

/**
 * Charges `amount` (in `unit`, default the ledger's) to the ledger, or refuses. Never mutates the
 * input ledger.
 */
export function spend(ledger: Ledger, amount: RationalInput, unit: BudgetUnit = ledger.unit): SpendResult {
  let total: Rational;
  let spent: Rational;
  let a: Rational;
  try {
    total = toRational(ledger.total);
    spent = toRational(ledger.spent);
    a = toRational(amount);
  } catch (e) {
    return { ok: false, error: 'invalid_amount', message: (e as Error).message };
  }
  if (ledger.unit !== 'rho' && ledger.unit !== 'epsilon') return { ok: false, error: 'unit_mismatch', message: `unknown ledger unit ${String(ledger.unit)}` };
  if (a.num <= 0n) return { ok: false, error: 'invalid_amount', message: 'amount must be > 0' };
  if (total.num < 0n || spent.num < 0n) return { ok: false, error: 'invalid_amount', message: 'ledger total and spent must be ≥ 0' };
  if (unit !== ledger.unit) {
    if (unit === 'epsilon' && ledger.unit === 'rho')
      a = mul(rational(1n, 2n), mul(a, a)); // ε-DP ⇒ (ε²/2)-zCDP
    else return { ok: false, error: 'unit_mismatch', message: 'a zCDP (rho) release cannot be charged to a pure-DP (epsilon) ledger' };
  }
  const after = add(spent, a);
  const remainingNow = sub(total, spent);
  if (compare(after, total) > 0) return { ok: false, error: 'budget_exceeded', requested: formatDecimal(a), remaining: Math.max(0, toNumber(remainingNow)) };
  return {
    ok: true,
    ledger: { total: ledger.total, spent: formatDecimal(after), unit: ledger.unit },
    charged: formatDecimal(a),
    remaining: toNumber(sub(total, after)),
  };
}
