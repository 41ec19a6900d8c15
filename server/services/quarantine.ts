// Quarantine of a member by the steward, and the members whose reports do not count.
// Guarantees:
// - quarantine and its undo change one flag of one existing member, in the transaction that
//   consumes the steward's nonce; both are idempotent (the same call again changes nothing and
//   gives the same answer); an unknown key id is refused (404) and writes nothing;
// - a quarantined key may still sign (authentication does not look at the flag, and no answer to
//   the member mentions it), but its reports, like a revoked member's, do not count: `excludedMembers` and
//   `countedMemberSql` are the one definition of "a member whose reports count" that counting,
//   the conflict list and the steward's choices use;
// - nothing about a member's reports is deleted or changed: undoing the quarantine makes them
//   count again from the next release.
import type { Db, Tx } from '../db/client.js';
import { AppError } from '../errors.js';
import { authenticated } from './nonces.js';
import type { Auth, ServiceContext } from './context.js';

export async function setQuarantine(ctx: ServiceContext, auth: Auth, keyId: string, quarantined: boolean): Promise<{ keyId: string; quarantined: boolean }> {
  await authenticated(ctx, auth, async (tx) => {
    const r = await tx.member.updateMany({ where: { keyId }, data: { quarantined } });
    if (r.count === 0) throw new AppError('member_not_found');
  });
  return { keyId, quarantined };
}

/**
 * SQL condition, true for a report whose member's reports count (neither revoked nor quarantined).
 * `reportAlias` is the alias (or table name, quoted) of the "Report" row in the caller's query.
 * Valid on SQLite and PostgreSQL.
 */
export function countedMemberSql(reportAlias = '"Report"'): string {
  if (!/^("[A-Za-z_]+"|[A-Za-z_][A-Za-z0-9_]*)$/.test(reportAlias)) throw new Error('not an SQL alias');
  return `NOT EXISTS (SELECT 1 FROM "Member" xm WHERE xm."keyId" = ${reportAlias}."memberKeyId" AND (xm.revoked OR xm.quarantined))`;
}

/**
 * The key ids of the members whose reports do not count: revoked or quarantined. Pass the
 * transaction the counting runs in, so both read the same state.
 */
export async function excludedMembers(ctx: ServiceContext, tx?: Tx): Promise<Set<string>> {
  const db: Db | Tx = tx ?? ctx.db.prisma;
  const rows = await db.member.findMany({ where: { OR: [{ revoked: true }, { quarantined: true }] }, select: { keyId: true } });
  return new Set(rows.map((r) => r.keyId));
}
