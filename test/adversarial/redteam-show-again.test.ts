// Red-team attacks on commit cdca2a7 (server/disclosure/secondary.ts, `repairUntilProtected`):
// once nothing more can be hidden (or the loop is stuck), the failing secondaries that are not
// sensitive and not hidden throughout (`state.kept`) are shown again for good
// (`state.shownForGood`), the engine forgets its reach, and the repair goes on; `add()` never
// hides such a cell again. Used by global/protect.ts (`protectInLog`): the whole-system repair,
// and the warm start on the new tables (`maxRounds` = `protectTuning.warmStartRounds`, 1 since
// 6dfc20a, was 2). Attacker: anyone holding every release. Operator: a publication refused, or
// the loop not ending, or two runs of one input disagreeing.
//
// Each test asserts the SAFE behaviour; an attack that works would be `it.fails` with a comment
// starting VULNERABLE. Simulated logs (test/disclosure/global-helpers.ts Sim), seeded fast-check;
// the loop as it was before cdca2a7 is the same loop with `repairTuning.showAgain` false (the red
// team ran it from a copy of 5ae9c30's secondary.ts; the copy was not kept). The mock below also
// records, on every call of the new loop, the cells shown for good and checks them.
//
// Summary. The search (this file's run/search with wider settings, not kept): ~3,200 seeded
// random logs over the 4 × 3 grid (two years, optional hierarchy a1+a2, 3..12 steps: publications
// of 3 series with k 2..5 each over [year, a], [year, a, b], [year, b], [a, b], [year, a]+[year, b],
// [a], [b], late reports, withdrawals; minK 2..3; coalition 1 and 2; counts 0..3, 0..6, and lists
// rich in zeros), each protected with the new loop and with the old one, at warmStartRounds 0, 1
// and 2, with and without LP helper threads; every log where a cell was shown for good, or that
// was refused, protected a second time.
// - (1) safety: where a cell was shown for good and the publication went out, every hidden cell
//   reaches k and is not pinned in the independent full-model LP (fullModelInterval). DEFENDED —
//   but vacuously in the Sim: no such publication went out (see (3)). Why it holds: a cell failing
//   when everything that may be hidden is hidden fails in every pattern hiding it (each rule holds
//   on an interval that only widens as more is hidden, and judge-mode verdicts are exact), so what
//   is shown is forced, and the final audit still judges the whole pattern; `forgetReach` comes
//   before any smaller pattern is audited; the component cache is keyed by a component's hidden
//   cells, whose system does not depend on the rest.
// - (4) no sensitive cell and no cell hidden throughout shown; no locked cell hidden; no cell shown
//   for good hidden again (checked on every call of the loop, warm start included). DEFENDED.
// - (2) every run ended; the same log twice gave the same cells and the same refusal, with helper
//   threads and without (this file runs without). DEFENDED.
// - (3) availability: no regression (no log the old loop protects and the new one refuses, nor one
//   refused earlier in the log; nor a pattern changed where both protect, measured on 1,400 logs)
//   at warmStartRounds 0, 1, 2 (1,350, 1,100 and 750 logs; 700 of them with helper threads). And no
//   improvement either: the show fired in 28 logs (10, 9 and 9; the whole-system repair, and the
//   warm start at warmStartRounds 2), and in every one the publication was refused all the same, at
//   the same point as before (a primary still fails; the error only lists fewer cells). In the
//   global model the last resort comes at once for a failing cell no protection LP can lift, and
//   in these logs that was always a primary as well. The improvement stays shown on hand-made
//   structures only (test/disclosure/repair-loop.test.ts, which forces the last resort).
// - Also seen: the second `showAgainForGood` (when the loop is stuck) cannot change anything: the
//   loop is stuck only when the last resort found nothing more to hide, and then the first one
//   already ran with the same failing cells (removed since). And `forgetReach` there also drops the reach carried
//   from an earlier protection (carry.ts), which the repair does not seed again: LPs only.
process.env.CONTAMOS_LP_THREADS = '0';
import fc from 'fast-check';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { protectTuning } from '../../server/disclosure/global/protect.js';
import { forgetCarried } from '../../server/disclosure/global/carry.js';
import { repairTuning, type PatternOptions, type PatternState } from '../../server/disclosure/secondary.js';
import { hiddenIntervals, GRID, GRID_HIER, GRID_TABLES, gridOpArb, replayGridLog, Sim, type GridLog, type GridOp } from '../disclosure/global-helpers.js';

/** Which loop runs (old: without showing again, as 5ae9c30), and what the new one did: cells shown for good per call, broken invariants. */
const mode = vi.hoisted(() => ({
  old: false,
  pub: 0,
  shows: [] as Array<{ pub: number; warm: boolean; cells: number[] }>,
  bad: [] as string[],
}));

vi.mock('../../server/disclosure/secondary.js', async (importOriginal) => {
  const real = await importOriginal<typeof import('../../server/disclosure/secondary.js')>();
  return {
    ...real,
    repairUntilProtected: (o: PatternOptions, sensitive: Uint8Array, state: PatternState) => {
      real.repairTuning.showAgain = !mode.old;
      if (mode.old) return real.repairUntilProtected(o, sensitive, state);
      const kept = Uint8Array.from(state.kept);
      try {
        real.repairUntilProtected(o, sensitive, state);
      } finally {
        const cells = [...state.shownForGood.keys()].filter((c) => state.shownForGood[c]);
        if (cells.length > 0) mode.shows.push({ pub: mode.pub, warm: o.maxRounds !== undefined, cells });
        for (const c of cells) {
          if (sensitive[c]) mode.bad.push(`sensitive ${c} shown`);
          if (kept[c]) mode.bad.push(`kept ${c} shown`);
          if (state.suppressed[c]) mode.bad.push(`shown ${c} hidden again`);
        }
        for (let c = 0; c < o.s.n; c++) if (o.locked?.[c] && state.suppressed[c]) mode.bad.push(`locked ${c} hidden`);
      }
    },
  };
});

afterEach(() => {
  protectTuning.warmStartRounds = 1;
  repairTuning.showAgain = true;
  mode.old = false;
  forgetCarried();
});

/** GRID_TABLES, then [a] and [b] alone. */
const TABLES: string[][][] = [...GRID_TABLES, [['a']], [['b']]];

type Op = GridOp;
interface Log extends GridLog {
  minK: number;
  coalition: number;
  hier: boolean;
}
interface Outcome {
  sim: Sim;
  /** Each publication's cells (key → count, null hidden). */
  pubs: Array<Map<string, number | null>>;
  shows: typeof mode.shows;
  bad: string[];
  err?: string;
}

/** Runs a log with the new loop or the old one: each publication until the first refusal. */
async function run(c: Log, old: boolean, warm = 1): Promise<Outcome> {
  mode.old = old;
  mode.shows = [];
  mode.bad = [];
  protectTuning.warmStartRounds = warm;
  forgetCarried();
  const sim = new Sim(GRID, c.hier ? GRID_HIER : {}, c.minK, c.coalition);
  try {
    const { pubs, err } = await replayGridLog(
      sim,
      c,
      TABLES,
      (o) => Math.max(o.k ?? c.minK, c.minK),
      (p) => (mode.pub = p),
    );
    return { sim, pubs, shows: [...mode.shows], bad: [...mode.bad], ...(err === undefined ? {} : { err }) };
  } finally {
    mode.old = false;
    protectTuning.warmStartRounds = 1;
  }
}

const picture = (o: Outcome): string => JSON.stringify(o.pubs.map((m) => [...m]));

const cellArb = fc.integer({ min: 0, max: 4 });
const opArb: fc.Arbitrary<Op> = gridOpArb(TABLES.length, fc.constantFrom(2, 3, 4, 5));
const logArb: fc.Arbitrary<Log> = fc.record({
  minK: fc.constant(2),
  coalition: fc.constantFrom(1, 2),
  members: fc.integer({ min: 2, max: 4 }),
  hier: fc.boolean(),
  c23: fc.array(cellArb, { minLength: 12, maxLength: 12 }),
  c24: fc.array(cellArb, { minLength: 12, maxLength: 12 }),
  ops: fc.array(opArb, { minLength: 3, maxLength: 10 }),
});

/**
 * Logs the search found where the new loop showed cells for good (the whole-system repair; the
 * second also the warm start, at warmStartRounds 2), each with the warmStartRounds it ran at.
 */
const SHOW_LOGS: Array<{ warm: number; log: Log }> = [
  {
    warm: 1,
    log: {
      minK: 2,
      coalition: 2,
      members: 2,
      hier: true,
      c23: [0, 2, 3, 4, 2, 2, 3, 4, 3, 2, 0, 0],
      c24: [4, 1, 2, 1, 4, 0, 1, 4, 2, 1, 3, 0],
      ops: [
        { op: 'add', year: 2024, cell: 11, n: 2 },
        { op: 'add', year: 2023, cell: 2, n: 2 },
        { op: 'pub', series: 'u', tables: 3, years: [2023], k: 2 },
        { op: 'pub', series: 't', tables: 5, years: [2024], k: 2 },
        { op: 'pub', series: 't', tables: 1, years: [2024], k: 5 },
      ],
    },
  },
  {
    warm: 2,
    log: {
      minK: 2,
      coalition: 2,
      members: 4,
      hier: true,
      c23: [1, 1, 2, 2, 2, 1, 2, 2, 2, 3, 3, 0],
      c24: [2, 3, 2, 0, 2, 3, 0, 0, 2, 0, 0, 1],
      ops: [
        { op: 'add', year: 2024, cell: 0, n: 1 },
        { op: 'pub', series: 'u', tables: 5, years: [2024], k: 2 },
        { op: 'pub', series: 's', tables: 3, years: [2024], k: 5 },
        { op: 'pub', series: 's', tables: 2, years: [2024], k: 2 },
        { op: 'pub', series: 't', tables: 2, years: [2024], k: 5 },
      ],
    },
  },
  {
    warm: 1,
    log: {
      minK: 2,
      coalition: 1,
      members: 3,
      hier: true,
      c23: [0, 3, 1, 2, 3, 2, 2, 1, 4, 3, 3, 2],
      c24: [0, 1, 2, 0, 2, 1, 3, 1, 2, 1, 0, 1],
      ops: [
        { op: 'pub', series: 's', tables: 0, years: [2023], k: 5 },
        { op: 'pub', series: 't', tables: 4, years: [2023, 2024], k: 2 },
        { op: 'pub', series: 's', tables: 1, years: [2024], k: 5 },
        { op: 'pub', series: 't', tables: 2, years: [2024], k: 2 },
        { op: 'add', year: 2023, cell: 1, n: 1 },
      ],
    },
  },
  {
    warm: 1,
    log: {
      minK: 2,
      coalition: 2,
      members: 2,
      hier: false,
      c23: [0, 2, 0, 0, 2, 2, 1, 0, 0, 1, 0, 2],
      c24: [0, 2, 1, 0, 2, 0, 1, 0, 0, 1, 0, 1],
      ops: [
        { op: 'add', year: 2023, cell: 5, n: 2 },
        { op: 'pub', series: 'u', tables: 5, years: [2023, 2024], k: 3 },
        { op: 'pub', series: 's', tables: 1, years: [2023], k: 4 },
        { op: 'add', year: 2024, cell: 4, n: 3 },
        { op: 'add', year: 2023, cell: 7, n: 3 },
        { op: 'pub', series: 't', tables: 3, years: [2024], k: 2 },
      ],
    },
  },
];

describe('(1, 2, 4) where cells are shown for good', () => {
  // DEFENDED: no sensitive cell, no cell hidden throughout shown; no locked cell hidden; no cell
  // shown for good hidden again; the same log twice gives the same cells and the same refusal.
  // And (3): no publication the old loop made is lost.
  it('invariants hold, determinism, and nothing the old loop published is lost', async () => {
    for (const { warm, log } of SHOW_LOGS) {
      const now = await run(log, false, warm);
      const tell = JSON.stringify(log);
      expect(now.shows.length, `the show fires: ${tell}`).toBeGreaterThan(0);
      expect(now.bad, tell).toEqual([]);
      const again = await run(log, false, warm);
      expect(picture(again), tell).toBe(picture(now));
      expect(again.err, tell).toBe(now.err);
      // No regression: the new loop publishes at least what the old one did. (In these logs the
      // show did not save the publication: both refuse it at the same point.)
      const before = await run(log, true, warm);
      expect(now.pubs.length, tell).toBeGreaterThanOrEqual(before.pubs.length);
    }
  }, 60_000);
});

/** What a search over seeded random logs found, new loop against old (see the summary). */
async function search(warm: number, numRuns: number, seed: number) {
  const found = { logs: 0, shows: 0, published: 0, regressions: [] as string[], improved: [] as string[], leaks: [] as string[], bad: [] as string[] };
  await fc.assert(
    fc.asyncProperty(logArb, async (log) => {
      found.logs++;
      const now = await run(log, false, warm);
      const before = await run(log, true, warm);
      const tell = JSON.stringify(log);
      if (now.bad.length > 0) found.bad.push(`${now.bad.join('; ')} ${tell}`);
      if (now.pubs.length < before.pubs.length) found.regressions.push(`${now.err} ${tell}`);
      if (now.pubs.length > before.pubs.length) found.improved.push(tell);
      if (now.shows.length > 0) found.shows++;
      // Every publication where a cell was shown for good and that was published: the full model.
      for (const p of new Set(now.shows.map((x) => x.pub))) {
        if (p >= now.pubs.length) continue;
        found.published++;
        for (const { key, lo, hi, k } of await hiddenIntervals(now.sim, p))
          if (hi < k || lo >= hi) found.leaks.push(`publication ${p} ${key} [${lo}, ${hi}] k ${k} ${tell}`);
      }
    }),
    { numRuns, seed },
  );
  return found;
}

describe('(1, 3, 4) seeded random logs, new loop against old', () => {
  // DEFENDED: no leak in the full model where a cell was shown for good and the publication went
  // out; no broken invariant; no log the old loop protects and the new one refuses (regression),
  // at warmStartRounds 1 (the default), 0 and 2. (The search behind SEARCH_SUMMARY ran this over
  // ~3,200 logs; these are seeded slices of it.)
  for (const [warm, seed] of [
    [1, 12],
    [0, 52],
    [2, 33],
  ] as const)
    it(`warmStartRounds ${warm}: no regression, no leak, no broken invariant`, async () => {
      const found = await search(warm, 40, seed);
      expect(found.bad).toEqual([]);
      expect(found.leaks).toEqual([]);
      expect(found.regressions).toEqual([]);
      expect(found.logs).toBe(40);
    }, 60_000);
});
