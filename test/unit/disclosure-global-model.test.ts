// The whole-server attacker model (server/disclosure/global/model.ts) cell by cell, against
// references written independently of it:
//   - what the attacker knows: for EVERY quantity of the model, its interval in the model's own
//     system (its constraints, earlier published counts fixed, its lower bounds; an LP written here)
//     equals its interval in the FULL model of docs/release-format.md (every coordinates at every
//     version, global-helpers.ts `fullModelInterval`). A relation, a version link, a year-set sum or
//     an earlier publication's count left out of the model widens some interval; a wrong one
//     narrows it or makes the system infeasible;
//   - what must be protected: every quantity's true value and its rule (small counts, holdings of
//     one member and of two together, additions, changes free in sign with their bands, cells
//     shown hidden, the new publication's cells, and the filed rule — the Sim's members file
//     exactly the incidents they are members of, so what a coalition filed anew is its net change),
//     worked out here from the incidents themselves;
//   - the bookkeeping the engine relies on: which cells are published, shown hidden, the new
//     publication's own cells, `single`, and the refusals of inconsistent input.
import { describe, expect, it } from 'vitest';
import { buildGlobalModel, type GlobalInput, type GlobalModel, type View } from '../../server/disclosure/global/model.js';
import { band } from '../../server/disclosure/rules.js';
import { buildLinkedTables, keyInTable } from '../../server/tables/linked-tables.js';
import { referenceHighs } from '../disclosure/helpers.js';
import { expectSameSystem, Sim, fullModelInterval, many, type Entry, type Incident, type Key } from '../disclosure/global-helpers.js';

/**
 * Appends an entry showing the true counts of its tables at the current data, with the cells
 * `hide` picks shown hidden (no protection: the model takes any log of true counts).
 */
function appendTrue(
  sim: Sim,
  series: string,
  tables: string[][],
  years: number[],
  k: number,
  hide: (count: number, key: Key) => boolean = (c) => c >= 1 && c < k,
  versions?: Record<string, number>,
): void {
  sim.append(series, tables, years, [], k);
  const e = sim.log[sim.log.length - 1]!;
  if (versions) Object.assign(e.versions, versions); // an older data version, as a series holding a year back
  const counts = years.flatMap((y) => sim.records(y, e.versions[String(y)]!).map((r) => ({ key: { ...r.key, year: String(y) }, count: r.count })));
  const lt = buildLinkedTables({ counts, domains: { ...e.domains, year: years.map(String) }, tables, hierarchies: e.hierarchies });
  lt.tableCells.forEach((ids, t) => {
    for (const id of ids) {
      const key = keyInTable(lt.cells[id]!, lt.tables[t]!);
      const count = lt.cells[id]!.value;
      e.cells.push({ key, count: hide(count, key) ? null : count });
    }
  });
}

/** The model of `sim`'s log with its last entry as the publication being made. */
function modelOfLast(sim: Sim, minK = sim.minK): { model: GlobalModel; input: GlobalInput; last: Entry } {
  const last = sim.log.pop()!;
  const { cells: _cells, ...view } = last;
  const views = [...sim.log, view as View];
  // The reference (fullModelInterval) sees the new publication's tables, none of its counts.
  sim.log.push({ ...last, cells: [] });
  const input: GlobalInput = {
    views,
    since: sim.since,
    records: sim.records,
    added: sim.added,
    filed: sim.filed,
    minK,
    minProtection: minK,
    coalition: sim.coalition,
  };
  return { model: buildGlobalModel(input), input, last };
}

/** "2023@2+2024@1" → [[2023, 2], [2024, 1]] */
const vectorOf = (at: string): Array<[number, number]> => at.split('+').map((x) => x.split('@').map(Number) as [number, number]);

/** The leaf codes under `code` of dimension `d` (a group of a hierarchy: its members' leaves). */
function leavesOf(sim: Sim, d: string, code: string): Set<string> {
  const kids = sim.hierarchies[d]?.[code];
  return kids ? new Set(kids.flatMap((c) => [...leavesOf(sim, d, c)])) : new Set([code]);
}

/** Does incident `i` count in coordinates `key` ("*" or absent: any code)? */
function inCoords(sim: Sim, i: Incident, key: Key): boolean {
  return Object.keys(key).every((d) => d === 'year' || key[d] === '*' || leavesOf(sim, d, key[d]!).has(i.key[d]!));
}

const incidentsAt = (sim: Sim, vector: Array<[number, number]>): Incident[] => vector.flatMap(([y, v]) => sim.data.get(y)![v - 1]!);

/**
 * A cell's value and what each member, and with coalition 2 each two members together (an incident
 * both reported once: two colluding organisations), reported of it, over the members given
 * (default: those in it).
 */
function tally(
  sim: Sim,
  incidents: readonly Incident[],
  key: Key,
  among?: readonly string[],
): { value: number; members: readonly string[]; shares: Map<string, number> } {
  const mine = incidents.filter((i) => inCoords(sim, i, key));
  const members = among ?? [...new Set(mine.flatMap((i) => i.members))].sort();
  const shares = new Map<string, number>();
  const count = (who: readonly string[]) => mine.filter((i) => i.members.some((m) => who.includes(m))).length;
  members.forEach((a, x) => {
    shares.set(a, count([a]));
    if (sim.coalition >= 2) for (const b of members.slice(x + 1)) shares.set(`${a}+${b}`, count([a, b]));
  });
  return { value: mine.length, members, shares };
}

/** k and p of coordinates `key`: the largest of every view whose tables show them (a group only where its hierarchy is). */
function kOf(views: readonly View[], key: Key, minK: number): number {
  const dims = Object.keys(key).filter((d) => d !== 'year' && key[d] !== '*');
  let k = -1;
  for (const v of views) {
    const shows = v.tables.some((t) => dims.every((d) => t.includes(d) && (v.domains[d]?.includes(key[d]!) || v.hierarchies[d]?.[key[d]!] !== undefined)));
    if (shows) k = Math.max(k, v.k || minK);
  }
  return k < 0 ? minK : k;
}

interface Expected {
  value: number;
  need: number;
  lowAlt: number;
  width: number;
  pin: number;
  sensitive: number;
}

/** Cell i's true value and rule, from the incidents (the model's header, written out again). */
function expectedRule(sim: Sim, model: GlobalModel, input: GlobalInput, i: number): Expected {
  const { kind, at, coords } = model.meta[i]!;
  const k = kOf(input.views, coords, input.minK);
  const e: Expected = { value: 0, need: -Infinity, lowAlt: -Infinity, width: 0, pin: 0, sensitive: 0 };
  const small = (x: number) => x >= 1 && x <= k - 1;
  const level = (incidents: readonly Incident[]): void => {
    const { value, shares } = tally(sim, incidents, coords);
    e.value = value;
    const rule = (need: number) => {
      e.need = Math.max(e.need, need);
      e.width = k;
      e.pin = 1;
      e.sensitive = 1;
    };
    if (small(value)) rule(k);
    for (const c of shares.values()) if (small(value - c)) rule(c + k);
  };
  const free = (from: Array<[number, number]>, to: Array<[number, number]>, setChange = false): void => {
    // each member's and each pair's net change, over the members of either end
    const members = [...new Set([...tally(sim, incidentsAt(sim, from), coords).members, ...tally(sim, incidentsAt(sim, to), coords).members])].sort();
    const a = tally(sim, incidentsAt(sim, from), coords, members);
    const b = tally(sim, incidentsAt(sim, to), coords, members);
    const t = b.value - a.value;
    e.value = t;
    const bands: Array<[number, number]> = [];
    if (small(Math.abs(t))) bands.push(band(t, 0, k));
    for (const m of b.shares.keys()) {
      const c = b.shares.get(m)! - a.shares.get(m)!;
      if (c !== 0 && small(Math.abs(t - c))) bands.push(band(t, c, k));
    }
    if (bands.length > 0) {
      e.need = Math.max(...bands.map((x) => x[0]));
      e.lowAlt = Math.min(...bands.map((x) => x[1]));
      e.sensitive = 1;
    }
    // the filed rule on a set change that did not go down: hi ≥ what one or two members filed anew,
    // and a small count's rule for a small such amount
    const filedNew = Math.max(0, ...[...b.shares.keys()].map((m) => b.shares.get(m)! - a.shares.get(m)!));
    if (setChange && input.filed && t >= 0 && filedNew > t) {
      e.need = Math.max(e.need, filedNew);
      e.lowAlt = -Infinity;
      e.sensitive = 1;
      if (small(filedNew)) {
        e.need = Math.max(e.need, k);
        e.width = k;
        e.pin = 1;
      }
    }
  };
  if (kind === 'count' || kind === 'yearset') level(incidentsAt(sim, vectorOf(at)));
  else if (kind === 'change') {
    const [[y, v]] = vectorOf(at) as [[number, number]];
    if (sim.since(y, v) === 'additions') {
      const before = new Set(sim.data.get(y)![v - 2]!.map((x) => x.id));
      level(sim.data.get(y)![v - 1]!.filter((x) => !before.has(x.id)));
    } else free([[y, v - 1]], [[y, v]]);
  } else {
    const [from, to] = at.split('>') as [string, string];
    free(vectorOf(from), vectorOf(to), true);
  }
  return e;
}

/** The quantity cell i stands for, over the full model's variables. */
function fullModelTerm(model: GlobalModel, i: number, x: (year: number, version: number, key: Key) => string): string {
  const { kind, at, coords } = model.meta[i]!;
  const sum = (s: string) => vectorOf(s).map(([y, v]) => x(y, v, coords));
  if (kind === 'count' || kind === 'yearset') return sum(at).join(' + ');
  if (kind === 'change') {
    const [[y, v]] = vectorOf(at) as [[number, number]];
    return `${x(y, v, coords)} - ${x(y, v - 1, coords)}`;
  }
  const [from, to] = at.split('>') as [string, string];
  return `${sum(to).join(' + ')} - ${sum(from).join(' - ')}`;
}

/** The attacker's interval of every cell in the model's own system (an LP written here, HiGHS; published cells: their value). */
async function modelIntervals(model: GlobalModel): Promise<Array<[number, number]>> {
  const h = await referenceHighs();
  const rows = model.constraints.map((c, j) => ` c${j}: y${c.total}${c.parts.map((q) => ` - y${q}`).join('')} = 0`);
  const bounds = model.cells.map((c, i) => {
    if (model.published[i]) return ` y${i} = ${c.value}`;
    return c.lower === -Infinity ? ` y${i} free` : ` y${i} >= ${c.lower ?? 0}`;
  });
  return model.cells.map((_, i) => {
    if (model.published[i]) return [model.cells[i]!.value, model.cells[i]!.value];
    const out: number[] = [];
    for (const sense of ['Minimize', 'Maximize']) {
      const lp = `${sense}\n obj: y${i}\nSubject To\n${rows.join('\n') || ` c0: y${i} - y${i} = 0`}\nBounds\n${bounds.join('\n')}\nEnd\n`;
      const r = h.solve(lp, { output_flag: false });
      if (r.Status === 'Unbounded') out.push(sense === 'Maximize' ? Infinity : -Infinity);
      else if (r.Status === 'Optimal') out.push((r as unknown as { ObjectiveValue: number }).ObjectiveValue);
      else throw new Error(`model LP of cell ${i}: ${r.Status}`);
    }
    return [Math.ceil(out[0]! - 1e-6), out[1] === Infinity ? Infinity : Math.floor(out[1]! + 1e-6)];
  });
}

/**
 * Completeness, from the header's definition of the closure: every relation of every table of the
 * log holds at every (year, version) where one of its quantities is in the model (the whole
 * relation is then in it); a count in the model is in it at every version of its year, with the
 * change between consecutive versions and, between non-consecutive ones, a "setchange"; a year set
 * is decomposed once one of its counts is in the model; consecutive publications of one year set's
 * coordinates (log order, distinct version vectors) have their change in the model: a "setchange",
 * or, when the vectors differ in one year only, that year's change (a "change" or "setchange").
 */
function checkClosure(sim: Sim, model: GlobalModel, views: readonly View[]): void {
  const idOf = new Map<string, number>();
  const norm = (key: Key) =>
    JSON.stringify(
      Object.entries(key)
        .filter(([d, c]) => c !== '*' && d !== 'year')
        .sort(),
    );
  model.meta.forEach((m, i) => idOf.set(`${m.kind}|${m.at}|${norm(m.coords)}`, i));
  const has = (kind: string, at: string, key: Key) => idOf.has(`${kind}|${at}|${norm(key)}`);
  // The relations of every table of the log, over coordinates (year left out).
  const relations: Array<{ total: Key; parts: Key[] }> = [];
  const childrenOf = (d: string, code: string): string[] => {
    const h = sim.hierarchies[d] ?? {};
    if (code !== '*') return h[code] ?? [];
    const grouped = new Set(Object.values(h).flat());
    return [...Object.keys(h).filter((g) => !grouped.has(g)), ...sim.domains[d]!.filter((c) => !grouped.has(c))];
  };
  for (const v of views)
    for (const t of v.tables) {
      const dims = t.filter((d) => d !== 'year');
      let keys: Key[] = [{}];
      for (const d of dims) keys = keys.flatMap((k) => ['*', ...Object.keys(sim.hierarchies[d] ?? {}), ...sim.domains[d]!].map((c) => ({ ...k, [d]: c })));
      for (const k of keys)
        for (const d of dims) {
          const kids = childrenOf(d, k[d]!);
          if (kids.length > 0) relations.push({ total: k, parts: kids.map((c) => ({ ...k, [d]: c })) });
        }
    }
  const versionsOf = (y: number) => [...new Set(views.filter((v) => v.years.includes(y)).map((v) => v.versions[String(y)]!))].sort((a, b) => a - b);
  for (const m of model.meta) {
    if (m.kind !== 'count') continue;
    const [y, v] = vectorOf(m.at)[0]!;
    for (const r of relations) {
      const all = [r.total, ...r.parts];
      if (!all.some((k) => norm(k) === norm(m.coords))) continue;
      for (const k of all) expect(has('count', m.at, k), `relation of ${norm(r.total)} at ${m.at}: ${norm(k)} (from ${norm(m.coords)})`).toBe(true);
    }
    const vs = versionsOf(y);
    vs.forEach((w, i) => {
      expect(has('count', `${y}@${w}`, m.coords), `${norm(m.coords)} at ${y}@${w} (from ${m.at})`).toBe(true);
      if (i > 0) expect(has('change', `${y}@${w}`, m.coords), `change ${y}@${w} ${norm(m.coords)}`).toBe(true);
      for (let j = i + 2; j < vs.length; j++)
        expect(has('setchange', `${y}@${w}>${y}@${vs[j]}`, m.coords), `${y}@${w}>${y}@${vs[j]} ${norm(m.coords)}`).toBe(true);
    });
    expect(vs).toContain(v);
  }
  // Year sets: decomposed when one of their counts is in the model; changes between publications.
  const chains = new Map<string, string[]>();
  for (const v of views) {
    if (v.years.length < 2) continue;
    const at = v.years.map((y) => `${y}@${v.versions[String(y)]}`).join('+');
    for (const m of model.meta) {
      if (m.kind !== 'yearset' || m.at !== at) continue;
      const parts = vectorOf(at);
      if (parts.some(([y, w]) => has('count', `${y}@${w}`, m.coords)))
        for (const [y, w] of parts) expect(has('count', `${y}@${w}`, m.coords), `${at} ${norm(m.coords)} decomposed`).toBe(true);
      const key = `${v.years.join('+')}|${norm(m.coords)}`;
      const list = chains.get(key) ?? [];
      if (!list.includes(at)) list.push(at);
      chains.set(key, list);
    }
  }
  for (const [key, list] of chains) {
    const coords = Object.fromEntries(JSON.parse(key.slice(key.indexOf('|') + 1)) as Array<[string, string]>);
    for (let i = 1; i < list.length; i++) {
      const a = vectorOf(list[i - 1]!);
      const b = vectorOf(list[i]!);
      const differ = a.filter(([, w], j) => w !== b[j]![1]);
      if (differ.length === 1 && has('count', `${differ[0]![0]}@${differ[0]![1]}`, coords)) {
        const j = a.findIndex(([, w], jj) => w !== b[jj]![1]);
        const [y, u] = a[j]!;
        const w = b[j]![1];
        const vs = versionsOf(y);
        const lo = Math.min(u, w);
        const hi = Math.max(u, w);
        const adjacent = vs.indexOf(hi) - vs.indexOf(lo) === 1;
        expect(adjacent ? has('change', `${y}@${hi}`, coords) : has('setchange', `${y}@${lo}>${y}@${hi}`, coords), `${list[i - 1]} → ${list[i]} ${key}`).toBe(
          true,
        );
      } else expect(has('setchange', `${list[i - 1]}>${list[i]}`, coords), `${list[i - 1]}>${list[i]} ${key}`).toBe(true);
    }
  }
}

/** Everything the header promises about `model`, checked cell by cell. */
async function checkModel(sim: Sim, model: GlobalModel, input: GlobalInput, last: Entry): Promise<void> {
  const n = model.cells.length;
  checkClosure(sim, model, input.views);
  const tell = (i: number) => `cell ${i} ${model.meta[i]!.kind} ${model.meta[i]!.at} ${JSON.stringify(model.meta[i]!.coords)}`;
  // Which cells an earlier entry published or showed hidden, found by their quantity.
  const idOf = new Map<string, number>();
  model.meta.forEach((m, i) =>
    idOf.set(
      `${m.kind}|${m.at}|${JSON.stringify(
        Object.entries(m.coords)
          .filter(([, c]) => c !== '*')
          .sort(),
      )}`,
      i,
    ),
  );
  const find = (e: View, key: Key): number => {
    const { year, ...rest } = key;
    const coords = JSON.stringify(
      Object.entries(rest)
        .filter(([, c]) => c !== '*')
        .sort(),
    );
    const years = year !== undefined && year !== '*' ? [Number(year)] : e.years;
    const at = years.map((y) => `${y}@${e.versions[String(y)]}`).join('+');
    const id = idOf.get(`${years.length === 1 ? 'count' : 'yearset'}|${at}|${coords}`);
    expect(id, `${e.series} ${JSON.stringify(key)} is a cell of the model`).toBeDefined();
    return id!;
  };
  const published = new Map<number, number>();
  const shownHidden = new Set<number>();
  for (const e of input.views.slice(0, -1))
    for (const c of (e as Entry).cells) {
      const id = find(e, c.key);
      if (c.count !== null) published.set(id, c.count);
      else if (!e.dp) shownHidden.add(id);
    }
  for (const id of published.keys()) shownHidden.delete(id);
  const fresh = new Set<number>();
  for (const c of last.cells) fresh.add(find(last, c.key));
  expect([...new Set(model.ltToGlobal)].sort((a, b) => a - b)).toEqual([...fresh].sort((a, b) => a - b));
  model.lt.cells.forEach((c, li) =>
    expect(model.meta[model.ltToGlobal[li]!]!.coords).toMatchObject(Object.fromEntries(Object.entries(c.key).filter(([d]) => d !== 'year'))),
  );

  for (let i = 0; i < n; i++) {
    expect(model.published[i], tell(i)).toBe(published.has(i) ? 1 : 0);
    if (published.has(i)) expect(model.cells[i]!.value, tell(i)).toBe(published.get(i));
    expect(model.shownSuppressed[i], tell(i)).toBe(shownHidden.has(i) ? 1 : 0);
    const e = expectedRule(sim, model, input, i);
    const free = model.meta[i]!.kind === 'setchange' || (model.meta[i]!.kind === 'change' && e.lowAlt !== -Infinity) || model.cells[i]!.lower === -Infinity;
    if (shownHidden.has(i)) e.need = Math.max(e.need, kOf(input.views, model.meta[i]!.coords, input.minK));
    if (fresh.has(i)) {
      e.pin = 1;
      e.need = Math.max(e.need, kOf(input.views, model.meta[i]!.coords, input.minK));
    }
    expect(model.cells[i]!.value, tell(i)).toBe(e.value);
    expect(model.s.values[i], tell(i)).toBe(e.value);
    expect(model.sensitive[i], tell(i)).toBe(e.sensitive);
    expect(model.rules.need[i], `need of ${tell(i)}`).toBe(e.need);
    expect(model.rules.lowAlt[i], `lowAlt of ${tell(i)}`).toBe(e.lowAlt);
    expect(model.rules.width[i], `width of ${tell(i)}`).toBe(e.width);
    expect(model.rules.pin[i], `pin of ${tell(i)}`).toBe(e.pin);
    // Counts and "additions" changes are ≥ 0; changes free in sign have no lower bound.
    const { kind, at } = model.meta[i]!;
    const [y, v] = vectorOf(at.split('>')[0]!)[0]!;
    const freeSign = kind === 'setchange' || (kind === 'change' && sim.since(y, v) === 'changes');
    expect(model.s.lower[i], tell(i)).toBe(freeSign ? -Infinity : 0);
    expect(free || !freeSign).toBe(true);
  }
  // Every relation holds for the true values.
  for (const c of model.constraints) expect(c.parts.reduce((a, q) => a + model.cells[q]!.value, 0)).toBe(model.cells[c.total]!.value);
  // What the attacker knows: the model's intervals are the full model's.
  const mine = await modelIntervals(model);
  // (published cells are fixed on both sides: their flag and value are checked above)
  for (let i = 0; i < n; i++) {
    if (model.published[i]) continue;
    const ref = await fullModelInterval(sim, (x) => fullModelTerm(model, i, x));
    expect(mine[i], `interval of ${tell(i)}`).toEqual(ref);
  }
}

const A = ['a1', 'a2', 'a3'];
const B = ['b1', 'b2'];

/** Incidents of one year: `n[a][b]` of them at (a, b), from members chosen by `who`. */
function grid(tag: string, n: number[][], who: (a: number, b: number, j: number) => string[]): Incident[] {
  const out: Incident[] = [];
  n.forEach((row, a) =>
    row.forEach((count, b) => {
      for (let j = 0; j < count; j++) out.push({ id: `${tag}-${a}-${b}-${j}`, key: { a: A[a]!, b: B[b]! }, members: who(a, b, j) });
    }),
  );
  return out;
}

describe.each([1, 2])('global model (coalition %i), cell by cell against the full model and the incidents', (coalition) => {
  it('series, year sets, additions, withdrawals, non-consecutive versions, holdings and two k', async () => {
    const sim = new Sim({ a: A, b: B }, {}, 3, coalition);
    const who = (a: number, b: number, j: number) => (j % 3 === 0 ? ['m-a', 'm-b'] : [`m-${'abc'[(a + b + j) % 3]}`]);
    let y23 = grid(
      'x23',
      [
        [6, 1],
        [4, 7],
        [2, 9],
      ],
      who,
    );
    const y24 = grid(
      'x24',
      [
        [5, 5],
        [1, 8],
        [3, 0],
      ],
      who,
    );
    sim.set(2023, y23);
    sim.set(2024, y24);
    // a3 (11) hidden too: a cell an earlier entry showed hidden keeps hi ≥ k, whatever its value
    appendTrue(sim, 'anual', [['year', 'a']], [2023], 3, (c, key) => (c >= 1 && c < 3) || key.a === 'a3');
    appendTrue(sim, 'acum', [['a']], [2023, 2024], 3);
    y23 = [...y23, ...many('late', 2, { a: 'a1', b: 'b1' }, 'm-c')];
    sim.set(2023, y23);
    appendTrue(sim, 'anual', [['year', 'a']], [2023], 3);
    appendTrue(sim, 'acum', [['a']], [2023, 2024], 3);
    sim.set(
      2023,
      y23.filter((i) => i.id !== 'x23-1-0-1'),
    );
    sim.set(2024, [...y24, ...many('more', 1, { a: 'a3', b: 'b2' }, 'm-b')]);
    appendTrue(sim, 'cross', [['year', 'a', 'b']], [2023, 2024], 3);
    appendTrue(sim, 'por-b', [['year', 'b']], [2023, 2024], 4);
    const { model, input, last } = modelOfLast(sim);
    expect(model.single).toBe(false);
    const kinds = new Set(model.meta.map((m) => m.kind));
    expect([...kinds].sort()).toEqual(['change', 'count', 'setchange', 'yearset']);
    expect(model.meta.some((m) => m.kind === 'setchange' && m.at === '2023@1>2023@3')).toBe(true);
    expect(model.meta.some((m) => m.kind === 'setchange' && m.at.includes('+'))).toBe(true);
    await checkModel(sim, model, input, last);
  }, 60_000);

  it('hand-made entries with hidden cells, a DP entry, a hierarchy and a stricter k', async () => {
    const regions = ['r1', 'r2', 'r3', 'r4'];
    // south has one member (south = r3 is a relation of one part), north two
    const sim = new Sim({ region: regions, t: ['t1', 't2'] }, { region: { north: ['r1', 'r2'], south: ['r3'] } }, 3, coalition);
    const data = [
      ...many('n1', 2, { region: 'r1', t: 't1' }, 'm-a'),
      ...many('n2', 1, { region: 'r2', t: 't1' }, 'm-b'),
      ...many('n3', 4, { region: 'r2', t: 't2' }, 'm-a'),
      ...many('s3', 9, { region: 'r3', t: 't1' }, 'm-c'),
      ...many('s4', 6, { region: 'r4', t: 't2' }, 'm-b'),
    ];
    sim.set(2023, data);
    // A DP entry (its null counts are noise, not hidden cells), then a hand-made entry at k 5
    // that hid r1, r2, south and r4, and published north and r3 (south = r3: south is known).
    sim.append(
      'dp',
      [
        ['year', 'region'],
        ['year', 't'],
      ],
      [2023],
      [
        { key: { year: '2023', region: '*' }, count: 22 },
        ...['north', 'south', ...regions].map((region) => ({ key: { year: '2023', region }, count: null })),
        ...['t1', 't2'].map((t) => ({ key: { year: '2023', t }, count: null })),
      ],
    );
    sim.log[sim.log.length - 1]!.dp = true;
    sim.log[sim.log.length - 1]!.k = 0;
    sim.append(
      'hand',
      [['year', 'region']],
      [2023],
      [
        { key: { year: '2023', region: '*' }, count: 22 },
        { key: { year: '2023', region: 'north' }, count: 7 },
        { key: { year: '2023', region: 'south' }, count: null },
        { key: { year: '2023', region: 'r1' }, count: null },
        { key: { year: '2023', region: 'r2' }, count: null },
        { key: { year: '2023', region: 'r3' }, count: 9 },
        { key: { year: '2023', region: 'r4' }, count: null },
      ],
      5,
    );
    appendTrue(sim, 'by-type', [['year', 'region', 't']], [2023], 3);
    const { model, input, last } = modelOfLast(sim);
    expect(model.single).toBe(false);
    await checkModel(sim, model, input, last);
  }, 60_000);

  it('year sets alone: a count two publications share, year-set changes, and versions published out of order', async () => {
    const sim = new Sim({ a: A, b: B }, {}, 3, coalition);
    const who = (a: number, b: number, j: number) => [`m-${'abc'[(a + 2 * b + j) % 3]}`];
    const y23 = grid(
      'u23',
      [
        [3, 4],
        [6, 1],
        [5, 2],
      ],
      who,
    );
    const y24 = grid(
      'u24',
      [
        [2, 2],
        [7, 3],
        [4, 4],
      ],
      who,
    );
    sim.set(
      2022,
      grid(
        'u22',
        [
          [1, 5],
          [2, 2],
          [0, 6],
        ],
        who,
      ),
    );
    sim.set(2023, y23);
    sim.set(2024, y24);
    appendTrue(sim, 'acum', [['a']], [2023, 2024], 3);
    // Another year set over the same coordinates, in between: the changes of each year set stay apart.
    appendTrue(sim, 'otra', [['a']], [2022, 2023], 3);
    const late23 = [...y23, ...many('late23', 1, { a: 'a3', b: 'b2' }, 'm-b')];
    sim.set(2023, late23);
    sim.set(2024, [...y24, ...many('late24', 2, { a: 'a2', b: 'b1' }, 'm-c')]);
    appendTrue(sim, 'acum', [['a']], [2023, 2024], 3); // both years changed: a change of the year set itself
    sim.set(
      2023,
      late23.filter((i) => i.id !== 'u23-0-0-0'),
    );
    appendTrue(sim, 'acum', [['a']], [2023, 2024], 3);
    const { model, input, last } = modelOfLast(sim);
    // No entry shows a single year: the counts are there because two year sets share them.
    expect(model.meta.some((m) => m.kind === 'count')).toBe(true);
    await checkModel(sim, model, input, last);

    // Versions in the log out of order: 2023@2 published before 2023@1.
    const sim2 = new Sim({ a: A }, {}, 3, coalition);
    const base = [...many('p', 4, { a: 'a1' }), ...many('q', 6, { a: 'a2' }), ...many('r', 1, { a: 'a3' })];
    sim2.set(2023, base);
    sim2.append('tmp', [['year', 'a']], [2023], []); // makes version 1
    sim2.log.pop();
    sim2.set(2023, [...base, ...many('late', 3, { a: 'a3' })]);
    appendTrue(sim2, 'x', [['year', 'a']], [2023], 3);
    appendTrue(sim2, 'held', [['year', 'a']], [2023], 3, undefined, { '2023': 1 });
    sim2.set(2023, [...base, ...many('late', 3, { a: 'a3' }), ...many('later', 1, { a: 'a1' })]);
    appendTrue(sim2, 'x', [['year', 'a']], [2023], 3);
    const two = modelOfLast(sim2);
    await checkModel(sim2, two.model, two.input, two.last);
  }, 60_000);

  it('a withdrawal small only for two members together (sensitive with coalition 2 only); a hidden cell whose only rule is "shown hidden"', async () => {
    const sim = new Sim({ a: A }, {}, 3, coalition);
    const base = [
      ...many('p', 9, { a: 'a1' }, 'm-a'),
      ...many('q', 9, { a: 'a1' }, 'm-b'),
      ...many('r', 6, { a: 'a1' }, 'm-c'),
      ...many('s', 8, { a: 'a2' }, 'm-a'),
      ...many('t', 7, { a: 'a3' }, 'm-d'),
    ];
    sim.set(2023, base);
    // a3 = 7, all from one member: no rule of its own, but shown hidden it must keep hi ≥ k.
    appendTrue(sim, 'x', [['year', 'a']], [2023], 3, (c, key) => (c >= 1 && c < 3) || key.a === 'a3');
    // a1 loses 5: 2 of m-a, 2 of m-b, 1 of m-c. Each member's net leaves −3 or −4 (not small at
    // k 3), but m-a and m-b together removed 4: the others removed 1.
    sim.set(
      2023,
      base.filter((i) => !['p-0', 'p-1', 'q-0', 'q-1', 'r-0'].includes(i.id)),
    );
    appendTrue(sim, 'x', [['year', 'a']], [2023], 3);
    const { model, input, last } = modelOfLast(sim);
    const d = model.meta.findIndex((m) => m.kind === 'change' && m.at === '2023@2' && m.coords.a === 'a1');
    // sensitive only when the rule counts pairs (coalition 2): no one member's net leaves a small change
    expect(model.sensitive[d]).toBe(coalition === 2 ? 1 : 0);
    const a3 = model.meta.findIndex((m) => m.kind === 'count' && m.at === '2023@1' && m.coords.a === 'a3');
    expect(model.rules.need[a3]).toBe(3);
    await checkModel(sim, model, input, last);
  });

  it('a first publication is its own linked tables (single), also over two years', async () => {
    for (const tables of [[['year', 'a']], [['a']], [['year', 'a', 'b']]]) {
      const sim = new Sim({ a: A, b: B }, {}, 3, coalition);
      sim.set(
        2023,
        grid(
          'f',
          [
            [4, 1],
            [2, 0],
            [7, 3],
          ],
          () => ['m-a'],
        ),
      );
      sim.set(
        2024,
        grid(
          'g',
          [
            [1, 5],
            [6, 2],
            [0, 8],
          ],
          (a) => [`m-${a}`],
        ),
      );
      appendTrue(sim, 'first', tables, [2023, 2024], 3);
      const { model, input, last } = modelOfLast(sim);
      expect(model.single, JSON.stringify(tables)).toBe(true);
      expect(model.lt.cells.length).toBe(model.cells.length);
      model.lt.cells.forEach((c, li) => expect(model.cells[model.ltToGlobal[li]!]!.value).toBe(c.value));
      await checkModel(sim, model, input, last);
    }
  }, 60_000);
});

describe('a first publication with its year-less tables split by year as never-shown tables (global/protect.ts)', () => {
  it.each([1, 2])('is the same system as the general model, quantity for quantity, relation for relation, rule for rule (coalition %i)', (coalition) => {
    for (const tables of [
      [
        ['year', 'a'],
        ['a', 'b'],
      ],
      [['year', 'a'], ['b']],
      [['year', 'b'], ['a', 'b'], ['a']],
    ]) {
      const sim = new Sim({ a: A, b: B }, {}, 3, coalition);
      const who = (a: number, b: number, j: number) => (j % 3 === 0 ? ['m-a', 'm-b'] : [`m-${'abc'[(a + b + j) % 3]}`]);
      sim.set(
        2022,
        grid(
          'e',
          [
            [2, 6],
            [1, 0],
            [5, 4],
          ],
          who,
        ),
      );
      sim.set(
        2023,
        grid(
          'f',
          [
            [4, 1],
            [2, 0],
            [7, 3],
          ],
          who,
        ),
      );
      sim.set(
        2024,
        grid(
          'g',
          [
            [1, 5],
            [6, 2],
            [0, 8],
          ],
          who,
        ),
      );
      appendTrue(sim, 'first', tables, [2022, 2023, 2024], 3);
      const { model: general, input } = modelOfLast(sim);
      const view = input.views[0]!;
      const splits = view.tables.filter((t) => !t.includes('year')).map((t) => ['year', ...t]);
      const split = buildGlobalModel({ ...input, views: [{ ...view, tables: [...view.tables, ...splits] }] }, { hiddenTables: splits.length });
      const what = JSON.stringify(tables);
      expect(general.single, what).toBe(false); // the per-year shares are quantities beyond the shown tables
      expect(split.single, what).toBe(true);
      expect(split.hiddenTables).toBe(splits.length);
      // The same quantities, values, rules and relations.
      const to = expectSameSystem(split, general, what);
      // The shown tables' cells are the publication's, the split tables' only where they are shared.
      const shownIds = new Set(general.ltToGlobal);
      split.lt.tableCells.forEach((ids, t) => {
        for (const id of ids) {
          const g = to[split.ltToGlobal[id]!]!;
          if (t < view.tables.length) expect(shownIds.has(g), `${what} table ${t}`).toBe(true);
        }
      });
      let splitOnly = 0;
      split.lt.cells.forEach((_, id) => (splitOnly += shownIds.has(to[split.ltToGlobal[id]!]!) ? 0 : 1));
      expect(splitOnly, what).toBe(general.cells.length - general.lt.cells.length);
    }
  });
});

describe('global model: inconsistent input is refused', () => {
  const setup = () => {
    const sim = new Sim({ a: A }, {}, 3);
    sim.set(2023, [...many('p', 4, { a: 'a1' }), ...many('q', 6, { a: 'a2' }), ...many('r', 5, { a: 'a3' })]);
    const cells = (a1: number | null) => [
      { key: { year: '2023', a: '*' }, count: 15 },
      { key: { year: '2023', a: 'a1' }, count: a1 },
      { key: { year: '2023', a: 'a2' }, count: 6 },
      { key: { year: '2023', a: 'a3' }, count: 5 },
    ];
    sim.append('s', [['year', 'a']], [2023], cells(null));
    const next = (extra: Partial<View> = {}): View => ({ ...sim.log[0]!, cells: undefined, index: 9, ...extra });
    const input = (views: View[]): GlobalInput => ({
      views,
      since: sim.since,
      records: sim.records,
      added: sim.added,
      filed: sim.filed,
      minK: 3,
      minProtection: 3,
    });
    return { sim, cells, next, input };
  };

  it('the last view must be the new publication, and there must be one', () => {
    const { sim, input } = setup();
    expect(() => buildGlobalModel(input([]))).toThrow(/the last view must be/);
    expect(() => buildGlobalModel(input([sim.log[0]!]))).toThrow(/the last view must be/);
  });

  it('a published cell outside its tables, two entries disagreeing, or a count that is not the data', () => {
    const { sim, cells, next, input } = setup();
    const e = sim.log[0]!;
    expect(() => buildGlobalModel(input([{ ...e, cells: [...cells(null), { key: { year: '2023', a: 'a9' }, count: 1 }] }, next()]))).toThrow(
      /is not in its tables/,
    );
    expect(() => buildGlobalModel(input([{ ...e, cells: cells(4) }, { ...e, cells: cells(3) }, next()]))).toThrow(/publications disagree/);
    expect(() => buildGlobalModel(input([{ ...e, cells: cells(3) }, next()]))).toThrow(/differs from the data/);
    expect(buildGlobalModel(input([{ ...e, cells: cells(4) }, { ...e, cells: cells(4) }, next()])).published.reduce((a, b) => a + b, 0)).toBe(4);
  });

  it('a view without a data version for one of its years', () => {
    const { sim, next, input } = setup();
    for (const versions of [{}, { '2023': 0 }, { '2023': 1.5 }] as Array<Record<string, number>>)
      expect(() => buildGlobalModel(input([sim.log[0]!, next({ versions })]))).toThrow(/no data version for 2023/);
  });
});
