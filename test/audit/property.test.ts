// Property tests of the global model: random small logs (2–4 publications over 1–2 years, random
// additions or changes between data versions, random hidden cells, one or two dimensions) where
// every interval the auditor computes is compared with a brute-force enumeration of ALL integer
// tables that fit what was published — an independent check of the LP model, written from
// docs/release-format.md: non-negative integer counts per year and version, every published count
// of every entry, and cell by cell growth between versions marked "additions".
//
// - The LP interval always contains the integer one (it is its relaxation): the auditor never
//   claims more than an attacker can know, and never misses what the integer tables allow.
// - With one dimension (the structures the server publishes per year: regions and their total)
//   the two are equal: the LP model is exactly the attacker's knowledge there.
// - The auditor's shortcuts (witness points, bounds) give the same verdicts as exact LPs.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditGlobal } from '../../scripts/audit/disclosure.js';
import { Findings } from '../../scripts/audit/findings.js';
import { parseManifest } from '../../scripts/audit/format.js';
import type { LogManifest } from '../../scripts/audit/system.js';
import { type EntrySpec, type Keys, type World, buildLog, cleanTemp, makeKeys } from './fixtures.js';

afterAll(cleanTemp);

let keys: Keys;
beforeAll(async () => {
  keys = await makeKeys();
});

function rng(seed: number) {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) / 4294967296;
  };
}

interface Case {
  world: World;
  specs: EntrySpec[];
  twoD: boolean;
}

function makeCase(seed: number, twoD: boolean, v2: 'none' | 'additions' | 'changes', with2024: boolean, pubs: number): Case {
  const r = rng(seed);
  const int = (n: number) => Math.floor(r() * n);
  const dims: Record<string, string[]> = twoD ? { incidentType: ['h', 't'], region: ['a', 'b'] } : { region: ['a', 'b', 'c'] };
  const leaves = twoD ? ['h|a', 'h|b', 't|a', 't|b'] : ['a', 'b', 'c'];
  const counts = () => Object.fromEntries(leaves.map((l) => [l, int(4)]));
  const v1 = counts();
  const years: World['years'] = { '2023': [{ since: null, counts: v1 }] };
  if (v2 === 'additions') years['2023']!.push({ since: 'additions', counts: Object.fromEntries(leaves.map((l) => [l, v1[l]! + int(3)])) });
  if (v2 === 'changes') years['2023']!.push({ since: 'changes', counts: counts() });
  if (with2024) years['2024'] = [{ since: null, counts: counts() }];
  const world: World = { dims, years };
  const yearChoices: string[][] = [['2023'], ...(with2024 ? [['2024'], ['2023', '2024']] : [])];
  const coordChoices: Array<Record<string, string>> = twoD
    ? [{ region: 'a' }, { region: 'b' }, { incidentType: 'h' }, { incidentType: 't' }, ...leaves.map((l) => ({ incidentType: l[0]!, region: l[2]! }))]
    : leaves.map((l) => ({ region: l }));
  const specs: EntrySpec[] = [];
  for (let i = 0; i < pubs; i++) {
    const ys = yearChoices[int(yearChoices.length)]!;
    const versions = Object.fromEntries(ys.map((y) => [y, 1 + int(years[y]!.length)]));
    let tables: string[][];
    if (!twoD) tables = ys.length > 1 && r() < 0.5 ? [['year', 'region'], ['region']] : [['year', 'region']];
    else {
      const options = [
        ['year', 'region'],
        ['year', 'incidentType'],
        ['year', 'region', 'incidentType'],
      ];
      tables = options.filter(() => r() < 0.5);
      if (i === 0 || tables.length === 0) tables = [['year', 'region', 'incidentType'], ...tables.filter((t) => t.length < 3)];
      if (ys.length > 1 && r() < 0.4) tables.push(['region', 'incidentType']);
    }
    const suppress = ['*', ...ys].flatMap((y) => coordChoices.filter(() => r() < 0.35).map((c) => ({ year: y, ...c })));
    specs.push({ series: `s${int(2)}`, kind: r() < 0.3 ? 'draft' : 'release', years: versions, tables, k: 3, protection: 2, suppress });
  }
  return { world, specs, twoD };
}

/** Every integer table (per year and version) consistent with the log; calls `visit` on each. */
function enumerate(entries: LogManifest[], world: World, visit: (x: Map<string, number[]>) => void): number {
  const dims = Object.keys(world.dims).sort();
  const leaves: Array<Record<string, string>> = [];
  const rec = (i: number, k: Record<string, string>) => {
    if (i === dims.length) return void leaves.push({ ...k });
    for (const c of world.dims[dims[i]!]!) rec(i + 1, { ...k, [dims[i]!]: c });
  };
  rec(0, {});
  const matches = (leaf: Record<string, string>, coord: Record<string, string>) => Object.entries(coord).every(([d, c]) => leaf[d] === c);
  // Constraints: Σ over slices of Σ matching leaves = count.
  const slices = new Set<string>();
  const cons: Array<{ slices: string[]; coord: Record<string, string>; count: number }> = [];
  const since = new Map<string, string | null>();
  for (const { manifest: m } of entries) {
    const ver = new Map(m.data.map((d) => [String(d.year), d.version] as const));
    for (const d of m.data) {
      slices.add(`${d.year}@${d.version}`);
      since.set(`${d.year}@${d.version}`, d.since);
    }
    for (const t of m.tables) {
      for (const c of t.cells) {
        if (c.count === null) continue;
        const ys = c.key.year && c.key.year !== '*' ? [c.key.year] : m.domains.year!;
        const coord = Object.fromEntries(Object.entries(c.key).filter(([d, v]) => d !== 'year' && v !== '*'));
        cons.push({ slices: ys.map((y) => `${y}@${ver.get(y)}`), coord, count: c.count });
      }
    }
  }
  const order = [...slices].sort();
  // Per slice: every composition of its published total, filtered by its own constraints.
  const candidates = order.map((s) => {
    const own = cons.filter((c) => c.slices.length === 1 && c.slices[0] === s);
    const total = own.find((c) => Object.keys(c.coord).length === 0)!.count;
    const out: number[][] = [];
    const comp = (i: number, left: number, acc: number[]) => {
      if (i === leaves.length - 1) {
        const x = [...acc, left];
        if (own.every((c) => leaves.reduce((a, l, j) => a + (matches(l, c.coord) ? x[j]! : 0), 0) === c.count)) out.push(x);
        return;
      }
      for (let v = 0; v <= left; v++) comp(i + 1, left - v, [...acc, v]);
    };
    comp(0, total, []);
    return out;
  });
  const value = (x: Map<string, number[]>, s: string, coord: Record<string, string>) =>
    leaves.reduce((a, l, j) => a + (matches(l, coord) ? x.get(s)![j]! : 0), 0);
  const cross = cons.filter((c) => c.slices.length > 1);
  let solutions = 0;
  const x = new Map<string, number[]>();
  const dfs = (i: number) => {
    if (i === order.length) {
      solutions++;
      visit(x);
      return;
    }
    const s = order[i]!;
    const [year, version] = s.split('@');
    const prev = `${year}@${Number(version) - 1}`;
    for (const cand of candidates[i]!) {
      if (since.get(s) === 'additions' && x.has(prev) && cand.some((v, j) => v < x.get(prev)![j]!)) continue;
      x.set(s, cand);
      const done = new Set(order.slice(0, i + 1));
      const ok = cross.every((c) => !c.slices.every((t) => done.has(t)) || c.slices.reduce((a, t) => a + value(x, t, c.coord), 0) === c.count);
      if (ok) dfs(i + 1);
      x.delete(s);
    }
  };
  dfs(0);
  return solutions;
}

describe('the global model against brute force', () => {
  it('contains every integer table and equals the integer intervals in one dimension; shortcuts give the exact verdicts', async () => {
    let compared = 0;
    let equalInTwoD = 0;
    let twoDTargets = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 2 ** 31 - 1 }),
        fc.boolean(),
        fc.constantFrom('none', 'additions', 'changes'),
        fc.boolean(),
        fc.integer({ min: 2, max: 4 }),
        async (seed, twoD, v2, with2024, pubs) => {
          const c = makeCase(seed, twoD, v2 as 'none' | 'additions' | 'changes', with2024, pubs);
          const log = buildLog(keys, c.world, c.specs);
          const entries: LogManifest[] = log.map((e) => {
            const m = parseManifest(e.manifest);
            if (!m.ok) throw new Error(m.problem);
            return { index: e.index, label: `#${e.index}`, manifest: m.manifest };
          });
          const exactFindings = new Findings();
          const exact = await auditGlobal(entries, exactFindings, { exact: true, narrowest: 0, minK: 3, keepAll: true });
          const fastFindings = new Findings();
          await auditGlobal(entries, fastFindings, { exact: false, narrowest: 0, minK: 3 });
          const verdicts = (f: Findings) => f.list.map((x) => `${x.code} ${x.release ?? ''} ${x.params.cell} ${x.params.from ?? ''}`).sort();
          expect(verdicts(fastFindings)).toEqual(verdicts(exactFindings));

          const targets = exact.all!;
          const lo = targets.map(() => Infinity);
          const hi = targets.map(() => -Infinity);
          const matches = (leafKey: string[], dims: string[], coord: Record<string, string>) =>
            dims.every((d, i) => coord[d] === undefined || coord[d] === leafKey[i]);
          const dims = Object.keys(c.world.dims).sort();
          const leafKeys: string[][] = [];
          const rec = (i: number, k: string[]) => (i === dims.length ? void leafKeys.push(k) : c.world.dims[dims[i]!]!.forEach((v) => rec(i + 1, [...k, v])));
          rec(0, []);
          const n = enumerate(entries, c.world, (x) => {
            targets.forEach((t, i) => {
              let v = 0;
              for (const term of t.terms) {
                const row = x.get(`${term.year}@${term.version}`)!;
                leafKeys.forEach((lk, j) => {
                  if (matches(lk, dims, term.coord)) v += term.coef * row[j]!;
                });
              }
              if (v < lo[i]!) lo[i] = v;
              if (v > hi[i]!) hi[i] = v;
            });
          });
          expect(n).toBeGreaterThan(0); // the true tables are one solution
          targets.forEach((t, i) => {
            const r = t.range;
            expect(t.infeasible).toBe(false);
            expect(r.loMin).toBe(r.loMax);
            expect(r.hiMin).toBe(r.hiMax);
            // The relaxation contains the integer tables…
            expect(r.loMin, t.what).toBeLessThanOrEqual(lo[i]!);
            expect(r.hiMax, t.what).toBeGreaterThanOrEqual(hi[i]!);
            compared++;
            // …and in one dimension it is exactly their range.
            if (!c.twoD) expect([r.loMin, r.hiMax], t.what).toEqual([lo[i], hi[i]]);
            else {
              twoDTargets++;
              if (r.loMin === lo[i] && r.hiMax === hi[i]) equalInTwoD++;
            }
          });
        },
      ),
      { numRuns: 100, seed: 20261128 },
    );
    expect(compared).toBeGreaterThan(300);
    // Two dimensions: containment is the property; how often the LP is also tight is informative.
    console.log(`compared ${compared} intervals with brute force; in two dimensions ${equalInTwoD}/${twoDTargets} equal`);
  }, 240_000);
});
