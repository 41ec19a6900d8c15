// Signed-request authentication (RFC 9421 + RFC 9530). Verifies the signature over the method,
// path, query and body digest against the key named by `keyid`: the steward's and publishers'
// keys from the server's key file, members' keys from the database (so revocation holds at once,
// on every replica). Attaches `req.auth`; the nonce is consumed later, inside the service's
// transaction, by the Store (db/nonces.ts, db/store.ts). Never reads anything about the client's connection.
// The Ed25519 check runs here, on the event loop (libsodium's native build, ~51 µs: see
// native-crypto.ts), before any other answer than a 401 and before anything is written.
// No existence oracle: a key id nobody holds is checked against a stand-in public key whose secret
// key was never kept (made once per process), so it fails as a bad signature under a real key id
// does — same code (401 signature_invalid), same signature check.
// Bounded work (issue 16): members' public keys are known to the process (http/known-credentials.ts),
// so a forged signature under a member's key id costs no database read — only a request whose
// signature verifies reads the member's row, for revocation. A key id the process does not know is
// looked up in the database only while the global bucket of such look-ups lasts; after that, until
// the minute is over, it is answered from the stand-in key (the same 401).
import type { PlainHandler } from './direct-routes.js';
import { SignatureError, generateSigningKeyPair, verifyRequest } from '../../crypto/index.js';
import { AppError } from '../errors.js';
import type { Auth, Role, ServiceContext } from '../services/context.js';
import { knownOf } from './known-credentials.js';
import { SIGNATURE_MAX_AGE_S, SIGNATURE_MAX_FUTURE_S } from '../db/nonces.js';
import { bodyBytes } from './body.js';

declare module 'express-serve-static-core' {
  interface Request {
    auth?: Auth;
  }
}

/** The verified credential of a request (401 if there is none). */
export function authOf(req: { auth?: Auth }): Auth {
  if (!req.auth) throw new AppError('signature_missing');
  return req.auth;
}

let standIn: string | undefined;
/** A valid Ed25519 public key whose secret key is dropped at once: no signature verifies under it. */
function standInKey(): string {
  return (standIn ??= generateSigningKeyPair().publicKey);
}

/**
 * Verifies the request's signature and the key's role (see header). `revocationInWrite`: the route
 * only writes, and its Store write re-checks revocation in its own transaction (report intake,
 * store.ts) — so a key known to this process is not read here (one database round trip less on
 * PostgreSQL); a revoked key's request is refused `key_revoked` by that write, writing nothing.
 */
export function requireSignature(ctx: ServiceContext, roles: Role[], opts: { revocationInWrite?: boolean } = {}): PlainHandler {
  return async (req, _res, next) => {
    let found: { role: Role; revoked: boolean; checkMember?: string } | undefined;
    const known = knownOf(ctx);
    const memberRow = (keyId: string) => ctx.db.members.key(keyId);
    const keyLookup = async (keyId: string): Promise<string | null> => {
      if (keyId === ctx.keys.steward.keyId) {
        found = { role: 'steward', revoked: false };
        return ctx.keys.steward.publicKey;
      }
      const pub = ctx.keys.publishers.find((p) => p.keyId === keyId);
      if (pub) {
        found = { role: 'publisher', revoked: false };
        return pub.publicKey;
      }
      if (!keyId.startsWith('m-') || keyId.length > 64) return standInKey();
      const cached = await known.memberKeys.get(keyId);
      if (cached !== undefined) {
        found = { role: 'member', revoked: false, checkMember: cached };
        return cached;
      }
      if (!(await known.unknownKeyLookups.take())) return standInKey();
      const m = await memberRow(keyId);
      if (!m) return standInKey();
      known.memberKeys.add(keyId, m.publicKey);
      found = { role: 'member', revoked: m.revoked };
      return m.publicKey;
    };
    try {
      // The signature is checked (last of verifyRequest's checks) before the key's state is looked
      // at, so a revoked or wrong-role key is told so only by a request it really signed.
      const v = await verifyRequest(
        { method: req.method ?? '', url: req.originalUrl, headers: req.headers, body: bodyBytes(req) },
        { keyLookup, now: ctx.now(), maxAgeSeconds: SIGNATURE_MAX_AGE_S, maxFutureSeconds: SIGNATURE_MAX_FUTURE_S },
      );
      if (!found) throw new AppError('signature_invalid'); // unreachable: nothing signs for the stand-in
      if (found.checkMember !== undefined && !opts.revocationInWrite) {
        // verified under a key known to this process: now read the member's state (revocation)
        const m = await memberRow(v.keyId);
        if (!m || m.publicKey !== found.checkMember) throw new AppError('signature_invalid');
        found.revoked = m.revoked;
      }
      if (found.revoked) throw new AppError('key_revoked');
      if (!roles.includes(found.role)) throw new AppError('forbidden_role');
      req.auth = { keyId: v.keyId, role: found.role, nonce: v.nonce, created: v.created };
      next();
    } catch (e) {
      if (e instanceof SignatureError) return next(new AppError(e.code === 'unknown_key' ? 'signature_invalid' : e.code));
      next(e);
    }
  };
}
