// system.ts — the attacker's knowledge of docs/release-format.md ("The attacker model"), rebuilt
// from the publication log alone: data versions, coordinates, relations, published counts.
//
// Guarantees:
// - A **slice** is one (year, data version) that appears in some log entry; the variables of the
//   model are x(slice, c) for every slice and every coordinates c in C, where C holds the
//   coordinates of every cell of every table of every entry and of every term a relation needs.
//   Coordinates are a cell's non-"*" entries other than `year`, sorted by dimension.
// - A cell's **quantity** is (the slices of its year set, its coordinates): its year set is
//   {key.year} when the key has a year, else the entry's years; each year is taken at the version
//   the entry counts it at. The same quantity in two tables or two entries is ONE quantity.
// - **Relations** are exactly the documented ones, generated once each whatever repeats them and
//   instantiated at every slice: a cell with "*" in dimension d (d ≠ year) equals the sum over the
//   codes of `domains[d]` (less a group code whose members are all in the domain too, which would
//   count them twice); a cell with a group code equals the sum over the group's members. A year
//   set of several years is the sum of its years' variables by construction.
// - **Published counts**: every count of a suppression entry, and of a DP entry only its
//   invariants (the grand total when `keepTotal` or "total" is among `dp.invariants`). Two
//   different counts for one quantity are reported (structure-inconsistent); the first stays.
// - **Suppressed cells** of suppression entries are collected per quantity with the entries that
//   hide them. k and p of coordinates c are the largest of any suppression entry showing c; of a
//   year-set quantity, the largest of the entries showing that quantity.
// - Cells whose key does not fit the table (unknown dimension or code, a year not counted by the
//   entry, a missing dimension) or repeat a key are reported (structure-invalid) and left out;
//   tables missing some combination are a warning (structure-incomplete).
import type { Findings } from './findings.js';
import type { Manifest } from './format.js';

const SEP_ENTRY = '\u001e';
const SEP_KV = '\u001f';

export interface Slice {
  year: string;
  version: number;
  since: 'additions' | 'changes' | null;
}

export interface Occurrence {
  /** Stable identity, the same in any model built from the same log: "2023@1+2024@2|coords". */
  id: string;
  slices: number[];
  coord: number;
  /** Log indices of the entries showing it this way (publishing or hiding it). */
  entries: number[];
}

export interface PublishedQuantity extends Occurrence {
  value: number;
}

export interface SuppressedQuantity extends Occurrence {
  k: number;
  p: number;
}

export interface YearSetGroup {
  years: string[];
  /** One per distinct version vector: the slices (in year order) and the entries using it. */
  vectors: Array<{ slices: number[]; entries: number[] }>;
  /** Coordinates shown with this whole year set. */
  coords: Set<number>;
}

export interface LogManifest {
  index: number;
  label: string;
  manifest: Manifest;
}

export interface GlobalModel {
  slices: Slice[];
  sliceIndex: Map<string, number>;
  coords: string[];
  coordIndex: Map<string, number>;
  /** Structural relations over coordinates: x(parent) = Σ x(children), at every slice. */
  relations: Array<{ parent: number; children: number[] }>;
  published: Map<string, PublishedQuantity>;
  suppressed: Map<string, SuppressedQuantity>;
  /** Largest k and p of suppression entries showing coordinates c (0 when none does). */
  kOf: number[];
  pOf: number[];
  /** Largest k and p of the suppression entries showing a quantity, by its id. */
  quantityK: Map<string, { k: number; p: number }>;
  yearSets: Map<string, YearSetGroup>;
  /** For coordinates no suppression entry shows: the largest k (p) of any, else the minimum k. */
  defaultK: number;
  defaultP: number;
  cells: number;
  /** Cells per log index, and suppressed cells per log index. */
  cellsOf: Map<number, { cells: number; suppressed: number }>;
}

/** Human form of coordinates: "region=PE-LMA, incidentType=homicide", or "total". */
export function displayCoord(coord: string): string {
  if (coord === '') return 'total';
  return coord
    .split(SEP_ENTRY)
    .map((e) => e.split(SEP_KV).join('='))
    .join(', ');
}

/** Coordinates as a record: { region: 'PE-LMA', … } ({} for the grand total). */
export function coordRecord(coord: string): Record<string, string> {
  if (coord === '') return {};
  return Object.fromEntries(coord.split(SEP_ENTRY).map((e) => e.split(SEP_KV) as [string, string]));
}

/** Human form of slices: "2023 v2" or "2023 v1 + 2024 v3". */
export function displaySlices(model: Pick<GlobalModel, 'slices'>, slices: readonly number[]): string {
  return slices.map((s) => `${model.slices[s]!.year} v${model.slices[s]!.version}`).join(' + ');
}

/** Coordinates identity of a cell key (non-"*", non-year entries, sorted). */
export function coordOf(key: Record<string, string>): string {
  return Object.keys(key)
    .filter((d) => d !== 'year' && key[d] !== '*')
    .sort()
    .map((d) => d + SEP_KV + key[d])
    .join(SEP_ENTRY);
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

export interface BuildOptions {
  /** The minimum k (used for coordinates no suppression entry shows, when no entry has a k). */
  minK: number;
  /** Report structure findings (off for prefix models rebuilt from the same entries). */
  report?: boolean;
  /** Treat every count as published (a DP entry's own consistency check). */
  allCounts?: boolean;
  /** Code for two counts of one quantity that differ (default structure-inconsistent). */
  conflictCode?: 'structure-inconsistent' | 'dp-inconsistent';
}

export function buildModel(entries: readonly LogManifest[], findings: Findings, opts: BuildOptions): GlobalModel {
  const report = opts.report !== false;
  const model: GlobalModel = {
    slices: [],
    sliceIndex: new Map(),
    coords: [],
    coordIndex: new Map(),
    relations: [],
    published: new Map(),
    suppressed: new Map(),
    kOf: [],
    pOf: [],
    quantityK: new Map(),
    yearSets: new Map(),
    defaultK: 0,
    defaultP: 0,
    cells: 0,
    cellsOf: new Map(),
  };
  const relSeen = new Set<string>();
  // Leaves and member lists as short ids, so relation keys stay short.
  const listIds = new Map<string, number>();
  const listId = (list: readonly string[]) => {
    const k = list.join(SEP_ENTRY);
    let id = listIds.get(k);
    if (id === undefined) listIds.set(k, (id = listIds.size));
    return id;
  };
  const coordOfKey = (key: string): number => {
    let i = model.coordIndex.get(key);
    if (i === undefined) {
      i = model.coords.length;
      model.coords.push(key);
      model.coordIndex.set(key, i);
      model.kOf.push(0);
      model.pOf.push(0);
    }
    return i;
  };
  let maxK = 0;
  let maxP = 0;

  addSlices(entries, model);
  const idOf = (slices: readonly number[], coord: string) => `${slices.map((s) => `${model.slices[s]!.year}@${model.slices[s]!.version}`).join('+')}|${coord}`;

  for (const { index, label, manifest: m } of entries) {
    const suppression = m.method === 'suppression';
    const k = m.k ?? 0;
    const p = m.protection ?? 0;
    if (suppression) {
      maxK = Math.max(maxK, k);
      maxP = Math.max(maxP, p);
    }
    const dpTotal = m.method === 'dp' && !!m.dp && (m.dp.keepTotal || m.dp.invariants.includes('total'));
    const yearOf = new Map<string, number>();
    for (const d of m.data) yearOf.set(String(d.year), model.sliceIndex.get(`${d.year}@${d.version}`)!);
    const yearSlices = [...yearOf.values()].sort((a, b) => a - b);
    const years = [...yearOf.keys()].sort();
    let group: YearSetGroup | undefined;
    let vector: { slices: number[]; entries: number[] } | undefined;
    if (yearSlices.length >= 2) {
      const gk = years.join(',');
      group = model.yearSets.get(gk);
      if (!group) model.yearSets.set(gk, (group = { years, vectors: [], coords: new Set() }));
      const vk = yearSlices.join(',');
      vector = group.vectors.find((v) => v.slices.join(',') === vk);
      if (!vector) group.vectors.push((vector = { slices: yearSlices, entries: [] }));
      vector.entries.push(index);
    }
    const leafCache = new Map<string, { codes: string[]; id: number }>();
    const leaves = (d: string) => {
      let l = leafCache.get(d);
      if (!l) {
        const codes = leavesOf(d, m);
        leafCache.set(d, (l = { codes, id: listId(codes) }));
      }
      return l;
    };
    let invalid = 0;
    let inconsistent = 0;
    let cellsHere = 0;
    let suppressedHere = 0;
    const invalidCell = (table: number, problem: string, extra: Record<string, string> = {}) => {
      if (report && invalid++ < MAX_LISTED) findings.add('structure-invalid', { table: table + 1, problem, ...extra }, label);
    };

    m.tables.forEach((table, ti) => {
      const dims = table.dimensions;
      const bad = dims.find((d, i) => !Object.hasOwn(m.domains, d) || dims.indexOf(d) !== i);
      if (bad !== undefined) {
        invalidCell(ti, 'dimension', { dimension: bad });
        return;
      }
      const others = dims.filter((d) => d !== 'year').sort();
      const hasYear = dims.includes('year');
      const groupsOf = new Map(dims.map((d) => [d, m.hierarchies[d] ?? {}] as const));
      const allowed = new Map(
        dims.map((d) => [d, new Set<string>(['*', ...(d === 'year' ? years : (m.domains[d] ?? [])), ...Object.keys(groupsOf.get(d)!)])] as const),
      );
      const seen = new Set<string>();
      const coordString = (key: Record<string, string>, dd?: string, code?: string): string => {
        let s = '';
        for (const d of others) {
          const v = d === dd ? code! : key[d]!;
          if (v === '*') continue;
          s += (s ? SEP_ENTRY : '') + d + SEP_KV + v;
        }
        return s;
      };
      for (const cell of table.cells) {
        model.cells++;
        cellsHere++;
        const key = cell.key;
        const keyDims = Object.keys(key);
        if (keyDims.length !== dims.length || dims.some((d) => !Object.hasOwn(key, d))) {
          invalidCell(ti, 'key-dims');
          continue;
        }
        const off = dims.find((d) => !allowed.get(d)!.has(key[d]!));
        if (off !== undefined) {
          invalidCell(ti, off === 'year' ? 'year' : 'code', { dimension: off });
          continue;
        }
        const full = dims.map((d) => key[d]).join(SEP_ENTRY);
        if (seen.has(full)) {
          invalidCell(ti, 'twice', { cell: displayCoord(coordString(key)) });
          continue;
        }
        seen.add(full);
        const cs = coordString(key);
        const coord = coordOfKey(cs);
        const cellSlices = hasYear && key.year !== '*' ? [yearOf.get(key.year!)!] : yearSlices;
        const id = idOf(cellSlices, cs);
        if (suppression) {
          model.kOf[coord] = Math.max(model.kOf[coord]!, k);
          model.pOf[coord] = Math.max(model.pOf[coord]!, p);
          const q = model.quantityK.get(id);
          model.quantityK.set(id, { k: Math.max(q?.k ?? 0, k), p: Math.max(q?.p ?? 0, p) });
        }
        if (group && cellSlices.length >= 2) group.coords.add(coord);

        // Relations (each once).
        for (const d of others) {
          const c = key[d]!;
          if (c === '*') {
            const ls = leaves(d);
            const rk = `${coord}*${d}*${ls.id}`;
            if (relSeen.has(rk)) continue;
            relSeen.add(rk);
            model.relations.push({ parent: coord, children: ls.codes.map((l) => coordOfKey(coordString(key, d, l))) });
          } else {
            const members = groupsOf.get(d)![c];
            if (!members || !Object.hasOwn(groupsOf.get(d)!, c)) continue;
            const rk = `${coord}g${d}*${listId(members)}`;
            if (relSeen.has(rk)) continue;
            relSeen.add(rk);
            model.relations.push({ parent: coord, children: members.map((mm) => coordOfKey(coordString(key, d, mm))) });
          }
        }

        // Counts.
        if (cell.suppressed || cell.count === null) {
          suppressedHere++;
          if (!suppression) continue;
          const q = model.suppressed.get(id);
          if (q) {
            if (!q.entries.includes(index)) q.entries.push(index);
          } else model.suppressed.set(id, { id, slices: cellSlices, coord, entries: [index], k: 0, p: 0 });
          continue;
        }
        const isPublished = opts.allCounts || suppression || (dpTotal && cs === '' && cellSlices.length === yearSlices.length);
        if (!isPublished) continue;
        const q = model.published.get(id);
        if (!q) model.published.set(id, { id, slices: cellSlices, coord, entries: [index], value: cell.count });
        else if (q.value !== cell.count) {
          if (report && inconsistent++ < MAX_LISTED) {
            findings.add(
              opts.conflictCode ?? 'structure-inconsistent',
              {
                cell: `${displaySlices(model, cellSlices)} · ${displayCoord(cs)}`,
                problem: 'conflict',
                first: q.value,
                firstEntries: q.entries.map((e) => `#${e}`).join(', '),
                second: cell.count,
              },
              label,
            );
          }
        } else if (!q.entries.includes(index)) q.entries.push(index);
      }
      let expected = 1;
      for (const d of dims) expected *= allowed.get(d)!.size;
      if (report && seen.size < expected) findings.add('structure-incomplete', { table: ti + 1, missing: expected - seen.size, expected }, label);
    });
    if (report && invalid > MAX_LISTED) findings.add('structure-invalid', { table: 0, problem: 'more', count: invalid - MAX_LISTED }, label);
    model.cellsOf.set(index, { cells: cellsHere, suppressed: suppressedHere });
  }
  setProtection(model, maxK, maxP, opts.minK);
  return model;
}

/** Every (year, version) slice the entries count, in (year, version) order, whatever order entries name them in. */
function addSlices(entries: readonly LogManifest[], model: GlobalModel): void {
  const sliceList: Slice[] = [];
  const seenSlice = new Set<string>();
  for (const { manifest } of entries) {
    for (const d of manifest.data) {
      const key = `${d.year}@${d.version}`;
      if (seenSlice.has(key)) continue;
      seenSlice.add(key);
      sliceList.push({ year: String(d.year), version: d.version, since: d.since });
    }
  }
  sliceList.sort((a, b) => (a.year < b.year ? -1 : a.year > b.year ? 1 : a.version - b.version));
  sliceList.forEach((s, i) => {
    model.slices.push(s);
    model.sliceIndex.set(`${s.year}@${s.version}`, i);
  });
}

/** The default k and p (the largest of the suppression entries, else the minimum), and each suppressed quantity's. */
function setProtection(model: GlobalModel, maxK: number, maxP: number, minK: number): void {
  model.defaultK = maxK > 0 ? maxK : minK;
  model.defaultP = maxP > 0 ? maxP : model.defaultK;
  for (const q of model.suppressed.values()) {
    // One year: the variable x(slice, c), protected at the k of any entry showing c; a year set:
    // the quantity, at the k of the entries showing it.
    const qk = q.slices.length === 1 ? { k: model.kOf[q.coord]!, p: model.pOf[q.coord]! } : model.quantityK.get(q.id);
    q.k = qk?.k || model.defaultK;
    q.p = qk?.p || model.defaultP;
  }
}

/** k and p that protect x(slice, c): the largest of suppression entries showing c, else the default. */
export function protectionOf(model: GlobalModel, coord: number): { k: number; p: number } {
  return { k: model.kOf[coord] || model.defaultK, p: model.pOf[coord] || model.defaultP };
}
