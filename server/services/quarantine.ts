// Quarantine of a member by the steward, and the members whose reports do not count.
// Guarantees:
// - quarantine and its undo change one flag of one existing member, in the transaction that
//   consumes the steward's nonce; both are idempotent (the same call again changes nothing and
//   gives the same answer); an unknown key id is refused (404) and writes nothing;
// - a quarantined key may still sign (authentication does not look at the flag, and no answer to
//   the member mentions it), but its reports, like a revoked member's, do not count: `excludedMembers` and
//   the Store's `countedMemberSql` (db/prisma-data.ts) are the one definition of "a member whose reports count" that counting,
//   the conflict list and the steward's choices use;
// - nothing about a member's reports is deleted or changed: undoing the quarantine makes them
//   count again from the next release.
import { nonceRow } from '../db/nonces.js';
import type { StoreTx } from '../db/store.js';
import { AppError } from '../errors.js';
import type { Auth, ServiceContext } from './context.js';

export async function setQuarantine(ctx: ServiceContext, auth: Auth, keyId: string, quarantined: boolean): Promise<{ keyId: string; quarantined: boolean }> {
  await ctx.db.signed(nonceRow(auth), async (tx) => {
    if (!(await tx.members.setQuarantined(keyId, quarantined))) throw new AppError('member_not_found');
  });
  return { keyId, quarantined };
}

/**
 * The key ids of the members whose reports do not count: revoked or quarantined. Pass the
 * transaction the counting runs in, so both read the same state.
 */
export async function excludedMembers(ctx: ServiceContext, tx?: StoreTx): Promise<Set<string>> {
  return new Set(await (tx ?? ctx.db).members.excluded());
}
