// structure.ts — the additive structure an attacker knows about a release, rebuilt from the
// published tables alone (docs/release-format.md, "Cells and their additive structure").
//
// Guarantees:
// - A quantity is identified by the set of its non-"*" entries, so the same count appearing in
//   several tables (e.g. {year:2023, region:"*"} and {year:2023, incidentType:"*"}) is ONE
//   quantity. Its value is known if any occurrence is published; two published occurrences with
//   different counts are reported (structure-inconsistent).
// - The relations are exactly the documented ones, each generated once however many tables
//   repeat it: a cell with "*" in dimension d equals the sum over the codes of `domains[d]` (less
//   any group code of `hierarchies[d]` whose members are all in the domain too, which would count
//   them twice) — always true, whether or not the groups partition the domain; a cell
//   with a group code g in d equals the sum over g's members. Coefficients of a quantity that
//   appears on both sides (a group whose only member has its own code) cancel. Every relation is
//   Σ coef·x = 0 with integer coefficients.
// - A quantity a relation needs that no table publishes (a "hidden" quantity) is still a variable:
//   the relation is true and known, its value is simply unknown.
// - Cells whose key does not fit the table (unknown dimension or code, missing dimension) or that
//   repeat a key are reported (structure-invalid) and left out; tables missing some combination
//   are reported as a warning (structure-incomplete).
import type { Findings } from './findings.js';
import type { Manifest } from './format.js';

const SEP_ENTRY = '\u001e';
const SEP_KV = '\u001f';

export interface Quantity {
  /** Identity key (internal form; see `displayKey`). */
  key: string;
  /** The published count, if any occurrence is published. */
  published: number | null;
  /** Some occurrence is published as suppressed. */
  suppressed: boolean;
  /** Appears in some table (false: only needed by a relation). */
  present: boolean;
}

export interface ReleaseModel {
  quantities: Quantity[];
  index: Map<string, number>;
  /** Relation r has terms relVar/relCoef[relStart[r] .. relStart[r+1]). Σ coef·x = 0. */
  relStart: number[];
  relVar: number[];
  relCoef: number[];
  /** The quantity each relation is the sum relation of (for messages). */
  relParent: number[];
  /** Number of cells read (all tables). */
  cells: number;
}

/** Identity key of a cell key: its non-"*" entries, sorted by dimension. */
export function identityOf(key: Record<string, string>): string {
  return Object.keys(key)
    .sort()
    .filter((d) => key[d] !== '*')
    .map((d) => d + SEP_KV + key[d])
    .join(SEP_ENTRY);
}

/** Human form of an identity key: "year=2023, region=PE-LMA", or "total" for the grand total. */
export function displayKey(identity: string): string {
  if (identity === '') return 'total';
  return identity
    .split(SEP_ENTRY)
    .map((e) => e.split(SEP_KV).join('='))
    .join(', ');
}

/**
 * The codes a "*" of a dimension is the sum of: its domain codes, without a group code whose
 * members are all in the domain too (it would count them twice; a group that is its own only
 * member is the same code). A domain listed at group level keeps its groups.
 */
function leavesOf(dim: string, manifest: Manifest): string[] {
  const groups = manifest.hierarchies[dim] ?? {};
  const domain = manifest.domains[dim] ?? [];
  const inDomain = new Set(domain);
  return domain.filter((c) => {
    if (!Object.hasOwn(groups, c)) return true;
    const members = groups[c]!;
    return members.includes(c) || !members.every((m) => inDomain.has(m));
  });
}

const MAX_LISTED = 20;

export function buildModel(manifest: Manifest, findings: Findings, release: string): ReleaseModel {
  const quantities: Quantity[] = [];
  const index = new Map<string, number>();
  const relStart: number[] = [0];
  const relVar: number[] = [];
  const relCoef: number[] = [];
  const relParent: number[] = [];
  const relSeen = new Set<string>();
  let invalid = 0;
  let inconsistent = 0;
  let cells = 0;

  const varOf = (key: string, present: boolean): number => {
    let i = index.get(key);
    if (i === undefined) {
      i = quantities.length;
      quantities.push({ key, published: null, suppressed: false, present });
      index.set(key, i);
    } else if (present) quantities[i]!.present = true;
    return i;
  };
  const invalidCell = (table: number, problem: string) => {
    if (invalid++ < MAX_LISTED) findings.add('structure-invalid', { table: table + 1, problem }, release);
  };
  const addRelation = (relKey: string, parent: number, children: number[]) => {
    if (relSeen.has(relKey)) return;
    relSeen.add(relKey);
    const coef = new Map<number, number>([[parent, 1]]);
    for (const c of children) coef.set(c, (coef.get(c) ?? 0) - 1);
    let n = 0;
    for (const [v, a] of coef) {
      if (a === 0) continue;
      relVar.push(v);
      relCoef.push(a);
      n++;
    }
    if (n === 0) return;
    relStart.push(relVar.length);
    relParent.push(parent);
  };

  manifest.tables.forEach((table, ti) => {
    const dims = table.dimensions;
    const bad = dims.find((d, i) => !Object.hasOwn(manifest.domains, d) || dims.indexOf(d) !== i);
    if (bad !== undefined) {
      invalidCell(ti, `dimension ${bad} is unknown or repeated`);
      return;
    }
    const sorted = [...dims].sort();
    const groupsOf = new Map(dims.map((d) => [d, manifest.hierarchies[d] ?? {}] as const));
    const leaves = new Map(dims.map((d) => [d, leavesOf(d, manifest)] as const));
    const allowed = new Map(dims.map((d) => [d, new Set<string>(['*', ...(manifest.domains[d] ?? []), ...Object.keys(groupsOf.get(d)!)])] as const));
    const seen = new Set<string>();
    const ident = (key: Record<string, string>, dd?: string, code?: string): string => {
      let s = '';
      for (const d of sorted) {
        const v = d === dd ? code! : key[d]!;
        if (v === '*') continue;
        s += (s ? SEP_ENTRY : '') + d + SEP_KV + v;
      }
      return s;
    };
    for (const cell of table.cells) {
      cells++;
      const key = cell.key;
      const keyDims = Object.keys(key);
      if (keyDims.length !== dims.length || dims.some((d) => !Object.hasOwn(key, d))) {
        invalidCell(ti, `a cell's key does not have exactly the dimensions ${dims.join(', ')}`);
        continue;
      }
      const off = dims.find((d) => !allowed.get(d)!.has(key[d]!));
      if (off !== undefined) {
        invalidCell(ti, `a cell has a code of ${off} that is neither in domains nor hierarchies`);
        continue;
      }
      const full = dims.map((d) => key[d]).join(SEP_ENTRY);
      if (seen.has(full)) {
        invalidCell(ti, `the cell ${displayKey(ident(key))} appears twice`);
        continue;
      }
      seen.add(full);
      const id = ident(key);
      const v = varOf(id, true);
      const q = quantities[v]!;
      if (cell.suppressed) q.suppressed = true;
      else if (q.published === null) q.published = cell.count;
      else if (q.published !== cell.count) {
        if (inconsistent++ < MAX_LISTED) {
          findings.add('structure-inconsistent', { cell: displayKey(id), problem: `published as ${q.published} and as ${cell.count}` }, release);
        }
      }
      for (const d of dims) {
        const c = key[d]!;
        if (c === '*') {
          addRelation(id + '\u001d' + d, v, leaves.get(d)!.map((l) => varOf(ident(key, d, l), false)));
        } else {
          const members = groupsOf.get(d)![c];
          if (members && Object.hasOwn(groupsOf.get(d)!, c)) {
            addRelation(id + '\u001d' + d + '\u001dg', v, members.map((m) => varOf(ident(key, d, m), false)));
          }
        }
      }
    }
    // Completeness: every combination of (codes ∪ groups ∪ "*") per dimension.
    let expected = 1;
    for (const d of dims) expected *= allowed.get(d)!.size;
    if (seen.size < expected) findings.add('structure-incomplete', { table: ti + 1, missing: expected - seen.size, expected }, release);
  });
  if (invalid > MAX_LISTED) findings.add('structure-invalid', { table: 0, problem: `${invalid - MAX_LISTED} more invalid cells` }, release);
  if (inconsistent > MAX_LISTED) findings.add('structure-inconsistent', { cell: '…', problem: `${inconsistent - MAX_LISTED} more` }, release);
  return { quantities, index, relStart, relVar, relCoef, relParent, cells };
}
