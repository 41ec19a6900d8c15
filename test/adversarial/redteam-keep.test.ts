// Red-team attacks on commit 7d8b0e4 (global/protect.ts, protectInLog): after additions only, a
// revision starts hidden (warm, droppable) the non-headline quantities the log showed hidden
// ("keep rule", protectTuning.keepRevisionPattern), and a warm-start secondary whose earlier
// version published counts fix starts shown ("earlierFixed"). Attacker: anyone holding every
// release; a member holding the coalition's dedupe secret and its own reports.
//
// Each test asserts the SAFE behaviour; an attack that works would be `it.fails` with a comment
// starting VULNERABLE. Simulated logs (test/disclosure/global-helpers.ts Sim), seeded fast-check.
//
// Summary:
// - (a) availability: seeded random logs (two years, 4×3 cells, optional hierarchy, revisions by
//   additions and withdrawals, several series, k 2..5, coalition 1 and 2; also 6×4 cells with two
//   groups, up to 14 steps, and logs of one series revised again and again): no publication the
//   rule-off engine protects throws with the rule on. DEFENDED (none in ~1,000 logs).
// - (b) dedupe oracle, Sim model of the two worlds: TWO logs found (of ~900) where the pictures
//   agree with the rule off and differ with it on — VULNERABLE below: one where the rules differ
//   between the worlds (A's holdings rule in u only, the known filed2 asymmetry; before 7d8b0e4
//   that log differed too), one where only the values differ and the whole-system repair, started
//   from the kept pattern, chooses by them (agreeing before 7d8b0e4). Against the code before
//   7d8b0e4 (both heuristics off), ~450 further logs: none opened, several closed.
// - (c) headline figures: at the first publication where the patterns differ, no year total or
//   total over years hidden with the rule and shown without. DEFENDED. (One apparent case was
//   noise: see the note below.)
// - (d) disclosure: where the rule changed the pattern, every hidden cell's interval in the
//   independent full-model LP (fullModelInterval) is not a point and reaches k. DEFENDED.
// Note (not of 7d8b0e4): the same log, protected twice in one process, can give different
// patterns under load, apparently as the LP helper threads (lp-parallel.ts) are ready or not
// (they load HiGHS while the first protections run), despite lp-parallel.ts's "results
// never depend on how the work was split". Seen with a [year, a, b] revision after a withdrawal
// (found by the search with helpers; stable with CONTAMOS_LP_THREADS=0). So this file runs
// without helpers (set before the pool is first made), to compare rule on and off exactly.
process.env.CONTAMOS_LP_THREADS = '0';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { protectTuning } from '../../server/disclosure/global/protect.js';
import { forgetCarried } from '../../server/disclosure/global/carry.js';
import {
  hiddenIntervals,
  GRID,
  GRID_HIER,
  GRID_TABLES,
  gridKey,
  gridOpArb,
  replayGridLog,
  Sim,
  type GridLog,
  type GridOp,
  type Incident,
  type Key,
} from '../disclosure/global-helpers.js';

afterEach(() => {
  protectTuning.keepRevisionPattern = true;
  forgetCarried();
});

const TABLES: string[][][] = [...GRID_TABLES, [['a']]];

type Op = GridOp;
interface Log extends GridLog {
  k: number;
  coalition: number;
  hier: boolean;
}

/** Runs a log with the rule on or off: each publication's cells (key → count), or the error that stopped it. */
async function run(c: Log, keep: boolean): Promise<{ sim: Sim; pubs: Array<Map<string, number | null>>; err?: string }> {
  protectTuning.keepRevisionPattern = keep;
  forgetCarried();
  const sim = new Sim(GRID, c.hier ? GRID_HIER : {}, c.k, c.coalition);
  try {
    return { sim, ...(await replayGridLog(sim, c, TABLES, () => c.k)) };
  } finally {
    protectTuning.keepRevisionPattern = true;
  }
}

const isHeadline = (key: Key) => Object.entries(key).every(([d, v]) => d === 'year' || d === 'incidentType' || v === '*');

/** The first publication where the patterns differ (the logs before it are the same), or -1. */
function firstDivergence(on: Array<Map<string, number | null>>, off: Array<Map<string, number | null>>): number {
  for (let p = 0; p < Math.min(on.length, off.length); p++) for (const [k, v] of on[p]!) if (off[p]!.get(k) !== v) return p;
  return -1;
}

const cellArb = fc.integer({ min: 0, max: 6 });
const opArb: fc.Arbitrary<Op> = gridOpArb(TABLES.length);
const logArb: fc.Arbitrary<Log> = fc.record({
  k: fc.integer({ min: 2, max: 5 }),
  coalition: fc.constantFrom(1, 2),
  members: fc.integer({ min: 2, max: 4 }),
  hier: fc.boolean(),
  c23: fc.array(cellArb, { minLength: 12, maxLength: 12 }),
  c24: fc.array(cellArb, { minLength: 12, maxLength: 12 }),
  ops: fc.array(opArb, { minLength: 3, maxLength: 8 }),
});

/** Logs found where the rule changes the pattern (seeded search; on hides what off shows). */
const DIVERGING: Log[] = [
  // a revision of [year, a, b] over 2023 after one late report: a4×b3 (5) stays hidden with the rule
  {
    k: 3,
    coalition: 1,
    members: 3,
    hier: false,
    c23: [0, 1, 5, 0, 6, 0, 1, 2, 0, 2, 4, 5],
    c24: [2, 2, 3, 2, 1, 6, 3, 4, 5, 2, 5, 6],
    ops: [
      { op: 'pub', series: 's', tables: 2, years: [2023, 2024] },
      { op: 'pub', series: 't', tables: 1, years: [2023] },
      { op: 'add', year: 2024, cell: 10, n: 1 },
      { op: 'add', year: 2023, cell: 2, n: 1 },
      { op: 'pub', series: 't', tables: 1, years: [2023] },
    ],
  },
  // with a hierarchy (g12 = a1 + a2): [a, b] over both years after a late report
  {
    k: 3,
    coalition: 2,
    members: 3,
    hier: true,
    c23: [2, 2, 1, 1, 6, 0, 0, 1, 0, 0, 1, 0],
    c24: [4, 0, 1, 6, 5, 3, 1, 0, 4, 6, 3, 5],
    ops: [
      { op: 'pub', series: 'u', tables: 2, years: [2023, 2024] },
      { op: 'pub', series: 's', tables: 3, years: [2023] },
      { op: 'pub', series: 's', tables: 1, years: [2023, 2024] },
      { op: 'add', year: 2023, cell: 1, n: 1 },
      { op: 'pub', series: 't', tables: 3, years: [2023, 2024] },
    ],
  },
  // coalition 1, k 4, a hierarchy, two series over the same years
  {
    k: 4,
    coalition: 1,
    members: 2,
    hier: true,
    c23: [2, 2, 4, 1, 4, 6, 2, 4, 1, 1, 5, 4],
    c24: [5, 1, 0, 4, 1, 2, 2, 4, 1, 5, 0, 0],
    ops: [
      { op: 'add', year: 2023, cell: 10, n: 1 },
      { op: 'pub', series: 't', tables: 0, years: [2024] },
      { op: 'pub', series: 't', tables: 1, years: [2023, 2024] },
      { op: 'add', year: 2023, cell: 3, n: 1 },
      { op: 'pub', series: 's', tables: 4, years: [2023, 2024] },
      { op: 'pub', series: 'u', tables: 2, years: [2024] },
      { op: 'pub', series: 's', tables: 2, years: [2023] },
    ],
  },
];

describe('(d) where the rule changes the pattern, the full model reveals no hidden cell', () => {
  it('diverging logs: every hidden cell of the diverging publication has an interval reaching k, not a point', async () => {
    let checked = 0;
    for (const log of DIVERGING) {
      const on = await run(log, true);
      const off = await run(log, false);
      expect(on.err ?? off.err).toBeUndefined();
      const p = firstDivergence(on.pubs, off.pubs);
      expect(p, 'the rule changes this log').toBeGreaterThanOrEqual(0);
      for (const { key, lo, hi } of await hiddenIntervals(on.sim, p)) {
        expect(hi, key).toBeGreaterThanOrEqual(log.k);
        expect(hi, key).toBeGreaterThan(lo);
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(0);
  }, 60_000);
});

describe('(a) availability and (c) headline figures: seeded random logs, rule on against rule off', () => {
  // DEFENDED: no log where every publication succeeds with the rule off and one throws with it
  // on (UnprotectableError or "internal: the final audit failed after repair"); and at the first
  // publication where the patterns differ, no headline figure hidden with the rule and shown
  // without (the search that found none ran ~800 logs of this shape and a larger one, 6×4 cells
  // with two groups and up to 12 steps; this test replays a seeded slice of it).
  it('no new failure, no headline figure newly hidden', async () => {
    const regressions: string[] = [];
    let diverged = 0;
    await fc.assert(
      fc.asyncProperty(logArb, async (log) => {
        const on = await run(log, true);
        const off = await run(log, false);
        if (on.err && !off.err) regressions.push(`throws with the rule: ${on.err} ${JSON.stringify(log)}`);
        const p = firstDivergence(on.pubs, off.pubs);
        if (p < 0) return;
        diverged++;
        for (const [k, v] of on.pubs[p]!)
          if (v === null && off.pubs[p]!.get(k) !== null && isHeadline(JSON.parse(k))) regressions.push(`headline ${k} newly hidden ${JSON.stringify(log)}`);
      }),
      { numRuns: 80, seed: 12 },
    );
    expect(regressions).toEqual([]);
    expect(diverged, 'logs where the rule changed a pattern').toBeGreaterThanOrEqual(0);
  }, 120_000);
});

// Two worlds in the Sim (a model of test/helpers/two-worlds.ts): A holds `victimA` reports and the
// victim's in one cell, others hold random cells; after a first publication of 2023 come late
// reports by C and B's guess (stating `guessCell`'s values), an "additions" version. World t: the
// guess joins A's victim incident (same count as before, B a filer); world u: the guess is an
// incident of its own. Then 2023 is published again.
const MEM = ['m-a', 'm-b', 'm-c', 'm-d'];
interface Worlds {
  k: number;
  coalition: number;
  counts: number[];
  owner: number[];
  victim: number;
  victimA: number;
  guessCell: number;
  late: Array<[number, number]>;
  t1: number;
  t2: number;
}
const WT: string[][][] = [
  [['year', 'a']],
  [['year', 'a', 'b']],
  [
    ['year', 'a'],
    ['year', 'b'],
  ],
];

async function world(c: Worlds, guessed: boolean, keep: boolean): Promise<string[]> {
  protectTuning.keepRevisionPattern = keep;
  forgetCarried();
  try {
    const sim = new Sim(GRID, {}, c.k, c.coalition);
    let list: Incident[] = [
      ...c.counts.flatMap((n, cell) => Array.from({ length: n }, (_, j) => ({ id: `x-${cell}-${j}`, key: gridKey(cell), members: [MEM[c.owner[cell]!]!] }))),
      ...Array.from({ length: c.victimA }, (_, j) => ({ id: `va-${j}`, key: gridKey(c.victim), members: ['m-a'] })),
      { id: 'victim', key: gridKey(c.victim), members: ['m-a'] },
    ];
    const pics: string[] = [];
    const pub = async (t: number) => {
      sim.set(2023, list);
      try {
        const r = await sim.publish('s', WT[t]!, [2023], { k: c.k });
        pics.push(r.cells.map((x) => `${JSON.stringify(x.key)}=${x.count}`).join(' '));
      } catch (e) {
        pics.push(`error ${(e as Error).message}`);
      }
    };
    await pub(c.t1);
    list = [
      ...list,
      ...c.late.flatMap(([cell, n], i) => Array.from({ length: n }, (_, j) => ({ id: `late-${i}-${j}`, key: gridKey(cell), members: ['m-c'] }))),
    ];
    const gkey = gridKey(c.guessCell);
    list = guessed
      ? list.map((x) => (x.id === 'victim' ? { ...x, joins: [{ member: 'm-b', key: gkey }] } : x))
      : [...list, { id: 'guess', key: gkey, members: ['m-b'] }];
    await pub(c.t2);
    return pics;
  } finally {
    protectTuning.keepRevisionPattern = true;
  }
}
const same = async (c: Worlds, keep: boolean) => JSON.stringify(await world(c, true, keep)) === JSON.stringify(await world(c, false, keep));

const worldsArb: fc.Arbitrary<Worlds> = fc.record({
  k: fc.integer({ min: 2, max: 5 }),
  coalition: fc.constantFrom(1, 2),
  counts: fc.array(fc.integer({ min: 0, max: 8 }), { minLength: 12, maxLength: 12 }),
  owner: fc.array(fc.integer({ min: 0, max: 3 }), { minLength: 12, maxLength: 12 }),
  victim: fc.integer({ min: 0, max: 11 }),
  victimA: fc.integer({ min: 0, max: 12 }),
  guessCell: fc.integer({ min: 0, max: 11 }),
  late: fc.array(fc.tuple(fc.integer({ min: 0, max: 11 }), fc.integer({ min: 1, max: 3 })), { maxLength: 2 }),
  t1: fc.integer({ min: 0, max: 2 }),
  t2: fc.integer({ min: 0, max: 2 }),
});

describe('(b) the dedupe oracle: the rule opens no two-world difference', () => {
  // DEFENDED: in the seeded search (~450 logs) no case where the pictures agree with the rule
  // off and differ with it on; this replays a seeded slice.
  it('random two-world logs: where the rule-off pictures agree, the rule-on pictures agree', async () => {
    const opened: string[] = [];
    await fc.assert(
      fc.asyncProperty(worldsArb, async (c) => {
        if ((await same(c, false)) && !(await same(c, true))) opened.push(JSON.stringify(c));
      }),
      { numRuns: 30, seed: 5 },
    );
    expect(opened).toEqual([]);
  }, 120_000);

  // Closed by the rule (a positive finding): without it, the revision's warm start hid a2×b1 (5)
  // in world t only; with it, both worlds keep the first publication's pattern.
  it('a guess stating another cell than the victim, late reports elsewhere: same picture with the rule (not without)', async () => {
    const c: Worlds = {
      k: 5,
      coalition: 2,
      counts: [6, 5, 2, 6, 8, 5, 6, 7, 0, 3, 1, 3],
      owner: [1, 1, 3, 3, 0, 0, 2, 1, 1, 2, 0, 0],
      victim: 11,
      victimA: 11,
      guessCell: 9,
      late: [
        [6, 3],
        [2, 2],
      ],
      t1: 1,
      t2: 1,
    };
    expect(await same(c, true)).toBe(true);
    expect(await same(c, false)).toBe(false);
  }, 60_000);
  /** A log where the pictures agree with the rule off (checked) and differ with it on (VULNERABLE: it.fails). */
  const openedByTheRule = (what: string, w: Worlds): void => {
    it(`opened by the rule, rule off: ${what} gives the same picture in both worlds`, async () => {
      expect(await same(w, false)).toBe(true);
    }, 60_000);
    it.fails(`opened by the rule, rule on: ${what} gives the same picture in both worlds`, async () => {
      expect(await same(w, true)).toBe(true);
    }, 60_000);
  };
  // VULNERABLE (Sim model of the two worlds; not replayed through the app): k 2, coalition 1. A
  // holds the victim's cell a4×b3 and one more report; B's guess states a4×b1 (empty before), C
  // files 3 late reports elsewhere, an "additions" version; [year, a, b] of 2023 published before
  // and after. With the rule off (earlierFixed kept) the revision hides every cell in both worlds:
  // same picture. With the rule on, both worlds keep the first pattern warm and show most cells
  // again, but u (the guess an incident of its own: 44) hides the year total while t (the guess
  // joined A's victim: 43) shows it — B learns that A reported the victim. The kept quantities
  // themselves are public; what differs is the rules (u only: A's holdings rule on a4, need 17,
  // and the total's change sensitive), the known asymmetry of redteam-filed2.test.ts, which the
  // rule's smaller pattern no longer covers. (Before 7d8b0e4 — both heuristics off — the pictures
  // differed on this log too, in other cells.) Smallest fix: the filed2 "fix in general" (judge
  // the holdings rule of every other member over every value the quantity could have had without
  // the joins, v − c … v + f − c, so it fires in both worlds alike); a narrower, untested option:
  // no keep rule for quantities holding filed items (the same set in both worlds).
  const OPENED: Worlds = {
    k: 2,
    coalition: 1,
    counts: [0, 1, 8, 0, 5, 6, 1, 8, 2, 0, 2, 5],
    owner: [2, 3, 2, 1, 1, 1, 0, 0, 0, 2, 1, 0],
    victim: 11,
    victimA: 1,
    guessCell: 3,
    late: [
      [8, 2],
      [9, 1],
    ],
    t1: 1,
    t2: 1,
  };
  openedByTheRule("a guess stating an empty cell of the victim's row", OPENED);
  // VULNERABLE (Sim model; not replayed through the app): k 2, coalition 2. A holds 5 reports and
  // the victim's in a1×b3; B's guess states her values; 2 late reports elsewhere, an "additions"
  // version. Here the keep rule's warm cells (a3×b1, a3×b3), the sensitive cells and the pattern
  // after the drop loop are the same in both worlds; the whole-system repair then hides a1×b2 (2)
  // in t (the guess joined: a1×b3 = 7, its change 0) and not in u (a1×b3 = 8, change 1): it
  // chooses by true values. Rule off, and before 7d8b0e4 (both heuristics off), the pictures agree
  // on this log. Smallest fix: the filed2 "fix in general" (choose the pattern from values that
  // do not depend on joins: max(v, filed) wherever the filed rule fires, the audit alone with the
  // true values) — the repair is where the worlds part.
  const OPENED2: Worlds = {
    k: 2,
    coalition: 2,
    counts: [4, 2, 2, 1, 2, 5, 0, 4, 1, 4, 4, 5],
    owner: [1, 2, 0, 0, 1, 0, 0, 1, 3, 2, 3, 2],
    victim: 8,
    victimA: 5,
    guessCell: 8,
    late: [
      [7, 1],
      [5, 1],
    ],
    t1: 1,
    t2: 1,
  };
  openedByTheRule('a guess with her values', OPENED2);
});
