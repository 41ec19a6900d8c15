// The database a benchmark's server runs on: SQLite in the benchmark's temp folder (the default),
// or with BENCH_DB=postgres a fresh database on the cluster of CONTAMOS_PG_ADMIN_URL (default the
// local one, postgresql://postgres@127.0.0.1:5432/test), created for the run and dropped by `drop`.
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import pg from 'pg';

export interface BenchDatabase {
  provider: 'sqlite' | 'postgres';
  url: string;
  /** Drops the PostgreSQL database (the SQLite file goes with the temp folder). */
  drop(): Promise<void>;
}

export function benchProvider(): 'sqlite' | 'postgres' {
  const v = process.env.BENCH_DB ?? 'sqlite';
  if (v !== 'sqlite' && v !== 'postgres') throw new Error('BENCH_DB is sqlite or postgres');
  return v;
}

export async function benchDatabase(dir: string, file: string): Promise<BenchDatabase> {
  if (benchProvider() === 'sqlite') return { provider: 'sqlite', url: `file:${path.join(dir, file)}`, drop: async () => undefined };
  const admin = process.env.CONTAMOS_PG_ADMIN_URL ?? 'postgresql://postgres@127.0.0.1:5432/test';
  const name = `contamos_bench_${randomBytes(6).toString('hex')}`;
  const onAdmin = async (sql: string): Promise<void> => {
    const c = new pg.Client({ connectionString: admin });
    await c.connect();
    try {
      await c.query(sql);
    } finally {
      await c.end();
    }
  };
  await onAdmin(`CREATE DATABASE ${name}`);
  const u = new URL(admin);
  u.pathname = `/${name}`;
  return { provider: 'postgres', url: u.toString(), drop: () => onAdmin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`) };
}
