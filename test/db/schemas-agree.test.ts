// The two Prisma schemas and the two migration sets describe the same database: the PostgreSQL
// schema is exactly the one derived from the SQLite schema, and after migrating an empty database
// of each provider both have the same tables and columns as the schema's models.
import { readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import pg from 'pg';
import { POSTGRES_SCHEMA, harden, postgresSchemaFrom, readSqliteSchema } from '../../scripts/db/schemas.js';
import { migrate } from '../../server/db/migrate.js';
import { createTestDatabase, providers, type TestDatabase } from '../helpers/databases.js';

function modelColumns(schema: string): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const m of schema.matchAll(/^model (\w+) \{([\s\S]*?)^\}/gm)) {
    out[m[1]!] = [...m[2]!.matchAll(/^\s+(\w+)\s+(String|Int|Boolean|BigInt|Float|DateTime|Json|Bytes)\??\s/gm)].map((f) => f[1]!).sort();
  }
  return out;
}

async function migratedColumns(db: TestDatabase): Promise<Record<string, string[]>> {
  const out: Record<string, string[]> = {};
  if (db.provider === 'sqlite') {
    const conn = new Database(db.url.replace(/^file:/, ''), { readonly: true });
    for (const { name } of conn
      .prepare("SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE '\\_%' ESCAPE '\\' AND name NOT LIKE 'sqlite%'")
      .all() as Array<{ name: string }>) {
      out[name] = (conn.prepare(`PRAGMA table_info("${name}")`).all() as Array<{ name: string }>).map((c) => c.name).sort();
    }
    conn.close();
    return out;
  }
  const c = new pg.Client({ connectionString: db.url });
  await c.connect();
  const rows = (await c.query("SELECT table_name, column_name FROM information_schema.columns WHERE table_schema='public' AND table_name NOT LIKE '\\_%'"))
    .rows as Array<{ table_name: string; column_name: string }>;
  await c.end();
  for (const r of rows) (out[r.table_name] ??= []).push(r.column_name);
  for (const k of Object.keys(out)) out[k]!.sort();
  return out;
}

describe('schemas and migrations agree', () => {
  const dbs: TestDatabase[] = [];
  afterAll(async () => {
    for (const d of dbs) await d.drop();
  });

  it('the PostgreSQL schema is generated from the SQLite schema', () => {
    expect(readFileSync(POSTGRES_SCHEMA, 'utf8')).toBe(postgresSchemaFrom(readSqliteSchema()));
  });

  it('SQLite reports are stored WITHOUT ROWID (no arrival order), read from a migrated database', async () => {
    expect(harden('sqlite', 'CREATE TABLE "Report" (\n  "id" TEXT\n);')).toContain('WITHOUT ROWID');
    const db = await createTestDatabase('sqlite');
    dbs.push(db);
    await migrate(db.url);
    const conn = new Database(db.url.replace(/^file:/, ''), { readonly: true });
    try {
      const sql = (conn.prepare(`SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'Report'`).get() as { sql: string }).sql;
      expect(sql).toMatch(/\)\s*WITHOUT ROWID\s*$/);
      // and SQLite agrees: a WITHOUT ROWID table has no rowid to select
      expect(() => conn.prepare('SELECT rowid FROM "Report"').all()).toThrow(/rowid/);
    } finally {
      conn.close();
    }
  });

  it.each(providers)('a database migrated on %s has exactly the schema’s tables and columns; re-running applies nothing', async (provider) => {
    const db = await createTestDatabase(provider);
    dbs.push(db);
    expect((await migrate(db.url)).length).toBeGreaterThan(0);
    expect(await migrate(db.url)).toEqual([]);
    expect(await migratedColumns(db)).toEqual(modelColumns(readSqliteSchema()));
  });

  it.each(providers)('on %s the unique index on Report.supersedes is partial (amendments only) and still unique', async (provider) => {
    const db = await createTestDatabase(provider);
    dbs.push(db);
    await migrate(db.url);
    let definition: string;
    if (provider === 'sqlite') {
      const conn = new Database(db.url.replace(/^file:/, ''));
      definition = (conn.prepare(`SELECT sql FROM sqlite_master WHERE name = 'Report_supersedes_key'`).get() as { sql: string }).sql;
      conn.close();
    } else {
      const c = new pg.Client({ connectionString: db.url });
      await c.connect();
      definition = (await c.query(`SELECT indexdef FROM pg_indexes WHERE indexname = 'Report_supersedes_key'`)).rows[0].indexdef as string;
      await c.end();
    }
    expect(definition).toMatch(/UNIQUE INDEX/i);
    expect(definition).toMatch(/WHERE \(?"?supersedes"? IS NOT NULL\)?/i);
  });
});
