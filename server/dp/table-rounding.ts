// table-rounding.ts — integer rounding of a consistent fractional solution (the LP optimum), one
// table at a time, with the cells shared with earlier tables held fixed.
//
// Linked tables need not come from one joint microdata set: they are consistent as soon as every
// table is internally additive and every shared quantity has one value. So the tables are
// rounded in sequence (next: the table sharing most dimensions with those already rounded); for
// table T, the cells it shares with earlier tables are already integers (they are margins over
// the separator sets S_i = T ∩ T'), and T's remaining cells are obtained by synthesising integer
// microdata over T's dimensions only (split.ts) that reproduce the fixed separator margins and
// follow the guide elsewhere; T's cells are the sums of those microdata.
//
// Guarantees:
// - On success every value is a non-negative integer, every table is additive (its cells are sums
//   of its own microdata), every shared cell equals the value fixed by the first table that held
//   it, and the fixed grand total (`total`) is kept. The caller still verifies (checkConsistent).
// - Returns null (never a wrong answer) when some table cannot reproduce its fixed cells — which
//   can only happen when three or more separators form a cycle (e.g. a table [a,b,c] whose
//   margins [a,b], [b,c], [a,c] were all fixed by other tables); the caller then uses the global
//   microdata repair.
// - Deterministic; pure.
import { buildLinkedTables, identityOf } from '../tables/linked-tables.js';
import type { Hierarchies, LinkedTables } from '../tables/types.js';
import { splitRepair } from './split.js';

/** Domains and hierarchies that rebuild the same code trees as `lt` (same code order). */
export function domainsOf(lt: Pick<LinkedTables, 'dims' | 'codes' | 'trees'>): { domains: Record<string, string[]>; hierarchies: Hierarchies } {
  const domains: Record<string, string[]> = {};
  const hierarchies: Record<string, Record<string, string[]>> = {};
  for (const d of lt.dims) {
    const codes = lt.codes[d]!;
    const tree = lt.trees[d]!;
    domains[d] = codes.filter((_, i) => i > 0 && tree.children[i]!.length === 0);
    if (codes.some((_, i) => i > 0 && tree.children[i]!.length > 0)) {
      const h: Record<string, string[]> = {};
      codes.forEach((c, i) => {
        if (tree.children[i]!.length > 0) h[c] = tree.children[i]!.map((k) => codes[k]!);
      });
      hierarchies[d] = h;
    }
  }
  return { domains, hierarchies };
}

/**
 * Rounds `guide` (consistent, non-negative, possibly fractional) table by table. `total` is the
 * integer grand total to keep. Returns the counts of every distinct cell, or null.
 */
export function roundByTables(lt: LinkedTables, guide: ArrayLike<number>, total: number): Float64Array | null {
  const n = lt.cells.length;
  const idOf = new Map<string, number>();
  lt.cells.forEach((c) => idOf.set(identityOf(c.key), c.id));
  const { domains, hierarchies } = domainsOf(lt);
  const fixed = new Float64Array(n).fill(NaN);
  const done: number[] = [];
  const pending = new Set(lt.tables.map((_, i) => i));
  while (pending.size > 0) {
    // Next table: largest overlap with a rounded table; ties → request order.
    let next = -1;
    let best = -1;
    for (const ti of pending) {
      const t = lt.tables[ti]!;
      const overlap = done.reduce((m, tj) => Math.max(m, t.filter((d) => lt.tables[tj]!.includes(d)).length), 0);
      if (overlap > best) {
        best = overlap;
        next = ti;
      }
    }
    pending.delete(next);
    const t = lt.tables[next]!;
    // Maximal separators with the rounded tables (non-empty; the total is fixed anyway).
    const seps: string[][] = [];
    for (const tj of done) {
      const s = t.filter((d) => lt.tables[tj]!.includes(d));
      if (s.length > 0 && !seps.some((x) => s.every((d) => x.includes(d)))) {
        for (let i = seps.length - 1; i >= 0; i--) if (seps[i]!.every((d) => s.includes(d))) seps.splice(i, 1);
        seps.push(s);
      }
    }
    const mini = buildLinkedTables({ counts: [], domains, hierarchies, tables: [...seps, t] });
    const ids = mini.cells.map((c) => {
      const id = idOf.get(identityOf(c.key));
      if (id === undefined) throw new Error('internal: table cell missing from the linked structure');
      return id;
    });
    const miniGuide = ids.map((id) => (Number.isNaN(fixed[id]!) ? guide[id]! : fixed[id]!));
    const x = splitRepair(mini, miniGuide, total, { exactTables: seps.length });
    for (let i = 0; i < ids.length; i++) {
      const id = ids[i]!;
      if (Number.isNaN(fixed[id]!)) fixed[id] = x[i]!;
      else if (fixed[id] !== x[i]) return null;
    }
    done.push(next);
  }
  for (let i = 0; i < n; i++) if (Number.isNaN(fixed[i]!)) return null;
  return fixed;
}
