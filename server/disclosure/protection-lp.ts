// protection-lp.ts — repairs one under-protected cell by the cheapest "perturbations".
//
// An attacker cannot exclude a table x = v + f when f is a perturbation: every constraint holds
// for f, f is zero on published cells, and v + f ≥ 0. If suppressed cells admit an upward
// perturbation f with f_p ≥ u and a downward one g with g_p ≤ −l, the attacker interval of p
// contains [v_p − l, v_p + u]. For a cell p that fails the audit we solve, on a neighbourhood N
// of p, the LP (Fischetti–Salazar style linear relaxation of the cell-choice problem):
//
//   min Σ_{published i ∈ N} w_i (|f_i| + |g_i|)          (already-suppressed cells move for free)
//   s.t. for every constraint touching N:  Σ a·f = 0,  Σ a·g = 0   (cells outside N stay fixed)
//        f_i, g_i ≥ −v_i                                (no negative counts)
//        f_p ≥ u,  g_p ≤ −l,  u + l ≥ width,  u ≥ needUp,  0 ≤ l ≤ v_p
//
// with w_i the cell's cost per unit of movement (cost/W/width), and then suppress every published
// cell that moves. width/needUp encode the rule (sensitive: width = protection, needUp = k − v_p;
// a pinned secondary: width = 1).
//
// Guarantees: when it returns cells, suppressing them (with those already suppressed) makes f and
// g valid attacker solutions, so p's interval contains [v_p − l, v_p + u] (continuous LP sense; the
// final exact audit re-checks everything, including rounding). Returns null when no such
// perturbations exist inside N (the caller grows N or escalates). Deterministic.
import type { Highs } from 'highs';
import { solveOnce } from './lp.js';
import type { Structure } from './structure.js';

export interface Neighbourhood {
  /** Max number of cells. */
  cap: number;
  /** Published cells at depth < pubDepth are expanded (their constraints are added). */
  pubDepth: number;
  /** Suppressed cells at depth < maxDepth are expanded. */
  maxDepth: number;
}

export const NEIGHBOURHOODS: Neighbourhood[] = [
  { cap: 400, pubDepth: 1, maxDepth: 4 },
  { cap: 1500, pubDepth: 2, maxDepth: 6 },
  { cap: 6000, pubDepth: 3, maxDepth: 10 },
];

export function neighbourhood(s: Structure, p: number, suppressed: Uint8Array, nb: Neighbourhood): number[] {
  const depth = new Map<number, number>([[p, 0]]);
  const order = [p];
  for (let head = 0; head < order.length; head++) {
    const x = order[head]!;
    const d = depth.get(x)!;
    if (d >= (suppressed[x] ? nb.maxDepth : nb.pubDepth)) continue;
    for (let e = s.incStart[x]!; e < s.incStart[x + 1]!; e++) {
      const j = s.incCons[e]!;
      for (let q = s.conStart[j]!; q < s.conStart[j + 1]!; q++) {
        const y = s.conCells[q]!;
        if (depth.has(y)) continue;
        if (order.length >= nb.cap) return order;
        depth.set(y, d + 1);
        order.push(y);
      }
    }
  }
  return order;
}

export interface Requirement {
  width: number;
  needUp: number;
}

/** Returns the published cells to suppress so that p meets `req`, or null if impossible in N. */
export function protectionCells(highs: Highs, s: Structure, p: number, suppressed: Uint8Array, cost: Float64Array, W: number, req: Requirement, nb: Neighbourhood): { cells: number[]; solves: number } | null {
  const N = neighbourhood(s, p, suppressed, nb);
  const pos = new Map<number, number>();
  N.forEach((c, i) => pos.set(c, i));
  // Column layout per perturbation (f then g): suppressed cell → 1 column (free move ≥ −v);
  // published cell → 2 columns (up ≥ 0, down ∈ [0, v]).
  const colLower: number[] = [];
  const colUpper: number[] = [];
  const colCost: number[] = [];
  const first: number[][] = [[], []]; // first column of cell i in perturbation t
  for (let t = 0; t < 2; t++) {
    for (const c of N) {
      first[t]!.push(colLower.length);
      const v = s.values[c]!;
      if (suppressed[c]) {
        colLower.push(-v);
        colUpper.push(Infinity);
        colCost.push(0);
      } else {
        const w = cost[c]! / W / req.width;
        colLower.push(0, 0);
        colUpper.push(Infinity, v);
        colCost.push(w, w);
      }
    }
  }
  const uCol = colLower.length;
  colLower.push(req.needUp);
  colUpper.push(Infinity);
  colCost.push(0);
  const lCol = colLower.length;
  colLower.push(0);
  colUpper.push(s.values[p]!);
  colCost.push(0);

  const rowStart: number[] = [0];
  const rowIndex: number[] = [];
  const rowValue: number[] = [];
  const rowLower: number[] = [];
  const rowUpper: number[] = [];
  const seen = new Set<number>();
  const cons: number[] = [];
  for (const c of N) {
    for (let e = s.incStart[c]!; e < s.incStart[c + 1]!; e++) {
      const j = s.incCons[e]!;
      if (!seen.has(j)) {
        seen.add(j);
        cons.push(j);
      }
    }
  }
  cons.sort((a, b) => a - b);
  for (let t = 0; t < 2; t++) {
    for (const j of cons) {
      for (let q = s.conStart[j]!; q < s.conStart[j + 1]!; q++) {
        const c = s.conCells[q]!;
        const i = pos.get(c);
        if (i === undefined) continue;
        const a = q === s.conStart[j] ? 1 : -1;
        const col = first[t]![i]!;
        if (suppressed[c]) {
          rowIndex.push(col);
          rowValue.push(a);
        } else {
          rowIndex.push(col, col + 1);
          rowValue.push(a, -a);
        }
      }
      rowLower.push(0);
      rowUpper.push(0);
      rowStart.push(rowIndex.length);
    }
  }
  const pf = first[0]![0]!; // p is N[0] and suppressed
  const pg = first[1]![0]!;
  // f_p − u ≥ 0
  rowIndex.push(pf, uCol);
  rowValue.push(1, -1);
  rowLower.push(0);
  rowUpper.push(Infinity);
  rowStart.push(rowIndex.length);
  // g_p + l ≤ 0
  rowIndex.push(pg, lCol);
  rowValue.push(1, 1);
  rowLower.push(-Infinity);
  rowUpper.push(0);
  rowStart.push(rowIndex.length);
  // u + l ≥ width
  rowIndex.push(uCol, lCol);
  rowValue.push(1, 1);
  rowLower.push(req.width);
  rowUpper.push(Infinity);
  rowStart.push(rowIndex.length);

  const r = solveOnce(
    highs,
    {
      numCols: colLower.length,
      colLower: Float64Array.from(colLower),
      colUpper: Float64Array.from(colUpper),
      rowStart,
      rowIndex,
      rowValue,
      rowLower,
      rowUpper,
    },
    Float64Array.from(colCost),
    false,
  );
  if (r.status !== 'optimal') return null;
  const out: number[] = [];
  N.forEach((c, i) => {
    if (suppressed[c]) return;
    let move = 0;
    for (let t = 0; t < 2; t++) {
      const col = first[t]![i]!;
      move += r.x[col]! + r.x[col + 1]!;
    }
    if (move > 1e-7) out.push(c);
  });
  out.sort((a, b) => a - b);
  return { cells: out, solves: 1 };
}
