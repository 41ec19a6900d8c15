// What every service needs: the database and the server's keys (built once at start), and who
// signed the request (`Auth`, or `Signed` with its deferred signature check).
import { verifyProof, type SignatureProof } from '../../crypto/index.js';
import type { Database } from '../db/client.js';
import { AppError } from '../errors.js';
import type { ServerKeys } from '../keys.js';

export interface ServiceContext {
  db: Database;
  keys: ServerKeys;
  /** Seconds since the epoch; replaceable in tests. */
  now(): number;
}

export type Role = 'member' | 'steward' | 'publisher';

/** A request whose signature verified: who signed it and the nonce it used (not yet consumed). */
export interface Auth {
  keyId: string;
  role: Role;
  nonce: string;
  created: number;
}

/**
 * A signed request's credential for a service that may run the Ed25519 check itself: `proof` is
 * that check when authentication deferred it (http/auth.ts, intake on SQLite), else null (already
 * verified). Nothing may be written or refused with another code before `proof` verifies.
 */
export interface Signed { auth: Auth; proof: SignatureProof | null }

/** Runs a deferred signature check where nothing else will: 401 `signature_invalid` if forged. */
export function requireValidSignature(signed: Signed): void {
  if (signed.proof && !verifyProof(signed.proof)) throw new AppError('signature_invalid');
}
