// post-process.ts — TopDown-like post-processing of noisy linked tables (simplified from the 2020
// US Census Disclosure Avoidance System): from one noisy measurement per distinct cell, find
// non-negative INTEGER counts that satisfy every additive constraint and are as close as possible
// (L1) to the measurements.
//
// Post-processing touches only the noisy values (and, with keepTotal, the invariant total), so it
// costs no privacy budget.
//
// Guarantees (every path, checked by `checkConsistent` before returning; a failed check moves to
// the next stage, and the last stage is consistent by construction):
// - every output count is a non-negative integer;
// - every constraint of the linked tables holds exactly (each total = Σ its parts: margins,
//   hierarchy groups, and shared margins are one value, so linked tables agree);
// - with `keepTotal`, the grand-total cell equals its true value (the only invariant).
// Stages (`method` in the result says which one produced the counts):
//   1. 'lp'         the L1 projection as an LP: min Σ|x_c − y_c| s.t. the constraints, x ≥ 0
//                   (x = max(y,0) + p − q, p, q ≥ 0, so no extra rows). For tables whose
//                   constraint matrix is totally unimodular (e.g. 2-D tables with margins) the
//                   simplex vertex is integral; when it is, it is an optimal integer solution.
//   2. 'milp-window' otherwise, the same objective as a MILP restricted to the integer window
//                   [⌊x*_c⌋, ⌈x*_c⌉] around the LP optimum x* (cells integral in x* are fixed):
//                   TopDown's controlled-rounding step; time-limited.
//   3. 'milp'       if the window is infeasible or times out without an incumbent: the full
//                   integer programme, time-limited.
//   4. 'split'      documented repair that always succeeds: integer microdata are synthesised by
//                   splitting the total (true total with keepTotal, else ⌊x*_total⌉) table after
//                   table into the finest cells, proportionally to the LP optimum x* (clamped
//                   noisy values if the LP failed) conditional on the dimensions already placed,
//                   with largest-remainder rounding (sums preserved exactly); every published cell
//                   is then the sum of these microdata, so margins are consistent by construction.
// - Deterministic for given inputs (HiGHS is deterministic and single-threaded here), except that
//   a stage cut short by its time limit depends on machine speed.
import type { Highs } from 'highs';
import type { LinkedTables } from '../disclosure/types.js';

export type PostProcessMethod = 'lp' | 'milp-window' | 'milp' | 'split';

export interface PostProcessOptions {
  /** Fix the grand-total cell to its true value (an invariant, released exactly). */
  keepTotal?: boolean;
  /** Time limit of each MILP stage, seconds (default 20). */
  timeLimitS?: number;
  /** 'auto' runs the stages in order; 'split' jumps to the repair (for tests and comparison). */
  strategy?: 'auto' | 'split';
}

export interface PostProcessResult {
  /** Published count of every distinct cell (index = cell id). */
  counts: Float64Array;
  method: PostProcessMethod;
  /** Σ_c |counts_c − noisy_c| over distinct cells. */
  l1: number;
  /** Optimal value of the LP relaxation (a lower bound on any consistent integer answer's L1). */
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
function solveL1(highs: Highs, lt: LinkedTables, b: Float64Array, w: Window, integer: boolean, timeLimitS: number | undefined): Solved {
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
    model.options.set({ output_flag: false, ...(timeLimitS !== undefined ? { time_limit: timeLimitS } : {}), ...(integer ? { mip_rel_gap: 1e-4 } : {}) });
    const status = model.run().modelStatus as number;
    const toX = (sol: ArrayLike<number>): Float64Array => {
      const x = new Float64Array(n);
      for (let c = 0; c < n; c++) x[c] = b[c]! + sol[c]! - sol[n + c]!;
      return x;
    };
    if (status === STATUS.optimal) return { status: 'optimal', x: toX(model.getSolution().colValue), objective: model.getObjectiveValue() };
    if (status === STATUS.infeasible) return { status: 'infeasible', x: new Float64Array(n), objective: NaN };
    const feasible = Number(model.info.get('primal_solution_status')) === highs.constants.solutionStatus.feasible;
    if (feasible && (status === STATUS.timeLimit || status === STATUS.iterationLimit)) return { status: 'feasible', x: toX(model.getSolution().colValue), objective: model.getObjectiveValue() };
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
 * Consistent non-negative integer counts closest (L1) to the noisy measurements.
 * `noisy[c]` is the measurement of cell id c (integers; may be negative).
 */
export async function postProcess(highs: Highs, lt: LinkedTables, noisy: ArrayLike<number>, opts: PostProcessOptions = {}): Promise<PostProcessResult> {
  const n = lt.cells.length;
  if (noisy.length !== n) throw new Error('one noisy value per distinct cell is required');
  for (let i = 0; i < n; i++) if (!Number.isSafeInteger(noisy[i])) throw new Error(`noisy value of cell ${i} is not an integer`);
  const totalId = totalCellOf(lt);
  const invariant = opts.keepTotal ? { id: totalId, value: lt.cells[totalId]!.value } : undefined;
  const timeLimitS = opts.timeLimitS ?? 20;
  const b = new Float64Array(n);
  for (let i = 0; i < n; i++) b[i] = Math.max(0, noisy[i]!);
  const trace: string[] = [];
  let solves = 0;

  const finish = (x: Float64Array, method: PostProcessMethod, lpObjective: number, fractional: number): PostProcessResult => ({
    counts: x,
    method,
    l1: l1(x, noisy),
    lpObjective,
    fractional,
    solves,
    trace,
  });

  let lpX: Float64Array | undefined;
  let lpObjective = NaN;
  let fractional = 0;
  if (opts.strategy !== 'split') {
    const full: Window = { lo: new Float64Array(n), hi: new Float64Array(n).fill(Infinity) };
    if (invariant) full.lo[invariant.id] = full.hi[invariant.id] = invariant.value;
    // Stage 1: LP.
    solves++;
    const lp = solveL1(highs, lt, b, full, false, undefined);
    trace.push(`lp: ${lp.status}`);
    if (lp.status === 'optimal') {
      lpX = lp.x;
      // Constant offset: Σ_c (b_c − y_c) (cells whose noisy value is negative).
      lpObjective = lp.objective + l1(b, noisy);
      fractional = countFractional(lp.x);
      if (fractional === 0) {
        const x = roundAll(lp.x);
        const err = checkConsistent(lt, x, invariant);
        if (!err) return finish(x, 'lp', lpObjective, 0);
        trace.push(`lp rounding rejected: ${err}`);
      }
      // Stage 2: integer window around the LP optimum.
      const win: Window = { lo: new Float64Array(n), hi: new Float64Array(n) };
      for (let c = 0; c < n; c++) {
        const v = lp.x[c]!;
        const r = Math.round(v);
        if (Math.abs(v - r) <= TOL) win.lo[c] = win.hi[c] = Math.max(0, r);
        else {
          win.lo[c] = Math.max(0, Math.floor(v));
          win.hi[c] = Math.ceil(v);
        }
      }
      if (invariant) win.lo[invariant.id] = win.hi[invariant.id] = invariant.value;
      solves++;
      const w = solveL1(highs, lt, b, win, true, timeLimitS);
      trace.push(`milp-window: ${w.status}`);
      if (w.status === 'optimal' || w.status === 'feasible') {
        const x = roundAll(w.x);
        const err = checkConsistent(lt, x, invariant);
        if (!err) return finish(x, 'milp-window', lpObjective, fractional);
        trace.push(`milp-window rejected: ${err}`);
      }
    }
    // Stage 3: full MILP.
    solves++;
    const mip = solveL1(highs, lt, b, full, true, timeLimitS);
    trace.push(`milp: ${mip.status}`);
    if (mip.status === 'optimal' || mip.status === 'feasible') {
      const x = roundAll(mip.x);
      const err = checkConsistent(lt, x, invariant);
      if (!err) return finish(x, 'milp', lpObjective, fractional);
      trace.push(`milp rejected: ${err}`);
    }
  }
  // Stage 4: proportional split (consistent by construction).
  const guide = lpX ?? b;
  const total = invariant ? invariant.value : Math.max(0, Math.round(guide[totalId]!));
  const x = splitRepair(lt, guide, total);
  const err = checkConsistent(lt, x, invariant);
  if (err) throw new Error(`internal: split repair is inconsistent (${err})`);
  trace.push('split: ok');
  return finish(x, 'split', lpObjective, fractional);
}

/**
 * Stage 4. Synthesises integer microdata with `total` incidents whose tables follow `guide`, then
 * aggregates them into every cell. Tables are placed one after another (the one sharing most
 * dimensions with those already placed first); each record is split over the finest cells of
 * the table that extend it, proportionally to the guide values of those cells (conditional on the
 * record's codes on the shared dimensions; unconditional if those are all zero; uniform if all are
 * zero), with largest-remainder rounding so each record's count is preserved exactly.
 */
export function splitRepair(lt: LinkedTables, guide: ArrayLike<number>, total: number): Float64Array {
  if (!Number.isSafeInteger(total) || total < 0) throw new Error('split: total must be a non-negative integer');
  const dims = lt.dims;
  const D = dims.length;
  const dimIndex = new Map(dims.map((d, i) => [d, i]));
  const leavesOf = dims.map((d) => {
    const tree = lt.trees[d]!;
    const out: number[] = [];
    for (let i = 0; i < tree.children.length; i++) if (tree.children[i]!.length === 0 && i !== 0) out.push(i);
    return out;
  });
  const sizes = dims.map((d) => lt.codes[d]!.length);
  const tableInfo = lt.tables.map((t) => {
    const idx = t.map((d) => dimIndex.get(d)!);
    const strides = new Array<number>(t.length).fill(1);
    for (let i = t.length - 2; i >= 0; i--) strides[i] = strides[i + 1]! * sizes[idx[i + 1]!]!;
    return { idx, strides };
  });

  // Records: codes (leaf code index per dimension, −1 = not placed yet) and counts.
  let recCodes: Int32Array[] = [];
  let recCount: number[] = [];
  if (total > 0) {
    recCodes.push(new Int32Array(D).fill(-1));
    recCount.push(total);
  }
  const placed = new Array<boolean>(D).fill(false);
  const pending = new Set(lt.tables.map((_, i) => i));
  for (;;) {
    let best = -1;
    let bestScore = -1;
    for (const ti of pending) {
      const { idx } = tableInfo[ti]!;
      const fresh = idx.filter((i) => !placed[i]).length;
      if (fresh === 0) continue;
      const shared = idx.length - fresh;
      const score = shared * 1000 + fresh;
      if (score > bestScore) {
        bestScore = score;
        best = ti;
      }
    }
    if (best < 0) break;
    pending.delete(best);
    const { idx, strides } = tableInfo[best]!;
    const ids = lt.tableCells[best]!;
    const freshPos = idx.map((d, i) => (placed[d] ? -1 : i)).filter((i) => i >= 0);
    const sharedPos = idx.map((d, i) => (placed[d] ? i : -1)).filter((i) => i >= 0);
    // Leaf combinations of the fresh dimensions, as offsets within the table.
    let combos: number[][] = [[]];
    for (const pos of freshPos) {
      const next: number[][] = [];
      for (const c of combos) for (const leaf of leavesOf[idx[pos]!]!) next.push([...c, leaf]);
      combos = next;
    }
    const comboOffset = combos.map((c) => c.reduce((s, leaf, j) => s + leaf * strides[freshPos[j]!]!, 0));
    const weightsCache = new Map<number, Float64Array>();
    const weightsFor = (sharedOffset: number): Float64Array => {
      let w = weightsCache.get(sharedOffset);
      if (w) return w;
      w = new Float64Array(combos.length);
      let sum = 0;
      for (let k = 0; k < combos.length; k++) sum += w[k] = Math.max(0, guide[ids[sharedOffset + comboOffset[k]!]!]!);
      if (!(sum > 0) && sharedOffset !== 0) {
        // Shared codes → "*" (index 0): the unconditional distribution of the fresh dimensions.
        sum = 0;
        for (let k = 0; k < combos.length; k++) sum += w[k] = Math.max(0, guide[ids[comboOffset[k]!]!]!);
      }
      if (!(sum > 0)) w.fill(1);
      weightsCache.set(sharedOffset, w);
      return w;
    };
    const nextCodes: Int32Array[] = [];
    const nextCount: number[] = [];
    for (let r = 0; r < recCount.length; r++) {
      const codes = recCodes[r]!;
      let sharedOffset = 0;
      for (const pos of sharedPos) sharedOffset += codes[idx[pos]!]! * strides[pos]!;
      const parts = largestRemainder(recCount[r]!, weightsFor(sharedOffset));
      for (let k = 0; k < parts.length; k++) {
        if (parts[k] === 0) continue;
        const c = Int32Array.from(codes);
        combos[k]!.forEach((leaf, j) => (c[idx[freshPos[j]!]!] = leaf));
        nextCodes.push(c);
        nextCount.push(parts[k]!);
      }
    }
    recCodes = nextCodes;
    recCount = nextCount;
    for (const pos of freshPos) placed[idx[pos]!] = true;
  }

  // Aggregate the microdata into every table (ancestor chains), then into cell ids.
  const x = new Float64Array(lt.cells.length);
  lt.tables.forEach((_, ti) => {
    const { idx, strides } = tableInfo[ti]!;
    const ids = lt.tableCells[ti]!;
    const local = new Float64Array(ids.length);
    for (let r = 0; r < recCount.length; r++) {
      const chains = idx.map((d, i) => {
        const parent = lt.trees[dims[d]!]!.parent;
        const out: number[] = [];
        for (let code = recCodes[r]![d]!; code >= 0; code = parent[code]!) out.push(code * strides[i]!);
        return out;
      });
      accumulate(local, chains, 0, 0, recCount[r]!);
    }
    for (let li = 0; li < ids.length; li++) x[ids[li]!] = local[li]!;
  });
  return x;
}

function accumulate(acc: Float64Array, chains: number[][], i: number, offset: number, c: number): void {
  if (i === chains.length) {
    acc[offset] = acc[offset]! + c;
    return;
  }
  for (const step of chains[i]!) accumulate(acc, chains, i + 1, offset + step, c);
}

/** Splits integer `count` into parts ∝ weights (all ≥ 0, positive sum), preserving the sum exactly. */
export function largestRemainder(count: number, weights: ArrayLike<number>): number[] {
  let sum = 0;
  for (let k = 0; k < weights.length; k++) sum += weights[k]!;
  const parts = new Array<number>(weights.length).fill(0);
  if (count === 0) return parts;
  const rem: Array<[number, number]> = [];
  let given = 0;
  for (let k = 0; k < weights.length; k++) {
    const q = (count * weights[k]!) / sum;
    const f = Math.floor(q);
    parts[k] = f;
    given += f;
    rem.push([q - f, k]);
  }
  rem.sort((a, b) => b[0] - a[0] || a[1] - b[1]);
  // Floating-point guard: Σ⌊q⌋ may exceed count by rounding; take back from the smallest remainders.
  for (let j = rem.length - 1; given > count; j = (j - 1 + rem.length) % rem.length) {
    const k = rem[j]![1];
    if (parts[k]! > 0) {
      parts[k]!--;
      given--;
    }
  }
  for (let j = 0; given < count; j = (j + 1) % rem.length) {
    parts[rem[j]![1]]!++;
    given++;
  }
  return parts;
}
