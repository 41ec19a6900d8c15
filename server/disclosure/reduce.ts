// reduce.ts — exact presolve of one component's attacker system before any LP is solved.
//
// The attacker system of a component is  Σ a_j x_j = b  (one row per constraint, published cells
// moved to the right-hand side), x ≥ 0. Two reductions are applied to a fixpoint:
//   - a row with ONE unknown class pins it (the cell is determined: "structurally determined");
//   - a row with TWO unknown classes is an affine relation x_q = α·x_r + β; q is substituted
//     everywhere (weighted union-find with path compression). This is what makes rectangles and
//     hypercubes (every line holding exactly two suppressed cells) collapse into a single variable.
// Every remaining row mentions ≥ 3 classes. The lower bound of every member (0 for a count,
// none for a change that may be negative: `Structure.lower`) becomes a box on its class variable:
// x_i = α_i·x_c + β_i ≥ lower_i.
//
// Guarantees:
// - Exact: the set of feasible class vectors (with the boxes and remaining rows) maps one-to-one
//   onto the feasible set of the original component; so min/max of a member cell equals
//   α·(min or max of its class) + β. Nothing is approximated.
// - A row that reduces to 0 = c with |c| > tolerance means the published values contradict the
//   constraints: `InconsistentSystemError` is thrown (never silently ignored).
// - Deterministic: classes are numbered by their first member; rows kept in constraint order.
import type { Structure } from './structure.js';

export class InconsistentSystemError extends Error {}

export interface Reduced {
  /** Local variable → cell id (the component's suppressed cells, ascending). */
  vars: number[];
  /** Per variable: pinned value, or NaN when it belongs to a class. */
  pinned: Float64Array;
  /** Per variable: its class (−1 when pinned). */
  cls: Int32Array;
  /** Per variable: x = alpha·x_class + beta. */
  alpha: Float64Array;
  beta: Float64Array;
  /** Number of classes. */
  nClasses: number;
  /** Class boxes from members' lower bounds. */
  lower: Float64Array;
  upper: Float64Array;
  /** True value of every class variable (a feasible point). */
  truth: Float64Array;
  /** Remaining rows (≥ 3 classes each), CSR over classes: Σ val·x_class = rhs. */
  rowStart: Int32Array;
  rowIdx: Int32Array;
  rowVal: Float64Array;
  rowRhs: Float64Array;
}

const EPS = 1e-9;

/**
 * Reduces one component's attacker system (see the header): (1) its rows over the component's
 * local variables, (2) pinning and affine substitution to a fixpoint, (3) classes numbered by first
 * member, (4) class boxes from the members' lower bounds, (5) the remaining rows in class space.
 */
export function reduceComponent(s: Structure, suppressed: Uint8Array, cells: readonly number[], cons: readonly number[]): Reduced {
  const rows = componentRows(s, suppressed, cells, cons);
  const sub = new AffineSubstitution(rows);
  sub.reduceToFixpoint();
  const classes = numberClasses(sub);
  const nc = classes.rootOfClass.length;
  const { lower, upper } = classBoxes(s, cells, classes, nc);
  const truth = new Float64Array(nc);
  for (let c = 0; c < nc; c++) truth[c] = s.values[cells[classes.rootOfClass[c]!]!]!;
  const remaining = remainingRows(sub, classes.classOfRoot);
  return {
    vars: [...cells],
    pinned: classes.pinned,
    cls: classes.cls,
    alpha: classes.alpha,
    beta: classes.beta,
    nClasses: nc,
    lower,
    upper,
    truth,
    ...remaining,
  };
}

/** The component's rows over local variables: Σ coef·x_var = rhs, CSR, with each row's scale. */
interface LocalRows {
  nv: number;
  nr: number;
  rStart: Int32Array;
  rVar: number[];
  rCoef: number[];
  rRhs: Float64Array;
  /** Sum of the magnitudes of the row's true values: the scale of its consistency tolerance. */
  rScale: Float64Array;
  rowsOfVar: number[][];
}

/** Step 1: each constraint as a row over the suppressed cells, published cells moved to the right. */
function componentRows(s: Structure, suppressed: Uint8Array, cells: readonly number[], cons: readonly number[]): LocalRows {
  const nv = cells.length;
  const local = new Map<number, number>();
  cells.forEach((c, i) => local.set(c, i));
  const nr = cons.length;
  const rStart = new Int32Array(nr + 1);
  const rVar: number[] = [];
  const rCoef: number[] = [];
  const rRhs = new Float64Array(nr);
  const rScale = new Float64Array(nr);
  for (let r = 0; r < nr; r++) {
    const j = cons[r]!;
    let rhs = 0;
    let scale = 0;
    for (let q = s.conStart[j]!; q < s.conStart[j + 1]!; q++) {
      const c = s.conCells[q]!;
      const a = q === s.conStart[j] ? 1 : -1;
      scale += Math.abs(s.values[c]!); // a magnitude: a row of negative changes keeps a positive tolerance
      if (suppressed[c]) {
        rVar.push(local.get(c)!);
        rCoef.push(a);
      } else rhs -= a * s.values[c]!;
    }
    rRhs[r] = rhs;
    rScale[r] = scale;
    rStart[r + 1] = rVar.length;
  }
  const rowsOfVar: number[][] = Array.from({ length: nv }, () => []);
  for (let r = 0; r < nr; r++) for (let q = rStart[r]!; q < rStart[r + 1]!; q++) rowsOfVar[rVar[q]!]!.push(r);
  return { nv, nr, rStart, rVar, rCoef, rRhs, rScale, rowsOfVar };
}

/**
 * Step 2: a weighted union-find over the local variables, x_i = alpha[i]·x_parent + beta[i], with
 * pinned roots (`known`), and the rows it reduces: one unknown class pins it, two substitute one.
 */
class AffineSubstitution {
  readonly parent: Int32Array;
  readonly alpha: Float64Array;
  readonly beta: Float64Array;
  /** Pinned value of a root, NaN when unknown (meaningful on roots). */
  readonly known: Float64Array;
  readonly members: number[][];
  readonly alive: Uint8Array;
  /** The classes and coefficients of the row last reduced by `reduceRow`. */
  readonly roots: number[] = [];
  readonly coefs: number[] = [];
  private readonly inQueue: Uint8Array;
  private readonly queue: number[] = [];

  constructor(readonly rows: LocalRows) {
    const { nv, nr } = rows;
    this.parent = new Int32Array(nv);
    this.alpha = new Float64Array(nv).fill(1);
    this.beta = new Float64Array(nv);
    this.known = new Float64Array(nv).fill(NaN);
    this.members = Array.from({ length: nv }, (_, i) => [i]);
    for (let i = 0; i < nv; i++) this.parent[i] = i;
    this.alive = new Uint8Array(nr).fill(1);
    this.inQueue = new Uint8Array(nr).fill(1);
    for (let r = 0; r < nr; r++) this.queue.push(r);
  }

  /** The root of i's class, composing alpha/beta along the path (path compression). */
  find(i: number): number {
    const { parent, alpha, beta } = this;
    let root = i;
    while (parent[root] !== root) root = parent[root]!;
    // Compose along the path (iteratively, from the top down).
    const path: number[] = [];
    for (let x = i; parent[x] !== x; x = parent[x]!) path.push(x);
    for (let t = path.length - 1; t >= 0; t--) {
      const x = path[t]!;
      const p = parent[x]!;
      if (p !== root) {
        beta[x] = alpha[x]! * beta[p]! + beta[x]!;
        alpha[x] = alpha[x]! * alpha[p]!;
        parent[x] = root;
      }
    }
    return root;
  }

  /** Row r in terms of the current unknown classes (`roots`, `coefs`); returns its right-hand side. */
  reduceRow(r: number): number {
    const { rStart, rVar, rCoef, rRhs } = this.rows;
    const { alpha, beta, known, roots, coefs } = this;
    roots.length = 0;
    coefs.length = 0;
    let rhs = rRhs[r]!;
    for (let q = rStart[r]!; q < rStart[r + 1]!; q++) {
      const v = rVar[q]!;
      const a = rCoef[q]!;
      const root = this.find(v);
      const av = a * alpha[v]!;
      rhs -= a * beta[v]!;
      if (!Number.isNaN(known[root]!)) {
        rhs -= av * known[root]!;
        continue;
      }
      const at = roots.indexOf(root);
      if (at >= 0) coefs[at] = coefs[at]! + av;
      else {
        roots.push(root);
        coefs.push(av);
      }
    }
    // Drop cancelled classes.
    let w = 0;
    for (let t = 0; t < roots.length; t++) {
      if (Math.abs(coefs[t]!) > EPS) {
        roots[w] = roots[t]!;
        coefs[w] = coefs[t]!;
        w++;
      }
    }
    roots.length = w;
    coefs.length = w;
    return rhs;
  }

  /** Requeues every live row that mentions a member of `root`'s class. */
  private touch(root: number): void {
    for (const v of this.members[root]!) {
      for (const r of this.rows.rowsOfVar[v]!) {
        if (this.alive[r] && !this.inQueue[r]) {
          this.inQueue[r] = 1;
          this.queue.push(r);
        }
      }
    }
  }

  /** Applies both reductions until no row has fewer than 3 unknown classes. */
  reduceToFixpoint(): void {
    const { queue, inQueue, alive, known, members, parent, alpha, beta, roots, coefs } = this;
    let head = 0;
    while (head < queue.length) {
      const r = queue[head++]!;
      inQueue[r] = 0;
      if (!alive[r]) continue;
      const rhs = this.reduceRow(r);
      if (roots.length === 0) {
        if (Math.abs(rhs) > 1e-6 * (1 + this.rows.rScale[r]!)) throw new InconsistentSystemError('published values contradict an additive constraint');
        alive[r] = 0;
      } else if (roots.length === 1) {
        const root = roots[0]!;
        known[root] = rhs / coefs[0]!;
        alive[r] = 0;
        this.touch(root);
      } else if (roots.length === 2) {
        // a1·x1 + a2·x2 = rhs. Attach the smaller class under the larger one.
        let [r1, r2] = [roots[0]!, roots[1]!];
        let [a1, a2] = [coefs[0]!, coefs[1]!];
        if (members[r2]!.length > members[r1]!.length || (members[r2]!.length === members[r1]!.length && r2 < r1)) {
          [r1, r2] = [r2, r1];
          [a1, a2] = [a2, a1];
        }
        // x_r2 = (rhs − a1·x_r1)/a2
        parent[r2] = r1;
        alpha[r2] = -a1 / a2;
        beta[r2] = rhs / a2;
        alive[r] = 0;
        this.touch(r2);
        for (const v of members[r2]!) members[r1]!.push(v);
        members[r2] = [];
      }
    }
  }
}

interface Classes {
  classOfRoot: Int32Array;
  rootOfClass: number[];
  pinned: Float64Array;
  cls: Int32Array;
  alpha: Float64Array;
  beta: Float64Array;
}

/** Step 3: classes numbered by first member; each variable pinned or affine in its class. */
function numberClasses(sub: AffineSubstitution): Classes {
  const nv = sub.rows.nv;
  const { known, alpha, beta } = sub;
  const classOfRoot = new Int32Array(nv).fill(-1);
  const pinned = new Float64Array(nv).fill(NaN);
  const cls = new Int32Array(nv).fill(-1);
  const va = new Float64Array(nv);
  const vb = new Float64Array(nv);
  const rootOfClass: number[] = [];
  for (let i = 0; i < nv; i++) {
    const root = sub.find(i);
    if (!Number.isNaN(known[root]!)) {
      pinned[i] = root === i ? known[root]! : alpha[i]! * known[root]! + beta[i]!;
      continue;
    }
    let c = classOfRoot[root]!;
    if (c < 0) {
      c = rootOfClass.length;
      classOfRoot[root] = c;
      rootOfClass.push(root);
    }
    cls[i] = c;
    va[i] = root === i ? 1 : alpha[i]!;
    vb[i] = root === i ? 0 : beta[i]!;
  }
  return { classOfRoot, rootOfClass, pinned, cls, alpha: va, beta: vb };
}

/** Step 4: each member's lower bound as a box on its class variable. */
function classBoxes(s: Structure, cells: readonly number[], classes: Classes, nc: number): { lower: Float64Array; upper: Float64Array } {
  const lower = new Float64Array(nc).fill(-Infinity);
  const upper = new Float64Array(nc).fill(Infinity);
  for (let i = 0; i < cells.length; i++) {
    const c = classes.cls[i]!;
    if (c < 0) continue;
    const li = s.lower[cells[i]!]!;
    if (li === -Infinity) continue;
    const a = classes.alpha[i]!;
    const b = classes.beta[i]!;
    const bound = (li - b) / a;
    if (a > 0) {
      if (bound > lower[c]!) lower[c] = bound;
    } else if (bound < upper[c]!) upper[c] = bound;
  }
  return { lower, upper };
}

/** Step 5: the rows still alive (≥ 3 classes each), CSR over classes. */
function remainingRows(sub: AffineSubstitution, classOfRoot: Int32Array): Pick<Reduced, 'rowStart' | 'rowIdx' | 'rowVal' | 'rowRhs'> {
  const oStart: number[] = [0];
  const oIdx: number[] = [];
  const oVal: number[] = [];
  const oRhs: number[] = [];
  for (let r = 0; r < sub.rows.nr; r++) {
    if (!sub.alive[r]) continue;
    const rhs = sub.reduceRow(r);
    for (let t = 0; t < sub.roots.length; t++) {
      oIdx.push(classOfRoot[sub.roots[t]!]!);
      oVal.push(sub.coefs[t]!);
    }
    oRhs.push(rhs);
    oStart.push(oIdx.length);
  }
  return {
    rowStart: Int32Array.from(oStart),
    rowIdx: Int32Array.from(oIdx),
    rowVal: Float64Array.from(oVal),
    rowRhs: Float64Array.from(oRhs),
  };
}
