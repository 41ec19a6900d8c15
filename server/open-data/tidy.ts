// tidy.ts — a signed release as a tidy table: one row per published quantity, every dimension in
// its own columns (level, code, Spanish label, English label), the count, and a short status.
//
// Guarantees:
// - Every cell of every table of the manifest is in exactly one row, and every row comes from at
//   least one cell: cells that are the same quantity (docs/release-format.md: the same
//   coordinates over the same years, e.g. the grand total repeated in every table, or the "all
//   years" margin of a one-year release, which IS that year) share one row, whose `tables` lists
//   every table it appears in. So no row repeats another, and filtering one level per dimension
//   never counts an incident twice.
// - `level` says what a code is: `total` (all codes, "*" in the manifest), `group` (a group of
//   the release's hierarchy, e.g. region "lima-callao") or `item` (one code of the taxonomy).
//   Summing the `item` rows of one dimension, with the other dimensions fixed, gives the `total`
//   row when all of them are published.
// - A hidden cell has no count (empty) and status `hidden`; a published 0 is `0`, `published`.
//   No count is computed here: every number is the manifest's, unchanged.
// - Labels come from the taxonomy (server/web/i18n.ts); an unknown code is its own label.
import type { Manifest } from '../schemas/manifest.js';
import { codeLabel } from '../web/i18n.js';

export type Level = 'total' | 'group' | 'item';
export type Status = 'published' | 'hidden';

export interface TidyRow {
  /** 1-based numbers of the manifest's tables that show this quantity. */
  tables: number[];
  /** Every dimension of the release → code, "*" for the total. */
  key: Record<string, string>;
  count: number | null;
  status: Status;
  /** DP releases: half-width of the 90% noise interval of this count. */
  errorMargin90?: number;
}

/** The release's dimensions, year first, then in the order the tables name them. */
export function tidyDimensions(m: Pick<Manifest, 'tables'>): string[] {
  const all = [...new Set(m.tables.flatMap((t) => t.dimensions))];
  return all.includes('year') ? ['year', ...all.filter((d) => d !== 'year')] : all;
}

/** The quantity a cell key stands for: every dimension filled ("*" when absent), and "*" on a one-code dimension read as that code. */
export function quantityKey(m: Pick<Manifest, 'domains'>, dims: string[], key: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const d of dims) {
    const v = key[d] ?? '*';
    const codes = m.domains[d];
    out[d] = v === '*' && codes?.length === 1 ? codes[0]! : v;
  }
  return out;
}

export function levelOf(m: Pick<Manifest, 'hierarchies'>, dim: string, code: string): Level {
  if (code === '*') return 'total';
  return m.hierarchies?.[dim]?.[code] ? 'group' : 'item';
}

export function labelOf(dim: string, code: string, lang: 'es' | 'en'): string {
  if (dim === 'year') return code === '*' ? (lang === 'es' ? 'Todos los años' : 'All years') : code;
  return codeLabel(dim, code, lang);
}

export function tidyRows(m: Manifest): TidyRow[] {
  const dims = tidyDimensions(m);
  const rows = new Map<string, TidyRow>();
  m.tables.forEach((t, i) => {
    for (const c of t.cells) {
      const key = quantityKey(m, dims, c.key);
      const id = dims.map((d) => key[d]).join('\u0000');
      const hidden = c.suppressed || c.count === null;
      const have = rows.get(id);
      if (have) {
        if (!have.tables.includes(i + 1)) have.tables.push(i + 1);
        if (!hidden && have.status === 'published' && have.count !== c.count) {
          throw new Error(`release ${m.id}: one quantity with two counts (${id.replaceAll('\u0000', ', ')})`);
        }
        if (!hidden && have.status === 'hidden') Object.assign(have, { count: c.count, status: 'published' });
        continue;
      }
      rows.set(id, {
        tables: [i + 1],
        key,
        count: hidden ? null : c.count,
        status: hidden ? 'hidden' : 'published',
        ...(c.errorMargin90 !== undefined ? { errorMargin90: c.errorMargin90 } : m.method === 'dp' && m.dp ? { errorMargin90: m.dp.errorMargin90 } : {}),
      });
    }
  });
  return [...rows.values()];
}
