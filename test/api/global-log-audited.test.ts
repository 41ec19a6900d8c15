// A second series over the same year, published through the API after late reports, is protected
// against the WHOLE publication log: the independent auditor (scripts/audit, its own LP, reading
// only what the server publishes) finds nothing an attacker holding both releases can narrow.
//
// The case is built so that a server protecting each series on its own would leak. 2023 at
// version 1: Cajamarca 4 and Loreto 5 are the small regions; the first series hides both, so
// Cajamarca + Loreto = 9 is public. Then 20 late reports from Loreto (version 2: Loreto 25,
// Arequipa 12). Alone, the second series would hide Cajamarca with its cheapest partner, Arequipa
// (12), and publish Loreto = 25. The attacker then knows: Loreto grew by 25 − (9 − Caj₁) =
// 16 + Caj₁, the total grew by 20, the other published regions by 0, and incidents are only added,
// so Cajamarca's and Arequipa's growth is 4 − Caj₁ ≥ 0: Cajamarca ≤ 4 at version 1 — below k.
// SQLite and PostgreSQL.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import request from 'supertest';
import { runAudit } from '../../scripts/audit/audit.js';
import { enrolMember, newId, sampleReport, signed, startTestApp, type SigningKey, type TestApp } from '../helpers/app.js';
import { providers } from '../helpers/databases.js';
import { cellOf, publish } from '../helpers/releases.js';

const submit = async (t: TestApp, org: SigningKey, n: number, fields: Record<string, unknown>) => {
  for (let i = 0; i < n; i++) {
    const res = await signed(t.app, 'PUT', `/api/v1/reports/${newId()}`, org, sampleReport(t, fields));
    expect(res.status).toBe(201);
  }
};

/** The auditor, reading the app as a server: every GET answered by the app itself. */
const auditApp = (t: TestApp) =>
  runAudit({
    server: 'http://contamos.test',
    lang: 'en',
    strict: false,
    exact: false,
    narrowest: 10,
    minK: 5,
    publisherKeys: [],
    logs: [],
    fetchImpl: async (url) => {
      const res = await request(t.app).get(new URL(url).pathname + new URL(url).search);
      return { status: res.status, text: async () => res.text };
    },
  });

describe.each(providers)('a second series after late reports, audited against the whole log (%s)', (provider) => {
  let t: TestApp;
  let org: SigningKey;
  beforeAll(async () => {
    t = await startTestApp(provider, { minK: 5 });
    org = await enrolMember(t);
    for (const [region, n] of [
      ['PE-LMA', 40],
      ['PE-CUS', 30],
      ['PE-ARE', 12],
      ['PE-CAJ', 4],
      ['PE-LOR', 5],
    ] as const)
      await submit(t, org, n, { region, incidentType: 'homicide' });
  });
  afterAll(async () => t?.close());

  it('the union of both releases narrows no hidden count below k', async () => {
    const first = await publish(t, { series: 'regiones', filter: { year: 2023 }, tables: [['year', 'region']] });
    expect(cellOf(first.manifest, 0, { year: '2023', region: 'PE-CAJ' }).suppressed).toBe(true);
    expect(cellOf(first.manifest, 0, { year: '2023', region: 'PE-LOR' }).suppressed).toBe(true);
    expect(cellOf(first.manifest, 0, { year: '2023', region: 'PE-ARE' }).count).toBe(12);

    await submit(t, org, 20, { region: 'PE-LOR', incidentType: 'homicide' });
    const second = await publish(t, { series: 'anual', filter: { year: 2023 }, tables: [['year', 'region']] });
    expect(second.manifest.data).toEqual([{ year: 2023, version: 2, since: 'additions', heldBack: false }]);
    expect(cellOf(second.manifest, 0, { year: '2023', region: 'PE-CAJ' }).suppressed).toBe(true);

    const report = await auditApp(t);
    const disclosure = report.findings.filter((f) => f.code.startsWith('interval') || f.code.startsWith('change'));
    expect(disclosure.map((f) => `${f.release} ${f.code} ${JSON.stringify(f.params)}`)).toEqual([]);
    expect(report.checks.intervals).toBe('pass');
    expect(report.checks.changes).toBe('pass');
    expect(report.log).toMatchObject({ entries: 2, releases: 2, drafts: 0, unbroken: true });
  });
});
