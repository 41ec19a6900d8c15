// Rate limits keyed by credential (the verified keyId), never by address; unauthenticated routes
// share one global bucket per route group. In memory, per process: with N replicas the bound per
// credential is N times the configured rate (documented in SECURITY.md).
import type { NextFunction, Request, Response } from 'express';
import { RateLimiterMemory } from 'rate-limiter-flexible';
import { AppError } from '../errors.js';

export function limitByCredential(perMinute: number) {
  const limiter = new RateLimiterMemory({ points: perMinute, duration: 60 });
  return (req: Request, _res: Response, next: NextFunction) => {
    const key = req.auth?.keyId;
    if (!key) return next(new AppError('signature_missing'));
    limiter.consume(key).then(() => next(), () => next(new AppError('rate_limited')));
  };
}

export function limitGlobally(perMinute: number, name: string) {
  const limiter = new RateLimiterMemory({ points: perMinute, duration: 60 });
  return (_req: Request, _res: Response, next: NextFunction) => {
    limiter.consume(name).then(() => next(), () => next(new AppError('rate_limited')));
  };
}
