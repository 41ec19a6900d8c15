// lp.ts — the auditor's own linear programs, solved with HiGHS (WebAssembly, the `highs` package).
//
// Guarantees:
// - `load` passes a model "rowLower ≤ A·x ≤ rowUpper, colLower ≤ x ≤ colUpper" to ONE persistent
//   HiGHS instance as numbers (no text round trip); nothing else is assumed (no integrality: the LP
//   relaxation is what the attacker model of docs/release-format.md uses; rounding is the caller's).
// - `optimise(objective, sense)` re-solves the same model with only the objective changed, which
//   lets the simplex start from the previous basis; it answers optimal (with the objective value
//   and the primal solution), unbounded or infeasible. Any other solver outcome (including the
//   per-solve time limit) is 'error' — never silently a number.
// - `center()` gives a point of the feasible set from the interior point method without crossover
//   (zero objective), or null; callers use it only as a witness, after checking it is feasible.
// - `setUpper` changes column upper bounds (witness solves put caps on unbounded columns).
// - The HiGHS runtime is loaded once per process; `dispose()` frees the instance.
import highsImport, { type Highs, type Model } from 'highs';

// highs ships CommonJS typings but an ES module build: under NodeNext the default import is typed
// as the module namespace, while at run time it is the loader function itself. Accept both.
type Loader = typeof highsImport.default;
const loadHighs: Loader = typeof highsImport === 'function' ? (highsImport as unknown as Loader) : highsImport.default;

export type Solve =
  | { status: 'optimal'; value: number; solution: Float64Array }
  | { status: 'unbounded' }
  | { status: 'infeasible' }
  | { status: 'error'; detail: string };

export interface SparseRows {
  /** CSR: row r has entries index/value[starts[r] .. starts[r+1]). */
  starts: Int32Array;
  index: Int32Array;
  value: Float64Array;
  lower: Float64Array;
  upper: Float64Array;
}

/** Seconds one solve may take before it is reported as an error. */
export const SOLVE_TIME_LIMIT_SECONDS = 600;

let runtime: Promise<Highs> | undefined;

export class LpSolver {
  private model: Model | undefined;
  private numCols = 0;
  private costIdx: number[] = [];
  private warm = false;
  solves = 0;

  private constructor(private readonly highs: Highs) {}

  static async create(): Promise<LpSolver> {
    runtime ??= loadHighs();
    return new LpSolver(await runtime);
  }

  get infinity(): number {
    return this.highs.infinity;
  }

  private instance(): Model {
    if (!this.model) {
      this.model = this.highs.createModel();
      this.model.options.set({ output_flag: false, time_limit: SOLVE_TIME_LIMIT_SECONDS });
    }
    return this.model;
  }

  /** Loads a model; bounds use ±Infinity for "none". */
  load(numCols: number, colLower: Float64Array, colUpper: Float64Array, rows: SparseRows): void {
    const m = this.instance();
    const inf = this.highs.infinity;
    const fix = (a: Float64Array) => a.map((v) => (v === Infinity ? inf : v === -Infinity ? -inf : v));
    m.options.set({ simplex_strategy: 1, solver: 'choose', run_crossover: 'on' });
    m.passModel({
      numCols,
      numRows: rows.lower.length,
      colCost: new Float64Array(numCols),
      colLower: fix(colLower),
      colUpper: fix(colUpper),
      rowLower: fix(rows.lower),
      rowUpper: fix(rows.upper),
      matrix: { format: 'csr', numRows: rows.lower.length, numCols, starts: rows.starts, indices: rows.index, values: rows.value },
    });
    this.numCols = numCols;
    this.costIdx = [];
    this.warm = false;
  }

  setUpper(colUpper: Float64Array): void {
    const inf = this.highs.infinity;
    const m = this.instance();
    const lower = m.getLp().colLower;
    m.changeColsBounds(
      { kind: 'range', from: 0, to: this.numCols - 1 },
      lower,
      colUpper.map((v) => (v === Infinity ? inf : v)),
    );
  }

  /** Sets the objective to Σ coef·x (every other cost 0). */
  private setCost(idx: ArrayLike<number>, coef: ArrayLike<number>): void {
    const m = this.instance();
    const dense = idx.length > 64;
    if (this.costIdx.length > 64 || dense) {
      const costs = new Float64Array(this.numCols);
      for (let t = 0; t < idx.length; t++) costs[idx[t]!] = coef[t]!;
      if (this.numCols > 0) m.changeColsCost({ kind: 'range', from: 0, to: this.numCols - 1 }, costs);
    } else {
      for (const j of this.costIdx) m.changeColCost(j, 0);
      for (let t = 0; t < idx.length; t++) m.changeColCost(idx[t]!, coef[t]!);
    }
    this.costIdx = Array.from(idx);
  }

  /** Minimises or maximises Σ coef·x over the loaded model. */
  optimise(idx: ArrayLike<number>, coef: ArrayLike<number>, sense: 'min' | 'max'): Solve {
    const m = this.instance();
    this.setCost(idx, coef);
    const S = this.highs.constants.objectiveSense;
    m.changeObjectiveSense(sense === 'min' ? S.minimize : S.maximize);
    m.zeroAllClocks();
    this.solves++;
    let status: number;
    try {
      status = m.run().modelStatus;
    } catch (e) {
      return { status: 'error', detail: e instanceof Error ? e.message : String(e) };
    }
    if (!this.warm) {
      // After a first (cold, presolved) solve, re-solves start from the previous optimal basis,
      // which stays primal feasible: the primal simplex then needs few pivots.
      m.options.set({ simplex_strategy: 4 });
      this.warm = true;
    }
    const MS = this.highs.constants.modelStatus;
    if (status === MS.optimal) return { status: 'optimal', value: m.getObjectiveValue(), solution: m.getSolution().colValue };
    if (status === MS.unbounded) return { status: 'unbounded' };
    if (status === MS.infeasible) return { status: 'infeasible' };
    if (status === MS.unboundedOrInfeasible) {
      // Presolve may not tell them apart: ask again without it.
      m.options.set({ presolve: 'off' });
      try {
        const again = m.run().modelStatus;
        if (again === MS.optimal) return { status: 'optimal', value: m.getObjectiveValue(), solution: m.getSolution().colValue };
        if (again === MS.unbounded) return { status: 'unbounded' };
        if (again === MS.infeasible) return { status: 'infeasible' };
      } finally {
        m.options.set({ presolve: 'choose' });
      }
    }
    return { status: 'error', detail: `HiGHS model status ${status}` };
  }

  /** A feasible point from the interior point method (no crossover, zero objective), or null. */
  center(): Float64Array | 'infeasible' | null {
    const m = this.instance();
    this.setCost([], []);
    m.changeObjectiveSense(this.highs.constants.objectiveSense.minimize);
    m.options.set({ solver: 'ipm', run_crossover: 'off' });
    m.clearSolver();
    m.zeroAllClocks();
    this.solves++;
    try {
      const status = m.run().modelStatus;
      const MS = this.highs.constants.modelStatus;
      if (status === MS.optimal) return m.getSolution().colValue;
      if (status === MS.infeasible) return 'infeasible';
      return null;
    } catch {
      return null;
    } finally {
      m.options.set({ solver: 'choose', run_crossover: 'on', simplex_strategy: 1 });
      m.clearSolver();
      this.warm = false;
    }
  }

  dispose(): void {
    this.model?.dispose();
    this.model = undefined;
  }
}
