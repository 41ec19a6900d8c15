// lp.ts — the auditor's own linear programs, in CPLEX LP format, solved with HiGHS (WebAssembly).
//
// Guarantees:
// - `lpText` writes a model "each relation Σ coef·x = rhs, each variable ≥ its lower bound (0 by
//   default)" as CPLEX LP text, with variables x0..x(n−1) and rows r0..; nothing else is assumed
//   (no integrality: the LP relaxation is what an attacker's interval audit computes; rounding is
//   the caller's job). Numbers are written exactly for integers, never in exponent form.
// - The HiGHS WebAssembly runtime is loaded once per process; each `LpSolver` keeps ONE persistent
//   HiGHS instance: a model is read into it (`load`), then every bound is a re-solve of the same
//   model with only the objective changed, which lets the simplex start from the previous basis
//   (or, with `cold`, from scratch with presolve, which is faster on large degenerate models).
// - `bound(j, 'min'|'max')` answers optimal (with the objective value and the primal solution),
//   unbounded or infeasible; any other solver outcome (including the per-solve time limit) is
//   'error' — never silently a number.
// - `center()` gives a feasible point near the analytic centre (interior point method, zero
//   objective, no crossover), used only as a witness of values an interval certainly contains.
// - `dispose()` frees the instance; the solver must not be used afterwards.
import highsImport, { type Highs, type Model } from 'highs';

// highs ships CommonJS typings but an ES module build: under NodeNext the default import is typed
// as the module namespace, while at run time it is the loader function itself. Accept both.
type Loader = typeof highsImport.default;
const loadHighs: Loader = typeof highsImport === 'function' ? (highsImport as unknown as Loader) : highsImport.default;

export interface LpRelation {
  vars: number[];
  coefs: number[];
  rhs: number;
}

/** A number as LP text: integers exactly, others with enough digits, never in exponent form. */
function num(v: number): string {
  const r = Math.round(v);
  if (Math.abs(v - r) < 1e-9) return String(r);
  return v.toFixed(12).replace(/0+$/, '');
}

/** CPLEX LP text of: minimise x0; relations; every x ≥ its lower bound (default 0). */
export function lpText(numVars: number, relations: readonly LpRelation[], lower?: ArrayLike<number>): string {
  const out: string[] = ['Minimize', ' obj: x0', 'Subject To'];
  relations.forEach((r, i) => {
    let line = ` r${i}:`;
    for (let t = 0; t < r.vars.length; t++) {
      const a = r.coefs[t]!;
      const sign = a < 0 ? '-' : '+';
      const mag = Math.abs(a);
      line += ` ${t === 0 && a > 0 ? '' : sign + ' '}${mag === 1 ? '' : `${num(mag)} `}x${r.vars[t]}`;
      if (line.length > 200 && t < r.vars.length - 1) {
        out.push(line);
        line = '  ';
      }
    }
    out.push(`${line} = ${num(r.rhs)}`);
  });
  // Every variable appears in the Bounds section, so a variable used by no relation still exists.
  out.push('Bounds');
  for (let j = 0; j < numVars; j++) out.push(` x${j} >= ${num(lower?.[j] ?? 0)}`);
  out.push('End', '');
  return out.join('\n');
}

export type BoundResult =
  | { status: 'optimal'; value: number; solution: Float64Array }
  | { status: 'unbounded' }
  | { status: 'infeasible' }
  | { status: 'error'; detail: string };

let runtime: Promise<Highs> | undefined;

/** Seconds one solve may take before it is reported as an error. */
export const SOLVE_TIME_LIMIT_SECONDS = 600;

export class LpSolver {
  private model: Model | undefined;
  private numCols = 0;
  private costCol = -1;
  /** Column index in HiGHS of each variable x{j} of the loaded model. */
  private colOf: Int32Array = new Int32Array(0);
  solves = 0;

  private constructor(private readonly highs: Highs) {}

  static async create(): Promise<LpSolver> {
    runtime ??= loadHighs();
    return new LpSolver(await runtime);
  }

  private instance(): Model {
    if (!this.model) {
      this.model = this.highs.createModel();
      this.model.options.set({ output_flag: false, time_limit: SOLVE_TIME_LIMIT_SECONDS });
    }
    return this.model;
  }

  /** Reads a model written by `lpText` with `numVars` variables into the one instance. */
  load(text: string, numVars: number): void {
    const m = this.instance();
    m.options.set({ simplex_strategy: 1 });
    m.readModel({ format: 'lp', data: text });
    this.numCols = m.getDimensions().numCols;
    if (this.numCols !== numVars) throw new Error(`HiGHS read ${this.numCols} columns, expected ${numVars}`);
    this.colOf = new Int32Array(numVars);
    for (let j = 0; j < numVars; j++) this.colOf[j] = m.getColByName(`x${j}`);
    // The objective of the text is x0; make costs explicit so `bound` can move the single 1.
    this.costCol = this.colOf[0]!;
  }

  /** Index of variable x{j}'s value in `solution` arrays returned by `bound`. */
  column(j: number): number {
    return this.colOf[j]!;
  }

  /** Minimises or maximises variable x{j} over the loaded model. */
  bound(j: number, sense: 'min' | 'max', opts: { cold?: boolean } = {}): BoundResult {
    const m = this.instance();
    if (opts.cold) m.clearSolver();
    m.zeroAllClocks();
    const col = this.colOf[j]!;
    if (col !== this.costCol) {
      if (this.costCol >= 0) m.changeColCost(this.costCol, 0);
      m.changeColCost(col, 1);
      this.costCol = col;
    }
    const S = this.highs.constants.objectiveSense;
    m.changeObjectiveSense(sense === 'min' ? S.minimize : S.maximize);
    this.solves++;
    let status: number;
    try {
      status = m.run().modelStatus;
    } catch (e) {
      return { status: 'error', detail: e instanceof Error ? e.message : String(e) };
    }
    const MS = this.highs.constants.modelStatus;
    if (status === MS.optimal) return { status: 'optimal', value: m.getObjectiveValue(), solution: m.getSolution().colValue };
    if (status === MS.unbounded) return { status: 'unbounded' };
    if (status === MS.infeasible) return { status: 'infeasible' };
    // Presolve may not tell the two apart; minimising x ≥ 0 can never be unbounded.
    if (status === MS.unboundedOrInfeasible) return sense === 'min' ? { status: 'infeasible' } : { status: 'unbounded' };
    return { status: 'error', detail: `HiGHS model status ${status}` };
  }

  /**
   * Re-solves after an objective change start from the previous optimal basis, which stays primal
   * feasible: on large degenerate models the primal simplex then needs a few hundred pivots where
   * the default (dual) strategy may need tens of thousands. Call after a first (cold) solve.
   */
  preferPrimalWarmStarts(): void {
    this.instance().options.set({ simplex_strategy: 4 });
  }

  /**
   * A point in the relative interior of the loaded model's feasible set, when HiGHS's interior
   * point method finds one: with a zero objective and no crossover it stops near the analytic
   * centre, where every variable that can be positive is. 'infeasible' when there is no solution.
   */
  center(): BoundResult {
    const m = this.instance();
    m.changeColsCost({ kind: 'range', from: 0, to: this.numCols - 1 }, new Float64Array(this.numCols));
    this.costCol = -1;
    m.changeObjectiveSense(this.highs.constants.objectiveSense.minimize);
    m.options.set({ solver: 'ipm', run_crossover: 'off' });
    m.clearSolver();
    m.zeroAllClocks();
    this.solves++;
    try {
      const status = m.run().modelStatus;
      const MS = this.highs.constants.modelStatus;
      if (status === MS.optimal) return { status: 'optimal', value: 0, solution: m.getSolution().colValue };
      if (status === MS.infeasible || status === MS.unboundedOrInfeasible) return { status: 'infeasible' };
      return { status: 'error', detail: `HiGHS model status ${status}` };
    } catch (e) {
      return { status: 'error', detail: e instanceof Error ? e.message : String(e) };
    } finally {
      m.options.set({ solver: 'choose', run_crossover: 'on' });
      m.clearSolver();
    }
  }

  dispose(): void {
    this.model?.dispose();
    this.model = undefined;
  }
}
