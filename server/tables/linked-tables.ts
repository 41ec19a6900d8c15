// linked-tables.ts — turns counted microdata into the linked cells and additive constraints of a
// release (see types.ts for the representation).
//
// Guarantees:
// - Every requested table is materialised with ALL its margins and, where a dimension has a
//   hierarchy, all its group codes; zero cells are present (domains list every leaf code).
// - A quantity that appears in several tables is one cell (identity = non-"*" coordinates), so
//   linked tables share variables; `Cell.tables` lists where it appears.
// - For every cell and every dimension of one of its tables whose code is "*" or a group, there is
//   exactly one constraint `total = Σ children` (deduplicated across tables). Every value satisfies
//   every constraint exactly (values are sums of the input counts).
// - Deterministic: the same input gives the same ids, order and constraints. Pure: no I/O.
// - `coveringCells(lt, leafKey)` lists every cell an extra incident with that key would raise
//   (its ancestors in every table): the direction of the heuristic's guaranteed fallback.
// - Rejects (throws `Error`) malformed input: unknown dimension or code, negative or non-integer
//   count, a hierarchy that is not a tree over the domain, a dimension code equal to "*".
import { ALL, type Cell, type Constraint, type Hierarchies, type Key, type LinkedTables, type LinkedTablesInput } from './types.js';

/** One dimension's codes: index 0 is "*", then depth-first over the hierarchy. */
export interface DimensionCodes {
  name: string;
  codes: string[];
  index: Map<string, number>;
  /** Parent code index ("*" has -1). */
  parent: Int32Array;
  /** Children code indices (empty for leaves). */
  children: number[][];
}

/** Builds the code tree of one dimension. */
export function dimensionCodes(name: string, domain: readonly string[], hierarchy?: Readonly<Record<string, readonly string[]>>): DimensionCodes {
  if (!Array.isArray(domain) || domain.length === 0) throw new Error(`dimension ${name}: empty domain`);
  const leaves = new Set<string>();
  for (const c of domain) {
    if (typeof c !== 'string' || c === ALL || c === '') throw new Error(`dimension ${name}: invalid code ${JSON.stringify(c)}`);
    if (leaves.has(c)) throw new Error(`dimension ${name}: duplicate code ${c}`);
    leaves.add(c);
  }
  const childrenOf = new Map<string, string[]>();
  const parentOf = new Map<string, string>();
  const h = hierarchy ?? {};
  for (const group of Object.keys(h)) {
    if (leaves.has(group)) throw new Error(`dimension ${name}: leaf code ${group} cannot be a group`);
    const kids = h[group];
    if (!Array.isArray(kids) || kids.length === 0) throw new Error(`dimension ${name}: group ${group} has no children`);
    for (const kid of kids) {
      if (kid === ALL || (!leaves.has(kid) && !(kid in h))) throw new Error(`dimension ${name}: unknown child ${kid} of ${group}`);
      if (parentOf.has(kid)) throw new Error(`dimension ${name}: ${kid} has two parents`);
      parentOf.set(kid, group);
    }
    childrenOf.set(group, [...kids]);
  }
  let top: string[];
  if (childrenOf.has(ALL)) {
    top = childrenOf.get(ALL)!;
  } else {
    top = [];
    for (const g of Object.keys(h)) if (!parentOf.has(g)) top.push(g);
    for (const l of domain) if (!parentOf.has(l)) top.push(l);
    childrenOf.set(ALL, top);
  }
  const codes: string[] = [];
  const index = new Map<string, number>();
  const parentIdx: number[] = [];
  const children: number[][] = [];
  const visit = (code: string, parent: number): void => {
    if (index.has(code)) throw new Error(`dimension ${name}: ${code} is reachable twice (not a tree)`);
    const i = codes.length;
    codes.push(code);
    index.set(code, i);
    parentIdx.push(parent);
    children.push([]);
    if (parent >= 0) children[parent]!.push(i);
    const kids = childrenOf.get(code);
    if (kids) for (const kid of kids) visit(kid, i);
  };
  visit(ALL, -1);
  for (const l of domain) if (!index.has(l)) throw new Error(`dimension ${name}: leaf ${l} is not reachable from "*"`);
  for (const g of Object.keys(h)) if (!index.has(g)) throw new Error(`dimension ${name}: group ${g} is not reachable from "*"`);
  return { name, codes, index, parent: Int32Array.from(parentIdx), children };
}

/** Canonical identity string of a key (non-"*" entries, sorted by dimension name). */
export function identityOf(key: Readonly<Key>): string {
  const dims = Object.keys(key)
    .filter((d) => key[d] !== ALL)
    .sort();
  return dims.map((d) => `${d}\u0001${key[d]}`).join('\u0002');
}

/** A cell's key spelled over one table's dimensions, "*" where the cell has no code. */
export function keyInTable(cell: Pick<Cell, 'key'>, dims: readonly string[]): Key {
  const out: Key = {};
  for (const d of dims) out[d] = cell.key[d] ?? ALL;
  return out;
}

export function buildLinkedTables(input: LinkedTablesInput): LinkedTables {
  const { counts, domains, tables } = input;
  const hierarchies: Hierarchies = input.hierarchies ?? {};
  if (tables.length === 0) throw new Error('at least one table is required');
  const dims: string[] = [];
  const dimCodes = new Map<string, DimensionCodes>();
  for (const t of tables) {
    if (new Set(t).size !== t.length) throw new Error(`table [${t.join(', ')}] repeats a dimension`);
    for (const d of t) {
      if (dimCodes.has(d)) continue;
      const domain = domains[d];
      if (!domain) throw new Error(`unknown dimension ${d}`);
      dimCodes.set(d, dimensionCodes(d, domain, hierarchies[d]));
      dims.push(d);
    }
  }
  for (const d of Object.keys(hierarchies)) if (!dimCodes.has(d) && !domains[d]) throw new Error(`hierarchy for unknown dimension ${d}`);

  // Leaf code index of every record on every used dimension, validated once.
  const recLeaf = new Map<string, Int32Array>();
  for (const d of dims) recLeaf.set(d, new Int32Array(counts.length));
  const recCount = new Float64Array(counts.length);
  counts.forEach((r, i) => {
    if (!Number.isInteger(r.count) || r.count < 0) throw new Error(`count must be a non-negative integer (record ${i})`);
    recCount[i] = r.count;
    for (const d of dims) {
      const code = r.key[d];
      const dc = dimCodes.get(d)!;
      const idx = code === undefined ? undefined : dc.index.get(code);
      if (idx === undefined || dc.children[idx]!.length > 0)
        throw new Error(`record ${i}: ${d} must be a leaf code of the domain, got ${JSON.stringify(code)}`);
      recLeaf.get(d)![i] = idx;
    }
  });

  const cells: Cell[] = [];
  const byIdentity = new Map<string, number>();
  const tableCells: number[][] = [];
  const constraints: Constraint[] = [];
  const seenConstraint = new Set<string>();

  tables.forEach((t, ti) => {
    const dcs = t.map((d) => dimCodes.get(d)!);
    const sizes = dcs.map((dc) => dc.codes.length);
    const strides: number[] = new Array(t.length).fill(1);
    for (let i = t.length - 2; i >= 0; i--) strides[i] = strides[i + 1]! * sizes[i + 1]!;
    const size = t.length === 0 ? 1 : strides[0]! * sizes[0]!;
    // Table-local values by aggregation over each record's ancestor chains.
    const local = new Float64Array(size);
    const chains = dcs.map(() => [] as number[]);
    for (let r = 0; r < counts.length; r++) {
      const c = recCount[r]!;
      if (c === 0) continue;
      for (let i = 0; i < t.length; i++) {
        const ch = chains[i]!;
        ch.length = 0;
        let code = recLeaf.get(t[i]!)![r]!;
        while (code >= 0) {
          ch.push(code * strides[i]!);
          code = dcs[i]!.parent[code]!;
        }
      }
      addProduct(local, chains, 0, 0, c);
    }
    // Cells in key order.
    const ids = new Int32Array(size);
    const coord = new Array<number>(t.length).fill(0);
    const list: number[] = [];
    for (let li = 0; li < size; li++) {
      let rem = li;
      for (let i = 0; i < t.length; i++) {
        coord[i] = Math.floor(rem / strides[i]!);
        rem -= coord[i]! * strides[i]!;
      }
      const key: Key = {};
      for (let i = 0; i < t.length; i++) if (coord[i] !== 0) key[t[i]!] = dcs[i]!.codes[coord[i]!]!;
      const ident = identityOf(key);
      let id = byIdentity.get(ident);
      if (id === undefined) {
        id = cells.length;
        byIdentity.set(ident, id);
        cells.push({ id, key, tables: [ti], value: local[li]! });
      } else {
        const cell = cells[id]!;
        if (cell.value !== local[li]) throw new Error('internal: inconsistent linked value');
        cell.tables.push(ti);
      }
      ids[li] = id;
      list.push(id);
    }
    tableCells.push(list);
    // Constraints: every non-leaf coordinate expands into its children.
    for (let li = 0; li < size; li++) {
      let rem = li;
      for (let i = 0; i < t.length; i++) {
        coord[i] = Math.floor(rem / strides[i]!);
        rem -= coord[i]! * strides[i]!;
      }
      for (let i = 0; i < t.length; i++) {
        const kids = dcs[i]!.children[coord[i]!]!;
        if (kids.length === 0) continue;
        const total = ids[li]!;
        const tag = `${total}\u0001${t[i]}`;
        if (seenConstraint.has(tag)) continue;
        seenConstraint.add(tag);
        const base = li - coord[i]! * strides[i]!;
        const parts = kids.map((kc) => ids[base + kc * strides[i]!]!);
        constraints.push({ id: constraints.length, total, parts, dim: t[i]! });
      }
    }
  });

  const codes: Record<string, string[]> = {};
  const trees: LinkedTables['trees'] = {};
  for (const d of dims) {
    const dc = dimCodes.get(d)!;
    codes[d] = [...dc.codes];
    trees[d] = { parent: [...dc.parent], children: dc.children.map((c) => [...c]) };
  }
  return { dims, tables: tables.map((t) => [...t]), codes, trees, cells, constraints, tableCells };
}

function addProduct(acc: Float64Array, chains: number[][], i: number, offset: number, c: number): void {
  if (i === chains.length) {
    acc[offset] = acc[offset]! + c;
    return;
  }
  const ch = chains[i]!;
  for (let j = 0; j < ch.length; j++) addProduct(acc, chains, i + 1, offset + ch[j]!, c);
}

/**
 * Every cell (in every table) that covers one full combination of leaf codes, i.e. every cell an
 * extra incident with that key would increase. Adding t incidents there changes exactly these
 * cells by +t and satisfies every constraint: with all of them suppressed, it is an unbounded
 * direction for the attacker. `leaf` must give a leaf code for every dimension of `lt.dims`.
 */
export function coveringCells(lt: LinkedTables, leaf: Readonly<Key>): number[] {
  const out = new Set<number>();
  lt.tables.forEach((t, ti) => {
    const sizes = t.map((d) => lt.codes[d]!.length);
    const strides = new Array<number>(t.length).fill(1);
    for (let i = t.length - 2; i >= 0; i--) strides[i] = strides[i + 1]! * sizes[i + 1]!;
    const chains = t.map((d, i) => {
      const tree = lt.trees[d]!;
      let code = lt.codes[d]!.indexOf(leaf[d]!);
      if (code < 0 || tree.children[code]!.length > 0) throw new Error(`coveringCells: ${d} needs a leaf code`);
      const ch: number[] = [];
      while (code >= 0) {
        ch.push(code * strides[i]!);
        code = tree.parent[code]!;
      }
      return ch;
    });
    const ids = lt.tableCells[ti]!;
    const rec = (i: number, off: number): void => {
      if (i === chains.length) {
        out.add(ids[off]!);
        return;
      }
      for (const x of chains[i]!) rec(i + 1, off + x);
    };
    rec(0, 0);
  });
  return [...out].sort((a, b) => a - b);
}
