// API tests of intake, on SQLite and on PostgreSQL: enrolment, submission, idempotency,
// conflicts, withdrawal, amendment, and every refusal named in the intake issue — each refusal
// also checked to have written nothing.
import net, { type AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import request from 'supertest';
import { generateSigningKeyPair, openNarrative, signRequest, verifyReceipt } from '../../crypto/index.js';
import { enrolMember, newId, sampleReport, signed, startTestApp, type SigningKey, type TestApp } from '../helpers/app.js';
import { pinMinute } from '../helpers/rate-limits.js';
import { providers, tableContents } from '../helpers/databases.js';

describe.each(providers)('intake API on %s', (provider) => {
  let t: TestApp;
  let org: SigningKey;
  let other: SigningKey;

  beforeAll(async () => {
    t = await startTestApp(provider);
    org = await enrolMember(t);
    other = await enrolMember(t);
  });
  afterAll(async () => t?.close());

  /** Runs `fn` and asserts that no table changed. */
  async function writesNothing(fn: () => Promise<unknown>) {
    const before = await tableContents(t.testDb);
    await fn();
    expect(await tableContents(t.testDb)).toEqual(before);
  }

  it('serves health, taxonomy and the well-known key document', async () => {
    expect((await request(t.app).get('/api/v1/health')).body).toEqual({ status: 'ok' });
    const tax = (await request(t.app).get('/api/v1/taxonomy')).body;
    expect(tax.version).toMatch(/\d/);
    expect(tax.fields.incidentType.codes.find((c: { code: string }) => c.code === 'extortion').label.es).toMatch(/cupos/);
    const wk = (await request(t.app).get('/.well-known/contamos.json')).body;
    expect(wk.steward.sealPublicKey).toBe(t.steward.sealPublicKey);
    expect(wk.publishers[0].publicKey).toBe(t.publisher.publicKey);
    expect(JSON.stringify(wk)).not.toContain(t.steward.secretKey);
  });

  it('enrols with a one-time invite, stores only pseudonym and public key', async () => {
    const inv = await signed(t.app, 'POST', '/api/v1/invites', t.steward, { ttlHours: 1 });
    expect(inv.status).toBe(201);
    const kp = generateSigningKeyPair();
    const ok = await request(t.app).post('/api/v1/enrol').set('content-type', 'application/json').send({ invite: inv.body.invite, publicKey: kp.publicKey });
    expect(ok.status).toBe(201);
    expect(ok.body.keyId).toMatch(/^m-/);
    const again = await request(t.app)
      .post('/api/v1/enrol')
      .set('content-type', 'application/json')
      .send({ invite: inv.body.invite, publicKey: generateSigningKeyPair().publicKey });
    expect(again.status).toBe(400);
    expect(again.body.error.code).toBe('invite_invalid');
    const m = await t.db.prisma.member.findUnique({ where: { keyId: ok.body.keyId } });
    expect(Object.keys(m!).sort()).toEqual(['keyId', 'organisation', 'publicKey', 'quarantined', 'revoked']);
    expect(m!.organisation).toBeNull(); // its own organisation: the invite was not made for another's
    const invites = await t.db.prisma.invite.findMany();
    expect(JSON.stringify(invites)).not.toContain(inv.body.invite);
  });

  it('refuses an expired invite and a member-signed invite request', async () => {
    const inv = await signed(t.app, 'POST', '/api/v1/invites', t.steward, { ttlHours: 1 });
    t.clock.offset = 2 * 3600;
    try {
      const res = await request(t.app)
        .post('/api/v1/enrol')
        .set('content-type', 'application/json')
        .send({ invite: inv.body.invite, publicKey: generateSigningKeyPair().publicKey });
      expect(res.body.error.code).toBe('invite_invalid');
    } finally {
      t.clock.offset = 0;
    }
    const byMember = await signed(t.app, 'POST', '/api/v1/invites', org, {});
    expect(byMember.status).toBe(403);
    expect(byMember.body.error.code).toBe('forbidden_role');
  });

  it('submits a report and returns a verifiable signed receipt; the steward can open the narrative', async () => {
    const id = newId();
    const body = sampleReport(t);
    const res = await signed(t.app, 'PUT', `/api/v1/reports/${id}`, org, body);
    expect(res.status).toBe(201);
    expect(res.body.reportId).toBe(id);
    expect(verifyReceipt(res.body, t.keys.receipt.publicKey)).toBe(true);
    const row = await t.db.prisma.report.findUnique({ where: { id } });
    expect(row?.status).toBe('active');
    expect(row?.reportHash).toBe(res.body.reportHash);
    expect(Object.keys(row!).some((k) => /time|date|created|updated|at$/i.test(k))).toBe(false);
    const dl = await signed(t.app, 'GET', '/api/v1/steward/reports?limit=500', t.steward);
    expect(dl.status).toBe(200);
    const mine = dl.body.items.find((r: { id: string }) => r.id === id);
    expect(openNarrative(mine.sealedNarrative, t.steward.sealPublicKey, t.steward.sealSecretKey)).toMatch(/Testimonio de prueba/);
    expect(mine.memberKeyId).toBeUndefined();
  });

  it('is idempotent: the same body again gives 200 and the same receipt; a different body 409', async () => {
    const id = newId();
    const body = sampleReport(t);
    const first = await signed(t.app, 'PUT', `/api/v1/reports/${id}`, org, body);
    const second = await signed(t.app, 'PUT', `/api/v1/reports/${id}`, org, body);
    expect(first.status).toBe(201);
    expect(second.status).toBe(200);
    expect(second.body).toEqual(first.body);
    await writesNothing(async () => {
      const conflict = await signed(t.app, 'PUT', `/api/v1/reports/${id}`, org, { ...body, year: 2022 });
      expect(conflict.status).toBe(409);
      expect(conflict.body.error.code).toBe('report_conflict');
      // another member's id is answered as a missing report (test/adversarial/oracles.test.ts)
      const otherOrg = await signed(t.app, 'PUT', `/api/v1/reports/${id}`, other, body);
      expect([otherOrg.status, otherOrg.body.error.code]).toEqual([404, 'report_not_found']);
    });
  });

  it('lists and reads only its own reports; another member sees 404', async () => {
    const id = newId();
    await signed(t.app, 'PUT', `/api/v1/reports/${id}`, org, sampleReport(t));
    const own = await signed(t.app, 'GET', `/api/v1/reports/${id}`, org);
    expect(own.status).toBe(200);
    expect(own.body.status).toBe('active');
    const theirs = await signed(t.app, 'GET', `/api/v1/reports/${id}`, other);
    expect(theirs.status).toBe(404);
    expect(theirs.body.error.code).toBe('report_not_found');
    const page1 = await signed(t.app, 'GET', '/api/v1/reports?limit=1', org);
    expect(page1.status).toBe(200);
    expect(page1.body.items).toHaveLength(1);
    expect(page1.body.nextCursor).toBeTruthy();
    const all: string[] = [];
    let cursor: string | null = null;
    do {
      const q: string = cursor ? `?limit=2&cursor=${cursor}` : '?limit=2';
      const p = await signed(t.app, 'GET', `/api/v1/reports${q}`, org);
      all.push(...p.body.items.map((r: { id: string }) => r.id));
      cursor = p.body.nextCursor;
    } while (cursor);
    expect(all).toContain(id);
    expect(new Set(all).size).toBe(all.length);
    const theirList = await signed(t.app, 'GET', '/api/v1/reports?limit=500', other);
    expect(theirList.body.items.map((r: { id: string }) => r.id)).not.toContain(id);
  });

  it('withdraws its own report (idempotently) but not another member’s', async () => {
    const id = newId();
    await signed(t.app, 'PUT', `/api/v1/reports/${id}`, org, sampleReport(t));
    await writesNothing(async () => {
      const theirs = await signed(t.app, 'POST', `/api/v1/reports/${id}/withdraw`, other);
      expect(theirs.status).toBe(404);
    });
    const w = await signed(t.app, 'POST', `/api/v1/reports/${id}/withdraw`, org);
    expect(w.status).toBe(200);
    expect(w.body.status).toBe('withdrawn');
    const again = await signed(t.app, 'POST', `/api/v1/reports/${id}/withdraw`, org, {});
    expect(again.body.status).toBe('withdrawn');
    expect((await t.db.prisma.report.findUnique({ where: { id } }))?.status).toBe('withdrawn');
  });

  it('amends by a new report that supersedes its own; not another member’s, not twice', async () => {
    const oldId = newId();
    await signed(t.app, 'PUT', `/api/v1/reports/${oldId}`, org, sampleReport(t, { incidentType: 'disappearance', outcome: 'still-missing' }));
    const newRep = newId();
    await writesNothing(async () => {
      const theirs = await signed(t.app, 'PUT', `/api/v1/reports/${newId()}`, other, sampleReport(t, { supersedes: oldId }));
      expect(theirs.status).toBe(404);
    });
    const amend = await signed(
      t.app,
      'PUT',
      `/api/v1/reports/${newRep}`,
      org,
      sampleReport(t, { incidentType: 'disappearance', outcome: 'found-dead', supersedes: oldId }),
    );
    expect(amend.status).toBe(201);
    const old = await signed(t.app, 'GET', `/api/v1/reports/${oldId}`, org);
    expect(old.body).toMatchObject({ status: 'superseded', supersededBy: newRep });
    await writesNothing(async () => {
      const twice = await signed(t.app, 'PUT', `/api/v1/reports/${newId()}`, org, sampleReport(t, { supersedes: oldId }));
      expect(twice.status).toBe(409);
      expect(twice.body.error.code).toBe('report_not_active');
      const w = await signed(t.app, 'POST', `/api/v1/reports/${oldId}/withdraw`, org);
      expect(w.status).toBe(409);
    });
  });

  it('answers the same whether the app serves intake directly or express routes it (http/direct-routes.ts)', async () => {
    // `/reports/<id>` is served directly; `/reports/<id>/` (a trailing slash) only express routes.
    const urls = (id: string) => [`/api/v1/reports/${id}`, `/api/v1/reports/${id}/`];
    const comparable = (r: request.Response) => ({
      status: r.status,
      body: r.body,
      headers: Object.fromEntries(
        Object.entries(r.headers)
          .filter(([k]) => k !== 'date')
          .map(([k, v]) => [k, k === 'content-length' ? 'n' : v]),
      ),
    });
    const body = sampleReport(t);
    const answers = [];
    for (const [k, id] of [newId(), newId()].entries()) {
      const url = urls(id)[k]!;
      const logged = t.logs.length;
      const created = await signed(t.app, 'PUT', url, org, body);
      const again = await signed(t.app, 'PUT', url, org, body);
      const conflict = await signed(t.app, 'PUT', url, org, { ...body, year: 2022 });
      const unsigned = await request(t.app).put(url).set('content-type', 'application/json').send(JSON.stringify(body));
      const forged = await signed(t.app, 'PUT', url, { ...org, secretKey: generateSigningKeyPair().secretKey }, body);
      const badBody = await signed(t.app, 'PUT', url, org, { ...body, unknownField: 1 });
      const wrongType = await signed(t.app, 'PUT', url, org, body, { contentType: 'text/plain' });
      expect(verifyReceipt(created.body, t.keys.receipt.publicKey)).toBe(true);
      expect(created.body.reportId).toBe(id);
      const routes = t.logs
        .slice(logged)
        .map((l) => JSON.parse(l))
        .filter((l) => l.msg === 'request')
        .map((l) => `${l.route} ${l.status}`);
      answers.push({ answers: [created, again, conflict, unsigned, forged, badBody, wrongType].map(comparable), routes });
    }
    const [direct, viaExpress] = answers;
    expect(direct!.answers.map((a) => a.status)).toEqual([201, 200, 409, 401, 401, 400, 415]);
    // the receipts differ only by report id (and so hash and signature)
    expect(viaExpress!.answers.slice(2)).toEqual(direct!.answers.slice(2));
    for (const k of [0, 1]) {
      expect(viaExpress!.answers[k]!.headers).toEqual(direct!.answers[k]!.headers);
      expect(Object.keys(viaExpress!.answers[k]!.body)).toEqual(Object.keys(direct!.answers[k]!.body));
    }
    expect(direct!.answers[0]!.headers['content-security-policy']).toContain("default-src 'self'");
    expect(direct!.routes).toEqual(['201', '200', '409', '401', '401', '400', '415'].map((s) => `/api/v1/reports/:id ${s}`));
    expect(viaExpress!.routes).toEqual(direct!.routes);
  });

  describe('refusals write nothing', () => {
    it('401 without a signature, with a bad one, a stale one, an unknown key, or a replay', async () => {
      const id = newId();
      const body = sampleReport(t);
      const text = JSON.stringify(body);
      await writesNothing(async () => {
        const none = await request(t.app).put(`/api/v1/reports/${id}`).set('content-type', 'application/json').send(text);
        expect([none.status, none.body.error.code]).toEqual([401, 'signature_missing']);

        const wrongKey = await signed(t.app, 'PUT', `/api/v1/reports/${id}`, { ...org, secretKey: generateSigningKeyPair().secretKey }, body);
        expect([wrongKey.status, wrongKey.body.error.code]).toEqual([401, 'signature_invalid']);

        const stale = await signed(t.app, 'PUT', `/api/v1/reports/${id}`, org, body, { created: Math.floor(Date.now() / 1000) - 3600 });
        expect([stale.status, stale.body.error.code]).toEqual([401, 'signature_expired']);

        const unknown = await signed(t.app, 'PUT', `/api/v1/reports/${id}`, { keyId: 'm-AAAAAAAAAAAAAAAA', ...generateSigningKeyPair() }, body);
        expect([unknown.status, unknown.body.error.code]).toEqual([401, 'signature_invalid']); // as a bad signature

        const sig = await signRequest({ method: 'PUT', url: `/api/v1/reports/${id}`, body: text }, org);
        const tampered = await request(t.app).put(`/api/v1/reports/${id}`).set(sig).set('content-type', 'application/json').send(text.replace('2023', '2022'));
        expect([tampered.status, tampered.body.error.code]).toEqual([401, 'digest_mismatch']);

        const otherPath = await request(t.app).put(`/api/v1/reports/${newId()}`).set(sig).set('content-type', 'application/json').send(text);
        expect([otherPath.status, otherPath.body.error.code]).toEqual([401, 'signature_invalid']);
      });
      const sig = await signRequest({ method: 'PUT', url: `/api/v1/reports/${id}`, body: text }, org);
      const first = await request(t.app).put(`/api/v1/reports/${id}`).set(sig).set('content-type', 'application/json').send(text);
      expect(first.status).toBe(201);
      await writesNothing(async () => {
        const replay = await request(t.app).put(`/api/v1/reports/${id}`).set(sig).set('content-type', 'application/json').send(text);
        expect([replay.status, replay.body.error.code]).toEqual([401, 'replayed_nonce']);
      });
      const getSig = await signRequest({ method: 'GET', url: `/api/v1/reports/${id}` }, org);
      expect((await request(t.app).get(`/api/v1/reports/${id}`).set(getSig)).status).toBe(200);
      const replayGet = await request(t.app).get(`/api/v1/reports/${id}`).set(getSig);
      expect([replayGet.status, replayGet.body.error.code]).toEqual([401, 'replayed_nonce']);
    });

    it('403 for a revoked key, at once', async () => {
      const gone = await enrolMember(t);
      // a submission first, so that any cache of the member's key is warm when it is revoked
      expect((await signed(t.app, 'PUT', `/api/v1/reports/${newId()}`, gone, sampleReport(t))).status).toBe(201);
      const rev = await signed(t.app, 'DELETE', `/api/v1/members/${gone.keyId}`, t.steward);
      expect(rev.status).toBe(200);
      await writesNothing(async () => {
        const res = await signed(t.app, 'PUT', `/api/v1/reports/${newId()}`, gone, sampleReport(t));
        expect([res.status, res.body.error.code]).toEqual([403, 'key_revoked']);
      });
      const byMember = await signed(t.app, 'DELETE', `/api/v1/members/${org.keyId}`, other);
      expect(byMember.status).toBe(403);
    });

    it('400 for unknown fields, unknown taxonomy values, wrong types, plaintext narratives, bad ids', async () => {
      const cases: Array<[string, unknown]> = [
        ['unknown field', sampleReport(t, { victimName: 'Ana' })],
        ['unknown region', sampleReport(t, { region: 'PE-XXX' })],
        ['unknown type', sampleReport(t, { incidentType: 'robbery' })],
        ['year as string', sampleReport(t, { year: '2023' })],
        ['future year', sampleReport(t, { year: new Date().getUTCFullYear() + 1 })],
        ['quarter 5', sampleReport(t, { quarter: 5 })],
        ['plaintext narrative', sampleReport(t, { sealedNarrative: Buffer.from('Ana fue asesinada en el Cercado').toString('base64') })],
        ['bad dedupe tag', sampleReport(t, { dedupeTag: 'abc' })],
        ['outcome on homicide', sampleReport(t, { outcome: 'found-dead' })],
        ['disappearance without outcome', sampleReport(t, { incidentType: 'disappearance' })],
        ['array body', [sampleReport(t)]],
        ['__proto__ key', JSON.parse(JSON.stringify(sampleReport(t)).replace('{', '{"__proto__":{"admin":true},'))],
      ];
      await writesNothing(async () => {
        for (const [name, body] of cases) {
          const res = await signed(t.app, 'PUT', `/api/v1/reports/${newId()}`, org, body);
          expect([name, res.status, res.body.error?.code]).toEqual([name, 400, 'invalid_body']);
        }
        const badJson = await signed(t.app, 'PUT', `/api/v1/reports/${newId()}`, org, '{"year": 2023,');
        expect([badJson.status, badJson.body.error.code]).toEqual([400, 'invalid_json']);
        const badId = await signed(t.app, 'PUT', '/api/v1/reports/not-a-uuid', org, sampleReport(t));
        expect([badId.status, badId.body.error.code]).toEqual([400, 'invalid_path']);
        const v1 = await signed(t.app, 'PUT', '/api/v1/reports/6ba7b810-9dad-11d1-80b4-00c04fd430c8', org, sampleReport(t));
        expect(v1.status).toBe(400);
      });
    });

    it('413 for a body over the limit, 415 for a wrong content type', async () => {
      await writesNothing(async () => {
        const huge = sampleReport(t, { sealedNarrative: 'A'.repeat(200_000) });
        const res = await signed(t.app, 'PUT', `/api/v1/reports/${newId()}`, org, huge);
        expect([res.status, res.body.error.code]).toEqual([413, 'payload_too_large']);
        const form = await signed(t.app, 'PUT', `/api/v1/reports/${newId()}`, org, JSON.stringify(sampleReport(t)), {
          contentType: 'application/x-www-form-urlencoded',
        });
        expect([form.status, form.body.error.code]).toEqual([415, 'unsupported_media_type']);
        const text = await signed(t.app, 'PUT', `/api/v1/reports/${newId()}`, org, JSON.stringify(sampleReport(t)), { contentType: 'text/plain' });
        expect(text.status).toBe(415);
      });
    });

    it('a forged signature gets 401 before any other refusal (400, 403, 409), whatever the body', async () => {
      // The signature is checked before the body, the key's state or the database is looked at.
      const forger = { ...org, secretKey: generateSigningKeyPair().secretKey };
      const id = newId();
      const stored = await signed(t.app, 'PUT', `/api/v1/reports/${id}`, org, sampleReport(t));
      expect(stored.status).toBe(201);
      const gone = await enrolMember(t);
      expect((await signed(t.app, 'DELETE', `/api/v1/members/${gone.keyId}`, t.steward)).status).toBe(200);
      await writesNothing(async () => {
        const cases: Array<[string, string, SigningKey, unknown]> = [
          ['unknown field', `/api/v1/reports/${newId()}`, forger, sampleReport(t, { victimName: 'Ana' })],
          ['bad json', `/api/v1/reports/${newId()}`, forger, '{"year": 2023,'],
          ['bad id', '/api/v1/reports/not-a-uuid', forger, sampleReport(t)],
          ['supersedes itself', `/api/v1/reports/${id}`, forger, sampleReport(t, { supersedes: id })],
          ['other body under a stored id', `/api/v1/reports/${id}`, forger, sampleReport(t, { year: 2022 })],
          ['amends a report not its own', `/api/v1/reports/${newId()}`, forger, sampleReport(t, { supersedes: newId() })],
          ['revoked key', `/api/v1/reports/${newId()}`, { ...gone, secretKey: generateSigningKeyPair().secretKey }, sampleReport(t)],
        ];
        for (const [name, url, key, body] of cases) {
          const res = await signed(t.app, 'PUT', url, key, body);
          expect([name, res.status, res.body.error?.code]).toEqual([name, 401, 'signature_invalid']);
        }
      });
    });

    it('errors are JSON with a code and a message, never a stack trace', async () => {
      const res = await request(t.app).get('/api/v1/nope');
      expect(res.status).toBe(404);
      expect(res.body).toEqual({ error: { code: 'not_found', message: expect.any(String) } });
      expect(JSON.stringify(res.body)).not.toMatch(/at \w+ \(|node_modules|\.ts:/);
    });
  });

  it('requests a member did not sign never count against its rate limit', async () => {
    const limited = await startTestApp(provider, { rateLimitPerMinute: 3 });
    pinMinute(limited); // the counted requests all fall in one minute of the server clock
    try {
      const member = await enrolMember(limited);
      const forger = { ...member, secretKey: generateSigningKeyPair().secretKey };
      for (let i = 0; i < 6; i++) {
        const res = await signed(limited.app, 'PUT', `/api/v1/reports/${newId()}`, forger, sampleReport(limited));
        expect([res.status, res.body.error.code]).toEqual([401, 'signature_invalid']);
      }
      // forged requests whose sender hangs up before the 401 is written do not count either
      const server = limited.app.listen(0, '127.0.0.1');
      await new Promise((r) => server.once('listening', r));
      try {
        const port = (server.address() as AddressInfo).port;
        for (let i = 0; i < 6; i++) {
          const url = `/api/v1/reports/${newId()}`;
          const text = JSON.stringify(sampleReport(limited));
          const headers = {
            host: `127.0.0.1:${port}`,
            'content-type': 'application/json',
            'content-length': String(Buffer.byteLength(text)),
            ...(await signRequest({ method: 'PUT', url, body: text }, forger)),
          };
          const socket = net.connect(port, '127.0.0.1');
          await new Promise((r) => socket.once('connect', r));
          socket.end(
            `PUT ${url} HTTP/1.1\r\n${Object.entries(headers)
              .map(([k, v]) => `${k}: ${v}`)
              .join('\r\n')}\r\n\r\n${text}`,
          );
          socket.destroy();
        }
        await new Promise((r) => setTimeout(r, 500)); // let the server finish with them
      } finally {
        await new Promise((r) => server.close(r));
      }
      const statuses: number[] = [];
      for (let i = 0; i < 4; i++) statuses.push((await signed(limited.app, 'PUT', `/api/v1/reports/${newId()}`, member, sampleReport(limited))).status);
      expect(statuses).toEqual([201, 201, 201, 429]);
    } finally {
      await limited.close();
    }
  });
});
