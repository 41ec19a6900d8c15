// End to end over the API, on SQLite and PostgreSQL: three organisations submit a year of reports
// (with the same incidents reported by several of them, withdrawals and an amendment), a publisher
// cuts a release; totals equal the de-duplicated counts computed here independently, no count in
// 1..k−1 is published, inclusion proofs verify, a second release chains to the first and hides
// small changes, and every refusal writes nothing.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import request from 'supertest';
import { canonicalJson, dedupeTag, hashCanonical, merkleRoot, signDetached, verifyDetached, verifyInclusion, verifyReceipt } from '../../crypto/index.js';
import { enrolMember, newId, sampleReport, signed, startTestApp, type SigningKey, type TestApp } from '../helpers/app.js';
import { providers, tableContents } from '../helpers/databases.js';
import { cellOf, publish } from '../helpers/releases.js';
import { unpackLeaves } from '../../server/services/releases.js';

const SECRET = Buffer.alloc(32, 7).toString('base64');
const REGIONS = ['PE-LMA', 'PE-LMA', 'PE-LMA', 'PE-CAL', 'PE-ARE', 'PE-MDD', 'PE-CUS'];
const TYPES = ['homicide', 'disappearance', 'extortion', 'threat'];

describe.each(providers)('releases over the API (%s)', (provider) => {
  let t: TestApp;
  let orgs: SigningKey[];
  const receipts = new Map<string, { reportId: string; reportHash: string; org: number }>();
  /** What the test itself knows was submitted and is still active: incident key → fields. */
  const incidents = new Map<string, { region: string; incidentType: string }>();

  beforeAll(async () => {
    t = await startTestApp(provider);
    orgs = [await enrolMember(t), await enrolMember(t), await enrolMember(t)];
    let n = 0;
    for (let i = 0; i < 90; i++) {
      const region = REGIONS[i % REGIONS.length]!;
      const incidentType = TYPES[(i * 7) % TYPES.length]!;
      const fields = { region, incidentType, ...(incidentType === 'disappearance' ? { outcome: 'still-missing' } : {}) };
      const tag = dedupeTag(SECRET, `victima ${i}`);
      // every 3rd incident is also known to a second organisation, every 10th to all three
      const reporters = i % 10 === 0 ? [0, 1, 2] : i % 3 === 0 ? [i % 3, (i + 1) % 3] : [i % 3];
      for (const o of reporters) {
        const id = newId();
        const res = await signed(t.app, 'PUT', `/api/v1/reports/${id}`, orgs[o]!, sampleReport(t, { ...fields, dedupeTag: tag }));
        expect(res.status).toBe(201);
        receipts.set(id, { reportId: id, reportHash: res.body.reportHash, org: o });
        n++;
      }
      incidents.set(tag, { region, incidentType });
    }
    // untagged reports count as their own incidents
    for (let i = 0; i < 12; i++) {
      const id = newId();
      const res = await signed(t.app, 'PUT', `/api/v1/reports/${id}`, orgs[i % 3]!, sampleReport(t, { region: 'PE-LMA', incidentType: 'extortion' }));
      receipts.set(id, { reportId: id, reportHash: res.body.reportHash, org: i % 3 });
      incidents.set(id, { region: 'PE-LMA', incidentType: 'extortion' });
    }
    // a withdrawn report is not counted
    const w = newId();
    await signed(t.app, 'PUT', `/api/v1/reports/${w}`, orgs[0]!, sampleReport(t, { region: 'PE-PUN' }));
    await signed(t.app, 'POST', `/api/v1/reports/${w}/withdraw`, orgs[0]!);
    // an amended report is counted once, with its new values
    const a1 = newId();
    const a2 = newId();
    await signed(t.app, 'PUT', `/api/v1/reports/${a1}`, orgs[1]!, sampleReport(t, { region: 'PE-LOR', incidentType: 'threat' }));
    const am = await signed(t.app, 'PUT', `/api/v1/reports/${a2}`, orgs[1]!, sampleReport(t, { region: 'PE-LMA', incidentType: 'homicide', supersedes: a1 }));
    receipts.set(a2, { reportId: a2, reportHash: am.body.reportHash, org: 1 });
    incidents.set(a2, { region: 'PE-LMA', incidentType: 'homicide' });
    expect(n).toBeGreaterThan(90);
  });
  afterAll(async () => t?.close());

  const request2023 = {
    series: 'anual',
    filter: { year: 2023 },
    tables: [
      ['year', 'region'],
      ['year', 'incidentType'],
    ],
    k: 3,
  };
  let first: Awaited<ReturnType<typeof publish>>;

  it('publishes a signed release whose totals equal the de-duplicated counts', async () => {
    first = await publish(t, request2023);
    const m = first.manifest;
    expect(m).toMatchObject({ id: 'anual-1', series: 'anual', sequence: 1, previousHash: null, k: 3, method: 'suppression' });
    expect(first.hash).toBe(hashCanonical(m));
    expect(verifyDetached(first.signature.value, canonicalJson(m), t.publisher.publicKey)).toBe(true);
    const total = cellOf(m, 0, { year: '2023', region: '*' });
    expect(total).toMatchObject({ count: incidents.size, suppressed: false });
    expect(cellOf(m, 1, { year: '2023', incidentType: '*' }).count).toBe(incidents.size);
    const lima = [...incidents.values()].filter((x) => x.region === 'PE-LMA').length;
    expect(cellOf(m, 0, { year: '2023', region: 'PE-LMA' })).toMatchObject({ count: lima, suppressed: false });
    expect(cellOf(m, 0, { year: '2023', region: 'PE-PUN' })).toMatchObject({ count: 0, suppressed: false });
    for (const table of m.tables)
      for (const c of table.cells) {
        if (c.suppressed) expect(c.count).toBeNull();
        else expect(c.count === 0 || c.count >= 3, JSON.stringify(c)).toBe(true);
      }
    // every leaf: each organisation's reports, duplicates included, and one random leaf (so equal
    // report sets never give equal roots); no count of them is published
    const stored = await t.db.prisma.release.findUniqueOrThrow({ where: { id: 'anual-1' }, select: { leaves: true } });
    const leaves = unpackLeaves(stored.leaves);
    const reportHashes = new Set([...receipts.values()].map((r) => r.reportHash));
    expect(leaves.filter((l) => !reportHashes.has(l))).toHaveLength(1);
    expect(leaves.filter((l) => reportHashes.has(l))).toHaveLength(reportHashes.size);
    expect(m.merkle).toEqual({ scheme: 'contamos-smt-sha256', root: merkleRoot(leaves) });
    expect(m.merkle.root).not.toBe(merkleRoot([...reportHashes]));
  });

  it('gives each organisation an inclusion proof of its own reports only', async () => {
    let checked = 0;
    for (const r of [...receipts.values()].slice(0, 25)) {
      const res = await signed(t.app, 'GET', `/api/v1/releases/anual-1/proof/${r.reportId}`, orgs[r.org]!);
      expect(res.status).toBe(200);
      expect(res.body.proof.leaf).toBe(r.reportHash);
      expect(Object.keys(res.body.proof).sort()).toEqual(['leaf', 'path', 'scheme']); // no index, no tree size
      expect(verifyInclusion(res.body.proof, first.manifest.merkle.root)).toBe(true);
      const other = await signed(t.app, 'GET', `/api/v1/releases/anual-1/proof/${r.reportId}`, orgs[(r.org + 1) % 3]!);
      expect(other.status).toBe(404);
      checked++;
    }
    expect(checked).toBe(25);
  });

  it('serves the release publicly as JSON and CSV, and lists it', async () => {
    const list = await request(t.app).get('/api/v1/releases');
    expect(list.body.items.map((x: { id: string }) => x.id)).toContain('anual-1');
    const json = await request(t.app).get('/api/v1/releases/anual-1');
    expect(json.body).toEqual(first);
    const csv = await request(t.app).get('/api/v1/releases/anual-1.csv');
    expect(csv.headers['content-type']).toMatch(/text\/csv/);
    expect(csv.text.charCodeAt(0)).toBe(0xfeff);
    const lines = csv.text.trim().split(/\r?\n/);
    // one row per figure: a figure shown in several tables (or the all-years margin of a one-year release) is one row
    const figures = new Set(
      first.manifest.tables.flatMap((tb: { cells: Array<{ key: Record<string, string> }> }) =>
        tb.cells.map((c) => {
          const key = { ...c.key, year: c.key.year === '*' ? '2023' : c.key.year };
          return ['year', 'region', 'incidentType'].map((d) => (key as Record<string, string>)[d] ?? '*').join('|');
        }),
      ),
    );
    expect(lines).toHaveLength(figures.size + 1);
    expect(lines[0]!.replace(/^\uFEFF/, '').split(',')).toEqual(
      expect.arrayContaining(['release_id', 'count', 'status', 'region_code', 'region_label_es', 'region_level']),
    );
  });

  it('chains a second release, and hides a change of fewer than k incidents', async () => {
    // one late report in Arequipa: a change of 1
    const late = newId();
    await signed(t.app, 'PUT', `/api/v1/reports/${late}`, orgs[2]!, sampleReport(t, { region: 'PE-ARE', incidentType: 'threat' }));
    const second = await publish(t, request2023);
    expect(second.manifest).toMatchObject({ id: 'anual-2', sequence: 2, previousHash: first.hash });
    const before = first.manifest.tables.flatMap((tb: any) => tb.cells);
    const after = second.manifest.tables.flatMap((tb: any) => tb.cells);
    let compared = 0;
    for (const c of after) {
      const old = before.find((o: any) => canonicalJson(o.key) === canonicalJson(c.key));
      if (!old || old.suppressed || c.suppressed) continue;
      compared++;
      const d = Math.abs(c.count - old.count);
      expect(d === 0 || d >= 3, `${JSON.stringify(c.key)}: ${old.count} → ${c.count}`).toBe(true);
    }
    expect(compared).toBeGreaterThan(5);
    expect(
      cellOf(second.manifest, 0, { year: '2023', region: 'PE-ARE' }).suppressed || cellOf(first.manifest, 0, { year: '2023', region: 'PE-ARE' }).suppressed,
    ).toBe(true);
  });

  it('refuses bad release requests and bad signatures, writing nothing', async () => {
    const before = await tableContents(t.testDb);
    const unsigned = await request(t.app).post('/api/v1/releases').set('content-type', 'application/json').send(JSON.stringify(request2023));
    expect([unsigned.status, unsigned.body.error.code]).toEqual([401, 'signature_missing']);
    const byMember = await signed(t.app, 'POST', '/api/v1/releases', orgs[0]!, request2023);
    expect([byMember.status, byMember.body.error.code]).toEqual([403, 'forbidden_role']);
    for (const bad of [
      { ...request2023, k: 1 },
      { ...request2023, tables: [['year', 'victimName']] },
      { ...request2023, extra: 1 },
      { ...request2023, series: 'Año 2023' },
    ]) {
      const res = await signed(t.app, 'POST', '/api/v1/releases', t.publisher, bad);
      expect([res.status, res.body.error.code]).toEqual([400, 'invalid_body']);
    }
    expect(await tableContents(t.testDb)).toEqual(before);
    // A year with no report is not refused (a refusal that depends on the count would tell a small
    // number without a log entry): it is published, every count 0.
    const empty = await signed(t.app, 'POST', '/api/v1/releases', t.publisher, { ...request2023, series: 'vacio', filter: { year: 2001 } });
    expect(empty.status).toBe(201);
    for (const table of empty.body.manifest.tables) for (const c of table.cells) expect(c).toMatchObject({ count: 0, suppressed: false });

    const draft = await signed(t.app, 'POST', '/api/v1/releases', t.publisher, request2023);
    const forged = signDetached(canonicalJson({ ...draft.body.manifest, tables: [] }), t.publisher.secretKey);
    const res = await signed(t.app, 'POST', `/api/v1/releases/drafts/${draft.body.draftId}/signature`, t.publisher, { signature: forged });
    expect([res.status, res.body.error.code]).toEqual([400, 'release_signature_invalid']);
    expect((await request(t.app).get('/api/v1/releases')).body.items).toHaveLength(2);
  });

  it('refuses a draft made stale by another release of the series (no fork)', async () => {
    const a = await signed(t.app, 'POST', '/api/v1/releases', t.publisher, request2023);
    const b = await signed(t.app, 'POST', '/api/v1/releases', t.publisher, request2023);
    expect(a.body.manifest.sequence).toBe(b.body.manifest.sequence);
    const sa = await signed(t.app, 'POST', `/api/v1/releases/drafts/${a.body.draftId}/signature`, t.publisher, {
      signature: signDetached(canonicalJson(a.body.manifest), t.publisher.secretKey),
    });
    expect(sa.status).toBe(201);
    const sb = await signed(t.app, 'POST', `/api/v1/releases/drafts/${b.body.draftId}/signature`, t.publisher, {
      signature: signDetached(canonicalJson(b.body.manifest), t.publisher.secretKey),
    });
    expect([sb.status, sb.body.error.code]).toEqual([409, 'release_stale']);
  });

  it('keeps releases immutable even against direct database writes', async () => {
    await expect(t.db.prisma.release.updateMany({ data: { manifest: '{}' } })).rejects.toThrow();
    await expect(t.db.prisma.release.deleteMany({})).rejects.toThrow();
    expect((await request(t.app).get('/api/v1/releases/anual-1')).body).toEqual(first);
  });

  it('receipts verify against the well-known receipt key', async () => {
    const wk = (await request(t.app).get('/.well-known/contamos.json')).body;
    const r = [...receipts.values()][0]!;
    const res = await signed(t.app, 'PUT', `/api/v1/reports/${newId()}`, orgs[0]!, sampleReport(t));
    expect(verifyReceipt(res.body, wk.receipt.publicKey)).toBe(true);
    expect(verifyReceipt({ ...res.body, reportHash: r.reportHash }, wk.receipt.publicKey)).toBe(false);
  });
});
