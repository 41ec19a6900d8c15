// Submission, amendment, withdrawal and listing of a member's own reports.
// Guarantees:
// - idempotent submission: the client chooses the id; the same body again gives the same signed
//   receipt (200), a different body under an existing id is refused (409) and changes nothing;
// - an amendment (`supersedes`) replaces one of the member's own active reports, atomically;
// - withdrawal and amendment only by the credential that submitted the report; another member's
//   report is indistinguishable from a missing one (404), also when a submission uses its id: 404
//   report_not_found, as GET answers (409 report_conflict only for one's own id with another body);
// - the stored row holds only the pseudonym, taxonomy codes, the sealed narrative, the optional
//   dedupe tag, the status and the report hash — no time of any kind;
// - every write happens in the transaction that consumes the request's nonce (the Store's intake,
//   db/intake.ts, for a submission; `signed` for the rest);
// - the receipt is signed here, by `receiptFor`, and nowhere else, after the Store has answered.
import { reportHash as hashReport, signReceipt, type Receipt } from '../../crypto/index.js';
import { AppError } from '../errors.js';
import type { ReportBody } from '../schemas/report.js';
import { nonceRow } from '../db/nonces.js';
import type { IntakeCharge, LimitCode, RefusalCode, StoreTx } from '../db/store.js';
import type { Auth, ServiceContext } from './context.js';

export type { Receipt };

export function receiptFor(ctx: ServiceContext, reportId: string, hash: string): Receipt {
  return signReceipt(reportId, hash, { keyId: ctx.keys.receipt.keyId, secretKey: ctx.keys.receipt.secretKey });
}

/** Canonical body hashed into the receipt: exactly the validated fields, absent ones omitted. */
function hashOf(id: string, body: ReportBody): string {
  return hashReport(id, Object.fromEntries(Object.entries(body).filter(([, v]) => v !== undefined)));
}

const REFUSAL_MESSAGES: Partial<Record<RefusalCode | LimitCode, string>> = {
  report_not_found: 'The report to amend is not among your own.',
  report_not_active: 'The report to amend is not active (already withdrawn or amended).',
};

/**
 * Stores a submission (see header) and signs its receipt; `charge`: the rate windows the Store
 * charges it to in the same call (http/rate-limit.ts, db/intake-charge.ts), refusing beyond them.
 * The caller checked that it does not supersede itself (routes/reports.ts).
 */
export async function submit(
  ctx: ServiceContext,
  auth: Auth,
  id: string,
  body: ReportBody,
  charge?: IntakeCharge,
): Promise<{ created: boolean; receipt: Receipt }> {
  const hash = hashOf(id, body);
  const row = {
    id,
    memberKeyId: auth.keyId,
    year: body.year,
    quarter: body.quarter ?? null,
    region: body.region,
    incidentType: body.incidentType,
    victimGender: body.victimGender,
    victimNationality: body.victimNationality,
    victimAgeBand: body.victimAgeBand,
    perpetratorType: body.perpetratorType,
    outcome: body.outcome ?? null,
    sealedNarrative: body.sealedNarrative,
    dedupeTag: body.dedupeTag ?? null,
    supersedes: body.supersedes ?? null,
    reportHash: hash,
  };
  const outcome = await ctx.db.intake.submit(nonceRow(auth), row, charge);
  // another member's id: the answer of GET /reports/:id for an id that is not among one's own
  if ('error' in outcome)
    throw outcome.error === 'report_id_taken' ? new AppError('report_not_found') : new AppError(outcome.error, REFUSAL_MESSAGES[outcome.error]);
  return { created: outcome.created, receipt: receiptFor(ctx, id, hash) };
}

export interface ReportState {
  id: string;
  status: string;
  reportHash: string;
  supersedes: string | null;
  supersededBy: string | null;
}

async function stateOf(tx: StoreTx, keyId: string, id: string): Promise<ReportState> {
  const r = await tx.reports.own(keyId, id);
  if (!r) throw new AppError('report_not_found');
  return { ...r, supersededBy: await tx.reports.supersededBy(id) };
}

export function getOwn(ctx: ServiceContext, auth: Auth, id: string): Promise<ReportState> {
  return ctx.db.signed(nonceRow(auth), (tx) => stateOf(tx, auth.keyId, id));
}

export async function listOwn(ctx: ServiceContext, auth: Auth, page: { cursor?: string; limit: number }) {
  return ctx.db.signed(nonceRow(auth), async (tx) => {
    const rows = await tx.reports.listOwn(auth.keyId, page.cursor, page.limit + 1);
    const more = rows.length > page.limit;
    const items = rows.slice(0, page.limit);
    return { items, nextCursor: more ? items[items.length - 1]!.id : null };
  });
}

export function withdraw(ctx: ServiceContext, auth: Auth, id: string): Promise<ReportState> {
  return ctx.db.signed(nonceRow(auth), async (tx) => {
    const current = await stateOf(tx, auth.keyId, id);
    if (current.status === 'withdrawn') return current;
    if (current.status !== 'active') throw new AppError('report_not_active', 'This report was amended; withdraw its latest version.');
    await tx.reports.withdraw(id);
    return { ...current, status: 'withdrawn' };
  });
}
