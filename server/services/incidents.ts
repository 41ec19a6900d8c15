// incidents.ts — what is counted: incidents from reports, for the current data and for any data
// version recorded earlier.
//
// Rules (the current data):
//   - only active reports (not withdrawn, not superseded) of members that are not excluded
//     (revoked or quarantined by the steward) count;
//   - a report without a dedupe tag is one incident; reports sharing a tag are ONE incident,
//     counted with the values of one of them, its representative, chosen in this order:
//       1. the report the steward chose for that tag (a resolved conflict), if still active;
//       2. the report that represented the tag in the latest data version of a year (so a report
//          added later under the same tag — a duplicate, or a member's attempt to move someone
//          else's incident — never changes how a counted incident is counted);
//       3. otherwise the smallest rank HMAC(secret, tag ‖ organisation) ‖ HMAC(secret, reportHash):
//          one draw per member organisation (all its keys together: organisations.ts), under a
//          secret no member has, so no member can choose which report wins by making many
//          reports, grinding report ids or using several keys;
//   - the incident belongs to its representative's year;
//   - every counted report belongs to the year it states (its own year), whichever incident it
//     joined: a year's state is its incidents and every counted report of that year (the data
//     version's report list, the Merkle leaves of a release). An incident's reports and members
//     are those of its own year; a report joined to an incident of another year is `extra` in its
//     own year. So what a member learns from its own reports (proofs, which year's version moved)
//     never depends on whether another member had reported the same incident (issue 15);
//   - an incident's `members` are organisations (a key's `holder`), not keys;
//   - what a member `filed` (filedOf): its items as it sees them, one per tag and values, whether
//     or not they joined an incident already counted (for the disclosure model).
// A recorded version (DataVersion) is rebuilt from its stored report ids and representatives, so
// it counts exactly what it counted when it was recorded, whatever happened to the reports since.
//
// Guarantees: deterministic for the same reports, choices, versions and secret; `digestOf` changes
// exactly when a year's representatives or its reports change; `sinceOf` is "additions" exactly
// when every incident of the earlier version is still counted, with the same values, and every
// report of the earlier version is still counted.
import { createHash, createHmac } from 'node:crypto';
import type { Key } from '../disclosure/types.js';
import { dedupeRank } from './server-secrets.js';

/** Every dimension an incident is counted by (besides `year`). */
export const COUNTED_DIMENSIONS = [
  'quarter',
  'region',
  'incidentType',
  'victimGender',
  'victimNationality',
  'victimAgeBand',
  'perpetratorType',
  'outcome',
] as const;

export interface ReportFacts {
  id: string;
  memberKeyId: string;
  /** The organisation of the member key (organisations.ts); absent: the key is its own. */
  holder?: string;
  dedupeTag: string | null;
  reportHash: string;
  status: string;
  year: number;
  /** Code of every counted dimension (null quarter → "unknown", null outcome → "not-applicable"). */
  key: Key;
}

export interface Incident {
  /** The dedupe tag, or the report id of an untagged report. */
  id: string;
  year: number;
  key: Key;
  representative: string;
  reports: string[];
  /** The organisations (holders) that reported it. */
  members: string[];
  hashes: string[];
}

/** The organisation a report's key belongs to: what the holdings rule and the draw go by. */
export const holderOf = (r: ReportFacts): string => r.holder ?? r.memberKeyId;

/** A year's counted state: its incidents, and its reports counted under another year's incident. */
export interface YearState {
  incidents: Incident[];
  extra: ReportFacts[];
}

export interface CountingRules {
  /** Members whose reports do not count (revoked or quarantined). */
  excluded: ReadonlySet<string>;
  /** The steward's choice of report per conflicting tag. */
  choices: ReadonlyMap<string, string>;
  /** Representatives of the latest data version of every year. */
  sticky: ReadonlySet<string>;
  /** Server secret of the rank (never known to members). */
  secret: Uint8Array;
}

export function codeOf(dim: string, v: unknown): string {
  if (v === null || v === undefined) return dim === 'outcome' ? 'not-applicable' : 'unknown';
  return String(v);
}

/** The second draw, among one member's own reports under a tag: keyed by the report's hash. */
const tieRank = (secret: Uint8Array, r: ReportFacts): string => createHmac('sha256', secret).update(r.reportHash).digest('hex');

/**
 * The report of smallest rank `dedupeRank(tag, member) ‖ tieRank(report)` in a group of reports
 * under one tag: one draw per member (server-secrets.ts), and among one member's own reports a
 * second keyed draw. Both parts are 64 hex digits, so comparing the first and, on a tie, the
 * second is comparing the whole rank; the second is computed only for ties, and a group of one
 * needs no draw at all.
 */
export function lowestRanked(secret: Uint8Array, group: readonly ReportFacts[]): ReportFacts {
  let rep = group[0]!;
  if (group.length === 1) return rep;
  const byMember = new Map<string, string>();
  const first = (r: ReportFacts): string => {
    const h = holderOf(r);
    let v = byMember.get(h);
    if (v === undefined) byMember.set(h, (v = dedupeRank(secret, r.dedupeTag!, h)));
    return v;
  };
  let best = first(rep);
  let bestTie: string | undefined;
  for (let i = 1; i < group.length; i++) {
    const r = group[i]!;
    const f = first(r);
    if (f < best) {
      rep = r;
      best = f;
      bestTie = undefined;
    } else if (f === best) {
      bestTie ??= tieRank(secret, rep);
      const t = tieRank(secret, r);
      if (t < bestTie) {
        rep = r;
        bestTie = t;
      }
    }
  }
  return rep;
}

/** The incident of `rep`, with the reports of `group` stated in the same year (the others are returned in `other`). */
function incidentOf(id: string, rep: ReportFacts, group: readonly ReportFacts[], other?: ReportFacts[]): Incident {
  if (group.length === 1)
    return { id, year: rep.year, key: rep.key, representative: rep.id, reports: [rep.id], members: [holderOf(rep)], hashes: [rep.reportHash] };
  if (group.some((r) => r.year !== rep.year)) {
    other?.push(...group.filter((r) => r.year !== rep.year));
    group = group.filter((r) => r.year === rep.year);
  }
  return {
    id,
    year: rep.year,
    key: rep.key,
    representative: rep.id,
    reports: group.map((r) => r.id).sort(),
    members: [...new Set(group.map(holderOf))].sort(),
    hashes: group.map((r) => r.reportHash).sort(),
  };
}

/** The counted state of the current data, by year. */
export function currentIncidents(reports: Iterable<ReportFacts>, rules: CountingRules): Map<number, YearState> {
  const groups = new Map<string, ReportFacts[]>();
  const out = new Map<number, YearState>();
  const stateOf = (year: number): YearState => {
    let st = out.get(year);
    if (!st) out.set(year, (st = { incidents: [], extra: [] }));
    return st;
  };
  const push = (inc: Incident): void => void stateOf(inc.year).incidents.push(inc);
  const other: ReportFacts[] = [];
  for (const r of reports) {
    if (r.status !== 'active' || rules.excluded.has(r.memberKeyId)) continue;
    if (r.dedupeTag === null) {
      push(incidentOf(r.id, r, [r]));
      continue;
    }
    let g = groups.get(r.dedupeTag);
    if (!g) groups.set(r.dedupeTag, (g = []));
    g.push(r);
  }
  for (const [tag, group] of groups) {
    const chosen = rules.choices.get(tag);
    let rep = chosen !== undefined ? group.find((r) => r.id === chosen) : undefined;
    rep ??= group.find((r) => rules.sticky.has(r.id));
    rep ??= lowestRanked(rules.secret, group);
    push(incidentOf(tag, rep, group, other));
  }
  for (const r of other) stateOf(r.year).extra.push(r);
  for (const st of out.values()) {
    st.incidents.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    st.extra.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  }
  return out;
}

/** The counted state of a recorded version, from its stored report ids and representatives. */
export function versionIncidents(byId: ReadonlyMap<string, ReportFacts>, reportIds: readonly string[], representatives: readonly string[]): YearState {
  const byTag = new Map<string, ReportFacts[]>();
  const inIncident = new Set<string>();
  const lookUp = (id: string): ReportFacts => {
    const r = byId.get(id);
    if (!r) throw new Error(`a recorded data version refers to a report that no longer exists (${id})`);
    return r;
  };
  for (const id of reportIds) {
    const r = lookUp(id);
    if (r.dedupeTag === null) continue;
    let g = byTag.get(r.dedupeTag);
    if (!g) byTag.set(r.dedupeTag, (g = []));
    g.push(r);
  }
  const incidents = representatives
    .map((id) => {
      const rep = lookUp(id);
      const inc = rep.dedupeTag === null ? incidentOf(rep.id, rep, [rep]) : incidentOf(rep.dedupeTag, rep, byTag.get(rep.dedupeTag) ?? [rep]);
      for (const r of inc.reports) inIncident.add(r);
      return inc;
    })
    .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  // Versions recorded before reports were kept in their own year hold no extra reports.
  const extra = reportIds.filter((id) => !inIncident.has(id)).map(lookUp);
  return { incidents, extra };
}

/** Every report of a year's state (the version's report list; their hashes are the Merkle leaves). */
export function reportsOf(state: YearState): string[] {
  return [...state.incidents.flatMap((i) => i.reports), ...state.extra.map((r) => r.id)];
}

/** Identifies a year's counted state: its representatives and all its reports. */
export function digestOf(state: YearState): string {
  const h = createHash('sha256');
  for (const id of state.incidents.map((i) => i.representative).sort()) h.update(id);
  h.update('|');
  for (const id of reportsOf(state).sort()) h.update(id);
  return h.digest('hex');
}

/** "additions" when every incident of `before` is still counted in `after` with the same values, and every report of `before` still counts. */
export function sinceOf(before: YearState, after: YearState): 'additions' | 'changes' {
  const now = new Map(after.incidents.map((i) => [i.id, JSON.stringify(i.key)]));
  for (const i of before.incidents) if (now.get(i.id) !== JSON.stringify(i.key)) return 'changes';
  const still = new Set(reportsOf(after));
  for (const id of reportsOf(before)) if (!still.has(id)) return 'changes';
  return 'additions';
}

/**
 * What members filed in a year's state, as they see it: one item per dedupe tag (or untagged
 * report) and values, with every member that filed a report of it with those values. A member
 * knows its own items, not whether they joined an incident already counted: the disclosure model
 * keeps every "additions" change able to reach what one or two members filed anew in it.
 */
export function filedOf(state: YearState, byId: ReadonlyMap<string, ReportFacts>): Incident[] {
  const items = new Map<string, { first: ReportFacts; members: Set<string> }>();
  const spelled = new Map<object, string>(); // counting shares one key object among equal values
  const add = (r: ReportFacts): void => {
    let values = spelled.get(r.key);
    if (values === undefined) spelled.set(r.key, (values = JSON.stringify(r.key)));
    const id = `${r.dedupeTag ?? r.id}\u0000${values}`;
    const it = items.get(id);
    if (it) it.members.add(holderOf(r));
    else items.set(id, { first: r, members: new Set([holderOf(r)]) });
  };
  for (const i of state.incidents) for (const id of i.reports) add(byId.get(id)!);
  for (const r of state.extra) add(r);
  return [...items.values()].map(({ first: r, members }) => ({
    id: r.id,
    year: r.year,
    key: r.key,
    representative: r.id,
    reports: [r.id],
    members: [...members].sort(),
    hashes: [r.reportHash],
  }));
}

/** 16-byte packing of UUIDs (sorted), and back. */
export function packIds(ids: readonly string[]): Uint8Array<ArrayBuffer> {
  const sorted = [...ids].sort();
  const out = new Uint8Array(new ArrayBuffer(sorted.length * 16));
  sorted.forEach((id, i) => out.set(Buffer.from(id.replace(/-/g, ''), 'hex'), i * 16));
  return out;
}

export function unpackIds(bytes: Uint8Array): string[] {
  const out: string[] = [];
  for (let i = 0; i < bytes.length; i += 16) {
    const h = Buffer.from(bytes.subarray(i, i + 16)).toString('hex');
    out.push(`${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`);
  }
  return out;
}
