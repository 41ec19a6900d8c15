// Test helpers for the global model: a tiny "server" that keeps data versions per year and a
// publication log, and an INDEPENDENT reference: the full attacker model written as one CPLEX LP
// over every coordinates at every version (no closure, no components, no reductions of ours),
// solved by HiGHS's one-shot `solve`. Nothing here is imported by server/disclosure.
import fc from 'fast-check';
import { protectInLog, type GlobalProtected, type GlobalProtectInput } from '../../server/disclosure/global/protect.js';
import { pairKey } from '../../server/disclosure/global/coalitions.js';
import type { IncidentRecord } from '../../server/disclosure/global/truth.js';
import type { GlobalModel, Since, View } from '../../server/disclosure/global/model.js';
import { expect } from 'vitest';
import { structureOf } from '../../server/disclosure/structure.js';
import { referenceHighs } from './helpers.js';

export type Key = Record<string, string>;
export interface Incident {
  id: string;
  key: Key;
  members: string[];
  /** Reports that joined this incident from other members, with the values each gave (issue 15). */
  joins?: Array<{ member: string; key: Key }>;
}

/** A publication as the log keeps it. */
export interface Entry extends View {
  cells: Array<{ key: Key; count: number | null }>;
}

export class Sim {
  /** year → versions (1-based) → incidents */
  data = new Map<number, Incident[][]>();
  log: Entry[] = [];
  constructor(
    readonly domains: Record<string, string[]>,
    readonly hierarchies: Record<string, Record<string, string[]>> = {},
    readonly minK = 5,
    /** Organisations per coalition of the holdings and filed rules (GlobalInput.coalition; the server's default 2). */
    readonly coalition = 2,
  ) {}

  /** Sets the current incidents of a year (a new version is made when a publication uses it). */
  current = new Map<number, Incident[]>();
  set(year: number, incidents: Incident[]): void {
    this.current.set(year, incidents);
  }

  private versionFor(year: number, hold: boolean): number {
    const versions = this.data.get(year) ?? [];
    const cur = this.current.get(year) ?? [];
    const last = versions[versions.length - 1];
    if (hold && last) return versions.length;
    if (last && sameIncidents(last, cur)) return versions.length;
    versions.push(cur.map((i) => ({ ...i })));
    this.data.set(year, versions);
    return versions.length;
  }

  since = (year: number, version: number): Since => {
    const vs = this.data.get(year)!;
    const before = new Map(vs[version - 2]!.map((i) => [i.id, JSON.stringify(i.key)]));
    const after = new Map(vs[version - 1]!.map((i) => [i.id, JSON.stringify(i.key)]));
    for (const [id, k] of before) if (after.get(id) !== k) return 'changes';
    // a join that went (its report withdrawn) makes the version "changes" too
    const joins = (list: Incident[]) => new Set(list.flatMap((i) => (i.joins ?? []).map((j) => `${i.id}|${j.member}|${JSON.stringify(j.key)}`)));
    const now = joins(vs[version - 1]!);
    for (const j of joins(vs[version - 2]!)) if (!now.has(j)) return 'changes';
    return 'additions';
  };

  /** What members filed at a version: each incident by its members, each join by its member. */
  filed = (year: number, version: number): IncidentRecord[] =>
    toRecords(
      this.data
        .get(year)!
        [version - 1]!.flatMap((i) => [
          { id: i.id, key: i.key, members: i.members },
          ...(i.joins ?? []).map((j, n) => ({ id: `${i.id}+${n}`, key: j.key, members: [j.member] })),
        ]),
    );

  records = (year: number, version: number): IncidentRecord[] => toRecords(this.data.get(year)![version - 1]!);
  added = (year: number, version: number): IncidentRecord[] => {
    const vs = this.data.get(year)!;
    const before = new Set(vs[version - 2]!.map((i) => i.id));
    return toRecords(vs[version - 1]!.filter((i) => !before.has(i.id)));
  };

  /** Appends a hand-made publication (cells as given) at the current data. */
  append(series: string, tables: string[][], years: number[], cells: Array<{ key: Key; count: number | null }>, k = this.minK): void {
    const versions: Record<string, number> = {};
    for (const y of years) versions[String(y)] = this.versionFor(y, false);
    const dims = [...new Set(tables.flat().filter((d) => d !== 'year'))];
    this.log.push({
      index: this.log.length + 1,
      series,
      tables,
      years,
      versions,
      domains: Object.fromEntries(dims.map((d) => [d, this.domains[d]!])),
      hierarchies: Object.fromEntries(Object.entries(this.hierarchies).filter(([d]) => dims.includes(d))),
      k,
      protection: k,
      cells,
    });
  }

  /** Protects and appends a publication; returns the engine's result. */
  async publish(series: string, tables: string[][], years: number[], opts: PublishOptions = {}): Promise<GlobalProtected> {
    const { input, view } = this.next(series, tables, years, opts);
    const r = await protectInLog(input);
    this.log.push({ ...view, cells: r.cells.map((c) => ({ key: c.key, count: c.count })) });
    return r;
  }

  /** The engine's input for a next publication (its data versions made as `publish` would), and its view. */
  next(series: string, tables: string[][], years: number[], opts: PublishOptions = {}): { input: GlobalProtectInput; view: View } {
    const k = opts.k ?? this.minK;
    const versions: Record<string, number> = {};
    for (const y of years) versions[String(y)] = this.versionFor(y, opts.hold?.includes(y) ?? false);
    const dims = [...new Set(tables.flat().filter((d) => d !== 'year'))];
    const view: View = {
      index: this.log.length + 1,
      series,
      tables,
      years,
      versions,
      domains: Object.fromEntries(dims.map((d) => [d, this.domains[d]!])),
      hierarchies: Object.fromEntries(Object.entries(this.hierarchies).filter(([d]) => dims.includes(d))),
      k,
      protection: k,
    };
    const input: GlobalProtectInput = {
      views: [...this.log, view],
      since: this.since,
      records: this.records,
      added: this.added,
      ...(opts.withoutFiled ? {} : { filed: this.filed }),
      minK: this.minK,
      minProtection: this.minK,
      coalition: this.coalition,
      method: opts.method,
    };
    return { input, view };
  }
}

type PublishOptions = { k?: number; hold?: number[]; method?: 'auto' | 'heuristic'; dp?: boolean; withoutFiled?: boolean };

function sameIncidents(a: Incident[], b: Incident[]): boolean {
  if (a.length !== b.length) return false;
  const m = new Map(a.map((i) => [i.id, JSON.stringify([i.key, i.joins ?? []])]));
  return b.every((i) => m.get(i.id) === JSON.stringify([i.key, i.joins ?? []]));
}

export function toRecords(incidents: readonly Incident[]): IncidentRecord[] {
  const by = new Map<string, { key: Key; count: number; byMember: Map<string, number>; byPair: Map<string, number> }>();
  for (const i of incidents) {
    const tag = JSON.stringify(Object.entries(i.key).sort());
    let r = by.get(tag);
    if (!r) by.set(tag, (r = { key: i.key, count: 0, byMember: new Map(), byPair: new Map() }));
    r.count++;
    const members = [...new Set(i.members)];
    for (const m of members) r.byMember.set(m, (r.byMember.get(m) ?? 0) + 1);
    for (const a of members) for (const b of members) if (a < b) r.byPair.set(pairKey(a, b), (r.byPair.get(pairKey(a, b)) ?? 0) + 1);
  }
  return [...by.values()];
}

/** A small grid of 4 × 3 cells (a × b), shared by the carry and revision tests. */
export const GRID = { a: ['a1', 'a2', 'a3', 'a4'], b: ['b1', 'b2', 'b3'] };
/** Table sets over the grid: [year, a], [year, a, b], [year, b], [a, b], [year, a] with [year, b]. */
export const GRID_TABLES: string[][][] = [
  [['year', 'a']],
  [['year', 'a', 'b']],
  [['year', 'b']],
  [['a', 'b']],
  [
    ['year', 'a'],
    ['year', 'b'],
  ],
];
/** The grid's cell `c` (a varies fastest). */
export const gridKey = (c: number): Key => ({ a: GRID.a[c % 4]!, b: GRID.b[Math.floor(c / 4) % 3]! });
/** Incidents from per-cell counts of the grid: ids `${tag}-${c}-${j}`, the j-th of cell c reported by `member(c, j)` (three members in turn by default). */
export function gridIncidents(counts: readonly number[], tag: string, member = (c: number, j: number) => `m-${(c + j) % 3}`): Incident[] {
  return counts.flatMap((n, c) => Array.from({ length: n }, (_, j) => ({ id: `${tag}-${c}-${j}`, key: gridKey(c), members: [member(c, j)] })));
}

/** A two-level hierarchy over the grid's `a`: a1 and a2 under g12. */
export const GRID_HIER = { a: { g12: ['a1', 'a2'] } };

/** A step of a seeded grid log: late reports in a cell, a withdrawal (the nth incident, modulo), or a publication of table set `tables`. */
export type GridOp =
  | { op: 'add'; year: number; cell: number; n: number }
  | { op: 'withdraw'; year: number; nth: number }
  | { op: 'pub'; series: string; tables: number; years: readonly number[]; k?: number };

/**
 * Random grid steps: a publication of one of `tables` table sets over 2023, 2024 or both (weight
 * 3; with its own k when `k` is given), late reports in a cell (2), a withdrawal (1).
 */
export function gridOpArb(tables: number, k?: fc.Arbitrary<number>): fc.Arbitrary<GridOp> {
  return fc.oneof(
    {
      weight: 3,
      arbitrary: fc.record({
        op: fc.constant('pub' as const),
        series: fc.constantFrom('s', 't', 'u'),
        tables: fc.integer({ min: 0, max: tables - 1 }),
        years: fc.constantFrom([2023], [2024], [2023, 2024]),
        ...(k ? { k } : {}),
      }),
    },
    {
      weight: 2,
      arbitrary: fc.record({
        op: fc.constant('add' as const),
        year: fc.constantFrom(2023, 2024),
        cell: fc.integer({ min: 0, max: 11 }),
        n: fc.integer({ min: 1, max: 3 }),
      }),
    },
    { weight: 1, arbitrary: fc.record({ op: fc.constant('withdraw' as const), year: fc.constantFrom(2023, 2024), nth: fc.nat(200) }) },
  );
}

/** A seeded grid log: 2023 and 2024 counts per cell, reported by `members` organisations in turn, then `ops`. */
export interface GridLog {
  members: number;
  c23: number[];
  c24: number[];
  ops: GridOp[];
}

/**
 * Replays a grid log on `sim`: each publication's cells (key → count, null hidden) until the
 * first error, which is returned as `err` (its class and message). `k` gives each publication's
 * k; `beforePublish(p)` runs before the p-th publication.
 */
export async function replayGridLog(
  sim: Sim,
  log: GridLog,
  tables: readonly string[][][],
  k: (op: Extract<GridOp, { op: 'pub' }>) => number,
  beforePublish?: (p: number) => void,
): Promise<{ pubs: Array<Map<string, number | null>>; err?: string }> {
  const member = (cell: number, j: number) => `m-${(cell + j) % log.members}`;
  const data = new Map<number, Incident[]>([
    [2023, gridIncidents(log.c23, 'x', member)],
    [2024, gridIncidents(log.c24, 'y', member)],
  ]);
  for (const [y, l] of data) sim.set(y, l);
  const pubs: Array<Map<string, number | null>> = [];
  let n = 0;
  try {
    for (const o of log.ops) {
      if (o.op === 'add')
        data.set(o.year, [
          ...data.get(o.year)!,
          ...Array.from({ length: o.n }, (_, j) => ({ id: `late${n}-${j}`, key: gridKey(o.cell), members: [`m-${j % log.members}`] })),
        ]);
      else if (o.op === 'withdraw')
        data.set(
          o.year,
          data.get(o.year)!.filter((_, i, l) => i !== o.nth % l.length),
        );
      else {
        beforePublish?.(pubs.length);
        const r = await sim.publish(o.series, tables[o.tables]!, [...o.years], { k: k(o) });
        pubs.push(new Map(r.cells.map((x) => [JSON.stringify(x.key), x.count])));
      }
      n++;
      for (const [y, l] of data) sim.set(y, l);
    }
    return { pubs };
  } catch (e) {
    return { pubs, err: `${(e as Error).constructor.name}: ${(e as Error).message}` };
  }
}

/** `n` incidents with key `key`, reported by `member`, ids prefixed by `tag`. */
export function many(tag: string, n: number, key: Key, member = 'm-a'): Incident[] {
  return Array.from({ length: n }, (_, i) => ({ id: `${tag}-${i}`, key, members: [member] }));
}

/**
 * The attacker's interval for quantity `target` (a linear combination of full-model variables),
 * over the FULL model of docs/release-format.md: a variable x(Y, v, c) for every year Y and version
 * v of the log and every coordinates c of every published table, every relation of every table at
 * every (Y, v), year sums, published counts, and x(Y, v, c) − x(Y, v−1, c) ≥ 0 when v only added
 * incidents. Written independently of server/disclosure/global.
 */
export async function fullModelInterval(sim: Sim, target: (x: (year: number, version: number, key: Key) => string) => string): Promise<[number, number]> {
  const h = await referenceHighs();
  const vars = new Set<string>();
  const name = (year: number, version: number, key: Key): string => {
    const c = Object.keys(key)
      .filter((d) => key[d] !== '*' && d !== 'year')
      .sort()
      .map((d) => `${d}_${key[d]}`)
      .join('_');
    const v = `x_${year}_${version}_${c || 'all'}`.replace(/[^A-Za-z0-9_]/g, '_');
    vars.add(v);
    return v;
  };
  // Every coordinates of every table of every entry (year dropped), with the dims used.
  const coords = new Map<string, Key>();
  const expand = (dims: string[]): Key[] => {
    let keys: Key[] = [{}];
    for (const d of dims) {
      const codes = ['*', ...Object.keys(sim.hierarchies[d] ?? {}), ...sim.domains[d]!];
      keys = keys.flatMap((k) => codes.map((c) => ({ ...k, [d]: c })));
    }
    return keys;
  };
  const tableDims = new Set<string>();
  for (const e of sim.log) for (const t of e.tables) tableDims.add(JSON.stringify(t.filter((d) => d !== 'year')));
  for (const td of tableDims)
    for (const k of expand(JSON.parse(td)))
      coords.set(
        JSON.stringify(
          Object.entries(k)
            .filter(([, v]) => v !== '*')
            .sort(),
        ),
        k,
      );
  const rows: string[] = [];
  const childrenOf = (d: string, code: string): string[] => {
    if (code === '*') {
      const groups = Object.keys(sim.hierarchies[d] ?? {});
      const grouped = new Set(Object.values(sim.hierarchies[d] ?? {}).flat());
      return groups.length ? [...groups, ...sim.domains[d]!.filter((c) => !grouped.has(c))] : sim.domains[d]!;
    }
    return sim.hierarchies[d]?.[code] ?? [];
  };
  for (const [year, versions] of sim.data) {
    for (let v = 1; v <= versions.length; v++) {
      for (const td of tableDims) {
        const dims: string[] = JSON.parse(td);
        for (const k of expand(dims)) {
          for (const d of dims) {
            const kids = childrenOf(d, k[d]!);
            if (kids.length === 0) continue;
            rows.push(`${name(year, v, k)}${kids.map((c) => ` - ${name(year, v, { ...k, [d]: c })}`).join('')} = 0`);
          }
        }
      }
      if (v > 1 && sim.since(year, v) === 'additions') for (const k of coords.values()) rows.push(`${name(year, v, k)} - ${name(year, v - 1, k)} >= 0`);
    }
  }
  for (const e of sim.log) {
    for (const c of e.cells) {
      if (c.count === null) continue;
      const rest: Key = { ...c.key };
      delete rest.year;
      const years = c.key.year !== undefined && c.key.year !== '*' ? [Number(c.key.year)] : e.years;
      rows.push(`${years.map((y) => name(y, e.versions[String(y)]!, rest)).join(' + ')} = ${c.count}`);
    }
  }
  const obj = target(name);
  const out: number[] = [];
  for (const sense of ['Minimize', 'Maximize']) {
    const lp = `${sense}\n obj: ${obj}\nSubject To\n${rows.map((r, i) => ` r${i}: ${r}`).join('\n')}\nBounds\n${[...vars].map((v) => ` ${v} >= 0`).join('\n')}\nEnd\n`;
    const r = h.solve(lp, { output_flag: false });
    if (r.Status === 'Unbounded') out.push(sense === 'Maximize' ? Infinity : -Infinity);
    else if (r.Status === 'Optimal') out.push((r as unknown as { ObjectiveValue: number }).ObjectiveValue);
    else throw new Error(`reference LP: ${r.Status}`);
  }
  return [Math.ceil(out[0]! - 1e-6), out[1] === Infinity ? Infinity : Math.floor(out[1]! + 1e-6)];
}

/** Every hidden cell of publication `p` of the log: its interval in the independent full-model LP, and the publication's k. */
export async function hiddenIntervals(sim: Sim, p: number): Promise<Array<{ key: string; lo: number; hi: number; k: number }>> {
  const e = sim.log[p]!;
  const out: Array<{ key: string; lo: number; hi: number; k: number }> = [];
  for (const c of e.cells) {
    if (c.count !== null) continue;
    const rest: Key = { ...c.key };
    delete rest.year;
    const years = c.key.year !== undefined && c.key.year !== '*' ? [Number(c.key.year)] : e.years;
    const [lo, hi] = await fullModelInterval(sim, (x) => years.map((y) => x(y, e.versions[String(y)]!, rest)).join(' + '));
    out.push({ key: JSON.stringify(c.key), lo, hi, k: e.k });
  }
  return out;
}

/**
 * True count of coordinates `key` (leaf codes, or "*") among `incidents`, each member's share of
 * it, and each coalition's (one member, or with `size` 2 also two: "a+b"): the incidents any of its
 * members reported.
 */
export function trueCount(incidents: readonly Incident[], key: Key, size = 1): { value: number; shares: Map<string, number>; coalitions: Map<string, number> } {
  const match = incidents.filter((i) => Object.keys(key).every((d) => key[d] === '*' || i.key[d] === key[d]));
  const shares = new Map<string, number>();
  for (const i of match) for (const m of new Set(i.members)) shares.set(m, (shares.get(m) ?? 0) + 1);
  const coalitions = new Map(shares);
  const members = [...shares.keys()].sort();
  for (const a of members)
    for (const b of members) if (size >= 2 && a < b) coalitions.set(`${a}+${b}`, match.filter((i) => i.members.includes(a) || i.members.includes(b)).length);
  return { value: match.length, shares, coalitions };
}

/** A model quantity by what it is (kind, versions, coordinates), whatever its id. */
export const quantityOf = (m: GlobalModel, i: number): string =>
  `${m.meta[i]!.kind}|${m.meta[i]!.at}|${JSON.stringify(
    Object.entries(m.meta[i]!.coords)
      .filter(([, c]) => c !== '*')
      .sort(),
  )}`;

/**
 * Asserts that two models of one log are the same system — the same quantities (by what they are,
 * not their ids), values, lower bounds, sensitivity and rules, and the same relations — and returns
 * the id in `b` of each quantity of `a`. (A first publication's model with its per-year splits
 * listed as never-shown tables against the general model: global/protect.ts `withYearSplits`.)
 */
export function expectSameSystem(a: GlobalModel, b: GlobalModel, what: string): number[] {
  const inB = new Map(b.meta.map((_, i) => [quantityOf(b, i), i]));
  const to = a.meta.map((_, i) => inB.get(quantityOf(a, i)));
  expect(
    a.meta.map((_, i) => quantityOf(a, i)).filter((_, i) => to[i] === undefined),
    `${what}: quantities the second model lacks`,
  ).toEqual([]);
  const inA = new Set(a.meta.map((_, i) => quantityOf(a, i)));
  expect(
    b.meta.map((_, i) => quantityOf(b, i)).filter((id) => !inA.has(id)),
    `${what}: quantities the first model lacks`,
  ).toEqual([]);
  expect(a.cells.length, what).toBe(b.cells.length);
  expect(new Set(to).size, what).toBe(b.cells.length);
  a.cells.forEach((cell, i) => {
    const g = to[i]!;
    const tell = `${what} ${quantityOf(a, i)}`;
    expect(cell.value, tell).toBe(b.cells[g]!.value);
    expect(cell.lower ?? 0, tell).toBe(b.cells[g]!.lower ?? 0);
    expect(a.sensitive[i], tell).toBe(b.sensitive[g]);
    for (const r of ['need', 'lowAlt', 'width', 'pin'] as const) expect(a.rules[r][i], `${tell} ${r}`).toBe(b.rules[r][g]);
  });
  const relation = (map: (i: number) => number, c: { total: number; parts: number[] }) =>
    `${map(c.total)}=${c.parts
      .map(map)
      .sort((x, y) => x - y)
      .join('+')}`;
  const relationsA = new Set(a.constraints.map((c) => relation((i) => to[i]!, c)));
  const relationsB = new Set(b.constraints.map((c) => relation((i) => i, c)));
  expect([...relationsA].sort(), what).toEqual([...relationsB].sort());
  return to as number[];
}

/**
 * A hand-made system in the model's shape (for carry.ts tests): quantities (kind, at, code of a —
 * "*" for none —, true value, lower bound) and relations [total, ...parts]. Only `s` and `meta`.
 */
export function handMadeModel(cells: ReadonlyArray<readonly [string, string, string, number, number?]>, relations: readonly number[][]): GlobalModel {
  const cs = cells.map(([, , , value, lower], id) => ({ id, key: {}, tables: [], value, ...(lower === undefined ? {} : { lower }) }));
  const s = structureOf(
    cs,
    relations.map(([total, ...parts], id) => ({ id, total: total!, parts, dim: 'a' })),
  );
  const meta = cells.map(([kind, at, a]) => ({ kind, at, coords: a === '*' ? {} : { a } }));
  return { s, meta } as unknown as GlobalModel;
}
