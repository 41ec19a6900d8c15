// `npm run prisma:generate` (also run after install): derives the PostgreSQL schema from the
// SQLite one and generates both Prisma clients into server/db/generated/. With `--migration NAME`
// it also writes the SQL that brings each provider from the committed migrations to the schema
// (first migration: from nothing) into prisma/<provider>/migrations/NNNN_NAME.sql.
import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { prismaEnv } from './prisma-env.js';
import { POSTGRES_SCHEMA, PROVIDERS, ROOT, SQLITE_SCHEMA, fullSchemaSql, migrationsDir, postgresSchemaFrom, readSqliteSchema } from './schemas.js';

mkdirSync(path.dirname(POSTGRES_SCHEMA), { recursive: true });
writeFileSync(POSTGRES_SCHEMA, postgresSchemaFrom(readSqliteSchema()));

for (const [provider, schema] of [['sqlite', SQLITE_SCHEMA], ['postgres', POSTGRES_SCHEMA]] as const) {
  execFileSync(path.join(ROOT, 'node_modules', '.bin', 'prisma'), ['generate', '--schema', schema], {
    cwd: ROOT,
    env: prismaEnv({ PRISMA_PROVIDER: provider, DATABASE_URL: provider === 'sqlite' ? 'file:./unused.db' : 'postgresql://localhost/unused' }),
    stdio: ['ignore', 'ignore', 'inherit'],
  });
}

const i = process.argv.indexOf('--migration');
if (i > 0) {
  const name = process.argv[i + 1];
  if (!name || !/^[a-z0-9_]+$/.test(name)) throw new Error('--migration needs a snake_case name');
  for (const provider of PROVIDERS) {
    const dir = migrationsDir(provider);
    mkdirSync(dir, { recursive: true });
    const existing = readdirSync(dir).filter((f) => f.endsWith('.sql'));
    if (existing.length > 0) {
      throw new Error('later migrations: write them by hand from `prisma migrate diff --from-migrations`; see README');
    }
    writeFileSync(path.join(dir, `0001_${name}.sql`), fullSchemaSql(provider));
  }
}
console.log('prisma clients generated (sqlite, postgres)');
