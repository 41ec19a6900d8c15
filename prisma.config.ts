// Prisma CLI configuration. Prisma runs here without native engines (offline machine): the
// "js" engine with a driver adapter. PRISMA_SCHEMA is the schema to use (sqlite by default).
import path from 'node:path';
import { defineConfig } from 'prisma/config';
import { PrismaBetterSQLite3 } from '@prisma/adapter-better-sqlite3';
import { PrismaPg } from '@prisma/adapter-pg';

const provider = process.env.PRISMA_PROVIDER === 'postgres' ? 'postgres' : 'sqlite';
const url = process.env.DATABASE_URL ?? 'file:./data/contamos.db';

export default defineConfig({
  experimental: { adapter: true },
  engine: 'js',
  schema: path.join('prisma', provider, 'schema.prisma'),
  adapter: async () => (provider === 'postgres' ? new PrismaPg({ connectionString: url }) : new PrismaBetterSQLite3({ url })),
});
