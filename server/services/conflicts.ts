// Dedupe conflicts and the steward's resolutions.
// A conflict is a dedupe tag whose active reports of members whose reports count (neither revoked
// nor quarantined: quarantine.ts) disagree on at least one countable field. Guarantees:
// - the list holds exactly those tags: not a tag whose reports agree, and neither withdrawn nor
//   superseded reports nor those of excluded members are looked at (they count nowhere);
// - it gives each report's id and countable fields and never its member: no query here selects
//   "memberKeyId" into an answer (the Store's conflict reads, db/prisma-data.ts); reports are ordered by id, tags by tag (no arrival order);
// - a resolution records that, under a tag, the values of one named report count. It is refused
//   (409, nothing written) unless that report is, when the steward asks, an active report under
//   that tag of a member whose reports count; resolving again replaces the choice (the same
//   choice again changes nothing);
// - a choice applies only while its report stays active, under its tag, of a member whose
//   reports count (`dedupeChoices` checks all three each time): a withdrawn or amended report, or
//   a member revoked or quarantined later, makes the tag fall back to counting's own rule until
//   the steward chooses again. A later report under the tag, even a disagreeing one, does not
//   undo a choice that still applies.
import { nonceRow } from '../db/nonces.js';
import { COUNTABLE_FIELDS, type CountableField } from '../db/report-row.js';
import type { StoreData, StoreTx } from '../db/store.js';
import { AppError } from '../errors.js';
import type { Auth, ServiceContext } from './context.js';

export { COUNTABLE_FIELDS, type CountableField } from '../db/report-row.js';

export interface ConflictReport {
  id: string;
  year: number;
  quarter: number | null;
  region: string;
  incidentType: string;
  victimGender: string;
  victimNationality: string;
  victimAgeBand: string;
  perpetratorType: string;
  outcome: string | null;
}
export interface Conflict {
  tag: string;
  differ: CountableField[];
  chosenReportId: string | null;
  reports: ConflictReport[];
}

const HEX64 = /^[0-9a-f]{64}$/;

/**
 * Tags in conflict after `cursor`, in order, at most `limit`. Candidates (tags whose active reports
 * disagree at all) are read in tag order from the counting index alone, a batch at a time; only
 * those are looked at again with the members' state, by tag. So a page reads about as much of the
 * index as it covers, not the whole table.
 */
async function conflictTags(db: StoreData, cursor: string | undefined, limit: number): Promise<string[]> {
  if (cursor !== undefined && !HEX64.test(cursor)) throw new AppError('invalid_query');
  if (!Number.isInteger(limit) || limit < 1) throw new AppError('invalid_query');
  const found: string[] = [];
  let after = cursor;
  while (found.length < limit) {
    const candidates = await db.conflicts.candidateTags(after, limit);
    if (candidates.length === 0) break;
    found.push(...(await db.conflicts.confirmTags(candidates)));
    if (candidates.length < limit) break;
    after = candidates[candidates.length - 1];
  }
  return found.slice(0, limit);
}

function differing(reports: ConflictReport[]): CountableField[] {
  return COUNTABLE_FIELDS.filter((f) => new Set(reports.map((r) => r[f])).size > 1);
}

export function listConflicts(
  ctx: ServiceContext,
  auth: Auth,
  page: { cursor?: string; limit: number },
): Promise<{ items: Conflict[]; nextCursor: string | null }> {
  return ctx.db.signed(nonceRow(auth), async (tx) => {
    const tags = await conflictTags(tx, page.cursor, page.limit + 1);
    const more = tags.length > page.limit;
    const shown = tags.slice(0, page.limit);
    if (shown.length === 0) return { items: [], nextCursor: null };
    const rows = await tx.conflicts.countedUnder(shown);
    const choices = await tx.conflicts.choices(shown);
    const chosen = new Map(choices.map((c) => [c.tag, c.reportId]));
    const byTag = new Map<string, ConflictReport[]>(shown.map((t) => [t, []]));
    for (const { dedupeTag, ...report } of rows) byTag.get(dedupeTag!)?.push(report);
    const items = shown
      .map((tag) => {
        const reports = byTag.get(tag)!;
        const choice = chosen.get(tag);
        return { tag, differ: differing(reports), chosenReportId: choice && reports.some((r) => r.id === choice) ? choice : null, reports };
      })
      .filter((c) => c.differ.length > 0); // (on PostgreSQL a withdrawal may land between the two reads)
    return { items, nextCursor: more ? shown[shown.length - 1]! : null };
  });
}

export function resolveConflict(ctx: ServiceContext, auth: Auth, tag: string, reportId: string): Promise<{ tag: string; reportId: string }> {
  return ctx.db.signed(nonceRow(auth), async (tx) => {
    if (!(await tx.conflicts.isCountedUnder(reportId, tag))) throw new AppError('dedupe_choice_invalid');
    await tx.conflicts.setChoice(tag, reportId);
    return { tag, reportId };
  });
}

/**
 * The steward's choices that apply now: dedupe tag → the id of the report whose values count.
 * A choice is left out when its report is no longer active, no longer under that tag, or of a
 * member whose reports do not count. Pass the transaction the counting runs in, so both read the
 * same state.
 */
export async function dedupeChoices(ctx: ServiceContext, tx?: StoreTx): Promise<Map<string, string>> {
  const db: StoreData = tx ?? ctx.db;
  // Choices are few (one per tag the steward resolved): read them, then their reports by id.
  const choices = await db.conflicts.choices();
  if (choices.length === 0) return new Map();
  const live = await db.conflicts.countedTags(choices.map((c) => c.reportId));
  const tagOf = new Map(live.map((r) => [r.id, r.dedupeTag]));
  return new Map(choices.filter((c) => tagOf.get(c.reportId) === c.tag).map((c) => [c.tag, c.reportId]));
}
