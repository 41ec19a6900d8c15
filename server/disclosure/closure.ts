// closure.ts — "singleton + partner": no constraint may hold exactly one suppressed cell.
//
// A constraint (a line of a table: a total and its parts) with a single suppressed cell pins it
// (total minus the published parts). This pass adds, for every such constraint, the cheapest
// partner among its published cells, until no constraint has exactly one suppressed cell.
//
// Partner choice (deterministic, lowest score, ties by cell id):
//   score = cost/W                       (one unit per cell, plus a value tie-break)
//         + 0.6 · (constraints of the candidate with no suppressed cell yet — each would become
//                  a new singleton needing its own partner)
//         − 0.6 · (constraints of the candidate that currently hold exactly one suppressed cell —
//                  adding it closes them too; this is what closes rectangles and cubes)
//         + 2   if the suppressed cell is sensitive, the candidate is a sibling part (it moves
//               opposite to it) and its value cannot absorb the upward move the rule needs
//               (value < max(protection, k) − value of the sensitive cell).
//
// Guarantees: terminates (each step suppresses a new cell; at worst every cell); on return no
// constraint has exactly one suppressed cell; never un-suppresses anything; deterministic.
import type { Structure } from './structure.js';

export function closeSingletons(s: Structure, suppressed: Uint8Array, sensitive: Uint8Array, cost: Float64Array, W: number, need: number): number[] {
  const cnt = new Int32Array(s.m);
  for (let j = 0; j < s.m; j++) {
    let c = 0;
    for (let q = s.conStart[j]!; q < s.conStart[j + 1]!; q++) if (suppressed[s.conCells[q]!]) c++;
    cnt[j] = c;
  }
  const added: number[] = [];
  let changed = true;
  while (changed) {
    changed = false;
    for (let j = 0; j < s.m; j++) {
      if (cnt[j] !== 1) continue;
      const s0 = s.conStart[j]!;
      const s1 = s.conStart[j + 1]!;
      let single = -1;
      let singleIsTotal = false;
      for (let q = s0; q < s1; q++) {
        if (suppressed[s.conCells[q]!]) {
          single = s.conCells[q]!;
          singleIsTotal = q === s0;
        }
      }
      const required = sensitive[single] ? Math.max(0, need - s.values[single]!) : 0;
      let best = -1;
      let bestScore = Infinity;
      for (let q = s0; q < s1; q++) {
        const cand = s.conCells[q]!;
        if (suppressed[cand]) continue;
        let score = cost[cand]! / W;
        for (let e = s.incStart[cand]!; e < s.incStart[cand + 1]!; e++) {
          const j2 = s.incCons[e]!;
          if (j2 === j) continue;
          if (cnt[j2] === 0) score += 0.6;
          else if (cnt[j2] === 1) score -= 0.6;
        }
        const sibling = !singleIsTotal && q !== s0;
        if (sibling && s.values[cand]! < required) score += 2;
        if (score < bestScore) {
          bestScore = score;
          best = cand;
        }
      }
      if (best < 0) continue; // cannot happen: cnt[j] === 1 and the constraint has ≥ 2 cells
      suppressed[best] = 1;
      added.push(best);
      for (let e = s.incStart[best]!; e < s.incStart[best + 1]!; e++) cnt[s.incCons[e]!]!++;
      changed = true;
    }
  }
  return added;
}
