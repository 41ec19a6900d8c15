// Test databases: a fresh SQLite file per call, or a fresh PostgreSQL database dropped at the end,
// on the cluster test/setup/postgres.ts chose for this run (the configured one when it answers,
// else an embedded one). PostgreSQL suites are part of the normal run; CONTAMOS_SKIP_PG=1 skips
// them deliberately. Every test that reaches PostgreSQL gets its URL from here.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { inject } from 'vitest';

export type TestProvider = 'sqlite' | 'postgres';

/** The admin URL of this run's PostgreSQL cluster; null when the PostgreSQL suites are skipped. */
const injected = inject('pgAdminUrl');
if (injected === undefined) throw new Error('no PostgreSQL decision for this run: vitest.config.ts must list test/setup/postgres.ts in globalSetup');
const adminUrl: string | null = injected;

export function pgAdminUrl(): string {
  if (adminUrl === null) throw new Error('PostgreSQL is skipped in this run (CONTAMOS_SKIP_PG=1)');
  return adminUrl;
}

export const providers: TestProvider[] = adminUrl === null ? ['sqlite'] : ['sqlite', 'postgres'];

/** `url` pointed at another database on the same cluster. */
function onDatabase(url: string, name: string): string {
  const u = new URL(url);
  u.pathname = `/${name}`;
  return u.toString();
}

export interface TestDatabase {
  url: string;
  provider: TestProvider;
  dir?: string;
  drop(): Promise<void>;
}

export async function createTestDatabase(provider: TestProvider): Promise<TestDatabase> {
  if (provider === 'sqlite') {
    const dir = mkdtempSync(path.join(tmpdir(), 'contamos-test-'));
    return { url: `file:${path.join(dir, 'test.db')}`, provider, dir, drop: async () => rmSync(dir, { recursive: true, force: true }) };
  }
  const name = `contamos_t_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: pgAdminUrl() });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = onDatabase(pgAdminUrl(), name);
  return {
    url,
    provider,
    drop: async () => {
      const a = new pg.Client({ connectionString: pgAdminUrl() });
      await a.connect();
      await a.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await a.end();
    },
  };
}

/** Every row of every table, as text, for scanning (the adversarial tests look for markers in it). */
export async function dumpDatabase(db: TestDatabase): Promise<string> {
  if (db.provider === 'sqlite') {
    const { default: Database } = await import('better-sqlite3');
    const file = db.url.replace(/^file:/, '');
    const conn = new Database(file, { readonly: true });
    try {
      const tables = conn.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as Array<{ name: string }>;
      return tables.map((t) => `## ${t.name}\n` + JSON.stringify(conn.prepare(`SELECT * FROM "${t.name}"`).all())).join('\n');
    } finally {
      conn.close();
    }
  }
  const c = new pg.Client({ connectionString: db.url });
  await c.connect();
  try {
    const tables = (await c.query("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")).rows as Array<{ tablename: string }>;
    const parts: string[] = [];
    for (const t of tables) parts.push(`## ${t.tablename}\n` + JSON.stringify((await c.query(`SELECT * FROM "${t.tablename}"`)).rows));
    return parts.join('\n');
  } finally {
    await c.end();
  }
}

/**
 * Every row of every data table, to prove that a refused request wrote nothing. RateWindow is left
 * out: it counts signed requests per credential (refused ones too, as rate limiting must), holds
 * no data, and is purged every minute.
 */
export async function tableContents(db: TestDatabase): Promise<Record<string, string>> {
  const dump = await dumpDatabase(db);
  const out: Record<string, string> = {};
  for (const block of dump.split(/^## /m).filter(Boolean)) {
    const nl = block.indexOf('\n');
    const name = block.slice(0, nl);
    if (name !== 'RateWindow') out[name] = block.slice(nl + 1);
  }
  return out;
}
