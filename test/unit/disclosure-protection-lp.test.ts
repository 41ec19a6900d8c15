// protection-lp.ts's repair (`protectionCells`) against an independent LP. What it returns is
// trusted beyond the exact audit's re-check: secondary.ts hands every `moved` cell's value to the
// audit as a value the attacker cannot exclude (`noteReach`), and a cell whose reach proves its
// rule gets no LP of its own. So each returned perturbation must be a real attacker solution of
// the released pattern, checked here cell by cell and by a separate LP (the CPLEX-string reference
// of test/disclosure/helpers.ts, over every cell, with lower bounds); and with a neighbourhood
// holding the whole table, "null" must mean that no perturbation exists and a result must be as
// cheap as the reference LP's optimum. Random 2-D tables with margins, counts and signed changes.
import { beforeAll, describe, expect, it } from 'vitest';
import type { Highs } from 'highs';
import { cellCosts } from '../../server/disclosure/cost.js';
import { NEIGHBOURHOODS, neighbourhood, protectionCells, type Neighbourhood, type Protection } from '../../server/disclosure/protection-lp.js';
import { structureOf } from '../../server/disclosure/structure.js';
import type { Cell, Constraint } from '../../server/disclosure/types.js';
import { loadHighs } from '../../server/tables/highs.js';
import { referenceHighs } from '../disclosure/helpers.js';
import { mulberry32 as rng } from '../helpers/seeded-random.js';

const WHOLE: Neighbourhood = { cap: 1_000_000, pubHops: 1_000, maxDepth: 1_000 };

/** r×c interior, row totals, column totals, grand total; `signed`: changes (lower −∞, any sign). */
function table(rand: () => number, r: number, c: number, signed: boolean): { cells: Cell[]; cons: Constraint[] } {
  const v: number[][] = Array.from({ length: r }, () =>
    Array.from({ length: c }, () => (signed ? Math.floor(rand() * 11) - 5 : rand() < 0.2 ? 0 : 1 + Math.floor(rand() * 9))),
  );
  const values: number[] = [];
  const id = (i: number, j: number): number => i * (c + 1) + j; // j === c: row total; i === r: column total
  for (let i = 0; i <= r; i++)
    for (let j = 0; j <= c; j++) {
      let s = 0;
      for (let a = 0; a < r; a++) for (let b = 0; b < c; b++) if ((i === r || a === i) && (j === c || b === j)) s += v[a]![b]!;
      values[id(i, j)] = s;
    }
  const cells: Cell[] = values.map((value, i) => ({ id: i, key: { k: String(i) }, tables: [0], value, ...(signed ? { lower: -Infinity } : {}) }));
  const cons: Constraint[] = [];
  for (let i = 0; i <= r; i++) cons.push({ id: cons.length, total: id(i, c), parts: Array.from({ length: c }, (_, j) => id(i, j)), dim: 'b' });
  for (let j = 0; j <= c; j++) cons.push({ id: cons.length, total: id(r, j), parts: Array.from({ length: r }, (_, i) => id(i, j)), dim: 'a' });
  return { cells, cons };
}

const rows = (cons: readonly Constraint[], x: (i: number) => string): string[] =>
  cons.map((k, j) => ` c${j}: ${x(k.total)}${k.parts.map((q) => ` - ${x(q)}`).join('')} = 0`);
const lowerOf = (c: Cell): number => c.lower ?? 0;

/** The attacker's largest value of p when `hidden` are suppressed (Infinity when unbounded). */
async function referenceMax(cells: Cell[], cons: Constraint[], hidden: ReadonlySet<number>, p: number): Promise<number> {
  const h = await referenceHighs();
  const bounds = cells.map((c) => (hidden.has(c.id) ? (lowerOf(c) === -Infinity ? ` x${c.id} free` : ` x${c.id} >= ${lowerOf(c)}`) : ` x${c.id} = ${c.value}`));
  const lp = `Maximize\n obj: x${p}\nSubject To\n${rows(cons, (i) => `x${i}`).join('\n')}\nBounds\n${bounds.join('\n')}\nEnd\n`;
  const r = h.solve(lp, { output_flag: false });
  if (r.Status === 'Unbounded') return Infinity;
  if (r.Status === 'Infeasible') return -Infinity;
  if (r.Status !== 'Optimal') throw new Error(`reference LP: ${r.Status}`);
  return r.Columns[`x${p}`]!.Primal;
}

/** The repair LP written independently: min Σ w·|f| over published movable cells; null if infeasible. */
async function referenceCheapest(
  cells: Cell[],
  cons: Constraint[],
  suppressed: Uint8Array,
  locked: Uint8Array | undefined,
  avoid: Uint8Array | undefined,
  w: Float64Array,
  p: number,
  up: number,
): Promise<number | null> {
  const h = await referenceHighs();
  const free = (i: number): boolean => i === p || suppressed[i] === 1;
  const fixed = (i: number): boolean => !free(i) && (locked?.[i] === 1 || avoid?.[i] === 1);
  const x = (i: number): string => (free(i) ? `f${i}` : fixed(i) ? `z${i}` : `u${i} - d${i}`);
  const terms = cells.filter((c) => !free(c.id) && !fixed(c.id)).map((c) => `${w[c.id]} u${c.id} + ${w[c.id]} d${c.id}`);
  const bounds: string[] = [];
  for (const c of cells) {
    const i = c.id;
    if (i === p) bounds.push(` f${i} >= ${up}`);
    else if (free(i)) bounds.push(lowerOf(c) === -Infinity ? ` f${i} free` : ` f${i} >= ${lowerOf(c) - c.value}`);
    else if (fixed(i)) bounds.push(` z${i} = 0`);
    else bounds.push(lowerOf(c) === -Infinity ? ` d${i} >= 0` : ` 0 <= d${i} <= ${c.value - lowerOf(c)}`);
  }
  const sub = rows(cons, x).map((r) => r.replace(/- (u\d+) - (d\d+)/g, '- $1 + $2'));
  const lp = `Minimize\n obj: ${terms.length ? terms.join(' + ') : `0 f${p}`}\nSubject To\n${sub.join('\n')}\nBounds\n${bounds.join('\n')}\nEnd\n`;
  const r = h.solve(lp, { output_flag: false });
  if (r.Status === 'Infeasible') return null;
  if (r.Status !== 'Optimal') throw new Error(`reference LP: ${r.Status}\n${lp}`);
  return (r as unknown as { ObjectiveValue: number }).ObjectiveValue;
}

interface Case {
  cells: Cell[];
  cons: Constraint[];
  p: number;
  up: number;
  suppressed: Uint8Array;
  locked?: Uint8Array;
  avoid?: Uint8Array;
}

function randomCase(seed: number, opts: { locked: boolean; avoid: boolean }): Case {
  const rand = rng(seed);
  const { cells, cons } = table(rand, 2 + Math.floor(rand() * 3), 2 + Math.floor(rand() * 3), rand() < 0.3);
  const n = cells.length;
  const p = Math.floor(rand() * n);
  const suppressed = new Uint8Array(n);
  for (let i = 0; i < n; i++) if (rand() < 0.25) suppressed[i] = 1;
  // p is a suppressed cell when secondary.ts asks; the function also takes a published p (it moves
  // freely and is not among the cells to suppress: the caller suppresses it)
  suppressed[p] = rand() < 0.8 ? 1 : 0;
  let locked: Uint8Array | undefined;
  let avoid: Uint8Array | undefined;
  if (opts.locked) {
    locked = new Uint8Array(n);
    for (let i = 0; i < n; i++) if (i !== p && !suppressed[i] && rand() < 0.35) locked[i] = 1;
  }
  if (opts.avoid) {
    avoid = new Uint8Array(n);
    for (let i = 0; i < n; i++) if (i !== p && rand() < 0.35) avoid[i] = 1;
  }
  return { cells, cons, p, up: 1 + Math.floor(rand() * 4), suppressed, ...(locked ? { locked } : {}), ...(avoid ? { avoid } : {}) };
}

let highs: Highs;
beforeAll(async () => {
  highs = await loadHighs();
});

function run(k: Case, nb: Neighbourhood): { r: Protection | null; w: Float64Array } {
  const s = structureOf(k.cells, k.cons);
  const prev = new Uint8Array(k.cells.length).map((_, i) => (i % 3 === 0 ? 1 : 0)); // uneven costs
  const { cost, W } = cellCosts(s.values.map(Math.abs), prev); // changes: cost by size
  const w = cost.map((c) => c / W / k.up);
  return { r: protectionCells(highs, s, k.p, k.suppressed, cost, W, k.up, nb, k.locked, k.avoid), w };
}

/** The perturbation `r` describes is an attacker solution of the pattern suppressed ∪ r.cells. */
async function expectValidPerturbation(k: Case, r: Protection): Promise<void> {
  const n = k.cells.length;
  const f = new Float64Array(n);
  const seen = new Set<number>();
  for (const m of r.moved) {
    expect(seen.has(m.cell), `cell ${m.cell} reported twice`).toBe(false);
    seen.add(m.cell);
    f[m.cell] = m.delta;
  }
  const out = new Set(r.cells);
  expect(r.cells).toEqual([...r.cells].sort((a, b) => a - b));
  expect(r.cells).not.toContain(k.p);
  for (const c of r.cells) {
    expect(k.suppressed[c], `cell ${c} to suppress is already suppressed`).toBe(0);
    expect(k.locked?.[c] ?? 0, `locked cell ${c} suppressed`).toBe(0);
    expect(k.avoid?.[c] ?? 0, `avoided cell ${c} suppressed`).toBe(0);
    expect(seen.has(c), `cell ${c} suppressed but does not move`).toBe(true);
  }
  for (let i = 0; i < n; i++) {
    if (f[i] !== 0) {
      expect(i === k.p || k.suppressed[i] === 1 || out.has(i), `published cell ${i} moves`).toBe(true);
      expect(Math.abs(f[i]!), `cell ${i}'s reported move is noise`).toBeGreaterThan(1e-5);
    }
    expect(k.cells[i]!.value + f[i]!, `cell ${i} below its lower bound`).toBeGreaterThanOrEqual(lowerOf(k.cells[i]!) - 1e-6);
  }
  for (const c of k.cons) {
    const sum = f[c.total]! - c.parts.reduce((a, q) => a + f[q]!, 0);
    expect(Math.abs(sum), `constraint ${c.id} broken by the perturbation`).toBeLessThan(1e-6);
  }
  expect(f[k.p]!).toBeGreaterThanOrEqual(k.up - 1e-6);
  expect(r.up).toBeCloseTo(f[k.p]!, 6);
  // The independent check: with those cells suppressed, p reaches v_p + up.
  const hidden = new Set<number>([...out, k.p]);
  k.suppressed.forEach((x, i) => x && hidden.add(i));
  expect(await referenceMax(k.cells, k.cons, hidden, k.p)).toBeGreaterThanOrEqual(k.cells[k.p]!.value + k.up - 1e-6);
}

describe('protectionCells: every perturbation it reports is one the attacker cannot exclude', () => {
  for (const [name, opts] of [
    ['plain', { locked: false, avoid: false }],
    ['with locked cells', { locked: true, avoid: false }],
    ['with cells to avoid', { locked: false, avoid: true }],
  ] as const) {
    it(`${name}: on the first and the whole neighbourhood, checked cell by cell and by an independent LP`, async () => {
      let found = 0;
      for (let seed = 1; seed <= 40; seed++) {
        const k = randomCase(seed * 7919 + name.length, opts);
        for (const nb of [NEIGHBOURHOODS[0]!, WHOLE]) {
          const { r } = run(k, nb);
          if (r) {
            found++;
            await expectValidPerturbation(k, r);
          }
        }
      }
      expect(found).toBeGreaterThan(40);
    });
  }
});

describe('protectionCells on the whole table: null exactly when impossible, and the cheapest repair', () => {
  for (const [locked, avoid] of [
    [false, false],
    [true, false],
    [false, true],
  ] as const) {
    it(`${locked ? 'with locked cells' : avoid ? 'with cells to avoid' : 'plain'}, against the repair LP written independently`, async () => {
      let nulls = 0;
      let results = 0;
      for (let seed = 1; seed <= 50; seed++) {
        const k = randomCase(seed * 104729 + (locked ? 1 : 0) + (avoid ? 2 : 0), { locked, avoid });
        const { r, w } = run(k, WHOLE);
        const best = await referenceCheapest(k.cells, k.cons, k.suppressed, k.locked, k.avoid, w, k.p, k.up);
        if (best === null) {
          nulls++;
          expect(r, `seed ${seed}: a repair where none exists`).toBeNull();
          // and the attacker indeed cannot raise p that far with every free cell hidden
          const hidden = new Set(k.cells.filter((c) => c.id === k.p || k.suppressed[c.id] || !(k.locked?.[c.id] || k.avoid?.[c.id])).map((c) => c.id));
          expect(await referenceMax(k.cells, k.cons, hidden, k.p)).toBeLessThan(k.cells[k.p]!.value + k.up - 1e-6);
          continue;
        }
        results++;
        expect(r, `seed ${seed}: no repair found where one exists`).not.toBeNull();
        await expectValidPerturbation(k, r!);
        const paid = r!.moved.reduce((a, m) => a + (m.cell === k.p || k.suppressed[m.cell] ? 0 : w[m.cell]! * Math.abs(m.delta)), 0);
        expect(paid, `seed ${seed}: not the cheapest repair`).toBeCloseTo(best, 6);
      }
      expect(results).toBeGreaterThan(10);
      if (locked || avoid) expect(nulls).toBeGreaterThan(0);
    });
  }
});

/** The neighbourhood as its doc comment states it, over the plain constraints (Maps, no scratch). */
function referenceNeighbourhood(k: Case, nb: Neighbourhood, close: boolean): number[] {
  const sup = (i: number): boolean => k.suppressed[i] === 1;
  const byCell = new Map<number, Constraint[]>();
  for (const c of k.cons) for (const i of [c.total, ...c.parts]) byCell.set(i, [...(byCell.get(i) ?? []), c]);
  const depth = new Map([[k.p, 0]]);
  const hops = new Map([[k.p, 0]]);
  const order = [k.p];
  for (let head = 0; head < order.length; head++) {
    const x = order[head]!;
    const d = depth.get(x)!;
    const h = hops.get(x)!;
    if (d >= nb.maxDepth || h > nb.pubHops) continue; // too deep, or too many published steps
    const atLimit = !sup(x) && h >= nb.pubHops; // a published cell at the limit reaches only suppressed cells, when `close`
    if (atLimit && !close) continue;
    for (const c of byCell.get(x) ?? [])
      for (const y of [c.total, ...c.parts]) {
        if (depth.has(y) || (atLimit && !sup(y))) continue;
        if (order.length === nb.cap) return order;
        depth.set(y, d + 1);
        hops.set(y, sup(y) ? 0 : h + 1);
        order.push(y);
      }
  }
  return order;
}

describe('neighbourhood: the cells a repair may use', () => {
  it('is the breadth-first search its comment defines (cap, depth, published steps, closing at suppressed cells)', () => {
    let capped = 0;
    let cut = 0;
    for (let seed = 1; seed <= 60; seed++) {
      const k = randomCase(seed * 31337, { locked: false, avoid: false });
      const s = structureOf(k.cells, k.cons);
      const rand = rng(seed);
      const nb: Neighbourhood = { cap: 3 + Math.floor(rand() * 20), pubHops: Math.floor(rand() * 3), maxDepth: 1 + Math.floor(rand() * 4) };
      for (const close of [false, true]) {
        const got = neighbourhood(s, k.p, k.suppressed, nb, close);
        expect(got, `seed ${seed} ${JSON.stringify(nb)} close ${close}`).toEqual(referenceNeighbourhood(k, nb, close));
        if (got.length === nb.cap) capped++;
        else if (got.length < k.cells.length) cut++;
        // twice in a row: the scratch arrays' stamps leave nothing behind
        expect(neighbourhood(s, k.p, k.suppressed, nb, close)).toEqual(got);
      }
    }
    expect(capped).toBeGreaterThan(5);
    expect(cut).toBeGreaterThan(5);
  });
});
