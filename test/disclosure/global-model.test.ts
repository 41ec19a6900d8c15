// The global model against the attacks of issue 14, each written from the attacker's side: the
// attacker holds every publication of the log and computes intervals with the FULL model of
// docs/release-format.md (global-helpers.ts `fullModelInterval`, an independent LP), and the
// test checks that no small count and no small change is narrowed.
import { describe, expect, it } from 'vitest';
import { Sim, fullModelInterval, many, type Incident, type Key } from './global-helpers.js';

const REGIONS = ['PE-LMA', 'PE-CAJ', 'PE-LOR', 'PE-CUS', 'PE-ARE'];
const TYPES = ['homicide', 'extortion', 'threat'];

function regionData(counts: Record<string, number>, year = 2023, tag = 'r'): Incident[] {
  return Object.entries(counts).flatMap(([region, n]) => many(`${tag}-${year}-${region}`, n, { region, incidentType: 'homicide' }));
}

const cell = (r: { cells: Array<{ key: Key; count: number | null; suppressed: boolean }> }, key: Key) =>
  r.cells.find((c) => Object.keys(key).every((d) => c.key[d] === key[d]) && Object.keys(c.key).every((d) => (key[d] ?? '*') === c.key[d]))!;

describe('global model: several series over the same data', () => {
  it('the Cajamarca case: a second series cannot publish Loreto when the first hid Cajamarca + Loreto', async () => {
    const sim = new Sim({ region: REGIONS, incidentType: TYPES });
    sim.set(2023, regionData({ 'PE-LMA': 150, 'PE-CAJ': 4, 'PE-LOR': 5, 'PE-CUS': 30, 'PE-ARE': 37 }));
    const first = await sim.publish('peru-2023', [['year', 'region']], [2023]);
    expect(cell(first, { year: '2023', region: 'PE-CAJ' }).suppressed).toBe(true);
    expect(cell(first, { year: '2023', region: 'PE-LOR' }).suppressed).toBe(true);
    const second = await sim.publish('anual', [['year', 'region']], [2023]);
    // The attacker holds both: Cajamarca must keep an interval reaching k, at least p wide.
    const [lo, hi] = await fullModelInterval(sim, (x) => x(2023, 1, { region: 'PE-CAJ' }));
    expect(hi).toBeGreaterThanOrEqual(5);
    expect(hi - lo).toBeGreaterThanOrEqual(5);
    expect(cell(second, { year: '2023', region: 'PE-LOR' }).suppressed).toBe(true);
    // Cells the first release published are published again (consistent tables).
    expect(cell(second, { year: '2023', region: 'PE-LMA' }).count).toBe(150);
  });

  it('a second series with another pattern cannot undo the first (hand-made first release hiding Cajamarca + Cusco)', async () => {
    // Series 1 hid Cajamarca (4, a primary) with Cusco (30) as its complement: Caj + Cus = 34 is
    // public. Alone, series 2 would pair Cajamarca with Loreto (5, cheaper) and publish Cusco = 30,
    // giving Cajamarca = 4. Protected against the log, it must not.
    const sim = new Sim({ region: REGIONS });
    sim.set(2023, regionData({ 'PE-LMA': 150, 'PE-CAJ': 4, 'PE-LOR': 5, 'PE-CUS': 30, 'PE-ARE': 37 }));
    sim.append(
      'peru-2023',
      [['year', 'region']],
      [2023],
      [
        { key: { year: '2023', region: '*' }, count: 226 },
        { key: { year: '2023', region: 'PE-LMA' }, count: 150 },
        { key: { year: '2023', region: 'PE-CAJ' }, count: null },
        { key: { year: '2023', region: 'PE-LOR' }, count: 5 },
        { key: { year: '2023', region: 'PE-CUS' }, count: null },
        { key: { year: '2023', region: 'PE-ARE' }, count: 37 },
        ...['*', 'PE-LMA', 'PE-CAJ', 'PE-LOR', 'PE-CUS', 'PE-ARE'].map((region) => ({ key: { year: '*', region }, count: null })),
      ].map((c) => (c.key.year === '*' ? { key: c.key, count: null } : c)),
    );
    const second = await sim.publish('anual', [['year', 'region']], [2023]);
    const [lo, hi] = await fullModelInterval(sim, (x) => x(2023, 1, { region: 'PE-CAJ' }));
    expect(hi).toBeGreaterThanOrEqual(5);
    expect(hi - lo).toBeGreaterThanOrEqual(5);
    expect(cell(second, { year: '2023', region: 'PE-CUS' }).suppressed).toBe(true);
    expect(cell(second, { year: '2023', region: 'PE-LOR' }).count).toBe(5); // published by series 1 already
  });

  it('a series over 2023+2024 and one over 2023 cannot pin a hidden 2024 cell (acumulado / anual)', async () => {
    const sim = new Sim({ region: REGIONS });
    sim.set(2023, regionData({ 'PE-LMA': 40, 'PE-CUS': 10, 'PE-CAJ': 6, 'PE-LOR': 7, 'PE-ARE': 9 }, 2023));
    sim.set(2024, regionData({ 'PE-LMA': 44, 'PE-CUS': 2, 'PE-CAJ': 8, 'PE-LOR': 9, 'PE-ARE': 11 }, 2024));
    await sim.publish('solo-2024', [['year', 'region']], [2024]);
    await sim.publish('acumulado', [['region']], [2023, 2024]);
    await sim.publish('anual', [['year', 'region']], [2023]);
    const [lo, hi] = await fullModelInterval(sim, (x) => x(2024, 1, { region: 'PE-CUS' }));
    expect(hi).toBeGreaterThanOrEqual(5);
    expect(hi - lo).toBeGreaterThanOrEqual(5);
  });
});

describe('global model: changes between data versions', () => {
  it('a cell published in two versions changed by 0 or ≥ k; the total hides with it (the late-reports case)', async () => {
    const sim = new Sim({ a: ['a1', 'a2', 'a3', 'a4'] });
    const base = [7, 8, 9, 10].flatMap((n, i) => many(`v1-a${i + 1}`, n, { a: `a${i + 1}` }));
    sim.set(2023, base);
    const r1 = await sim.publish('s', [['year', 'a']], [2023]);
    expect(r1.cells.every((c) => !c.suppressed)).toBe(true);
    sim.set(2023, [...base, ...many('late', 2, { a: 'a1' })]);
    const r2 = await sim.publish('s', [['year', 'a']], [2023]);
    expect(cell(r2, { year: '2023', a: 'a1' }).suppressed).toBe(true);
    expect(cell(r2, { year: '2023', a: '*' }).suppressed).toBe(true);
    // The attacker cannot tell that 1..4 incidents arrived in a1 (nor in total).
    for (const key of [{ a: 'a1' }, {}] as Key[]) {
      const [lo, hi] = await fullModelInterval(sim, (x) => `${x(2023, 2, key)} - ${x(2023, 1, key)}`);
      expect(lo <= 0 || hi >= 5).toBe(true);
      expect(hi).toBeGreaterThanOrEqual(5);
    }
  });

  it('a withdrawal (a "changes" version) cannot be read off the published cells either', async () => {
    const sim = new Sim({ a: ['a1', 'a2', 'a3'] });
    const base = [9, 8, 12].flatMap((n, i) => many(`b-a${i + 1}`, n, { a: `a${i + 1}` }));
    sim.set(2023, base);
    await sim.publish('s', [['year', 'a']], [2023]);
    sim.set(
      2023,
      base.filter((i) => i.id !== 'b-a1-0' && i.id !== 'b-a1-1'),
    );
    const r2 = await sim.publish('s', [['year', 'a']], [2023]);
    expect(sim.since(2023, 2)).toBe('changes');
    const [lo, hi] = await fullModelInterval(sim, (x) => `${x(2023, 2, { a: 'a1' })} - ${x(2023, 1, { a: 'a1' })}`);
    expect(!(lo >= -4 && hi <= -1)).toBe(true);
    expect(cell(r2, { year: '2023', a: 'a1' }).suppressed).toBe(true);
  });
});

describe('global model: holdings (a member who pads a cell)', () => {
  it('Tumbes: member B adds 4 invented reports to a cell where A reported 1 — the cell stays hidden', async () => {
    const sim = new Sim({ region: ['PE-LMA', 'PE-TUM', 'PE-CUS', 'PE-ARE'] });
    sim.set(2023, [
      ...many('a-lma', 30, { region: 'PE-LMA' }, 'm-a'),
      ...many('a-tum', 1, { region: 'PE-TUM' }, 'm-a'),
      ...many('a-cus', 12, { region: 'PE-CUS' }, 'm-a'),
      ...many('a-are', 9, { region: 'PE-ARE' }, 'm-a'),
      ...many('b-pad', 4, { region: 'PE-TUM' }, 'm-b'),
    ]);
    const r = await sim.publish('s', [['year', 'region']], [2023]);
    expect(cell(r, { year: '2023', region: 'PE-TUM' }).suppressed).toBe(true);
    // B knows its own 4: the interval must admit others' share ≥ k, i.e. hi ≥ 4 + 5, and be p wide.
    const [lo, hi] = await fullModelInterval(sim, (x) => x(2023, 1, { region: 'PE-TUM' }));
    expect(hi).toBeGreaterThanOrEqual(9);
    expect(hi - lo).toBeGreaterThanOrEqual(5);
  });

  it("a change padded by one member is judged on the others' share too", async () => {
    const sim = new Sim({ region: ['PE-LMA', 'PE-TUM', 'PE-CUS', 'PE-ARE'] });
    const base = [
      ...many('a-lma', 30, { region: 'PE-LMA' }, 'm-a'),
      ...many('a-tum', 9, { region: 'PE-TUM' }, 'm-a'),
      ...many('a-cus', 12, { region: 'PE-CUS' }, 'm-a'),
      ...many('a-are', 9, { region: 'PE-ARE' }, 'm-a'),
    ];
    sim.set(2023, base);
    await sim.publish('s', [['year', 'region']], [2023]);
    // 6 new incidents in Tumbes: 5 invented by B, 1 real one from A. A change of 6 ≥ k on its own,
    // but B knows 5 of them: publishing Tumbes = 15 would tell B that A added exactly 1.
    sim.set(2023, [...base, ...many('b-pad2', 5, { region: 'PE-TUM' }, 'm-b'), ...many('a-new', 1, { region: 'PE-TUM' }, 'm-a')]);
    const r2 = await sim.publish('s', [['year', 'region']], [2023]);
    expect(cell(r2, { year: '2023', region: 'PE-TUM' }).suppressed).toBe(true);
    const [, hi] = await fullModelInterval(sim, (x) => `${x(2023, 2, { region: 'PE-TUM' })} - ${x(2023, 1, { region: 'PE-TUM' })}`);
    expect(hi).toBeGreaterThanOrEqual(10);
  });
});
