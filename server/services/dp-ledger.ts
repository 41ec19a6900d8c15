// The differential-privacy budget of a release series, kept in the SeriesBudget table.
// Guarantees: the first DP release of a series sets its total budget (the publisher's choice) and
// it can never change afterwards; every DP draft charges its rho (or epsilon) to the ledger in the
// same transaction that stores the draft, so the budget is spent as soon as anyone has seen noisy
// counts, and a draft that would exceed the total is refused and writes nothing. Concurrent drafts
// (two replicas) cannot both spend the last of the budget: the update is conditional on the spent
// amount read (optimistic concurrency), and a lost race is refused with a retryable 409.
import { spend, toRational, type BudgetUnit } from '../dp/index.js';
import type { Tx } from '../db/client.js';
import { AppError } from '../errors.js';
import type { DpReleaseRequest } from '../schemas/release.js';

export interface LedgerEntry { unit: BudgetUnit; total: string; spentBefore: string; spentAfter: string; charged: string }

const spell = (x: number | string) => String(x);

export async function chargeSeries(tx: Tx, req: DpReleaseRequest): Promise<LedgerEntry> {
  const unit: BudgetUnit = req.rho !== undefined ? 'rho' : 'epsilon';
  const amount = spell((req.rho ?? req.epsilon)!);
  const asked = req.seriesBudget ? ('rho' in req.seriesBudget ? { unit: 'rho' as const, total: spell(req.seriesBudget.rho) } : { unit: 'epsilon' as const, total: spell(req.seriesBudget.epsilon) }) : undefined;
  let row = await tx.seriesBudget.findUnique({ where: { series: req.series } });
  if (!row) {
    if (!asked) throw new AppError('budget_missing');
    row = await tx.seriesBudget.create({ data: { series: req.series, unit: asked.unit, total: asked.total, spent: '0' } });
  } else if (asked && (asked.unit !== row.unit || toRational(asked.total).num * toRational(row.total).den !== toRational(row.total).num * toRational(asked.total).den)) {
    throw new AppError('budget_fixed');
  }
  const result = spend({ unit: row.unit as BudgetUnit, total: row.total, spent: row.spent }, amount, unit);
  if (!result.ok) {
    if (result.error === 'budget_exceeded') throw new AppError('budget_exceeded', `This release needs ${result.requested} (${row.unit}) but the series "${req.series}" has ${result.remaining} left of ${row.total}.`);
    throw new AppError('invalid_body', result.message);
  }
  const updated = await tx.seriesBudget.updateMany({ where: { series: req.series, spent: row.spent }, data: { spent: result.ledger.spent } });
  if (updated.count !== 1) throw new AppError('release_stale');
  return { unit: row.unit as BudgetUnit, total: row.total, spentBefore: row.spent, spentAfter: result.ledger.spent, charged: result.charged };
}
