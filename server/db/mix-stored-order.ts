// PostgreSQL keeps rows in its heap in the order they were written, and stamps each with the id of
// the transaction that wrote it (xmin, which only grows): a copy of the disk would show the order
// reports were submitted in and members enrolled in. This job takes that away. In one transaction,
// with writes to the two tables held back (reads go on), it deletes every row written since the
// last mix and puts them back in random order with one statement: afterwards those rows sit in
// the heap (and their narratives in TOAST) in a random order and share one xmin and one command
// id, so neither position nor transaction id tells which came first. Member, a small table, is
// mixed whole each time (its foreign key from Report is checked at commit, migration 0011).
// What stays: rows written since the last mix are in arrival order until the next one (the
// interval, CONTAMOS_MIX_INTERVAL_S, default one hour, is the granularity a disk copy can give),
// and PostgreSQL's write-ahead log holds recent writes in order until it is recycled (SECURITY.md).
// SQLite needs none of this: its tables are WITHOUT ROWID, ordered by random keys (migration 0011).
// The PostgreSQL Store's `mixStoredOrder` (postgres-store.ts) runs it.
import type { Db } from './client.js';

const lastMix = new WeakMap<object, string>();

/** Mixes the stored order of reports and members on PostgreSQL (see header). */
export async function mixStoredOrder(prisma: Db): Promise<{ reports: number; members: number }> {
  const since = lastMix.get(prisma);
  const out = await prisma.$transaction(
    async (tx) => {
      await tx.$executeRawUnsafe('LOCK TABLE "Report", "Member" IN SHARE ROW EXCLUSIVE MODE');
      await tx.$executeRawUnsafe('SET CONSTRAINTS "Report_memberKeyId_fkey" DEFERRED');
      const members = await tx.$executeRawUnsafe('WITH gone AS (DELETE FROM "Member" RETURNING *) INSERT INTO "Member" SELECT * FROM gone ORDER BY random()');
      // Rows written after the last mix have younger transaction ids than it (writers waited for its lock).
      const reports =
        since === undefined
          ? await tx.$executeRawUnsafe('WITH gone AS (DELETE FROM "Report" RETURNING *) INSERT INTO "Report" SELECT * FROM gone ORDER BY random()')
          : await tx.$executeRawUnsafe(
              'WITH gone AS (DELETE FROM "Report" WHERE age(xmin) < age($1::text::xid) RETURNING *) INSERT INTO "Report" SELECT * FROM gone ORDER BY random()',
              since,
            );
      const rows = await tx.$queryRawUnsafe<Array<{ xid: string }>>('SELECT pg_current_xact_id()::text AS xid');
      // the 64-bit id's low 32 bits are the xid stored in xmin
      return { reports, members, xid: String(BigInt(rows[0]!.xid) & 0xffffffffn) };
    },
    { timeout: 600_000, maxWait: 60_000 },
  );
  lastMix.set(prisma, out.xid);
  return { reports: out.reports, members: out.members };
}
