// The auditor's differential-privacy checks catch a broken DP release even when it is correctly
// signed: counts that do not add up, a noise scale that does not match the budget, and a ledger
// that spends beyond the series budget; the untouched release passes.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import request from 'supertest';
import { canonicalJson, hashCanonical, signDetached } from '../../crypto/index.js';
import { main as audit } from '../../scripts/audit/main.js';
import { enrolMember, newId, sampleReport, signed, startTestApp, type TestApp } from '../helpers/app.js';
import { publish } from '../helpers/releases.js';

describe('auditor: differential-privacy releases', () => {
  let t: TestApp;
  let good: any;
  let wellKnown: any;
  const dir = mkdtempSync(path.join(tmpdir(), 'contamos-audit-dp-'));
  beforeAll(async () => {
    t = await startTestApp('sqlite');
    const org = await enrolMember(t);
    for (let i = 0; i < 30; i++) await signed(t.app, 'PUT', `/api/v1/reports/${newId()}`, org, sampleReport(t, { region: ['PE-LMA', 'PE-CUS', 'PE-ARE'][i % 3], incidentType: ['homicide', 'threat'][i % 2] }));
    good = await publish(t, { series: 'tendencias', method: 'dp', filter: { year: 2023 }, tables: [['year', 'region'], ['year', 'incidentType']], rho: '0.5', seriesBudget: { rho: '1' } });
    wellKnown = (await request(t.app).get('/.well-known/contamos.json')).body;
  });
  afterAll(async () => { await t?.close(); rmSync(dir, { recursive: true, force: true }); });

  /** Writes the release (re-signed after `edit`) in the auditor's folder format and audits it. */
  async function auditEdited(name: string, edit: (m: any) => void): Promise<{ code: number; text: string }> {
    const manifest = JSON.parse(JSON.stringify(good.manifest));
    edit(manifest);
    const envelope = { manifest, hash: hashCanonical(manifest), signature: { ...good.signature, value: signDetached(canonicalJson(manifest), t.publisher.secretKey) } };
    const d = path.join(dir, name);
    mkdirSync(path.join(d, 'releases'), { recursive: true });
    writeFileSync(path.join(d, 'contamos.json'), JSON.stringify(wellKnown));
    writeFileSync(path.join(d, 'releases', `${manifest.id}.json`), JSON.stringify(envelope));
    const out: string[] = [];
    const code = await audit(['--dir', d, '--lang', 'en'], { stdout: (s) => out.push(s), stderr: (s) => out.push(s) });
    return { code, text: out.join('') };
  }

  it('passes the release as published', async () => {
    const r = await auditEdited('good', () => undefined);
    expect(r.code, r.text).toBe(0);
    expect(r.text).toMatch(/\[OK +\] 4b\. Differential privacy: consistency, noise and budget/);
  });

  it('catches counts that do not add up to their margin', async () => {
    const r = await auditEdited('inconsistent', (m) => {
      const c = m.tables[0].cells.find((x: any) => x.key.region === 'PE-LMA' && x.key.year === '2023');
      c.count += 1;
    });
    expect(r.code).toBe(1);
    expect(r.text).toMatch(/inconsistent/);
  });

  it('catches a noise scale that does not match the budget', async () => {
    const r = await auditEdited('scale', (m) => { m.dp.sigma2 = m.dp.sigma2 / 4; });
    expect(r.code).toBe(1);
    expect(r.text).toMatch(/sigma2/);
  });

  it('catches a ledger that spends beyond the series budget', async () => {
    const r = await auditEdited('ledger', (m) => { m.dp.ledger.total = '0.25'; });
    expect(r.code).toBe(1);
    expect(r.text).toMatch(/budget ledger/);
  });
});
