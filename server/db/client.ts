// Opens the Prisma client for DATABASE_URL through a driver adapter (better-sqlite3 for SQLite,
// pg for PostgreSQL). Both generated clients come from schemas with identical models (a test
// checks it), so the rest of the server sees a single `Db` type.
import { PrismaBetterSQLite3 } from '@prisma/adapter-better-sqlite3';
import { PrismaPg } from '@prisma/adapter-pg';
import { PrismaClient as SqliteClient } from './generated/sqlite/client.js';
import { PrismaClient as PostgresClient } from './generated/postgres/client.js';
import { type Provider, providerOf, sqlitePath } from './url.js';
import { SqliteFastPath } from './sqlite-fast-path.js';
import { PgIntake } from './pg-intake.js';

export type Db = SqliteClient;
export type Tx = Parameters<Parameters<Db['$transaction']>[0]>[0];

export interface Database {
  prisma: Db;
  provider: Provider;
  /** SQLite only: prepared-statement hot path for authentication and submissions. */
  fast?: SqliteFastPath;
  /** PostgreSQL only: submissions in one statement each, on a plain `pg` pool (db/pg-intake.ts). */
  pgIntake?: PgIntake;
  close(): Promise<void>;
}

export function openDatabase(url: string, opts: { poolSize?: number } = {}): Database {
  const provider = providerOf(url);
  let prisma: Db;
  let fast: SqliteFastPath | undefined;
  let pgIntake: PgIntake | undefined;
  if (provider === 'postgres') {
    const adapter = new PrismaPg({ connectionString: url, max: opts.poolSize ?? 10, connectionTimeoutMillis: 3000 });
    prisma = new PostgresClient({ adapter }) as unknown as Db;
    pgIntake = new PgIntake(url, { poolSize: opts.poolSize });
  } else {
    const adapter = new PrismaBetterSQLite3({ url: `file:${sqlitePath(url)}`, timeout: 5000 });
    prisma = new SqliteClient({ adapter });
    fast = new SqliteFastPath(sqlitePath(url));
  }
  return {
    prisma, provider, fast, pgIntake,
    close: async () => {
      await fast?.close();
      await pgIntake?.close();
      await prisma.$disconnect();
    },
  };
}
