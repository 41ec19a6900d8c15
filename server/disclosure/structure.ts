// structure.ts — a compact, read-only index of cells and constraints (typed arrays) used by the
// hot loops of the audit and of the suppression heuristics.
//
// Guarantees:
// - `conCells` lists each constraint's cells with the total FIRST (coefficient +1) followed by its
//   parts (coefficient −1): the constraint is  x[total] − Σ x[parts] = 0.
// - `incCons` lists, for every cell, the constraints it takes part in (ascending ids).
// - `lower` is each cell's lower bound: 0 for a count (the default), −Infinity for a net change
//   that may be negative (the global model's change cells, `Cell.lower`).
// - Built once per (cells, constraints) pair and memoised on the constraints array; pure.
import type { Cell, Constraint } from './types.js';

export interface Structure {
  n: number;
  m: number;
  values: Float64Array;
  /** Lower bound of each cell: 0 (a count) or −Infinity (a change that may be negative). */
  lower: Float64Array;
  conStart: Int32Array;
  conCells: Int32Array;
  incStart: Int32Array;
  incCons: Int32Array;
}

const memo = new WeakMap<readonly Constraint[], { cells: readonly Cell[]; s: Structure }>();

export function structureOf(cells: readonly Cell[], constraints: readonly Constraint[]): Structure {
  const hit = memo.get(constraints);
  if (hit && hit.cells === cells) return hit.s;
  const n = cells.length;
  const m = constraints.length;
  const values = new Float64Array(n);
  const lower = new Float64Array(n);
  cells.forEach((c, i) => {
    if (c.id !== i) throw new Error('cell ids must equal their index');
    values[i] = c.value;
    if (c.lower !== undefined) lower[i] = c.lower;
    if (!(c.value >= lower[i]!)) throw new Error(`cell ${i}: value below its lower bound`);
  });
  let nnz = 0;
  for (const c of constraints) nnz += 1 + c.parts.length;
  const conStart = new Int32Array(m + 1);
  const conCells = new Int32Array(nnz);
  const deg = new Int32Array(n + 1);
  let p = 0;
  constraints.forEach((c, j) => {
    if (c.id !== j) throw new Error('constraint ids must equal their index');
    conStart[j] = p;
    conCells[p++] = c.total;
    deg[c.total]!++;
    for (const q of c.parts) {
      conCells[p++] = q;
      deg[q]!++;
    }
  });
  conStart[m] = p;
  const incStart = new Int32Array(n + 1);
  for (let i = 0; i < n; i++) incStart[i + 1] = incStart[i]! + deg[i]!;
  const fill = incStart.slice(0, n);
  const incCons = new Int32Array(nnz);
  for (let j = 0; j < m; j++) {
    for (let q = conStart[j]!; q < conStart[j + 1]!; q++) {
      const cell = conCells[q]!;
      incCons[fill[cell]!++] = j;
    }
  }
  const s: Structure = { n, m, values, lower, conStart, conCells, incStart, incCons };
  memo.set(constraints, { cells, s });
  return s;
}
