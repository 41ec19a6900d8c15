// Differential-privacy releases over the API (SQLite and PostgreSQL): the first DP release of a
// series sets its budget; each release spends its rho from the ledger, recorded in the manifest;
// counts are non-negative integers consistent with their margins (and the grand total exact when
// asked); a release beyond the budget is refused with a clear error and writes nothing; a series
// cannot mix methods.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import request from 'supertest';
import { enrolMember, newId, sampleReport, signed, startTestApp, type TestApp } from '../helpers/app.js';
import { providers, tableContents } from '../helpers/databases.js';
import { publish } from '../helpers/releases.js';

const REGIONS = ['PE-LMA', 'PE-CAL', 'PE-ARE', 'PE-CUS'];
const TYPES = ['homicide', 'extortion', 'threat'];

describe.each(providers)('DP releases over the API (%s)', (provider) => {
  let t: TestApp;
  let total = 0;
  beforeAll(async () => {
    t = await startTestApp(provider);
    const org = await enrolMember(t);
    for (let i = 0; i < 40; i++) {
      await signed(t.app, 'PUT', `/api/v1/reports/${newId()}`, org, sampleReport(t, { region: REGIONS[i % 4], incidentType: TYPES[i % 3] }));
      total++;
    }
  });
  afterAll(async () => t?.close());

  const req = { series: 'tendencias', method: 'dp', filter: { year: 2023 }, tables: [['year', 'region'], ['year', 'incidentType']], rho: '0.5', keepTotal: true };

  it('refuses the first DP release of a series without a series budget', async () => {
    const before = await tableContents(t.testDb);
    const res = await signed(t.app, 'POST', '/api/v1/releases', t.publisher, req);
    expect([res.status, res.body.error.code]).toEqual([400, 'budget_missing']);
    expect(await tableContents(t.testDb)).toEqual(before);
  });

  it('publishes noisy, consistent, non-negative integer counts and records the ledger', async () => {
    const rel = await publish(t, { ...req, seriesBudget: { rho: '1' } });
    const m = rel.manifest;
    expect(m.method).toBe('dp');
    expect(m.dp).toMatchObject({ mechanism: 'discrete-gaussian', rho: '0.5', keepTotal: true, ledger: { unit: 'rho', total: '1', spentBefore: '0', spentAfter: '0.5' } });
    expect(m.dp.m).toBe(6); // {y,r} {y} {r} {} {y,t} {t}
    expect(m.dp.sigma2).toBeCloseTo(6, 10); // m / (2 rho)
    expect(m.dp.errorMargin90).toBeGreaterThan(0);
    for (const tb of m.tables) {
      for (const c of tb.cells) {
        expect(Number.isInteger(c.count) && c.count >= 0).toBe(true);
        expect(c.suppressed).toBe(false);
      }
      // each margin is the sum of its children
      const [, dim] = tb.dimensions;
      const grand = tb.cells.find((c: any) => c.key.year === '*' && c.key[dim] === '*').count;
      const yearTotal = tb.cells.find((c: any) => c.key.year === '2023' && c.key[dim] === '*').count;
      const children = tb.cells.filter((c: any) => c.key.year === '2023' && c.key[dim] !== '*').reduce((s: number, c: any) => s + c.count, 0);
      expect(children).toBe(yearTotal);
      expect(grand).toBe(total); // kept exact
    }
    const csv = await request(t.app).get(`/api/v1/releases/${m.id}.csv`);
    expect(csv.text.split('\n')[0]).toContain('margin90');
    const page = await request(t.app).get(`/estadisticas/${m.id}`);
    expect(page.status).toBe(200);
    expect(page.text).toContain('Privacidad diferencial');
    expect(page.text).toContain(`± ${m.dp.errorMargin90}`);
    expect(page.text).not.toMatch(/Umbral k/);
  });

  it('charges a second release and refuses one beyond the budget, writing nothing', async () => {
    const second = await publish(t, req);
    expect(second.manifest.dp.ledger).toMatchObject({ spentBefore: '0.5', spentAfter: '1' });
    const before = await tableContents(t.testDb);
    const over = await signed(t.app, 'POST', '/api/v1/releases', t.publisher, { ...req, rho: '0.1' });
    expect([over.status, over.body.error.code]).toEqual([409, 'budget_exceeded']);
    expect(over.body.error.message).toMatch(/tendencias/);
    expect(await tableContents(t.testDb)).toEqual(before);
    const changed = await signed(t.app, 'POST', '/api/v1/releases', t.publisher, { ...req, seriesBudget: { rho: '5' } });
    expect([changed.status, changed.body.error.code]).toEqual([409, 'budget_fixed']);
  });

  it('keeps one method per series', async () => {
    const res = await signed(t.app, 'POST', '/api/v1/releases', t.publisher, { series: 'tendencias', filter: { year: 2023 }, tables: [['year', 'region']], k: 3 });
    expect([res.status, res.body.error.code]).toEqual([409, 'series_method_mismatch']);
    const both = await signed(t.app, 'POST', '/api/v1/releases', t.publisher, { ...req, series: 'otra', epsilon: 1, seriesBudget: { rho: 1 } });
    expect([both.status, both.body.error.code]).toEqual([400, 'invalid_body']);
  });
});
