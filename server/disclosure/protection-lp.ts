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
//        f_i ≥ lower_i − v_i                 (no negative counts; changes may be negative)
//        f_p ≥ u
// Locked cells (published by an earlier release, `locked`) never move: they are left out of N;
// so are published cells in `avoid` (the caller's first try: see secondary.ts).
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
 * Scratch arrays per structure, reused across calls (these run hundreds of times per release on
 * tables of 50,000 cells, where Maps and Sets measured as ~15% of the whole suppression time).
 * `mark` arrays use generation stamps, so nothing is cleared between calls. Single-threaded use.
 */
interface Scratch {
  gen: number;
  cellMark: Int32Array;
  depth: Int32Array;
  hops: Int32Array;
  pos: Int32Array;
  conMark: Int32Array;
  conCount: Int32Array;
  conXor: Int32Array;
}
const scratchOf = new WeakMap<Structure, Scratch>();

function scratch(s: Structure): Scratch {
  let sc = scratchOf.get(s);
  if (!sc) {
    sc = {
      gen: 0,
      cellMark: new Int32Array(s.n),
      depth: new Int32Array(s.n),
      hops: new Int32Array(s.n),
      pos: new Int32Array(s.n),
      conMark: new Int32Array(s.m),
      conCount: new Int32Array(s.m),
      conXor: new Int32Array(s.m),
    };
    scratchOf.set(s, sc);
  }
  if (++sc.gen === 0x7fffffff) {
    sc.cellMark.fill(0);
    sc.conMark.fill(0);
    sc.gen = 1;
  }
  return sc;
}

/**
 * Cells reachable from p through constraints (BFS, ascending ids within a constraint): every
 * suppressed cell is expanded, a published cell only when it is fewer than `pubHops` published
 * steps away from a suppressed one (it can then be balanced in its other constraints).
 */
export function neighbourhood(s: Structure, p: number, suppressed: Uint8Array, nb: Neighbourhood, closeAtSuppressed = false): number[] {
  const sc = scratch(s);
  const g = sc.gen;
  const { cellMark: seen, depth, hops } = sc;
  seen[p] = g;
  depth[p] = 0;
  hops[p] = 0;
  const order = [p];
  for (let head = 0; head < order.length; head++) {
    const x = order[head]!;
    const d = depth[x]!;
    const h = hops[x]!;
    if (d >= nb.maxDepth || h >= nb.pubHops + 1) continue;
    // At the published-step limit, a published cell still reaches the suppressed cells beside it
    // when `closeAtSuppressed` (the global model: every cell of a new version has a hidden change
    // cell beside it, which is what lets it move).
    const onlySuppressed = !suppressed[x] && h >= nb.pubHops;
    if (onlySuppressed && !closeAtSuppressed) continue;
    for (let e = s.incStart[x]!; e < s.incStart[x + 1]!; e++) {
      const j = s.incCons[e]!;
      for (let q = s.conStart[j]!; q < s.conStart[j + 1]!; q++) {
        const y = s.conCells[q]!;
        if (seen[y] === g) continue;
        if (onlySuppressed && !suppressed[y]) continue;
        if (order.length >= nb.cap) return order;
        seen[y] = g;
        depth[y] = d + 1;
        hops[y] = suppressed[y] ? 0 : h + 1;
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
  const sc = scratch(s);
  const g = sc.gen;
  const { cellMark: inN, conMark, conCount: cnt, conXor: xor } = sc;
  for (const c of N) inN[c] = g;
  // Per constraint: how many of its cells are still movable, and the XOR of their ids (so the
  // last one is known without scanning the row).
  const touched: number[] = [];
  for (const c of N) {
    for (let e = s.incStart[c]!; e < s.incStart[c + 1]!; e++) {
      const j = s.incCons[e]!;
      if (conMark[j] !== g) {
        conMark[j] = g;
        cnt[j] = 0;
        xor[j] = 0;
        touched.push(j);
      }
      cnt[j]!++;
      xor[j]! ^= c;
    }
  }
  const queue: number[] = [];
  for (const j of touched) if (cnt[j] === 1) queue.push(j);
  queue.sort((a, b) => a - b);
  while (queue.length > 0) {
    const j = queue.pop()!;
    if (cnt[j] !== 1) continue;
    const c = xor[j]!;
    if (c === p) return null;
    inN[c] = 0;
    for (let e = s.incStart[c]!; e < s.incStart[c + 1]!; e++) {
      const j2 = s.incCons[e]!;
      xor[j2]! ^= c;
      if (--cnt[j2]! === 1) queue.push(j2);
    }
  }
  return N.filter((c) => inN[c] === g);
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
export function protectionCells(
  highs: Highs,
  s: Structure,
  p: number,
  suppressed: Uint8Array,
  cost: Float64Array,
  W: number,
  up: number,
  nb: Neighbourhood,
  locked?: Uint8Array,
  avoid?: Uint8Array,
): Protection | null {
  const around = neighbourhood(s, p, suppressed, nb, locked !== undefined);
  const keep = (c: number): boolean => c === p || (!locked?.[c] && (suppressed[c] === 1 || !avoid?.[c]));
  const N = movable(s, p, locked || avoid ? around.filter(keep) : around);
  if (N === null) return null;
  const sc = scratch(s);
  const g = sc.gen;
  const { cellMark: inN, pos, conMark } = sc;
  N.forEach((c, i) => {
    inN[c] = g;
    pos[c] = i;
  });
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
      colLower.push(s.lower[c]! - v);
      colUpper.push(Infinity);
      colCost.push(0);
    } else {
      const w = cost[c]! / W / up;
      colLower.push(0, 0);
      colUpper.push(Infinity, v - s.lower[c]!);
      colCost.push(w, w);
    }
  }
  const rowStart: number[] = [0];
  const rowIndex: number[] = [];
  const rowValue: number[] = [];
  const rowBound: number[] = [];
  const cons: number[] = [];
  for (const c of N) {
    for (let e = s.incStart[c]!; e < s.incStart[c + 1]!; e++) {
      const j = s.incCons[e]!;
      if (conMark[j] !== g) {
        conMark[j] = g;
        cons.push(j);
      }
    }
  }
  cons.sort((a, b) => a - b);
  for (const j of cons) {
    for (let q = s.conStart[j]!; q < s.conStart[j + 1]!; q++) {
      const c = s.conCells[q]!;
      if (inN[c] !== g) continue;
      const i = pos[c]!;
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
    {
      numCols: colLower.length,
      colLower: Float64Array.from(colLower),
      colUpper: Float64Array.from(colUpper),
      rowStart,
      rowIndex,
      rowValue,
      rowLower: rowBound,
      rowUpper: rowBound,
    },
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
