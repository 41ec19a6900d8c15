// post-process.ts — TopDown-like post-processing of noisy linked tables (simplified from the 2020
// US Census Disclosure Avoidance System): from one noisy measurement y_c per distinct cell, find
// non-negative INTEGER counts that satisfy every additive constraint and are close (L1) to the
// measurements.
//
// Post-processing reads only the noisy values and the structure (and, with keepTotal, the true
// grand total, the invariant) — never another true count — so it costs no privacy budget.
//
// Guarantees (every path; each candidate is verified by `checkConsistent` before it is returned,
// a rejected candidate moves on to the next stage, and the last stage is consistent by
// construction, so the function never returns an inconsistent answer):
// - every output count is a non-negative integer;
// - every constraint of the linked tables holds exactly (each total = Σ its parts: margins,
//   hierarchy groups; a quantity shared by several tables is one value, so linked tables agree);
// - with `keepTotal`, the grand-total cell equals its true value (the only invariant).
// Stages (`method` in the result says which one produced the counts):
//   1. LP      the L1 projection  min Σ|x_c − y_c|  s.t. the constraints, x ≥ 0 (x = max(y,0) + p − q
//              with p, q ≥ 0, so no extra rows). Small problems (≤ `simplexMaxCells`): dual simplex,
//              whose vertex is integral whenever the constraint matrix is totally unimodular (e.g. a
//              2-D table with its margins) — then it is an optimal integer answer ('lp'). Large
//              problems: interior point without crossover (the optimum as a guide for stage 3).
//   2. 'milp'  small problems only (≤ `milpMaxCells`) with a fractional LP optimum: the same
//              objective with integer x, time-limited (an incumbent found by the limit is used).
//   3. 'table-rounding'  the LP optimum x* (clamped noisy values if the LP failed) is rounded one
//              table at a time, the cells shared with earlier tables being fixed (table-rounding.ts):
//              each table's cells are sums of integer microdata over its own dimensions, allocated
//              top-down dimension by dimension in proportion to x* with carried largest-remainder
//              rounding. Succeeds unless three or more fixed separators of one table form a cycle.
//   4. 'split'  the documented repair that always succeeds: integer microdata over ALL dimensions,
//              synthesised the same way from x*, aggregated into every cell (split.ts) — margins are
//              consistent by construction. The total is the true total with keepTotal, else ⌊x*_total⌉.
// - Deterministic for given inputs (HiGHS runs single-threaded), except that a stage cut short by
//   its time limit depends on machine speed.
import type { Highs } from 'highs';
import type { LinkedTables } from '../tables/types.js';
import { splitRepair } from './split.js';
import { roundByTables } from './table-rounding.js';

export type PostProcessMethod = 'lp' | 'milp' | 'table-rounding' | 'split';

export interface PostProcessOptions {
  /** Fix the grand-total cell to its true value (an invariant, released exactly). */
  keepTotal?: boolean;
  /** Time limit of the MILP stage, seconds (default 10). */
  timeLimitS?: number;
  /** Time limit of the LP, seconds (default 600); on expiry the clamped noisy values guide stage 3. */
  lpTimeLimitS?: number;
  /** Largest problem (distinct cells) solved by simplex rather than interior point (default 5000). */
  simplexMaxCells?: number;
  /** Largest problem given to the MILP stage (default 2000). */
  milpMaxCells?: number;
  /** 'auto' runs the stages in order; 'tables' / 'split' jump to that stage after the LP (tests). */
  strategy?: 'auto' | 'tables' | 'split';
}

export interface PostProcessResult {
  /** Published count of every distinct cell (index = cell id). */
  counts: Float64Array;
  method: PostProcessMethod;
  /** Σ_c |counts_c − noisy_c| over distinct cells. */
  l1: number;
  /** Optimal value of the LP relaxation (a lower bound on the L1 of any consistent answer); NaN if not solved. */
  lpObjective: number;
  /** Cells whose LP optimum was fractional. */
  fractional: number;
  /** HiGHS runs. */
  solves: number;
  /** Stages attempted, with their outcome. */
  trace: string[];
}

const STATUS = { optimal: 7, infeasible: 8, timeLimit: 13, iterationLimit: 14 } as const;
const TOL = 1e-6;

/** Index of the grand-total cell (key {}). */
export function totalCellOf(lt: Pick<LinkedTables, 'cells'>): number {
  const id = lt.cells.findIndex((c) => Object.keys(c.key).length === 0);
  if (id < 0) throw new Error('internal: no grand-total cell');
  return id;
}

/** Exact check of the guarantees: non-negative integers, every constraint, the invariant total. */
export function checkConsistent(lt: Pick<LinkedTables, 'cells' | 'constraints'>, x: ArrayLike<number>, total?: { id: number; value: number }): string | null {
  if (x.length !== lt.cells.length) return 'length';
  for (let i = 0; i < x.length; i++) {
    const v = x[i]!;
    if (!Number.isSafeInteger(v) || v < 0) return `cell ${i} is not a non-negative integer (${v})`;
  }
  for (const c of lt.constraints) {
    let s = 0;
    for (const p of c.parts) s += x[p]!;
    if (s !== x[c.total]) return `constraint ${c.id}: ${x[c.total]} ≠ Σ parts = ${s}`;
  }
  if (total && x[total.id] !== total.value) return `grand total ${x[total.id]} ≠ ${total.value}`;
  return null;
}

interface Window {
  lo: Float64Array;
  hi: Float64Array;
}

interface Solved {
  status: 'optimal' | 'feasible' | 'infeasible' | 'failed';
  x: Float64Array;
  objective: number;
}

/**
 * min Σ (p + q) with x = b + p − q ∈ [lo, hi], A x = 0 (total − Σ parts), b = max(y, 0).
 * Columns: p_0..p_{n−1}, q_0..q_{n−1}. Returns x.
 */
function solveL1(highs: Highs, lt: LinkedTables, b: Float64Array, w: Window, o: { integer: boolean; timeLimitS: number; interior: boolean }): Solved {
  try {
    return solveL1Unsafe(highs, lt, b, w, o);
  } catch {
    // A HiGHS error (e.g. out of WebAssembly memory) only skips this stage: the later stages
    // still produce a consistent answer.
    return { status: 'failed', x: new Float64Array(lt.cells.length), objective: NaN };
  }
}

function solveL1Unsafe(highs: Highs, lt: LinkedTables, b: Float64Array, w: Window, o: { integer: boolean; timeLimitS: number; interior: boolean }): Solved {
  const { integer, timeLimitS } = o;
  const n = lt.cells.length;
  const colLower = new Float64Array(2 * n);
  const colUpper = new Float64Array(2 * n);
  for (let c = 0; c < n; c++) {
    const lo = w.lo[c]!;
    const hi = w.hi[c]!;
    const bc = b[c]!;
    colLower[c] = Math.max(0, lo - bc);
    colUpper[c] = hi === Infinity ? Infinity : Math.max(0, hi - bc);
    colLower[n + c] = Math.max(0, bc - hi);
    colUpper[n + c] = Math.max(0, bc - lo);
  }
  const m = lt.constraints.length;
  let nnz = 0;
  for (const k of lt.constraints) nnz += 2 * (1 + k.parts.length);
  const starts = new Int32Array(m + 1);
  const indices = new Int32Array(nnz);
  const values = new Float64Array(nnz);
  const rhs = new Float64Array(m);
  let z = 0;
  lt.constraints.forEach((k, j) => {
    starts[j] = z;
    // x_total − Σ x_parts = 0  ⇔  (p−q)_total − Σ (p−q)_parts = Σ b_parts − b_total
    let r = -b[k.total]!;
    indices[z] = k.total;
    values[z++] = 1;
    indices[z] = n + k.total;
    values[z++] = -1;
    for (const p of k.parts) {
      r += b[p]!;
      indices[z] = p;
      values[z++] = -1;
      indices[z] = n + p;
      values[z++] = 1;
    }
    rhs[j] = r;
  });
  starts[m] = z;
  const cost = new Float64Array(2 * n).fill(1);
  const model = highs.createModel({
    numCols: 2 * n,
    numRows: m,
    sense: highs.constants.objectiveSense.minimize,
    colCost: cost,
    colLower,
    colUpper,
    rowLower: rhs,
    rowUpper: rhs,
    matrix: { format: 'csr', numRows: m, numCols: 2 * n, starts, indices, values },
    ...(integer ? { integrality: new Int32Array(2 * n).fill(1) } : {}),
  });
  try {
    model.options.set({
      output_flag: false,
      time_limit: timeLimitS,
      ...(integer ? { mip_rel_gap: 1e-4 } : {}),
      ...(o.interior ? { solver: 'ipm', run_crossover: 'off' } : {}),
    });
    const status = model.run().modelStatus as number;
    const toX = (sol: ArrayLike<number>): Float64Array => {
      const x = new Float64Array(n);
      for (let c = 0; c < n; c++) x[c] = b[c]! + sol[c]! - sol[n + c]!;
      return x;
    };
    if (status === STATUS.optimal) return { status: 'optimal', x: toX(model.getSolution().colValue), objective: model.getObjectiveValue() };
    if (status === STATUS.infeasible) return { status: 'infeasible', x: new Float64Array(n), objective: NaN };
    const feasible = Number(model.info.get('primal_solution_status')) === highs.constants.solutionStatus.feasible;
    if (feasible && (status === STATUS.timeLimit || status === STATUS.iterationLimit))
      return { status: 'feasible', x: toX(model.getSolution().colValue), objective: model.getObjectiveValue() };
    return { status: 'failed', x: new Float64Array(n), objective: NaN };
  } finally {
    model.dispose();
  }
}

function roundAll(x: Float64Array): Float64Array {
  const r = new Float64Array(x.length);
  for (let i = 0; i < x.length; i++) r[i] = Math.max(0, Math.round(x[i]!));
  return r;
}

function countFractional(x: Float64Array): number {
  let f = 0;
  for (let i = 0; i < x.length; i++) if (Math.abs(x[i]! - Math.round(x[i]!)) > TOL) f++;
  return f;
}

function l1(x: ArrayLike<number>, y: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < x.length; i++) s += Math.abs(x[i]! - y[i]!);
  return s;
}

/**
 * Consistent non-negative integer counts close (L1) to the noisy measurements.
 * `noisy[c]` is the measurement of cell id c (integers; may be negative).
 */
export async function postProcess(highs: Highs, lt: LinkedTables, noisy: ArrayLike<number>, opts: PostProcessOptions = {}): Promise<PostProcessResult> {
  const n = lt.cells.length;
  if (noisy.length !== n) throw new Error('one noisy value per distinct cell is required');
  for (let i = 0; i < n; i++) if (!Number.isSafeInteger(noisy[i])) throw new Error(`noisy value of cell ${i} is not an integer`);
  const totalId = totalCellOf(lt);
  const invariant = opts.keepTotal ? { id: totalId, value: lt.cells[totalId]!.value } : undefined;
  const strategy = opts.strategy ?? 'auto';
  const simplex = n <= (opts.simplexMaxCells ?? 5000);
  const b = new Float64Array(n);
  for (let i = 0; i < n; i++) b[i] = Math.max(0, noisy[i]!);
  const trace: string[] = [];
  let solves = 0;
  let lpObjective = NaN;
  let fractional = 0;
  const finish = (x: Float64Array, method: PostProcessMethod): PostProcessResult => ({
    counts: x,
    method,
    l1: l1(x, noisy),
    lpObjective,
    fractional,
    solves,
    trace,
  });
  const accept = (x: Float64Array, stage: string): boolean => {
    const err = checkConsistent(lt, x, invariant);
    if (err) trace.push(`${stage} rejected: ${err}`);
    return err === null;
  };

  // Stage 1: LP.
  const full: Window = { lo: new Float64Array(n), hi: new Float64Array(n).fill(Infinity) };
  if (invariant) full.lo[invariant.id] = full.hi[invariant.id] = invariant.value;
  solves++;
  const lp = solveL1(highs, lt, b, full, { integer: false, timeLimitS: opts.lpTimeLimitS ?? 600, interior: !simplex });
  trace.push(`lp (${simplex ? 'simplex' : 'interior point'}): ${lp.status}`);
  let guide: Float64Array = b;
  if (lp.status === 'optimal') {
    guide = lp.x;
    // Constant offset: Σ_c (b_c − y_c) (cells whose noisy value is negative).
    lpObjective = lp.objective + l1(b, noisy);
    fractional = countFractional(lp.x);
    if (fractional === 0 && strategy === 'auto') {
      const x = roundAll(lp.x);
      if (accept(x, 'lp')) return finish(x, 'lp');
    }
  }
  // Stage 2: MILP (small problems).
  if (strategy === 'auto' && n <= (opts.milpMaxCells ?? 2000)) {
    solves++;
    const mip = solveL1(highs, lt, b, full, { integer: true, timeLimitS: opts.timeLimitS ?? 10, interior: false });
    trace.push(`milp: ${mip.status}`);
    if (mip.status === 'optimal' || mip.status === 'feasible') {
      const x = roundAll(mip.x);
      if (accept(x, 'milp')) return finish(x, 'milp');
    }
  }
  const total = invariant ? invariant.value : Math.max(0, Math.round(guide[totalId]!));
  // Stage 3: table-by-table rounding of the LP optimum.
  if (strategy !== 'split') {
    const x = roundByTables(lt, guide, total);
    trace.push(`table-rounding: ${x ? 'ok' : 'cyclic separators'}`);
    if (x && accept(x, 'table-rounding')) return finish(x, 'table-rounding');
  }
  // Stage 4: microdata repair (consistent by construction).
  const x = splitRepair(lt, guide, total);
  const err = checkConsistent(lt, x, invariant);
  if (err) throw new Error(`internal: split repair is inconsistent (${err})`);
  trace.push('split: ok');
  return finish(x, 'split');
}
