// types.ts — the plain-data shapes of linked tables, shared by disclosure control (server/disclosure)
// and differential privacy (server/dp).
//
// Guarantees: types only (plus the `ALL` code constant); no behaviour, no I/O.
//
// Representations (one source of truth for every module of server/disclosure and server/dp):
//
// - A *cell* is one published quantity of a release. Its identity is the set of its non-"*"
//   coordinates: `{year:"2023"}` is the same quantity whether it appears as the margin
//   {year:2023, region:*} of table [year, region] or as {year:2023, incidentType:*} of table
//   [year, incidentType]; it is therefore ONE cell (one variable for the attacker). `Cell.key`
//   holds exactly that identity (codes may be leaf codes of the domain or group codes of a
//   hierarchy; "*" never appears in it). The grand total has key `{}`. Use `keyInTable()` from
//   linked-tables.ts to spell a cell's key over one table's dimensions with "*" for margins.
// - Cell ids are dense (0..n-1) and equal the cell's index in `cells`; they follow the order of
//   first appearance when the tables are enumerated in request order, each table in key order
//   ("*" first, then the hierarchy in depth-first order, leaves in domain order).
// - A *constraint* says `cells[total].value = Σ cells[parts[i]].value`: one total expanded along one
//   dimension (`dim`) into the children of its code there ("*" → top level, group → its members).
//   Constraints are deduplicated across tables (same total, same dimension ⇒ same parts).
//   Constraints implied by others (e.g. "*" = Σ leaves when there is a hierarchy) are not listed.

/** The code meaning "all" (a margin) in a table key. */
export const ALL = '*';

export type Key = Record<string, string>;

export interface CountRecord {
  /** Leaf code for every dimension used by the requested tables (extra dimensions are ignored). */
  readonly key: Readonly<Key>;
  /** Number of incidents with exactly this combination (non-negative integer). */
  readonly count: number;
}

/** All leaf codes of each dimension (from the taxonomy), so that zero cells are materialised. */
export type Domains = Readonly<Record<string, readonly string[]>>;

/**
 * Optional hierarchies: dim → parent code → child codes. Children may be leaf codes or other
 * parent codes (multi-level). Parent codes that are nobody's child sit directly under "*", as do
 * leaves that belong to no group. A parent key "*" may be given to list the top level explicitly.
 */
export type Hierarchies = Readonly<Record<string, Readonly<Record<string, readonly string[]>>>>;

export interface LinkedTablesInput {
  readonly counts: readonly CountRecord[];
  readonly domains: Domains;
  /** Each table is a list of dimension names; every table is published with all its margins. */
  readonly tables: readonly (readonly string[])[];
  readonly hierarchies?: Hierarchies;
}

export interface Cell {
  /** Dense id, equal to the index in `LinkedTables.cells`. */
  id: number;
  /** Identity: the non-"*" coordinates only (see header). */
  key: Key;
  /** Indices of the requested tables this cell appears in (ascending). */
  tables: number[];
  /** True count. */
  value: number;
  /** Lower bound (default 0, a count); −Infinity for a change that may be negative. */
  lower?: number;
}

export interface Constraint {
  id: number;
  /** Cell id of the total. */
  total: number;
  /** Cell ids of the parts (the children of the total's code along `dim`), in code order. */
  parts: number[];
  /** Dimension along which the total is expanded. */
  dim: string;
}

export interface LinkedTables {
  /** Dimensions used by the tables, in first-use order. */
  dims: string[];
  /** The requested tables (copies). */
  tables: string[][];
  /** Every code of each used dimension in output order: "*", then the hierarchy depth-first. */
  codes: Record<string, string[]>;
  /** Code tree of each dimension, by index into `codes[dim]`: parent (−1 for "*") and children. */
  trees: Record<string, { parent: number[]; children: number[][] }>;
  cells: Cell[];
  constraints: Constraint[];
  /**
   * For each table, its cell ids in key order (the publication order): the cell with code indices
   * (c_1..c_n) over the table's dimensions is at position Σ c_i·Π_{j>i} |codes[dim_j]|.
   */
  tableCells: number[][];
}
