// truth.ts — true counts of the global model's quantities from counted incidents.
//
// A quantity's coordinates are a partial key over non-year dimensions, each code a leaf or a group
// code of the dimension's hierarchy. An incident record (one finest combination of leaf codes,
// with its number of incidents and, optionally, how many of them each member organisation
// reported) counts in every coordinates whose every code is the record's code or one of its
// ancestors.
//
// Guarantees: `aggregate` returns, for every requested coordinates, the exact sum of matching
// records (`value`) and, for every member that reported any of them, how many (`shares`, distinct
// values, largest first; empty without member data) — each member's "holdings" of the cell. Pure; cost proportional to
// records × (ancestor combinations over each coordinates signature), not records × coordinates.
// `byPair` (incidents two members both reported) is summed the same way, for coalitions.ts.
import type { Key } from '../types.js';

export interface IncidentRecord {
  /** Leaf code for every dimension (extra dimensions ignored). */
  readonly key: Readonly<Key>;
  readonly count: number;
  /** Incidents of this record each member reported (a member counts once per incident). */
  readonly byMember?: ReadonlyMap<string, number>;
  /** Incidents of this record two members both reported (coalitions.ts `pairKey`; absent: none). */
  readonly byPair?: ReadonlyMap<string, number>;
}

export interface Truth {
  value: number;
  /** Distinct numbers of the cell's incidents that one member reported, largest first. */
  shares: number[];
  /** How many of the cell's incidents each member reported (absent without member data). */
  byMember?: ReadonlyMap<string, number>;
  /** How many of the cell's incidents each two members both reported (with byMember). */
  byPair?: ReadonlyMap<string, number>;
}

/** dim → code → its ancestors (groups containing it, nearest first); leaves without groups absent. */
export type Ancestry = ReadonlyMap<string, ReadonlyMap<string, readonly string[]>>;

/** Canonical id of a coordinates key (non-"*" entries sorted by dimension). */
export function coordsId(key: Readonly<Key>): string {
  return Object.keys(key)
    .filter((d) => key[d] !== '*')
    .sort()
    .map((d) => `${d}\u0001${key[d]}`)
    .join('\u0002');
}

export function aggregate(records: readonly IncidentRecord[], coords: ReadonlyMap<string, Readonly<Key>>, ancestry: Ancestry): Map<string, Truth> {
  // Group the wanted coordinates by their dimension signature.
  const bySig = new Map<string, { dims: string[]; ids: Set<string> }>();
  for (const [id, key] of coords) {
    const dims = Object.keys(key)
      .filter((d) => key[d] !== '*')
      .sort();
    const sig = dims.join('\u0002');
    let g = bySig.get(sig);
    if (!g) bySig.set(sig, (g = { dims, ids: new Set() }));
    g.ids.add(id);
  }
  const out = new Map<string, Truth>();
  const members = new Map<string, Map<string, number>>();
  const pairs = new Map<string, Map<string, number>>();
  for (const id of coords.keys()) out.set(id, { value: 0, shares: [] });
  const codesOf = (dim: string, leaf: string): readonly string[] => {
    const up = ancestry.get(dim)?.get(leaf);
    return up ? [leaf, ...up] : [leaf];
  };
  for (const r of records) {
    if (r.count === 0) continue;
    for (const { dims, ids } of bySig.values()) {
      const options = dims.map((d) => codesOf(d, String(r.key[d])));
      const pick = new Array<string>(dims.length);
      const rec = (i: number): void => {
        if (i === dims.length) {
          const id = dims.map((d, j) => `${d}\u0001${pick[j]}`).join('\u0002');
          if (!ids.has(id)) return;
          out.get(id)!.value += r.count;
          if (r.byMember) {
            let m = members.get(id);
            if (!m) members.set(id, (m = new Map()));
            for (const [who, n] of r.byMember) m.set(who, (m.get(who) ?? 0) + n);
            if (r.byPair) {
              let q = pairs.get(id);
              if (!q) pairs.set(id, (q = new Map()));
              for (const [two, n] of r.byPair) q.set(two, (q.get(two) ?? 0) + n);
            }
          }
          return;
        }
        for (const c of options[i]!) {
          pick[i] = c;
          rec(i + 1);
        }
      };
      rec(0);
    }
  }
  for (const [id, m] of members) {
    const t = out.get(id)!;
    t.shares = [...new Set(m.values())].sort((a, b) => b - a);
    t.byMember = m;
    t.byPair = pairs.get(id) ?? new Map();
  }
  return out;
}

/** Ancestry from hierarchies (dim → group → members; groups may nest). */
export function ancestryOf(hierarchies: ReadonlyArray<Readonly<Record<string, Readonly<Record<string, readonly string[]>>>>>): Ancestry {
  const parent = new Map<string, Map<string, string>>();
  for (const h of hierarchies) {
    for (const [dim, groups] of Object.entries(h)) {
      let p = parent.get(dim);
      if (!p) parent.set(dim, (p = new Map()));
      for (const [g, kids] of Object.entries(groups)) {
        if (g === '*') continue;
        for (const kid of kids) {
          const had = p.get(kid);
          if (had !== undefined && had !== g) throw new Error(`dimension ${dim}: ${kid} has two parents (${had}, ${g})`);
          p.set(kid, g);
        }
      }
    }
  }
  const out = new Map<string, Map<string, string[]>>();
  for (const [dim, p] of parent) {
    const m = new Map<string, string[]>();
    for (const code of p.keys()) {
      const chain: string[] = [];
      for (let x = p.get(code); x !== undefined; x = p.get(x)) {
        if (chain.includes(x)) throw new Error(`dimension ${dim}: cyclic hierarchy at ${x}`);
        chain.push(x);
      }
      m.set(code, chain);
    }
    out.set(dim, m);
  }
  return out;
}
