// Abuse limits that bound attackers without locking members out (issue 16), from the attacker's
// side, on SQLite and PostgreSQL: replays and forged signatures never use up the allowance of the
// member they imitate; floods of unsigned requests and junk enrolments are refused beyond a global
// bound per second and never stop a member's signed requests; one invite allows a few attempts a
// minute; look-ups of made-up key ids are bounded; the operator's daily bound of new reports per
// member holds (429 daily_limit_reached) and counts nothing else; intake's minute is charged with
// its write, refused bodies included. The global buckets work per
// wall-clock second, so those tests run their requests within one second (inOneSecond).
import request from 'supertest';
import { afterEach, describe, expect, it } from 'vitest';
import { generateSigningKeyPair, signRequest } from '../../crypto/index.js';
import { enrolMember, newId, sampleReport, signed, startTestApp, type TestApp } from '../helpers/app.js';
import { providers, tableContents } from '../helpers/databases.js';
import { pinMidday, pinMinute, serverNow } from '../helpers/rate-limits.js';

/** Runs `f` from the start of a second until one run ends within that second (the global buckets' window). */
async function inOneSecond<T>(f: () => Promise<T>): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    // start at the beginning of a fresh second, whose buckets nothing earlier has spent
    await new Promise((r) => setTimeout(r, 1005 - (Date.now() % 1000)));
    const s0 = Math.floor(Date.now() / 1000);
    const out = await f();
    if (Math.floor(Date.now() / 1000) === s0 || attempt >= 20) return out;
  }
}

const enrolWith = (t: TestApp, invite: string, publicKey = generateSigningKeyPair().publicKey) =>
  request(t.app).post('/api/v1/enrol').set('content-type', 'application/json').send({ invite, publicKey });

describe.each(providers)('abuse limits never lock a member out (%s)', (provider) => {
  let t: TestApp | undefined;
  afterEach(async () => {
    await t?.close();
    t = undefined;
  });

  it('replays of a captured request and forged signatures under a member’s key id use none of its allowance', async () => {
    t = await startTestApp(provider, { rateLimitPerMinute: 4 });
    pinMinute(t); // the counted requests all fall in one minute of the server clock
    const org = await enrolMember(t);
    const url = `/api/v1/reports/${newId()}`;
    const text = JSON.stringify(sampleReport(t));
    const captured = await signRequest({ method: 'PUT', url, body: text }, org);
    expect((await request(t.app).put(url).set(captured).set('content-type', 'application/json').send(text)).status).toBe(201);
    const forger = generateSigningKeyPair();
    for (let i = 0; i < 12; i++) {
      const replay = await request(t.app).put(url).set(captured).set('content-type', 'application/json').send(text);
      expect([replay.status, replay.body.error.code]).toEqual([401, 'replayed_nonce']);
      const forged = await signed(t.app, 'GET', '/api/v1/reports', { keyId: org.keyId, ...forger });
      expect([forged.status, forged.body.error.code]).toEqual([401, 'signature_invalid']);
    }
    // the member's own allowance is whole: 3 more this minute (4 with the first), then the limit
    const own = [];
    for (let i = 0; i < 4; i++) own.push((await signed(t.app, 'GET', '/api/v1/reports', org)).status);
    expect(own).toEqual([200, 200, 200, 429]);
  });

  it('a flood of unsigned requests and junk enrolments is refused before any work, and never stops a member', async () => {
    t = await startTestApp(provider, { publicRateLimitPerMinute: 60 }); // one unsigned request a second
    const org = await enrolMember(t);
    const inv = await signed(t.app, 'POST', '/api/v1/invites', t.steward, {});
    const statuses = await inOneSecond(async () => {
      const out: number[] = [];
      for (let i = 0; i < 6; i++) out.push((await request(t!.app).get(['/api/v1/health', '/estadisticas', '/api/v1/releases', '/nothing'][i % 4]!)).status);
      for (let i = 0; i < 6; i++) out.push((await enrolWith(t!, `junk-invite-${i}-${'x'.repeat(30)}`)).status);
      // in the same second, a member's signed requests are served
      out.push((await signed(t!.app, 'PUT', `/api/v1/reports/${newId()}`, org, sampleReport(t!))).status);
      out.push((await signed(t!.app, 'GET', '/api/v1/reports', org)).status);
      return out;
    });
    expect(statuses.slice(0, 6).filter((s) => s === 429)).toHaveLength(5); // one public request a second
    expect(statuses.slice(6, 12)).toEqual([400, 429, 429, 429, 429, 429]); // one enrolment attempt a second
    expect(statuses.slice(12)).toEqual([201, 200]);
    const shed = await request(t.app).get('/estadisticas');
    if (shed.status === 429) expect(shed.body).toEqual({ error: { code: 'rate_limited', message: expect.any(String) } });
    // the next second, a real invite enrols
    await new Promise((r) => setTimeout(r, 1100));
    expect((await enrolWith(t, inv.body.invite)).status).toBe(201);
  });

  it('one invite allows a few attempts a minute, whatever the others do', async () => {
    t = await startTestApp(provider, { enrolAttemptsPerInvite: 3 });
    pinMinute(t); // the attempts all fall in one minute of the server clock
    const token = `guessed-${'y'.repeat(40)}`;
    const same = [];
    for (let i = 0; i < 5; i++) same.push((await enrolWith(t, token)).status);
    expect(same).toEqual([400, 400, 400, 429, 429]);
    expect((await enrolWith(t, `other-${'z'.repeat(40)}`)).status).toBe(400);
    const inv = await signed(t.app, 'POST', '/api/v1/invites', t.steward, {});
    expect((await enrolWith(t, inv.body.invite)).status).toBe(201);
  });

  it('made-up key ids are looked up in the database only while the global bound lasts; known members are never affected', async () => {
    t = await startTestApp(provider, { publicRateLimitPerMinute: 60 }); // one look-up of an unknown key id a second
    const known = await enrolMember(t);
    expect((await signed(t.app, 'GET', '/api/v1/reports', known)).status).toBe(200);
    // a member written to the database behind this process's back (as by another replica, this minute)
    const elsewhere = { keyId: 'm-ElsewhereElsewhe', ...generateSigningKeyPair() };
    await t.db.prisma.member.create({ data: { keyId: elsewhere.keyId, publicKey: elsewhere.publicKey } });
    const forger = generateSigningKeyPair();
    const [forged, unknownHere, knownHere] = await inOneSecond(async () => {
      const f: Array<[number, string]> = [];
      for (let i = 0; i < 3; i++) {
        const res = await signed(t!.app, 'GET', '/api/v1/reports', { keyId: `m-madeup${String(i).padStart(10, '0')}`, ...forger });
        f.push([res.status, res.body.error.code]);
      }
      return [f, (await signed(t!.app, 'GET', '/api/v1/reports', elsewhere)).status, (await signed(t!.app, 'GET', '/api/v1/reports', known)).status] as const;
    });
    expect(forged).toEqual([
      [401, 'signature_invalid'],
      [401, 'signature_invalid'],
      [401, 'signature_invalid'],
    ]);
    // the bucket of look-ups (one a second) is spent: the unknown-here member is answered as a forgery…
    expect(unknownHere).toBe(401);
    // …while a member this process knows is served
    expect(knownHere).toBe(200);
    // once the second is over, the look-up finds it
    await new Promise((r) => setTimeout(r, 1100));
    expect((await signed(t.app, 'GET', '/api/v1/reports', elsewhere)).status).toBe(200);
  });

  it('intake is charged to the key’s minute in the same call as its write: refused bodies count, and beyond the limit 429 comes first and writes nothing', async () => {
    t = await startTestApp(provider, { rateLimitPerMinute: 5 });
    pinMinute(t); // the counted requests all fall in one minute of the server clock
    const org = await enrolMember(t);
    const first = newId();
    const body = sampleReport(t);
    const statuses = [
      (await signed(t.app, 'PUT', `/api/v1/reports/${first}`, org, body)).status, // 1
      (await signed(t.app, 'PUT', `/api/v1/reports/${newId()}`, org, { nope: 1 })).status, // 2: refused before the Store, charged
      (await signed(t.app, 'PUT', `/api/v1/reports/${first}`, org, body)).status, // 3: the same report again
      (await signed(t.app, 'PUT', `/api/v1/reports/${first}`, org, { ...body, year: body.year - 1 })).status, // 4: a conflict
      (await signed(t.app, 'GET', '/api/v1/reports', org)).status, // 5: another route, the same minute
    ];
    expect(statuses).toEqual([201, 400, 200, 409, 200]);
    const before = await tableContents(t.testDb);
    const over = await signed(t.app, 'PUT', `/api/v1/reports/${newId()}`, org, sampleReport(t));
    expect([over.status, over.body.error.code]).toEqual([429, 'rate_limited']);
    const overBad = await signed(t.app, 'PUT', `/api/v1/reports/${newId()}`, org, { nope: 1 });
    expect([overBad.status, overBad.body.error.code]).toEqual([429, 'rate_limited']);
    expect(await tableContents(t.testDb)).toEqual(before);
    // the next minute, the member may send again
    t.clock.offset += 60;
    const later = { created: serverNow(t) };
    expect((await signed(t.app, 'PUT', `/api/v1/reports/${newId()}`, org, sampleReport(t), later)).status).toBe(201);
  });

  it('the operator’s daily bound of new reports per member: 429 daily_limit_reached, nothing written, other requests not counted', async () => {
    t = await startTestApp(provider, { memberDailyReports: 3 });
    const org = await enrolMember(t);
    const other = await enrolMember(t);
    pinMidday(t); // the whole test within one UTC day of the server clock (signed with created: serverNow)
    const at = () => ({ created: serverNow(t!) });
    const first = newId();
    const body = sampleReport(t);
    expect((await signed(t.app, 'PUT', `/api/v1/reports/${first}`, org, body, at())).status).toBe(201);
    expect((await signed(t.app, 'PUT', `/api/v1/reports/${first}`, org, body, at())).status).toBe(200); // idempotent: not counted
    expect((await signed(t.app, 'PUT', `/api/v1/reports/${newId()}`, org, { nope: 1 }, at())).status).toBe(400); // refused: not counted
    expect((await signed(t.app, 'PUT', `/api/v1/reports/${newId()}`, org, sampleReport(t), at())).status).toBe(201);
    expect((await signed(t.app, 'PUT', `/api/v1/reports/${newId()}`, org, sampleReport(t), at())).status).toBe(201);
    const before = await tableContents(t.testDb);
    const over = await signed(t.app, 'PUT', `/api/v1/reports/${newId()}`, org, sampleReport(t), at());
    expect([over.status, over.body.error.code]).toEqual([429, 'daily_limit_reached']);
    expect(await tableContents(t.testDb)).toEqual(before);
    // reading and withdrawing go on; another member is not affected
    expect((await signed(t.app, 'GET', '/api/v1/reports', org, undefined, at())).status).toBe(200);
    expect((await signed(t.app, 'POST', `/api/v1/reports/${first}/withdraw`, org, undefined, at())).status).toBe(200);
    expect((await signed(t.app, 'PUT', `/api/v1/reports/${newId()}`, other, sampleReport(t), at())).status).toBe(201);
    // the next UTC day, the member may send again
    t.clock.offset += 86_400;
    expect((await signed(t.app, 'PUT', `/api/v1/reports/${newId()}`, org, sampleReport(t), at())).status).toBe(201);
  });
});
