// No existence oracles (issue 16), from the attacker's side, on SQLite and PostgreSQL. Each probe
// is answered exactly as the case it must not be told apart from, and writes nothing it should not:
//   PUT of another member's report id   → as GET of an id that is not among one's own: 404 report_not_found
//   a key id nobody holds               → as a bad signature under an enrolled key id: 401 signature_invalid
//   a valid invite with an enrolled key → as a new enrolment: 201 and a key id; the invite is used up
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateSigningKeyPair } from '../../crypto/index.js';
import { enrolMember, newId, sampleReport, signed, startTestApp, type SigningKey, type TestApp } from '../helpers/app.js';
import { providers, tableContents } from '../helpers/databases.js';

/** What a client can compare: status, body and the headers that could differ. */
function answer(res: { status: number; body: unknown; headers: Record<string, string> }) {
  return { status: res.status, body: res.body, type: res.headers['content-type'], length: res.headers['content-length'] };
}

describe.each(providers)('no existence oracle (%s)', (provider) => {
  let t: TestApp;
  let victim: SigningKey;
  let attacker: SigningKey;
  beforeAll(async () => {
    t = await startTestApp(provider);
    victim = await enrolMember(t);
    attacker = await enrolMember(t);
  });
  afterAll(async () => t?.close());

  it('PUT to another member’s report id answers as GET of a missing id, and writes nothing', async () => {
    const theirs = newId();
    expect((await signed(t.app, 'PUT', `/api/v1/reports/${theirs}`, victim, sampleReport(t))).status).toBe(201);
    const before = await tableContents(t.testDb);
    const put = await signed(t.app, 'PUT', `/api/v1/reports/${theirs}`, attacker, sampleReport(t));
    const putSame = await signed(t.app, 'PUT', `/api/v1/reports/${theirs}`, attacker, sampleReport(t, { year: 2021 }));
    const missing = await signed(t.app, 'GET', `/api/v1/reports/${newId()}`, attacker);
    const getTheirs = await signed(t.app, 'GET', `/api/v1/reports/${theirs}`, attacker);
    const withdrawTheirs = await signed(t.app, 'POST', `/api/v1/reports/${theirs}/withdraw`, attacker);
    expect(answer(missing)).toMatchObject({ status: 404, body: { error: { code: 'report_not_found' } } });
    for (const probe of [put, putSame, getTheirs, withdrawTheirs]) expect(answer(probe)).toEqual(answer(missing));
    expect(await tableContents(t.testDb)).toEqual(before); // refusals consume no nonce either
    // the victim's report is untouched and still its own
    const own = await signed(t.app, 'GET', `/api/v1/reports/${theirs}`, victim);
    expect([own.status, own.body.status]).toEqual([200, 'active']);
  });

  it('a key id nobody holds is answered as a forged signature under an enrolled key id, on every signed route', async () => {
    const forger = generateSigningKeyPair();
    const routes: Array<['GET' | 'PUT' | 'POST' | 'DELETE', string, unknown]> = [
      ['PUT', `/api/v1/reports/${newId()}`, sampleReport(t)],
      ['GET', '/api/v1/reports', undefined],
      ['POST', `/api/v1/reports/${newId()}/withdraw`, undefined],
      ['GET', '/api/v1/steward/reports', undefined],
      ['POST', '/api/v1/invites', {}],
    ];
    for (const [method, url, body] of routes) {
      const forged = await signed(t.app, method, url, { keyId: victim.keyId, ...forger }, body);
      const unknown = await signed(t.app, method, url, { keyId: 'm-AAAAAAAAAAAAAAAAAAAAAAAA', ...forger }, body);
      const notMember = await signed(t.app, method, url, { keyId: 'steward-nobody', ...forger }, body);
      expect(answer(forged), `${method} ${url}`).toMatchObject({ status: 401, body: { error: { code: 'signature_invalid' } } });
      expect(answer(unknown), `${method} ${url}`).toEqual(answer(forged));
      expect(answer(notMember), `${method} ${url}`).toEqual(answer(forged));
    }
  });

  it('an enrolled key with a valid invite is answered as a new enrolment; the invite is used up; nothing else is written', async () => {
    const fresh = await signed(t.app, 'POST', '/api/v1/invites', t.steward, {});
    const probe = await signed(t.app, 'POST', '/api/v1/invites', t.steward, {});
    const members = await t.db.prisma.member.count();
    const newKey = generateSigningKeyPair();
    const real = await request(t.app)
      .post('/api/v1/enrol')
      .set('content-type', 'application/json')
      .send({ invite: fresh.body.invite, publicKey: newKey.publicKey });
    const again = await request(t.app)
      .post('/api/v1/enrol')
      .set('content-type', 'application/json')
      .send({ invite: probe.body.invite, publicKey: victim.publicKey });
    expect(real.status).toBe(201);
    expect({ ...answer(again), body: Object.keys(again.body) }).toEqual({ ...answer(real), body: Object.keys(real.body) });
    expect(again.body.keyId).toMatch(/^m-[A-Za-z0-9_-]{16}$/);
    expect(again.body.keyId).not.toBe(victim.keyId);
    expect(await t.db.prisma.member.count()).toBe(members + 1); // only the real enrolment
    // the invite is used up: it cannot test a second key
    const reuse = await request(t.app)
      .post('/api/v1/enrol')
      .set('content-type', 'application/json')
      .send({ invite: probe.body.invite, publicKey: attacker.publicKey });
    expect([reuse.status, reuse.body.error.code]).toEqual([400, 'invite_invalid']);
    // the key id given names nobody: requests under it are answered as forged ones
    const under = await signed(t.app, 'GET', '/api/v1/reports', { keyId: again.body.keyId, publicKey: victim.publicKey, secretKey: victim.secretKey });
    expect([under.status, under.body.error.code]).toEqual([401, 'signature_invalid']);
    // and the victim still signs under its own
    expect((await signed(t.app, 'GET', '/api/v1/reports', victim)).status).toBe(200);
  });
});
