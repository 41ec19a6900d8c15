// Derivation of the PostgreSQL schema and of each provider's migration SQL from the one
// hand-edited SQLite schema. Pure string functions plus a `prisma migrate diff` call, shared by
// the generator script and by the test that checks the committed files agree with them.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { prismaEnv } from './prisma-env.js';

export const ROOT = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..', '..');
export const SQLITE_SCHEMA = path.join(ROOT, 'prisma', 'sqlite', 'schema.prisma');
export const POSTGRES_SCHEMA = path.join(ROOT, 'prisma', 'postgres', 'schema.prisma');
export const PROVIDERS = ['sqlite', 'postgres'] as const;
export type Provider = (typeof PROVIDERS)[number];

export function migrationsDir(provider: Provider): string {
  return path.join(ROOT, 'prisma', provider, 'migrations');
}

/** The PostgreSQL schema: the SQLite one with its provider and client output swapped. */
export function postgresSchemaFrom(sqliteSchema: string): string {
  const out = sqliteSchema
    .replace(
      /^\/\/ Contamos database schema — SQLite \(the embedded default\)\.$/m,
      '// Contamos database schema — PostgreSQL. GENERATED from prisma/sqlite/schema.prisma: do not edit.',
    )
    .replace(/provider = "sqlite"/, 'provider = "postgresql"')
    .replace('"../../server/db/generated/sqlite"', '"../../server/db/generated/postgres"');
  if (out === sqliteSchema) throw new Error('could not derive the PostgreSQL schema');
  return out;
}

/**
 * Provider-specific hardening applied to generated SQL. On SQLite the Report table is made
 * WITHOUT ROWID, so rows are stored in order of their random id, not in order of arrival
 * (arrival order is a side channel DESIGN.md forbids keeping).
 */
export function harden(provider: Provider, sql: string): string {
  if (provider !== 'sqlite') return sql;
  const re = /(CREATE TABLE "Report" \([\s\S]*?\n\));/;
  if (!re.test(sql)) return sql;
  return sql.replace(re, (m) => m.slice(0, -1) + ' WITHOUT ROWID;');
}

/**
 * SQL that brings a database from `fromSchema` (a schema file; none = empty) to the current
 * schema of `provider`, as `prisma migrate diff` computes it.
 */
export function fullSchemaSql(provider: Provider, fromSchema?: string): string {
  const schema = provider === 'sqlite' ? SQLITE_SCHEMA : POSTGRES_SCHEMA;
  const url = provider === 'sqlite' ? 'file:./unused.db' : 'postgresql://postgres@127.0.0.1:5432/test';
  const from = fromSchema ? ['--from-schema-datamodel', fromSchema] : ['--from-empty'];
  const sql = execFileSync(path.join(ROOT, 'node_modules', '.bin', 'prisma'), ['migrate', 'diff', ...from, '--to-schema-datamodel', schema, '--script'], {
    cwd: ROOT,
    env: prismaEnv({ PRISMA_PROVIDER: provider, DATABASE_URL: url }),
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return harden(provider, sql.replace(/^Loaded Prisma config.*\n/m, '').trim() + '\n');
}

export function readSqliteSchema(): string {
  return readFileSync(SQLITE_SCHEMA, 'utf8');
}
