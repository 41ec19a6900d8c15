// rate-windows.ts — the per-credential request counters of http/rate-limit.ts, per Store: in the
// RateWindow table on PostgreSQL (the scale-out set-up: the limits hold across every replica,
// one prepared statement per request on the plain pool of pg-intake.ts), in memory on SQLite (one process). Buckets are named by the caller
// (sha256 of a server secret, the key id and the window, so the table links no pseudonym to a
// time); each carries its expiry, after which `purgeExpired` removes it.
// Guarantees: `charge` adds one to every bucket, atomically, unless the nonce was consumed
// already — then it charges nothing and answers null (one round trip on PostgreSQL); `refund`
// never takes a count below zero.
import type { Db } from './client.js';
import type { PgIntakeThread } from './pg-intake-client.js';
import type { NonceStore, RateBucket, RateWindowStore } from './store.js';

export function postgresRateWindows(prisma: Db, plain: Pick<PgIntakeThread, 'chargeRateWindows'>): RateWindowStore {
  return {
    charge: (nonceHash, buckets) => plain.chargeRateWindows(nonceHash, buckets),
    refund: async (bucket) => {
      await prisma.$executeRaw`UPDATE "RateWindow" SET count = count - 1 WHERE bucket = ${bucket} AND count > 0`;
    },
    purgeExpired: async (now) => (await prisma.rateWindow.deleteMany({ where: { expiresAt: { lt: now } } })).count,
  };
}

export function memoryRateWindows(nonces: Pick<NonceStore, 'seen'>): RateWindowStore {
  const counts = new Map<string, { count: number; expiresAt: number }>();
  return {
    charge: async (nonceHash, buckets: RateBucket[]) => {
      if (await nonces.seen(nonceHash)) return null;
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
