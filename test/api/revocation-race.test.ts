// Revocation seen inside the write transaction, on SQLite (writer thread) and PostgreSQL (Prisma):
// a submission whose signature was verified while its key was still good, but whose transaction
// starts after the steward's revocation committed, is refused `key_revoked` and writes nothing
// (neither the report nor its nonce). The middleware's check alone would let it through: the
// test calls the service with the credential the middleware produced before the revocation.
// Also a real race over HTTP: revocation sent while submissions are in flight; every submission
// acknowledged is stored, every refused one is absent, and after the revocation's answer every
// submission is refused. Shown to fail: docs/test-evidence.md.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { reportBody } from '../../server/schemas/report.js';
import { submit } from '../../server/services/reports.js';
import { AppError } from '../../server/errors.js';
import { enrolMember, newId, sampleReport, signed, startTestApp, type TestApp } from '../helpers/app.js';
import { providers } from '../helpers/databases.js';

describe.each(providers)('revocation inside the write transaction on %s', (provider) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp(provider);
  });
  afterAll(async () => t?.close());

  const reportIds = async () => (await t.db.prisma.report.findMany({ select: { id: true } })).map((r) => r.id);
  const nonceCount = () => t.db.prisma.nonce.count();

  it('a credential verified before the revocation cannot write after it', async () => {
    const org = await enrolMember(t);
    // what the middleware attaches after verifying a signature, before the revocation lands
    const auth = { keyId: org.keyId, role: 'member' as const, nonce: randomBytes(16).toString('base64url'), created: Math.floor(t.ctx.now()) };
    const body = reportBody.parse(sampleReport(t));
    const ok = await submit(t.ctx, { ...auth, nonce: randomBytes(16).toString('base64url') }, newId(), body);
    expect(ok.created).toBe(true);
    const revoked = await signed(t.app, 'DELETE', `/api/v1/members/${org.keyId}`, t.steward);
    expect(revoked.status).toBe(200);
    const [ids, nonces] = [await reportIds(), await nonceCount()];
    const id = newId();
    const refused = await submit(t.ctx, auth, id, body).then(
      () => null,
      (e: unknown) => e,
    );
    expect(refused).toBeInstanceOf(AppError);
    expect((refused as AppError).code).toBe('key_revoked');
    expect(await reportIds()).toEqual(ids);
    expect(await reportIds()).not.toContain(id);
    expect(await nonceCount()).toBe(nonces);
  });

  it('revocation racing submissions over HTTP: acknowledged ones stored, refused ones absent, none after', async () => {
    const org = await enrolMember(t);
    const sent = Array.from({ length: 24 }, () => newId());
    const inFlight = sent.map((id) => signed(t.app, 'PUT', `/api/v1/reports/${id}`, org, sampleReport(t)));
    const revoke = signed(t.app, 'DELETE', `/api/v1/members/${org.keyId}`, t.steward);
    const results = await Promise.all(inFlight);
    expect((await revoke).status).toBe(200);
    const stored = new Set(await reportIds());
    results.forEach((r, i) => {
      expect([201, 403], JSON.stringify(r.body)).toContain(r.status);
      if (r.status === 201) expect(stored.has(sent[i]!)).toBe(true);
      else {
        expect(r.body.error.code).toBe('key_revoked');
        expect(stored.has(sent[i]!)).toBe(false);
      }
    });
    const late = newId();
    const after = await signed(t.app, 'PUT', `/api/v1/reports/${late}`, org, sampleReport(t));
    expect([after.status, after.body.error.code]).toEqual([403, 'key_revoked']);
    expect(await reportIds()).not.toContain(late);
  });

  it('a revoked key is refused at the middleware on every signed route, reads included', async () => {
    const org = await enrolMember(t);
    const id = newId();
    expect((await signed(t.app, 'PUT', `/api/v1/reports/${id}`, org, sampleReport(t))).status).toBe(201);
    expect((await signed(t.app, 'GET', '/api/v1/reports', org)).status).toBe(200);
    expect((await signed(t.app, 'DELETE', `/api/v1/members/${org.keyId}`, t.steward)).status).toBe(200);
    for (const [method, url] of [
      ['GET', '/api/v1/reports'],
      ['GET', `/api/v1/reports/${id}`],
      ['POST', `/api/v1/reports/${id}/withdraw`],
    ] as const) {
      const res = await signed(t.app, method, url, org);
      expect([res.status, res.body.error?.code], `${method} ${url}`).toEqual([403, 'key_revoked']);
    }
    expect((await t.db.prisma.report.findUnique({ where: { id }, select: { status: true } }))?.status).toBe('active');
  });
});
