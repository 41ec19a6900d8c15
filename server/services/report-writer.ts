// Writes one submitted report: consumes the request's nonce, re-checks that the key is not
// revoked, decides idempotency (same id + same hash by the same member → not created; otherwise
// a conflict; another member's id is refused as if it did not exist), applies an amendment's `supersedes`, and inserts — all in one transaction, so a
// refusal writes nothing. On SQLite it runs on the prepared-statement fast path
// (db/sqlite-fast-path.ts), whose writer thread also signs the receipt after the commit;
// elsewhere through a Prisma interactive transaction with the same steps. The request's signature
// was verified before (http/auth.ts).
import type { ReportRow, WriteOutcome, RefusalCode } from '../db/report-row.js';
import type { Tx } from '../db/client.js';
import { nonceRow } from './nonces.js';
import { isUniqueViolation } from './db-errors.js';
import type { Auth, ServiceContext } from './context.js';

class Refusal extends Error {
  constructor(readonly code: RefusalCode) { super(code); }
}

export async function writeReport(ctx: ServiceContext, auth: Auth, row: ReportRow): Promise<WriteOutcome> {
  if (ctx.db.fast) return await ctx.db.fast.submit(nonceRow(auth), row, { receiptKey: ctx.keys.receipt });
  try {
    return await ctx.db.prisma.$transaction(async (tx) => prismaSteps(tx, auth, row));
  } catch (e) {
    if (e instanceof Refusal) return { error: e.code };
    if (!isUniqueViolation(e)) throw e;
    if (uniqueTarget(e) === 'Nonce') return { error: 'replayed_nonce' };
    // Two submissions of the same id raced (e.g. on two replicas) and the other one won: the same
    // report is an idempotent success (nothing new to write), a different one a conflict.
    const winner = await ctx.db.prisma.report.findUnique({ where: { id: row.id }, select: { memberKeyId: true, reportHash: true } });
    if (winner && winner.memberKeyId !== row.memberKeyId) return { error: 'report_id_taken' };
    if (winner && winner.reportHash === row.reportHash) return { created: false };
    return { error: 'report_conflict' };
  }
}

async function prismaSteps(tx: Tx, auth: Auth, row: ReportRow): Promise<WriteOutcome> {
  const n = nonceRow(auth);
  const fresh = await tx.$executeRaw`INSERT INTO "Nonce" (hash, "expiresAt") VALUES (${n.hash}, ${n.expiresAt}) ON CONFLICT DO NOTHING`;
  if (fresh !== 1) throw new Refusal('replayed_nonce');
  const m = await tx.member.findUnique({ where: { keyId: row.memberKeyId }, select: { revoked: true } });
  if (!m || m.revoked) throw new Refusal('key_revoked');
  const existing = await tx.report.findUnique({ where: { id: row.id }, select: { memberKeyId: true, reportHash: true } });
  if (existing) {
    if (existing.memberKeyId !== row.memberKeyId) throw new Refusal('report_id_taken');
    if (existing.reportHash === row.reportHash) return { created: false };
    throw new Refusal('report_conflict');
  }
  if (row.supersedes !== null) {
    const r = await tx.report.updateMany({ where: { id: row.supersedes, memberKeyId: row.memberKeyId, status: 'active' }, data: { status: 'superseded' } });
    if (r.count !== 1) {
      const old = await tx.report.findFirst({ where: { id: row.supersedes, memberKeyId: row.memberKeyId }, select: { id: true } });
      throw new Refusal(old ? 'report_not_active' : 'report_not_found');
    }
  }
  await tx.report.create({ data: { ...row, status: 'active' } });
  return { created: true };
}

function uniqueTarget(e: unknown): string {
  const meta = (e as { meta?: { modelName?: string; target?: unknown } }).meta;
  return meta?.modelName ?? String(meta?.target ?? '');
}
