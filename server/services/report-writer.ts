// Writes one submitted report: consumes the request's nonce, re-checks that the key is not
// revoked, decides idempotency (same id + same hash by the same member → not created; otherwise
// a conflict; another member's id is refused as if it did not exist), applies an amendment's
// `supersedes`, and inserts — all in one transaction, so a refusal writes nothing. On SQLite it
// runs on the prepared-statement fast path (db/sqlite-fast-path.ts), whose writer thread also signs
// the receipt after the commit; on PostgreSQL as one call of a stored function per submission
// (db/pg-intake.ts), with the same steps in the same order. The request's signature was verified
// before (http/auth.ts).
import type { ReportRow, WriteOutcome } from '../db/report-row.js';
import { nonceRow } from './nonces.js';
import type { Auth, ServiceContext } from './context.js';

export async function writeReport(ctx: ServiceContext, auth: Auth, row: ReportRow): Promise<WriteOutcome> {
  if (ctx.db.fast) return await ctx.db.fast.submit(nonceRow(auth), row, { receiptKey: ctx.keys.receipt });
  if (ctx.db.pgIntake) return await ctx.db.pgIntake.submit(nonceRow(auth), row);
  throw new Error(`no intake path for a ${ctx.db.provider} database`);
}
