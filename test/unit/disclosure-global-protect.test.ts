// protectInLog (server/disclosure/global/protect.ts) from the outside, on small logs: what the new
// publication shows, what it refuses, and what it hands back. Every check is on behaviour:
//   - a published count is the true count of its data version, never in 1..k−1, and a hidden cell
//     has no count; what an earlier entry published (or determined) is shown again as `known`;
//   - the attacker holding the whole log (the independent full model, global-helpers.ts) cannot
//     narrow any small count, before or after the new publication;
//   - a log that already gives a small count away is refused (`UnprotectableError`), and so is a
//     release whose final audit fails (shown by breaking the repair on purpose, with a mock).
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { protectInLog, protectTuning } from '../../server/disclosure/global/protect.js';
import { UnprotectableError } from '../../server/disclosure/secondary.js';
import { Sim, fullModelInterval, many, trueCount, type Entry, type Incident, type Key } from '../disclosure/global-helpers.js';

// A switch that turns the suppression engine into "primaries only, no repair", so that only the
// final audit stands between a broken pattern and a release.
const broken = vi.hoisted(() => ({ on: false }));
vi.mock('../../server/disclosure/secondary.js', async (importOriginal) => {
  const real = await importOriginal<typeof import('../../server/disclosure/secondary.js')>();
  return {
    ...real,
    initialPattern: (o: Parameters<typeof real.initialPattern>[0], sensitive: Uint8Array, hidden?: Uint8Array) => {
      if (!broken.on) return real.initialPattern(o, sensitive, hidden);
      const suppressed = Uint8Array.from(sensitive);
      if (hidden) hidden.forEach((h, i) => h && (suppressed[i] = 1));
      return { suppressed, attempts: new Map(), method: 'heuristic' as const, rounds: 0, unrepaired: [] };
    },
    repairUntilProtected: (...args: Parameters<typeof real.repairUntilProtected>) => {
      if (!broken.on) real.repairUntilProtected(...args);
    },
  };
});
beforeEach(() => {
  broken.on = false;
  protectTuning.yearSplitsAsTables = true;
});

const REGIONS = ['r1', 'r2', 'r3', 'r4'];

/** Incidents per region (one member each unless `who` says otherwise). */
function regions(counts: Record<string, number>, tag = 'i', who: (r: string, j: number) => string = () => 'm-a') {
  return Object.entries(counts).flatMap(([region, n]) =>
    Array.from({ length: n }, (_, j) => ({ id: `${tag}-${region}-${j}`, key: { region }, members: [who(region, j)] })),
  );
}

/** The new entry's cells against the data of its versions: counts true, none small, hidden ones without a count. */
function checkShown(sim: Sim, e: Entry, k: number): void {
  for (const c of e.cells) {
    const years = c.key.year !== undefined && c.key.year !== '*' ? [Number(c.key.year)] : e.years;
    const incidents = years.flatMap((y) => sim.data.get(y)![e.versions[String(y)]! - 1]!);
    const truth = incidents.filter((i) =>
      Object.keys(c.key).every((d) => d === 'year' || c.key[d] === '*' || i.key[d] === c.key[d] || sim.hierarchies[d]?.[c.key[d]!]?.includes(i.key[d]!)),
    ).length;
    if (c.count === null) continue;
    expect(c.count, JSON.stringify(c.key)).toBe(truth);
    expect(c.count === 0 || c.count >= k, `${JSON.stringify(c.key)} = ${c.count}`).toBe(true);
  }
}

/** Every small count of every region at every version keeps hi ≥ k and width ≥ k for the holder of the whole log. */
async function checkSmallCounts(sim: Sim, k: number): Promise<void> {
  for (const [year, versions] of sim.data)
    for (let v = 1; v <= versions.length; v++)
      for (const region of ['*', ...REGIONS]) {
        const key: Key = region === '*' ? {} : { region };
        const value = versions[v - 1]!.filter((i) => region === '*' || i.key.region === region).length;
        if (value < 1 || value >= k) continue;
        const [lo, hi] = await fullModelInterval(sim, (x) => x(year, v, key));
        expect(hi, `${year}@${v} ${region} = ${value}: [${lo}, ${hi}]`).toBeGreaterThanOrEqual(k);
        expect(hi - lo).toBeGreaterThanOrEqual(k);
      }
}

const byRegion = (r: { cells: Array<{ key: Key; count: number | null; suppressed: boolean; reason?: string }> }, region: string) =>
  r.cells.find((c) => c.key.region === region && c.key.year !== '*')!;

describe('protectInLog', () => {
  it('a first publication: true counts, small ones hidden with a complement, the model and the pattern agree', async () => {
    const sim = new Sim({ region: REGIONS });
    sim.set(2023, regions({ r1: 2, r2: 9, r3: 14, r4: 30 }));
    const r = await sim.publish('s', [['year', 'region']], [2023]);
    expect(r.model.single).toBe(true);
    expect(r.audit.ok).toBe(true);
    expect(byRegion(r, 'r1')).toMatchObject({ count: null, suppressed: true, reason: 'primary' });
    expect(r.cells.filter((c) => c.suppressed && c.reason === 'secondary').length).toBeGreaterThan(0);
    for (const c of r.cells) expect(c.suppressed).toBe(c.count === null);
    // The global pattern is the published one, cell for cell.
    r.model.lt.tableCells.forEach((ids, t) => {
      ids.forEach((id, j) => expect(r.suppressed[r.model.ltToGlobal[id]!]).toBe(r.cells.filter((c) => c.table === t)[j]!.suppressed ? 1 : 0));
    });
    expect(r.stats.suppressed).toBe(r.suppressed.reduce((a, b) => a + b, 0));
    expect(r.stats.sensitive).toBe(1);
    checkShown(sim, sim.log[0]!, 5);
    await checkSmallCounts(sim, 5);
  });

  it('a second publication over the log: what the first published is shown again as known; nothing is narrowed', async () => {
    const sim = new Sim({ region: REGIONS });
    sim.set(2023, regions({ r1: 2, r2: 9, r3: 14, r4: 30 }));
    const first = await sim.publish('s', [['year', 'region']], [2023]);
    const r = await sim.publish('t', [['year', 'region']], [2023]);
    expect(r.model.single).toBe(false);
    expect(r.audit.ok).toBe(true);
    for (const c of first.cells.filter((x) => !x.suppressed)) {
      const again = r.cells.find((x) => JSON.stringify(x.key) === JSON.stringify(c.key))!;
      expect(again).toMatchObject({ count: c.count, suppressed: false, reason: 'known' });
    }
    expect(byRegion(r, 'r1')).toMatchObject({ count: null, suppressed: true, reason: 'primary' });
    expect(r.stats.sensitive).toBe(1);
    for (const c of r.cells) expect(c.suppressed).toBe(c.count === null);
    expect(r.stats.known).toBe(0); // shown again, not derived
    checkShown(sim, sim.log[1]!, 5);
    // Late reports: a new version of the year, protected against both earlier entries.
    sim.set(2023, [...regions({ r1: 2, r2: 9, r3: 14, r4: 30 }), ...regions({ r3: 2 }, 'late')]);
    const r3 = await sim.publish('t', [['year', 'region']], [2023]);
    expect(r3.audit.ok).toBe(true);
    expect(r3.stats.sensitive).toBeGreaterThanOrEqual(2); // r1 = 2 and r3's change of +2 (not a cell of the table)
    checkShown(sim, sim.log[2]!, 5);
    await checkSmallCounts(sim, 5);
    const [lo, hi] = await fullModelInterval(sim, (x) => `${x(2023, 2, { region: 'r3' })} - ${x(2023, 1, { region: 'r3' })}`);
    expect(lo <= 0 || hi >= 5, `r3's change: [${lo}, ${hi}]`).toBe(true);
  });

  it('cells the log determines are shown as known, even when no entry published them', async () => {
    // The first entry published r1 + r2 (as a group) and r1; a second series over the leaves can
    // show r2 = group − r1 for free.
    const sim = new Sim({ region: REGIONS }, { region: { north: ['r1', 'r2'] } });
    sim.set(2023, regions({ r1: 8, r2: 7, r3: 14, r4: 30 }));
    sim.append(
      'g',
      [['year', 'region']],
      [2023],
      [
        { key: { year: '2023', region: '*' }, count: 59 },
        { key: { year: '2023', region: 'north' }, count: 15 },
        { key: { year: '2023', region: 'r1' }, count: 8 },
        { key: { year: '2023', region: 'r2' }, count: null },
        { key: { year: '2023', region: 'r3' }, count: null },
        { key: { year: '2023', region: 'r4' }, count: null },
      ],
    );
    const r = await sim.publish('t', [['year', 'region']], [2023]);
    expect(byRegion(r, 'r2')).toMatchObject({ count: 7, suppressed: false, reason: 'known' });
    expect(byRegion(r, 'r1')).toMatchObject({ count: 8, reason: 'known' });
    expect(r.stats.known).toBe(1); // r2, derived (r1 was published)
    expect(byRegion(r, 'r3').count).toBeNull(); // r3 + r4 = 44 is all the log tells
    checkShown(sim, sim.log[1]!, 5);
  });

  it('the parts of a published zero are known zeros; a zero reached by a withdrawal says nothing of the earlier version', async () => {
    const sim = new Sim({ region: REGIONS, t: ['t1', 't2'] });
    const data = [
      ...many('a', 12, { region: 'r1', t: 't1' }),
      ...many('b', 7, { region: 'r1', t: 't2' }),
      ...many('c', 9, { region: 'r3', t: 't1' }),
      ...many('d', 8, { region: 'r4', t: 't2' }),
    ];
    sim.set(2023, data);
    await sim.publish('s', [['year', 'region']], [2023]);
    expect(sim.log[0]!.cells.find((c) => c.key.region === 'r2' && c.key.year === '2023')!.count).toBe(0);
    const r = await sim.publish('t', [['year', 'region', 't']], [2023]);
    for (const t of ['t1', 't2'])
      expect(r.cells.find((c) => c.key.region === 'r2' && c.key.t === t && c.key.year === '2023')).toMatchObject({ count: 0, reason: 'known' });
    expect(r.stats.known).toBeGreaterThanOrEqual(2);
    // r2 had one incident, withdrawn in version 2 ("changes"): r2 = 0 is published, and the
    // version-1 count (1, hidden) is not a part of that zero.
    const sim2 = new Sim({ region: REGIONS });
    const base = regions({ r1: 12, r3: 9, r4: 8 });
    sim2.set(2023, [...base, ...regions({ r2: 1 }, 'w')]);
    const v1 = await sim2.publish('s', [['year', 'region']], [2023]);
    expect(byRegion(v1, 'r2').count).toBeNull();
    sim2.set(2023, base);
    const v2 = await sim2.publish('s', [['year', 'region']], [2023]);
    expect(sim2.since(2023, 2)).toBe('changes');
    expect(byRegion(v2, 'r2').count).toBe(0);
    const again = await sim2.publish('u', [['year', 'region']], [2023]);
    expect(byRegion(again, 'r2')).toMatchObject({ count: 0, reason: 'known' });
    await checkSmallCounts(sim2, 5);
  });

  it('refuses when the log already gives a small count away (derivable from published counts)', async () => {
    const sim = new Sim({ region: REGIONS });
    sim.set(2023, regions({ r1: 3, r2: 9, r3: 14, r4: 30 }));
    // An earlier entry hid only r1: total − the others = 3.
    sim.append(
      'bad',
      [['year', 'region']],
      [2023],
      [
        { key: { year: '2023', region: '*' }, count: 56 },
        { key: { year: '2023', region: 'r1' }, count: null },
        { key: { year: '2023', region: 'r2' }, count: 9 },
        { key: { year: '2023', region: 'r3' }, count: 14 },
        { key: { year: '2023', region: 'r4' }, count: 30 },
      ],
    );
    await expect(sim.publish('t', [['year', 'region']], [2023])).rejects.toThrow(UnprotectableError);
    // The same through a hidden quantity: another series over 2023 + 2024 and one over 2024 pin 2023.
    const sim2 = new Sim({ region: REGIONS });
    sim2.set(2023, regions({ r1: 3, r2: 9, r3: 14, r4: 30 }));
    sim2.set(2024, regions({ r1: 6, r2: 9, r3: 14, r4: 30 }, 'j'));
    sim2.append('acum', [['region']], [2023, 2024], [{ key: { region: 'r1' }, count: 9 }]);
    sim2.append('y24', [['year', 'region']], [2024], [{ key: { year: '2024', region: 'r1' }, count: 6 }]);
    await expect(sim2.publish('y23', [['year', 'region']], [2023])).rejects.toThrow(UnprotectableError);
  });

  it('a holdings-sensitive count: what the others reported stays hidden', async () => {
    const sim = new Sim({ region: REGIONS });
    // r2 = 9: member B reported 7, the others 2.
    sim.set(2023, [...regions({ r1: 12, r3: 14, r4: 30 }), ...regions({ r2: 9 }, 'b', (_r, j) => (j < 7 ? 'm-b' : 'm-a'))]);
    const r = await sim.publish('s', [['year', 'region']], [2023]);
    expect(byRegion(r, 'r2')).toMatchObject({ count: null, reason: 'primary' });
    const [, hi] = await fullModelInterval(sim, (x) => x(2023, 1, { region: 'r2' }));
    expect(hi).toBeGreaterThanOrEqual(7 + 5);
  });

  it('refuses a release whose final audit fails (the repair broken on purpose), alone and over a log', async () => {
    const sim = new Sim({ region: REGIONS });
    sim.set(2023, regions({ r1: 2, r2: 9, r3: 14, r4: 30 }));
    broken.on = true;
    await expect(sim.publish('s', [['year', 'region']], [2023], { method: 'heuristic' })).rejects.toThrow(/final audit failed/);
    broken.on = false;
    await sim.publish('s', [['year', 'region']], [2023]);
    sim.set(2023, [...regions({ r1: 2, r2: 9, r3: 14, r4: 30 }), ...regions({ r4: 2 }, 'late')]);
    broken.on = true;
    await expect(sim.publish('s', [['year', 'region']], [2023])).rejects.toThrow(/final audit failed/);
  });

  it('exact final audit: exact intervals, every hidden cell wide enough, alone and over a log', async () => {
    const sim = new Sim({ region: REGIONS });
    const protect = async () => {
      sim.append('s', [['year', 'region']], [2023], []); // the data version and view of the new entry
      const { cells: _c, ...view } = sim.log.pop()!;
      const r = await protectInLog({
        views: [...sim.log, view],
        since: sim.since,
        records: sim.records,
        added: sim.added,
        minK: 5,
        minProtection: 5,
        finalAudit: 'exact',
      });
      sim.log.push({ ...view, cells: r.cells.map((c) => ({ key: c.key, count: c.count })) });
      return r;
    };
    sim.set(2023, regions({ r1: 2, r2: 9, r3: 14, r4: 30 }));
    const alone = await protect();
    sim.set(2023, [...regions({ r1: 2, r2: 9, r3: 14, r4: 30 }), ...regions({ r2: 1 }, 'late')]);
    const overLog = await protect();
    expect(overLog.model.single).toBe(false);
    for (const r of [alone, overLog]) {
      expect(r.audit.ok).toBe(true);
      expect(r.audit.exact).toBe(true);
    }
    await checkSmallCounts(sim, 5);
  });
});

describe('a first publication with a year-less table over several years (its per-year split as never-shown tables)', () => {
  const A = ['a1', 'a2', 'a3'];
  const B = ['b1', 'b2'];
  const YEARS = [2022, 2023];
  const K = 3;

  /** Small random data: each (year, a, b) gets 0..7 incidents from one of three members. */
  function data(seed: number): Map<number, Incident[]> {
    let x = seed;
    const rand = () => (x = (x * 1103515245 + 12345) >>> 0) / 2 ** 32;
    const out = new Map<number, Incident[]>();
    for (const y of YEARS) {
      const list: Incident[] = [];
      for (const a of A)
        for (const b of B) {
          const n = Math.floor(rand() * 8);
          for (let j = 0; j < n; j++) list.push({ id: `${y}-${a}-${b}-${j}`, key: { a, b }, members: [`m-${Math.floor(rand() * 3)}`] });
        }
      out.set(y, list);
    }
    return out;
  }

  /**
   * For every quantity of the full model — each year's cells of [a, b] and all their margins (the
   * per-year split no table shows included), and the same over both years — whose rule applies
   * (small: 1..k−1; holdings: the count minus one member's share in 1..k−1), the attacker's
   * interval in the independent full model (global-helpers.ts) is wide enough and high enough.
   */
  async function checkEveryQuantity(sim: Sim): Promise<number> {
    let checked = 0;
    for (const years of [...YEARS.map((y) => [y]), YEARS])
      for (const a of ['*', ...A])
        for (const b of ['*', ...B]) {
          const key: Key = { a, b };
          const incidents = years.flatMap((y) => sim.data.get(y)![0]!);
          const { value, shares } = trueCount(incidents, key);
          const largest = Math.max(0, ...shares.values());
          const small = value >= 1 && value < K;
          const held = value - largest >= 1 && value - largest < K;
          if (!small && !held) continue;
          const [lo, hi] = await fullModelInterval(sim, (x) => years.map((y) => x(y, 1, key)).join(' + '));
          const tell = `${years.join('+')} ${a} ${b} = ${value} (largest share ${largest}): [${lo}, ${hi}]`;
          expect(hi, tell).toBeGreaterThanOrEqual(small ? K : largest + K);
          expect(hi - lo, tell).toBeGreaterThanOrEqual(K);
          checked++;
        }
    return checked;
  }

  it('protects every quantity of the whole system, the per-year split included, as the general path does; never shows a split cell', async () => {
    let checked = 0;
    for (const [seed, tables] of [1, 2, 3, 4, 5, 6].flatMap((seed) => [
      [
        seed,
        [
          ['year', 'a'],
          ['a', 'b'],
        ],
      ] as const,
      [
        seed,
        [
          ['year', 'a'],
          ['year', 'b'],
          ['a', 'b'],
        ],
      ] as const,
    ]))
      for (const split of [true, false]) {
        protectTuning.yearSplitsAsTables = split;
        const sim = new Sim({ a: A, b: B }, {}, K, 1);
        for (const [y, list] of data(seed)) sim.set(y, list);
        const r = await sim.publish(
          's',
          tables.map((t) => [...t]),
          YEARS,
        );
        const tell = `seed ${seed}, ${JSON.stringify(tables)}, split ${split}`;
        expect(r.model.single, tell).toBe(split);
        expect(r.model.hiddenTables, tell).toBe(split ? 1 : 0);
        expect(r.audit.ok).toBe(true);
        // Only the two shown tables come back, each cell once, hidden cells without a count.
        expect(new Set(r.cells.map((c) => c.table))).toEqual(new Set(tables.map((_, t) => t)));
        for (const c of r.cells) {
          expect(c.suppressed).toBe(c.count === null);
          if (c.table === tables.length - 1) expect(c.key.year, tell).toBeUndefined();
        }
        checkShown(sim, sim.log[0]!, K);
        checked += await checkEveryQuantity(sim);
      }
    // The data must exercise the rules: small per-year shares and holdings among them.
    expect(checked).toBeGreaterThan(200);
  }, 180_000);
});
