// Replay protection shared by all replicas: a signed request's nonce is consumed by inserting
// sha256(keyId, nonce) into the Nonce table inside the same transaction as the request's own work
// (the Store does it: `store.signed` and the intake's first step, store.ts).
// Guarantees: a nonce is accepted at most once per key (the primary key enforces it, across
// replicas on one database); a request that is refused for any reason rolls back and consumes
// nothing, so a refused request writes nothing; rows are kept only while a signature carrying
// that nonce could still be fresh (expiry rounded up to 5 minutes, so it does not record the
// second a request arrived) and are purged after.
import { sha256Hex } from '../../crypto/index.js';
import type { NonceRow } from './store.js';

export const SIGNATURE_MAX_AGE_S = 300;
export const SIGNATURE_MAX_FUTURE_S = 30;
const BUCKET_S = 300;

/** The stored form of a verified request's nonce (`created`: the signature's creation time). */
export function nonceRow(auth: { keyId: string; nonce: string; created: number }): NonceRow {
  const until = auth.created + SIGNATURE_MAX_AGE_S + SIGNATURE_MAX_FUTURE_S;
  return { hash: sha256Hex(`${auth.keyId}\n${auth.nonce}`), expiresAt: Math.ceil(until / BUCKET_S) * BUCKET_S };
}
