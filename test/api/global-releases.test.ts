// The whole-server attacker model over the API, on SQLite and PostgreSQL: every draft shown is in
// the public publication log; a second series cannot undo the first; k is never below the server's
// minimum and never changes within a series; a dry run shows which cells would be hidden and nothing
// else; late reports can be held back so a series keeps its headline figures.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import request from 'supertest';
import { canonicalJson, hashCanonical, signDetached } from '../../crypto/index.js';
import { enrolMember, newId, sampleReport, signed, startTestApp, type SigningKey, type TestApp } from '../helpers/app.js';
import { providers, tableContents } from '../helpers/databases.js';
import { cellOf, publish } from '../helpers/releases.js';

const submit = async (t: TestApp, org: SigningKey, n: number, fields: Record<string, unknown>) => {
  for (let i = 0; i < n; i++) {
    const res = await signed(t.app, 'PUT', `/api/v1/reports/${newId()}`, org, sampleReport(t, fields));
    expect(res.status).toBe(201);
  }
};

describe.each(providers)('one attacker model for the whole server (%s)', (provider) => {
  let t: TestApp;
  let org: SigningKey;
  beforeAll(async () => {
    t = await startTestApp(provider, { minK: 5 });
    org = await enrolMember(t);
    // 2023: Lima 40, Cusco 30, Arequipa 12, Cajamarca 4, Loreto 5 (homicides); a few extortions in Lima
    for (const [region, n] of [
      ['PE-LMA', 40],
      ['PE-CUS', 30],
      ['PE-ARE', 12],
      ['PE-CAJ', 4],
      ['PE-LOR', 5],
    ] as const)
      await submit(t, org, n, { region, incidentType: 'homicide' });
    await submit(t, org, 9, { region: 'PE-LMA', incidentType: 'extortion' });
  });
  afterAll(async () => t?.close());

  const byRegion = { series: 'peru-2023', filter: { year: 2023 }, tables: [['year', 'region']] };

  it('refuses k below the server minimum, before counting anything, and writes nothing', async () => {
    const before = await tableContents(t.testDb);
    const res = await signed(t.app, 'POST', '/api/v1/releases', t.publisher, { ...byRegion, k: 2 });
    expect([res.status, res.body.error?.code]).toEqual([400, 'k_below_minimum']);
    const dry = await signed(t.app, 'POST', '/api/v1/releases/dry-run', t.publisher, { ...byRegion, k: 2 });
    expect([dry.status, dry.body.error?.code]).toEqual([400, 'k_below_minimum']);
    expect(await tableContents(t.testDb)).toEqual(before);
  });

  it('a dry run of a year no publication has used is refused, and logs nothing', async () => {
    const before = await tableContents(t.testDb);
    const dry = await signed(t.app, 'POST', '/api/v1/releases/dry-run', t.publisher, byRegion);
    expect([dry.status, dry.body.error?.code]).toEqual([409, 'dry_run_unpublished_year']);
    const log = await request(t.app).get('/api/v1/publications');
    expect(log.body.items).toEqual([]);
    const { Nonce: _n, ...rest } = await tableContents(t.testDb);
    const { Nonce: _m, ...restBefore } = before;
    expect(rest).toEqual(restBefore);
  });

  it('every draft shown is in the public log, signed or not, chained by hash', async () => {
    const draft = await signed(t.app, 'POST', '/api/v1/releases', t.publisher, byRegion);
    expect(draft.status).toBe(201);
    expect(draft.body.manifest).toMatchObject({
      formatVersion: 2,
      publication: { index: 1, previousHash: null },
      data: [{ year: 2023, version: 1, since: null, heldBack: false }],
    });
    const log = await request(t.app).get('/api/v1/publications');
    expect(log.body.items).toEqual([{ index: 1, id: 'peru-2023-1', series: 'peru-2023', sequence: 1, kind: 'draft', hash: draft.body.hash }]);
    const entry = await request(t.app).get('/api/v1/publications/1');
    expect(entry.body).toEqual({ manifest: draft.body.manifest, hash: draft.body.hash, signature: null });
    expect(hashCanonical(entry.body.manifest)).toBe(draft.body.hash);
    // now a dry run answers, on the data that draft used: which cells would be hidden, no counts,
    // and nothing logged
    const dry = await signed(t.app, 'POST', '/api/v1/releases/dry-run', t.publisher, byRegion);
    expect(dry.status).toBe(200);
    expect(JSON.stringify(dry.body)).not.toMatch(/"count"/);
    expect(dry.body.data).toEqual([{ year: 2023, version: 1, since: null, heldBack: false }]);
    expect(dry.body.tables[0].hiddenCells).toContainEqual({ year: '2023', region: 'PE-CAJ' });
    expect((await request(t.app).get('/api/v1/publications')).body.items).toHaveLength(1);
    // the publisher signs it: the same entry becomes a release
    const signature = signDetached(canonicalJson(draft.body.manifest), t.publisher.secretKey);
    const res = await signed(t.app, 'POST', `/api/v1/releases/drafts/${draft.body.draftId}/signature`, t.publisher, { signature });
    expect(res.status).toBe(201);
    const after = await request(t.app).get('/api/v1/publications');
    expect(after.body.items[0].kind).toBe('release');
    expect((await request(t.app).get('/api/v1/publications/2')).status).toBe(404);
    expect((await request(t.app).get('/api/v1/publications/0')).status).toBe(400);
  });

  it('a second series over the same data cannot undo the first, and its k is fixed by its first release', async () => {
    const first = (await request(t.app).get('/api/v1/releases/peru-2023-1')).body.manifest;
    expect(cellOf(first, 0, { year: '2023', region: 'PE-CAJ' }).suppressed).toBe(true);
    const anual = await publish(t, {
      series: 'anual',
      filter: { year: 2023 },
      tables: [
        ['year', 'region'],
        ['year', 'incidentType'],
      ],
    });
    expect(anual.manifest.publication.index).toBe(2);
    // whatever the first release left hidden to protect Cajamarca, the second keeps hidden or
    // keeps consistent: no cell published in one and its complement published in the other
    const caj = cellOf(anual.manifest, 0, { year: '2023', region: 'PE-CAJ' });
    expect(caj.suppressed).toBe(true);
    const hiddenBefore = first.tables[0].cells.filter((c: { suppressed: boolean }) => c.suppressed).length;
    const known = (m: any, region: string) => !cellOf(m, 0, { year: '2023', region }).suppressed;
    // every region hidden in the first release is either still hidden or was a secondary whose
    // publication pins nothing: at least two hidden regions remain (Cajamarca and a partner)
    const stillHidden = ['PE-LMA', 'PE-CUS', 'PE-ARE', 'PE-CAJ', 'PE-LOR'].filter((r) => !known(first, r) && !known(anual.manifest, r));
    expect(stillHidden.length).toBeGreaterThanOrEqual(2);
    expect(hiddenBefore).toBeGreaterThanOrEqual(2);
    const k3 = await signed(t.app, 'POST', '/api/v1/releases', t.publisher, { series: 'anual', filter: { year: 2023 }, tables: [['year', 'region']], k: 7 });
    expect([k3.status, k3.body.error?.code]).toEqual([409, 'series_k_fixed']);
  });

  it('holds back late reports of a year when they would hide a headline figure of the series', async () => {
    await submit(t, org, 2, { region: 'PE-ARE', incidentType: 'homicide' });
    const plain = await signed(t.app, 'POST', '/api/v1/releases/dry-run', t.publisher, {
      series: 'anual',
      filter: { year: 2023 },
      tables: [
        ['year', 'region'],
        ['year', 'incidentType'],
      ],
    });
    expect(plain.status).toBe(200);
    // a dry run looks only at data a publication used (it must not show, by hiding the 2023 total,
    // that its pending change is small): 2023 at the published version, the total not hidden
    expect(plain.body.data).toEqual([{ year: 2023, version: 1, since: null, heldBack: false }]);
    expect(plain.body.tables[0].hiddenCells).not.toContainEqual({ year: '2023', region: '*' });
    const held = await publish(t, {
      series: 'anual',
      filter: { year: 2023 },
      tables: [
        ['year', 'region'],
        ['year', 'incidentType'],
      ],
      holdBack: 'auto',
    });
    expect(held.manifest.data).toEqual([{ year: 2023, version: 1, since: null, heldBack: true }]);
    expect(cellOf(held.manifest, 0, { year: '2023', region: '*' })).toMatchObject({ suppressed: false, count: 100 });
    // the dry run said what this release hides
    expect(held.manifest.tables.map((tb: any) => tb.cells.filter((c: any) => c.suppressed).map((c: any) => c.key))).toEqual(
      plain.body.tables.map((tb: any) => tb.hiddenCells),
    );
  });
});
