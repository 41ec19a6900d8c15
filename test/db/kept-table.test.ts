// SECURITY.md's table of what the server keeps ("What is kept, and what never") against the
// databases themselves: migrate an empty database on each provider, read its tables and columns
// from the database (not from the schema file), and require the table to name every table and
// every column, and nothing that does not exist. A new column or table that SECURITY.md does not
// mention fails here. Shown to fail: docs/test-evidence.md.
// The table is read loosely, so that its wording can change: its rows are the lines of the first
// markdown table under the heading that starts "What is kept"; the first cell names one or more
// tables (words starting with a capital letter, backticks optional), or is empty to continue the
// tables of the row above; column names are the
// identifiers in backticks in the second cell, either bare (`keyId`: a column of one of the row's
// tables) or qualified (`Release.keyId`). Backticked text that is not an identifier (`m-…`,
// `sha256(keyId, nonce)`) is ignored.
import { readFileSync } from 'node:fs';
import Database from 'better-sqlite3';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { migrate } from '../../server/db/migrate.js';
import { createTestDatabase, providers, type TestDatabase } from '../helpers/databases.js';

interface KeptRow {
  tables: string[];
  columns: string[];
}

/** The rows of SECURITY.md's "What is kept" table. */
function keptTable(markdown: string): KeptRow[] {
  const at = markdown.search(/^#{2,3} What is kept/m);
  if (at < 0) throw new Error('SECURITY.md has no "What is kept" section');
  const lines = markdown.slice(at).split('\n').slice(1);
  const start = lines.findIndex((l) => l.trimStart().startsWith('|'));
  const rows: KeptRow[] = [];
  let header = true;
  for (const line of lines.slice(start)) {
    if (!line.trimStart().startsWith('|')) break;
    const cells = line
      .split('|')
      .slice(1, -1)
      .map((c) => c.trim());
    if (cells.length < 2 || /^:?-+:?$/.test(cells[0]!)) continue;
    if (header) {
      header = false;
      continue;
    } // the header row ("table | columns | why")
    // a row whose first cell is empty continues the table of the row above
    const tables =
      cells[0] === '' && rows.length > 0 ? rows[rows.length - 1]!.tables : [...cells[0]!.replace(/`/g, '').matchAll(/\b[A-Z][A-Za-z0-9]*\b/g)].map((m) => m[0]);
    if (tables.length === 0) continue;
    const columns = [...cells[1]!.matchAll(/`([^`]+)`/g)].map((m) => m[1]!.trim()).filter((c) => /^([A-Z]\w*\.)?[a-z]\w*$/.test(c));
    rows.push({ tables, columns });
  }
  return rows;
}

async function migratedColumns(db: TestDatabase): Promise<Record<string, string[]>> {
  const out: Record<string, string[]> = {};
  if (db.provider === 'sqlite') {
    const conn = new Database(db.url.replace(/^file:/, ''), { readonly: true });
    try {
      for (const { name } of conn
        .prepare("SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE '\\_%' ESCAPE '\\' AND name NOT LIKE 'sqlite%'")
        .all() as Array<{ name: string }>) {
        out[name] = (conn.prepare(`PRAGMA table_info("${name}")`).all() as Array<{ name: string }>).map((c) => c.name).sort();
      }
    } finally {
      conn.close();
    }
    return out;
  }
  const c = new pg.Client({ connectionString: db.url });
  await c.connect();
  try {
    const rows = (await c.query("SELECT table_name, column_name FROM information_schema.columns WHERE table_schema='public' AND table_name NOT LIKE '\\_%'"))
      .rows as Array<{ table_name: string; column_name: string }>;
    for (const r of rows) (out[r.table_name] ??= []).push(r.column_name);
  } finally {
    await c.end();
  }
  for (const k of Object.keys(out)) out[k]!.sort();
  return out;
}

/** What the table says, as table → columns, resolved against the database; and what it names that does not exist. */
function documented(rows: KeptRow[], actual: Record<string, string[]>): { kept: Record<string, string[]>; unknown: string[] } {
  const kept: Record<string, Set<string>> = {};
  const unknown: string[] = [];
  for (const row of rows) {
    for (const t of row.tables) {
      kept[t] ??= new Set();
      if (!actual[t]) unknown.push(`table ${t}`);
    }
    for (const col of row.columns) {
      const [table, name] = col.includes('.') ? (col.split('.') as [string, string]) : [null, col];
      const owners = (table ? [table] : row.tables).filter((t) => actual[t]?.includes(name));
      if (owners.length === 0 || (table && !row.tables.includes(table) && !actual[table])) unknown.push(`${row.tables.join(', ')}: ${col}`);
      for (const t of owners) (kept[t] ??= new Set()).add(name);
    }
  }
  return { kept: Object.fromEntries(Object.entries(kept).map(([t, c]) => [t, [...c].sort()])), unknown };
}

const SECURITY = readFileSync(new URL('../../SECURITY.md', import.meta.url), 'utf8');

describe('SECURITY.md lists exactly what the database keeps', () => {
  const dbs: TestDatabase[] = [];
  afterAll(async () => {
    for (const d of dbs) await d.drop();
  });

  it('the table is read: several rows, each naming a table and columns', () => {
    const rows = keptTable(SECURITY);
    expect(rows.length).toBeGreaterThanOrEqual(8);
    expect(rows.filter((r) => r.tables.includes('Member')).flatMap((r) => r.columns)).toEqual(expect.arrayContaining(['keyId', 'publicKey']));
  });

  it('the parser sees a missing column, a missing table and a column that does not exist', () => {
    const actual = { A: ['x', 'y'], B: ['z'] };
    const md = (rows: string) => `## What is kept, and what never\n\n| table | columns | why |\n|---|---|---|\n${rows}\n\nNever kept`;
    const full = documented(keptTable(md('| A | `x`, `y` = `sha256(a, b)` | . |\n| `B` | `z` | . |')), actual);
    expect(full).toEqual({ kept: actual, unknown: [] });
    expect(documented(keptTable(md('| A | `x` | . |\n| B | `z` | . |')), actual).kept).not.toEqual(actual);
    expect(documented(keptTable(md('| A | `x`, `y` | . |')), actual).kept).not.toEqual(actual);
    expect(documented(keptTable(md('| A, B | `x`, `y`, `z`, `w` | . |')), actual).unknown).toEqual(['A, B: w']);
    expect(documented(keptTable(md('| A, B | `x`, `y`, `B.z` | . |')), actual)).toEqual({ kept: actual, unknown: [] });
  });

  it.each(providers)('on %s: every table and column of the migrated database is in the table, and nothing else', async (provider) => {
    const db = await createTestDatabase(provider);
    dbs.push(db);
    await migrate(db.url);
    const actual = await migratedColumns(db);
    expect(Object.keys(actual).length).toBeGreaterThanOrEqual(10);
    const { kept, unknown } = documented(keptTable(SECURITY), actual);
    expect(unknown, 'SECURITY.md names tables or columns the database does not have').toEqual([]);
    expect(kept, "SECURITY.md's table of what is kept differs from the migrated database").toEqual(actual);
  });
});
