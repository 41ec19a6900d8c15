// Replay protection shared by all replicas: a signed request's nonce is consumed by inserting
// sha256(keyId, nonce) into the Nonce table inside the same transaction as the request's own work.
// Guarantees: a nonce is accepted at most once per key (the primary key enforces it, across
// replicas on one database); a request that is refused for any reason rolls back and consumes
// nothing, so a refused request writes nothing; rows are kept only while a signature carrying
// that nonce could still be fresh (expiry rounded up to 5 minutes, so it does not record the
// second a request arrived) and are purged after.
import { sha256Hex } from '../../crypto/index.js';
import type { Tx } from '../db/client.js';
import { AppError } from '../errors.js';
import { isUniqueViolation } from './db-errors.js';
import type { Auth, ServiceContext } from './context.js';

export const SIGNATURE_MAX_AGE_S = 300;
export const SIGNATURE_MAX_FUTURE_S = 30;
const BUCKET_S = 300;

export function nonceRow(auth: Auth): { hash: string; expiresAt: number } {
  const until = auth.created + SIGNATURE_MAX_AGE_S + SIGNATURE_MAX_FUTURE_S;
  return { hash: sha256Hex(`${auth.keyId}\n${auth.nonce}`), expiresAt: Math.ceil(until / BUCKET_S) * BUCKET_S };
}

export async function consumeNonce(tx: Tx, auth: Auth): Promise<void> {
  try {
    await tx.nonce.create({ data: nonceRow(auth) });
  } catch (e) {
    if (isUniqueViolation(e)) throw new AppError('replayed_nonce');
    throw e;
  }
}

/** Runs `work` in one transaction that also consumes the request's nonce. */
export function authenticated<T>(ctx: ServiceContext, auth: Auth, work: (tx: Tx) => Promise<T>): Promise<T> {
  return ctx.db.prisma.$transaction(async (tx) => {
    await consumeNonce(tx, auth);
    return work(tx);
  });
}

export async function purgeExpiredNonces(ctx: ServiceContext): Promise<number> {
  const { count } = await ctx.db.prisma.nonce.deleteMany({ where: { expiresAt: { lt: ctx.now() } } });
  return count;
}
