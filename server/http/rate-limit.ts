// Abuse limits that bound attackers without locking members out (issue 16). All are per
// credential or global, never per address.
// - Signed requests (limitByCredential, after http/auth.ts verified the signature): a request whose
//   nonce was already used (a replay) is refused as `replayed_nonce` BEFORE anything is charged, and
//   a request that ends in 401 anyway (a replay that raced its original) gives its point back: so
//   neither forged signatures (refused before this runs) nor replays count against the member they
//   imitate. RATE_LIMIT_PER_MINUTE per key; on intake also the operator's daily bound of new
//   reports per member (CONTAMOS_MEMBER_DAILY_REPORTS, 429 `daily_limit_reached`), whose point is
//   given back unless a report was created (201).
// - Unauthenticated work (http/shed.ts, before express does anything): every request without a
//   signature — public pages, downloads, health, taxonomy, unmatched paths — spends from one global
//   bucket per process, enrolment attempts from another, each PUBLIC_RATE_LIMIT_PER_MINUTE spent per
//   second; beyond them a 429 costs almost nothing. Enrolment also has a bucket per invite
//   (routes/members.ts), and database look-ups of key ids no member holds one more (http/auth.ts).
//   Signed requests never spend from these: a flood of them cannot refuse a member.
// Counting: in the Store's rate windows (db/rate-windows.ts): on PostgreSQL (the scale-out set-up)
// in the RateWindow table, so the limits hold across every replica at once — one statement per
// request, which also looks for the nonce; on SQLite (one process) in memory. A bucket is
// sha256(server secret, keyId, minute or day): the table links no pseudonym to a time without the
// server's key file, and rows are purged when their window is over. Global buckets are per process.
import type { PlainHandler } from './direct-routes.js';
import { sha256Hex } from '../../crypto/index.js';
import { AppError } from '../errors.js';
import type { ServiceContext } from '../services/context.js';
import { nonceRow } from '../db/nonces.js';

const MINUTE_S = 60;
const DAY_S = 86_400;

export interface CredentialLimits {
  perMinute: number;
  /** New reports per member per UTC day (intake only); Infinity for none. */
  dailyReports?: number;
}

interface Charged {
  replay: boolean;
  minute: number;
  day?: number;
}

/** The Store's rate windows, with this server's bucket names (see header). */
function counters(ctx: ServiceContext) {
  const secret = ctx.keys.receipt.secretKey;
  const minuteBucket = (keyId: string, w: number) => sha256Hex(`${secret}\n${keyId}\n${w}`);
  const dayBucket = (keyId: string, d: number) => sha256Hex(`${secret}\n${keyId}\nday\n${d}`);
  /** Charges a request's minute bucket (and its day bucket) unless its nonce was already used. */
  const charge = async (keyId: string, nonceHash: string, daily: boolean): Promise<Charged> => {
    const now = ctx.now();
    const w = Math.floor(now / MINUTE_S);
    const d = Math.floor(now / DAY_S);
    const mb = minuteBucket(keyId, w);
    const db = dayBucket(keyId, d);
    const counts = await ctx.db.rateWindows.charge(nonceHash, [
      { bucket: mb, expiresAt: (w + 1) * MINUTE_S },
      ...(daily ? [{ bucket: db, expiresAt: (d + 1) * DAY_S }] : []),
    ]);
    if (counts === null) return { replay: true, minute: 0 };
    return { replay: false, minute: counts.get(mb) ?? 0, ...(daily ? { day: counts.get(db) ?? 0 } : {}) };
  };
  const refund = async (keyId: string, which: 'minute' | 'day') => {
    const now = ctx.now();
    await ctx.db.rateWindows.refund(which === 'minute' ? minuteBucket(keyId, Math.floor(now / MINUTE_S)) : dayBucket(keyId, Math.floor(now / DAY_S)));
  };
  return { charge, refund };
}

/** Per-credential limits of signed routes (see header); `dailyReports` only on report intake. */
export function limitByCredential(ctx: ServiceContext, limits: CredentialLimits | number): PlainHandler {
  const { perMinute, dailyReports = Infinity } = typeof limits === 'number' ? { perMinute: limits } : limits;
  const daily = Number.isFinite(dailyReports);
  const { charge, refund } = counters(ctx);
  const giveBack = (keyId: string, which: 'minute' | 'day') => {
    refund(keyId, which).catch(() => undefined);
  };
  return (req, res, next) => {
    const auth = req.auth;
    if (!auth) return next(new AppError('signature_missing'));
    charge(auth.keyId, nonceRow(auth).hash, daily).then((c) => {
      if (c.replay) return next(new AppError('replayed_nonce'));
      const overMinute = c.minute > perMinute;
      const overDay = c.day !== undefined && c.day > dailyReports;
      res.once('finish', () => {
        if (res.statusCode === 401 && !overMinute) giveBack(auth.keyId, 'minute');
        if (c.day !== undefined && res.statusCode !== 201 && !overDay) giveBack(auth.keyId, 'day');
      });
      if (overMinute) return next(new AppError('rate_limited'));
      if (overDay) return next(new AppError('daily_limit_reached'));
      next();
    }, next);
  };
}

/**
 * A per-process bucket: `points` units per fixed window of `windowS` seconds, per key (one key by
 * default). Synchronous and in memory: it can refuse a request before anything else is done.
 */
export class GlobalBucket {
  private window = -1;
  private readonly used = new Map<string, number>();
  constructor(
    readonly points: number,
    private readonly windowS = 1,
  ) {}
  /** Per-minute bound spent per second (a sixtieth each second, at least one): no burst takes a minute's work at once. */
  static perMinute(perMinute: number): GlobalBucket {
    return new GlobalBucket(Math.max(1, Math.ceil(perMinute / 60)), 1);
  }
  takeSync(key = ''): boolean {
    const w = Math.floor(Date.now() / 1000 / this.windowS);
    if (w !== this.window) {
      this.used.clear();
      this.window = w;
    }
    const n = (this.used.get(key) ?? 0) + 1;
    this.used.set(key, n);
    return n <= this.points;
  }
  take(key = ''): Promise<boolean> {
    return Promise.resolve(this.takeSync(key));
  }
}

export async function purgeRateWindows(ctx: ServiceContext): Promise<number> {
  return ctx.db.rateWindows.purgeExpired(ctx.now());
}
