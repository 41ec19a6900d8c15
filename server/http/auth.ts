// Signed-request authentication (RFC 9421 + RFC 9530). Verifies the signature over the method,
// path, query and body digest against the key named by `keyid`: the steward's and publishers'
// keys from the server's key file, members' keys from the database (so revocation holds at once,
// on every replica). Attaches `req.auth`; the nonce is consumed later, inside the service's
// transaction (see services/nonces.ts). Never reads anything about the client's connection.
// The Ed25519 check runs here, on the event loop (libsodium's native build, ~51 µs: see
// native-crypto.ts), before any other answer than a 401 and before anything is written.
import type { NextFunction, Request, Response } from 'express';
import { SignatureError, verifyRequest } from '../../crypto/index.js';
import { AppError } from '../errors.js';
import type { Auth, Role, ServiceContext } from '../services/context.js';
import { SIGNATURE_MAX_AGE_S, SIGNATURE_MAX_FUTURE_S } from '../services/nonces.js';
import { bodyBytes } from './body.js';

declare module 'express-serve-static-core' {
  interface Request { auth?: Auth }
}

/** The verified credential of a request (401 if there is none). */
export function authOf(req: Request): Auth {
  if (!req.auth) throw new AppError('signature_missing');
  return req.auth;
}

export function requireSignature(ctx: ServiceContext, roles: Role[]) {
  return async (req: Request, _res: Response, next: NextFunction) => {
    let found: { role: Role; revoked: boolean } | undefined;
    const keyLookup = async (keyId: string): Promise<string | null> => {
      if (keyId === ctx.keys.steward.keyId) { found = { role: 'steward', revoked: false }; return ctx.keys.steward.publicKey; }
      const pub = ctx.keys.publishers.find((p) => p.keyId === keyId);
      if (pub) { found = { role: 'publisher', revoked: false }; return pub.publicKey; }
      if (!keyId.startsWith('m-') || keyId.length > 64) return null;
      const m = ctx.db.fast
        ? ctx.db.fast.memberKey(keyId)
        : await ctx.db.prisma.member.findUnique({ where: { keyId }, select: { publicKey: true, revoked: true } });
      if (!m) return null;
      found = { role: 'member', revoked: m.revoked };
      return m.publicKey;
    };
    try {
      // The signature is checked (last of verifyRequest's checks) before the key's state is looked
      // at, so a revoked or wrong-role key is told so only by a request it really signed.
      const v = await verifyRequest(
        { method: req.method, url: req.originalUrl, headers: req.headers, body: bodyBytes(req) },
        { keyLookup, now: ctx.now(), maxAgeSeconds: SIGNATURE_MAX_AGE_S, maxFutureSeconds: SIGNATURE_MAX_FUTURE_S },
      );
      if (!found) throw new AppError('unknown_key');
      if (found.revoked) throw new AppError('key_revoked');
      if (!roles.includes(found.role)) throw new AppError('forbidden_role');
      req.auth = { keyId: v.keyId, role: found.role, nonce: v.nonce, created: v.created };
      next();
    } catch (e) {
      if (e instanceof SignatureError) return next(new AppError(e.code));
      next(e);
    }
  };
}
