// intervals.ts — the interval engine: for linear expressions ("targets") over a system of linear
// equalities and inequalities on non-negative variables, the LP minimum and maximum an attacker
// can compute, rounded inwards to integers, to the precision the caller's verdict needs.
//
// Guarantees:
// - The answer for every target is a Range: integers loMin ≤ lo ≤ loMax and hiMin ≤ hi ≤ hiMax,
//   where lo = ⌈LP min − 1e-6⌉ and hi = ⌊LP max + 1e-6⌋ of the target over the system (hi = +∞
//   when unbounded). Every bound is PROVEN: loMax and hiMin are values of the target at feasible
//   points the solver returned (witnesses), loMin and hiMax come from valid relaxations (bound
//   propagation over the equations) or from exact LPs. The caller's `decided(range)` says when a
//   range is precise enough for its verdict; otherwise exact LPs narrow it until lo and hi are
//   exact. With `exact`, every lo and hi is computed exactly.
// - Reductions, none of which changes any LP minimum or maximum: fixed variables are substituted;
//   an equation left with one unknown fixes it; an equation x − y = c makes x and y one variable
//   (x = y + c, with the bounds of both); an inequality with one unknown becomes a bound; the rest
//   is split into independent components (variables linked by some row), each one LP in ONE
//   persistent HiGHS instance (lp.ts). A target spanning several components is the sum of
//   independent parts: its minimum is the sum of their minima.
// - An equation or inequality that the substitutions leave without unknowns and that does not
//   hold is reported by its tag (`inconsistentTags`) and left out; a component whose LP has no
//   solution makes its targets `infeasible` (no range is claimed for them).
// - A solver error on a target is reported (`errors`), never turned into a number.
import { LpSolver, type SparseRows } from './lp.js';

export interface Row {
  vars: number[];
  coefs: number[];
  rhs: number;
  /** Σ coef·x ≥ rhs instead of = rhs. */
  ge?: boolean;
  /** The caller's label, reported when the row is found inconsistent. */
  tag: number;
}

export interface System {
  /** Number of variables; every variable is ≥ 0. */
  n: number;
  /** Known values (NaN: unknown). */
  fixed: Float64Array;
  rows: Row[];
}

export interface Expr {
  vars: number[];
  coefs: number[];
}

/** What is proven about a target's integer interval [lo, hi]. Infinite entries are "no bound". */
export interface Range {
  loMin: number;
  loMax: number;
  hiMin: number;
  hiMax: number;
}

export interface EngineOptions {
  exact: boolean;
  /** A one-line status now and then during long computations. */
  progress?: (status: string) => void;
  /** Random witness objectives per component (default 2). */
  randomWitnesses?: number;
}

export interface EngineStats {
  variables: number;
  unknowns: number;
  rows: number;
  components: number;
  largestComponent: number;
  lpSolves: number;
  witnessSolves: number;
  /** Targets decided without an LP of their own (witnesses, bounds, constants). */
  decidedWithoutOwnLp: number;
  /** Targets that needed exact LPs. */
  solvedExactly: number;
  ms: number;
}

export interface EngineResult {
  ranges: Range[];
  infeasible: Uint8Array;
  errors: Map<number, string>;
  inconsistentTags: number[];
  stats: EngineStats;
}

const TOL = 1e-6;
export const roundUp = (v: number) => (Number.isFinite(v) ? Math.ceil(v - TOL) + 0 : v);
export const roundDown = (v: number) => (Number.isFinite(v) ? Math.floor(v + TOL) + 0 : v);

class UnionFind {
  readonly parent: Int32Array;
  constructor(n: number) {
    this.parent = Int32Array.from({ length: n }, (_, i) => i);
  }
  find(x: number): number {
    let r = x;
    while (this.parent[r] !== r) r = this.parent[r]!;
    while (this.parent[x] !== r) {
      const next = this.parent[x]!;
      this.parent[x] = r;
      x = next;
    }
    return r;
  }
  union(a: number, b: number): void {
    const ra = this.find(a);
    const rb = this.find(b);
    if (ra !== rb) this.parent[ra] = rb;
  }
}

/** x_i = x_root(i) + off_i, with path compression that keeps offsets right. */
class OffsetUnion {
  readonly parent: Int32Array;
  readonly off: Float64Array;
  constructor(n: number) {
    this.parent = Int32Array.from({ length: n }, (_, i) => i);
    this.off = new Float64Array(n);
  }
  find(i: number): number {
    let r = i;
    const path: number[] = [];
    while (this.parent[r] !== r) {
      path.push(r);
      r = this.parent[r]!;
    }
    for (let t = path.length - 2; t >= 0; t--) this.off[path[t]!]! += this.off[path[t + 1]!]!;
    for (const x of path) this.parent[x] = r;
    return r;
  }
}

interface RootRow {
  vars: number[];
  coefs: number[];
  rhs: number;
  ge: boolean;
  tag: number;
}

/** A target's piece on one component: Σ coef·x over the component's (local) variables. */
interface Part {
  comp: number;
  vars: number[]; // global root ids
  coefs: number[];
  // proven values of this part
  wMin: number; // smallest value seen at a witness (+∞: none)
  wMax: number;
  oMin: number; // outer (relaxation) bounds
  oMax: number;
  exactMin: boolean;
  exactMax: boolean;
}

const snap = (v: number) => (Math.abs(v - Math.round(v)) < 1e-9 ? Math.round(v) : v);

/**
 * The ranges of `targets` over `system` (see the header), in the steps its guarantees name:
 * 1. reduction, 2. outer bounds by propagation, 3. components, 4. targets as parts over the
 * components, 5. one LP per component (witnesses, then the targets inside it), 6. the targets
 * spanning several components.
 */
export async function computeIntervals(
  system: System,
  targets: readonly Expr[],
  decided: (t: number, r: Range) => boolean,
  opts: EngineOptions,
): Promise<EngineResult> {
  const started = performance.now();
  const { n } = system;
  const stats: EngineStats = {
    variables: n,
    unknowns: 0,
    rows: 0,
    components: 0,
    largestComponent: 0,
    lpSolves: 0,
    witnessSolves: 0,
    decidedWithoutOwnLp: 0,
    solvedExactly: 0,
    ms: 0,
  };
  const inconsistentTags: number[] = [];

  // 1. Reduction: substitute, fix, merge x − y = c, turn one-unknown inequalities into bounds.
  const red = reduceSystem(system, inconsistentTags);
  stats.rows = red.rows.length;
  for (let i = 0; i < n; i++) if (red.uf.find(i) === i && Number.isNaN(red.value[i]!)) stats.unknowns++;
  // 2. Outer bounds by propagation over the rows (a relaxation: every feasible point obeys them).
  const outer = outerBounds(red);
  // 3. Components over the roots that remain unknown.
  const comps = componentsOf(n, red.rows);
  stats.components = comps.compRows.size;
  for (const list of comps.compVars.values()) stats.largestComponent = Math.max(stats.largestComponent, list.length);
  // 4. Targets as parts over components (a root in no row is a part solved from its bounds).
  const split = splitTargets(targets, red, outer, comps);
  const book = new TargetBook(split, decided, opts.exact);
  for (let ti = 0; ti < targets.length; ti++) if (book.isDone(ti)) stats.decidedWithoutOwnLp++;

  // 5. and 6.: the LPs.
  const solver = await LpSolver.create();
  const lps = new ComponentLps(solver, system, red, outer, comps, split, book, stats, opts, started);
  try {
    lps.solveComponents();
    lps.solveSpanningTargets();
  } finally {
    stats.lpSolves = solver.solves;
    solver.dispose();
  }

  const infeasible = new Uint8Array(targets.length);
  const ranges: Range[] = [];
  for (let ti = 0; ti < targets.length; ti++) {
    if (split.targetParts[ti]!.some((pi) => split.parts[pi]!.comp >= 0 && lps.compInfeasible.has(split.parts[pi]!.comp))) infeasible[ti] = 1;
    ranges.push(book.rangeOf(ti));
  }
  stats.ms = Math.round(performance.now() - started);
  return { ranges, infeasible, errors: lps.errors, inconsistentTags, stats };
}

/** The system after step 1: x_i = x_root(i) + off_i; per root its value (NaN: unknown) and bounds. */
interface ReducedSystem {
  uf: OffsetUnion;
  value: Float64Array;
  L: Float64Array;
  U: Float64Array;
  /** The rows left, over current roots, each with at least one unknown. */
  rows: RootRow[];
}

/** Step 1. Rows left without unknowns that do not hold go to `inconsistentTags`. */
function reduceSystem(system: System, inconsistentTags: number[]): ReducedSystem {
  const { n } = system;
  const uf = new OffsetUnion(n);
  const value = Float64Array.from(system.fixed); // per root: NaN unknown
  const L = new Float64Array(n); // per root, in terms of the root
  const U = new Float64Array(n).fill(Infinity);
  for (let i = 0; i < n; i++) {
    if (!Number.isNaN(value[i]!) && value[i]! < -TOL) {
      // a published negative count cannot happen (schemas refuse it); keep the row out
      value[i] = NaN;
    }
  }
  const toRoots = (r: { vars: number[]; coefs: number[]; rhs: number }): { vars: number[]; coefs: number[]; rhs: number } => {
    const coef = new Map<number, number>();
    let rhs = r.rhs;
    for (let t = 0; t < r.vars.length; t++) {
      const v = r.vars[t]!;
      const a = r.coefs[t]!;
      const root = uf.find(v);
      rhs -= a * uf.off[v]!;
      const val = value[root]!;
      if (!Number.isNaN(val)) rhs -= a * val;
      else coef.set(root, (coef.get(root) ?? 0) + a);
    }
    const vars: number[] = [];
    const coefs: number[] = [];
    for (const [v, a] of coef)
      if (Math.abs(a) > 1e-12) {
        vars.push(v);
        coefs.push(a);
      }
    return { vars, coefs, rhs: snap(rhs) };
  };
  const fixRoot = (root: number, v: number): boolean => {
    if (v < L[root]! - TOL || v > U[root]! + TOL) return false;
    value[root] = snap(v);
    return true;
  };
  let rows: RootRow[] = system.rows.map((r) => ({ vars: r.vars, coefs: r.coefs, rhs: r.rhs, ge: !!r.ge, tag: r.tag }));
  for (let changed = true; changed; ) {
    changed = false;
    const next: RootRow[] = [];
    for (const r0 of rows) {
      const r = toRoots(r0);
      const row: RootRow = { ...r, ge: r0.ge, tag: r0.tag };
      if (r.vars.length === 0) {
        if (r0.ge ? r.rhs > TOL : Math.abs(r.rhs) > TOL) inconsistentTags.push(r0.tag);
        continue;
      }
      if (r.vars.length === 1) {
        const v = r.vars[0]!;
        const a = r.coefs[0]!;
        const b = r.rhs / a;
        if (!r0.ge) {
          if (!fixRoot(v, b)) inconsistentTags.push(r0.tag);
          changed = true;
          continue;
        }
        if (a > 0) L[v] = Math.max(L[v]!, b);
        else U[v] = Math.min(U[v]!, b);
        if (L[v]! > U[v]! + TOL) {
          inconsistentTags.push(r0.tag);
          U[v] = L[v]!;
        }
        if (U[v]! - L[v]! <= TOL) fixRoot(v, L[v]!);
        changed = true;
        continue;
      }
      if (!r0.ge && r.vars.length === 2 && Math.abs(r.coefs[0]! + r.coefs[1]!) < 1e-12) {
        // a·x_u − a·x_v = c → x_u = x_v + c/a
        const u = r.vars[0]!;
        const v = r.vars[1]!;
        const c = r.rhs / r.coefs[0]!;
        uf.parent[u] = v;
        uf.off[u] = c;
        L[v] = Math.max(L[v]!, L[u]! - c);
        U[v] = Math.min(U[v]!, U[u]! - c);
        if (L[v]! > U[v]! + TOL) {
          inconsistentTags.push(r0.tag);
          U[v] = L[v]!;
        }
        if (U[v]! - L[v]! <= TOL) fixRoot(v, L[v]!);
        changed = true;
        continue;
      }
      next.push(row);
    }
    rows = next;
  }
  // Final form of the remaining rows (over current roots).
  rows = rows
    .map((r0) => ({ ...toRoots(r0), ge: r0.ge, tag: r0.tag }))
    .filter((r) => {
      if (r.vars.length > 0) return true;
      if (r.ge ? r.rhs > TOL : Math.abs(r.rhs) > TOL) inconsistentTags.push(r.tag);
      return false;
    });
  return { uf, value, L, U, rows };
}

/** Step 2's outer bounds per root, and whether propagation found some root's bounds crossed. */
interface OuterBounds {
  oL: Float64Array;
  oU: Float64Array;
  propInfeasible: boolean;
}

/** Step 2. Outer bounds by propagation over the rows (a relaxation: every feasible point obeys them). */
function outerBounds(red: ReducedSystem): OuterBounds {
  const oL = Float64Array.from(red.L);
  const oU = Float64Array.from(red.U);
  let propInfeasible = false;
  for (let round = 0; round < 30; round++) {
    let changed = false;
    for (const r of red.rows) {
      let minF = 0,
        maxF = 0,
        minInf = 0,
        maxInf = 0;
      for (let t = 0; t < r.vars.length; t++) {
        const a = r.coefs[t]!;
        const lo = oL[r.vars[t]!]!,
          hi = oU[r.vars[t]!]!;
        const cMin = a > 0 ? a * lo : a * hi;
        const cMax = a > 0 ? a * hi : a * lo;
        if (Number.isFinite(cMin)) minF += cMin;
        else minInf++;
        if (Number.isFinite(cMax)) maxF += cMax;
        else maxInf++;
      }
      for (let t = 0; t < r.vars.length; t++) {
        const v = r.vars[t]!;
        const a = r.coefs[t]!;
        const lo = oL[v]!,
          hi = oU[v]!;
        const cMin = a > 0 ? a * lo : a * hi;
        const cMax = a > 0 ? a * hi : a * lo;
        // others' max and min activity
        const oMaxInf = maxInf - (Number.isFinite(cMax) ? 0 : 1);
        const oMinInf = minInf - (Number.isFinite(cMin) ? 0 : 1);
        const othersMax = oMaxInf > 0 ? Infinity : maxF - (Number.isFinite(cMax) ? cMax : 0);
        const othersMin = oMinInf > 0 ? -Infinity : minF - (Number.isFinite(cMin) ? cMin : 0);
        // a·x ≥ rhs − othersMax (always); a·x ≤ rhs − othersMin (equations)
        const low = r.rhs - othersMax;
        const high = r.ge ? Infinity : r.rhs - othersMin;
        let nlo = lo,
          nhi = hi;
        if (a > 0) {
          if (Number.isFinite(low)) nlo = Math.max(nlo, low / a);
          if (Number.isFinite(high)) nhi = Math.min(nhi, high / a);
        } else {
          if (Number.isFinite(low)) nhi = Math.min(nhi, low / a);
          if (Number.isFinite(high)) nlo = Math.max(nlo, high / a);
        }
        if (nlo > lo + 1e-9 * Math.max(1, Math.abs(lo)) || nhi < hi - 1e-9 * Math.max(1, Math.abs(hi))) {
          if (nlo > nhi + TOL) propInfeasible = true;
          // update the running sums
          const ncMin = a > 0 ? a * nlo : a * nhi;
          const ncMax = a > 0 ? a * nhi : a * nlo;
          if (Number.isFinite(cMin)) minF -= cMin;
          else minInf--;
          if (Number.isFinite(cMax)) maxF -= cMax;
          else maxInf--;
          if (Number.isFinite(ncMin)) minF += ncMin;
          else minInf++;
          if (Number.isFinite(ncMax)) maxF += ncMax;
          else maxInf++;
          oL[v] = nlo;
          oU[v] = nhi;
          changed = true;
        }
      }
    }
    if (!changed) break;
  }
  return { oL, oU, propInfeasible };
}

/** Step 3's components: each one's rows and its (distinct) roots, keyed by the component's root. */
interface Components {
  comp: UnionFind;
  compRows: Map<number, RootRow[]>;
  compVars: Map<number, number[]>;
}

/** Step 3. Components over the roots that remain unknown (linked by some row). */
function componentsOf(n: number, rows: readonly RootRow[]): Components {
  const comp = new UnionFind(n);
  for (const r of rows) for (let t = 1; t < r.vars.length; t++) comp.union(r.vars[0]!, r.vars[t]!);
  const compRows = new Map<number, RootRow[]>();
  for (const r of rows) {
    const c = comp.find(r.vars[0]!);
    const list = compRows.get(c);
    if (list) list.push(r);
    else compRows.set(c, [r]);
  }
  const compVars = new Map<number, number[]>();
  for (const r of rows)
    for (const v of r.vars) {
      const c = comp.find(v);
      let list = compVars.get(c);
      if (!list) compVars.set(c, (list = []));
      list.push(v);
    }
  for (const [c, list] of compVars) compVars.set(c, [...new Set(list)]);
  return { comp, compRows, compVars };
}

/** Step 4's targets as parts: each target's constant and part indices, and the parts of each component. */
interface SplitTargets {
  parts: Part[];
  targetParts: number[][];
  targetConst: Float64Array;
  compParts: Map<number, number[]>;
  /** Targets per component, and whether each lies in several components. */
  compTargets: Map<number, number[]>;
  multi: Uint8Array;
}

/** Step 4. Targets as parts over components; the same piece in several targets is one part. */
function splitTargets(targets: readonly Expr[], red: ReducedSystem, outer: OuterBounds, comps: Components): SplitTargets {
  const { uf, value, L, U } = red;
  const { oL, oU } = outer;
  const { comp } = comps;
  const touched = new Uint8Array(red.uf.parent.length);
  for (const r of red.rows) for (const v of r.vars) touched[v] = 1;
  const parts: Part[] = [];
  const targetParts: number[][] = [];
  const targetConst = new Float64Array(targets.length);
  const compParts = new Map<number, number[]>();
  const partIndex = new Map<string, number>();
  targets.forEach((e, ti) => {
    let cst = 0;
    const coef = new Map<number, number>();
    for (let t = 0; t < e.vars.length; t++) {
      const v = e.vars[t]!;
      const a = e.coefs[t]!;
      const root = uf.find(v);
      cst += a * uf.off[v]!;
      const val = value[root]!;
      if (!Number.isNaN(val)) cst += a * val;
      else coef.set(root, (coef.get(root) ?? 0) + a);
    }
    targetConst[ti] = snap(cst);
    const byComp = new Map<number, { vars: number[]; coefs: number[] }>();
    const mine: number[] = [];
    for (const [v, a] of coef) {
      if (Math.abs(a) < 1e-12) continue;
      if (!touched[v]) {
        // only its bounds constrain it: exact from the box
        const lo = a > 0 ? a * L[v]! : a * U[v]!;
        const hi = a > 0 ? a * U[v]! : a * L[v]!;
        mine.push(parts.length);
        parts.push({ comp: -1, vars: [v], coefs: [a], wMin: lo, wMax: hi, oMin: lo, oMax: hi, exactMin: true, exactMax: true });
        continue;
      }
      const c = comp.find(v);
      let t = byComp.get(c);
      if (!t) byComp.set(c, (t = { vars: [], coefs: [] }));
      t.vars.push(v);
      t.coefs.push(a);
    }
    // One part per component; the same piece in several targets is one part (solved once).
    for (const [c, t] of byComp) {
      const order = t.vars.map((_, i) => i).sort((x, y) => t.vars[x]! - t.vars[y]!);
      const vars = order.map((i) => t.vars[i]!);
      const coefs = order.map((i) => t.coefs[i]!);
      const key = `${c}:${vars.join(',')}:${coefs.join(',')}`;
      let pi = partIndex.get(key);
      if (pi === undefined) {
        pi = parts.length;
        partIndex.set(key, pi);
        let oMin = 0,
          oMax = 0;
        vars.forEach((v, i) => {
          const a = coefs[i]!;
          oMin += a > 0 ? a * oL[v]! : a * oU[v]!;
          oMax += a > 0 ? a * oU[v]! : a * oL[v]!;
        });
        parts.push({
          comp: c,
          vars,
          coefs,
          wMin: Infinity,
          wMax: -Infinity,
          oMin: Number.isNaN(oMin) ? -Infinity : oMin,
          oMax: Number.isNaN(oMax) ? Infinity : oMax,
          exactMin: false,
          exactMax: false,
        });
        let list = compParts.get(c);
        if (!list) compParts.set(c, (list = []));
        list.push(pi);
      }
      mine.push(pi);
    }
    targetParts.push(mine);
  });
  // Targets per component, and whether each lies in one component only.
  const compTargets = new Map<number, number[]>();
  const multi = new Uint8Array(targets.length);
  targetParts.forEach((ps, ti) => {
    const cs = new Set(ps.map((pi) => parts[pi]!.comp).filter((c) => c >= 0));
    if (cs.size > 1) multi[ti] = 1;
    for (const c of cs) {
      let list = compTargets.get(c);
      if (!list) compTargets.set(c, (list = []));
      list.push(ti);
    }
  });
  return { parts, targetParts, targetConst, compParts, compTargets, multi };
}

/** What is proven of each target from its parts, and which targets are done. */
class TargetBook {
  readonly done: Uint8Array;

  constructor(
    private readonly split: SplitTargets,
    private readonly decided: (t: number, r: Range) => boolean,
    private readonly exact: boolean,
  ) {
    this.done = new Uint8Array(split.targetParts.length);
  }

  rangeOf(ti: number): Range {
    const { targetConst, targetParts, parts } = this.split;
    let loO = targetConst[ti]!,
      loI = targetConst[ti]!,
      hiI = targetConst[ti]!,
      hiO = targetConst[ti]!;
    for (const pi of targetParts[ti]!) {
      const p = parts[pi]!;
      loO += p.exactMin ? p.wMin : p.oMin;
      loI += p.wMin;
      hiI += p.wMax;
      hiO += p.exactMax ? p.wMax : p.oMax;
    }
    if (Number.isNaN(loI)) loI = Infinity;
    if (Number.isNaN(hiI)) hiI = -Infinity;
    return { loMin: roundUp(loO), loMax: roundUp(loI), hiMin: roundDown(hiI), hiMax: roundDown(hiO) };
  }

  /** Whether target ti is done: both ends exact, or (unless exact) its range decides the verdict. */
  isDone(ti: number): boolean {
    if (this.done[ti]) return true;
    const r = this.rangeOf(ti);
    const { targetParts, parts } = this.split;
    const exactBoth = targetParts[ti]!.every((pi) => parts[pi]!.exactMin && parts[pi]!.exactMax);
    if (exactBoth || (!this.exact && this.decided(ti, r))) {
      this.done[ti] = 1;
      return true;
    }
    return false;
  }
}

/** Steps 5 and 6: one persistent LP per component, loaded in turn. */
class ComponentLps {
  readonly compInfeasible = new Set<number>();
  readonly errors = new Map<number, string>();
  private readonly witnessCap: number;
  /** When progress was last reported (the start of the computation at first). */
  private lastProgress: number;
  private rnd = 0x9e3779b9;

  constructor(
    private readonly solver: LpSolver,
    system: System,
    private readonly red: ReducedSystem,
    private readonly outer: OuterBounds,
    private readonly comps: Components,
    private readonly split: SplitTargets,
    private readonly book: TargetBook,
    private readonly stats: EngineStats,
    private readonly opts: EngineOptions,
    started: number,
  ) {
    this.lastProgress = started;
    let s = 0;
    for (const r of system.rows) s += Math.abs(r.rhs);
    for (let i = 0; i < system.n; i++) if (!Number.isNaN(system.fixed[i]!)) s += Math.abs(system.fixed[i]!);
    this.witnessCap = Math.max(1000, 4 * s + 1000);
  }

  private progress(status: () => string, force = false): void {
    if (!this.opts.progress) return;
    const now = performance.now();
    if (!force && now - this.lastProgress < 5000) return;
    this.lastProgress = now;
    this.opts.progress(status());
  }

  private random(): number {
    this.rnd ^= this.rnd << 13;
    this.rnd ^= this.rnd >>> 17;
    this.rnd ^= this.rnd << 5;
    return (this.rnd >>> 0) / 4294967296;
  }

  /** Loads component c into the solver; its roots and their local column indices. */
  private loadComp(c: number): { local: Map<number, number>; vars: number[] } {
    const { L, U } = this.red;
    const vars = this.comps.compVars.get(c)!;
    const local = new Map<number, number>();
    vars.forEach((v, j) => local.set(v, j));
    const crows = this.comps.compRows.get(c)!;
    const starts = new Int32Array(crows.length + 1);
    let nnz = 0;
    crows.forEach((r, i) => {
      nnz += r.vars.length;
      starts[i + 1] = nnz;
    });
    const index = new Int32Array(nnz);
    const val = new Float64Array(nnz);
    const lower = new Float64Array(crows.length);
    const upper = new Float64Array(crows.length);
    let k = 0;
    crows.forEach((r, i) => {
      for (let t = 0; t < r.vars.length; t++) {
        index[k] = local.get(r.vars[t]!)!;
        val[k++] = r.coefs[t]!;
      }
      lower[i] = r.rhs;
      upper[i] = r.ge ? Infinity : r.rhs;
    });
    const sr: SparseRows = { starts, index, value: val, lower, upper };
    this.solver.load(
      vars.length,
      Float64Array.from(vars, (v) => L[v]!),
      Float64Array.from(vars, (v) => U[v]!),
      sr,
    );
    return { local, vars };
  }

  /** Records a feasible point of component c in every part of its undecided targets. */
  private observe(c: number, local: Map<number, number>, x: Float64Array): void {
    for (const pi of this.split.compParts.get(c) ?? []) {
      const p = this.split.parts[pi]!;
      if (p.exactMin && p.exactMax) continue;
      let s = 0;
      for (let t = 0; t < p.vars.length; t++) s += p.coefs[t]! * x[local.get(p.vars[t]!)!]!;
      if (s < p.wMin) p.wMin = s;
      if (s > p.wMax) p.wMax = s;
    }
  }

  /** Exact minimum or maximum of one part (its component loaded). */
  private solvePart(pi: number, local: Map<number, number>, sense: 'min' | 'max', ti: number): boolean {
    const p = this.split.parts[pi]!;
    if (sense === 'min' ? p.exactMin : p.exactMax) return true;
    const res = this.solver.optimise(
      p.vars.map((v) => local.get(v)!),
      p.coefs,
      sense,
    );
    if (res.status === 'optimal') {
      this.observe(p.comp, local, res.solution);
      if (sense === 'min') {
        p.wMin = res.value;
        p.exactMin = true;
      } else {
        p.wMax = res.value;
        p.exactMax = true;
      }
      return true;
    }
    if (res.status === 'unbounded') {
      if (sense === 'min') {
        p.wMin = -Infinity;
        p.exactMin = true;
      } else {
        p.wMax = Infinity;
        p.exactMax = true;
      }
      return true;
    }
    if (res.status === 'infeasible') {
      this.compInfeasible.add(p.comp);
      return false;
    }
    this.errors.set(ti, res.detail);
    return false;
  }

  /** The part of target ti on component c. */
  private partOn(ti: number, c: number): number {
    return this.split.targetParts[ti]!.find((x) => this.split.parts[x]!.comp === c)!;
  }

  /**
   * Step 5. Per component with an undecided target: witnesses (unless exact), then its targets
   * inside it alone, then (exact mode) its part of the targets spanning several components.
   */
  solveComponents(): void {
    const { compTargets, multi } = this.split;
    const { done } = this.book;
    const { stats, opts, solver } = this;
    const { U, L } = this.red;
    const { oL, oU, propInfeasible } = this.outer;
    const comps = [...compTargets.keys()].filter((c) => compTargets.get(c)!.some((ti) => !done[ti]));
    let compDone = 0;
    for (const c of comps) {
      compDone++;
      const { local, vars } = this.loadComp(c);
      const nv = vars.length;
      this.progress(() => `component ${compDone}/${comps.length}: ${nv} unknowns, ${this.comps.compRows.get(c)!.length} equations`, nv > 2000);
      if (propInfeasible && vars.some((v) => oL[v]! > oU[v]! + TOL)) {
        this.compInfeasible.add(c);
        continue;
      }
      const solvesBefore = solver.solves;
      // Witnesses: feasible points that push every unknown down, up, and in random directions.
      if (!opts.exact) {
        const capped = Float64Array.from(vars, (v) => Math.min(U[v]!, Math.max(L[v]! + this.witnessCap, this.witnessCap)));
        solver.setUpper(capped);
        const all = Array.from({ length: nv }, (_, j) => j);
        const objectives: Array<[number[], 'min' | 'max']> = [
          [all.map(() => 1), 'min'],
          [all.map(() => 1), 'max'],
        ];
        for (let w = 0; w < (opts.randomWitnesses ?? 2); w++) objectives.push([all.map(() => (this.random() < 0.5 ? -1 : 1)), 'max']);
        for (const [coefs, sense] of objectives) {
          const res = solver.optimise(all, coefs, sense);
          stats.witnessSolves++;
          if (res.status === 'optimal') this.observe(c, local, res.solution);
          else if (res.status === 'infeasible') break; // the capped model; the exact LPs will tell
        }
        solver.setUpper(Float64Array.from(vars, (v) => U[v]!));
      }
      // Targets inside this component only: decide them now.
      const mine = compTargets.get(c)!;
      let k = 0;
      for (const ti of mine) {
        k++;
        if (done[ti] || multi[ti]) continue;
        if (this.book.isDone(ti)) {
          stats.decidedWithoutOwnLp++;
          continue;
        }
        this.progress(() => `component ${compDone}/${comps.length} (${nv} unknowns): ${k}/${mine.length} quantities, ${solver.solves - solvesBefore} LPs`);
        const pi = this.partOn(ti, c);
        stats.solvedExactly++;
        let ok = this.solvePart(pi, local, 'min', ti);
        if (ok && !this.book.isDone(ti)) ok = this.solvePart(pi, local, 'max', ti);
        if (!ok) {
          if (this.compInfeasible.has(c)) break;
          done[ti] = 1;
          continue;
        }
        this.book.isDone(ti);
      }
      if (this.compInfeasible.has(c)) continue;
      // Targets spanning several components: in exact mode, their part here exactly.
      if (opts.exact) {
        for (const ti of mine) {
          if (!multi[ti]) continue;
          const pi = this.partOn(ti, c);
          if (!this.solvePart(pi, local, 'min', ti) || !this.solvePart(pi, local, 'max', ti)) break;
        }
      }
    }
  }

  /** Step 6. Targets spanning several components, not decided by what is known of their parts. */
  solveSpanningTargets(): void {
    const { targetParts, parts, multi } = this.split;
    const { done } = this.book;
    const pending = new Map<number, Set<number>>();
    for (let ti = 0; ti < targetParts.length; ti++) {
      if (!multi[ti] || done[ti]) continue;
      if (targetParts[ti]!.some((pi) => this.compInfeasible.has(parts[pi]!.comp))) continue;
      if (this.book.isDone(ti)) {
        this.stats.decidedWithoutOwnLp++;
        continue;
      }
      this.stats.solvedExactly++;
      for (const pi of targetParts[ti]!) {
        const p = parts[pi]!;
        if (p.comp < 0 || (p.exactMin && p.exactMax)) continue;
        let set = pending.get(p.comp);
        if (!set) pending.set(p.comp, (set = new Set()));
        set.add(ti);
      }
    }
    for (const [c, tis] of pending) {
      const { local } = this.loadComp(c);
      for (const ti of tis) {
        const pi = this.partOn(ti, c);
        if (!this.solvePart(pi, local, 'min', ti) || !this.solvePart(pi, local, 'max', ti)) {
          if (this.compInfeasible.has(c)) break;
        }
      }
    }
  }
}
