// differencing.ts — check 4: two consecutive releases of a series cannot be subtracted to single
// out fewer than k incidents (docs/release-format.md, "Guarantees" 5).
//
// Guarantees:
// - For every series and every pair of releases with sequences n−1 and n (both present with a
//   valid manifest), every quantity published in both (same set of non-"*" entries, whatever the
//   table) changed by 0 or by at least k of release n in absolute value; a change of 1 … k−1 is a
//   failure (differencing).
// - Releases whose method is not "suppression" are left out (their counts are not exact).
import type { Findings } from './findings.js';
import type { Manifest } from './format.js';
import { displayKey, identityOf } from './structure.js';

export interface DifferencingSummary {
  pairs: number;
  compared: number;
  violations: number;
}

function publishedCounts(m: Manifest): Map<string, number> {
  const out = new Map<string, number>();
  for (const t of m.tables) {
    for (const c of t.cells) {
      if (c.suppressed || c.count === null) continue;
      const id = identityOf(c.key);
      if (!out.has(id)) out.set(id, c.count);
    }
  }
  return out;
}

export function checkDifferencing(manifests: readonly Manifest[], findings: Findings): DifferencingSummary {
  const out: DifferencingSummary = { pairs: 0, compared: 0, violations: 0 };
  const bySeries = new Map<string, Map<number, Manifest[]>>();
  for (const m of manifests) {
    if (m.method !== 'suppression') continue;
    const s = bySeries.get(m.series) ?? new Map<number, Manifest[]>();
    bySeries.set(m.series, s);
    s.set(m.sequence, [...(s.get(m.sequence) ?? []), m]);
  }
  for (const seqs of bySeries.values()) {
    for (const [seq, currents] of [...seqs].sort(([a], [b]) => a - b)) {
      const previous = seqs.get(seq - 1);
      if (!previous) continue;
      for (const prev of previous) {
        const before = publishedCounts(prev);
        for (const cur of currents) {
          out.pairs++;
          for (const [id, now] of publishedCounts(cur)) {
            const was = before.get(id);
            if (was === undefined) continue;
            out.compared++;
            const d = Math.abs(now - was);
            const k = cur.k ?? 2; // suppression releases always carry k
            if (d >= 1 && d < k) {
              out.violations++;
              findings.add('differencing', { cell: displayKey(id), previous: was, current: now, change: now - was, k, from: prev.id }, cur.id);
            }
          }
        }
      }
    }
  }
  return out;
}
