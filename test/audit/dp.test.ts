// Guarantee 7 and the checks of a DP entry, on hand-made logs (correctly signed, so only these
// checks can catch them): counts that do not add up, a noise scale that does not match the budget
// or a too small m, an unknown exact figure, and the server's one budget spent by drafts and
// releases of every series, whether rho is written as a number or a string.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type EntrySpec, type Keys, auditLog, cleanTemp, failureCodes, makeKeys, world } from './fixtures.js';

afterAll(cleanTemp);

let keys: Keys;
beforeAll(async () => {
  keys = await makeKeys();
});

const W = world(
  { incidentType: ['homicide', 'threat'], region: ['PE-LMA', 'PE-CUS', 'PE-ARE'] },
  {
    '2023': [
      { since: null, counts: { 'homicide|PE-LMA': 9, 'threat|PE-LMA': 6, 'homicide|PE-CUS': 5, 'threat|PE-CUS': 5, 'homicide|PE-ARE': 0, 'threat|PE-ARE': 5 } },
    ],
  },
);
const DP: EntrySpec = {
  series: 'tendencias',
  method: 'dp',
  years: { '2023': 1 },
  tables: [
    ['year', 'region'],
    ['year', 'incidentType'],
  ],
  rho: '1/2',
  dpTotal: '2',
};
type M = Record<string, unknown> & {
  dp: Record<string, unknown> & { ledger: Record<string, unknown> };
  tables: Array<{ cells: Array<{ key: Record<string, string>; count: number | null; suppressed: boolean }> }>;
};
const edited = (edit: (m: M) => void): EntrySpec => ({ ...DP, edit: (m) => edit(m as M) });
const problems = (r: Awaited<ReturnType<typeof auditLog>>, code: string) =>
  r.findings.filter((f) => f.code === code).map((f) => f.params.problem ?? f.params.invariant);

describe('a DP entry', () => {
  it('passes as made', async () => {
    const r = await auditLog(keys, W, [DP]);
    expect(r.findings).toEqual([]);
    expect(r.checks.privacy).toBe('pass');
    expect(r.dp!.ledger).toEqual([
      { index: 1, label: '#1 tendencias-1', series: 'tendencias', charged: '1/2', spentBefore: '0', spentAfter: '1/2', total: '2' },
    ]);
  });

  it('catches counts that do not add up to their margin', async () => {
    // Lima + 1 (at both its year and all-years cells, one quantity here): the total no longer adds up.
    const r = await auditLog(keys, W, [edited((m) => m.tables[0]!.cells.filter((c) => c.key.region === 'PE-LMA').forEach((c) => (c.count! += 1)))]);
    expect(problems(r, 'dp-inconsistent')).toEqual(['sum']);
    // One quantity shown with two counts.
    const twice = await auditLog(keys, W, [
      edited((m) => void (m.tables[0]!.cells.find((c) => c.key.region === 'PE-LMA' && c.key.year === '2023')!.count! += 1)),
    ]);
    expect(problems(twice, 'dp-inconsistent')).toEqual(['twice']);
  });

  it('catches a hidden cell', async () => {
    const r = await auditLog(keys, W, [edited((m) => Object.assign(m.tables[0]!.cells[3]!, { count: null, suppressed: true }))]);
    expect(problems(r, 'dp-inconsistent')).toContain('suppressed');
  });

  it('catches a noise scale that does not match rho, and an m below what the tables need', async () => {
    expect(problems(await auditLog(keys, W, [edited((m) => void (m.dp.sigma2 = (m.dp.sigma2 as number) / 4))]), 'dp-parameters')).toEqual(['sigma2']);
    // One incident falls into 6 distinct figures here (total, region, type, at year and all-years level being the same).
    const small = await auditLog(keys, W, [edited((m) => Object.assign(m.dp, { m: 2, sigma2: 2 }))]);
    expect(small.findings.map((f) => [f.params.problem, f.params.m, f.params.minimum])).toEqual([['m-small', 2, 3]]);
  });

  it('catches an exact figure the format does not describe, and keepTotal without the total', async () => {
    expect(problems(await auditLog(keys, W, [edited((m) => void (m.dp.invariants = ['total', 'reportCount']))]), 'dp-invariant-unknown')).toEqual([
      'reportCount',
    ]);
    expect(problems(await auditLog(keys, W, [edited((m) => void (m.dp.invariants = []))]), 'dp-parameters')).toEqual(['keep-total']);
  });
});

describe("the server's one budget", () => {
  it('counts drafts: a draft and its release each spend', async () => {
    const r = await auditLog(keys, W, [
      { ...DP, kind: 'draft', rho: '1' },
      { ...DP, rho: '1' },
      { ...DP, series: 'mapa', rho: '1/2' },
    ]);
    expect(problems(r, 'dp-ledger')).toEqual(['overspent']);
    expect(r.dp!.ledger.map((l) => [l.label, l.spentAfter])).toEqual([
      ['#1 tendencias-1', '1'],
      ['#2 tendencias-1', '2'],
      ['#3 mapa-1', '5/2'],
    ]);
  });

  it('refuses a huge rho given as a string: it cannot fit in the total', async () => {
    const r = await auditLog(keys, W, [{ ...DP, rho: '1000000' }]);
    expect(problems(r, 'dp-ledger')).toEqual(['overspent']);
    expect(r.ok).toBe(false);
  });

  it('catches a ledger whose total changes, whose charge is not the cost, or that does not add up', async () => {
    const total = await auditLog(keys, W, [DP, { ...DP, series: 'mapa', edit: (m) => Object.assign((m as M).dp.ledger, { total: '3' }) }]);
    expect(problems(total, 'dp-ledger')).toEqual(['total']);
    const charged = await auditLog(keys, W, [edited((m) => Object.assign(m.dp.ledger, { charged: '1/4', spentAfter: '1/4' }))]);
    expect(problems(charged, 'dp-ledger')).toEqual(['charged']);
    const sum = await auditLog(keys, W, [edited((m) => Object.assign(m.dp.ledger, { spentAfter: '1/4' }))]);
    expect(problems(sum, 'dp-ledger')).toEqual(['after-sum']);
    expect(failureCodes(sum)).toEqual(['dp-ledger']);
  });
});
