// An earlier protection's reach carried to the next (server/disclosure/global/carry.ts): it may
// only save LPs, never change a verdict. Checked from both sides:
//   - the same logs protected with and without the carry give the same cells, publication after
//     publication (random logs of several series and revisions), and the carry was used;
//   - the checks that make a carry sound, each attacked with a carry that would be wrong: the same
//     version number with other data, a revision that shows a cell whose earlier version was
//     hidden (its component's reach dropped), new coordinates at an earlier version;
//   - a revision after late reports keeps the earlier pattern (protect.ts), so the reach carries:
//     seeded logs where, without that rule, revisions show cells the first publication hid.
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { AuditEngine, loadHighs } from '../../server/disclosure/index.js';
import { forgetCarried, prepareCarry, rememberCarried } from '../../server/disclosure/global/carry.js';
import { buildGlobalModel, type GlobalModel } from '../../server/disclosure/global/model.js';
import { protectTuning } from '../../server/disclosure/global/protect.js';
import { GRID, GRID_TABLES, gridIncidents, handMadeModel, Sim } from './global-helpers.js';

const K = 3;
afterEach(() => {
  protectTuning.carryReach = true;
  protectTuning.keepRevisionPattern = true;
  forgetCarried();
});

interface Step {
  tables: number;
  years: readonly number[];
  /** Late reports in 2024 before this publication (cell index, how many). */
  late: Array<[number, number]>;
}

/** Every publication's cells (key → count or hidden), and how many quantities got a carried reach. */
async function run(base2023: number[], base2024: number[], steps: Step[], carry: boolean): Promise<{ cells: string[][]; carried: number }> {
  protectTuning.carryReach = carry;
  forgetCarried();
  const sim = new Sim(GRID, {}, K, 1);
  sim.set(2023, gridIncidents(base2023, 'x'));
  let y24 = gridIncidents(base2024, 'y');
  sim.set(2024, y24);
  const cells: string[][] = [];
  let carried = 0;
  let n = 0;
  for (const st of steps) {
    if (st.late.length > 0) {
      y24 = [
        ...y24,
        ...st.late.flatMap(([c, k]) =>
          gridIncidents(
            Array.from({ length: 12 }, (_, i) => (i === c ? k : 0)),
            `late${n++}`,
          ),
        ),
      ];
      sim.set(2024, y24);
    }
    const r = await sim.publish(`s${cells.length}`, GRID_TABLES[st.tables]!, [...st.years], { k: K });
    cells.push(r.cells.map((c) => `${JSON.stringify(c.key)}=${c.count}`));
    carried += r.stats.carried;
  }
  return { cells, carried };
}

describe('the carried reach changes no verdict', () => {
  it('random logs: the same cells with and without it, and it is used', async () => {
    let used = 0;
    const cell = fc.integer({ min: 0, max: 6 });
    await fc.assert(
      fc.asyncProperty(
        fc.array(cell, { minLength: 12, maxLength: 12 }),
        fc.array(cell, { minLength: 12, maxLength: 12 }),
        fc.array(
          fc.record({
            tables: fc.integer({ min: 0, max: GRID_TABLES.length - 1 }),
            years: fc.constantFrom([2023], [2024], [2023, 2024]),
            late: fc.array(fc.tuple(fc.integer({ min: 0, max: 11 }), fc.integer({ min: 1, max: 3 })), { maxLength: 2 }),
          }),
          { minLength: 2, maxLength: 5 },
        ),
        async (c23, c24, steps) => {
          const without = await run(c23, c24, steps, false);
          const withCarry = await run(c23, c24, steps, true);
          expect(withCarry.cells).toEqual(without.cells);
          expect(without.carried).toBe(0);
          used += withCarry.carried;
        },
      ),
      { numRuns: 25, seed: 7 },
    );
    expect(used, 'quantities that got a carried reach, over all runs').toBeGreaterThan(0);
  }, 600_000);

  it('a revision of the same tables after late reports: the same cells, most quantities carried', async () => {
    const base = [9, 2, 14, 0, 7, 1, 11, 5, 3, 8, 0, 6];
    const steps: Step[] = [
      { tables: 1, years: [2023, 2024], late: [] },
      { tables: 4, years: [2023, 2024], late: [] },
      { tables: 1, years: [2023, 2024], late: [[0, 2]] },
    ];
    const without = await run(base, base, steps, false);
    const withCarry = await run(base, base, steps, true);
    expect(withCarry.cells).toEqual(without.cells);
    expect(withCarry.carried).toBeGreaterThan(10);
  });
});

describe('a revision after late reports keeps the earlier pattern (global/protect.ts)', () => {
  /** 60 seeded logs: [year, a, b] over two years, [year, a] + [year, b], then [year, a, b] again after 2 late reports in one cell (pairs). */
  async function revisions(): Promise<{ shownAgain: string[]; carried: number }> {
    const shownAgain: string[] = [];
    let carried = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.integer({ min: 0, max: 6 }), { minLength: 12, maxLength: 12 }),
        fc.array(fc.integer({ min: 0, max: 6 }), { minLength: 12, maxLength: 12 }),
        fc.integer({ min: 0, max: 11 }),
        async (c23, c24, late) => {
          forgetCarried();
          const sim = new Sim(GRID, {}, K, 2);
          sim.set(2023, gridIncidents(c23, 'x'));
          sim.set(2024, gridIncidents(c24, 'y'));
          const first = await sim.publish('s', [['year', 'a', 'b']], [2023, 2024], { k: K });
          await sim.publish('t', GRID_TABLES[4]!, [2023, 2024], { k: K });
          sim.set(2024, [
            ...gridIncidents(c24, 'y'),
            ...gridIncidents(
              Array.from({ length: 12 }, (_, i) => (i === late ? 2 : 0)),
              'late',
            ),
          ]);
          const again = await sim.publish('s', [['year', 'a', 'b']], [2023, 2024], { k: K });
          expect(sim.since(2024, 2)).toBe('additions');
          carried += again.stats.carried;
          // (a year's total is a headline figure: the rule leaves it to the warm start)
          const hidden = new Set(first.cells.filter((c) => c.suppressed && !(c.key.a === '*' && c.key.b === '*')).map((c) => JSON.stringify(c.key)));
          for (const c of again.cells) if (!c.suppressed && hidden.has(JSON.stringify(c.key))) shownAgain.push(JSON.stringify(c.key));
        },
      ),
      { numRuns: 60, seed: 22 },
    );
    return { shownAgain, carried };
  }

  it('hides again what the first publication hid (year totals aside), and the reach carries', async () => {
    const kept = await revisions();
    expect(kept.shownAgain).toEqual([]);
    protectTuning.keepRevisionPattern = false;
    const free = await revisions();
    protectTuning.keepRevisionPattern = true;
    // without the rule the same logs show some of those cells again, and less of the reach carries
    expect(free.shownAgain.length).toBeGreaterThan(0);
    expect(kept.carried).toBeGreaterThan(free.carried);
  }, 120_000);
});

describe('a carry that would be wrong is not used', () => {
  /** Protects [year, a] over 2023 at its first version; returns the Sim. */
  async function first(counts: number[]): Promise<Sim> {
    forgetCarried();
    const sim = new Sim(GRID, {}, K, 1);
    sim.set(2023, gridIncidents(counts, 'x'));
    await sim.publish('s', [['year', 'a']], [2023], { k: K });
    return sim;
  }

  it('the same data version with other data (a number reused): refused', async () => {
    await first([9, 2, 14, 6, 0, 0, 0, 0, 0, 0, 0, 0]);
    // Another state where version 1 of 2023 holds other counts (one more in a1), the same tables.
    const other = new Sim(GRID, {}, K, 1);
    other.set(2023, gridIncidents([10, 2, 14, 6, 0, 0, 0, 0, 0, 0, 0, 0], 'x'));
    const model = buildGlobalModel(other.next('t', [['year', 'a']], [2023], { k: K }).input);
    expect(prepareCarry(model)).toBeNull();
    // (the same with the same data is accepted: the refusal is the values')
    const same = new Sim(GRID, {}, K, 1);
    same.set(2023, gridIncidents([9, 2, 14, 6, 0, 0, 0, 0, 0, 0, 0, 0], 'x'));
    expect(prepareCarry(buildGlobalModel(same.next('t', [['year', 'a']], [2023], { k: K }).input))).not.toBeNull();
  });

  it('new coordinates at an earlier version (no analogue, a relation the carried system lacked): refused', async () => {
    const sim = await first([9, 2, 14, 6, 4, 3, 0, 5, 0, 0, 0, 0]);
    const model = buildGlobalModel(sim.next('t', [['year', 'a', 'b']], [2023], { k: K }).input);
    expect(prepareCarry(model)).toBeNull();
  });

  it('a revision that shows a cell whose earlier version was hidden: that component’s reach is dropped', async () => {
    // a2 = 2 is small at version 1 (hidden, with a secondary); 3 late reports make it 5 at version 2.
    const sim = await first([9, 2, 14, 6, 0, 0, 0, 0, 0, 0, 0, 0]);
    sim.set(2023, gridIncidents([9, 5, 14, 6, 0, 0, 0, 0, 0, 0, 0, 0], 'x'));
    const model = buildGlobalModel(sim.next('t', [['year', 'a']], [2023], { k: K }).input);
    const carry = prepareCarry(model);
    expect(carry).not.toBeNull();
    const idOf = (a: string, at: string) =>
      model.meta.findIndex((m) => m.kind === 'count' && m.at === at && m.coords.a === a && Object.keys(m.coords).length === 1);
    const highs = await loadHighs();
    const engine = () => new AuditEngine(highs, model.s, model.rules);
    const locked = Uint8Array.from(model.published);
    // Pattern 1: version 2 hides what version 1 hid (a2 and its secondary): the reach carries.
    const hidden1 = sim.log[0]!.cells.filter((c) => c.count === null).map((c) => c.key.a!);
    expect(hidden1).toContain('a2');
    const pattern = (shown: string[]) => {
      const q = new Uint8Array(model.s.n);
      for (let i = 0; i < model.s.n; i++) if (!locked[i]) q[i] = 1;
      for (const a of shown) q[idOf(a, '2023@2')] = 0;
      return q;
    };
    const keep = engine();
    const all = GRID.a.filter((a) => !hidden1.includes(a));
    expect(carry!.seed(keep, pattern(all), locked)).toBeGreaterThan(0);
    const a2at1 = idOf('a2', '2023@1');
    expect(keep.reachHi[a2at1]!, 'the carried reach of a2 at version 1').toBeGreaterThan(2);
    // Pattern 2: version 2 shows a2 (5): a2 at version 1 is now at most 5 − 0 … and its component's
    // carried reach is not noted (the true table's only).
    const drop = engine();
    carry!.seed(drop, pattern([...all, 'a2']), locked);
    expect([drop.reachLo[a2at1], drop.reachHi[a2at1]]).toEqual([2, 2]);
  });
});

describe('each check alone, on hand-made systems', () => {
  /** Counts at (version, a) with the given values, and relations [total, ...parts]. */
  const handMade = (cells: Array<[string, string, number]>, relations: number[][]): GlobalModel =>
    handMadeModel(
      cells.map(([at, a, value]) => ['count', at, a, value] as const),
      relations,
    );
  const earlier = () => {
    forgetCarried();
    // t = x + y at 2023@1, everything free, reach of x up to 6
    const m = handMade(
      [
        ['2023@1', '*', 6],
        ['2023@1', 'a1', 3],
        ['2023@1', 'a2', 3],
      ],
      [[0, 1, 2]],
    );
    rememberCarried(m, new Uint8Array([1, 1, 1]), new Float64Array([6, 0, 0]), new Float64Array([6, 6, 6]));
  };

  it('a relation among earlier quantities that the earlier system did not have: refused', () => {
    earlier();
    const same = handMade(
      [
        ['2023@1', '*', 6],
        ['2023@1', 'a1', 3],
        ['2023@1', 'a2', 3],
      ],
      [[0, 1, 2]],
    );
    expect(prepareCarry(same)).not.toBeNull();
    const more = handMade(
      [
        ['2023@1', '*', 6],
        ['2023@1', 'a1', 3],
        ['2023@1', 'a2', 3],
      ],
      [
        [0, 1, 2],
        [1, 2], // x = y: every table of the earlier system with x ≠ y is none of this one
      ],
    );
    expect(prepareCarry(more)).toBeNull();
  });

  it('a relation that holds between the earlier quantities but not between their shifts: refused', () => {
    earlier();
    // At 2023@2 the new counts shift x by 1, y by 1 and t by 1 (values that break t = x + y there:
    // the relation through E is the earlier one plus a constant 1).
    const shifted = handMade(
      [
        ['2023@1', '*', 6],
        ['2023@1', 'a1', 3],
        ['2023@1', 'a2', 3],
        ['2023@2', '*', 7],
        ['2023@2', 'a1', 4],
        ['2023@2', 'a2', 4],
      ],
      [
        [0, 1, 2],
        [3, 4, 5],
      ],
    );
    expect(prepareCarry(shifted)).toBeNull();
    const consistent = handMade(
      [
        ['2023@1', '*', 6],
        ['2023@1', 'a1', 3],
        ['2023@1', 'a2', 3],
        ['2023@2', '*', 8],
        ['2023@2', 'a1', 4],
        ['2023@2', 'a2', 4],
      ],
      [
        [0, 1, 2],
        [3, 4, 5],
      ],
    );
    expect(prepareCarry(consistent)).not.toBeNull();
  });

  it('a count that went down (withdrawals): its component is not carried, the others are', async () => {
    earlier();
    const engine = (m: GlobalModel) => new AuditEngine(highs, m.s, { need: [], lowAlt: [], width: [], pin: [] } as never);
    const highs = await loadHighs();
    const at2 = (x2: number) =>
      handMade(
        [
          ['2023@1', '*', 6],
          ['2023@1', 'a1', 3],
          ['2023@1', 'a2', 3],
          ['2023@2', '*', x2 + 3],
          ['2023@2', 'a1', x2],
          ['2023@2', 'a2', 3],
        ],
        [
          [0, 1, 2],
          [3, 4, 5],
        ],
      );
    const all = new Uint8Array(6).fill(1);
    const none = new Uint8Array(6);
    const up = at2(5); // x rose by 2: every earlier table extends
    expect(prepareCarry(up)!.seed(engine(up), all, none)).toBe(6);
    const down = at2(1); // x fell by 2: an earlier table with x < 2 gives x@2 < 0
    expect(prepareCarry(down)!.seed(engine(down), all, none)).toBe(0);
  });
});
