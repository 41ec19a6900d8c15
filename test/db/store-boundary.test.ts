// Storage stays behind the Store (server/db/store.ts): no file of the server outside server/db/
// imports the Prisma client, its generated code or a database driver, reaches a Prisma client
// (`.prisma`, `$queryRaw`, `$executeRaw`, `$transaction`), branches on the database provider, or
// holds an SQL statement. Outside server/db/ only the entry point (main.ts) opens and migrates
// the database, and config.ts reads the default URL; and server/db/ imports nothing from the
// layers above it. The scanner is shown to catch each rule on a sample first, so a rule that
// matched nothing could not pass unnoticed.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(import.meta.dirname, '..', '..');
const SERVER = path.join(ROOT, 'server');

function tsFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = path.join(dir, name);
    if (statSync(p).isDirectory()) return tsFiles(p);
    return p.endsWith('.ts') || p.endsWith('.mts') || p.endsWith('.mjs') ? [p] : [];
  });
}

const RULES: Array<[string, RegExp]> = [
  ['imports Prisma or its generated client', /from\s+['"](@prisma\/[^'"]*|[^'"]*\/generated\/[^'"]*)['"]/],
  ['imports a database driver', /from\s+['"](pg|better-sqlite3|postgres|sqlite3)['"]/],
  ['uses a Prisma client', /\.prisma\b|\$queryRaw|\$executeRaw|\$transaction/],
  ['branches on the provider', /\.provider\s*[!=]==|\.fast\b/],
  ['holds SQL', /\bSELECT\s+(\*|1\b|"|[a-z_]+\s*(,|FROM))|\bINSERT\s+INTO\b|\bUPDATE\s+"|\bDELETE\s+FROM\b/],
];

/** Imports of server/db/ modules other than the Store's public parts, by file allowed them. */
const DB_IMPORT = /from\s+['"](?:\.\.?\/)+(?:db\/)([a-z-]+)\.js['"]/g;
const PUBLIC_DB_MODULES = new Set(['store', 'errors', 'nonces', 'report-row']);
const OPENERS: Record<string, Set<string>> = { 'main.ts': new Set(['client', 'migrate']), 'config.ts': new Set(['url']) };

function violations(rel: string, text: string): string[] {
  const out = RULES.filter(([, re]) => re.test(text)).map(([why]) => `${rel}: ${why}`);
  for (const m of text.matchAll(DB_IMPORT)) {
    const mod = m[1]!;
    if (!PUBLIC_DB_MODULES.has(mod) && !OPENERS[rel]?.has(mod)) out.push(`${rel}: imports db/${mod}`);
  }
  return out;
}

describe('storage stays behind the Store', () => {
  it('the scanner catches each rule on a sample', () => {
    const samples = [
      "import { PrismaClient } from '@prisma/client';",
      "import { PrismaClient } from '../db/generated/sqlite/client.js';",
      "import pg from 'pg';",
      'await ctx.db.prisma.member.findMany();',
      "await tx.$queryRawUnsafe('x');",
      "if (ctx.db.provider === 'postgres') x();",
      "const q = 'SELECT 1';",
      'const q = `SELECT "id" FROM "Report"`;',
      "db.exec('INSERT INTO t VALUES (1)');",
      "db.exec('DELETE FROM t');",
      "import { readReportFacts } from '../db/publication-log.js';",
      "import { x } from '../db/sqlite-store.js';",
    ];
    for (const s of samples) expect(violations('services/x.ts', s), s).not.toEqual([]);
    // words that are not SQL, and the Store's public modules, pass
    for (const s of [
      '// select the series you want',
      '<select name="year">',
      "import type { Store } from '../db/store.js';",
      "import { nonceRow } from '../db/nonces.js';",
    ]) {
      expect(violations('services/x.ts', s), s).toEqual([]);
    }
  });

  it('server/db/ imports nothing from the layers above it (services, http, routes, web)', () => {
    const up = /from\s+['"]\.\.\/(services|http|routes|web)\//;
    const files = tsFiles(path.join(SERVER, 'db')).filter((f) => !f.includes(`${path.sep}generated${path.sep}`));
    expect(files.length).toBeGreaterThan(10);
    expect(files.filter((f) => up.test(readFileSync(f, 'utf8'))).map((f) => path.relative(SERVER, f))).toEqual([]);
    expect(up.test("import { codeOf } from '../services/incidents.js';")).toBe(true);
  });

  it('no server file outside server/db/ reaches the database but through the Store', () => {
    const files = tsFiles(SERVER).filter((f) => !f.startsWith(path.join(SERVER, 'db') + path.sep));
    expect(files.length).toBeGreaterThan(50);
    const found = files.flatMap((f) => violations(path.relative(SERVER, f), readFileSync(f, 'utf8')));
    expect(found).toEqual([]);
  });
});
