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
//       3. otherwise the smallest rank HMAC(secret, tag ‖ member) ‖ HMAC(secret, reportHash): one
//          draw per member organisation, under a secret no member has, so no member can choose
//          which report wins by making many reports or grinding report ids;
//   - the incident belongs to its representative's year; the members who reported it are every
//     member with an active report under its tag; its reports are all of them (Merkle leaves).
// A recorded version (DataVersion) is rebuilt from its stored report ids and representatives, so
// it counts exactly what it counted when it was recorded, whatever happened to the reports since.
//
// Guarantees: deterministic for the same reports, choices, versions and secret; `digest` changes
// exactly when the counted incidents of a year (their representatives or their reports) change;
// `sinceOf` is "additions" exactly when every incident of the earlier version is still counted,
// with the same values.
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
  members: string[];
  hashes: string[];
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
    let v = byMember.get(r.memberKeyId);
    if (v === undefined) byMember.set(r.memberKeyId, (v = dedupeRank(secret, r.dedupeTag!, r.memberKeyId)));
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

function incidentOf(id: string, rep: ReportFacts, group: readonly ReportFacts[]): Incident {
  if (group.length === 1)
    return { id, year: rep.year, key: rep.key, representative: rep.id, reports: [rep.id], members: [rep.memberKeyId], hashes: [rep.reportHash] };
  return {
    id,
    year: rep.year,
    key: rep.key,
    representative: rep.id,
    reports: group.map((r) => r.id).sort(),
    members: [...new Set(group.map((r) => r.memberKeyId))].sort(),
    hashes: group.map((r) => r.reportHash).sort(),
  };
}

/** The incidents of the current data, by year. */
export function currentIncidents(reports: Iterable<ReportFacts>, rules: CountingRules): Map<number, Incident[]> {
  const groups = new Map<string, ReportFacts[]>();
  const out = new Map<number, Incident[]>();
  const push = (inc: Incident): void => {
    let l = out.get(inc.year);
    if (!l) out.set(inc.year, (l = []));
    l.push(inc);
  };
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
    push(incidentOf(tag, rep, group));
  }
  for (const l of out.values()) l.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  return out;
}

/** The incidents of a recorded version, from its stored report ids and representatives. */
export function versionIncidents(byId: ReadonlyMap<string, ReportFacts>, reportIds: readonly string[], representatives: readonly string[]): Incident[] {
  const byTag = new Map<string, ReportFacts[]>();
  for (const id of reportIds) {
    const r = byId.get(id);
    if (!r) throw new Error(`a recorded data version refers to a report that no longer exists (${id})`);
    if (r.dedupeTag === null) continue;
    let g = byTag.get(r.dedupeTag);
    if (!g) byTag.set(r.dedupeTag, (g = []));
    g.push(r);
  }
  return representatives
    .map((id) => {
      const rep = byId.get(id);
      if (!rep) throw new Error(`a recorded data version refers to a report that no longer exists (${id})`);
      return rep.dedupeTag === null ? incidentOf(rep.id, rep, [rep]) : incidentOf(rep.dedupeTag, rep, byTag.get(rep.dedupeTag) ?? [rep]);
    })
    .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

/** Identifies a year's counted state: its representatives and all their reports. */
export function digestOf(incidents: readonly Incident[]): string {
  const h = createHash('sha256');
  for (const id of incidents.map((i) => i.representative).sort()) h.update(id);
  h.update('|');
  for (const id of incidents.flatMap((i) => i.reports).sort()) h.update(id);
  return h.digest('hex');
}

/** "additions" when every incident of `before` is still counted in `after` with the same values. */
export function sinceOf(before: readonly Incident[], after: readonly Incident[]): 'additions' | 'changes' {
  const now = new Map(after.map((i) => [i.id, JSON.stringify(i.key)]));
  for (const i of before) if (now.get(i.id) !== JSON.stringify(i.key)) return 'changes';
  return 'additions';
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
