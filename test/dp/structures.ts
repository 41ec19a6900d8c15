// structures.ts — random small linked-table structures for the property tests, and an
// independent checker of the published cells (not a test file).
//
// Guarantees: the checker recomputes additivity from the request (domains, hierarchies, tables)
// and the published cells alone — it does not use the constraint list of server/disclosure.
import fc from 'fast-check';
import type { CountRecord } from '../../server/tables/types.js';

export interface Structure {
  domains: Record<string, string[]>;
  hierarchies: Record<string, Record<string, string[]>>;
  tables: string[][];
  counts: CountRecord[];
}

/** 2–3 dimensions of 1–3 leaves, optional (nested) hierarchies, 1–3 tables, sparse counts. */
export const structureArb: fc.Arbitrary<Structure> = fc
  .record({
    sizes: fc.array(fc.integer({ min: 1, max: 3 }), { minLength: 2, maxLength: 3 }),
    hier: fc.array(fc.integer({ min: 0, max: 2 }), { minLength: 3, maxLength: 3 }),
    masks: fc.array(fc.array(fc.boolean(), { minLength: 3, maxLength: 3 }), { minLength: 1, maxLength: 3 }),
    values: fc.array(fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 12 })), { minLength: 27, maxLength: 27 }),
  })
  .map(({ sizes, hier, masks, values }) => {
    const dims = sizes.map((_, i) => `d${i}`);
    const domains: Record<string, string[]> = {};
    const hierarchies: Record<string, Record<string, string[]>> = {};
    dims.forEach((d, i) => {
      const leaves = Array.from({ length: sizes[i]! }, (_, j) => `${d}c${j}`);
      domains[d] = leaves;
      if (hier[i]! >= 1 && leaves.length >= 2) {
        const h: Record<string, string[]> = { [`${d}G`]: [leaves[0]!, leaves[1]!] };
        if (hier[i] === 2 && leaves.length >= 3) h[`${d}H`] = [`${d}G`, leaves[2]!];
        hierarchies[d] = h;
      }
    });
    const tables = masks.map((m) => dims.filter((_, i) => m[i]));
    const counts: CountRecord[] = [];
    let combos: Record<string, string>[] = [{}];
    for (const d of dims) combos = combos.flatMap((k) => domains[d]!.map((c) => ({ ...k, [d]: c })));
    combos.forEach((key, i) => {
      const v = values[i % values.length]!;
      if (v > 0) counts.push({ key, count: v });
    });
    return { domains, hierarchies, tables, counts };
  });

/** Children of a code of dimension d ("*" → top level; group → members; leaf → none). */
export function childrenOf(s: Pick<Structure, 'domains' | 'hierarchies'>, d: string, code: string): string[] {
  const h = s.hierarchies[d] ?? {};
  if (code === '*') {
    const inGroup = new Set(Object.values(h).flat());
    return [...Object.keys(h).filter((g) => !inGroup.has(g)), ...s.domains[d]!.filter((l) => !inGroup.has(l))];
  }
  return h[code] ?? [];
}

/**
 * Independent check of published cells: counts are non-negative integers; in every table each
 * cell whose code on some dimension is "*" or a group equals the sum of its children there; a
 * quantity published in several tables has one value. Returns a list of problems (empty = ok).
 */
export function checkPublished(
  s: Pick<Structure, 'domains' | 'hierarchies' | 'tables'>,
  cells: ReadonlyArray<{ table: number; key: Record<string, string>; count: number | null }>,
): string[] {
  const problems: string[] = [];
  const byTable = s.tables.map(() => new Map<string, number>());
  const ident = new Map<string, number>();
  for (const c of cells) {
    if (typeof c.count !== 'number' || !Number.isInteger(c.count) || c.count < 0) problems.push(`bad count ${c.count}`);
    const dims = s.tables[c.table]!;
    byTable[c.table]!.set(dims.map((d) => c.key[d]).join('|'), c.count!);
    const id = Object.keys(c.key)
      .filter((d) => c.key[d] !== '*')
      .sort()
      .map((d) => `${d}=${c.key[d]}`)
      .join(',');
    const prev = ident.get(id);
    if (prev !== undefined && prev !== c.count) problems.push(`shared cell ${id}: ${prev} vs ${c.count}`);
    ident.set(id, c.count!);
  }
  for (const c of cells) {
    const dims = s.tables[c.table]!;
    for (const d of dims) {
      const kids = childrenOf(s, d, c.key[d]!);
      if (kids.length === 0) continue;
      let sum = 0;
      for (const k of kids) {
        const v = byTable[c.table]!.get(dims.map((x) => (x === d ? k : c.key[x])).join('|'));
        if (v === undefined) problems.push(`missing child ${k} of ${JSON.stringify(c.key)}`);
        else sum += v;
      }
      if (sum !== c.count) problems.push(`table ${c.table} ${JSON.stringify(c.key)} along ${d}: ${c.count} ≠ ${sum}`);
    }
  }
  return problems;
}
