// Guarantees 5 and 6 in detail, on hand-made logs: a figure nobody published that is provably
// small, a hidden cell pinned when it was hidden (and one pinned only later, at a value ≥ k, which
// is allowed), narrow ranges (warnings, failures with --strict), year-set changes between version
// vectors, DP invariants as published counts, contradictory counts, region groups.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Keys, type World, auditLog, cleanTemp, codes, failureCodes, makeKeys, plus, world } from './fixtures.js';

afterAll(cleanTemp);

let keys: Keys;
beforeAll(async () => {
  keys = await makeKeys();
});

const YR = [['year', 'region']];
const R3 = ['PE-LMA', 'PE-CUS', 'PE-PUN'];

describe('figures nobody published', () => {
  it('fails when one is provably in 1..k−1 (Cusco 2024 = 12 − 10, never published on its own)', async () => {
    const w = world(
      { region: R3 },
      {
        '2023': [{ since: null, counts: { 'PE-LMA': 40, 'PE-CUS': 10, 'PE-PUN': 20 } }],
        '2024': [{ since: null, counts: { 'PE-LMA': 35, 'PE-CUS': 2, 'PE-PUN': 18 } }],
      },
    );
    const r = await auditLog(keys, w, [
      { series: 'acumulado', years: { '2023': 1, '2024': 1 }, tables: [['region']] },
      { series: 'anual', years: { '2023': 1 }, tables: YR },
    ]);
    expect(r.findings.map((f) => [f.code, f.params.cell, f.params.lo, f.params.hi])).toEqual([['hidden-small', '2024 v1 · region=PE-CUS', 2, 2]]);
    expect(r.findings[0]!.message).toBe('Figure 2024 v1 · region=PE-CUS, which nobody published, is exactly 2: it is known to be between 1 and k−1 (k = 5).');
  });
});

describe('hidden cells pinned', () => {
  const w = world({ region: R3 }, { '2023': [{ since: null, counts: { 'PE-LMA': 40, 'PE-CUS': 12, 'PE-PUN': 20 } }] });

  it('fails when the entries before it already determined it', async () => {
    // tipos publishes the total; anual then hides Lima alone: 72 − 12 − 20 = 40.
    const r = await auditLog(
      keys,
      world(
        { incidentType: ['homicide', 'extortion'], region: R3 },
        {
          '2023': [
            {
              since: null,
              counts: {
                'homicide|PE-LMA': 20,
                'extortion|PE-LMA': 20,
                'homicide|PE-CUS': 6,
                'extortion|PE-CUS': 6,
                'homicide|PE-PUN': 10,
                'extortion|PE-PUN': 10,
              },
            },
          ],
        },
      ),
      [
        { series: 'tipos', years: { '2023': 1 }, tables: [['year', 'incidentType']] },
        { series: 'anual', years: { '2023': 1 }, tables: YR, suppress: [{ year: '2023', region: 'PE-LMA' }] },
      ],
    );
    expect(r.findings.map((f) => [f.code, f.release, f.params.cell, f.params.lo, f.params.reason])).toEqual([
      ['interval-pinned', '#2 anual-1', '2023 v1 · region=PE-LMA', 40, 'derived'],
    ]);
  });

  it('passes when only a later entry determines it, at a value ≥ k', async () => {
    const r = await auditLog(keys, w, [
      { series: 'anual', years: { '2023': 1 }, tables: YR, suppress: [{ year: '2023', region: 'PE-LMA' }, { year: '2023' }] },
      { series: 'otra', years: { '2023': 1 }, tables: YR },
    ]);
    expect(r.findings).toEqual([]);
    expect(r.global!.prefixChecks).toBe(1);
  });

  it('fails when a later entry determines it at a value below k', async () => {
    const small = world({ region: R3 }, { '2023': [{ since: null, counts: { 'PE-LMA': 40, 'PE-CUS': 3, 'PE-PUN': 20 } }] });
    const r = await auditLog(keys, small, [
      { series: 'anual', years: { '2023': 1 }, tables: YR, suppress: [{ year: '2023', region: 'PE-CUS' }, { year: '2023' }] },
      {
        series: 'otra',
        years: { '2023': 1 },
        tables: YR,
        suppress: [
          { year: '2023', region: 'PE-CUS' },
          { year: '2023', region: 'PE-PUN' },
        ],
      },
    ]);
    // Cusco = 63 − 40 − 20 = 3; and otra "hides" Puno, which anual had published: pointless.
    expect(r.findings.map((f) => [f.code, f.params.cell, f.params.lo])).toEqual([
      ['interval-small', '2023 v1 · region=PE-CUS', 3],
      ['interval-pinned', '2023 v1 · region=PE-PUN', 20],
    ]);
  });
});

describe('narrow ranges', () => {
  // Lima and Cusco hidden in a row whose total is published: each lies in [0, 52].
  const w = world({ region: R3 }, { '2023': [{ since: null, counts: { 'PE-LMA': 40, 'PE-CUS': 3, 'PE-PUN': 20 } }] });
  const spec = (protection: number) => [
    {
      series: 'anual',
      years: { '2023': 1 },
      tables: YR,
      protection,
      suppress: [
        { year: '2023', region: 'PE-LMA' },
        { year: '2023', region: 'PE-CUS' },
      ],
    },
  ];

  it('warns when a range reaching into 1..k−1 is narrower than p, and fails with --strict', async () => {
    const lax = await auditLog(keys, w, spec(60));
    expect(codes(lax)).toEqual(['interval-narrow', 'interval-narrow']);
    expect(lax.findings.map((f) => [f.params.lo, f.params.hi, f.params.width, f.params.protection])).toEqual([
      [0, 43, 43, 60],
      [0, 43, 43, 60],
    ]);
    expect(lax.ok).toBe(true);
    const strict = await auditLog(keys, w, spec(60), { strict: true });
    expect(strict.ok).toBe(false);
    expect(strict.exitCode).toBe(1);
    expect((await auditLog(keys, w, spec(5))).findings).toEqual([]);
  });

  it('lists the narrowest ranges, exactly', async () => {
    const r = await auditLog(keys, w, spec(5), { exact: true });
    expect(r.global!.narrowest.map((c) => [c.quantity, c.lo, c.hi, c.width, c.exact])).toEqual([
      ['2023 v1 · region=PE-CUS', 0, 43, 43, true],
      ['2023 v1 · region=PE-LMA', 0, 43, 43, true],
    ]);
  });
});

describe('changes of year-set quantities', () => {
  it('fails when a two-year total changes by 1..k−1 between version vectors that differ in both years', async () => {
    const b23 = { 'PE-LMA': 40, 'PE-CUS': 10, 'PE-PUN': 20 };
    const b24 = { 'PE-LMA': 30, 'PE-CUS': 10, 'PE-PUN': 15 };
    const make = (d23: number, d24: number): World =>
      world(
        { region: R3 },
        {
          '2023': [
            { since: null, counts: b23 },
            { since: 'additions', counts: plus(b23, { 'PE-CUS': d23 }) },
          ],
          '2024': [
            { since: null, counts: b24 },
            { since: 'additions', counts: plus(b24, { 'PE-CUS': d24 }) },
          ],
        },
      );
    const specs = [
      { series: 'acumulado', years: { '2023': 1, '2024': 1 }, tables: [['region']] },
      { series: 'acumulado', years: { '2023': 2, '2024': 2 }, tables: [['region']] },
    ];
    const r = await auditLog(keys, make(1, 2), specs);
    expect(r.findings.filter((f) => f.code === 'change-small').map((f) => [f.params.cell, f.params.from, f.params.to, f.params.lo, f.params.hi])).toEqual(
      expect.arrayContaining([['region=PE-CUS', '2023 v1 + 2024 v1', '2023 v2 + 2024 v2', 3, 3]]),
    );
    expect(r.global!.checked.yearSetChanges).toBeGreaterThan(0);
    expect((await auditLog(keys, make(5, 5), specs)).findings).toEqual([]);
  });
});

describe('DP invariants are published counts', () => {
  it('the exact total of a DP entry, with a suppression release hiding one region and the total, pins it', async () => {
    const w = world({ region: R3 }, { '2023': [{ since: null, counts: { 'PE-LMA': 40, 'PE-CUS': 3, 'PE-PUN': 20 } }] });
    const r = await auditLog(keys, w, [
      { series: 'anual', years: { '2023': 1 }, tables: YR, suppress: [{ year: '2023', region: 'PE-CUS' }, { year: '2023' }] },
      { series: 'tendencias', method: 'dp', years: { '2023': 1 }, tables: [['year']] },
    ]);
    expect(r.findings.map((f) => [f.code, f.params.cell, f.params.lo, f.params.hi])).toEqual([['interval-small', '2023 v1 · region=PE-CUS', 3, 3]]);
  });
});

describe('what cannot be', () => {
  it('reports counts that contradict each other, and audits the rest', async () => {
    const w = world({ region: R3 }, { '2023': [{ since: null, counts: { 'PE-LMA': 40, 'PE-CUS': 12, 'PE-PUN': 20 } }] });
    const r = await auditLog(keys, w, [
      { series: 'anual', years: { '2023': 1 }, tables: YR },
      {
        series: 'otra',
        years: { '2023': 1 },
        tables: YR,
        edit: (m) => {
          const cell = (m.tables as Array<{ cells: Array<{ key: Record<string, string>; count: number | null }> }>)[0]!.cells.find(
            (c) => c.key.region === 'PE-LMA' && c.key.year === '2023',
          )!;
          cell.count = 41;
        },
      },
    ]);
    expect(r.findings.map((f) => [f.code, f.params.problem])).toEqual(expect.arrayContaining([['structure-inconsistent', 'conflict']]));
  });

  it('uses region groups: a group hidden with one member published elsewhere', async () => {
    const w = world(
      { region: ['PE-LMA', 'PE-CAL', 'PE-CUS'] },
      { '2023': [{ since: null, counts: { 'PE-LMA': 30, 'PE-CAL': 3, 'PE-CUS': 20 } }] },
      { region: { 'lima-callao': ['PE-LMA', 'PE-CAL'] } },
    );
    // The group is published (33) and Lima too (30): Callao, hidden, is 3.
    const r = await auditLog(keys, w, [{ series: 'anual', years: { '2023': 1 }, tables: YR, suppress: [{ year: '2023', region: 'PE-CAL' }] }]);
    expect(r.findings.map((f) => [f.code, f.params.cell, f.params.lo])).toEqual([['interval-small', '2023 v1 · region=PE-CAL', 3]]);
    const safe = await auditLog(keys, w, [
      {
        series: 'anual',
        years: { '2023': 1 },
        tables: YR,
        suppress: [
          { year: '2023', region: 'PE-CAL' },
          { year: '2023', region: 'PE-LMA' },
          { year: '2023', region: 'lima-callao' },
          { year: '2023', region: 'PE-CUS' },
          { year: '2023' },
        ],
      },
    ]);
    expect(failureCodes(safe)).toEqual([]);
  });
});
