// `npm run prisma:generate` (also run after install): derives the PostgreSQL schema from the
// SQLite one and generates both Prisma clients into server/db/generated/.
// To add a migration after editing prisma/sqlite/schema.prisma:
//   npm run prisma:generate -- --migration NAME --from <the previous sqlite schema file>
// (e.g. `git show HEAD:prisma/sqlite/schema.prisma > /tmp/old.prisma`); it writes the SQL that
// brings each provider from the old schema to the new one into prisma/<provider>/migrations/.
// The first migration (no --from) is the whole schema from nothing.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { prismaEnv } from './prisma-env.js';
import { POSTGRES_SCHEMA, PROVIDERS, ROOT, SQLITE_SCHEMA, fullSchemaSql, migrationsDir, postgresSchemaFrom, readSqliteSchema } from './schemas.js';

mkdirSync(path.dirname(POSTGRES_SCHEMA), { recursive: true });
writeFileSync(POSTGRES_SCHEMA, postgresSchemaFrom(readSqliteSchema()));

for (const [provider, schema] of [
  ['sqlite', SQLITE_SCHEMA],
  ['postgres', POSTGRES_SCHEMA],
] as const) {
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
  const j = process.argv.indexOf('--from');
  const oldSqlite = j > 0 ? readFileSync(process.argv[j + 1]!, 'utf8') : undefined;
  const tmp = mkdtempSync(path.join(tmpdir(), 'contamos-schema-'));
  for (const provider of PROVIDERS) {
    const dir = migrationsDir(provider);
    mkdirSync(dir, { recursive: true });
    const existing = readdirSync(dir).filter((f) => f.endsWith('.sql'));
    if (existing.length > 0 && oldSqlite === undefined) throw new Error('later migrations need --from <previous sqlite schema>');
    let from: string | undefined;
    if (oldSqlite !== undefined) {
      from = path.join(tmp, `${provider}.prisma`);
      writeFileSync(from, provider === 'sqlite' ? oldSqlite : postgresSchemaFrom(oldSqlite));
    }
    const n = String(existing.length + 1).padStart(4, '0');
    writeFileSync(path.join(dir, `${n}_${name}.sql`), fullSchemaSql(provider, from));
  }
  rmSync(tmp, { recursive: true, force: true });
}
console.log('prisma clients generated (sqlite, postgres)');
