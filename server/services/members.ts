// Enrolment and revocation. Guarantees: an invite is a random one-time token of which only the
// sha256 is stored; it is consumed atomically with the member's creation (used once, never after
// expiry); an attempt that presents a valid invite uses it up, whatever else happens; a public key
// that is already enrolled is answered exactly as a new one (201 and a fresh random key id, which
// names no member and under which nothing verifies), so no invite tells whether some key is
// enrolled; a member is a random pseudonym plus its public key and nothing else (and, when the
// steward made the invite for an enrolled organisation, the link to it: organisations.ts); a revoked key can
// no longer sign anything (checked on every request against the database, so it holds across
// replicas at once).
import { randomBytes } from 'node:crypto';
import { sha256Hex } from '../../crypto/index.js';
import { AppError } from '../errors.js';
import { isUniqueViolation } from '../db/errors.js';
import { nonceRow } from '../db/nonces.js';
import type { StoreTx } from '../db/store.js';
import type { Auth, ServiceContext } from './context.js';

/** `sameOrganisationAs`: the key id of an enrolled organisation the new key will belong to (organisations.ts). */
export async function createInvite(
  ctx: ServiceContext,
  auth: Auth,
  ttlHours: number,
  sameOrganisationAs?: string,
): Promise<{ invite: string; expiresAt: string }> {
  const token = randomBytes(32).toString('base64url');
  const expiresAt = ctx.now() + ttlHours * 3600;
  await ctx.db.signed(nonceRow(auth), async (tx) => {
    if (sameOrganisationAs !== undefined && !(await tx.members.key(sameOrganisationAs))) throw new AppError('member_not_found');
    await tx.invites.create(sha256Hex(token), expiresAt, sameOrganisationAs ?? null);
  });
  return { invite: token, expiresAt: new Date(expiresAt * 1000).toISOString() };
}

/** `created` is false when the key was already enrolled (the answer must not say so: see header). */
export async function enrol(ctx: ServiceContext, invite: string, publicKey: string): Promise<{ keyId: string; created: boolean }> {
  const keyId = `m-${randomBytes(12).toString('base64url')}`;
  // An unknown or expired invite is refused on a read, without a write transaction: junk
  // enrolments must not queue for the database's write lock (on SQLite, the one the report
  // writer needs). Only an invite that exists goes on to be used up, atomically, below.
  const expiry = await ctx.db.invites.expiry(sha256Hex(invite));
  if (expiry === null || expiry <= ctx.now()) throw new AppError('invite_invalid');
  const useInvite = async (tx: StoreTx): Promise<string | null> => {
    const organisation = await tx.invites.organisation(sha256Hex(invite));
    if (!(await tx.invites.use(sha256Hex(invite), ctx.now()))) throw new AppError('invite_invalid');
    return organisation;
  };
  try {
    return await ctx.db.transaction(async (tx) => {
      const organisation = await useInvite(tx);
      if (await tx.members.isEnrolled(publicKey)) return { keyId, created: false }; // see header
      await tx.members.create(keyId, publicKey);
      // members are never deleted, so the key the invite was made for still exists
      if (organisation !== null && !(await tx.members.joinOrganisation(keyId, organisation))) throw new Error('the invite names a member that does not exist');
      return { keyId, created: true };
    });
  } catch (e) {
    if (!isUniqueViolation(e)) throw e;
    // the same key enrolled meanwhile (a race): the invite is still used up, the answer the same
    await ctx.db.transaction(useInvite);
    return { keyId, created: false };
  }
}

export async function revoke(ctx: ServiceContext, auth: Auth, keyId: string): Promise<{ keyId: string; revoked: true }> {
  await ctx.db.signed(nonceRow(auth), async (tx) => {
    if (!(await tx.members.revoke(keyId))) throw new AppError('not_found', 'No member with this key id.');
  });
  return { keyId, revoked: true };
}

/** Purges invites past expiry (they can no longer be used). */
export async function purgeExpiredInvites(ctx: ServiceContext): Promise<number> {
  return ctx.db.invites.purgeExpired(ctx.now());
}
