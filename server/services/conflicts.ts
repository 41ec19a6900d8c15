// Dedupe conflicts and the steward's resolutions.
// A conflict is a dedupe tag whose active reports of members whose reports count (neither revoked
// nor quarantined: quarantine.ts) disagree on at least one countable field. Guarantees:
// - the list holds exactly those tags: not a tag whose reports agree, and neither withdrawn nor
//   superseded reports nor those of excluded members are looked at (they count nowhere);
// - it gives each report's id and countable fields and never its member: no query here selects
//   "memberKeyId" into an answer; reports are ordered by id, tags by tag (no arrival order);
// - a resolution records that, under a tag, the values of one named report count. It is refused
//   (409, nothing written) unless that report is, when the steward asks, an active report under
//   that tag of a member whose reports count; resolving again replaces the choice (the same
//   choice again changes nothing);
// - a choice applies only while its report stays active, under its tag, of a member whose
//   reports count (`dedupeChoices` checks all three each time): a withdrawn or amended report, or
//   a member revoked or quarantined later, makes the tag fall back to counting's own rule until
//   the steward chooses again. A later report under the tag, even a disagreeing one, does not
//   undo a choice that still applies.
import type { Db, Tx } from '../db/client.js';
import { AppError } from '../errors.js';
import { authenticated } from './nonces.js';
import { countedMemberSql } from './quarantine.js';
import type { Auth, ServiceContext } from './context.js';

/** The fields a release counts, on which the reports under one tag must agree. */
export const COUNTABLE_FIELDS = [
  'year', 'quarter', 'region', 'incidentType', 'victimGender', 'victimNationality', 'victimAgeBand', 'perpetratorType', 'outcome',
] as const;
export type CountableField = (typeof COUNTABLE_FIELDS)[number];

export interface ConflictReport {
  id: string; year: number; quarter: number | null; region: string; incidentType: string; victimGender: string;
  victimNationality: string; victimAgeBand: string; perpetratorType: string; outcome: string | null;
}
export interface Conflict { tag: string; differ: CountableField[]; chosenReportId: string | null; reports: ConflictReport[] }

const HEX64 = /^[0-9a-f]{64}$/;
const SELECT_FIELDS = {
  id: true, dedupeTag: true, year: true, quarter: true, region: true, incidentType: true, victimGender: true,
  victimNationality: true, victimAgeBand: true, perpetratorType: true, outcome: true,
} as const;

/**
 * SQL, true for a group of reports (GROUP BY tag) that disagree on some countable field: two
 * different values, or a value beside a NULL (quarter and outcome may be NULL).
 */
const DISAGREE = COUNTABLE_FIELDS
  .map((f) => `MIN(r."${f}") <> MAX(r."${f}")` + (f === 'quarter' || f === 'outcome' ? ` OR COUNT(r."${f}") NOT IN (0, COUNT(*))` : ''))
  .join(' OR ');

/**
 * Tags in conflict after `cursor`, in order, at most `limit`. Candidates (tags whose active reports
 * disagree at all) are read in tag order from the counting index alone, which holds every
 * countable field, a batch at a time; only those are looked at again with the members' state, by
 * tag. So a page reads about as much of the index as it covers, not the whole table.
 */
async function conflictTags(db: Db | Tx, cursor: string | undefined, limit: number): Promise<string[]> {
  if (cursor !== undefined && !HEX64.test(cursor)) throw new AppError('invalid_query');
  if (!Number.isInteger(limit) || limit < 1) throw new AppError('invalid_query');
  const found: string[] = [];
  let after = cursor;
  while (found.length < limit) {
    const candidates = (await db.$queryRawUnsafe<Array<{ tag: string }>>(
      `SELECT r."dedupeTag" AS tag FROM "Report" r
       WHERE r.status = 'active' AND r."dedupeTag" IS NOT NULL${after ? ` AND r."dedupeTag" > '${after}'` : ''}
       GROUP BY r."dedupeTag" HAVING ${DISAGREE} ORDER BY r."dedupeTag" LIMIT ${limit}`,
    )).map((r) => r.tag);
    if (candidates.length === 0) break;
    if (!candidates.every((t) => HEX64.test(t))) throw new Error('a stored dedupe tag is not 64 hex characters');
    const confirmed = await db.$queryRawUnsafe<Array<{ tag: string }>>(
      `SELECT r."dedupeTag" AS tag FROM "Report" r
       WHERE r.status = 'active' AND r."dedupeTag" IN (${candidates.map((t) => `'${t}'`).join(', ')}) AND ${countedMemberSql('r')}
       GROUP BY r."dedupeTag" HAVING ${DISAGREE} ORDER BY r."dedupeTag"`,
    );
    found.push(...confirmed.map((r) => r.tag));
    if (candidates.length < limit) break;
    after = candidates[candidates.length - 1];
  }
  return found.slice(0, limit);
}

const counted = { status: 'active', member: { is: { revoked: false, quarantined: false } } } as const;

function differing(reports: ConflictReport[]): CountableField[] {
  return COUNTABLE_FIELDS.filter((f) => new Set(reports.map((r) => r[f])).size > 1);
}

export function listConflicts(ctx: ServiceContext, auth: Auth, page: { cursor?: string; limit: number }): Promise<{ items: Conflict[]; nextCursor: string | null }> {
  return authenticated(ctx, auth, async (tx) => {
    const tags = await conflictTags(tx, page.cursor, page.limit + 1);
    const more = tags.length > page.limit;
    const shown = tags.slice(0, page.limit);
    if (shown.length === 0) return { items: [], nextCursor: null };
    const rows = await tx.report.findMany({
      where: { dedupeTag: { in: shown }, ...counted },
      orderBy: [{ dedupeTag: 'asc' }, { id: 'asc' }],
      select: SELECT_FIELDS,
    });
    const choices = await tx.dedupeChoice.findMany({ where: { tag: { in: shown } } });
    const chosen = new Map(choices.map((c) => [c.tag, c.reportId]));
    const byTag = new Map<string, ConflictReport[]>(shown.map((t) => [t, []]));
    for (const { dedupeTag, ...report } of rows) byTag.get(dedupeTag!)?.push(report);
    const items = shown.map((tag) => {
      const reports = byTag.get(tag)!;
      const choice = chosen.get(tag);
      return { tag, differ: differing(reports), chosenReportId: choice && reports.some((r) => r.id === choice) ? choice : null, reports };
    }).filter((c) => c.differ.length > 0); // (on PostgreSQL a withdrawal may land between the two reads)
    return { items, nextCursor: more ? shown[shown.length - 1]! : null };
  });
}

export function resolveConflict(ctx: ServiceContext, auth: Auth, tag: string, reportId: string): Promise<{ tag: string; reportId: string }> {
  return authenticated(ctx, auth, async (tx) => {
    const report = await tx.report.findFirst({ where: { id: reportId, dedupeTag: tag, ...counted }, select: { id: true } });
    if (!report) throw new AppError('dedupe_choice_invalid');
    await tx.dedupeChoice.upsert({ where: { tag }, create: { tag, reportId }, update: { reportId } });
    return { tag, reportId };
  });
}

/**
 * The steward's choices that apply now: dedupe tag → the id of the report whose values count.
 * A choice is left out when its report is no longer active, no longer under that tag, or of a
 * member whose reports do not count. Pass the transaction the counting runs in, so both read the
 * same state.
 */
export async function dedupeChoices(ctx: ServiceContext, tx?: Tx): Promise<Map<string, string>> {
  const db: Db | Tx = tx ?? ctx.db.prisma;
  // Choices are few (one per tag the steward resolved): read them, then their reports by id.
  const choices = await db.dedupeChoice.findMany();
  if (choices.length === 0) return new Map();
  const live = await db.report.findMany({ where: { id: { in: choices.map((c) => c.reportId) }, ...counted }, select: { id: true, dedupeTag: true } });
  const tagOf = new Map(live.map((r) => [r.id, r.dedupeTag]));
  return new Map(choices.filter((c) => tagOf.get(c.reportId) === c.tag).map((c) => [c.tag, c.reportId]));
}
