// components.ts — splits the attacker's system of equations into independent parts.
//
// Guarantees:
// - Published cells are constants; a constraint couples the suppressed cells it contains. Two
//   suppressed cells are in the same component iff a chain of constraints, each containing at
//   least two suppressed cells, links them (union-find). A constraint containing exactly one
//   suppressed cell belongs to that cell's component (it pins the cell).
// - Every constraint that mentions a suppressed cell is attached to exactly one component, so
//   the attacker LP of the whole release is the direct product of the component LPs: minimising
//   or maximising a cell over its component alone gives exactly the same value as over all cells.
// - Components are listed in ascending order of their smallest cell id; their cell and constraint
//   lists are ascending. Deterministic and pure.
import type { Structure } from './structure.js';

export interface RawComponent {
  /** Suppressed cell ids, ascending. */
  cells: number[];
  /** Ids of the constraints that mention at least one of these cells, ascending. */
  cons: number[];
}

export function rawComponents(s: Structure, suppressed: Uint8Array): RawComponent[] {
  const parent = new Int32Array(s.n);
  for (let i = 0; i < s.n; i++) parent[i] = i;
  const find = (x: number): number => {
    while (parent[x] !== x) {
      parent[x] = parent[parent[x]!]!;
      x = parent[x]!;
    }
    return x;
  };
  for (let j = 0; j < s.m; j++) {
    let first = -1;
    for (let q = s.conStart[j]!; q < s.conStart[j + 1]!; q++) {
      const c = s.conCells[q]!;
      if (!suppressed[c]) continue;
      if (first < 0) first = c;
      else {
        const a = find(first);
        const b = find(c);
        if (a !== b) parent[Math.max(a, b)] = Math.min(a, b);
      }
    }
  }
  const compOf = new Int32Array(s.n).fill(-1);
  const comps: RawComponent[] = [];
  for (let i = 0; i < s.n; i++) {
    if (!suppressed[i]) continue;
    const r = find(i);
    let ci = compOf[r]!;
    if (ci < 0) {
      ci = comps.length;
      compOf[r] = ci;
      comps.push({ cells: [], cons: [] });
    }
    compOf[i] = ci;
    comps[ci]!.cells.push(i);
  }
  for (let j = 0; j < s.m; j++) {
    for (let q = s.conStart[j]!; q < s.conStart[j + 1]!; q++) {
      const c = s.conCells[q]!;
      if (suppressed[c]) {
        comps[compOf[c]!]!.cons.push(j);
        break;
      }
    }
  }
  return comps;
}
