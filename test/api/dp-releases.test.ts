// Differential-privacy releases over the API (SQLite and PostgreSQL), with ONE budget for the whole
// server (here CONTAMOS_DP_TOTAL_RHO = 1, CONTAMOS_DP_MAX_RHO = 0.5):
// - counts are non-negative integers consistent with their margins (the grand total exact when
//   asked), and the manifest records the server ledger entry of the draft;
// - the attacker is a publisher who wants counts with less noise than the operator allows: asking
//   for a huge rho (as a number or as a string), or switching to a new series name to get a fresh
//   budget. Both are refused with a 4xx and a stable code, before anything is counted or drawn, and
//   a refused request stores nothing;
// - a series cannot mix methods; the total is fixed by the first charge.
import { frictionlessValidator, readWithSchema } from '../open-data/helpers.js';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import request from 'supertest';
import { dpRelease } from '../../server/dp/index.js';
import { readReportFacts } from '../../server/services/report-facts.js';
import { enrolMember, newId, sampleReport, signed, startTestApp, type TestApp } from '../helpers/app.js';
import { providers, tableContents } from '../helpers/databases.js';
import { publish } from '../helpers/releases.js';

// Spies on the two computations a DP draft makes (counting, then drawing the noise), to see that a
// refused request reaches neither.
vi.mock('../../server/dp/index.js', async (importOriginal) => {
  const m = await importOriginal<typeof import('../../server/dp/index.js')>();
  return { ...m, dpRelease: vi.fn(m.dpRelease) };
});
vi.mock('../../server/services/report-facts.js', async (importOriginal) => {
  const m = await importOriginal<typeof import('../../server/services/report-facts.js')>();
  return { ...m, readReportFacts: vi.fn(m.readReportFacts) };
});

const REGIONS = ['PE-LMA', 'PE-CAL', 'PE-ARE', 'PE-CUS'];
const TYPES = ['homicide', 'extortion', 'threat'];

describe.each(providers)('DP releases and the server budget over the API (%s)', (provider) => {
  let t: TestApp;
  let total = 0;
  beforeAll(async () => {
    t = await startTestApp(provider, { dpBounds: { totalRho: '1', maxRho: '0.5' } });
    const org = await enrolMember(t);
    for (let i = 0; i < 40; i++) {
      await signed(t.app, 'PUT', `/api/v1/reports/${newId()}`, org, sampleReport(t, { region: REGIONS[i % 4], incidentType: TYPES[i % 3] }));
      total++;
    }
  });
  afterAll(async () => t?.close());

  const base = {
    method: 'dp',
    filter: { year: 2023 },
    tables: [
      ['year', 'region'],
      ['year', 'incidentType'],
    ],
    keepTotal: true,
  };
  const req = { ...base, series: 'tendencias', rho: '0.5' };

  /** Sends a draft request that must be refused; checks the code, and that nothing was computed or stored. */
  async function refused(body: Record<string, unknown>, status: number, code: string) {
    vi.mocked(dpRelease).mockClear();
    vi.mocked(readReportFacts).mockClear();
    const before = await tableContents(t.testDb);
    const res = await signed(t.app, 'POST', '/api/v1/releases', t.publisher, body);
    expect([res.status, res.body.error?.code], JSON.stringify(body)).toEqual([status, code]);
    expect(await tableContents(t.testDb)).toEqual(before);
    expect(readReportFacts).not.toHaveBeenCalled();
    expect(dpRelease).not.toHaveBeenCalled();
    return res;
  }

  it('refuses a rho or epsilon above the bounds, as a number or as a string alike, before anything is computed', async () => {
    // beyond what any server accepts for one release (rho ≤ 2, epsilon²/2 ≤ 2): a 400 at validation
    for (const amount of [
      { rho: 1000000 },
      { rho: '1000000' },
      { epsilon: 1000000 },
      { epsilon: '1000000' },
      { rho: 3 },
      { rho: '2.5' },
      { rho: '5/2' },
      { epsilon: '2.1' },
    ]) {
      const res = await refused({ ...base, series: 'codiciosa', ...amount }, 400, 'invalid_body');
      expect(JSON.stringify(res.body.error.issues)).toMatch(/at most 2/);
    }
    // malformed or absurdly small amounts
    for (const amount of [
      { rho: '1e6' },
      { rho: '-1' },
      { rho: -0.5 },
      { rho: 0 },
      { rho: '0' },
      { rho: 'NaN' },
      { rho: ' 0.5' },
      { rho: '0.5 ' },
      { rho: '1/0' },
      { rho: '0x10' },
      { rho: '9'.repeat(50) },
      { rho: `0.${'0'.repeat(45)}1` },
      { rho: 1e-9 },
      { rho: true },
      { rho: ['0.5'] },
      { rho: { num: 1 } },
    ]) {
      await refused({ ...base, series: 'codiciosa', ...amount }, 400, 'invalid_body');
    }
    // within what a server may accept, above what this operator allows per release: a 422
    for (const amount of [
      { rho: 0.6 },
      { rho: '0.6' },
      { rho: '3/5' },
      { rho: 2 },
      { rho: '0.50000000001' },
      { epsilon: 1.1 },
      { epsilon: '1.1' },
      { epsilon: '11/10' },
    ]) {
      const res = await refused({ ...base, series: 'codiciosa', ...amount }, 422, 'budget_over_release_limit');
      expect(res.body.error.message).toMatch(/at most rho = 0\.5/);
    }
  });

  it('publishes noisy, consistent, non-negative integer counts and records the server ledger entry', async () => {
    const rel = await publish(t, req);
    const m = rel.manifest;
    expect(m.method).toBe('dp');
    expect(m.request).not.toHaveProperty('seriesBudget');
    expect(m.dp).toMatchObject({ mechanism: 'discrete-gaussian', rho: '0.5', keepTotal: true, invariants: ['total'] });
    expect(m.dp.ledger).toEqual({ scope: 'server', unit: 'rho', total: '1', spentBefore: '0', spentAfter: '0.5', charged: '0.5' });
    expect(m.dp.m).toBe(6); // {y,r} {y} {r} {} {y,t} {t}
    expect(m.dp.sigma2).toBeCloseTo(6, 10); // m / (2 rho)
    expect(m.dp.errorMargin90).toBeGreaterThan(0);
    for (const tb of m.tables) {
      for (const c of tb.cells) {
        expect(Number.isInteger(c.count) && c.count >= 0).toBe(true);
        expect(c.suppressed).toBe(false);
      }
      const [, dim] = tb.dimensions;
      const grand = tb.cells.find((c: any) => c.key.year === '*' && c.key[dim] === '*').count;
      const yearTotal = tb.cells.find((c: any) => c.key.year === '2023' && c.key[dim] === '*').count;
      const children = tb.cells.filter((c: any) => c.key.year === '2023' && c.key[dim] !== '*').reduce((s: number, c: any) => s + c.count, 0);
      expect(children).toBe(yearTotal);
      expect(grand).toBe(total); // kept exact
    }
    const csv = await request(t.app).get(`/api/v1/releases/${m.id}.csv`);
    expect(csv.text.split('\n')[0]).toContain('error_margin_90');
    // the data package of a DP release validates too, and its CSV reads through its schema
    const pkg = (await request(t.app).get(`/api/v1/releases/${m.id}/datapackage.json`)).body;
    const validate = frictionlessValidator('tabular-data-package');
    expect(validate(pkg)).toBe(true);
    const rows = await readWithSchema(csv.text, pkg.resources[0].schema);
    expect(rows.every((r) => r.status === 'published' && r.error_margin_90 === m.dp.errorMargin90)).toBe(true);
    const page = await request(t.app).get(`/estadisticas/${m.id}`);
    expect(page.status).toBe(200);
    expect(page.text).toContain('Privacidad diferencial');
    expect(page.text).toContain(`± ${m.dp.errorMargin90}`);
    expect(page.text).toContain('ρ = 0.5 de 1');
    expect(page.text).not.toMatch(/Umbral k/);
  });

  it('a new series name is not a fresh budget: every DP series spends from the same one', async () => {
    // pure DP with epsilon = 1 costs epsilon²/2 = 0.5 of the same budget
    const other = await publish(t, { ...base, series: 'otra-serie', epsilon: 1 });
    expect(other.manifest.dp).toMatchObject({ mechanism: 'discrete-laplace', epsilon: '1' });
    expect(other.manifest.dp.ledger).toEqual({ scope: 'server', unit: 'rho', total: '1', spentBefore: '0.5', spentAfter: '1', charged: '0.5' });
    // the budget is spent: no series, old or new, gets any more
    for (const series of ['tendencias', 'otra-serie', 'serie-nueva', 'serie-nueva-2']) {
      const res = await refused({ ...base, series, rho: '0.000001' }, 409, 'budget_exceeded');
      expect(res.body.error.message).toMatch(/shared by every differential-privacy series/);
    }
    expect(await t.db.prisma.dpLedger.count()).toBe(2);
  });

  it('a draft spends the budget when it is computed, even if it is never signed', async () => {
    const fresh = await startTestApp(provider, { dpBounds: { totalRho: '1', maxRho: '1' } });
    try {
      const org = await enrolMember(fresh);
      for (let i = 0; i < 10; i++) await signed(fresh.app, 'PUT', `/api/v1/reports/${newId()}`, org, sampleReport(fresh));
      const draft = await signed(fresh.app, 'POST', '/api/v1/releases', fresh.publisher, { ...base, series: 'borrador', rho: '0.75' });
      expect(draft.status).toBe(201);
      expect(draft.body.manifest.dp.ledger).toMatchObject({ spentBefore: '0', spentAfter: '0.75' });
      // not signed; the next draft still finds 0.25 left
      const again = await signed(fresh.app, 'POST', '/api/v1/releases', fresh.publisher, { ...base, series: 'borrador', rho: '0.5' });
      expect([again.status, again.body.error?.code]).toEqual([409, 'budget_exceeded']);
      expect(again.body.error.message).toMatch(/rho = 0\.25 left of 1/);
    } finally {
      await fresh.close();
    }
  });

  it('the total is fixed by the first charge: a changed CONTAMOS_DP_TOTAL_RHO refuses every DP draft', async () => {
    const saved = t.ctx.dpBounds;
    t.ctx.dpBounds = { totalRho: '5', maxRho: '0.5' };
    try {
      const res = await refused({ ...req, rho: '0.1' }, 409, 'budget_fixed');
      expect(res.body.error.message).toMatch(/fixed at rho = 1/);
    } finally {
      t.ctx.dpBounds = saved;
    }
  });

  it('keeps one method per series, and takes exactly one of rho or epsilon, without a series budget', async () => {
    const res = await signed(t.app, 'POST', '/api/v1/releases', t.publisher, {
      series: 'tendencias',
      filter: { year: 2023 },
      tables: [['year', 'region']],
      k: 3,
    });
    expect([res.status, res.body.error.code]).toEqual([409, 'series_method_mismatch']);
    await refused({ ...base, series: 'otra', epsilon: 1, rho: '0.1' }, 400, 'invalid_body');
    await refused({ ...base, series: 'otra' }, 400, 'invalid_body');
    // the version-1 per-series budget is gone: the field is refused, not silently ignored
    await refused({ ...req, seriesBudget: { rho: '1000' } }, 400, 'invalid_body');
  });
});
