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
// Counting: on PostgreSQL (the scale-out set-up) the per-credential buckets live in the RateWindow
// table, so the limits hold across every replica at once — one statement per request, which also
// looks for the nonce; on SQLite (one process) in memory. A stored bucket is sha256(server secret,
// keyId, minute or day): the table links no pseudonym to a time without the server's key file, and
// rows are purged when their window is over. Global buckets are per process.
import type { PlainHandler } from './direct-routes.js';
import { sha256Hex } from '../../crypto/index.js';
import { AppError } from '../errors.js';
import type { ServiceContext } from '../services/context.js';
import { nonceRow } from '../services/nonces.js';

const MINUTE_S = 60;
const DAY_S = 86_400;

export interface CredentialLimits {
  perMinute: number;
  /** New reports per member per UTC day (intake only); Infinity for none. */
  dailyReports?: number;
}

interface Charged { replay: boolean; minute: number; day?: number }

/** Charges a request's minute bucket (and its day bucket) unless its nonce was already used. */
type Charger = (ctx: ServiceContext, keyId: string, nonceHash: string, daily: boolean) => Promise<Charged>;
type Refund = (keyId: string, which: 'minute' | 'day') => Promise<void>;

function postgresCounters(ctx: ServiceContext): { charge: Charger; refund: Refund } {
  const secret = ctx.keys.receipt.secretKey;
  const minuteBucket = (keyId: string, w: number) => sha256Hex(`${secret}\n${keyId}\n${w}`);
  const dayBucket = (keyId: string, d: number) => sha256Hex(`${secret}\n${keyId}\nday\n${d}`);
  const charge: Charger = async (c, keyId, nonceHash, daily) => {
    const now = c.now();
    const w = Math.floor(now / MINUTE_S);
    const d = Math.floor(now / DAY_S);
    const mb = minuteBucket(keyId, w);
    const db = dayBucket(keyId, d);
    // One round trip (db/pg-intake.ts): nothing is charged when the nonce is already in the table.
    const pgi = c.db.pgIntake;
    if (!pgi) throw new Error('rate windows on PostgreSQL need the plain pool (db/pg-intake.ts)');
    const counts = await pgi.chargeRateWindows(nonceHash, [
      { bucket: mb, expiresAt: (w + 1) * MINUTE_S }, ...(daily ? [{ bucket: db, expiresAt: (d + 1) * DAY_S }] : []),
    ]);
    if (counts === null) return { replay: true, minute: 0 };
    const count = (b: string) => counts.get(b) ?? 0;
    return { replay: false, minute: count(mb), ...(daily ? { day: count(db) } : {}) };
  };
  const refund: Refund = async (keyId, which) => {
    const now = ctx.now();
    const b = which === 'minute' ? minuteBucket(keyId, Math.floor(now / MINUTE_S)) : dayBucket(keyId, Math.floor(now / DAY_S));
    await ctx.db.prisma.$executeRaw`UPDATE "RateWindow" SET count = count - 1 WHERE bucket = ${b} AND count > 0`;
  };
  return { charge, refund };
}

const memory = new WeakMap<object, { charge: Charger; refund: Refund }>();

/** One set of counters per process and database, shared by every signed route. */
function memoryCounters(ctx: ServiceContext): { charge: Charger; refund: Refund } {
  let c = memory.get(ctx.db);
  if (!c) memory.set(ctx.db, (c = newMemoryCounters()));
  return c;
}

function newMemoryCounters(): { charge: Charger; refund: Refund } {
  const minutes = new Map<string, number>();
  const days = new Map<string, number>();
  let minuteNow = -1;
  let dayNow = -1;
  const roll = (now: number) => {
    const w = Math.floor(now / MINUTE_S);
    const d = Math.floor(now / DAY_S);
    if (w !== minuteNow) { minutes.clear(); minuteNow = w; }
    if (d !== dayNow) { days.clear(); dayNow = d; }
  };
  const seen = async (c: ServiceContext, nonceHash: string) =>
    c.db.fast ? c.db.fast.nonceSeen(nonceHash) : (await c.db.prisma.nonce.findUnique({ where: { hash: nonceHash }, select: { hash: true } })) !== null;
  const charge: Charger = async (c, keyId, nonceHash, daily) => {
    if (await seen(c, nonceHash)) return { replay: true, minute: 0 };
    roll(c.now());
    const minute = (minutes.get(keyId) ?? 0) + 1;
    minutes.set(keyId, minute);
    if (!daily) return { replay: false, minute };
    const day = (days.get(keyId) ?? 0) + 1;
    days.set(keyId, day);
    return { replay: false, minute, day };
  };
  const refund: Refund = async (keyId, which) => {
    const m = which === 'minute' ? minutes : days;
    const v = m.get(keyId);
    if (v) m.set(keyId, v - 1);
  };
  return { charge, refund };
}

/** Per-credential limits of signed routes (see header); `dailyReports` only on report intake. */
export function limitByCredential(ctx: ServiceContext, limits: CredentialLimits | number): PlainHandler {
  const { perMinute, dailyReports = Infinity } = typeof limits === 'number' ? { perMinute: limits } : limits;
  const daily = Number.isFinite(dailyReports);
  const { charge, refund } = ctx.db.provider === 'postgres' ? postgresCounters(ctx) : memoryCounters(ctx);
  const giveBack = (keyId: string, which: 'minute' | 'day') => { refund(keyId, which).catch(() => undefined); };
  return (req, res, next) => {
    const auth = req.auth;
    if (!auth) return next(new AppError('signature_missing'));
    charge(ctx, auth.keyId, nonceRow(auth).hash, daily).then((c) => {
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
  constructor(readonly points: number, private readonly windowS = 1) {}
  /** Per-minute bound spent per second (a sixtieth each second, at least one): no burst takes a minute's work at once. */
  static perMinute(perMinute: number): GlobalBucket {
    return new GlobalBucket(Math.max(1, Math.ceil(perMinute / 60)), 1);
  }
  takeSync(key = ''): boolean {
    const w = Math.floor(Date.now() / 1000 / this.windowS);
    if (w !== this.window) { this.used.clear(); this.window = w; }
    const n = (this.used.get(key) ?? 0) + 1;
    this.used.set(key, n);
    return n <= this.points;
  }
  take(key = ''): Promise<boolean> {
    return Promise.resolve(this.takeSync(key));
  }
}

export async function purgeRateWindows(ctx: ServiceContext): Promise<number> {
  return (await ctx.db.prisma.rateWindow.deleteMany({ where: { expiresAt: { lt: ctx.now() } } })).count;
}
