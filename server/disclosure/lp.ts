// lp.ts — the disclosure modules' only contact with HiGHS models (WebAssembly).
//
// Guarantees:
// - HiGHS itself is loaded once per process by server/tables/highs.ts (`loadHighs()`), shared with dp/.
// - `ExtremeSolver` keeps ONE persistent HiGHS model per system of equations and answers
//   "minimise / maximise column j" repeatedly by changing only the objective, warm-starting the
//   primal simplex from the previous basis (an objective change keeps the basis primal feasible,
//   so primal simplex needs few pivots; the dual simplex would restart almost from scratch).
//   Large systems get their first basis from the interior-point method + crossover (several
//   times faster than a simplex phase 1 there). `batch` optimises a sum of columns, only to find
//   feasible points (optionally stopped after a number of iterations: such a point is returned
//   unchecked, and `feasiblePoint` must accept it before it is used); `extremeUnless` is
//   `extreme` stopped once the caller accepts a point of the simplex's path (same rule).
//   `cappedPoint` finds one point that brings many columns up to given values at once (same rule).
//   Statuses are mapped explicitly: optimal → the value; unbounded (or "unbounded or infeasible"
//   on a system known to be feasible, since the true table satisfies it) → ±Infinity; anything
//   else (infeasible through numerical trouble, limits) → one retry on a fresh model with HiGHS
//   defaults, then an Error (never a silent wrong answer).
// - `solveOnce` solves one model (LP or MILP) from scratch and always frees the native memory.
// - Models are always disposed (try/finally): no WebAssembly memory leak across solves.
import type { Highs, Model, ModelData, VariableType } from 'highs';

const STATUS = { optimal: 7, infeasible: 8, unboundedOrInfeasible: 9, unbounded: 10, iterationLimit: 14 } as const;

/** A system  rowLower ≤ A x ≤ rowUpper (equalities when equal), colLower ≤ x ≤ colUpper, CSR rows. */
export interface SparseSystem {
  numCols: number;
  colLower: Float64Array;
  colUpper: Float64Array;
  rowStart: Int32Array | number[];
  rowIndex: Int32Array | number[];
  rowValue: Float64Array | number[];
  rowLower: Float64Array | number[];
  rowUpper: Float64Array | number[];
}

function modelData(highs: Highs, sys: SparseSystem, cost: Float64Array, maximize: boolean, integrality?: VariableType[]): ModelData {
  const numRows = sys.rowLower.length;
  return {
    numCols: sys.numCols,
    numRows,
    sense: maximize ? highs.constants.objectiveSense.maximize : highs.constants.objectiveSense.minimize,
    colCost: cost,
    colLower: sys.colLower,
    colUpper: sys.colUpper,
    rowLower: sys.rowLower,
    rowUpper: sys.rowUpper,
    matrix: { format: 'csr', numRows, numCols: sys.numCols, starts: sys.rowStart, indices: sys.rowIndex, values: sys.rowValue },
    ...(integrality ? { integrality } : {}),
  };
}

export interface Extreme {
  /** Optimal value of the column, or ±Infinity when unbounded. */
  value: number;
  /** An optimal (feasible) point when bounded, else undefined. */
  x: Float64Array | undefined;
}

/** HiGHS's default simplex iteration limit (restored after an iteration-limited batch). */
const ITERATION_LIMIT_DEFAULT = 2147483647;

/**
 * A checked point may miss a row or a bound by at most this much in absolute terms, whatever the
 * size of the row's terms: the slack with which LP ends are rounded to integers (primary.ts), so a
 * witness never moves a cell further than rounding already allows (HiGHS's stopped points miss by
 * far less: docs/performance.md).
 */
export const FEASIBLE_ABS_TOL = 1e-6;

/**
 * Whether x satisfies the system's column bounds and rows within `tol` relative to the largest
 * term of a row (or to the value, for a bound), and never by more than FEASIBLE_ABS_TOL: the check
 * a point must pass before it may serve as a witness without being an LP optimum (an
 * iteration-limited batch).
 */
export function feasiblePoint(sys: SparseSystem, x: Float64Array, tol = 1e-7): boolean {
  for (let j = 0; j < sys.numCols; j++) {
    const v = x[j]!;
    const slack = Math.min(tol * (1 + Math.abs(v)), FEASIBLE_ABS_TOL);
    if (!(v >= sys.colLower[j]! - slack) || !(v <= sys.colUpper[j]! + slack)) return false;
  }
  const nr = sys.rowLower.length;
  for (let r = 0; r < nr; r++) {
    let sum = 0;
    let scale = 1;
    for (let q = sys.rowStart[r]!; q < sys.rowStart[r + 1]!; q++) {
      const t = sys.rowValue[q]! * x[sys.rowIndex[q]!]!;
      sum += t;
      scale = Math.max(scale, Math.abs(t));
    }
    const slack = Math.min(tol * scale, FEASIBLE_ABS_TOL);
    if (!(sum >= sys.rowLower[r]! - slack) || !(sum <= sys.rowUpper[r]! + slack)) return false;
  }
  return true;
}

/** Repeated min/max of single columns over one fixed feasible system. */
export class ExtremeSolver {
  private model: Model | undefined;
  private costed: number[] = [];
  solves = 0;

  /** Systems with more columns than this get their first basis from the interior-point method. */
  static IPM_START = 1500;

  constructor(
    private readonly highs: Highs,
    private readonly sys: SparseSystem,
  ) {}

  private open(): Model {
    if (this.model) return this.model;
    const m = this.highs.createModel(modelData(this.highs, this.sys, new Float64Array(this.sys.numCols), false));
    try {
      if (this.sys.numCols > ExtremeSolver.IPM_START) {
        // A first basis from scratch by simplex can take seconds on thousands of columns; the
        // interior-point method plus crossover finds one in a fraction of that (measured 0.6 s
        // vs 2.9 s on 6,000 columns), and later warm starts are no slower.
        m.options.set({ output_flag: false, solver: 'ipm' });
        this.solves++;
        m.run();
      }
      m.options.set({ output_flag: false, solver: 'simplex', presolve: 'off', simplex_strategy: 4 });
    } catch (e) {
      m.dispose();
      throw e;
    }
    this.model = m;
    this.costed = [];
    return m;
  }

  private setObjective(m: Model, cols: readonly number[], sense: 1 | -1): void {
    for (const j of this.costed) m.changeColCost(j, 0);
    for (const j of cols) m.changeColCost(j, sense);
    this.costed = [...cols];
  }

  /**
   * Optimises Σ sense·x_j over `cols` and returns an optimal point, or undefined when unbounded or
   * on numerical trouble (used only to discover feasible points, never as an answer).
   */
  batch(cols: readonly number[], sense: 1 | -1, iterationLimit?: number): Float64Array | undefined {
    const m = this.open();
    this.setObjective(m, cols, sense);
    this.solves++;
    if (iterationLimit === undefined) {
      const status = m.run().modelStatus;
      return status === STATUS.optimal ? m.getSolution().colValue : undefined;
    }
    // Stopped early, the primal simplex's current point is usually feasible but not optimal: the
    // caller must check it (`feasiblePoint`) before using it as a witness.
    m.options.set({ simplex_iteration_limit: iterationLimit });
    try {
      const status = m.run().modelStatus;
      return status === STATUS.optimal || status === STATUS.iterationLimit ? m.getSolution().colValue : undefined;
    } finally {
      m.options.set({ simplex_iteration_limit: ITERATION_LIMIT_DEFAULT });
    }
  }

  /**
   * Like `extreme`, for a caller that only needs the column to get far enough: the primal simplex
   * runs `step` iterations at a time (twice as many each time) and between runs `enough` sees its
   * current point (unchecked: `enough` must check it with `feasiblePoint` before using it). Once
   * `enough` accepts one, the LP stops there (`exact` false: `value` is only a reachable value);
   * otherwise it goes on to the optimum, which `extreme` returns. The simplex resumes from where it
   * stopped, so an LP that goes to its optimum costs only the extra runs' overhead.
   */
  extremeUnless(col: number, sense: 1 | -1, step: number, enough: (x: Float64Array) => boolean): Extreme & { exact: boolean } {
    const m = this.open();
    this.setObjective(m, [col], sense);
    this.solves++;
    let status: number;
    try {
      for (let limit = step; ; limit = Math.min(2 * limit, ITERATION_LIMIT_DEFAULT)) {
        m.options.set({ simplex_iteration_limit: limit });
        status = m.run().modelStatus;
        if (status !== STATUS.iterationLimit) break;
        const x = m.getSolution().colValue;
        if (enough(x)) return { value: x[col]!, x, exact: false };
      }
    } finally {
      m.options.set({ simplex_iteration_limit: ITERATION_LIMIT_DEFAULT });
    }
    if (status === STATUS.optimal) {
      const x = m.getSolution().colValue;
      return { value: x[col]!, x, exact: true };
    }
    this.solves--; // (counted again by `extreme`)
    return { ...this.extreme(col, sense), exact: true };
  }

  /** Minimises (sense 1) or maximises (sense −1) column `col`. */
  extreme(col: number, sense: 1 | -1): Extreme {
    const m = this.open();
    this.setObjective(m, [col], sense);
    this.solves++;
    const status = m.run().modelStatus;
    if (status === STATUS.optimal) {
      const x = m.getSolution().colValue;
      return { value: x[col]!, x };
    }
    if (status === STATUS.unbounded || status === STATUS.unboundedOrInfeasible) {
      return { value: sense === 1 ? -Infinity : Infinity, x: undefined };
    }
    // Numerical trouble: retry once from scratch with HiGHS defaults.
    this.dispose();
    const cost = new Float64Array(this.sys.numCols);
    cost[col] = sense;
    this.solves++;
    const r = solveOnce(this.highs, this.sys, cost, false);
    if (r.status === 'optimal') return { value: r.x[col]!, x: r.x };
    if (r.status === 'unbounded') return { value: sense === 1 ? -Infinity : Infinity, x: undefined };
    throw new Error(`interval LP failed (${r.status}); the published system may be inconsistent`);
  }

  dispose(): void {
    this.model?.dispose();
    this.model = undefined;
    this.costed = [];
  }
}

/**
 * A point of `sys` that brings as many of the columns `cols` as it can up to their `caps`: an
 * optimum of max Σ min(x_j, cap_j), written with one extra column y_j ≤ x_j, y_j ≤ cap_j per
 * capped column, solved on a fresh model by the interior-point method with crossover (a vertex:
 * where capped columns compete, some reach their cap rather than all stopping short). Returned
 * unchecked, like an iteration-limited batch (`feasiblePoint` must accept it before it is used);
 * undefined unless HiGHS reports an optimum. Only its first `sys.numCols` values are returned.
 */
export function cappedPoint(highs: Highs, sys: SparseSystem, cols: readonly number[], caps: readonly number[]): Float64Array | undefined {
  const n = sys.numCols;
  const k = cols.length;
  const m = sys.rowLower.length;
  const colLower = new Float64Array(n + k);
  const colUpper = new Float64Array(n + k);
  const cost = new Float64Array(n + k);
  colLower.set(sys.colLower);
  colUpper.set(sys.colUpper);
  const nnz = sys.rowStart[m]!;
  const starts = new Int32Array(m + k + 1);
  const index = new Int32Array(nnz + 2 * k);
  const value = new Float64Array(nnz + 2 * k);
  starts.set(sys.rowStart);
  index.set(sys.rowIndex);
  value.set(sys.rowValue);
  const rowLower = new Float64Array(m + k);
  const rowUpper = new Float64Array(m + k);
  rowLower.set(sys.rowLower);
  rowUpper.set(sys.rowUpper);
  for (let q = 0; q < k; q++) {
    const j = cols[q]!;
    colLower[n + q] = Math.min(sys.colLower[j]!, caps[q]!);
    colUpper[n + q] = caps[q]!;
    cost[n + q] = 1;
    // y_q − x_j ≤ 0
    index[nnz + 2 * q] = j;
    value[nnz + 2 * q] = -1;
    index[nnz + 2 * q + 1] = n + q;
    value[nnz + 2 * q + 1] = 1;
    starts[m + q + 1] = nnz + 2 * q + 2;
    rowLower[m + q] = -Infinity;
    rowUpper[m + q] = 0;
  }
  const capped: SparseSystem = { numCols: n + k, colLower, colUpper, rowStart: starts, rowIndex: index, rowValue: value, rowLower, rowUpper };
  const model = highs.createModel(modelData(highs, capped, cost, true));
  try {
    model.options.set({ output_flag: false, solver: 'ipm', run_crossover: 'on', presolve: 'off' });
    if (model.run().modelStatus !== STATUS.optimal) return undefined;
    return Float64Array.from(model.getSolution().colValue.subarray(0, n));
  } finally {
    model.dispose();
  }
}

/**
 * A bound on column `col` over `sys` that holds whatever HiGHS's tolerances: for sense −1 an upper
 * bound of its maximum, for sense 1 a lower bound of its minimum (±Infinity when none is found).
 * HiGHS solves the LP on a fresh model only to supply row multipliers y; the bound itself is
 * weak duality, computed here: for any y, s·x_col = (s·e_col − Aᵀy)·x + y·(Ax) is at most the sum
 * of each term's largest value over its column's box and its row's range (s = 1 to bound the
 * maximum, −1 the minimum). A wrong or inexact y only loosens it; y, −y and 0 are all tried and
 * the tightest kept, widened by the floating-point error of the sums.
 */
export function boundByDuality(highs: Highs, sys: SparseSystem, col: number, sense: 1 | -1): number {
  const s = sense === -1 ? 1 : -1;
  const n = sys.numCols;
  const m = sys.rowLower.length;
  const cost = new Float64Array(n);
  cost[col] = s;
  const model = highs.createModel(modelData(highs, sys, cost, true));
  let y: Float64Array | undefined;
  try {
    model.options.set({ output_flag: false, presolve: 'off' });
    if (model.run().modelStatus === STATUS.optimal) y = Float64Array.from(model.getSolution().rowDual);
  } finally {
    model.dispose();
  }
  let best = Infinity;
  for (const t of y ? [1, -1, 0] : [0]) {
    const g = Float64Array.from(cost);
    let bound = 0;
    let size = 0;
    for (let r = 0; r < m; r++) {
      const yr = t * (y?.[r] ?? 0);
      if (yr === 0) continue;
      for (let q = sys.rowStart[r]!; q < sys.rowStart[r + 1]!; q++) g[sys.rowIndex[q]!]! -= yr * sys.rowValue[q]!;
      const term = yr > 0 ? yr * sys.rowUpper[r]! : yr * sys.rowLower[r]!;
      bound += term;
      size += Math.abs(term);
    }
    for (let j = 0; j < n; j++) {
      const gj = g[j]!;
      if (gj === 0) continue;
      const term = gj > 0 ? gj * sys.colUpper[j]! : gj * sys.colLower[j]!;
      bound += term;
      size += Math.abs(term);
    }
    if (Number.isNaN(bound)) continue;
    best = Math.min(best, bound + 1e-12 * size + 1e-12);
  }
  return s * best;
}

export type OnceStatus = 'optimal' | 'unbounded' | 'infeasible' | 'limit' | 'error';
export interface OnceResult {
  status: OnceStatus;
  /** Best primal point found (for 'limit' only when a feasible incumbent exists). */
  x: Float64Array;
  objective: number;
}

/** Solves one LP/MILP from scratch (minimisation unless `maximize`). */
export function solveOnce(
  highs: Highs,
  sys: SparseSystem,
  cost: Float64Array,
  maximize: boolean,
  opts: { integrality?: VariableType[]; timeLimitS?: number; mip?: Record<string, number> } = {},
): OnceResult {
  const m = highs.createModel(modelData(highs, sys, cost, maximize, opts.integrality));
  try {
    // Presolve costs far more than it saves on these small, sparse LPs (measured: ~25 ms vs ~1 ms
    // for a 700-column protection LP); the MILP keeps it.
    m.options.set({
      output_flag: false,
      ...(opts.integrality ? {} : { presolve: 'off' }),
      ...(opts.timeLimitS !== undefined ? { time_limit: opts.timeLimitS } : {}),
      ...(opts.mip ?? {}),
    });
    const status = m.run().modelStatus;
    const empty = new Float64Array(sys.numCols);
    if (status === STATUS.optimal) {
      return { status: 'optimal', x: m.getSolution().colValue, objective: m.getObjectiveValue() };
    }
    if (status === STATUS.unbounded || status === STATUS.unboundedOrInfeasible)
      return { status: 'unbounded', x: empty, objective: maximize ? Infinity : -Infinity };
    if (status === STATUS.infeasible) return { status: 'infeasible', x: empty, objective: NaN };
    // Limits: keep a feasible incumbent if HiGHS has one.
    const feasible = Number(m.info.get('primal_solution_status')) === highs.constants.solutionStatus.feasible;
    if (feasible) return { status: 'limit', x: m.getSolution().colValue, objective: m.getObjectiveValue() };
    return { status: status === 13 || status === 14 ? 'limit' : 'error', x: empty, objective: NaN };
  } finally {
    m.dispose();
  }
}
