// Opens the Store for DATABASE_URL (store.ts): sqlite-store.ts for a `file:` URL, postgres-store.ts
// for a postgres:// one. Both generated Prisma clients come from schemas with identical models (a
// test checks it), so server/db sees a single `Db` type. The concrete store (`Database`) also
// exposes its Prisma client (and on SQLite its fast path) for tests and operations; the server's
// code holds it as a `Store`.
import type { PrismaClient as SqliteClient } from './generated/sqlite/client.js';
import { openPostgresStore, type PostgresStore } from './postgres-store.js';
import { openSqliteStore, type SqliteStore } from './sqlite-store.js';
import { providerOf } from './url.js';

export type Db = SqliteClient;
export type Tx = Parameters<Parameters<Db['$transaction']>[0]>[0];

export type Database = SqliteStore | PostgresStore;

export function openDatabase(url: string, opts: { poolSize?: number; intakeConnections?: number } = {}): Database {
  return providerOf(url) === 'postgres' ? openPostgresStore(url, opts) : openSqliteStore(url);
}
