// hold-back.ts — which years a release with holdBack "auto" (or a DP release with an exact total)
// keeps at an earlier data version (issue 14, item 6: revisions that keep the headline).
//
// Rule: a year is held back when, for a headline figure of the new publication (the year's
// total, the year's total per incident type, in any table: over one year a table's total is the
// year's) and for ANY data version of that year at which any publication of the log showed that
// figure exactly (a suppression cell published, or a DP release's exact total), the change from
// that version to now is c with |c| in 1..k+p−1 (k and p the largest of the new publication and
// of every publication that showed the figure: the model protects it at the strictest), or
// |c − d| in 1..k+p−1 for the own change d of some member organisation (or two together: the
// holdings rule's coalitions). For the sum over the release's years, the series' previous release
// and every publication that showed the sum over the same years are compared, and every changed
// year is held. (releases.ts `heldYears` gathers the comparisons; this module decides.)
// Changes are counted AS FILED: the counted reports stated in the cell that came, minus those that
// went, each report one (a report that joined an incident already counted counts as much as one
// that made a new incident), and d is the same for the reports of that organisation. So:
//   - the decision is one function of the data and the whole log, the same for every series that
//     shows the figure (the bits of several series at different published values say no more than
//     one: "some exactly published value of it is 1..k+p−1 away");
//   - "held back" says that some such change lies in 1..k+p−1 (width ≥ p, reaching k), "not held
//     back" that each is 0 or at least k+p in size: neither narrows a change of 1..k−1;
//   - a member filing under a guessed dedupe tag gets the same decision whether or not its report
//     joined an incident already counted (the dedupe oracle of issue 15): its report counts one
//     in both worlds.
// The decision is from the changes, never from the suppression pattern. A year held back publishes
// its earlier version; a headline whose change is large may still be hidden as a secondary cell.
//
// Guarantees: pure.
import { addIncident, coalitionNets, type Holdings } from '../disclosure/global/coalitions.js';
import { holderOf, type ReportFacts } from './incidents.js';

/** A headline key of a manifest cell: every dimension "*" but year and incident type, and no type without a year. */
export const isHeadline = (key: Record<string, string>): boolean =>
  Object.entries(key).every(([d, v]) => v === '*' || d === 'year' || d === 'incidentType') &&
  (key.incidentType === undefined || key.incidentType === '*' || key.year !== undefined);

/** The counted reports of one year at two versions: one comparison of a headline. */
export interface Comparison {
  /** The headline (its year, or "*" / absent for the total over `years`). */
  key: Record<string, string>;
  /** Per year compared: the counted reports at the earlier version and now. */
  years: ReadonlyArray<{ year: number; before: readonly ReportFacts[]; after: readonly ReportFacts[] }>;
  /** k + p of the strictest publication that showed the headline, when above the new one's. */
  limit?: number;
}

interface Tally extends Holdings {
  count: number;
  byMember: Map<string, number>;
  byPair: Map<string, number>;
}

const empty = (): Tally => ({ count: 0, byMember: new Map(), byPair: new Map() });

/** Adds to `t` the reports of `reports` in the headline's cell (`type`, or every type) whose id `other` lacks. */
function tally(t: Tally, reports: readonly ReportFacts[], type: string | undefined, other: readonly ReportFacts[]): void {
  const there = new Set(other.map((r) => r.id));
  for (const r of reports) {
    if (there.has(r.id) || (type !== undefined && type !== '*' && r.key.incidentType !== type)) continue;
    t.count++;
    addIncident(t.byMember, t.byPair, [holderOf(r)]);
  }
}

/** Is the change (or what the others changed, for some coalition) 1..limit−1 in size? */
function closeToZero(c: Comparison, limit: number, coalition: number): boolean {
  const removed = empty();
  const added = empty();
  for (const y of c.years) {
    tally(removed, y.before, c.key.incidentType, y.after);
    tally(added, y.after, c.key.incidentType, y.before);
  }
  const change = added.count - removed.count;
  const near = (x: number) => Math.abs(x) >= 1 && Math.abs(x) < limit;
  return near(change) || coalitionNets(removed, added, coalition).some((d) => near(change - d));
}

/** The years to hold back: those of every comparison that fires. `limit`: k + p (a comparison's own, if larger). */
export function yearsToHold(comparisons: readonly Comparison[], limit: number, coalition: number): number[] {
  const hold = new Set<number>();
  for (const c of comparisons) if (closeToZero(c, Math.max(limit, c.limit ?? 0), coalition)) for (const y of c.years) hold.add(y.year);
  return [...hold].sort((a, b) => a - b);
}
