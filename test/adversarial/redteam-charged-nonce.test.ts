// Red team of the charged nonce (commits 1595d91, f4ca503: rate-windows.ts, pg-intake.ts CHARGE,
// migration 0019), from the attacker's side on SQLite and PostgreSQL over HTTP: an outsider holding
// captured signed requests (GETs and submissions, answered or refused), and a member reusing nonces.
// Safe behaviour is `it`; an attack that works would be `it.fails` with a VULNERABLE comment.
import pg from 'pg';
import request from 'supertest';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { signRequest } from '../../crypto/index.js';
import { nonceRow } from '../../server/db/nonces.js';
import { enrolMember, newId, sampleReport, signed, startTestApp, type SigningKey, type TestApp } from '../helpers/app.js';
import { migrate } from '../../server/db/migrate.js';
import { PgIntake } from '../../server/db/pg-intake.js';
import type { IntakeCharge } from '../../server/db/store.js';
import { createTestDatabase, providers, type TestDatabase } from '../helpers/databases.js';
import { hex, nonce, reportRow as row } from '../helpers/report-rows.js';
import { allowanceLeft, capture, codeOf, pinMidday, pinMinute, serverNow } from '../helpers/rate-limits.js';

const nextMinute = (t: TestApp) => {
  t.clock.offset += 60;
};

const put = (t: TestApp, key: SigningKey, id: string, body: unknown, opts = {}) => signed(t.app, 'PUT', `/api/v1/reports/${id}`, key, body, opts);

const nonceOf = () => Buffer.from(crypto.getRandomValues(new Uint8Array(16))).toString('base64url');

describe.each(providers)('red team: the charged nonce (%s)', (provider) => {
  let t: TestApp | undefined;
  afterEach(async () => {
    await t?.close();
    t = undefined;
  });

  it('replays of a captured answered GET (limitByCredential) are refused replayed_nonce and charged nothing', async () => {
    t = await startTestApp(provider, { rateLimitPerMinute: 4 });
    pinMinute(t);
    const org = await enrolMember(t);
    const send = await capture(t, org, 'GET', '/api/v1/reports');
    expect(codeOf(await send())).toBe('200');
    const out = [];
    for (let i = 0; i < 6; i++) out.push(codeOf(await send()));
    expect(out).toEqual(Array(6).fill('401 replayed_nonce'));
    expect(await allowanceLeft(t, org, 4)).toBe(3);
  });

  it('a captured GET refused 429 and replayed in the next minute (still fresh) is refused and costs the new minute nothing', async () => {
    t = await startTestApp(provider, { rateLimitPerMinute: 2 });
    pinMinute(t);
    const org = await enrolMember(t);
    expect(await allowanceLeft(t, org, 2)).toBe(2); // spends the minute; the 3rd GET was 429
    const send = await capture(t, org, 'GET', '/api/v1/reports');
    expect(codeOf(await send())).toBe('429 rate_limited');
    nextMinute(t);
    const out = await Promise.all(Array.from({ length: 5 }, () => send().then(codeOf)));
    expect(out).toEqual(Array(5).fill('401 replayed_nonce'));
    expect(await allowanceLeft(t, org, 2)).toBe(2);
  });

  it('a submission refused 429 is legitimately retried with a NEW signature in the next minute: stored', async () => {
    t = await startTestApp(provider, { rateLimitPerMinute: 1 });
    pinMinute(t);
    const org = await enrolMember(t);
    expect(codeOf(await put(t, org, newId(), sampleReport(t)))).toBe('201');
    const id = newId();
    const body = sampleReport(t);
    expect(codeOf(await put(t, org, id, body))).toBe('429 rate_limited');
    nextMinute(t);
    expect(codeOf(await put(t, org, id, body))).toBe('201');
    expect(await t.db.prisma.report.count()).toBe(2);
  });

  it('a captured refused submission (409) replayed in the next minute, also racing, costs that minute nothing', async () => {
    t = await startTestApp(provider, { rateLimitPerMinute: 3 });
    pinMinute(t);
    const org = await enrolMember(t);
    const id = newId();
    expect(codeOf(await put(t, org, id, sampleReport(t)))).toBe('201');
    const send = await capture(t, org, 'PUT', `/api/v1/reports/${id}`, sampleReport(t));
    expect(codeOf(await send())).toBe('409 report_conflict');
    nextMinute(t);
    const out = await Promise.all(Array.from({ length: 6 }, () => send().then(codeOf)));
    expect(out).toEqual(Array(6).fill('401 replayed_nonce'));
    expect(await allowanceLeft(t, org, 3)).toBe(3);
  });

  it('copies of a captured malformed submission (400, refusedEarly) raced at once are charged once', async () => {
    t = await startTestApp(provider, { rateLimitPerMinute: 5, memberDailyReports: 3 });
    pinMinute(t);
    const org = await enrolMember(t);
    const send = await capture(t, org, 'PUT', `/api/v1/reports/${newId()}`, { ...sampleReport(t), year: 1900 });
    const out = await Promise.all(Array.from({ length: 8 }, () => send().then(codeOf)));
    expect(out.filter((c) => c === '400 invalid_body')).toHaveLength(1);
    for (const c of out) expect(['400 invalid_body', '401 replayed_nonce']).toContain(c);
    // the day is untouched: three reports still go in
    const more = [];
    for (let i = 0; i < 4; i++) more.push(codeOf(await put(t, org, newId(), sampleReport(t))));
    expect(more).toEqual(['201', '201', '201', '429 daily_limit_reached']);
  });

  it('after a stored submission, another request reusing its nonce is refused replayed_nonce, stores nothing and costs nothing', async () => {
    t = await startTestApp(provider, { rateLimitPerMinute: 4 });
    pinMinute(t);
    const org = await enrolMember(t);
    const n = nonceOf();
    expect(codeOf(await put(t, org, newId(), sampleReport(t), { nonce: n }))).toBe('201');
    expect(codeOf(await put(t, org, newId(), sampleReport(t), { nonce: n }))).toBe('401 replayed_nonce');
    expect(codeOf(await signed(t.app, 'GET', '/api/v1/reports', org, undefined, { nonce: n }))).toBe('401 replayed_nonce');
    expect(await t.db.prisma.report.count()).toBe(1);
    expect(await allowanceLeft(t, org, 4)).toBe(3);
  });

  it('a nonce marked for one member does not lock out another member using the same nonce string', async () => {
    t = await startTestApp(provider, { rateLimitPerMinute: 4 });
    pinMinute(t);
    const a = await enrolMember(t);
    const b = await enrolMember(t);
    const n = nonceOf();
    const id = newId();
    expect(codeOf(await put(t, a, id, sampleReport(t)))).toBe('201');
    expect(codeOf(await put(t, a, id, sampleReport(t), { nonce: n }))).toBe('409 report_conflict'); // marked
    expect(codeOf(await put(t, b, newId(), sampleReport(t), { nonce: n }))).toBe('201');
    expect(codeOf(await signed(t.app, 'GET', '/api/v1/reports', b, undefined, { nonce: nonceOf() }))).toBe('200');
  });

  it('purging expired windows after the minute ends keeps the mark: a fresh replay is still refused and uncharged', async () => {
    t = await startTestApp(provider, { rateLimitPerMinute: 3 });
    pinMinute(t);
    const org = await enrolMember(t);
    const id = newId();
    expect(codeOf(await put(t, org, id, sampleReport(t)))).toBe('201');
    const send = await capture(t, org, 'PUT', `/api/v1/reports/${id}`, sampleReport(t));
    expect(codeOf(await send())).toBe('409 report_conflict');
    nextMinute(t);
    nextMinute(t);
    await t.ctx.db.rateWindows.purgeExpired(t.ctx.now());
    const out = [];
    for (let i = 0; i < 4; i++) out.push(codeOf(await send()));
    expect(out).toEqual(Array(4).fill('401 replayed_nonce'));
    expect(await allowanceLeft(t, org, 3)).toBe(3);
  });

  it('a copy with an unsigned header changed (content-type) sent before the original does not burn its nonce', async () => {
    const app = await startTestApp(provider, { rateLimitPerMinute: 4 });
    t = app;
    pinMinute(app);
    const org = await enrolMember(app);
    const url = `/api/v1/reports/${newId()}`;
    const text = JSON.stringify(sampleReport(app));
    const headers = await signRequest({ method: 'PUT', url, body: text }, org);
    const sendAs = (ct: string) => request(app.app).put(url).set(headers).set('content-type', ct).send(text);
    for (const ct of ['text/plain', 'application/json; charset=latin1']) expect(codeOf(await sendAs(ct))).toBe('415 unsupported_media_type');
    expect(codeOf(await sendAs('application/json'))).toBe('201');
    expect(await allowanceLeft(app, org, 4)).toBe(3);
  });

  it('copies of a captured submission refused 429 raced at once keep none of the day and none of the next minute', async () => {
    t = await startTestApp(provider, { rateLimitPerMinute: 1, memberDailyReports: 3 });
    const org = await enrolMember(t);
    pinMidday(t); // three minutes stepped, one UTC day counted: never across midnight
    const now = { created: serverNow(t) };
    expect(codeOf(await put(t, org, newId(), sampleReport(t), now))).toBe('201');
    const send = await capture(t, org, 'PUT', `/api/v1/reports/${newId()}`, sampleReport(t), undefined, serverNow(t));
    const out = await Promise.all(Array.from({ length: 8 }, () => send().then(codeOf)));
    expect(out.filter((c) => c === '429 rate_limited').length).toBeGreaterThanOrEqual(1);
    for (const c of out) expect(['429 rate_limited', '401 replayed_nonce']).toContain(c);
    nextMinute(t);
    expect(await Promise.all(Array.from({ length: 4 }, () => send().then(codeOf)))).toEqual(Array(4).fill('401 replayed_nonce'));
    expect(codeOf(await put(t, org, newId(), sampleReport(t), { created: serverNow(t) }))).toBe('201');
    nextMinute(t);
    expect(codeOf(await put(t, org, newId(), sampleReport(t), { created: serverNow(t) }))).toBe('201');
    nextMinute(t);
    expect(codeOf(await put(t, org, newId(), sampleReport(t), { created: serverNow(t) }))).toBe('429 daily_limit_reached');
    expect(await t.db.prisma.report.count()).toBe(3);
  });

  it.runIf(provider === 'postgres')(
    'PostgreSQL: a refused submission writes one mark (nonce hash, count 1, the Nonce row’s expiry), replays none, a stored one none',
    async () => {
      const app = await startTestApp(provider, { rateLimitPerMinute: 10 });
      t = app;
      pinMinute(app);
      const org = await enrolMember(app);
      const marks = () => app.db.prisma.rateWindow.findMany({ where: { bucket: { startsWith: 'nonce:' } } });
      const id = newId();
      const created = Math.floor(Date.now() / 1000);
      const n1 = nonceOf();
      expect(codeOf(await put(app, org, id, sampleReport(app), { nonce: n1, created }))).toBe('201');
      const stored = nonceRow({ keyId: org.keyId, nonce: n1, created });
      expect((await marks()).map((m) => m.bucket)).not.toContain(`nonce:${stored.hash}`);
      const before = await marks();
      const n2 = nonceOf();
      const send = await capture(app, org, 'PUT', `/api/v1/reports/${id}`, sampleReport(app), n2);
      expect(codeOf(await send())).toBe('409 report_conflict');
      const refused = nonceRow({ keyId: org.keyId, nonce: n2, created: Math.floor(Date.now() / 1000) });
      const after = await marks();
      expect(after.length).toBe(before.length + 1);
      const mark = after.find((m) => m.bucket === `nonce:${refused.hash}`);
      expect(mark).toBeDefined();
      expect(Number(mark?.count)).toBe(1);
      expect([refused.expiresAt, refused.expiresAt - 300]).toContain(Number(mark?.expiresAt));
      for (let i = 0; i < 3; i++) expect(codeOf(await send())).toBe('401 replayed_nonce');
      expect((await marks()).length).toBe(after.length);
      expect(await app.db.prisma.nonce.count({ where: { hash: refused.hash } })).toBe(0);
    },
  );
});

describe.runIf(providers.includes('postgres'))('red team: the charged nonce on two replicas of one PostgreSQL', () => {
  let db: TestDatabase;
  let a: PgIntake;
  let b: PgIntake;
  const alice = `m-${hex().slice(0, 16)}`;
  beforeAll(async () => {
    db = await createTestDatabase('postgres');
    await migrate(db.url);
    a = new PgIntake(db.url);
    b = new PgIntake(db.url);
    const c = new pg.Client({ connectionString: db.url });
    await c.connect();
    await c.query('INSERT INTO "Member" ("keyId", "publicKey", "revoked") VALUES ($1, $2, false)', [alice, hex()]);
    await c.end();
  });
  afterAll(async () => {
    await a?.close();
    await b?.close();
    await db?.drop();
  });

  it('copies of a refused submission raced on both replicas, with the same nonce charged by another route on each, are charged once', async () => {
    const minute = { bucket: hex(), expiresAt: 1_900_000_200 };
    const charge: IntakeCharge = { minute: { ...minute, limit: 100 }, day: { bucket: hex(), expiresAt: 1_900_000_200, limit: 100 } };
    const first = row(alice);
    expect(await a.submit(nonce(), first, charge)).toEqual({ created: true });
    const n = nonce();
    const conflict = { ...first, reportHash: hex() };
    const out = await Promise.all([
      a.submit(n, { ...conflict }, charge),
      b.submit(n, { ...conflict }, charge),
      a.chargeRateWindows(n, [minute]),
      b.chargeRateWindows(n, [minute]),
      a.submit(n, { ...conflict }, charge),
      b.submit(n, { ...conflict }, charge),
    ]);
    const winners = out.filter((o) => o !== null && !(typeof o === 'object' && 'error' in o && o.error === 'replayed_nonce'));
    expect(winners, JSON.stringify(out)).toHaveLength(1);
    // the minute holds the first submission and one charge of n; the day only the first submission
    const m = (await a.chargeRateWindows(nonce(), [minute]))?.get(minute.bucket);
    expect(m).toBe(3);
    const d = (await b.chargeRateWindows(nonce(), [charge.day!]))?.get(charge.day!.bucket);
    expect(d).toBe(2);
  });
});
