// hypercube.ts — the hypercube method (à la GHMITER), generalised to margins, hierarchies and
// linked tables: the fast, combinatorial first pass of the large-table heuristic.
//
// In one table T, a 1-D perturbation along dimension d is a vector u over d's codes that respects
// every sum constraint of the code tree (u(parent) = Σ u(children)). From p's code x we use:
//   - a sibling s (same parent): {x:+1, s:−1} (plus a path down to a leaf when s is a group);
//   - the chain to an ancestor: {x:+1, parent:+1, …} ending at "*" or at a sibling of an ancestor;
//   - when x is a group or "*": a path down to a leaf {x:+1, child:+1, …} in addition.
// The tensor product f = ⊗_d u_d ("hypercube": corners = product of the chosen codes, sign =
// product of signs) satisfies every constraint of T. It is a valid perturbation of the whole
// linked release iff no corner is the total of a constraint along a dimension outside T, i.e. iff
// every table containing a corner has its dimensions within T's ("safe" corners): shared margins of
// tables with other dimensions are avoided automatically. Cells `locked` (published earlier, so
// fixed) are never corners.
//
// With all corners suppressed, the attacker cannot exclude v + t·f for −t_down ≤ t ≤ t_up, where
// t_up = min value of the −1 corners (they go down) and t_down = min value of the +1 corners
// (p included). So p is protected when t_up ≥ need_p − v_p and t_up + t_down ≥ width_p (its rule,
// rules.ts: k and p for a primary), and every
// corner then moves by at least `protection` ≥ 1 (no corner is pinned).
//
// For each sensitive cell (ascending id) not already covered, we search the cheapest such
// hypercube over the tables containing p: per dimension the options are ranked by the cost of
// the cells next to p along that dimension, the best few per dimension are combined exhaustively
// (more if none is feasible), and a hypercube costs the sum of the costs of its corners that are
// not suppressed yet (earlier hypercubes make later ones cheap).
//
// Guarantees: every corner's movements are recorded as reachable values (`ReachStore`), valid for
// the returned pattern and any larger one; so a processed sensitive cell is proven protected
// (integers: also after rounding) and every cell this pass suppresses moves by ≥ protection (not
// pinned). Deterministic. Cells with no feasible hypercube are left to the LP repair.
import type { Rules } from './rules.js';
import type { Structure } from './structure.js';
import type { LinkedTables } from './types.js';

interface Option {
  codes: Int32Array; // code indices, first = p's own code
  signs: Int8Array;
}

interface TableInfo {
  dims: string[];
  strides: number[];
  sizes: number[];
  safe: Uint8Array;
  index: Map<string, number>[]; // code → index per table dim
}

const MAX_OPTIONS = 64;
/** Max hypercubes evaluated per (cell, table) and widening step. */
const MAX_COMBOS = 400;

/** Where certificates go: reachable values per cell, and whether a cell's rule is proven. */
export interface ReachStore {
  noteReach(cell: number, value: number): void;
  /** True when the recorded reach already proves the cell's rule. */
  proven(cell: number): boolean;
}

export function hypercubePass(
  lt: LinkedTables,
  s: Structure,
  suppressed: Uint8Array,
  todo: Uint8Array,
  cost: Float64Array,
  rules: Rules,
  reach: ReachStore,
  locked?: Uint8Array,
): { added: number } {
  const dimsOfTable = lt.tables.map((t) => new Set(t));
  const infos: TableInfo[] = lt.tables.map((t, ti) => {
    const sizes = t.map((d) => lt.codes[d]!.length);
    const strides = new Array<number>(t.length).fill(1);
    for (let i = t.length - 2; i >= 0; i--) strides[i] = strides[i + 1]! * sizes[i + 1]!;
    const ids = lt.tableCells[ti]!;
    const safe = new Uint8Array(ids.length);
    ids.forEach((id, li) => {
      // A locked cell (published earlier) cannot move: never a corner.
      safe[li] = !locked?.[id] && lt.cells[id]!.tables.every((t2) => lt.tables[t2]!.every((d) => dimsOfTable[ti]!.has(d))) ? 1 : 0;
    });
    return { dims: t, strides, sizes, safe, index: t.map((d) => new Map(lt.codes[d]!.map((c, i) => [c, i]))) };
  });
  const optionCache = new Map<string, Option[]>();
  const optionsOf = (dim: string, x: number): Option[] => {
    const key = `${dim}\u0001${x}`;
    let o = optionCache.get(key);
    if (!o) {
      o = buildOptions(lt.trees[dim]!, x);
      optionCache.set(key, o);
    }
    return o;
  };

  let added = 0;
  const order: number[] = [];
  for (let i = 0; i < s.n; i++) if (todo[i]) order.push(i);
  for (const p of order) {
    if (reach.proven(p)) continue; // covered by an earlier hypercube
    const vp = s.values[p]!;
    const needUp = Math.max(0, rules.need[p]! - vp);
    const protection = Math.max(1, rules.width[p]!);
    let best: Hypercube | null = null;
    for (const ti of lt.cells[p]!.tables) {
      const info = infos[ti]!;
      const ids = lt.tableCells[ti]!;
      const coords = info.dims.map((d, i) => info.index[i]!.get(lt.cells[p]!.key[d] ?? '*')!);
      let pli = 0;
      coords.forEach((c, i) => (pli += c * info.strides[i]!));
      if (!info.safe[pli]) continue;
      // Rank each dimension's options by the cells adjacent to p along that dimension.
      const ranked = info.dims.map((d, i) => {
        const opts = optionsOf(d, coords[i]!);
        const scored: Array<{ o: Option; score: number; idx: number }> = [];
        opts.forEach((o, idx) => {
          let score = 0;
          for (let e = 1; e < o.codes.length; e++) {
            const li = pli + (o.codes[e]! - coords[i]!) * info.strides[i]!;
            if (!info.safe[li]) {
              score = Infinity;
              break;
            }
            const c = ids[li]!;
            if (!suppressed[c]) score += cost[c]!;
            if (o.signs[e]! < 0 && s.values[c]! < needUp) score += 1e12;
          }
          if (score < Infinity) scored.push({ o, score, idx });
        });
        scored.sort((a, b) => a.score - b.score || a.idx - b.idx);
        return scored;
      });
      // An option whose best score carries the capacity penalty means every option of that
      // dimension puts a −1 corner without capacity next to p: no hypercube can work here.
      if (ranked.some((r) => r.length === 0 || r[0]!.score >= 1e12)) continue;
      for (const width of [2, 3, 5, 8]) {
        const pick = ranked.map((r) =>
          r
            .slice(0, width)
            .filter((x) => x.score < 1e12)
            .map((x) => x.o),
        );
        let combos = 1;
        for (const r of pick) combos *= r.length;
        if (combos > MAX_COMBOS) break;
        const found = searchProduct(pick, info, ids, coords, pli, suppressed, s.values, cost, needUp, protection, best?.cost ?? Infinity);
        if (found && (!best || found.cost < best.cost)) best = found;
        if (best || pick.every((r, i) => r.length === ranked[i]!.length)) break;
      }
    }
    if (!best) continue;
    best.corners.forEach((c, i) => {
      if (!suppressed[c]) {
        suppressed[c] = 1;
        added++;
      }
      // Corner c moves up by `up` and down by `down` within this hypercube.
      const up = best.signs[i]! > 0 ? best.tUp : best.tDown;
      const down = best.signs[i]! > 0 ? best.tDown : best.tUp;
      reach.noteReach(c, s.values[c]! + up);
      reach.noteReach(c, s.values[c]! - down);
    });
  }
  return { added };
}

interface Hypercube {
  cost: number;
  corners: number[];
  signs: number[];
  tUp: number;
  tDown: number;
}

function searchProduct(
  pick: Option[][],
  info: TableInfo,
  ids: number[],
  coords: number[],
  pli: number,
  suppressed: Uint8Array,
  values: Float64Array,
  cost: Float64Array,
  needUp: number,
  protection: number,
  bound: number,
): Hypercube | null {
  const n = pick.length;
  const choice = new Array<number>(n).fill(0);
  let best: Hypercube | null = null;
  let bestCost = bound;
  const corners: number[] = [];
  const signs: number[] = [];
  for (;;) {
    // Evaluate the hypercube given by `choice`.
    corners.length = 0;
    signs.length = 0;
    let c = 0;
    let tUp = Infinity;
    let tDown = Infinity;
    let ok = true;
    const rec = (i: number, li: number, sign: number): void => {
      if (!ok) return;
      if (i === n) {
        if (!info.safe[li]) {
          ok = false;
          return;
        }
        const cell = ids[li]!;
        corners.push(cell);
        signs.push(sign);
        if (!suppressed[cell]) c += cost[cell]!;
        const v = values[cell]!;
        if (sign < 0) tUp = Math.min(tUp, v);
        else tDown = Math.min(tDown, v);
        if (c >= bestCost) ok = false;
        return;
      }
      const o = pick[i]![choice[i]!]!;
      for (let e = 0; e < o.codes.length; e++) rec(i + 1, li + (o.codes[e]! - coords[i]!) * info.strides[i]!, sign * o.signs[e]!);
    };
    rec(0, pli, 1);
    if (ok && tUp >= needUp && tUp + tDown >= protection && c < bestCost) {
      bestCost = c;
      best = { cost: c, corners: [...corners], signs: [...signs], tUp, tDown };
    }
    // Next combination (odometer).
    let i = n - 1;
    while (i >= 0) {
      choice[i]!++;
      if (choice[i]! < pick[i]!.length) break;
      choice[i] = 0;
      i--;
    }
    if (i < 0) return best;
  }
}

/** 1-D perturbation options from code x (see header). */
function buildOptions(tree: { parent: number[]; children: number[][] }, x: number): Option[] {
  const out: Array<Array<[number, number]>> = [];
  const downPaths = (y: number, sign: number, limit: number): Array<Array<[number, number]>> => {
    const kids = tree.children[y]!;
    if (kids.length === 0) return [[]];
    const res: Array<Array<[number, number]>> = [];
    for (const c of kids) {
      for (const rest of downPaths(c, sign, limit)) {
        res.push([[c, sign], ...rest]);
        if (res.length >= limit) return res;
      }
    }
    return res;
  };
  const upParts = (y: number): Array<Array<[number, number]>> => {
    const par = tree.parent[y]!;
    if (par < 0) return [];
    const res: Array<Array<[number, number]>> = [];
    for (const sib of tree.children[par]!) {
      if (sib === y) continue;
      for (const d of downPaths(sib, -1, 8)) res.push([[sib, -1], ...d]);
    }
    if (tree.parent[par]! < 0) res.push([[par, 1]]);
    else for (const up of upParts(par)) res.push([[par, 1], ...up]);
    return res;
  };
  const downs = downPaths(x, 1, 8);
  const ups = tree.parent[x]! < 0 ? [[] as Array<[number, number]>] : upParts(x);
  for (const u of ups) for (const d of downs) if (u.length + d.length > 0) out.push([...u, ...d]);
  return out.slice(0, MAX_OPTIONS).map((entries) => ({
    codes: Int32Array.from([x, ...entries.map((e) => e[0])]),
    signs: Int8Array.from([1, ...entries.map((e) => e[1])]),
  }));
}
