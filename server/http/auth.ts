// Signed-request authentication (RFC 9421 + RFC 9530). Verifies the signature over the method,
// path, query and body digest against the key named by `keyid`: the steward's and publishers'
// keys from the server's key file, members' keys from the database (so revocation holds at once,
// on every replica). Attaches `req.auth`; the nonce is consumed later, inside the service's
// transaction (see services/nonces.ts). Never reads anything about the client's connection.
//
// Deferred mode (report intake on SQLite only): every check runs here except two. The Ed25519
// verification itself is handed to the service as `req.signed.proof` and run on the SQLite
// writer thread just before the write (one thread hop per submission instead of three; see
// DEVELOPERS.md); the revocation check is made by the writer inside the submission's transaction,
// after the signature (so the member's public key, which never changes, comes from a cache here).
// A deferred request never gets `req.auth`, so `authOf` refuses it: only a route written for it
// (`signedOf`) can use it, and the proof is verified before anything is written or any answer
// other than a 401 is given.
import type { NextFunction, Request, Response } from 'express';
import { SignatureError, checkRequestExceptSignature, verifyProof } from '../../crypto/index.js';
import { AppError } from '../errors.js';
import { requireValidSignature, type Auth, type Role, type ServiceContext, type Signed } from '../services/context.js';
import { SIGNATURE_MAX_AGE_S, SIGNATURE_MAX_FUTURE_S } from '../services/nonces.js';
import { bodyBytes } from './body.js';

declare module 'express-serve-static-core' {
  interface Request { auth?: Auth; signed?: Signed }
}

/** The verified credential of a request (401 if there is none or its check was deferred). */
export function authOf(req: Request): Auth {
  if (!req.auth) throw new AppError('signature_missing');
  return req.auth;
}

/** The credential of a request authenticated with `{ defer: true }` (see header). */
export function signedOf(req: Request): Signed {
  if (req.signed) return req.signed;
  if (req.auth) return { auth: req.auth, proof: null };
  throw new AppError('signature_missing');
}

/** The keyId a request claims once its signature checks passed (verified or deferred). */
export function credentialOf(req: Request): string | undefined {
  return req.auth?.keyId ?? req.signed?.auth.keyId;
}

/**
 * For a route that parses its input after authentication: if parsing fails, a deferred signature
 * is checked first, so a badly signed request is still refused with 401 before any 400.
 */
export function signatureFirst<T>(signed: Signed, parse: () => T): T {
  try {
    return parse();
  } catch (e) {
    requireValidSignature(signed);
    throw e;
  }
}

export function requireSignature(ctx: ServiceContext, roles: Role[], opts: { defer?: boolean } = {}) {
  // Deferral needs the writer thread that runs the check (SQLite); elsewhere it is checked here.
  // It applies to members' keys only (the route's role); any other key is checked here.
  const defer = opts.defer === true && ctx.db.fast !== undefined && roles.length === 1 && roles[0] === 'member';
  return async (req: Request, _res: Response, next: NextFunction) => {
    let found: { role: Role; revoked: boolean } | undefined;
    const keyLookup = async (keyId: string): Promise<string | null> => {
      if (keyId === ctx.keys.steward.keyId) { found = { role: 'steward', revoked: false }; return ctx.keys.steward.publicKey; }
      const pub = ctx.keys.publishers.find((p) => p.keyId === keyId);
      if (pub) { found = { role: 'publisher', revoked: false }; return pub.publicKey; }
      if (!keyId.startsWith('m-') || keyId.length > 64) return null;
      if (defer) {
        // Deferred intake: revocation is checked by the writer inside the submission's
        // transaction (after the signature), so only the (immutable) public key is needed here.
        const publicKey = ctx.db.fast!.memberPublicKey(keyId);
        if (publicKey === null) return null;
        found = { role: 'member', revoked: false };
        return publicKey;
      }
      const m = ctx.db.fast
        ? ctx.db.fast.memberKey(keyId)
        : await ctx.db.prisma.member.findUnique({ where: { keyId }, select: { publicKey: true, revoked: true } });
      if (!m) return null;
      found = { role: 'member', revoked: m.revoked };
      return m.publicKey;
    };
    try {
      const v = await checkRequestExceptSignature(
        { method: req.method, url: req.originalUrl, headers: req.headers, body: bodyBytes(req) },
        { keyLookup, now: ctx.now(), maxAgeSeconds: SIGNATURE_MAX_AGE_S, maxFutureSeconds: SIGNATURE_MAX_FUTURE_S },
      );
      const deferred = defer && found?.role === 'member';
      // Without deferral the signature is checked here, before the key's state is looked at, so
      // a revoked or wrong-role key is told so only by a request it really signed.
      if (!deferred && !verifyProof(v.proof)) throw new SignatureError('signature_invalid', 'signature does not verify');
      if (!found) throw new AppError('unknown_key');
      if (found.revoked) throw new AppError('key_revoked');
      if (!roles.includes(found.role)) throw new AppError('forbidden_role');
      const auth: Auth = { keyId: v.keyId, role: found.role, nonce: v.nonce, created: v.created };
      if (deferred) req.signed = { auth, proof: v.proof };
      else req.auth = auth;
      next();
    } catch (e) {
      if (e instanceof SignatureError) return next(new AppError(e.code));
      next(e);
    }
  };
}
