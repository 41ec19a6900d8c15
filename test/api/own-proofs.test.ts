// GET /api/v1/releases/:id/proofs, on SQLite and PostgreSQL: a member gets the inclusion proofs
// of ITS OWN reports in a release, page by page, each verifying against the signed manifest's
// root; withdrawn, superseded and other years' reports come without a proof. From the attacker's
// side: another member signing the same request sees only its own reports (never a hash or id of
// ours); an unsigned, replayed, revoked or steward-signed request gets nothing; a bad release id,
// cursor or limit is a 4xx with its stable code. Both providers
// run in one process with a release "anual-1" of different contents: the proofs cache (keyed by
// the manifest hash, not the id) must not serve one database's proofs for the other's.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import request from 'supertest';
import { signRequest, verifyInclusion } from '../../crypto/index.js';
import { enrolMember, newId, sampleReport, signed, startTestApp, type SigningKey, type TestApp } from '../helpers/app.js';
import { providers } from '../helpers/databases.js';
import { publish } from '../helpers/releases.js';

describe.each(providers)('inclusion proofs of a member’s own reports (%s)', (provider) => {
  let t: TestApp;
  let ours: SigningKey;
  let theirs: SigningKey;
  const mine = new Map<string, string>(); // id → reportHash, active 2023
  let withdrawn: string;
  let superseded: string;
  let otherYear: string;
  const theirIds: string[] = [];
  let release: { manifest: { id: string; merkle: { root: string } } };

  beforeAll(async () => {
    t = await startTestApp(provider);
    ours = await enrolMember(t);
    theirs = await enrolMember(t);
    const put = async (key: SigningKey, over: Record<string, unknown> = {}) => {
      const id = newId();
      const res = await signed(t.app, 'PUT', `/api/v1/reports/${id}`, key, sampleReport(t, over));
      expect(res.status).toBe(201);
      return { id, hash: res.body.reportHash as string };
    };
    for (let i = 0; i < 7; i++) {
      const r = await put(ours, { incidentType: 'extortion' });
      mine.set(r.id, r.hash);
    }
    withdrawn = (await put(ours)).id;
    expect((await signed(t.app, 'POST', `/api/v1/reports/${withdrawn}/withdraw`, ours)).status).toBe(200);
    superseded = (await put(ours, { incidentType: 'threat' })).id;
    const amendment = await put(ours, { incidentType: 'homicide', supersedes: superseded });
    mine.set(amendment.id, amendment.hash);
    otherYear = (await put(ours, { year: 2024 })).id;
    for (let i = 0; i < 6; i++) theirIds.push((await put(theirs, { incidentType: 'extortion' })).id);
    release = await publish(t, { series: 'anual', filter: { year: 2023 }, tables: [['year', 'incidentType']], k: 5 });
  });
  afterAll(async () => t?.close());

  async function allPages(key: SigningKey, limit: number) {
    const items: Array<{ reportId: string; reportHash: string; status: string; year: number; proof: any }> = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const res = await signed(t.app, 'GET', `/api/v1/releases/${release.manifest.id}/proofs?limit=${limit}${cursor ? `&cursor=${cursor}` : ''}`, key);
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      expect(res.body.releaseId).toBe(release.manifest.id);
      items.push(...res.body.items);
      cursor = res.body.nextCursor;
      pages++;
    } while (cursor);
    return { items, pages };
  }

  it('lists every own report once, page by page, with a proof that verifies against the signed root', async () => {
    const { items, pages } = await allPages(ours, 4);
    expect(pages).toBe(3); // 11 own reports, 4 a page
    expect(items.map((i) => i.reportId).sort()).toEqual([...mine.keys(), withdrawn, superseded, otherYear].sort());
    for (const it of items) {
      if (mine.has(it.reportId)) {
        expect(it.reportHash).toBe(mine.get(it.reportId));
        expect(it.proof.leaf).toBe(it.reportHash);
        expect(verifyInclusion(it.proof, release.manifest.merkle.root)).toBe(true);
      } else {
        expect(it.proof).toBeNull();
      }
    }
    const state = Object.fromEntries(items.map((i) => [i.reportId, `${i.status} ${i.year}`]));
    expect(state[withdrawn]).toBe('withdrawn 2023');
    expect(state[superseded]).toBe('superseded 2023');
    expect(state[otherYear]).toBe('active 2024');
  });

  it('shows another member only its own reports: none of ours, by id or by hash', async () => {
    const { items } = await allPages(theirs, 100);
    expect(items.map((i) => i.reportId).sort()).toEqual([...theirIds].sort());
    const text = JSON.stringify(items);
    for (const [id, hash] of mine) {
      expect(text).not.toContain(id);
      expect(text).not.toContain(hash);
    }
  });

  it('refuses unsigned, replayed and non-member requests, and bad paths or queries', async () => {
    const url = `/api/v1/releases/${release.manifest.id}/proofs`;
    expect((await request(t.app).get(url)).body.error.code).toBe('signature_missing');
    const sig = await signRequest({ method: 'GET', url, body: '' }, { keyId: ours.keyId, secretKey: ours.secretKey });
    const once = await request(t.app).get(url).set(sig);
    expect(once.status).toBe(200);
    const again = await request(t.app).get(url).set(sig);
    expect(again.status).toBe(401);
    expect(again.body.error.code).toBe('replayed_nonce');
    const steward = await signed(t.app, 'GET', url, t.steward);
    expect(steward.status).toBe(403);
    expect(steward.body.error.code).toBe('forbidden_role');
    expect((await signed(t.app, 'GET', '/api/v1/releases/anual-9/proofs', ours)).body.error.code).toBe('release_not_found');
    expect((await signed(t.app, 'GET', '/api/v1/releases/NOT_A_RELEASE/proofs', ours)).status).toBe(400);
    const bad = await signed(t.app, 'GET', `${url}?limit=1000`, ours);
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('invalid_query');
    expect((await signed(t.app, 'GET', `${url}?cursor=x`, ours)).body.error.code).toBe('invalid_query');
    expect((await signed(t.app, 'GET', `${url}?extra=1`, ours)).body.error.code).toBe('invalid_query');
  });

  it('a revoked member gets nothing', async () => {
    const gone = await enrolMember(t);
    expect((await signed(t.app, 'PUT', `/api/v1/reports/${newId()}`, gone, sampleReport(t))).status).toBe(201);
    expect((await signed(t.app, 'DELETE', `/api/v1/members/${gone.keyId}`, t.steward)).status).toBe(200);
    const res = await signed(t.app, 'GET', `/api/v1/releases/${release.manifest.id}/proofs`, gone);
    expect(res.status).toBe(403);
    expect(res.body.error.code).toBe('key_revoked');
  });
});
