// Enrolment and revocation. Guarantees: an invite is a random one-time token of which only the
// sha256 is stored; it is consumed atomically with the member's creation (used once, never after
// expiry); an attempt that presents a valid invite uses it up, whatever else happens; a public key
// that is already enrolled is answered exactly as a new one (201 and a fresh random key id, which
// names no member and under which nothing verifies), so no invite tells whether some key is
// enrolled; a member is a random pseudonym plus its public key and nothing else; a revoked key can
// no longer sign anything (checked on every request against the database, so it holds across
// replicas at once).
import { randomBytes } from 'node:crypto';
import { sha256Hex } from '../../crypto/index.js';
import { AppError } from '../errors.js';
import { authenticated } from './nonces.js';
import { isUniqueViolation } from './db-errors.js';
import type { Tx } from '../db/client.js';
import type { Auth, ServiceContext } from './context.js';

export async function createInvite(ctx: ServiceContext, auth: Auth, ttlHours: number): Promise<{ invite: string; expiresAt: string }> {
  const token = randomBytes(32).toString('base64url');
  const expiresAt = ctx.now() + ttlHours * 3600;
  await authenticated(ctx, auth, (tx) => tx.invite.create({ data: { tokenHash: sha256Hex(token), expiresAt } }));
  return { invite: token, expiresAt: new Date(expiresAt * 1000).toISOString() };
}

/** `created` is false when the key was already enrolled (the answer must not say so: see header). */
export async function enrol(ctx: ServiceContext, invite: string, publicKey: string): Promise<{ keyId: string; created: boolean }> {
  const keyId = `m-${randomBytes(12).toString('base64url')}`;
  // An unknown or expired invite is refused on a read, without a write transaction: junk
  // enrolments must not queue for the database's write lock (on SQLite, the one the report
  // writer needs). Only an invite that exists goes on to be used up, atomically, below.
  const open = await ctx.db.prisma.invite.findUnique({ where: { tokenHash: sha256Hex(invite) }, select: { expiresAt: true } });
  if (!open || open.expiresAt <= ctx.now()) throw new AppError('invite_invalid');
  const useInvite = async (tx: Tx) => {
    const used = await tx.invite.deleteMany({ where: { tokenHash: sha256Hex(invite), expiresAt: { gt: ctx.now() } } });
    if (used.count !== 1) throw new AppError('invite_invalid');
  };
  try {
    return await ctx.db.prisma.$transaction(async (tx) => {
      await useInvite(tx);
      if (await tx.member.findUnique({ where: { publicKey }, select: { keyId: true } })) return { keyId, created: false }; // see header
      await tx.member.create({ data: { keyId, publicKey } });
      return { keyId, created: true };
    });
  } catch (e) {
    if (!isUniqueViolation(e)) throw e;
    // the same key enrolled meanwhile (a race): the invite is still used up, the answer the same
    await ctx.db.prisma.$transaction(useInvite);
    return { keyId, created: false };
  }
}

export async function revoke(ctx: ServiceContext, auth: Auth, keyId: string): Promise<{ keyId: string; revoked: true }> {
  await authenticated(ctx, auth, async (tx) => {
    const r = await tx.member.updateMany({ where: { keyId }, data: { revoked: true } });
    if (r.count === 0) throw new AppError('not_found', 'No member with this key id.');
  });
  return { keyId, revoked: true };
}

/** Purges invites past expiry (they can no longer be used). */
export async function purgeExpiredInvites(ctx: ServiceContext): Promise<number> {
  return (await ctx.db.prisma.invite.deleteMany({ where: { expiresAt: { lt: ctx.now() } } })).count;
}
