// inventory.ts — check 6: what an operator's database and logs actually keep.
//
// Guarantees:
// - Read-only: SQLite is opened with `readonly: true`; PostgreSQL is read inside a READ ONLY
//   transaction through a cursor (constant memory however big a table is).
// - Every table is listed with its columns (SQLite: sqlite_master + PRAGMA table_info; PostgreSQL:
//   information_schema, schema public) and row count: the data-inventory statement.
// - Every non-null value of every column of every row (binary values: their text, or their
//   printable runs when they are not UTF-8), and every line of every log file (for JSON
//   lines, every field), goes through detect.ts. Each kind found is a failure
//   (inventory-ip-address, -email, -phone, -user-agent, -narrative) naming table and column (or
//   file), how many rows (lines) and the first row (line) numbers — never the value: the hint is
//   always "REDACTED".
// - Two documented leniencies: a value that is a whole published release manifest is public
//   material and is not looked at for narrative (the other patterns still apply); the `msg` of a
//   JSON log line is the program's own message, so natural language there is a warning
//   (inventory-log-message) rather than a failure. Column NAMES that suggest forbidden data
//   (ip, user_agent, email, phone, cookie, created_at, …) are warnings (inventory-column-name).
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import Database from 'better-sqlite3';
import pg from 'pg';
import type { FindingCode, Findings } from './findings.js';
import { type DetectKind, detect } from './detect.js';

export interface ColumnInventory {
  name: string;
  type: string;
}
export interface TableInventory {
  name: string;
  rows: number;
  columns: ColumnInventory[];
}
export interface InventoryReport {
  database?: { kind: 'sqlite' | 'postgresql'; location: string; tables: TableInventory[] };
  logs: Array<{ file: string; lines: number }>;
  valuesScanned: number;
  ms: number;
}

const CODE_OF: Record<DetectKind, FindingCode> = {
  'ip-address': 'inventory-ip-address',
  email: 'inventory-email',
  phone: 'inventory-phone',
  'user-agent': 'inventory-user-agent',
  narrative: 'inventory-narrative',
};

const SUSPICIOUS_COLUMN =
  /(^|_)(ip|ip_?addr(ess)?|remote_?addr(ess)?|client_?ip|x_?forwarded(_for)?|forwarded|real_?ip|user_?agent|ua|e_?mail|mail|phone|phone_?number|telefono|celular|mobile|cookie|cookies|session_?id|created_?at|updated_?at|received_?at|submitted_?at|timestamp)($|_)/;

function snake(name: string): string {
  return name
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_');
}

/** Collects hits per place and kind, keeping only counts and the first positions. */
class Hits {
  private readonly map = new Map<string, { place: Record<string, string>; kind: DetectKind | 'log-message'; count: number; first: number[] }>();
  add(placeKey: string, place: Record<string, string>, kind: DetectKind | 'log-message', position: number): void {
    const key = `${placeKey}\u0000${kind}`;
    let h = this.map.get(key);
    if (!h) this.map.set(key, (h = { place, kind, count: 0, first: [] }));
    h.count++;
    if (h.first.length < 5) h.first.push(position);
  }
  flush(findings: Findings, unit: 'rows' | 'lines'): void {
    for (const h of this.map.values()) {
      const code: FindingCode = h.kind === 'log-message' ? 'inventory-log-message' : CODE_OF[h.kind];
      findings.add(code, { ...h.place, [unit]: h.count, first: h.first.map(String), hint: 'REDACTED' });
    }
    this.map.clear();
  }
}

function isReleaseManifest(value: string): boolean {
  if (!value.startsWith('{') || !value.includes('"contamos-release"')) return false;
  try {
    return (JSON.parse(value) as { type?: unknown }).type === 'contamos-release';
  } catch {
    return false;
  }
}

/** Scans one value; `clean` caches short values already found clean in this column. */
function scanValue(value: string, clean: Set<string>): DetectKind[] {
  if (value.length <= 64 && clean.has(value)) return [];
  const kinds = detect(value, { narrative: !isReleaseManifest(value) });
  if (kinds.length === 0 && value.length <= 64 && clean.size < 20_000) clean.add(value);
  return kinds;
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * A blob that is only packed UUIDv4s (16 bytes each, version 4, RFC 4122 variant: how a data
 * version keeps its report ids), written out as UUIDs — which `detect` passes — or null. Random
 * id bytes otherwise read as text now and then, and a printable run such as `a@b.cd` was taken for
 * an e-mail address.
 */
function packedUuids(b: Uint8Array): string | null {
  if (b.length === 0 || b.length % 16 !== 0) return null;
  const out: string[] = [];
  for (let i = 0; i < b.length; i += 16) {
    if (b[i + 6]! >> 4 !== 4 || b[i + 8]! >> 6 !== 2) return null;
    const h = Buffer.from(b.subarray(i, i + 16)).toString('hex');
    out.push(`${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`);
  }
  return out.join(' ');
}

/** Binary data: packed UUIDs as UUIDs; else the text it holds (valid UTF-8 as is; otherwise its printable runs, like strings(1)). */
function blobText(b: Uint8Array): string {
  const ids = packedUuids(b);
  if (ids !== null) return ids;
  try {
    return strictUtf8.decode(b);
  } catch {
    const runs: string[] = [];
    let start = -1;
    for (let i = 0; i <= b.length; i++) {
      const c = i < b.length ? b[i]! : 0;
      const printable = (c >= 0x20 && c < 0x7f) || c === 0x09;
      if (printable && start < 0) start = i;
      else if (!printable && start >= 0) {
        if (i - start >= 6) runs.push(Buffer.from(b.subarray(start, i)).toString('latin1'));
        start = -1;
      }
    }
    return runs.join('\n');
  }
}

function toText(v: unknown): string | null {
  if (v === null || v === undefined) return null;
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'bigint' || typeof v === 'boolean') return String(v);
  if (v instanceof Uint8Array) return blobText(v);
  return String(v);
}

function checkColumnNames(table: TableInventory, findings: Findings): void {
  for (const c of table.columns) {
    if (SUSPICIOUS_COLUMN.test(snake(c.name))) findings.add('inventory-column-name', { table: table.name, column: c.name });
  }
}

/** Redacts the password of a database URL for display. */
export function displayUrl(url: string): string {
  if (!/^postgres(ql)?:\/\//i.test(url)) return url;
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return url.replace(/\/\/([^:/@]*):[^@]*@/, '//$1:***@');
  }
}

function sqlitePath(url: string): string {
  const p = url.replace(/^file:(\/\/)?/, '').replace(/\?.*$/, '');
  if (!p) throw new Error('empty SQLite path');
  return p;
}

const q = (ident: string) => `"${ident.replace(/"/g, '""')}"`;

function scanSqlite(url: string, findings: Findings, report: InventoryReport): void {
  const db = new Database(sqlitePath(url), { readonly: true, fileMustExist: true });
  try {
    const names = (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").all() as Array<{ name: string }>).map((r) => r.name);
    const tables: TableInventory[] = [];
    const hits = new Hits();
    for (const name of names) {
      const cols = (db.prepare(`PRAGMA table_info(${q(name)})`).all() as Array<{ name: string; type: string }>).map((c) => ({
        name: c.name,
        type: c.type || 'ANY',
      }));
      const rows = Number((db.prepare(`SELECT count(*) AS n FROM ${q(name)}`).get() as { n: number | bigint }).n);
      const table: TableInventory = { name, rows, columns: cols };
      tables.push(table);
      checkColumnNames(table, findings);
      if (cols.length === 0) continue;
      const stmt = db.prepare(`SELECT ${cols.map((c) => q(c.name)).join(', ')} FROM ${q(name)}`).raw(true);
      const clean = cols.map(() => new Set<string>());
      let row = 0;
      for (const values of stmt.iterate() as IterableIterator<unknown[]>) {
        row++;
        for (let i = 0; i < cols.length; i++) {
          const text = toText(values[i]);
          if (text === null) continue;
          report.valuesScanned++;
          for (const kind of scanValue(text, clean[i]!)) hits.add(`${name}\u0000${cols[i]!.name}`, { table: name, column: cols[i]!.name }, kind, row);
        }
      }
    }
    hits.flush(findings, 'rows');
    report.database = { kind: 'sqlite', location: displayUrl(url), tables };
  } finally {
    db.close();
  }
}

async function scanPostgres(url: string, findings: Findings, report: InventoryReport): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const names = (
      await client.query("SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY table_name")
    ).rows.map((r: { table_name: string }) => r.table_name);
    const tables: TableInventory[] = [];
    const hits = new Hits();
    for (const name of names) {
      const cols = (
        await client.query(
          "SELECT column_name, data_type FROM information_schema.columns WHERE table_schema = 'public' AND table_name = $1 ORDER BY ordinal_position",
          [name],
        )
      ).rows.map((r: { column_name: string; data_type: string }) => ({ name: r.column_name, type: r.data_type }));
      const rows = Number((await client.query(`SELECT count(*) AS n FROM public.${q(name)}`)).rows[0].n);
      const table: TableInventory = { name, rows, columns: cols };
      tables.push(table);
      checkColumnNames(table, findings);
      if (cols.length === 0) continue;
      const clean = cols.map(() => new Set<string>());
      await client.query('BEGIN READ ONLY');
      try {
        await client.query(`DECLARE audit_cursor NO SCROLL CURSOR FOR SELECT ${cols.map((c) => `${q(c.name)}::text`).join(', ')} FROM public.${q(name)}`);
        let row = 0;
        for (;;) {
          const batch = await client.query({ text: 'FETCH 2000 FROM audit_cursor', rowMode: 'array' });
          if (batch.rows.length === 0) break;
          for (const values of batch.rows as unknown[][]) {
            row++;
            for (let i = 0; i < cols.length; i++) {
              const text = toText(values[i]);
              if (text === null) continue;
              report.valuesScanned++;
              for (const kind of scanValue(text, clean[i]!)) hits.add(`${name}\u0000${cols[i]!.name}`, { table: name, column: cols[i]!.name }, kind, row);
            }
          }
        }
        await client.query('CLOSE audit_cursor');
      } finally {
        await client.query('COMMIT');
      }
    }
    hits.flush(findings, 'rows');
    report.database = { kind: 'postgresql', location: displayUrl(url), tables };
  } finally {
    await client.end();
  }
}

function walkJson(v: unknown, visit: (value: string, topKey: string | null) => void, topKey: string | null = null, depth = 0): void {
  if (depth > 50 || v === null || v === undefined) return;
  if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') return visit(String(v), topKey);
  if (Array.isArray(v)) {
    for (const x of v) walkJson(x, visit, topKey, depth + 1);
    return;
  }
  if (typeof v === 'object') {
    for (const [k, x] of Object.entries(v)) {
      visit(k, null);
      walkJson(x, visit, depth === 0 ? k : topKey, depth + 1);
    }
  }
}

async function scanLog(file: string, findings: Findings, report: InventoryReport): Promise<void> {
  const hits = new Hits();
  const place = { file };
  const clean = new Set<string>();
  let line = 0;
  const rl = createInterface({ input: createReadStream(file, { encoding: 'utf8' }), crlfDelay: Infinity });
  for await (const text of rl) {
    line++;
    if (!text.trim()) continue;
    report.valuesScanned++;
    let parsed: unknown;
    if (text.trimStart().startsWith('{')) {
      try {
        parsed = JSON.parse(text);
      } catch {
        parsed = undefined;
      }
    }
    if (parsed !== undefined && typeof parsed === 'object' && parsed !== null) {
      walkJson(parsed, (value, topKey) => {
        const kinds = value.length <= 64 && clean.has(value) ? [] : detect(value);
        if (kinds.length === 0 && value.length <= 64 && clean.size < 20_000) clean.add(value);
        for (const kind of kinds) {
          hits.add(file, place, kind === 'narrative' && (topKey === 'msg' || topKey === 'message') ? 'log-message' : kind, line);
        }
      });
    } else {
      for (const kind of detect(text)) hits.add(file, place, kind, line);
    }
  }
  hits.flush(findings, 'lines');
  report.logs.push({ file, lines: line });
}

export async function checkInventory(opts: { database?: string; logs: readonly string[] }, findings: Findings): Promise<InventoryReport> {
  const started = performance.now();
  const report: InventoryReport = { logs: [], valuesScanned: 0, ms: 0 };
  if (opts.database) {
    const url = opts.database;
    try {
      if (/^postgres(ql)?:\/\//i.test(url)) await scanPostgres(url, findings, report);
      else if (/^file:/i.test(url)) scanSqlite(url, findings, report);
      else findings.add('inventory-error', { source: displayUrl(url), problem: 'not a file: or postgresql:// URL' });
    } catch (e) {
      findings.add('inventory-error', { source: displayUrl(url), problem: e instanceof Error ? e.message : String(e) });
    }
  }
  for (const file of opts.logs) {
    try {
      await scanLog(file, findings, report);
    } catch (e) {
      findings.add('inventory-error', { source: file, problem: e instanceof Error ? e.message : String(e) });
    }
  }
  report.ms = Math.round(performance.now() - started);
  return report;
}
