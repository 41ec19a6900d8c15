// Random LP systems for tests, and an independent solver for them: each system is also written as
// a CPLEX LP string and solved by HiGHS's one-shot `solve` (test/disclosure/helpers.ts's reference
// solver: no persistent model, no warm start, presolve on).
import type { SparseSystem } from '../../server/disclosure/lp.js';
import { referenceHighs } from '../disclosure/helpers.js';
import { mulberry32 } from './seeded-random.js';

const num = (x: number): string => (x === Infinity ? 'inf' : x === -Infinity ? '-inf' : String(x));

/** The reference optimum of Σ cost·x over `sys` (CPLEX LP string, one-shot solve). */
export async function reference(sys: SparseSystem, cost: ReadonlyMap<number, number>, maximize: boolean): Promise<number> {
  const h = await referenceHighs();
  const term = (a: number, j: number): string => `${a < 0 ? '-' : '+'} ${Math.abs(a)} x${j}`;
  const obj = [...cost].map(([j, a]) => term(a, j)).join(' ');
  const rows: string[] = [];
  for (let r = 0; r < sys.rowLower.length; r++) {
    const lhs: string[] = [];
    for (let q = sys.rowStart[r]!; q < sys.rowStart[r + 1]!; q++) lhs.push(term(sys.rowValue[q]!, sys.rowIndex[q]!));
    const lo = sys.rowLower[r]!;
    const hi = sys.rowUpper[r]!;
    if (lo === hi) rows.push(` r${r}: ${lhs.join(' ')} = ${lo}`);
    else {
      if (lo > -Infinity) rows.push(` r${r}l: ${lhs.join(' ')} >= ${lo}`);
      if (hi < Infinity) rows.push(` r${r}u: ${lhs.join(' ')} <= ${hi}`);
    }
  }
  const bounds = Array.from({ length: sys.numCols }, (_, j) => ` ${num(sys.colLower[j]!)} <= x${j} <= ${num(sys.colUpper[j]!)}`);
  const lp = `${maximize ? 'Maximize' : 'Minimize'}\n obj: ${obj}\nSubject To\n${rows.join('\n')}\nBounds\n${bounds.join('\n')}\nEnd\n`;
  const r = h.solve(lp, { output_flag: false }) as unknown as { Status: string; ObjectiveValue: number };
  if (r.Status === 'Optimal') return r.ObjectiveValue;
  if (r.Status === 'Unbounded') return maximize ? Infinity : -Infinity;
  throw new Error(`reference LP: ${r.Status}`);
}

/**
 * A random feasible system: integer coefficients in −2..2, a known integer point x0 ≥ 0 (so the
 * system is feasible, as every audit system is: the true table satisfies it), equality rows and
 * some one-sided rows, boxes [0, x0 + r], [0, ∞) or free; 2–7 columns and 1–4 rows unless `size` says.
 */
export function randomSystem(seed: number, size: { cols: [number, number]; rows: [number, number] } = { cols: [2, 7], rows: [1, 4] }): SparseSystem {
  const rand = mulberry32(seed);
  const int = (a: number, b: number): number => a + Math.floor(rand() * (b - a + 1));
  const n = int(...size.cols);
  const m = int(...size.rows);
  const x0 = Array.from({ length: n }, () => int(0, 5));
  const colLower = new Float64Array(n);
  const colUpper = new Float64Array(n);
  for (let j = 0; j < n; j++) {
    const kind = rand();
    colLower[j] = kind < 0.15 ? -Infinity : 0;
    colUpper[j] = kind < 0.5 ? x0[j]! + int(0, 4) : Infinity;
  }
  const rowStart = [0];
  const rowIndex: number[] = [];
  const rowValue: number[] = [];
  const rowLower: number[] = [];
  const rowUpper: number[] = [];
  for (let r = 0; r < m; r++) {
    let act = 0;
    for (let j = 0; j < n; j++) {
      const a = rand() < 0.6 ? int(-2, 2) : 0;
      if (a === 0) continue;
      rowIndex.push(j);
      rowValue.push(a);
      act += a * x0[j]!;
    }
    rowStart.push(rowIndex.length);
    const kind = rand();
    rowLower.push(kind < 0.7 ? act : kind < 0.85 ? -Infinity : act - int(0, 3));
    rowUpper.push(kind < 0.7 ? act : kind < 0.85 ? act + int(0, 3) : Infinity);
  }
  return { numCols: n, colLower, colUpper, rowStart, rowIndex, rowValue, rowLower, rowUpper };
}
