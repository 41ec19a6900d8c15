// The server's one differential-privacy budget, in zCDP's rho, shared by every DP series (the
// DpLedger table; docs/release-format.md, "Differential-privacy releases").
//
// Guarantees:
// - One budget for the whole server: a new series name is not a new budget. Its total is the
//   operator's CONTAMOS_DP_TOTAL_RHO, fixed by the first charge: if the setting later differs,
//   every DP draft is refused ('budget_fixed') rather than publish a ledger with two totals.
// - A request is charged rho, or epsilon²/2 for pure DP, in exact rational arithmetic; a request
//   above CONTAMOS_DP_MAX_RHO is refused ('budget_over_release_limit'), one that would take the
//   spent amount above the total is refused ('budget_exceeded'). `checkDpBudget` says so before
//   anything is computed; `chargeDpBudget` decides, inside the transaction that stores the draft,
//   so the budget is spent exactly when a draft is computed and stored, and a refused or failed
//   draft spends nothing (the transaction rolls back).
// - Concurrent drafts (two replicas) cannot both spend the last of the budget: each charge appends
//   row `sequence` = last + 1, the primary key lets only one transaction take a place, and the
//   other is refused ('budget_conflict', retryable) — optimistic concurrency. On SQLite the
//   database's single writer serialises the charges; a second connection that read the ledger
//   before the winner wrote cannot write after it (a busy or stale-snapshot error: refused as
//   'database_unavailable', retryable), so it is never charged against an old state either.
// - The entry returned is what the manifest records: { scope: 'server', unit: 'rho', total,
//   spentBefore, spentAfter, charged } with spentAfter = spentBefore + charged ≤ total, and
//   spentBefore the previous charge's spentAfter ("0" for the first).
import { isUniqueViolation } from '../db/errors.js';
import type { StoreData } from '../db/store.js';
import { DEFAULT_DP_BOUNDS, rhoCharge, type DpAmount, type DpBounds } from '../dp/bounds.js';
import { add, compare, formatDecimal, sub, toRational, type Rational } from '../dp/rational.js';
import { AppError } from '../errors.js';
import type { ServiceContext } from './context.js';

export type { DpAmount, DpBounds } from '../dp/bounds.js';
export { DEFAULT_DP_BOUNDS } from '../dp/bounds.js';

/** The ledger entry of one DP draft, as its manifest records it. */
export interface DpLedgerEntry {
  scope: 'server';
  unit: 'rho';
  total: string;
  spentBefore: string;
  spentAfter: string;
  charged: string;
}

/** What the ledger holds now: the fixed total (null before the first charge) and the spent amount. */
export interface DpBudgetState {
  sequence: number;
  total: string | null;
  spent: string;
}

/** The Store, or the transaction that stores the draft. */
type Ledger = Pick<StoreData, 'dp'>;

/** The operator's bounds of this server (the defaults when the context sets none). */
export function dpBoundsOf(ctx: Pick<ServiceContext, 'dpBounds'>): DpBounds {
  return ctx.dpBounds ?? DEFAULT_DP_BOUNDS;
}

export async function dpBudgetState(db: Ledger): Promise<DpBudgetState> {
  const last = await db.dp.last();
  return last ? { sequence: last.sequence, total: last.total, spent: last.spentAfter } : { sequence: 0, total: null, spent: '0' };
}

/** The charge of `amount` against `state`, or the refusal, with no I/O. */
function decide(state: DpBudgetState, bounds: DpBounds, amount: DpAmount): DpLedgerEntry {
  const total = toRational(bounds.totalRho);
  if (state.total !== null && compare(toRational(state.total), total) !== 0) {
    throw new AppError(
      'budget_fixed',
      `The server's privacy budget was fixed at rho = ${state.total} by its first differential-privacy release, but CONTAMOS_DP_TOTAL_RHO now says ${bounds.totalRho}; the operator must restore it. No counts were shown and nothing was stored.`,
    );
  }
  let charged: Rational;
  try {
    charged = rhoCharge(amount);
  } catch (e) {
    throw new AppError('invalid_body', (e as Error).message);
  }
  if (compare(charged, toRational(bounds.maxRho)) > 0) {
    throw new AppError(
      'budget_over_release_limit',
      `This release would spend rho = ${formatDecimal(charged)}${amount.epsilon !== undefined ? ' (epsilon²/2)' : ''}, but one release may spend at most rho = ${bounds.maxRho} on this server (CONTAMOS_DP_MAX_RHO). No counts were shown and nothing was stored.`,
    );
  }
  const before = toRational(state.spent);
  const after = add(before, charged);
  if (compare(after, total) > 0) {
    throw new AppError(
      'budget_exceeded',
      `This release would spend rho = ${formatDecimal(charged)}, but the server's privacy budget (shared by every differential-privacy series) has rho = ${formatDecimal(sub(total, before))} left of ${formatDecimal(total)}. No counts were shown and nothing was stored.`,
    );
  }
  return {
    scope: 'server',
    unit: 'rho',
    total: formatDecimal(total),
    spentBefore: formatDecimal(before),
    spentAfter: formatDecimal(after),
    charged: formatDecimal(charged),
  };
}

/** Refuses, before anything is computed, a request the budget cannot pay for now. */
export async function checkDpBudget(db: Ledger, bounds: DpBounds, amount: DpAmount): Promise<void> {
  decide(await dpBudgetState(db), bounds, amount);
}

/**
 * Charges `amount` to the server's budget inside `tx` (the transaction that stores the draft) and
 * returns the manifest's ledger entry, or refuses (AppError) writing nothing.
 */
export async function chargeDpBudget(tx: Ledger, bounds: DpBounds, amount: DpAmount): Promise<DpLedgerEntry> {
  const state = await dpBudgetState(tx);
  const entry = decide(state, bounds, amount);
  try {
    await tx.dp.append({
      sequence: state.sequence + 1,
      total: entry.total,
      spentBefore: entry.spentBefore,
      charged: entry.charged,
      spentAfter: entry.spentAfter,
    });
  } catch (e) {
    if (isUniqueViolation(e)) throw new AppError('budget_conflict');
    throw e;
  }
  return entry;
}
