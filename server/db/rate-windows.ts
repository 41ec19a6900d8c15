// rate-windows.ts — the per-credential request counters of http/rate-limit.ts, per Store: in the
// RateWindow table on PostgreSQL (the scale-out set-up: the limits hold across every replica,
// one prepared statement per request on the plain pool of pg-intake.ts), in memory on SQLite (one process). Buckets are named by the caller
// (sha256 of a server secret, the key id and the window, so the table links no pseudonym to a
// time); each carries its expiry, after which `purgeExpired` removes it.
// Guarantees: `charge` adds one to every bucket, atomically, unless the nonce was consumed or
// charged already — then it charges nothing and answers null (one round trip on PostgreSQL); a
// charged nonce is remembered until the nonce's own expiry (on PostgreSQL as a bucket named
// `chargedNonceBucket(hash)`, count 1, which the intake function of migration 0019 also writes
// when it refuses a submission), so a captured refused request replayed while its signature is
// fresh uses none of the member's allowance; `refund` never takes a count below zero.
import type { Db } from './client.js';
import type { PgIntakeThread } from './pg-intake-client.js';
import type { NonceRow, NonceStore, RateBucket, RateWindowStore } from './store.js';

/** The bucket that records a charged nonce (sha256 hex, like the windows' names, behind a prefix no window has). */
export const chargedNonceBucket = (hash: string): string => `nonce:${hash}`;

export function postgresRateWindows(prisma: Db, plain: Pick<PgIntakeThread, 'chargeRateWindows'>): RateWindowStore {
  return {
    charge: (nonce, buckets) => plain.chargeRateWindows(nonce, buckets),
    refund: async (bucket) => {
      await prisma.$executeRaw`UPDATE "RateWindow" SET count = count - 1 WHERE bucket = ${bucket} AND count > 0`;
    },
    purgeExpired: async (now) => (await prisma.rateWindow.deleteMany({ where: { expiresAt: { lt: now } } })).count,
  };
}

export function memoryRateWindows(nonces: Pick<NonceStore, 'seen'>): RateWindowStore {
  const counts = new Map<string, { count: number; expiresAt: number }>();
  return {
    charge: async (nonce: NonceRow, buckets: RateBucket[]) => {
      if (await nonces.seen(nonce.hash)) return null;
      const mark = chargedNonceBucket(nonce.hash);
      if (counts.has(mark)) return null;
      counts.set(mark, { count: 1, expiresAt: nonce.expiresAt });
      const out = new Map<string, number>();
      for (const b of buckets) {
        const c = counts.get(b.bucket) ?? { count: 0, expiresAt: b.expiresAt };
        c.count++;
        counts.set(b.bucket, c);
        out.set(b.bucket, c.count);
      }
      return out;
    },
    refund: async (bucket) => {
      const c = counts.get(bucket);
      if (c && c.count > 0) c.count--;
    },
    purgeExpired: async (now) => {
      let n = 0;
      for (const [b, c] of counts)
        if (c.expiresAt < now) {
          counts.delete(b);
          n++;
        }
      return n;
    },
  };
}
