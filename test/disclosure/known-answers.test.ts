// Known answers, worked out by hand (see the comments), for the MILP and the heuristic.
import { describe, expect, it } from 'vitest';
import { auditIntervals, buildLinkedTables, identityOf, protectRelease } from '../../server/disclosure/index.js';
import { referenceInterval } from './helpers.js';

const suppressedKeys = (r: Awaited<ReturnType<typeof protectRelease>>, table = 0): string[] =>
  r.cells.filter((c) => c.table === table && c.suppressed).map((c) => JSON.stringify(c.key));

describe('2×2 table with margins, one primary', () => {
  //            b1   b2 |  *
  //      a1     2   10 | 12
  //      a2    12   15 | 27
  //      *     14   25 | 39
  // k = 5: (a1,b1) = 2 is primary. Alone in row a1 it is pinned (12 − 10); a partner in the row is
  // then alone in its column, and so on: the smallest closed pattern is a rectangle of 4 cells,
  // i.e. exactly 3 more. No 3-cell pattern works (each of the two partners would be alone in its
  // other line). The cheapest rectangle is the interior one: the up-move of (a1,b1) takes 10 and
  // 12 down (capacity 10 ≥ 3), so its interval is [0, 12]: width 12 ≥ 5 and hi ≥ 5.
  const input = {
    counts: [
      { key: { a: 'a1', b: 'b1' }, count: 2 },
      { key: { a: 'a1', b: 'b2' }, count: 10 },
      { key: { a: 'a2', b: 'b1' }, count: 12 },
      { key: { a: 'a2', b: 'b2' }, count: 15 },
    ],
    domains: { a: ['a1', 'a2'], b: ['b1', 'b2'] },
    tables: [['a', 'b']],
    k: 5,
  };
  for (const method of ['auto', 'heuristic'] as const) {
    it(`needs exactly three more suppressions (${method})`, async () => {
      const r = await protectRelease({ ...input, method });
      expect(r.stats.primary).toBe(1);
      expect(r.stats.secondary).toBe(3);
      expect(suppressedKeys(r).sort()).toEqual(
        [
          { a: 'a1', b: 'b1' },
          { a: 'a1', b: 'b2' },
          { a: 'a2', b: 'b1' },
          { a: 'a2', b: 'b2' },
        ]
          .map((k) => JSON.stringify(k))
          .sort(),
      );
      expect(r.audit.ok).toBe(true);
      const p = r.audit.intervals.find((i) => i.value === 2)!;
      expect([p.lo, p.hi]).toEqual([0, 12]);
      if (method === 'auto') expect(r.method).toBe('milp');
    });
  }
});

describe('a row with a single primary', () => {
  // One row a1..a4 with its total (a 1-D table): a1 = 2 is primary (k = 5). Published total and
  // published others pin it (30 − 28), so a second cell of the row must go; the cheapest with
  // enough room is a2 = 7 (a1 can then rise to 9 ≥ 5: interval [0, 9]).
  it('gets a second suppression in that row (1-D, optimal: exactly one partner)', async () => {
    const r = await protectRelease({
      counts: [
        { key: { a: 'a1' }, count: 2 },
        { key: { a: 'a2' }, count: 7 },
        { key: { a: 'a3' }, count: 9 },
        { key: { a: 'a4' }, count: 12 },
      ],
      domains: { a: ['a1', 'a2', 'a3', 'a4'] },
      tables: [['a']],
      k: 5,
    });
    expect(suppressedKeys(r)).toEqual([JSON.stringify({ a: 'a1' }), JSON.stringify({ a: 'a2' })]);
    expect(r.audit.ok).toBe(true);
  });

  // In a 3×3 table the row of the primary must hold a second suppressed cell (interior or the row
  // total), whatever else is chosen — checked for both methods.
  for (const method of ['auto', 'heuristic'] as const) {
    it(`in a 2-D table, the primary's row holds ≥ 2 suppressed cells (${method})`, async () => {
      const vals = [
        [1, 8, 9],
        [6, 7, 11],
        [10, 6, 8],
      ];
      const counts = vals.flatMap((row, i) => row.map((count, j) => ({ key: { a: `a${i}`, b: `b${j}` }, count })));
      const r = await protectRelease({ counts, domains: { a: ['a0', 'a1', 'a2'], b: ['b0', 'b1', 'b2'] }, tables: [['a', 'b']], k: 5, method });
      const rowA0 = r.cells.filter((c) => c.key.a === 'a0' && c.suppressed);
      expect(rowA0.length).toBeGreaterThanOrEqual(2);
      expect(r.audit.ok).toBe(true);
    });
  }
});

describe('3-level region hierarchy: total → 2 groups → regions', () => {
  //  *  = north + south           north = r1 + r2     south = r3 + r4
  //  r1 = 2 (primary, k = 5), r2 = 0, r3 = 6, r4 = 9  → north = 2, south = 15, * = 17
  // r1's only sibling is a published zero: with r1 and r2 suppressed, r1 + r2 = north = 2 pins
  // r1 ≤ 2 < k. So the protection must go through the group total: r1 and north rise together,
  // then either the grand total rises with them ({r1, north, *}: 2 more) or south falls with one
  // of its regions ({r1, north, south, r3}: 3 more). Optimal: north and * — r1 ∈ [0, ∞).
  const input = {
    counts: [
      { key: { region: 'r1' }, count: 2 },
      { key: { region: 'r3' }, count: 6 },
      { key: { region: 'r4' }, count: 9 },
    ],
    domains: { region: ['r1', 'r2', 'r3', 'r4'] },
    hierarchies: { region: { north: ['r1', 'r2'], south: ['r3', 'r4'] } },
    tables: [['region']],
    k: 5,
  };
  it('the MILP protects r1 through the group total (and the grand total)', async () => {
    const r = await protectRelease(input);
    expect(r.method).toBe('milp');
    expect(suppressedKeys(r).sort()).toEqual([{ region: '*' }, { region: 'north' }, { region: 'r1' }].map((k) => JSON.stringify(k)).sort());
    const r1 = r.audit.intervals.find((i) => i.value === 2 && i.sensitive)!;
    expect(r1.lo).toBe(0);
    expect(r1.hi).toBe(Infinity);
    expect(r.audit.ok).toBe(true);
  });
  it('the heuristic also suppresses the group total and passes the audit', async () => {
    const r = await protectRelease({ ...input, method: 'heuristic' });
    expect(suppressedKeys(r)).toContain(JSON.stringify({ region: 'north' }));
    expect(r.audit.ok).toBe(true);
  });
});

describe('two linked tables sharing the year totals', () => {
  // Microdata: (y1,A,t1) = 1, (y1,B,t2) = 5, (y2,B,t1) = 2; k = 5. The two tables:
  //
  //   year × region              year × type
  //          A   B |  *                 t1  t2 |  *
  //    y1    1   5 |  6           y1     1   5 |  6
  //    y2    0   2 |  2           y2     2   0 |  2
  //    *     1   7 |  8           *      3   5 |  8
  //
  // The year totals (6, 2) and the grand total (8) are the SAME quantities in both tables.
  // Protected table by table (each pattern below is what the optimal MILP picks for that table
  // alone, and each passes its own single-table audit):
  //   year × region hides (y1,A) (*,A) (y2,*) (y2,B) [primaries] + (y1,B) (*,*): publishes y1 = 6;
  //   year × type   hides (y1,t1) (y2,t1) (y2,*) (*,t1) [primaries] + (y1,*) (*,*): publishes (y1,t2) = 5.
  // Put together, y1 = 6 is known (from year × region), so in year × type (y1,t1) = 6 − 5 = 1:
  // recovered exactly. Linked, y1 is one cell: if it is hidden anywhere it is hidden everywhere,
  // and the choice accounts for both tables at once.
  const counts = [
    { key: { year: 'y1', region: 'A', type: 't1' }, count: 1 },
    { key: { year: 'y1', region: 'B', type: 't2' }, count: 5 },
    { key: { year: 'y2', region: 'B', type: 't1' }, count: 2 },
  ];
  const domains = { year: ['y1', 'y2'], region: ['A', 'B'], type: ['t1', 't2'] };
  const tables = [
    ['year', 'region'],
    ['year', 'type'],
  ];
  const naivePerTable: Array<Array<Record<string, string>>> = [
    [{ year: 'y1', region: 'A' }, { region: 'A' }, { year: 'y2' }, { year: 'y2', region: 'B' }, { year: 'y1', region: 'B' }, {}],
    [{ year: 'y1', type: 't1' }, { year: 'y2', type: 't1' }, { year: 'y2' }, { type: 't1' }, { year: 'y1' }, {}],
  ];

  it('each naive per-table pattern passes its own audit', async () => {
    for (const [t, keys] of naivePerTable.entries()) {
      const single = buildLinkedTables({ counts, domains, tables: [tables[t]!] });
      const ids = new Set(keys.map((k) => single.cells.find((c) => identityOf(c.key) === identityOf(k))!.id));
      const a = await auditIntervals({ cells: single.cells, constraints: single.constraints, suppressed: ids, k: 5 });
      expect(a.ok).toBe(true);
    }
  });

  it('naive per-table suppression leaves a cell recoverable; linked suppression does not', async () => {
    const linked = buildLinkedTables({ counts, domains, tables });
    const idOf = (k: Record<string, string>): number => linked.cells.find((c) => identityOf(c.key) === identityOf(k))!.id;
    // A quantity published in either table is known: hidden only if hidden in every table showing it.
    const hiddenIn = naivePerTable.map((keys) => new Set(keys.map(identityOf)));
    const naive = new Set(linked.cells.filter((c) => c.tables.every((t) => hiddenIn[t]!.has(identityOf(c.key)))).map((c) => c.id));
    expect(naive.has(idOf({ year: 'y1' }))).toBe(false); // published by year × region
    const naiveAudit = await auditIntervals({ cells: linked.cells, constraints: linked.constraints, suppressed: naive, k: 5 });
    expect(naiveAudit.ok).toBe(false);
    const bad = naiveAudit.intervals.find((i) => i.id === idOf({ year: 'y1', type: 't1' }))!;
    expect([bad.lo, bad.hi]).toEqual([1, 1]); // recovered exactly: 6 − 5
    // The independent full LP agrees.
    expect(await referenceInterval(linked.cells, linked.constraints, naive, bad.id)).toEqual([1, 1]);

    const ours = await protectRelease({ counts, domains, tables, k: 5 });
    expect(ours.audit.ok).toBe(true);
    const oursSet = new Set(linked.cells.filter((c) => ours.cells.some((x) => x.suppressed && identityOf(x.key) === identityOf(c.key))).map((c) => c.id));
    expect(oursSet.has(idOf({ year: 'y1' }))).toBe(true);
    const again = await auditIntervals({ cells: linked.cells, constraints: linked.constraints, suppressed: oursSet, k: 5 });
    expect(again.ok).toBe(true);
    for (const c of linked.cells) {
      if (c.value < 1 || c.value >= 5) continue;
      const [lo, hi] = await referenceInterval(linked.cells, linked.constraints, oursSet, c.id);
      expect(hi - lo).toBeGreaterThanOrEqual(5);
      expect(hi).toBeGreaterThanOrEqual(5);
    }
  });
});
