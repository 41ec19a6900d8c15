// publication-log.ts — storage of the publication log, the data versions, and the facts counting
// needs (every report's countable values).
//
// Guarantees: the log is read in index order and appended only at index = last + 1 (a concurrent
// append by another replica fails on the primary key, never overwrites); a data version is
// written once (primary key (year, version)); the database refuses any update or delete of either
// (triggers, migration 0008b). Reads return plain data; nothing here decides what is counted.
import type { Tx } from './client.js';
import type { ServiceContext } from '../services/context.js';
import { codeOf, COUNTED_DIMENSIONS, type ReportFacts } from '../services/incidents.js';

export interface LogRow { logIndex: number; hash: string; manifest: string }
export interface VersionRow { year: number; version: number; since: string | null; digest: string; reports: Uint8Array; representatives: Uint8Array }

export async function readLog(ctx: ServiceContext): Promise<LogRow[]> {
  return ctx.db.prisma.publication.findMany({ orderBy: { logIndex: 'asc' } });
}

export async function readLogEntry(ctx: ServiceContext, logIndex: number): Promise<LogRow | null> {
  return ctx.db.prisma.publication.findUnique({ where: { logIndex } });
}

export async function lastLogIndex(tx: Tx | ServiceContext['db']['prisma']): Promise<number> {
  const last = await tx.publication.findFirst({ orderBy: { logIndex: 'desc' }, select: { logIndex: true } });
  return last?.logIndex ?? 0;
}

export async function appendToLog(tx: Tx, row: LogRow): Promise<void> {
  await tx.publication.create({ data: row });
}

export async function readVersions(ctx: ServiceContext): Promise<VersionRow[]> {
  return ctx.db.prisma.dataVersion.findMany({ orderBy: [{ year: 'asc' }, { version: 'asc' }] });
}

export async function recordVersion(tx: Tx, row: VersionRow): Promise<void> {
  await tx.dataVersion.create({ data: { ...row, reports: Uint8Array.from(row.reports), representatives: Uint8Array.from(row.representatives) } });
}

const FACT_COLUMNS = ['id', 'memberKeyId', 'dedupeTag', 'reportHash', 'status', 'year'] as const;
/** The counted dimensions as one text (codeOf's spelling of nulls), so a row carries one string for its key. */
const KEY_SQL = COUNTED_DIMENSIONS.map((d) =>
  d === 'quarter' ? `COALESCE(CAST("quarter" AS TEXT), '${codeOf(d, null)}')` : d === 'outcome' ? `COALESCE("outcome", '${codeOf(d, null)}')` : `"${d}"`,
).join(` || '|' || `);
const FACTS_SQL = `SELECT ${FACT_COLUMNS.map((c) => `"${c}"`).join(', ')}, ${KEY_SQL} AS "k" FROM "Report"`;

/**
 * Every report (any status) with its countable values, in one consistent read (one statement).
 * Rows come as arrays (no per-row objects from the driver), the counted values as one text, and
 * identical value combinations share one key object, so a million reports stay within a few
 * hundred MB.
 */
export async function readReportFacts(ctx: ServiceContext): Promise<Map<string, ReportFacts>> {
  const rows: unknown[][] = ctx.db.fast
    ? (ctx.db.fast.db.prepare(FACTS_SQL).raw().all() as unknown[][])
    : ((await ctx.db.prisma.$queryRawUnsafe<Array<Record<string, unknown>>>(FACTS_SQL)).map((r) => [...FACT_COLUMNS.map((c) => r[c]), r.k]));
  const out = new Map<string, ReportFacts>();
  const keys = new Map<string, Record<string, string>>();
  for (const r of rows) {
    const text = r[6] as string;
    let key = keys.get(text);
    if (!key) {
      const codes = text.split('|');
      key = {};
      COUNTED_DIMENSIONS.forEach((d, i) => (key![d] = codes[i]!));
      keys.set(text, key);
    }
    const id = r[0] as string;
    out.set(id, { id, memberKeyId: r[1] as string, dedupeTag: (r[2] as string | null) ?? null, reportHash: r[3] as string, status: r[4] as string, year: Number(r[5]), key });
  }
  return out;
}
