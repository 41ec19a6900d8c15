// Abuse limits that bound attackers without locking members out (issue 16). All are per
// credential or global, never per address.
// - Signed requests (limitByCredential, after http/auth.ts verified the signature): a request whose
//   nonce was already used (a replay) is refused as `replayed_nonce` BEFORE anything is charged, and
//   a request that ends in 401 anyway (a replay that raced its original) gives its point back: so
//   neither forged signatures (refused before this runs) nor replays count against the member they
//   imitate. RATE_LIMIT_PER_MINUTE per key; on intake also the operator's daily bound of new
//   reports per member (CONTAMOS_MEMBER_DAILY_REPORTS, 429 `daily_limit_reached`), whose point is
//   given back unless a report was created (201). Intake is charged by the Store in the same call
//   as the write (`intakeLimits` names the windows; db/intake-charge.ts has the rules, one round
//   trip on PostgreSQL); an intake refused before the Store (its path or body) is charged its
//   minute here, as any signed request, and looks at its day (the point given back at once), so
//   either limit's 429 comes before the 400, as when the limiter ran before the route.
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
import type { Auth, ServiceContext } from '../services/context.js';
import type { IntakeCharge, NonceRow } from '../db/store.js';
import { nonceRow } from '../db/nonces.js';

const MINUTE_S = 60;
const DAY_S = 86_400;

export interface IntakeLimits {
  perMinute: number;
  /** New reports per member per UTC day; Infinity for none. */
  dailyReports: number;
}

/** This server's bucket names (see header) for a credential's windows now, and the minute's charge. */
function counters(ctx: ServiceContext) {
  const secret = ctx.keys.receipt.secretKey;
  const windows = (keyId: string) => {
    const now = ctx.now();
    const w = Math.floor(now / MINUTE_S);
    const d = Math.floor(now / DAY_S);
    return {
      minute: { bucket: sha256Hex(`${secret}\n${keyId}\n${w}`), expiresAt: (w + 1) * MINUTE_S },
      day: { bucket: sha256Hex(`${secret}\n${keyId}\nday\n${d}`), expiresAt: (d + 1) * DAY_S },
    };
  };
  /** Charges a request's minute window unless its nonce was already used (then null). */
  const chargeMinute = async (keyId: string, nonce: NonceRow): Promise<number | null> => {
    const { minute } = windows(keyId);
    const counts = await ctx.db.rateWindows.charge(nonce, [minute]);
    return counts === null ? null : (counts.get(minute.bucket) ?? 0);
  };
  const refundMinute = (keyId: string) => ctx.db.rateWindows.refund(windows(keyId).minute.bucket);
  return { windows, chargeMinute, refundMinute };
}

/** Per-credential limits of signed routes other than intake (see header). */
export function limitByCredential(ctx: ServiceContext, perMinute: number): PlainHandler {
  const { chargeMinute, refundMinute } = counters(ctx);
  return (req, res, next) => {
    const auth = req.auth;
    if (!auth) return next(new AppError('signature_missing'));
    chargeMinute(auth.keyId, nonceRow(auth)).then((minute) => {
      if (minute === null) return next(new AppError('replayed_nonce'));
      const over = minute > perMinute;
      res.once('finish', () => {
        if (res.statusCode === 401 && !over) refundMinute(auth.keyId).catch(() => undefined);
      });
      if (over) return next(new AppError('rate_limited'));
      next();
    }, next);
  };
}

/** The intake's per-credential limits (see header): the windows the Store charges, and the charge of an intake refused before it. */
export function intakeLimits(ctx: ServiceContext, limits: IntakeLimits) {
  const { windows } = counters(ctx);
  const daily = Number.isFinite(limits.dailyReports);
  return {
    /** The windows a submission by `keyId` is charged to now (db/intake-charge.ts applies them). */
    charge(keyId: string): IntakeCharge {
      const { minute, day } = windows(keyId);
      return { minute: { ...minute, limit: limits.perMinute }, ...(daily ? { day: { ...day, limit: limits.dailyReports } } : {}) };
    },
    /**
     * Charges an intake refused before the Store (path or body) its minute and rejects with a
     * limit's refusal, if any: the minute's, else the day's (whose point it gives back at once: a
     * refusal never keeps one, db/intake-charge.ts rule 3).
     */
    async refusedEarly(auth: Auth): Promise<void> {
      const { minute, day } = windows(auth.keyId);
      const counts = await ctx.db.rateWindows.charge(nonceRow(auth), daily ? [minute, day] : [minute]);
      if (counts === null) throw new AppError('replayed_nonce');
      if (daily) await ctx.db.rateWindows.refund(day.bucket);
      if ((counts.get(minute.bucket) ?? 0) > limits.perMinute) throw new AppError('rate_limited');
      if (daily && (counts.get(day.bucket) ?? 0) > limits.dailyReports) throw new AppError('daily_limit_reached');
    },
  };
}
export type IntakeLimiter = ReturnType<typeof intakeLimits>;

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
