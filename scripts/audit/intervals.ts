// intervals.ts — check 3: the interval audit, with the auditor's own LP model.
//
// Guarantees (docs/release-format.md, "Guarantees" 4):
// - For every suppressed quantity the interval [lo, hi] is the LP minimum and maximum of that
//   quantity subject to every relation of structure.ts, every published count of THIS release,
//   and every quantity ≥ 0 — what an attacker holding the release can compute. Because counts
//   are integers, lo is rounded up and hi down, with a tolerance of 1e-6.
// - Failures: a suppressed quantity that is pinned (lo = hi, including one published elsewhere in
//   the same release) — interval-pinned; one that could only be below k (hi < k) — interval-small;
//   a model with no solution (the published counts contradict the relations) — interval-infeasible.
//   Warning (a failure with --strict): an interval reaching into 1..k−1 narrower than the
//   protection level — interval-narrow. Reported intervals are exact, except for a failure proven
//   on a relaxation, where the reported interval encloses the true one (so the failure is certain).
// - Reductions, none of which changes any interval: published counts are substituted; a relation
//   left without unknowns is checked (structure-inconsistent); a relation x − y = c between two
//   unknowns makes them one LP variable (x = y + c, with the lower bounds of both), so identical
//   quantities (e.g. a margin over a dimension with a single code) are solved once; the rest is
//   split into independent components (union-find over relations with ≥ 2 unknowns), each one LP
//   written as CPLEX LP text and read once into a persistent HiGHS instance.
// - Components up to SMALL_COMPONENT unknowns, and every component with `exact`, get two exact
//   LPs (min, max) per suppressed quantity. In larger components, where one LP can take seconds,
//   every feasible point found (a central point from the interior point method, then every
//   optimal vertex) is recorded per quantity; a quantity is then decided, cheapest first:
//     1. values already seen show an interval ≥ protection wide reaching k: it passes, reported
//        as "at least" this interval (exact: false);
//     2. a relaxation on a neighbourhood (relations touching the quantities nearest to it, LEVELS
//        sizes, outside quantities free): if even it pins the quantity or keeps it below k, the
//        failure is certain; if it keeps it ≥ k while two different values were seen, it passes;
//        if it matches the values seen, that interval is exact;
//     3. otherwise the exact LPs on the whole component (the first cold with presolve, the next
//        warm-started with the primal simplex; the max is skipped when min and the values seen
//        already prove the quantity passes).
import type { Findings } from './findings.js';
import type { Manifest } from './format.js';
import { type LpRelation, type LpSolver, lpText } from './lp.js';
import { type ReleaseModel, displayKey } from './structure.js';

export interface CellInterval {
  cell: string;
  lo: number;
  /** null = unbounded. */
  hi: number | null;
  exact: boolean;
}

export interface IntervalSummary {
  suppressed: number;
  /** LP variables after merging identical quantities. */
  variables: number;
  components: number;
  largestComponent: number;
  lpSolves: number;
  /** In large components: decided from feasible points already found. */
  provenWithoutLp: number;
  /** In large components: decided on a neighbourhood relaxation. */
  decidedLocally: number;
  /** In large components: needed exact LPs on the whole component. */
  solvedOnWholeComponent: number;
  pinned: number;
  small: number;
  narrow: number;
  infeasible: number;
  ms: number;
  narrowest: Array<CellInterval & { width: number | null }>;
  /** Every interval, with `keepAll`. */
  all?: CellInterval[];
}

export interface IntervalOptions {
  exact: boolean;
  narrowest: number;
  /** Called now and then during long computations with a one-line status. */
  progress?: (status: string) => void;
  /** Overrides SMALL_COMPONENT (tests use it to exercise the large-component path). */
  smallComponent?: number;
  /** Also return every interval (`IntervalSummary.all`). */
  keepAll?: boolean;
}

/** Components up to this many LP variables are always solved exactly, cell by cell. */
export const SMALL_COMPONENT = 300;
/** Neighbourhood sizes tried, in order, in larger components. */
export const LEVELS = [40, 400];

/** Integer rounding of LP bounds: a value within 1e-6 of an integer is that integer. */
const TOL = 1e-6;
export const roundUp = (v: number) => Math.max(0, Math.ceil(v - TOL));
export const roundDown = (v: number) => Math.floor(v + TOL);

interface Relation {
  vars: number[];
  coefs: number[];
  rhs: number;
}

/** Union-find with offsets: x_i = x_find(i) + offset(i). */
class OffsetUnion {
  readonly parent: Int32Array;
  readonly off: Float64Array;
  constructor(n: number) {
    this.parent = Int32Array.from({ length: n }, (_, i) => i);
    this.off = new Float64Array(n);
  }
  find(i: number): number {
    // Walk up, then compress the path, accumulating offsets from the top down.
    const path: number[] = [];
    let r = i;
    while (this.parent[r] !== r) {
      path.push(r);
      r = this.parent[r]!;
    }
    for (let t = path.length - 2; t >= 0; t--) this.off[path[t]!]! += this.off[path[t + 1]!]!;
    for (const x of path) this.parent[x] = r;
    return r;
  }
  /** Records x_u = x_v + c for two roots u ≠ v. */
  link(u: number, v: number, c: number): void {
    this.parent[u] = v;
    this.off[u] = c;
  }
}

class UnionFind {
  private readonly parent: Int32Array;
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

type Pair = { kind: 'bounds'; lo: number; hi: number | null } | { kind: 'infeasible' } | { kind: 'error'; detail: string };

/** Raw LP min and max of variable `j` of the model loaded in `solver`. */
function solvePair(solver: LpSolver, j: number): Pair {
  const min = solver.bound(j, 'min');
  if (min.status === 'infeasible') return { kind: 'infeasible' };
  if (min.status !== 'optimal') return { kind: 'error', detail: min.status === 'error' ? min.detail : min.status };
  const max = solver.bound(j, 'max');
  if (max.status === 'unbounded') return { kind: 'bounds', lo: min.value, hi: null };
  if (max.status !== 'optimal') return { kind: 'error', detail: max.status === 'error' ? max.detail : max.status };
  return { kind: 'bounds', lo: min.value, hi: max.value };
}

export function auditIntervals(
  model: ReleaseModel,
  manifest: Manifest,
  solvers: { whole: LpSolver; local: LpSolver },
  findings: Findings,
  release: string,
  opts: IntervalOptions,
): IntervalSummary {
  const started = performance.now();
  const { quantities } = model;
  // only suppression releases reach here (audit.ts), and they always carry k and protection
  const k = manifest.k ?? 2;
  const protection = manifest.protection ?? k;
  const minWidth = Math.max(protection, 1);
  const summary: IntervalSummary = {
    suppressed: 0, variables: 0, components: 0, largestComponent: 0, lpSolves: 0, provenWithoutLp: 0, decidedLocally: 0,
    solvedOnWholeComponent: 0, pinned: 0, small: 0, narrow: 0, infeasible: 0, ms: 0, narrowest: [],
  };
  const results: CellInterval[] = [];
  const solvesBefore = solvers.whole.solves + solvers.local.solves;
  let lastProgress = performance.now();
  const progress = (status: () => string, force = false) => {
    if (!opts.progress) return;
    const now = performance.now();
    if (!force && now - lastProgress < 5000) return;
    lastProgress = now;
    opts.progress(`${release}: ${status()}`);
  };

  /** Records the (integer) interval of a quantity and classifies it. */
  const judge = (q: number, lo: number, hi: number | null, exact: boolean, reason = 'lp') => {
    const cell = displayKey(quantities[q]!.key);
    results.push({ cell, lo, hi, exact });
    if (hi !== null && hi <= lo) {
      summary.pinned++;
      findings.add('interval-pinned', { cell, lo, hi, reason }, release);
    } else if (hi !== null && hi < k) {
      summary.small++;
      findings.add('interval-small', { cell, lo, hi, k }, release);
    } else if (exact && hi !== null && lo <= k - 1 && hi >= 1 && hi - lo < protection) {
      summary.narrow++;
      findings.add('interval-narrow', { cell, lo, hi, width: hi - lo, protection }, release);
    }
  };
  const wideEnough = (lo: number, hi: number) => hi - lo >= minWidth && hi >= k;

  // 1. Unknowns and targets; a quantity suppressed here but published elsewhere is simply known.
  const nq = quantities.length;
  const unknown = new Uint8Array(nq);
  quantities.forEach((q, i) => {
    if (q.published === null) unknown[i] = 1;
    if (q.suppressed) {
      summary.suppressed++;
      if (q.published !== null) judge(i, q.published, q.published, true, 'published-elsewhere');
    }
  });

  // 2. Substitute the published counts.
  let reduced: Relation[] = [];
  let inconsistent = 0;
  const inconsistentAt = (parent: number, rhs: number) => {
    if (inconsistent++ < 20) {
      findings.add('structure-inconsistent', { cell: displayKey(quantities[parent]!.key), problem: `its published parts add up to ${rhs > 0 ? 'less' : 'more'} by ${Math.abs(rhs)}` }, release);
    }
  };
  for (let r = 0; r + 1 < model.relStart.length; r++) {
    const vars: number[] = [];
    const coefs: number[] = [];
    let rhs = 0;
    for (let t = model.relStart[r]!; t < model.relStart[r + 1]!; t++) {
      const v = model.relVar[t]!;
      const a = model.relCoef[t]!;
      if (unknown[v]) {
        vars.push(v);
        coefs.push(a);
      } else rhs -= a * quantities[v]!.published!;
    }
    if (vars.length === 0) {
      if (rhs !== 0) inconsistentAt(model.relParent[r]!, rhs);
      continue;
    }
    reduced.push({ vars, coefs, rhs });
  }
  if (inconsistent > 20) findings.add('structure-inconsistent', { cell: '…', problem: `${inconsistent - 20} more` }, release);

  // 3. Merge x − y = c pairs into one variable, until none is left.
  const merge = new OffsetUnion(nq);
  const infeasibleRoots = new Set<number>();
  /** A relation over current roots (coefficients combined, offsets moved to the right side). */
  const onRoots = (r: Relation): Relation => {
    const coef = new Map<number, number>();
    let rhs = r.rhs;
    r.vars.forEach((v, t) => {
      const root = merge.find(v);
      rhs -= r.coefs[t]! * merge.off[v]!;
      coef.set(root, (coef.get(root) ?? 0) + r.coefs[t]!);
    });
    const vars: number[] = [];
    const coefs: number[] = [];
    for (const [v, a] of coef) if (a !== 0) {
      vars.push(v);
      coefs.push(a);
    }
    return { vars, coefs, rhs: Math.abs(rhs - Math.round(rhs)) < 1e-9 ? Math.round(rhs) : rhs };
  };
  for (let changed = true; changed; ) {
    changed = false;
    const next: Relation[] = [];
    for (const r0 of reduced) {
      const r = onRoots(r0);
      if (r.vars.length === 0) {
        if (Math.abs(r.rhs) > 1e-9) infeasibleRoots.add(merge.find(r0.vars[0]!));
        continue;
      }
      if (r.vars.length === 2 && r.coefs[0]! === -r.coefs[1]!) {
        merge.link(r.vars[0]!, r.vars[1]!, r.rhs / r.coefs[0]!); // a·x − a·y = c → x = y + c/a
        changed = true;
        continue;
      }
      next.push(r);
    }
    reduced = next;
  }
  reduced = reduced.map(onRoots).filter((r) => {
    if (r.vars.length > 0) return true;
    if (Math.abs(r.rhs) > 1e-9) infeasibleRoots.add(-1);
    return false;
  });
  // Each root's members, its lower bound (every member ≥ 0) and the suppressed members.
  const lower = new Map<number, number>();
  const targetsOf = new Map<number, number[]>();
  for (let i = 0; i < nq; i++) {
    if (!unknown[i]) continue;
    const root = merge.find(i);
    lower.set(root, Math.max(lower.get(root) ?? 0, -merge.off[i]!));
    if (quantities[i]!.suppressed) {
      const list = targetsOf.get(root);
      if (list) list.push(i);
      else targetsOf.set(root, [i]);
    }
  }
  summary.variables = lower.size;

  // Decisions are made on a root's raw LP values; each suppressed member is judged with its offset.
  const membersJudge = (root: number, lo: number, hi: number | null, exact: boolean) => {
    for (const i of targetsOf.get(root)!) {
      const o = merge.off[i]!;
      judge(i, roundUp(lo + o), hi === null ? null : roundDown(hi + o), exact);
    }
  };
  const membersWide = (root: number, lo: number, hi: number | null) =>
    targetsOf.get(root)!.every((i) => hi === null || wideEnough(roundUp(lo + merge.off[i]!), roundDown(hi + merge.off[i]!)));

  // 4. Components over roots.
  const uf = new UnionFind(nq);
  for (const r of reduced) for (let t = 1; t < r.vars.length; t++) uf.union(r.vars[0]!, r.vars[t]!);
  const compRelations = new Map<number, Relation[]>();
  for (const r of reduced) {
    const c = uf.find(r.vars[0]!);
    const list = compRelations.get(c);
    if (list) list.push(r);
    else compRelations.set(c, [r]);
  }
  const compVars = new Map<number, number[]>();
  for (const root of lower.keys()) {
    const c = uf.find(root);
    const list = compVars.get(c);
    if (list) list.push(root);
    else compVars.set(c, [root]);
  }
  const infeasibleComps = new Set([...infeasibleRoots].map((r) => (r < 0 ? -1 : uf.find(merge.find(r)))));

  // 5. One LP per component that holds a suppressed quantity.
  for (const [comp, vars] of compVars) {
    const targets = vars.filter((v) => targetsOf.has(v));
    if (targets.length === 0) continue;
    const cells = targets.reduce((a, v) => a + targetsOf.get(v)!.length, 0);
    const example = displayKey(quantities[targetsOf.get(targets[0]!)![0]!]!.key);
    if (infeasibleComps.has(comp) || infeasibleComps.has(-1)) {
      summary.infeasible += cells;
      findings.add('interval-infeasible', { cells, example }, release);
      continue;
    }
    const relsGlobal = compRelations.get(comp) ?? [];
    if (relsGlobal.length === 0) {
      // In no relation at all: anything from its lower bound up.
      for (const v of targets) membersJudge(v, lower.get(v)!, null, true);
      continue;
    }
    summary.components++;
    const n = vars.length;
    summary.largestComponent = Math.max(summary.largestComponent, n);
    const local = new Map<number, number>();
    vars.forEach((v, j) => local.set(v, j));
    const rels: Relation[] = relsGlobal.map((r) => ({ vars: r.vars.map((v) => local.get(v)!), coefs: r.coefs, rhs: r.rhs }));
    const lowerLocal = Float64Array.from(vars, (v) => lower.get(v)!);
    try {
      solvers.whole.load(lpText(n, rels, lowerLocal), n);
    } catch (e) {
      findings.add('interval-error', { cells, example, problem: e instanceof Error ? e.message : String(e) }, release);
      continue;
    }
    const large = n > (opts.smallComponent ?? SMALL_COMPONENT);
    const shortcuts = large && !opts.exact;
    if (large) progress(() => `component of ${n} variables, ${targets.length} suppressed, ${rels.length} relations`, true);

    // Values seen in feasible points of the whole component (inner bounds of every interval).
    const seenLo = new Float64Array(n).fill(Infinity);
    const seenHi = new Float64Array(n).fill(-Infinity);
    const wholeCols = Int32Array.from({ length: n }, (_, j) => solvers.whole.column(j));
    const observe = (x: Float64Array) => {
      for (let j = 0; j < n; j++) {
        const val = x[wholeCols[j]!]!;
        if (val < seenLo[j]!) seenLo[j] = val;
        if (val > seenHi[j]!) seenHi[j] = val;
      }
    };
    const seen = (j: number): [number, number] | null => (seenHi[j]! >= seenLo[j]! ? [seenLo[j]!, seenHi[j]!] : null);

    if (shortcuts) {
      const central = solvers.whole.center();
      if (central.status === 'infeasible') {
        summary.infeasible += cells;
        findings.add('interval-infeasible', { cells, example }, release);
        continue;
      }
      if (central.status === 'optimal') {
        // Keep it only if it really is feasible (the interior point method stops within tolerances).
        const x = Float64Array.from({ length: n }, (_, j) => central.solution[wholeCols[j]!]!);
        let worst = 0;
        for (const r of rels) {
          let lhs = 0;
          r.vars.forEach((u, t) => (lhs += r.coefs[t]! * x[u]!));
          worst = Math.max(worst, Math.abs(lhs - r.rhs));
        }
        for (let j = 0; j < n; j++) worst = Math.max(worst, lowerLocal[j]! - x[j]!);
        if (worst <= 1e-7) observe(central.solution);
      }
      progress(() => 'central point found', true);
    }

    // Targets in breadth-first order along the relations: consecutive LPs differ little, so each
    // warm start needs few pivots.
    const relsOf: number[][] = Array.from({ length: n }, () => []);
    rels.forEach((r, i) => r.vars.forEach((j) => relsOf[j]!.push(i)));
    const ordered: number[] = [];
    if (large) {
      const isTarget = new Uint8Array(n);
      for (const v of targets) isTarget[local.get(v)!] = 1;
      const visited = new Uint8Array(n);
      for (const start of targets.map((v) => local.get(v)!)) {
        if (visited[start]) continue;
        visited[start] = 1;
        const queue = [start];
        for (let h = 0; h < queue.length; h++) {
          const u = queue[h]!;
          if (isTarget[u]) ordered.push(u);
          for (const ri of relsOf[u]!) {
            for (const w of rels[ri]!.vars) {
              if (!visited[w]) {
                visited[w] = 1;
                queue.push(w);
              }
            }
          }
        }
      }
    } else ordered.push(...targets.map((v) => local.get(v)!));

    /** LP bounds of variable j over the relations touching its neighbourhood (a relaxation). */
    const neighbourhood = (j: number, cap: number): Pair => {
      const at = new Map<number, number>([[j, 0]]);
      const order = [j];
      for (let h = 0; h < order.length && order.length < cap; h++) {
        for (const ri of relsOf[order[h]!]!) {
          for (const u of rels[ri]!.vars) {
            if (!at.has(u)) {
              at.set(u, order.length);
              order.push(u);
            }
          }
        }
      }
      const touching = new Set<number>();
      for (const u of order) for (const ri of relsOf[u]!) touching.add(ri);
      const lrels: LpRelation[] = [];
      const lowers: number[] = order.map((u) => lowerLocal[u]!);
      for (const ri of touching) {
        const r = rels[ri]!;
        lrels.push({
          vars: r.vars.map((u) => {
            let idx = at.get(u);
            if (idx === undefined) {
              at.set(u, (idx = at.size));
              lowers.push(lowerLocal[u]!);
            }
            return idx;
          }),
          coefs: r.coefs,
          rhs: r.rhs,
        });
      }
      try {
        solvers.local.load(lpText(at.size, lrels, lowers), at.size);
        return solvePair(solvers.local, 0);
      } catch (e) {
        return { kind: 'error', detail: e instanceof Error ? e.message : String(e) };
      }
    };

    let exactSolves = 0;
    let done = 0;
    for (const j of ordered) {
      const root = vars[j]!;
      done++;
      progress(() => `${done}/${ordered.length} variables (${summary.provenWithoutLp} without LP, ${summary.decidedLocally} on neighbourhoods, ${summary.solvedOnWholeComponent} on the whole)`);
      if (shortcuts) {
        const s = seen(j);
        if (s && membersWide(root, s[0], s[1])) {
          summary.provenWithoutLp++;
          membersJudge(root, s[0], s[1], false);
          continue;
        }
        let decided = false;
        for (const cap of LEVELS) {
          if (cap >= n) break;
          const outer = neighbourhood(j, cap);
          if (outer.kind !== 'bounds') continue;
          const members = targetsOf.get(root)!;
          const o = (i: number) => merge.off[i]!;
          // Integer enclosure from the relaxation: the true interval lies inside [outerLo, outerHi].
          const outerLo = (i: number) => roundUp(outer.lo + o(i));
          const outerHi = (i: number) => (outer.hi === null ? null : roundDown(outer.hi + o(i)));
          if (members.every((i) => outerHi(i) !== null && (outerHi(i)! <= outerLo(i) || outerHi(i)! < k))) {
            // Even a relaxation pins it or keeps it below k: a certain failure.
            membersJudge(root, outer.lo, outer.hi, false);
            decided = true;
          } else if (s && members.every((i) => roundDown(s[1] + o(i)) - roundUp(s[0] + o(i)) >= 1 && outerLo(i) >= k)) {
            // Never below k, and two different integer values possible: it can neither fail nor warn.
            membersJudge(root, s[0], s[1], false);
            decided = true;
          } else if (s && members.every((i) => outerLo(i) === roundUp(s[0] + o(i)) && outerHi(i) === roundDown(s[1] + o(i)))) {
            // Values seen reach the relaxation's bounds: this interval is exact.
            membersJudge(root, outer.lo, outer.hi, true);
            decided = true;
          }
          if (decided) break;
        }
        if (decided) {
          summary.decidedLocally++;
          continue;
        }
      }
      // Exact LPs on the whole component: in a large one the first is cold (with presolve), the
      // next ones are warm-started with the primal simplex.
      if (large) summary.solvedOnWholeComponent++;
      const min = solvers.whole.bound(j, 'min', { cold: large && exactSolves === 0 });
      if (large && exactSolves === 0) solvers.whole.preferPrimalWarmStarts();
      exactSolves++;
      if (min.status === 'infeasible') {
        summary.infeasible += cells;
        findings.add('interval-infeasible', { cells, example }, release);
        break;
      }
      if (min.status !== 'optimal') {
        findings.add('interval-error', { cells: targetsOf.get(root)!.length, example: displayKey(quantities[targetsOf.get(root)![0]!]!.key), problem: min.status === 'error' ? min.detail : min.status }, release);
        continue;
      }
      observe(min.solution);
      if (shortcuts) {
        const s = seen(j);
        if (s && membersWide(root, min.value, s[1])) {
          membersJudge(root, min.value, s[1], false); // [lo, at least what was seen]
          continue;
        }
      }
      const max = solvers.whole.bound(j, 'max');
      if (max.status === 'unbounded') {
        membersJudge(root, min.value, null, true);
        continue;
      }
      if (max.status !== 'optimal') {
        findings.add('interval-error', { cells: targetsOf.get(root)!.length, example: displayKey(quantities[targetsOf.get(root)![0]!]!.key), problem: max.status === 'error' ? max.detail : max.status }, release);
        continue;
      }
      observe(max.solution);
      membersJudge(root, min.value, max.value, true);
    }
  }

  const width = (c: CellInterval) => (c.hi === null ? Infinity : c.hi - c.lo);
  summary.narrowest = results
    .filter((c) => c.exact)
    .sort((a, b) => width(a) - width(b) || a.lo - b.lo || (a.cell < b.cell ? -1 : 1))
    .slice(0, opts.narrowest)
    .map((c) => ({ ...c, width: c.hi === null ? null : c.hi - c.lo }));
  if (opts.keepAll) summary.all = results;
  summary.lpSolves = solvers.whole.solves + solvers.local.solves - solvesBefore;
  summary.ms = Math.round(performance.now() - started);
  return summary;
}
