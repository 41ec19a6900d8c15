// release-views.ts — turns what the server stores into the disclosure model's input: each log
// entry's manifest into a View (what the attacker holds), and counted incidents into records
// (what is true).
//
// Guarantees: a suppression entry gives every cell with its published count (null when hidden);
// a DP entry gives only its exact invariants (the grand total when `keepTotal`) — its noisy counts
// are not exact knowledge; records group incidents by their values, with how many of them each
// member reported and each two members both reported; `added` holds exactly the incidents of `after` absent from `before`.
import type { View } from '../disclosure/global/model.js';
import { addIncident } from '../disclosure/global/coalitions.js';
import type { IncidentRecord } from '../disclosure/global/truth.js';
import type { Incident } from './incidents.js';
import type { Manifest } from './releases.js';

export function viewOf(m: Manifest): View {
  const years = m.data.map((d) => d.year);
  const versions = Object.fromEntries(m.data.map((d) => [String(d.year), d.version]));
  const domains: Record<string, string[]> = {};
  for (const [d, codes] of Object.entries(m.domains)) if (d !== 'year') domains[d] = codes;
  const cells = m.tables.flatMap((t) =>
    t.cells.map((c) => {
      if (m.method !== 'dp') return { key: c.key, count: c.count };
      const isTotal = Object.values(c.key).every((v) => v === '*');
      return { key: c.key, count: isTotal && m.dp?.keepTotal ? c.count : null };
    }),
  );
  return {
    index: m.publication.index,
    series: m.series,
    tables: m.tables.map((t) => t.dimensions),
    years,
    versions,
    domains,
    hierarchies: m.hierarchies,
    k: m.k ?? 0,
    protection: m.protection ?? 0,
    cells,
    ...(m.method === 'dp' ? { dp: true } : {}),
  };
}

export function recordsOf(incidents: readonly Incident[]): IncidentRecord[] {
  const by = new Map<string, { key: Record<string, string>; count: number; byMember: Map<string, number>; byPair: Map<string, number> }>();
  // Counting shares one key object among reports with the same values: spell each object once.
  const spelled = new Map<object, string>();
  for (const inc of incidents) {
    let tag = spelled.get(inc.key);
    if (tag === undefined) spelled.set(inc.key, (tag = JSON.stringify(inc.key)));
    let r = by.get(tag);
    if (!r) by.set(tag, (r = { key: inc.key, count: 0, byMember: new Map(), byPair: new Map() }));
    r.count++;
    addIncident(r.byMember, r.byPair, inc.members);
  }
  return [...by.values()];
}

export function addedOf(before: readonly Incident[], after: readonly Incident[]): Incident[] {
  const had = new Set(before.map((i) => i.id));
  return after.filter((i) => !had.has(i.id));
}
