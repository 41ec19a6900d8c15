// Applies the committed SQL migrations (prisma/<provider>/migrations/*.sql, in name order) that a
// database has not yet applied, recording each in `_contamos_migrations` with its sha256.
// Guarantees: each migration runs in one transaction (all or nothing); a migration already
// applied is never run again and an edited one is refused; on PostgreSQL an advisory lock makes
// concurrent starts of several replicas safe. SQLite is switched to WAL (persistent) so readers
// never block the writer; synchronous stays FULL, so an acknowledged commit survives kill -9.
// It uses the plain drivers (better-sqlite3, pg), not the Prisma CLI, so it runs at server start
// on a fresh machine with nothing but `npm ci`.
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { type Provider, providerOf, sqlitePath } from './url.js';

const ROOT = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..', '..');

interface Migration {
  name: string;
  sql: string;
  sha256: string;
}

export function migrations(provider: Provider): Migration[] {
  const dir = path.join(ROOT, 'prisma', provider, 'migrations');
  return readdirSync(dir)
    .filter((f) => f.endsWith('.sql'))
    .sort()
    .map((name) => {
      const sql = readFileSync(path.join(dir, name), 'utf8');
      return { name, sql, sha256: createHash('sha256').update(sql).digest('hex') };
    });
}

const LEDGER = 'CREATE TABLE IF NOT EXISTS "_contamos_migrations" ("name" TEXT PRIMARY KEY, "sha256" TEXT NOT NULL)';

/** Applies pending migrations; returns the names applied now. */
export async function migrate(url: string): Promise<string[]> {
  return providerOf(url) === 'postgres' ? migratePostgres(url) : migrateSqlite(url);
}

function check(applied: Map<string, string>, m: Migration): boolean {
  const seen = applied.get(m.name);
  if (seen === undefined) return false;
  if (seen !== m.sha256) throw new Error(`migration ${m.name} was edited after it was applied`);
  return true;
}

function migrateSqlite(url: string): string[] {
  const file = sqlitePath(url);
  if (file !== ':memory:') mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  const db = new Database(file);
  try {
    db.pragma('journal_mode = WAL');
    db.exec(LEDGER);
    const applied = new Map(
      (db.prepare('SELECT name, sha256 FROM _contamos_migrations').all() as Array<{ name: string; sha256: string }>).map((r) => [r.name, r.sha256]),
    );
    const done: string[] = [];
    for (const m of migrations('sqlite')) {
      if (check(applied, m)) continue;
      db.transaction(() => {
        db.exec(m.sql);
        db.prepare('INSERT INTO _contamos_migrations (name, sha256) VALUES (?, ?)').run(m.name, m.sha256);
      })();
      done.push(m.name);
    }
    return done;
  } finally {
    db.close();
  }
}

async function migratePostgres(url: string): Promise<string[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query('SELECT pg_advisory_lock(727274)');
    await client.query(LEDGER);
    const rows = (await client.query('SELECT name, sha256 FROM "_contamos_migrations"')).rows as Array<{ name: string; sha256: string }>;
    const applied = new Map(rows.map((r) => [r.name, r.sha256]));
    const done: string[] = [];
    for (const m of migrations('postgres')) {
      if (check(applied, m)) continue;
      await client.query('BEGIN');
      try {
        await client.query(m.sql);
        await client.query('INSERT INTO "_contamos_migrations" (name, sha256) VALUES ($1, $2)', [m.name, m.sha256]);
        await client.query('COMMIT');
      } catch (e) {
        await client.query('ROLLBACK');
        throw e;
      }
      done.push(m.name);
    }
    return done;
  } finally {
    await client.query('SELECT pg_advisory_unlock(727274)').catch(() => undefined);
    await client.end();
  }
}
