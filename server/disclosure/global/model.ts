// model.ts — the attacker's system over the whole publication log, as one structure for the
// audit engine (docs/release-format.md, "The attacker model (one for the whole server)").
//
// Quantities (cells of the structure):
//   count    A(Y, v, c)   incidents of year Y at data version v with coordinates c;
//   yearset  S(V, c)      a publication's margin over several years at its version vector V:
//                         S = Σ_Y A(Y, V[Y], c) when any of those A is in the model;
//   change   D(Y, v, c)   A(Y, v, c) − A(Y, v−1, c): ≥ 0 when version v only added incidents
//                         ("additions"), free in sign otherwise ("changes");
//   setchange X(V→W, c)  S(W, c) − S(V, c) between consecutive version vectors of one year set,
//                         and A(Y, w, c) − A(Y, u, c) between non-consecutive versions u < w of a
//                         year (free in sign), unless it is one D already.
// Relations: every table relation of every publication (a margin or group = Σ its children),
// instantiated at every (year, version) where one of its quantities is in the model. The model is
// the closure of the publications' own cells under these relations, the year-set sums and the
// version links: any quantity of the full model (every coordinates at every version) left out is
// linked to nothing published, so leaving it out changes no interval (and it is unbounded above,
// so protected). Published counts of every earlier log entry are fixed (`published`).
//
// Rules (rules.ts), from the true values:
//   - a count or year-set quantity with value in 1..k−1: hi ≥ k, width ≥ p (small count);
//   - value − (the own incidents of one member — an organisation, all its keys — or, unless
//     `coalition` is 1, of two members together: coalitions.ts) in 1..k−1: hi ≥ the largest such
//     share + k, width ≥ p (holdings: what the others reported could be ≥ k, for every member and
//     every pair of members: two colluding organisations);
//   - an "additions" change in 1..k−1 (or small once one (or two) members' additions are taken
//     off): the same level rule; a change free in sign with |value| in 1..k−1, or whose value minus
//     one or two members' own net change is: the band rule (around that change);
//   - a cell any publication showed as suppressed: hi ≥ k; the new publication's own suppressed
//     cells also not pinned;
//   - filed (issue 15, a reused dedupe tag as an oracle): a count or year-set sum (at any
//     version), an "additions" change, or a set change that did not go down, whose value is below
//     what one member, or two together, filed in it (for a change: filed anew between its two
//     versions; items of `filed`, each once) must reach that much: hi ≥ filed. Otherwise the member
//     could be sure that one of its reports joined an incident someone had already reported. (A
//     change free in sign proves no join: others may have removed some.) Where it fires and the
//     filed amount is in 1..k−1, the small-count rule also applies to that amount, as it would in
//     the world where nothing joined.
// k and p of coordinates c: the largest of every publication whose tables hold c (the minimum k
// of the server for quantities no publication shows).
//
// Guarantees: pure and deterministic (same input, same cell ids and constraints); every cell
// value satisfies every constraint exactly (values are sums of the same incident records), so the
// true table is a feasible point; `single` is true exactly when there is no earlier publication
// and the structure is the new publication's own linked tables (then `lt` is that structure, cell
// for cell, constraint for constraint, and the single-release methods — hypercubes, MILP — apply;
// with `hiddenTables`, the last tables of that structure are quantities no table shows).
import { buildLinkedTables, identityOf } from '../../tables/linked-tables.js';
import { band, emptyRules, setSensitive, type Rules } from '../rules.js';
import { structureOf, type Structure } from '../structure.js';
import { ALL, type Cell, type Constraint, type Hierarchies, type Key, type LinkedTables } from '../types.js';
import { coalitionNets, coalitionShares, DEFAULT_HOLDINGS_COALITION, type Holdings } from './coalitions.js';
import { aggregate, type Ancestry, ancestryOf, coordsId, type IncidentRecord, type Truth } from './truth.js';

export type Since = 'additions' | 'changes';

export interface View {
  /** Place in the publication log (views are given in log order). */
  index: number;
  series: string;
  tables: readonly (readonly string[])[];
  /** The years counted, ascending. */
  years: readonly number[];
  /** Data version of each year counted. */
  versions: Readonly<Record<string, number>>;
  /** Every code of every non-year dimension the tables use. */
  domains: Readonly<Record<string, readonly string[]>>;
  hierarchies: Hierarchies;
  k: number;
  protection: number;
  /** An earlier publication's cells (keys spelled with "*"), null when hidden; omitted for the new one. */
  cells?: ReadonlyArray<{ readonly key: Readonly<Key>; readonly count: number | null }>;
  /** A differential-privacy publication: its null counts are noisy, not hidden (no rule applies). */
  dp?: boolean;
}

export interface GlobalInput {
  /** Every earlier log entry in log order, then the publication being made (without `cells`). */
  views: readonly View[];
  /** How version v (≥ 2) of a year differs from v − 1. */
  since(year: number, version: number): Since;
  /** Counted incidents of a year at a version (key: leaf codes of every dimension). */
  records(year: number, version: number): readonly IncidentRecord[];
  /** For an "additions" version: the incidents it added (with their reporting members). */
  added(year: number, version: number): readonly IncidentRecord[];
  /**
   * What members filed at a version, as each sees it (one item per dedupe tag and values, with the
   * members that filed it): the filed rule below. Optional (without it the rule is not applied).
   */
  filed?(year: number, version: number): readonly IncidentRecord[];
  /** The server's minimum k and p (for quantities no publication shows). */
  minK: number;
  minProtection: number;
  /** Organisations per coalition of the holdings and filed rules (coalitions.ts; default 2). */
  coalition?: number;
}

export type CellKind = 'count' | 'yearset' | 'change' | 'setchange';

export interface CellMeta {
  kind: CellKind;
  /** count/change: the year and version; yearset: its version vector; setchange: "V>W". */
  at: string;
  coords: Key;
}

export interface GlobalModel {
  cells: Cell[];
  constraints: Constraint[];
  s: Structure;
  meta: CellMeta[];
  rules: Rules;
  /** Small or holdings-sensitive counts and changes (they must stay hidden). */
  sensitive: Uint8Array;
  /** Known from an earlier publication (never suppressed again, never moved). */
  published: Uint8Array;
  /** Shown as suppressed by an earlier publication. */
  shownSuppressed: Uint8Array;
  /** The new publication's linked tables (its own keys; values are the true counts). */
  lt: LinkedTables;
  /** Global id of each of the new publication's linked-table cells (lt.cells index → id). */
  ltToGlobal: Int32Array;
  single: boolean;
  /**
   * How many of the new publication's last tables are never shown (`hiddenTables` below): their
   * cells are in `lt` but only those also in a shown table are the publication's.
   */
  hiddenTables: number;
}

export interface ModelOptions {
  /**
   * The new publication's last `hiddenTables` tables are never shown: quantities of the attacker's
   * system written as tables so that `lt` covers them (global/protect.ts: a first publication's
   * per-year splits of its year-less tables). Their cells get no rule of a published cell; every
   * other rule, value and relation is the model's whatever the tables listed.
   */
  hiddenTables?: number;
}

const yv = (year: number | string, version: number): string => `${year}@${version}`;

interface Pending {
  kind: CellKind;
  at: string;
  coords: Key;
  coordsId: string;
  year?: number;
  version?: number;
  vector?: Array<[number, number]>;
  /** change cells: sign lower bound; setchange: the two year-set ids. */
  lower?: number;
  from?: number;
  to?: number;
}

/**
 * The attacker's system over the publication log (see the header), in its steps: 1. every view's
 * own cells and relation templates, 2. the closure (relations, version links, year-set sums, then
 * the changes between non-consecutive versions and between year sets), 3. true values and
 * members' shares, 4. rules; then the new publication's own linked tables.
 */
export function buildGlobalModel(input: GlobalInput, options: ModelOptions = {}): GlobalModel {
  const views = input.views;
  if (views.length === 0 || views[views.length - 1]!.cells !== undefined) throw new Error('the last view must be the publication being made (no cells)');
  const ancestry = ancestryOf(views.map((v) => v.hierarchies));
  const reg = new Registry();
  const own = addViews(input, reg);
  const sortedVersions = versionsByYear(views);
  const decomposed = closeModel(input, reg, own, sortedVersions);
  addNonConsecutiveChanges(reg, sortedVersions);
  addYearSetChanges(reg, own.sCells, decomposed, sortedVersions);
  const values = trueValues(input, reg, own.published, sortedVersions, ancestry);
  const { rules, sensitive } = rulesOf(input, reg, values, own.shownSuppressed);

  // The new publication: its cells, in its own linked-table order.
  const { pend, constraints } = reg;
  const n = pend.length;
  const newIndex = views.length - 1;
  const newView = views[newIndex]!;
  const newDomains: Record<string, readonly string[]> = { ...newView.domains, year: newView.years.map(String) };
  const counts = newView.years.flatMap((y) => input.records(y, versionOf(newView, y)).map((r) => ({ key: { ...r.key, year: String(y) }, count: r.count })));
  const lt = buildLinkedTables({ counts, domains: newDomains, tables: newView.tables, hierarchies: newView.hierarchies });
  const ltToGlobal = own.viewIds[newIndex]!;
  const hiddenTables = options.hiddenTables ?? 0;
  const shown = shownCells(lt, newView.tables.length - hiddenTables);
  lt.cells.forEach((c, i) => {
    const g = ltToGlobal[i]!;
    if (c.value !== values.truth[g]) throw new Error('internal: the new publication disagrees with the model');
    if (!shown[i]) return; // a never-shown table's own cell: the rules of the quantity it is
    const kp = reg.kOf.get(pend[g]!.coordsId)!;
    rules.pin[g] = 1;
    rules.need[g] = Math.max(rules.need[g]!, kp.k);
  });

  const cells: Cell[] = pend.map((p, id) => ({
    id,
    key: p.coords,
    tables: [],
    value: values.truth[id]!,
    ...(p.lower === -Infinity ? { lower: -Infinity } : {}),
  }));
  // No earlier entry and nothing beyond the new publication's own tables: its linked tables are
  // the whole system (a single-year margin and its year are one quantity there as here).
  const single = views.length === 1 && constraints.length === own.ownConstraints && new Set(ltToGlobal).size === pend.length;
  const s = structureOf(cells, constraints);
  const pub = new Uint8Array(n);
  for (const id of own.published.keys()) pub[id] = 1;
  const shownHidden = new Uint8Array(n);
  for (const id of own.shownSuppressed) shownHidden[id] = 1;
  return {
    cells,
    constraints,
    s,
    rules,
    sensitive,
    published: pub,
    shownSuppressed: shownHidden,
    lt,
    ltToGlobal,
    single,
    hiddenTables,
    meta: pend.map((p) => ({ kind: p.kind, at: p.at, coords: p.coords })),
  };
}

/** Which of `lt`'s cells belong to one of its first `count` tables (the shown ones). */
export function shownCells(lt: LinkedTables, count: number): Uint8Array {
  const out = new Uint8Array(lt.cells.length);
  lt.tableCells.forEach((ids, t) => {
    if (t < count) for (const id of ids) out[id] = 1;
  });
  return out;
}

const identA = (year: number, version: number, cid: string) => `A|${yv(year, version)}|${cid}`;

/** The model's cells by identity, its coordinates, its constraints (deduplicated), and k and p per coordinates. */
class Registry {
  readonly pend: Pending[] = [];
  readonly byIdent = new Map<string, number>();
  readonly coordsKeys = new Map<string, Key>();
  readonly constraints: Constraint[] = [];
  private readonly seenCon = new Set<string>();
  /** k and p per coordinates: the strictest publication showing them. */
  readonly kOf = new Map<string, { k: number; p: number }>();

  register(ident: string, p: Pending): number {
    let id = this.byIdent.get(ident);
    if (id === undefined) {
      id = this.pend.length;
      this.byIdent.set(ident, id);
      this.pend.push(p);
    }
    return id;
  }

  noteCoords(key: Key): string {
    const id = coordsId(key);
    if (!this.coordsKeys.has(id)) this.coordsKeys.set(id, key);
    return id;
  }

  /** Count cells by (year@version, coordinates): lookups keyed by strings already hashed, not a new long identity each time. */
  private readonly aAt = new Map<string, Map<string, number>>();

  ensureA(year: number, version: number, cid: string): number {
    const at = yv(year, version);
    let byCoords = this.aAt.get(at);
    if (!byCoords) this.aAt.set(at, (byCoords = new Map()));
    let id = byCoords.get(cid);
    if (id === undefined) {
      id = this.register(identA(year, version, cid), { kind: 'count', at, coords: this.coordsKeys.get(cid)!, coordsId: cid, year, version });
      byCoords.set(cid, id);
    }
    return id;
  }

  /** Constraints, deduplicated on (total, parts). */
  addConstraint(total: number, parts: number[], dim: string): void {
    if (parts.length === 1 && parts[0] === total) return; // a single-year margin is its year
    const tag = `${total}:${[...parts].sort((a, b) => a - b).join(',')}`;
    if (this.seenCon.has(tag)) return;
    this.seenCon.add(tag);
    this.constraints.push({ id: this.constraints.length, total, parts, dim });
  }

  noteK(cid: string, k: number, p: number): void {
    const had = this.kOf.get(cid);
    this.kOf.set(cid, had ? { k: Math.max(had.k, k), p: Math.max(had.p, p) } : { k, p });
  }
}

/** A year-set cell: its id, version vector, coordinates and the view that showed it. */
interface YearSetCell {
  id: number;
  vector: Array<[number, number]>;
  cid: string;
  view: number;
}

/** What step 1 learns from the views. */
interface ViewsSeen {
  /** Relation templates over coordinates (year left out), by tag, and the tags of each coordinates. */
  templates: Map<string, { total: string; parts: string[]; dim: string }>;
  templatesOf: Map<string, string[]>;
  sCells: YearSetCell[];
  /** Per view: global id of each of its linked-table cells. */
  viewIds: Int32Array[];
  /** Counts published by earlier entries, by id. */
  published: Map<number, number>;
  shownSuppressed: Set<number>;
  /** Constraints of the new publication's own tables (−1: not known, there are earlier entries). */
  ownConstraints: number;
}

/** Step 1. Every view's own cells, and its relation templates (over coordinates, year left out). */
function addViews(input: GlobalInput, reg: Registry): ViewsSeen {
  const { views } = input;
  const { pend, constraints } = reg;
  let ownConstraints = -1; // constraints of the new publication's own tables (−1: not yet known)
  const templates = new Map<string, { total: string; parts: string[]; dim: string }>();
  const templatesOf = new Map<string, string[]>();
  const sCells: YearSetCell[] = [];
  const viewIds: Int32Array[] = [];
  const published = new Map<number, number>();
  const shownSuppressed = new Set<number>();
  const newIndex = views.length - 1;
  views.forEach((view, vi) => {
    const domains: Record<string, readonly string[]> = { ...view.domains, year: view.years.map(String) };
    const lt = buildLinkedTables({ counts: [], domains, tables: view.tables, hierarchies: view.hierarchies });
    const vector: Array<[number, number]> = view.years.map((y) => [y, versionOf(view, y)]);
    const ids = new Int32Array(lt.cells.length);
    lt.cells.forEach((cell, i) => {
      const { year, ...rest } = cell.key;
      const cid = reg.noteCoords(rest);
      reg.noteK(cid, view.k || input.minK, view.protection || input.minProtection); // a DP entry has no k
      if (year !== undefined || view.years.length === 1) {
        const y = year !== undefined ? Number(year) : view.years[0]!;
        ids[i] = reg.ensureA(y, versionOf(view, y), cid);
      } else {
        const at = vector.map(([y, v]) => yv(y, v)).join('+');
        const before = pend.length;
        ids[i] = reg.register(`S|${at}|${cid}`, { kind: 'yearset', at, coords: rest, coordsId: cid, vector });
        if (pend.length > before) sCells.push({ id: ids[i]!, vector, cid, view: vi });
      }
    });
    viewIds.push(ids);
    // The view's own relations, at its own versions (year-set margins included) …
    for (const con of lt.constraints)
      reg.addConstraint(
        ids[con.total]!,
        con.parts.map((q) => ids[q]!),
        con.dim,
      );
    if (vi === newIndex && vi === 0) ownConstraints = constraints.length;
    // … and, as templates over coordinates, for every (year, version) the closure reaches.
    for (const con of lt.constraints) {
      if (con.dim === 'year') continue; // year-set sums: step 2
      const strip = (id: number): string => {
        const { year: _y, ...rest } = lt.cells[id]!.key;
        return reg.noteCoords(rest);
      };
      const total = strip(con.total);
      const parts = con.parts.map(strip);
      const tag = `${total}>${parts.join(',')}`;
      if (templates.has(tag)) continue;
      templates.set(tag, { total, parts, dim: con.dim });
      for (const c of [total, ...parts]) {
        let l = templatesOf.get(c);
        if (!l) templatesOf.set(c, (l = []));
        l.push(tag);
      }
    }
    if (view.cells) {
      const byKey = new Map<string, number>();
      lt.cells.forEach((c, i) => byKey.set(identityOf(c.key), i));
      for (const pc of view.cells) {
        const li = byKey.get(identityOf(pc.key));
        if (li === undefined) throw new Error(`publication ${view.index}: cell ${JSON.stringify(pc.key)} is not in its tables`);
        const id = ids[li]!;
        if (pc.count === null) {
          if (!view.dp) shownSuppressed.add(id);
          continue;
        }
        const had = published.get(id);
        if (had !== undefined && had !== pc.count) throw new Error(`publications disagree on one quantity (${pend[id]!.at} ${pend[id]!.coordsId})`);
        published.set(id, pc.count);
      }
    }
  });
  for (const id of published.keys()) shownSuppressed.delete(id);
  return { templates, templatesOf, sCells, viewIds, published, shownSuppressed, ownConstraints };
}

/** The versions of each year in the model, ascending. */
function versionsByYear(views: readonly View[]): Map<number, number[]> {
  const versionsOf = new Map<number, Set<number>>();
  for (const view of views)
    for (const y of view.years) {
      let s = versionsOf.get(y);
      if (!s) versionsOf.set(y, (s = new Set()));
      s.add(versionOf(view, y));
    }
  const sortedVersions = new Map<number, number[]>();
  for (const [y, s] of versionsOf)
    sortedVersions.set(
      y,
      [...s].sort((a, b) => a - b),
    );
  return sortedVersions;
}

/**
 * Step 2. Closure. A year-set sum is decomposed once any of its A is in the model; an A is in the
 * model when a publication shows it, or when two year-set sums share it. Returns the year-set
 * cells (indices into `sCells`) that were decomposed.
 */
function closeModel(input: GlobalInput, reg: Registry, own: ViewsSeen, sortedVersions: ReadonlyMap<number, number[]>): Set<number> {
  const { pend } = reg;
  const { templates, templatesOf, sCells } = own;
  // The year-set cells holding each count A(y, v, c), by (y@v, c).
  const sByA = new Map<string, Map<string, number[]>>();
  sCells.forEach((sc, i) => {
    for (const [y, v] of sc.vector) {
      const at = yv(y, v);
      let byCoords = sByA.get(at);
      if (!byCoords) sByA.set(at, (byCoords = new Map()));
      let l = byCoords.get(sc.cid);
      if (!l) byCoords.set(sc.cid, (l = []));
      l.push(i);
    }
  });
  const work: number[] = [];
  const expanded = new Set<number>();
  for (let id = 0; id < pend.length; id++) if (pend[id]!.kind === 'count') work.push(id);
  for (const [at, byCoords] of sByA) {
    const [y, v] = at.split('@').map(Number) as [number, number];
    for (const [cid, l] of byCoords) {
      if (l.length < 2 || reg.byIdent.has(identA(y, v, cid))) continue;
      work.push(reg.ensureA(y, v, cid));
    }
  }
  const decomposed = new Set<number>();
  const instantiated = new Map<object, Set<string>>(); // per template, the (year, version)s done
  const changeId = (year: number, version: number, cid: string): number =>
    reg.register(`D|${yv(year, version)}|${cid}`, {
      kind: 'change',
      at: yv(year, version),
      coords: reg.coordsKeys.get(cid)!,
      coordsId: cid,
      year,
      version,
      lower: input.since(year, version) === 'additions' ? 0 : -Infinity,
    });
  while (work.length > 0) {
    const id = work.pop()!;
    if (expanded.has(id)) continue;
    expanded.add(id);
    const p = pend[id]!;
    const y = p.year!;
    const v = p.version!;
    const grow = (nid: number): number => {
      if (!expanded.has(nid)) work.push(nid);
      return nid;
    };
    // Relations at (y, v), each once (it holds every quantity it names).
    const here = yv(y, v);
    for (const tag of templatesOf.get(p.coordsId) ?? []) {
      const t = templates.get(tag)!;
      let done = instantiated.get(t);
      if (!done) instantiated.set(t, (done = new Set()));
      if (done.has(here)) continue;
      done.add(here);
      const total = grow(reg.ensureA(y, v, t.total));
      const parts = t.parts.map((c) => grow(reg.ensureA(y, v, c)));
      reg.addConstraint(total, parts, t.dim);
    }
    // Version links.
    const vs = sortedVersions.get(y)!;
    const at = vs.indexOf(v);
    if (at > 0) {
      const prev = grow(reg.ensureA(y, vs[at - 1]!, p.coordsId));
      reg.addConstraint(id, [prev, changeId(y, v, p.coordsId)], 'version');
    }
    if (at >= 0 && at < vs.length - 1) {
      const next = grow(reg.ensureA(y, vs[at + 1]!, p.coordsId));
      reg.addConstraint(next, [id, changeId(y, vs[at + 1]!, p.coordsId)], 'version');
    }
    // Year-set sums holding it.
    for (const si of sByA.get(here)?.get(p.coordsId) ?? []) {
      if (decomposed.has(si)) continue;
      decomposed.add(si);
      const sc = sCells[si]!;
      reg.addConstraint(
        sc.id,
        sc.vector.map(([yy, vv]) => grow(reg.ensureA(yy, vv, sc.cid))),
        'year',
      );
    }
  }
  return decomposed;
}

/**
 * Step 2, continued. Changes between non-consecutive versions of one year (v1 → v3): the sum of
 * the steps, but protected on its own (two steps each protected can add up to a small net change).
 * Same rules as a change between year sets (band, and holdings with each member's net change).
 */
function addNonConsecutiveChanges(reg: Registry, sortedVersions: ReadonlyMap<number, number[]>): void {
  const { pend } = reg;
  const countsAt = new Map<string, Map<number, number>>();
  pend.forEach((p, id) => {
    if (p.kind !== 'count') return;
    const key = `${p.year}|${p.coordsId}`;
    let m = countsAt.get(key);
    if (!m) countsAt.set(key, (m = new Map()));
    m.set(p.version!, id);
  });
  for (const [key, byVersion] of countsAt) {
    const year = Number(key.slice(0, key.indexOf('|')));
    const vs = (sortedVersions.get(year) ?? []).filter((v) => byVersion.has(v));
    for (let i = 0; i < vs.length; i++) {
      for (let j = i + 2; j < vs.length; j++) {
        const from = byVersion.get(vs[i]!)!;
        const to = byVersion.get(vs[j]!)!;
        const at = `${yv(year, vs[i]!)}>${yv(year, vs[j]!)}`;
        const x = reg.register(`X|${at}|${pend[from]!.coordsId}`, {
          kind: 'setchange',
          at,
          coords: pend[from]!.coords,
          coordsId: pend[from]!.coordsId,
          lower: -Infinity,
          from,
          to,
        });
        reg.addConstraint(to, [from, x], 'change');
      }
    }
  }
}

/** Step 2, continued. Changes between consecutive version vectors of one year set (one per coordinates). */
function addYearSetChanges(
  reg: Registry,
  sCells: readonly YearSetCell[],
  decomposed: ReadonlySet<number>,
  sortedVersions: ReadonlyMap<number, number[]>,
): void {
  const { pend } = reg;
  const chains = new Map<string, Array<{ si: number; vector: Array<[number, number]> }>>();
  sCells.forEach((sc, si) => {
    const key = `${sc.vector.map(([y]) => y).join('+')}|${sc.cid}`;
    let l = chains.get(key);
    if (!l) chains.set(key, (l = []));
    if (!l.some((e) => sameVector(e.vector, sc.vector))) l.push({ si, vector: sc.vector });
  });
  for (const list of chains.values()) {
    list.sort((a, b) => sCells[a.si]!.view - sCells[b.si]!.view);
    for (let i = 1; i < list.length; i++) {
      const a = list[i - 1]!;
      const b = list[i]!;
      if (decomposed.has(a.si) && decomposed.has(b.si) && oneStep(a.vector, b.vector, sortedVersions)) continue;
      const sa = sCells[a.si]!;
      const sb = sCells[b.si]!;
      const at = `${pend[sa.id]!.at}>${pend[sb.id]!.at}`;
      const x = reg.register(`X|${at}|${sa.cid}`, {
        kind: 'setchange',
        at,
        coords: pend[sa.id]!.coords,
        coordsId: sa.cid,
        lower: -Infinity,
        from: sa.id,
        to: sb.id,
      });
      reg.addConstraint(sb.id, [sa.id, x], 'change');
    }
  }
}

/** Step 3's true values, and what each member holds of them. */
interface TrueValues {
  truth: Float64Array;
  /** Counts, year sets and additions: the own incidents of each member (and each pair, with `coalition` 2). */
  shares: number[][];
  /** Free-sign changes: the own net change of each member (and pair) (distinct non-zero values). */
  netShares: number[][];
  /** Changes and set changes: the most one member or two filed anew between the two versions (0 if none). */
  filedNew: Float64Array;
}

/** Step 3. True values and members' shares; checks every relation and every published count against them. */
function trueValues(
  input: GlobalInput,
  reg: Registry,
  published: ReadonlyMap<number, number>,
  sortedVersions: ReadonlyMap<number, number[]>,
  ancestry: Ancestry,
): TrueValues {
  const { pend, byIdent } = reg;
  const size = input.coalition ?? DEFAULT_HOLDINGS_COALITION;
  const truth = new Float64Array(pend.length);
  const shares: number[][] = new Array(pend.length);
  const holdings: Array<Holdings | undefined> = new Array(pend.length);
  const netShares: number[][] = new Array(pend.length);
  const filedNew = new Float64Array(pend.length);
  const filed: Array<Holdings | undefined> = new Array(pend.length);
  const wantAt = new Map<string, Map<string, Key>>();
  const want = (bucket: string, cid: string): void => {
    let m = wantAt.get(bucket);
    if (!m) wantAt.set(bucket, (m = new Map()));
    m.set(cid, reg.coordsKeys.get(cid)!);
  };
  for (const p of pend) {
    if (p.kind === 'count') want(`A${p.at}`, p.coordsId);
    else if (p.kind === 'yearset') want(`S${p.at}`, p.coordsId);
    if (input.filed && p.kind === 'count') want(`F${p.at}`, p.coordsId);
    else if (input.filed && p.kind === 'yearset') want(`G${p.at}`, p.coordsId);
    else if (p.kind === 'change' && p.lower === 0) want(`D${p.at}`, p.coordsId);
  }
  const results = new Map<string, Map<string, Truth>>();
  for (const [bucket, coords] of wantAt) {
    const kind = bucket[0];
    const at = bucket.slice(1);
    let recs: readonly IncidentRecord[];
    if (kind === 'S' || kind === 'G')
      recs = at.split('+').flatMap((x) => {
        const [y, v] = x.split('@').map(Number);
        return [...(kind === 'S' ? input.records(y!, v!) : input.filed!(y!, v!))];
      });
    else {
      const [y, v] = at.split('@').map(Number) as [number, number];
      recs = kind === 'A' ? input.records(y, v) : kind === 'F' ? input.filed!(y, v) : input.added(y, v);
    }
    results.set(bucket, aggregate(recs, coords, ancestry));
  }
  pend.forEach((p, id) => {
    if (p.kind === 'count' || p.kind === 'yearset' || (p.kind === 'change' && p.lower === 0)) {
      const r = results.get(`${p.kind === 'count' ? 'A' : p.kind === 'yearset' ? 'S' : 'D'}${p.at}`)!.get(p.coordsId)!;
      truth[id] = r.value;
      shares[id] = r.byMember ? coalitionShares(r, size) : r.shares;
      if (r.byMember) holdings[id] = r;
    }
    if (input.filed && (p.kind === 'count' || p.kind === 'yearset')) filed[id] = results.get(`${p.kind === 'count' ? 'F' : 'G'}${p.at}`)!.get(p.coordsId);
  });
  const mostFiledNew = (from: number, to: number): number => Math.max(0, ...coalitionNets(filed[from], filed[to], size));
  pend.forEach((p, id) => {
    // A count (or year-set sum) holds at least what one member, or two, filed in it, unless some
    // of their items joined incidents counted elsewhere: what was filed in it must stay reachable.
    if (input.filed && (p.kind === 'count' || p.kind === 'yearset')) filedNew[id] = Math.max(0, ...coalitionShares(filed[id], size));
    if (p.kind === 'change' && p.lower !== 0) {
      const cur = byIdent.get(identA(p.year!, p.version!, p.coordsId))!;
      const vs = sortedVersions.get(p.year!)!;
      const prev = byIdent.get(identA(p.year!, vs[vs.indexOf(p.version!) - 1]!, p.coordsId))!;
      truth[id] = truth[cur]! - truth[prev]!;
      netShares[id] = coalitionNets(holdings[prev], holdings[cur], size);
    }
    if (p.kind === 'setchange') {
      truth[id] = truth[p.to!]! - truth[p.from!]!;
      netShares[id] = coalitionNets(holdings[p.from!], holdings[p.to!], size);
      if (input.filed) filedNew[id] = mostFiledNew(p.from!, p.to!);
    }
    if (p.kind === 'change' && input.filed) {
      const vs = sortedVersions.get(p.year!)!;
      const prev = byIdent.get(identA(p.year!, vs[vs.indexOf(p.version!) - 1]!, p.coordsId))!;
      filedNew[id] = mostFiledNew(prev, byIdent.get(identA(p.year!, p.version!, p.coordsId))!);
    }
  });
  for (const c of reg.constraints) {
    let sum = 0;
    for (const q of c.parts) sum += truth[q]!;
    if (Math.abs(sum - truth[c.total]!) > 1e-9) throw new Error(`internal: true values break a ${c.dim} relation`);
  }
  for (const [id, v] of published) {
    if (truth[id] !== v) throw new Error(`a published count (${pend[id]!.at} ${pend[id]!.coordsId}) differs from the data of its version`);
  }
  return { truth, shares, netShares, filedNew };
}

/** Step 4. Rules (see the header), and which cells are sensitive. */
function rulesOf(input: GlobalInput, reg: Registry, values: TrueValues, shownSuppressed: ReadonlySet<number>): { rules: Rules; sensitive: Uint8Array } {
  const { pend, kOf } = reg;
  const { truth, shares, netShares, filedNew } = values;
  const n = pend.length;
  const rules = emptyRules(n);
  const sensitive = new Uint8Array(n);
  const isSmall = (x: number, k: number): boolean => x >= 1 && x <= k - 1;
  pend.forEach((p, id) => {
    const kp = kOf.get(p.coordsId) ?? { k: input.minK, p: input.minProtection };
    const v = truth[id]!;
    if (p.kind === 'count' || p.kind === 'yearset' || (p.kind === 'change' && p.lower === 0)) {
      if (isSmall(v, kp.k)) {
        setSensitive(rules, id, kp.k, kp.p);
        sensitive[id] = 1;
      }
      for (const c of shares[id] ?? []) {
        if (!isSmall(v - c, kp.k)) continue;
        setSensitive(rules, id, c + kp.k, kp.p); // keeps the largest need
        sensitive[id] = 1;
      }
    } else {
      // A change free in sign: the band rule on the change, and on what the others changed once
      // one member's own net change c is taken off (o = v − c with |o| in 1..k−1: hi ≥ c + k or
      // lo ≤ c for o > 0, hi ≥ c or lo ≤ c − k for o < 0). Several such rules are kept by one
      // stricter pair (the largest need, the smallest low alternative).
      const bands: Array<[number, number]> = [];
      if (isSmall(Math.abs(v), kp.k)) bands.push(band(v, 0, kp.k));
      for (const c of netShares[id] ?? []) if (isSmall(Math.abs(v - c), kp.k)) bands.push(band(v, c, kp.k));
      if (bands.length > 0) {
        rules.need[id] = Math.max(...bands.map((b) => b[0]));
        rules.lowAlt[id] = Math.min(...bands.map((b) => b[1]));
        sensitive[id] = 1;
      }
    }
    // What one or two members filed (anew, for a change) must stay reachable (see the header): a
    // stricter reach, so no lower alternative; and the small-count rule of the filed amount.
    const judged = (p.kind === 'change' && p.lower === 0) || (p.kind === 'setchange' && v >= 0) || p.kind === 'count' || p.kind === 'yearset';
    if (judged && filedNew[id]! > v) {
      rules.need[id] = Math.max(rules.need[id]!, filedNew[id]!);
      rules.lowAlt[id] = -Infinity;
      sensitive[id] = 1;
      // and as if nothing had joined: the rules of a count of what was filed (the other world).
      if (isSmall(filedNew[id]!, kp.k)) setSensitive(rules, id, kp.k, kp.p);
    }
    if (shownSuppressed.has(id)) rules.need[id] = Math.max(rules.need[id]!, kp.k);
  });
  return { rules, sensitive };
}

function versionOf(view: View, year: number): number {
  const v = view.versions[String(year)];
  if (!Number.isInteger(v) || v! < 1) throw new Error(`publication ${view.index}: no data version for ${year}`);
  return v!;
}

function sameVector(a: ReadonlyArray<readonly [number, number]>, b: ReadonlyArray<readonly [number, number]>): boolean {
  return a.length === b.length && a.every(([y, v], i) => b[i]![0] === y && b[i]![1] === v);
}

/** The two vectors differ in exactly one year, by exactly one version step. */
function oneStep(a: ReadonlyArray<readonly [number, number]>, b: ReadonlyArray<readonly [number, number]>, versions: ReadonlyMap<number, number[]>): boolean {
  let diff = 0;
  for (let i = 0; i < a.length; i++) {
    if (a[i]![1] === b[i]![1]) continue;
    diff++;
    const vs = versions.get(a[i]![0])!;
    if (Math.abs(vs.indexOf(a[i]![1]) - vs.indexOf(b[i]![1])) !== 1) return false;
  }
  return diff === 1;
}

export { ALL };
