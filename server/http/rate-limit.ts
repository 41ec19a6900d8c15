// Rate limits keyed by credential (the verified keyId), never by address; unauthenticated routes
// share one global bucket per route group (per process).
// Per-credential counting: on PostgreSQL (the scale-out set-up) in the RateWindow table, so the
// limit holds across every replica at once — one upsert per request; on SQLite (one process) in
// memory. Only requests whose signature verified are counted (the limit runs after auth.ts), so
// nobody can use up a member's allowance with forged requests under its keyId. The stored bucket
// is sha256(server secret, keyId, minute): the table links no pseudonym to a time without the server's key file, and rows are purged when their minute is over.
import type { NextFunction, Request, Response } from 'express';
import { RateLimiterMemory } from 'rate-limiter-flexible';
import { sha256Hex } from '../../crypto/index.js';
import { AppError } from '../errors.js';
import type { ServiceContext } from '../services/context.js';

const WINDOW_S = 60;

export function limitByCredential(ctx: ServiceContext, perMinute: number) {
  if (ctx.db.provider === 'postgres') {
    const secret = ctx.keys.receipt.secretKey;
    return (req: Request, _res: Response, next: NextFunction) => {
      const key = req.auth?.keyId;
      if (!key) return next(new AppError('signature_missing'));
      const window = Math.floor(ctx.now() / WINDOW_S);
      const bucket = sha256Hex(`${secret}\n${key}\n${window}`);
      ctx.db.prisma
        .$queryRaw<Array<{ count: number }>>`INSERT INTO "RateWindow" (bucket, count, "expiresAt") VALUES (${bucket}, 1, ${(window + 1) * WINDOW_S})
          ON CONFLICT (bucket) DO UPDATE SET count = "RateWindow".count + 1 RETURNING count`
        .then((rows) => next(Number(rows[0]?.count ?? 0) > perMinute ? new AppError('rate_limited') : undefined), next);
    };
  }
  const limiter = new RateLimiterMemory({ points: perMinute, duration: WINDOW_S });
  return (req: Request, _res: Response, next: NextFunction) => {
    const key = req.auth?.keyId;
    if (!key) return next(new AppError('signature_missing'));
    limiter.consume(key).then(() => next(), () => next(new AppError('rate_limited')));
  };
}

export function limitGlobally(perMinute: number, name: string) {
  const limiter = new RateLimiterMemory({ points: perMinute, duration: WINDOW_S });
  return (_req: Request, _res: Response, next: NextFunction) => {
    limiter.consume(name).then(() => next(), () => next(new AppError('rate_limited')));
  };
}

export async function purgeRateWindows(ctx: ServiceContext): Promise<number> {
  return (await ctx.db.prisma.rateWindow.deleteMany({ where: { expiresAt: { lt: ctx.now() } } })).count;
}
