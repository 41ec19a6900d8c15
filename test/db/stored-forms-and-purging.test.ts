// What SECURITY.md says is stored for replay protection, enrolment, drafts and rate limits, read
// back from the database on SQLite and PostgreSQL, and purged once expired:
// - Nonce: only `hash` = sha256(keyId "\n" nonce) and `expiresAt` rounded up to 5 minutes; neither
//   the key id nor the nonce appears anywhere in the database;
// - Invite: only sha256 of the token and its expiry; the token itself is nowhere;
// - RateWindow (PostgreSQL): `bucket` = sha256(server secret, keyId, minute), no key id;
// - purging (the housekeeping functions server/main.ts runs every minute) removes expired nonces,
//   invites, drafts and rate windows, and nothing that has not expired.
// Shown to fail: docs/test-evidence.md.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sha256Hex } from '../../crypto/index.js';
import { purgeRateWindows } from '../../server/http/rate-limit.js';
import { purgeExpiredInvites } from '../../server/services/members.js';
import { purgeExpiredDrafts } from '../../server/services/releases.js';
import { enrolMember, newId, sampleReport, signed, startTestApp, type SigningKey, type TestApp } from '../helpers/app.js';
import { dumpDatabase, providers } from '../helpers/databases.js';

describe.each(providers)('stored forms of nonces, invites and rate windows, and their purging (%s)', (provider) => {
  let t: TestApp;
  let org: SigningKey;
  beforeAll(async () => {
    t = await startTestApp(provider);
    org = await enrolMember(t);
  });
  afterAll(async () => t?.close());

  it('a nonce is stored as sha256(keyId, nonce) with its expiry rounded up to 5 minutes, nothing else', async () => {
    const nonce = randomBytes(18).toString('base64url');
    const created = t.ctx.now();
    const res = await signed(t.app, 'PUT', `/api/v1/reports/${newId()}`, org, sampleReport(t), { nonce, created });
    expect(res.status).toBe(201);
    const rows = await t.db.prisma.nonce.findMany({ where: { hash: sha256Hex(`${org.keyId}\n${nonce}`) } });
    expect(rows).toHaveLength(1);
    expect(Object.keys(rows[0]!).sort()).toEqual(['expiresAt', 'hash']);
    expect(rows[0]!.expiresAt % 300).toBe(0);
    expect(rows[0]!.expiresAt).toBeGreaterThanOrEqual(created + 300 + 30);
    expect(rows[0]!.expiresAt).toBeLessThan(created + 300 + 30 + 300);
    const nonces = JSON.stringify(await t.db.prisma.nonce.findMany());
    expect(nonces).not.toContain(org.keyId);
    expect(await dumpDatabase(t.testDb)).not.toContain(nonce);
  });

  it('an invite is stored as the sha256 of its token; the token is nowhere in the database', async () => {
    const inv = await signed(t.app, 'POST', '/api/v1/invites', t.steward, {});
    expect(inv.status).toBe(201);
    const token = inv.body.invite as string;
    const row = await t.db.prisma.invite.findUnique({ where: { tokenHash: sha256Hex(token) } });
    expect(row).not.toBeNull();
    expect(Object.keys(row!).sort()).toEqual(['expiresAt', 'organisation', 'tokenHash']);
    expect(row!.organisation).toBeNull();
    expect(await dumpDatabase(t.testDb)).not.toContain(token);
  });

  it.runIf(provider === 'postgres')('a rate window is stored as sha256(secret, keyId, minute), without the key id', async () => {
    const before = t.ctx.now();
    expect((await signed(t.app, 'GET', '/api/v1/reports', org)).status).toBe(200);
    const windows = await t.db.prisma.rateWindow.findMany();
    expect(windows.length).toBeGreaterThan(0);
    const minute = Math.floor(before / 60);
    const expected = [minute, minute + 1].map((w) => sha256Hex(`${t.keys.receipt.secretKey}\n${org.keyId}\n${w}`));
    expect(windows.some((w) => expected.includes(w.bucket))).toBe(true);
    expect(JSON.stringify(windows)).not.toContain(org.keyId);
    for (const w of windows) expect(w.expiresAt % 60).toBe(0);
  });

  it('housekeeping purges expired nonces, invites, drafts and rate windows, and nothing else', async () => {
    // data of every kind: reports (enough for a draft), a draft, an unused invite, nonces, a rate window
    for (let i = 0; i < 3; i++) expect((await signed(t.app, 'PUT', `/api/v1/reports/${newId()}`, org, sampleReport(t))).status).toBe(201);
    const draft = await signed(t.app, 'POST', '/api/v1/releases', t.publisher, { series: 'purga', filter: { year: 2023 }, tables: [['year', 'region']], k: 2 });
    expect(draft.status).toBe(201);
    expect((await signed(t.app, 'POST', '/api/v1/invites', t.steward, {})).status).toBe(201);
    const count = async () => ({
      nonces: await t.db.prisma.nonce.count(),
      invites: await t.db.prisma.invite.count(),
      drafts: await t.db.prisma.releaseDraft.count(),
      windows: await t.db.prisma.rateWindow.count(),
      reports: await t.db.prisma.report.count(),
      members: await t.db.prisma.member.count(),
      publications: await t.db.prisma.publication.count(),
    });
    const before = await count();
    expect(before.nonces).toBeGreaterThan(3);
    expect(before.invites).toBeGreaterThan(0);
    expect(before.drafts).toBe(1);
    // nothing has expired yet: purging now removes nothing
    await Promise.all([t.db.nonces.purgeExpired(t.ctx.now()), purgeExpiredInvites(t.ctx), purgeExpiredDrafts(t.ctx), purgeRateWindows(t.ctx)]);
    expect(await count()).toEqual(before);
    // eight days later (invites last up to a week), with one fresh nonce and window of that day
    t.clock.offset = 8 * 24 * 3600;
    const fresh = randomBytes(18).toString('base64url');
    expect((await signed(t.app, 'GET', '/api/v1/reports', org, undefined, { nonce: fresh, created: t.ctx.now() })).status).toBe(200);
    await Promise.all([t.db.nonces.purgeExpired(t.ctx.now()), purgeExpiredInvites(t.ctx), purgeExpiredDrafts(t.ctx), purgeRateWindows(t.ctx)]);
    const after = await count();
    // PostgreSQL keeps the fresh request's minute and its charged nonce's mark (rate-windows.ts)
    expect(after).toEqual({ ...before, nonces: 1, invites: 0, drafts: 0, windows: provider === 'postgres' ? 2 : 0 });
    expect(await t.db.prisma.nonce.findUnique({ where: { hash: sha256Hex(`${org.keyId}\n${fresh}`) } })).not.toBeNull();
    t.clock.offset = 0;
  });
});
