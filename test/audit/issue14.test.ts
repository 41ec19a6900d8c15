// Every case of issue 14, as a version-2 log built by hand and made unsafe on purpose: each one
// must FAIL the audit with the finding that names what an attacker holding the whole log can
// compute, and a safe variant of the same log must PASS. The attacker's computation is written out
// next to each case.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type EntrySpec, type Keys, type World, auditLog, buildLog, cleanTemp, failureCodes, makeKeys, plus, world, writeLog, audit } from './fixtures.js';

afterAll(cleanTemp);

let keys: Keys;
beforeAll(async () => {
  keys = await makeKeys();
});

const REGIONS = ['PE-LMA', 'PE-CUS', 'PE-CAJ', 'PE-LOR', 'PE-TUM', 'PE-PUN'];
const Y23 = { '2023': 1 };
const YR = [['year', 'region']];
const hide = (year: string, ...regions: string[]) => regions.map((region) => ({ year, region }));

/** Findings of one code, as [entry, cell, lo, hi]. */
const found = (r: Awaited<ReturnType<typeof audit>>, code: string) =>
  r.findings.filter((f) => f.code === code).map((f) => [f.release ?? null, f.params.cell, f.params.lo ?? null, f.params.hi ?? null]);

describe('issue 14: two series over the same data (the Cajamarca case)', () => {
  // 2023: total 226; Cajamarca 4 and Loreto 5 are the small ones.
  const w = world(
    { region: REGIONS },
    { '2023': [{ since: null, counts: { 'PE-LMA': 120, 'PE-CUS': 30, 'PE-CAJ': 4, 'PE-LOR': 5, 'PE-TUM': 6, 'PE-PUN': 61 } }] },
  );
  const peru: EntrySpec = { series: 'peru-2023', years: Y23, tables: YR, suppress: hide('2023', 'PE-CAJ', 'PE-LOR') };

  it('fails: peru-2023 leaves 9 for Cajamarca + Loreto, anual publishes Loreto = 5, so Cajamarca = 4', async () => {
    // Each alone is protected: peru-2023 gives CAJ + LOR = 9 (CAJ in [0, 9]); anual hides CAJ and
    // TUM, giving CAJ + TUM = 10 (CAJ in [0, 10]). Together: CAJ = 9 − 5 = 4.
    const r = await auditLog(keys, w, [peru, { series: 'anual', years: Y23, tables: YR, suppress: hide('2023', 'PE-CAJ', 'PE-TUM') }]);
    expect(r.ok).toBe(false);
    expect(found(r, 'interval-small')).toEqual([['#2 anual-1', '2023 v1 · region=PE-CAJ', 4, 4]]);
    expect(r.findings.find((f) => f.code === 'interval-small')!.params.hiddenBy).toEqual(['#1 peru-2023-1', '#2 anual-1']);
    // Tumbes, published by peru-2023, is "hidden" again by anual: pointless, and it marks a cell.
    expect(found(r, 'interval-pinned')).toEqual([['#2 anual-1', '2023 v1 · region=PE-TUM', 6, 6]]);
    expect(r.checks.intervals).toBe('fail');
  });

  it('passes when the second series hides the same cells', async () => {
    const r = await auditLog(keys, w, [peru, { series: 'anual', years: Y23, tables: YR, suppress: hide('2023', 'PE-CAJ', 'PE-LOR') }]);
    expect(r.findings).toEqual([]);
    expect(r.ok).toBe(true);
    const caj = r.global!.narrowest.find((c) => c.quantity === '2023 v1 · region=PE-CAJ')!;
    expect([caj.lo, caj.hi]).toEqual([0, 9]);
  });
});

describe('issue 14: a 2023+2024 release and a 2023 release pin a hidden 2024 cell (acumulado/anual)', () => {
  const w = world(
    { region: ['PE-LMA', 'PE-CUS', 'PE-PUN'] },
    {
      '2023': [{ since: null, counts: { 'PE-LMA': 40, 'PE-CUS': 10, 'PE-PUN': 20 } }],
      '2024': [{ since: null, counts: { 'PE-LMA': 35, 'PE-CUS': 2, 'PE-PUN': 18 } }],
    },
  );
  const solo2024: EntrySpec = { series: 'solo-2024', years: { '2024': 1 }, tables: YR, suppress: hide('2024', 'PE-CUS', 'PE-LMA') };
  const anual: EntrySpec = { series: 'anual', years: Y23, tables: YR };
  const both = { '2023': 1, '2024': 1 };

  it('fails: acumulado shows Cusco 2023+2024 = 12, anual shows Cusco 2023 = 10, so Cusco 2024 = 2', async () => {
    const r = await auditLog(keys, w, [solo2024, { series: 'acumulado', years: both, tables: [['region']] }, anual]);
    expect(found(r, 'interval-small')).toEqual([['#1 solo-2024-1', '2024 v1 · region=PE-CUS', 2, 2]]);
    expect(r.ok).toBe(false);
  });

  it('passes when acumulado hides Cusco and Lima over both years too', async () => {
    const r = await auditLog(keys, w, [
      solo2024,
      {
        series: 'acumulado',
        years: both,
        tables: [['region']],
        suppress: [
          { year: '*', region: 'PE-CUS' },
          { year: '*', region: 'PE-LMA' },
        ],
      },
      anual,
    ]);
    expect(r.findings).toEqual([]);
  });
});

describe('issue 14: a change revealed through a hidden total, other cells published at two "additions" versions', () => {
  // 2023 v2 adds incidents in Lima only; anual-2 hides Lima and the total (both changed), every
  // other region is published unchanged. A second series at v2 publishes the total by type.
  const base = { 'homicide|PE-LMA': 12, 'extortion|PE-LMA': 8, 'homicide|PE-CUS': 6, 'extortion|PE-CUS': 7, 'homicide|PE-PUN': 5, 'extortion|PE-PUN': 9 };
  const make = (added: number): World =>
    world(
      { incidentType: ['homicide', 'extortion'], region: ['PE-LMA', 'PE-CUS', 'PE-PUN'] },
      {
        '2023': [
          { since: null, counts: base },
          { since: 'additions', counts: plus(base, { 'homicide|PE-LMA': added }) },
        ],
      },
    );
  const specs: EntrySpec[] = [
    { series: 'anual', years: { '2023': 1 }, tables: YR },
    { series: 'anual', years: { '2023': 2 }, tables: YR, suppress: [{ year: '2023', region: 'PE-LMA' }, { year: '2023' }] },
    { series: 'tipos', years: { '2023': 2 }, tables: [['year', 'incidentType']] },
  ];

  it('fails: the total at v2 (from tipos) minus the published regions gives Lima; Lima went 20 → 22', async () => {
    const r = await auditLog(keys, make(2), specs);
    const changes = found(r, 'change-small').map(([, cell, lo, hi]) => [cell, lo, hi]);
    expect(changes).toEqual(
      expect.arrayContaining([
        ['region=PE-LMA', 2, 2],
        ['total', 2, 2],
      ]),
    );
    expect(r.findings.find((f) => f.code === 'change-small' && f.params.cell === 'region=PE-LMA')!.params).toMatchObject({
      from: '2023 v1',
      to: '2023 v2',
      k: 5,
    });
    expect(r.checks.changes).toBe('fail');
  });

  it('passes when the change is 5 (k or more)', async () => {
    const r = await auditLog(keys, make(5), specs);
    expect(r.findings).toEqual([]);
  });
});

describe('issue 14: a "changes" step whose net change is pinned through year-set totals', () => {
  // 2023 v2 is an amendment: two incidents move from Cusco to Lima (a "changes" step: nothing
  // links v1 and v2 cell by cell). Only 2023+2024 totals per region are ever published.
  const v1 = { 'PE-LMA': 30, 'PE-CUS': 15, 'PE-PUN': 20 };
  const w = world(
    { region: ['PE-LMA', 'PE-CUS', 'PE-PUN'] },
    {
      '2023': [
        { since: null, counts: v1 },
        { since: 'changes', counts: plus(v1, { 'PE-LMA': 2, 'PE-CUS': -2 }) },
      ],
      '2024': [{ since: null, counts: { 'PE-LMA': 25, 'PE-CUS': 9, 'PE-PUN': 11 } }],
    },
  );
  const first: EntrySpec = { series: 'acumulado', years: { '2023': 1, '2024': 1 }, tables: [['region']] };

  it('fails: Cusco 2023+2024 goes 24 → 22 with 2024 unchanged, so Cusco 2023 lost exactly 2', async () => {
    const r = await auditLog(keys, w, [first, { series: 'acumulado', years: { '2023': 2, '2024': 1 }, tables: [['region']] }]);
    const changes = found(r, 'change-small').map(([, cell, lo, hi]) => [cell, lo, hi]);
    expect(changes).toEqual(
      expect.arrayContaining([
        ['region=PE-CUS', -2, -2],
        ['region=PE-LMA', 2, 2],
      ]),
    );
  });

  it('passes when the second release hides Cusco and Lima', async () => {
    const r = await auditLog(keys, w, [
      first,
      { series: 'acumulado', years: { '2023': 2, '2024': 1 }, tables: [['region']], suppress: [{ region: 'PE-CUS' }, { region: 'PE-LMA' }] },
    ]);
    expect(r.findings).toEqual([]);
  });
});

describe('issue 14: the report count', () => {
  it('refuses a manifest that publishes the number of reports (merkle.leafCount)', async () => {
    const w = world({ region: ['PE-LMA', 'PE-CUS'] }, { '2023': [{ since: null, counts: { 'PE-LMA': 20, 'PE-CUS': 12 } }] });
    const r = await auditLog(keys, w, [{ series: 'anual', years: Y23, tables: YR, edit: (m) => Object.assign(m.merkle as object, { leafCount: 32 }) }]);
    // Both copies, the log entry and the signed release, are refused.
    expect(r.findings.map((f) => [f.code, f.release, f.params.problem])).toEqual([
      ['publication-invalid', '#1', expect.stringContaining('leafCount')],
      ['publication-invalid', 'anual-1', expect.stringContaining('leafCount')],
    ]);
    expect(r.ok).toBe(false);
  });
});

describe('issue 14: a DP budget overspent across two series', () => {
  const w = world({ region: ['PE-LMA', 'PE-CUS', 'PE-PUN'] }, { '2023': [{ since: null, counts: { 'PE-LMA': 40, 'PE-CUS': 10, 'PE-PUN': 20 } }] });
  const tendencias: EntrySpec = { series: 'tendencias', method: 'dp', years: Y23, tables: YR, rho: '1', dpTotal: '2' };

  it('fails: a second series starts its own ledger at 0 and spends 3/2, beyond the server total of 2', async () => {
    const r = await auditLog(keys, w, [
      tendencias,
      {
        series: 'mapa',
        method: 'dp',
        years: Y23,
        tables: YR,
        rho: '3/2',
        dpTotal: '2',
        edit: (m) => Object.assign((m.dp as { ledger: object }).ledger, { spentBefore: '0', spentAfter: '3/2' }),
      },
    ]);
    const problems = r.findings.filter((f) => f.code === 'dp-ledger').map((f) => f.params.problem);
    expect(problems).toEqual(expect.arrayContaining(['before', 'overspent']));
    expect(r.checks.privacy).toBe('fail');
    expect(r.dp!.ledger.map((l) => [l.series, l.spentBefore, l.spentAfter])).toEqual([
      ['tendencias', '0', '1'],
      ['mapa', '0', '3/2'],
    ]);
  });

  it('fails also when the ledger is kept honestly but the total is exceeded', async () => {
    const r = await auditLog(keys, w, [tendencias, { series: 'mapa', method: 'dp', years: Y23, tables: YR, rho: '3/2', dpTotal: '2' }]);
    expect(r.findings.filter((f) => f.code === 'dp-ledger').map((f) => f.params.problem)).toEqual(['overspent']);
  });

  it('passes when the second series spends what is left', async () => {
    const r = await auditLog(keys, w, [tendencias, { series: 'mapa', method: 'dp', years: Y23, tables: YR, rho: '1', dpTotal: '2' }]);
    expect(r.findings).toEqual([]);
    expect(r.checks.privacy).toBe('pass');
  });
});

describe('issue 14: a k = 2 draft (threshold and k fixed per series)', () => {
  const w = world(
    { region: ['PE-LMA', 'PE-CUS', 'PE-TUM', 'PE-PUN'] },
    { '2023': [{ since: null, counts: { 'PE-LMA': 50, 'PE-CUS': 12, 'PE-TUM': 3, 'PE-PUN': 8 } }] },
  );
  const anual: EntrySpec = { series: 'anual', years: Y23, tables: YR, suppress: hide('2023', 'PE-TUM', 'PE-PUN') };

  it('fails: a draft of the series with k = 2 shows Tumbes = 3', async () => {
    const r = await auditLog(keys, w, [anual, { series: 'anual', kind: 'draft', years: Y23, tables: YR, k: 2 }]);
    expect(failureCodes(r)).toEqual(expect.arrayContaining(['k-below-minimum', 'series-parameters', 'interval-small']));
    expect(r.findings.find((f) => f.code === 'k-below-minimum')!.release).toBe('#2 anual-2');
    expect(found(r, 'interval-small')).toEqual([['#1 anual-1', '2023 v1 · region=PE-TUM', 3, 3]]);
  });

  it('fails: a k = 2 draft with nothing else published', async () => {
    const r = await auditLog(keys, w, [{ series: 'prueba', kind: 'draft', years: Y23, tables: YR, k: 2 }]);
    expect(failureCodes(r)).toEqual(['k-below-minimum']);
  });

  it('passes when the draft keeps k = 5 and the same hidden cells', async () => {
    const r = await auditLog(keys, w, [anual, { series: 'anual', kind: 'draft', years: Y23, tables: YR, suppress: hide('2023', 'PE-TUM', 'PE-PUN') }]);
    expect(r.findings).toEqual([]);
    expect(r.log).toMatchObject({ entries: 2, releases: 1, drafts: 1 });
  });
});

describe('issue 14: a draft left unsigned makes a later release unsafe', () => {
  const w = world(
    { region: REGIONS },
    { '2023': [{ since: null, counts: { 'PE-LMA': 120, 'PE-CUS': 30, 'PE-CAJ': 4, 'PE-LOR': 5, 'PE-TUM': 6, 'PE-PUN': 61 } }] },
  );
  const later: EntrySpec = { series: 'peru-2023', years: Y23, tables: YR, suppress: hide('2023', 'PE-CAJ', 'PE-LOR') };

  it('fails: the draft showed Loreto = 5; the later release leaves 9 for Cajamarca + Loreto', async () => {
    const log = buildLog(keys, w, [{ series: 'anual', kind: 'draft', years: Y23, tables: YR, suppress: hide('2023', 'PE-CAJ', 'PE-TUM') }, later]);
    expect(log[0]!.signature).toBeNull();
    const r = await audit({ dir: writeLog(keys, log) });
    expect(found(r, 'interval-small')).toEqual([['#2 peru-2023-1', '2023 v1 · region=PE-CAJ', 4, 4]]);
    // The draft is not among the signed releases, and the log is intact.
    expect(r.checks.signatures).toBe('pass');
    expect(r.checks.chains).toBe('pass');
  });

  it('passes when the draft hid the same cells', async () => {
    const r = await auditLog(keys, w, [{ series: 'anual', kind: 'draft', years: Y23, tables: YR, suppress: hide('2023', 'PE-CAJ', 'PE-LOR') }, later]);
    expect(r.findings).toEqual([]);
  });
});
