// hold-back.ts — which years a release with holdBack "auto" keeps at the data version the series'
// previous release published (issue 14, item 6: revisions that keep the headline).
//
// Rule: a year is held back when a headline figure the previous release of the series published
// — the year's total, the year's total per incident type, the total over the release's years —
// changed since by an amount c with |c| in 1..k+p−1, or with |c − d| in 1..k+p−1 for the net
// change d of some member organisation (or two together: the holdings rule's coalitions) in it:
// d = the incidents added since that it reported, minus those removed that it had reported. An
// incident counted before and still counted adds nothing to d, even if the member's report joined
// it since: so a member that files under a guessed dedupe tag gets the same decision whether its
// report joined an incident already counted or made a new one (the dedupe oracle of issue 15).
// Decided from those changes alone, never from the suppression pattern, so the bit it publishes
// ("held back") says only that some headline's change (or what the others changed) lies in
// 1..k+p−1 — an interval of width ≥ p reaching k — and "not held back" that every one is 0 or at
// least k+p in size: neither narrows a change of 1..k−1 (docs/release-format.md). A year held
// back publishes its earlier version; a headline whose change is large may still be hidden (as a
// secondary cell): it is then published hidden rather than held.
//
// Guarantees: pure; looks only at years whose counted data changed since the previous release.
import { addIncident, coalitionNets, type Holdings } from '../disclosure/global/coalitions.js';
import type { Incident } from './incidents.js';

/** A headline key of a manifest cell: every dimension "*" but year and incident type, and no type without a year. */
export const isHeadline = (key: Record<string, string>): boolean =>
  Object.entries(key).every(([d, v]) => v === '*' || d === 'year' || d === 'incidentType') &&
  (key.incidentType === undefined || key.incidentType === '*' || key.year !== undefined);

export interface YearChange {
  year: number;
  /** The counted incidents at the previous release's version and now. */
  before: readonly Incident[];
  after: readonly Incident[];
}

interface Tally extends Holdings {
  count: number;
  byMember: Map<string, number>;
  byPair: Map<string, number>;
}

/** The incidents of `incidents` in the headline's cell (`type`, or every type) whose id `other` lacks. */
function tally(incidents: readonly Incident[], type: string | undefined, other: readonly Incident[]): Tally {
  const t: Tally = { count: 0, byMember: new Map(), byPair: new Map() };
  const inCell = (i: Incident) => type === undefined || type === '*' || i.key.incidentType === type;
  const there = new Set(other.filter(inCell).map((i) => i.id));
  for (const i of incidents) {
    if (!inCell(i) || there.has(i.id)) continue;
    t.count++;
    addIncident(t.byMember, t.byPair, i.members);
  }
  return t;
}

/** Sums tallies of several years (members' and pairs' counts add up like counts). */
function sum(ts: readonly Tally[]): Tally {
  const out: Tally = { count: 0, byMember: new Map(), byPair: new Map() };
  for (const t of ts) {
    out.count += t.count;
    for (const [m, n] of t.byMember) out.byMember.set(m, (out.byMember.get(m) ?? 0) + n);
    for (const [p, n] of t.byPair) out.byPair.set(p, (out.byPair.get(p) ?? 0) + n);
  }
  return out;
}

/** Is a headline's change (or what the others changed, for some coalition) in 1..limit−1 in size? `removed`, `added`: the incidents that went and came. */
function closeToZero(removed: Tally, added: Tally, limit: number, coalition: number): boolean {
  const c = added.count - removed.count;
  const near = (x: number) => Math.abs(x) >= 1 && Math.abs(x) < limit;
  if (near(c)) return true;
  return coalitionNets(removed, added, coalition).some((d) => near(c - d));
}

/**
 * The years to hold back. `headlines`: the keys of the headline cells the previous release
 * published (with a count); `changed`: each year whose data changed since it; `limit`: k + p.
 */
export function yearsToHold(headlines: ReadonlyArray<Record<string, string>>, changed: readonly YearChange[], limit: number, coalition: number): number[] {
  const hold = new Set<number>();
  const tallies = (type: string | undefined) =>
    changed.map((y) => ({ year: y.year, before: tally(y.before, type, y.after), after: tally(y.after, type, y.before) }));
  for (const key of headlines) {
    const type = key.incidentType;
    const ts = tallies(type);
    if (key.year !== undefined && key.year !== '*') {
      const y = ts.find((x) => x.year === Number(key.year));
      if (y && closeToZero(y.before, y.after, limit, coalition)) hold.add(y.year);
    } else if (ts.length > 0 && closeToZero(sum(ts.map((x) => x.before)), sum(ts.map((x) => x.after)), limit, coalition)) {
      for (const y of ts) hold.add(y.year);
    }
  }
  return [...hold].sort((a, b) => a - b);
}
