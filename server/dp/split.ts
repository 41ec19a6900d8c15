// split.ts — integer microdata synthesis: consistent integer tables built as the aggregates of
// synthetic integer records that follow a guide (the LP optimum, or clamped noisy values). Used per
// table by table-rounding.ts, and over all tables as the post-processing's repair of last resort.
//
// Guarantees:
// - `splitRepair(lt, guide, total)` returns one count per distinct cell that is a non-negative
//   integer, satisfies EVERY constraint of `lt` exactly, and whose grand total is `total` — by
//   construction: the counts are the aggregates of integer microdata (records with a leaf code on
//   every dimension and a positive integer count, summing to `total`), so every margin, hierarchy
//   group and shared quantity is a sum of the same records. Never fails for valid input, whatever
//   the guide (negative, zero or inconsistent guide values are tolerated).
// - With `exactTables: k`, the first k tables are placed first; if the guide is integral and
//   consistent on them they are reproduced exactly (each split divides an integer total in
//   proportion to integers that sum to it).
// - Deterministic (no randomness; ties broken by index). At most `total` records at any time.
// Construction (a sequential top-down allocation):
//   dimensions are placed one at a time; the next one is the dimension d of the table T that
//   shares most dimensions C with those already placed. Records are grouped by their codes on C;
//   each group's count is divided among the leaves of d in proportion to the guide values of
//   T's cells (C = the group's codes, d = leaf, T's other dimensions = "*"), by largest remainder
//   corrected with a carry per leaf (so the margin of d summed over groups stays within about one
//   of the guide). The units of each leaf are then handed to the group's records; when this step
//   completes other tables (all their dimensions placed), the hand-out is a small transport
//   problem (record classes × leaves with both margins fixed) solved by iterative proportional
//   fitting of the prior Π P_guide(leaf | the class's codes in those tables), then rounded with
//   exact margins — so that tables no step chooses (e.g. [r,a,p] after [y,r,a,g] and [y,r,t,p])
//   still follow their guide.
import type { LinkedTables } from '../tables/types.js';

interface Table {
  dims: number[];
  strides: number[];
  ids: number[];
}

/**
 * Splits integer `count` into parts ∝ weights (≥ 0, positive sum): every part is the floor or the
 * ceiling of its quota, the parts sum to `count` exactly, a zero weight gets 0. With `carry` (one
 * entry per part, updated), the units left after the floors go to the largest fractional part
 * plus carry, so that the parts of one leaf summed over successive calls stay close to the sum of
 * its quotas.
 */
export function largestRemainder(count: number, weights: ArrayLike<number>, carry?: Float64Array): number[] {
  let sum = 0;
  for (let k = 0; k < weights.length; k++) sum += weights[k]!;
  const parts = new Array<number>(weights.length).fill(0);
  if (count === 0) return parts;
  if (!(sum > 0) || !Number.isFinite(sum)) throw new Error('largestRemainder: weights must have a positive finite sum');
  const quota = new Float64Array(weights.length);
  // Only leaves with a positive quota may receive a unit (a zero weight stays zero, whatever the carry).
  const order: number[] = [];
  let given = 0;
  for (let k = 0; k < weights.length; k++) {
    const q = (count * weights[k]!) / sum;
    quota[k] = q;
    parts[k] = Math.floor(q);
    given += parts[k]!;
    if (q > 0) order.push(k);
  }
  const priority = (k: number): number => quota[k]! - parts[k]! + (carry ? carry[k]! : 0);
  order.sort((a, b) => priority(b) - priority(a) || a - b);
  // Floating-point guard: Σ⌊q⌋ may exceed count by rounding; take back from the lowest priorities.
  for (let j = order.length - 1; given > count; j = (j - 1 + order.length) % order.length) {
    const k = order[j]!;
    if (parts[k]! > 0) {
      parts[k]!--;
      given--;
    }
  }
  for (let j = 0; given < count; j = (j + 1) % order.length) {
    parts[order[j]!]!++;
    given++;
  }
  if (carry) for (let k = 0; k < weights.length; k++) carry[k] = carry[k]! + quota[k]! - parts[k]!;
  return parts;
}

export interface SplitOptions {
  /**
   * The first `exactTables` tables are placed before all others (whatever their overlap), so that
   * integer, consistent guide values on them are reproduced exactly (used by `roundByTables`).
   */
  exactTables?: number;
}

/**
 * Consistent integer counts from integer microdata that follow `guide` (see the header): the
 * dimensions are placed one at a time — (1) choose the next table and dimension, (2) group the
 * records by their codes on the dimensions already placed, (3) divide each group's count among
 * the new dimension's leaves, (4) hand the units to the group's records — then (5) the records are
 * aggregated into every table.
 */
export function splitRepair(lt: LinkedTables, guide: ArrayLike<number>, total: number, opts: SplitOptions = {}): Float64Array {
  const exactTables = opts.exactTables ?? 0;
  if (!Number.isSafeInteger(total) || total < 0) throw new Error('split: total must be a non-negative integer');
  const D = lt.dims.length;
  const { leavesOf, tables } = tableLayout(lt);
  const g = (id: number): number => Math.max(0, guide[id]!);

  // Records: leaf code index per dimension (−1 = not placed yet) and counts.
  let recs: Records = { codes: [], count: [] };
  if (total > 0) {
    recs.codes.push(new Int32Array(D).fill(-1));
    recs.count.push(total);
  }
  const placed = new Array<boolean>(D).fill(false);

  for (let step = 0; step < D; step++) {
    if (!lt.dims.some((_, d) => !placed[d] && tables.some((t) => t.dims.includes(d)))) break;
    const { T, dPos } = nextPlacement(tables, placed, exactTables);
    const table = tables[T]!;
    const d = table.dims[dPos]!;
    const placing: Placement = {
      d,
      leaves: leavesOf[d]!,
      // Tables completed by this step (other than T): their leaf cells steer the hand-out.
      completed: tables.filter((t, ti) => ti !== T && t.dims.includes(d) && t.dims.every((x) => x === d || placed[x])),
      g,
    };
    const weightCell = (offset: number, leaf: number): number => table.ids[offset + leaf * table.strides[dPos]!]!;
    const groups = groupRecords(recs, table, placed);
    const carry = new Float64Array(placing.leaves.length);
    const next: Records = { codes: [], count: [] };
    for (const offset of [...groups.keys()].sort((a, b) => a - b)) {
      const members = groups.get(offset)!;
      let groupCount = 0;
      for (const r of members) groupCount += recs.count[r]!;
      const units = largestRemainder(groupCount, leafWeights(placing, weightCell, offset), carry);
      if (placing.completed.length === 0) handOutInOrder(recs, members, units, placing, next);
      else handOutByTransport(recs, members, units, placing, next);
    }
    recs = next;
    placed[d] = true;
  }
  return aggregate(lt, tables, recs);
}

/** Microdata: leaf code index per dimension (−1 = not placed yet) and a positive count per record. */
interface Records {
  codes: Int32Array[];
  count: number[];
}

/** One placement step: the dimension placed, its leaves, the tables it completes, the guide (≥ 0). */
interface Placement {
  d: number;
  leaves: readonly number[];
  completed: readonly Table[];
  g: (id: number) => number;
}

/** Each dimension's leaf code indices, and each table's dimensions (indices), strides and cell ids. */
function tableLayout(lt: LinkedTables): { leavesOf: number[][]; tables: Table[] } {
  const dims = lt.dims;
  const dimIndex = new Map(dims.map((d, i) => [d, i]));
  const leavesOf = dims.map((d) => {
    const tree = lt.trees[d]!;
    const out: number[] = [];
    for (let i = 1; i < tree.children.length; i++) if (tree.children[i]!.length === 0) out.push(i);
    return out;
  });
  const sizes = dims.map((d) => lt.codes[d]!.length);
  const tables: Table[] = lt.tables.map((t, ti) => {
    const idx = t.map((d) => dimIndex.get(d)!);
    const strides = new Array<number>(t.length).fill(1);
    for (let i = t.length - 2; i >= 0; i--) strides[i] = strides[i + 1]! * sizes[idx[i + 1]!]!;
    return { dims: idx, strides, ids: lt.tableCells[ti]! };
  });
  return { leavesOf, tables };
}

/**
 * Step 1: the next (table, dimension position): exact tables first, then most shared dimensions,
 * then table order, then dimension order.
 */
function nextPlacement(tables: readonly Table[], placed: readonly boolean[], exactTables: number): { T: number; dPos: number } {
  let T = -1;
  let dPos = -1;
  let bestShared = -1;
  tables.forEach((t, ti) => {
    const shared = t.dims.filter((d) => placed[d]).length + (ti < exactTables ? 1000 : 0);
    const fresh = t.dims.findIndex((d) => !placed[d]);
    if (fresh >= 0 && shared > bestShared) {
      bestShared = shared;
      T = ti;
      dPos = fresh;
    }
  });
  return { T, dPos };
}

/** Step 2: the records grouped by their codes on the table's placed dimensions (keyed by offset in the table). */
function groupRecords(recs: Records, table: Table, placed: readonly boolean[]): Map<number, number[]> {
  const sharedPos = table.dims.map((x, i) => (placed[x] ? i : -1)).filter((i) => i >= 0);
  const groups = new Map<number, number[]>();
  for (let r = 0; r < recs.count.length; r++) {
    let offset = 0;
    for (const i of sharedPos) offset += recs.codes[r]![table.dims[i]!]! * table.strides[i]!;
    let list = groups.get(offset);
    if (!list) groups.set(offset, (list = []));
    list.push(r);
  }
  return groups;
}

/**
 * Step 3's weights: the guide of the table's cells for the group's codes and each leaf; for a group
 * whose cells are all zero, the unconditional distribution of d in the table; else uniform.
 */
function leafWeights(step: Placement, weightCell: (offset: number, leaf: number) => number, offset: number): Float64Array {
  const { leaves, g } = step;
  const w = new Float64Array(leaves.length);
  let sum = 0;
  for (let k = 0; k < leaves.length; k++) sum += w[k] = g(weightCell(offset, leaves[k]!));
  if (!(sum > 0) && offset !== 0) {
    sum = 0; // the group's codes → "*": the unconditional distribution of d in T
    for (let k = 0; k < leaves.length; k++) sum += w[k] = g(weightCell(0, leaves[k]!));
  }
  if (!(sum > 0)) w.fill(1);
  return w;
}

/** A copy of record r with code `leaf` on the placed dimension and count c, appended to `next`. */
function emit(recs: Records, next: Records, d: number, r: number, leaf: number, c: number): void {
  const codes = Int32Array.from(recs.codes[r]!);
  codes[d] = leaf;
  next.codes.push(codes);
  next.count.push(c);
}

/** Step 4 when no other table is completed: fill in order (records × leaves, "north-west corner"). */
function handOutInOrder(recs: Records, members: readonly number[], units: number[], step: Placement, next: Records): void {
  let k = 0;
  for (const r of members) {
    let left = recs.count[r]!;
    while (left > 0) {
      while (units[k] === 0) k++;
      const take = Math.min(left, units[k]!);
      emit(recs, next, step.d, r, step.leaves[k]!, take);
      units[k]! -= take;
      left -= take;
    }
  }
}

/**
 * Step 4 when the step completes other tables: classes of records that the completed tables cannot
 * tell apart (same codes on their dimensions); a prior ∝ Π_T' P_guide(leaf | the class's codes in
 * T') is fitted to the group's margins (class counts × leaf units) by iterative proportional
 * fitting, then rounded with exact row and column sums, and each class's units handed to its
 * records in order. Count-preserving.
 */
function handOutByTransport(recs: Records, members: readonly number[], units: number[], step: Placement, next: Records): void {
  const { d, leaves, completed } = step;
  const keyDims = [...new Set(completed.flatMap((t) => t.dims))].filter((x) => x !== d);
  const classIndex = new Map<string, number>();
  const classMembers: number[][] = [];
  for (const r of members) {
    const key = keyDims.map((x) => recs.codes[r]![x]!).join(',');
    let k = classIndex.get(key);
    if (k === undefined) {
      classIndex.set(key, (k = classMembers.length));
      classMembers.push([]);
    }
    classMembers[k]!.push(r);
  }
  const rowSum = classMembers.map((list) => list.reduce((a, r) => a + recs.count[r]!, 0));
  const tau = transportPrior(recs, classMembers, step);
  fitMargins(tau, rowSum, units);
  const z = roundWithMargins(tau, rowSum, units);
  // Within a class, hand each leaf's units to the records in order.
  for (let k = 0; k < classMembers.length; k++) {
    let l = 0;
    for (const r of classMembers[k]!) {
      let left = recs.count[r]!;
      while (left > 0) {
        while (z[k]![l] === 0) l++;
        const take = Math.min(left, z[k]![l]!);
        emit(recs, next, d, r, leaves[l]!, take);
        z[k]![l]! -= take;
        left -= take;
      }
    }
  }
}

/** The prior of each class × leaf: Π over the completed tables of P_guide(leaf | the class's codes). */
function transportPrior(recs: Records, classMembers: readonly number[][], step: Placement): Float64Array[] {
  const { d, leaves, completed, g } = step;
  const K = classMembers.length;
  const L = leaves.length;
  const tau = classMembers.map(() => new Float64Array(L).fill(1));
  for (const t of completed) {
    for (let k = 0; k < K; k++) {
      const r0 = classMembers[k]![0]!;
      let base = 0;
      let dStride = 0;
      t.dims.forEach((x, i) => {
        if (x === d) dStride = t.strides[i]!;
        else base += recs.codes[r0]![x]! * t.strides[i]!;
      });
      let s = 0;
      const p = new Float64Array(L);
      for (let l = 0; l < L; l++) s += p[l] = g(t.ids[base + leaves[l]! * dStride]!) + 1e-3;
      for (let l = 0; l < L; l++) tau[k]![l]! *= p[l]! / s;
    }
  }
  return tau;
}

/** Iterative proportional fitting of `tau` (in place) to row sums `rowSum` and column sums `units`. */
function fitMargins(tau: Float64Array[], rowSum: readonly number[], units: readonly number[]): void {
  const K = tau.length;
  const L = units.length;
  for (let it = 0; it < 50; it++) {
    let change = 0;
    for (let k = 0; k < K; k++) {
      let s = 0;
      for (let l = 0; l < L; l++) s += tau[k]![l]!;
      const f = s > 0 ? rowSum[k]! / s : 0;
      for (let l = 0; l < L; l++) tau[k]![l]! *= f;
    }
    for (let l = 0; l < L; l++) {
      let s = 0;
      for (let k = 0; k < K; k++) s += tau[k]![l]!;
      const f = s > 0 ? units[l]! / s : 0;
      change = Math.max(change, Math.abs(s - units[l]!));
      for (let k = 0; k < K; k++) tau[k]![l]! *= f;
    }
    if (change < 1e-6) break;
  }
}

/** Integer table with exact row and column sums: floors, then the largest fractions, then any feasible fill. */
function roundWithMargins(tau: readonly Float64Array[], rowSum: readonly number[], units: readonly number[]): number[][] {
  const K = tau.length;
  const L = units.length;
  const z = tau.map((row) => Array.from(row, Math.floor));
  const rowLeft = rowSum.map((m, k) => m - z[k]!.reduce((a, b) => a + b, 0));
  const colLeft = units.map((u, l) => u - z.reduce((a, row) => a + row[l]!, 0));
  // Floating point may push a floor sum above its margin: take back.
  for (let k = 0; k < K; k++)
    for (let l = 0; l < L && rowLeft[k]! < 0; l++)
      while (rowLeft[k]! < 0 && z[k]![l]! > 0) {
        z[k]![l]!--;
        rowLeft[k]!++;
        colLeft[l]!++;
      }
  for (let l = 0; l < L; l++)
    for (let k = 0; k < K && colLeft[l]! < 0; k++)
      while (colLeft[l]! < 0 && z[k]![l]! > 0) {
        z[k]![l]!--;
        colLeft[l]!++;
        rowLeft[k]!++;
      }
  const pairs: Array<[number, number, number]> = [];
  for (let k = 0; k < K; k++) for (let l = 0; l < L; l++) pairs.push([tau[k]![l]! - z[k]![l]!, k, l]);
  pairs.sort((a, b) => b[0] - a[0] || a[1] - b[1] || a[2] - b[2]);
  for (const [, k, l] of pairs) {
    if (rowLeft[k]! > 0 && colLeft[l]! > 0) {
      z[k]![l]!++;
      rowLeft[k]!--;
      colLeft[l]!--;
    }
  }
  for (let k = 0, l = 0; k < K; k++) {
    while (rowLeft[k]! > 0) {
      while (colLeft[l] === 0) l++;
      const take = Math.min(rowLeft[k]!, colLeft[l]!);
      z[k]![l]! += take;
      rowLeft[k]! -= take;
      colLeft[l]! -= take;
    }
  }
  return z;
}

/** Step 5: the microdata aggregated into every table (ancestor chains), then into cell ids. */
function aggregate(lt: LinkedTables, tables: readonly Table[], recs: Records): Float64Array {
  const x = new Float64Array(lt.cells.length);
  tables.forEach((t) => {
    const local = new Float64Array(t.ids.length);
    const parents = t.dims.map((dim) => lt.trees[lt.dims[dim]!]!.parent);
    for (let r = 0; r < recs.count.length; r++) {
      const chains = t.dims.map((dim, i) => {
        const out: number[] = [];
        for (let code = recs.codes[r]![dim]!; code >= 0; code = parents[i]![code]!) out.push(code * t.strides[i]!);
        return out;
      });
      accumulate(local, chains, 0, 0, recs.count[r]!);
    }
    for (let li = 0; li < t.ids.length; li++) x[t.ids[li]!] = local[li]!;
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
