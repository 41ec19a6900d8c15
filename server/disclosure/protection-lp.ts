// protection-lp.ts — repairs one under-protected cell with the cheapest upward "perturbation".
//
// An attacker cannot exclude a table x = v + f when f is a perturbation: every constraint holds
// for f, f is zero on published cells, and v + f ≥ 0. If the suppressed cells admit a perturbation
// f with f_p ≥ u, the attacker's maximum of p is at least v_p + u. The audit already certified how
// far p can go DOWN (its inner lower bound lo_in, from a feasible point), so p meets the rule once
//   u ≥ max(k − v_p, protection − (v_p − lo_in))          (hi ≥ k and hi − lo ≥ protection)
// (a non-sensitive pinned cell needs u ≥ 1). For a cell p failing the audit we solve, on a
// neighbourhood N of p, the LP (the linear relaxation of "choose the cheapest cells to suppress",
// as in Fischetti & Salazar's heuristics):
//
//   min Σ_{published i ∈ N} w_i·|f_i|          (already-suppressed cells move for free)
//   s.t. for every constraint touching N:  Σ a·f = 0   (cells outside N stay fixed)
//        f_i ≥ −v_i                          (no negative counts)
//        f_p ≥ u
//
// with w_i the cell's cost per unit of movement (cost/W/u), and suppress every published cell
// that moves.
//
// Guarantees: when it returns cells, suppressing them (with those already suppressed) makes f a
// valid attacker solution, so p's maximum is ≥ v_p + u (continuous LP sense; rounding and
// everything else are re-checked by the exact audit). `moved` reports every cell f moves, with how
// far, so callers can certify those cells too. Returns null when no such perturbation exists
// inside N (the caller grows N or escalates). Deterministic.
import type { Highs } from 'highs';
import { solveOnce } from './lp.js';
import type { Structure } from './structure.js';

export interface Neighbourhood {
  /** Max number of cells. */
  cap: number;
  /** Published cells are expanded while fewer than this many published steps from a suppressed cell. */
  pubHops: number;
  /** Max BFS depth from p. */
  maxDepth: number;
}

export const NEIGHBOURHOODS: Neighbourhood[] = [
  { cap: 300, pubHops: 1, maxDepth: 4 },
  { cap: 900, pubHops: 1, maxDepth: 6 },
  { cap: 2500, pubHops: 2, maxDepth: 8 },
  { cap: 8000, pubHops: 3, maxDepth: 12 },
];

/**
 * Cells reachable from p through constraints (BFS, ascending ids within a constraint): every
 * suppressed cell is expanded, a published cell only when it is fewer than `pubHops` published
 * steps away from a suppressed one (it can then be balanced in its other constraints).
 */
export function neighbourhood(s: Structure, p: number, suppressed: Uint8Array, nb: Neighbourhood): number[] {
  const depth = new Map<number, number>([[p, 0]]);
  const hops = new Map<number, number>([[p, 0]]);
  const order = [p];
  for (let head = 0; head < order.length; head++) {
    const x = order[head]!;
    const d = depth.get(x)!;
    const h = hops.get(x)!;
    if (d >= nb.maxDepth || h >= nb.pubHops + 1) continue;
    if (!suppressed[x] && h >= nb.pubHops) continue;
    for (let e = s.incStart[x]!; e < s.incStart[x + 1]!; e++) {
      const j = s.incCons[e]!;
      for (let q = s.conStart[j]!; q < s.conStart[j + 1]!; q++) {
        const y = s.conCells[q]!;
        if (depth.has(y)) continue;
        if (order.length >= nb.cap) return order;
        depth.set(y, d + 1);
        hops.set(y, suppressed[y] ? 0 : h + 1);
        order.push(y);
      }
    }
  }
  return order;
}

/**
 * Peels cells that cannot move: a constraint with a single movable cell forces it to stay (the
 * others are fixed), which may in turn immobilise more. Returns the movable cells (p first), or
 * null when p itself cannot move — no perturbation exists inside N, no LP needed.
 */
function movable(s: Structure, p: number, N: number[]): number[] | null {
  const inN = new Set(N);
  const cnt = new Map<number, number>();
  for (const c of N) {
    for (let e = s.incStart[c]!; e < s.incStart[c + 1]!; e++) {
      const j = s.incCons[e]!;
      cnt.set(j, (cnt.get(j) ?? 0) + 1);
    }
  }
  const queue: number[] = [];
  for (const [j, k] of cnt) if (k === 1) queue.push(j);
  queue.sort((a, b) => a - b);
  while (queue.length > 0) {
    const j = queue.pop()!;
    if (cnt.get(j) !== 1) continue;
    for (let q = s.conStart[j]!; q < s.conStart[j + 1]!; q++) {
      const c = s.conCells[q]!;
      if (!inN.has(c)) continue;
      if (c === p) return null;
      inN.delete(c);
      for (let e = s.incStart[c]!; e < s.incStart[c + 1]!; e++) {
        const j2 = s.incCons[e]!;
        const k = cnt.get(j2)! - 1;
        cnt.set(j2, k);
        if (k === 1) queue.push(j2);
      }
      break;
    }
  }
  return N.filter((c) => inN.has(c));
}

export interface Protection {
  /** Published cells to suppress (ascending). */
  cells: number[];
  /** How far p moves up. */
  up: number;
  /** Every cell that moves, with its movement (positive: up). */
  moved: Array<{ cell: number; delta: number }>;
}

/** Returns the published cells to suppress so that p can rise by `up`, or null if impossible in N. */
export function protectionCells(highs: Highs, s: Structure, p: number, suppressed: Uint8Array, cost: Float64Array, W: number, up: number, nb: Neighbourhood): Protection | null {
  const N = movable(s, p, neighbourhood(s, p, suppressed, nb));
  if (N === null) return null;
  const pos = new Map<number, number>();
  N.forEach((c, i) => pos.set(c, i));
  // Columns: suppressed cell → 1 column (move ≥ −v, free); published → 2 (up ≥ 0, down ∈ [0, v]).
  const colLower: number[] = [];
  const colUpper: number[] = [];
  const colCost: number[] = [];
  const first: number[] = [];
  for (const c of N) {
    first.push(colLower.length);
    const v = s.values[c]!;
    if (c === p) {
      colLower.push(up);
      colUpper.push(Infinity);
      colCost.push(0);
    } else if (suppressed[c]) {
      colLower.push(-v);
      colUpper.push(Infinity);
      colCost.push(0);
    } else {
      const w = cost[c]! / W / up;
      colLower.push(0, 0);
      colUpper.push(Infinity, v);
      colCost.push(w, w);
    }
  }
  const rowStart: number[] = [0];
  const rowIndex: number[] = [];
  const rowValue: number[] = [];
  const rowBound: number[] = [];
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
  for (const j of cons) {
    for (let q = s.conStart[j]!; q < s.conStart[j + 1]!; q++) {
      const c = s.conCells[q]!;
      const i = pos.get(c);
      if (i === undefined) continue;
      const a = q === s.conStart[j] ? 1 : -1;
      const col = first[i]!;
      if (c === p || suppressed[c]) {
        rowIndex.push(col);
        rowValue.push(a);
      } else {
        rowIndex.push(col, col + 1);
        rowValue.push(a, -a);
      }
    }
    rowBound.push(0);
    rowStart.push(rowIndex.length);
  }
  const r = solveOnce(
    highs,
    { numCols: colLower.length, colLower: Float64Array.from(colLower), colUpper: Float64Array.from(colUpper), rowStart, rowIndex, rowValue, rowLower: rowBound, rowUpper: rowBound },
    Float64Array.from(colCost),
    false,
  );
  if (r.status !== 'optimal') return null;
  const out: number[] = [];
  const moved: Protection['moved'] = [];
  N.forEach((c, i) => {
    const col = first[i]!;
    const d = c === p || suppressed[c] ? r.x[col]! : r.x[col]! - r.x[col + 1]!;
    // Moves below 1e-5 are solver tolerance noise (feasibility tolerance 1e-7 per row), not
    // part of the perturbation: suppressing such a cell would only add a pinned cell.
    if (Math.abs(d) > 1e-5) {
      moved.push({ cell: c, delta: d });
      if (c !== p && !suppressed[c]) out.push(c);
    }
  });
  out.sort((a, b) => a - b);
  return { cells: out, up: r.x[first[0]!]!, moved };
}
