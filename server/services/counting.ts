// Counting incidents for a release, in the database (GROUP BY), never by loading reports.
// Guarantees:
// - withdrawn and superseded reports are never counted;
// - one incident per dedupe tag: among the active reports sharing a tag, the one with the
//   smallest reportHash is the incident's representative (a deterministic rule, whatever order
//   reports arrived in) and gives its categorical values; a report without a tag is its own incident;
// - the year filter applies to the representative, so an incident is counted in one year only;
// - the Merkle leaves are the hashes of every active report of a counted incident (all the
//   duplicates too: each organisation can prove its own report was counted).
// Null quarter and null outcome are counted as the codes 'unknown' and 'not-applicable'.
import type { ServiceContext } from './context.js';

export const RELEASE_DIMENSIONS = [
  'year', 'quarter', 'region', 'incidentType', 'victimGender', 'victimNationality', 'victimAgeBand', 'perpetratorType', 'outcome',
] as const;
export type ReleaseDimension = (typeof RELEASE_DIMENSIONS)[number];

export interface CountedCell { key: Record<string, string>; count: number }

const q = (d: string) => `"${d}"`;

function codeOf(dim: ReleaseDimension, v: unknown): string {
  if (v === null || v === undefined) return dim === 'outcome' ? 'not-applicable' : 'unknown';
  return String(v);
}

/** The representatives of all incidents: untagged reports, plus one report per dedupe tag. */
function incidentsSql(provider: 'sqlite' | 'postgres', cols: string): string {
  const untagged = `SELECT ${cols} FROM "Report" WHERE status = 'active' AND "dedupeTag" IS NULL`;
  const tagged = provider === 'sqlite'
    // SQLite returns the bare columns of the row holding MIN(reportHash) in each group
    ? `SELECT ${cols} FROM (SELECT ${cols}, MIN("reportHash") AS _h FROM "Report" WHERE status = 'active' AND "dedupeTag" IS NOT NULL GROUP BY "dedupeTag")`
    : `SELECT ${cols} FROM (SELECT DISTINCT ON ("dedupeTag") ${cols} FROM "Report" WHERE status = 'active' AND "dedupeTag" IS NOT NULL ORDER BY "dedupeTag", "reportHash") AS t`;
  return `${untagged} UNION ALL ${tagged}`;
}

export async function countIncidents(ctx: ServiceContext, years: number[], dims: ReleaseDimension[]): Promise<CountedCell[]> {
  const wanted = [...new Set<ReleaseDimension>(['year', ...dims])];
  const cols = wanted.map(q).join(', ');
  const yearList = years.map((y) => Number(y)).filter(Number.isInteger).join(', ');
  if (!yearList) return [];
  const sql = `SELECT ${cols}, COUNT(*) AS n FROM (${incidentsSql(ctx.db.provider, cols)}) AS i WHERE "year" IN (${yearList}) GROUP BY ${cols}`;
  const rows = await ctx.db.prisma.$queryRawUnsafe<Array<Record<string, unknown>>>(sql);
  return rows.map((r) => ({
    key: Object.fromEntries(wanted.map((d) => [d, codeOf(d, r[d])])),
    count: Number(r.n),
  }));
}

/** Hashes of every active report belonging to an incident counted in `years`, sorted. */
export async function countedReportHashes(ctx: ServiceContext, years: number[]): Promise<string[]> {
  const yearList = years.map((y) => Number(y)).filter(Number.isInteger).join(', ');
  if (!yearList) return [];
  const rep = ctx.db.provider === 'sqlite'
    ? `SELECT "dedupeTag", "year" FROM (SELECT "dedupeTag", "year", MIN("reportHash") AS _h FROM "Report" WHERE status = 'active' AND "dedupeTag" IS NOT NULL GROUP BY "dedupeTag")`
    : `SELECT DISTINCT ON ("dedupeTag") "dedupeTag", "year" FROM "Report" WHERE status = 'active' AND "dedupeTag" IS NOT NULL ORDER BY "dedupeTag", "reportHash"`;
  const sql = `SELECT "reportHash" AS h FROM "Report" WHERE status = 'active' AND "dedupeTag" IS NULL AND "year" IN (${yearList})
    UNION ALL
    SELECT r."reportHash" AS h FROM "Report" r JOIN (${rep}) AS t ON r."dedupeTag" = t."dedupeTag"
      WHERE r.status = 'active' AND t."year" IN (${yearList})
    ORDER BY h`;
  const rows = await ctx.db.prisma.$queryRawUnsafe<Array<{ h: string }>>(sql);
  return rows.map((r) => r.h);
}
