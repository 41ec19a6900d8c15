// sqlite-store.ts — the Store on SQLite (the single-node default). Intake goes to the writer
// thread (sqlite-fast-path.ts: intake.ts's steps on prepared statements, group commit), member
// look-ups, nonce look-ups and the counting facts are prepared statements on a read connection
// of its own; everything else goes through Prisma (prisma-store.ts). Rate windows are counted in
// memory (one process); a charged intake is charged there first (intake-charge.ts). Guarantees: those of store.ts.
import { PrismaBetterSQLite3 } from '@prisma/adapter-better-sqlite3';
import { PrismaClient as SqliteClient } from './generated/sqlite/client.js';
import type { Db } from './client.js';
import { factsSql } from './prisma-data.js';
import { prismaStoreParts } from './prisma-store.js';
import { memoryRateWindows } from './rate-windows.js';
import { SqliteFastPath } from './sqlite-fast-path.js';
import { submitCharged, type InFlight } from './intake-charge.js';
import type { NonceRow, ReportRow, Store } from './store.js';
import { sqlitePath } from './url.js';

/** The SQLite Store, with its Prisma client and fast path exposed for tests and operations. */
export interface SqliteStore extends Store {
  prisma: Db;
  fast: SqliteFastPath;
}

export function openSqliteStore(url: string): SqliteStore {
  const adapter = new PrismaBetterSQLite3({ url: `file:${sqlitePath(url)}`, timeout: 5000 });
  const prisma = new SqliteClient({ adapter });
  const fast = new SqliteFastPath(sqlitePath(url));
  const parts = prismaStoreParts(prisma, 'sqlite');
  const nonces = { ...parts.nonces, seen: async (hash: string) => fast.nonceSeen(hash) };
  const rateWindows = memoryRateWindows(nonces);
  const write = (nonce: NonceRow, row: ReportRow) => fast.submit(nonce, row);
  const inFlight: InFlight = new Set();
  return {
    ...parts,
    provider: 'sqlite',
    prisma,
    fast,
    members: {
      ...parts.members,
      key: async (keyId) => fast.memberKey(keyId),
    },
    reports: {
      ...parts.reports,
      // Rows as arrays from the driver (no per-row objects), streamed: each row's array is garbage
      // once read, so a million reports cost about a third less CPU than holding them all (docs/performance.md).
      factRows: async (columns, onRow) => {
        for (const r of fast.db.prepare(factsSql(columns)).raw().iterate()) onRow(r as unknown[]);
      },
    },
    intake: { submit: (nonce, row, charge) => (charge ? submitCharged(rateWindows, inFlight, write, nonce, row, charge) : write(nonce, row)) },
    nonces,
    rateWindows,
    mixStoredOrder: async () => ({ reports: 0, members: 0 }), // WITHOUT ROWID tables ordered by random keys (migration 0011)
    close: async () => {
      await fast.close();
      await prisma.$disconnect();
    },
  };
}
