// The global buckets of unauthenticated work and the keys each process knows (server/http/shed.ts,
// server/http/known-credentials.ts), from the attacker's side, on SQLite and PostgreSQL:
//   - a flood of page requests and other unsigned requests does not use up enrolment, and a flood of junk
//     enrolments does not take the public pages down (two buckets, not one);
//   - the 429 written before any work says so plainly: JSON `rate_limited`, `Retry-After: 1`,
//     `Cache-Control: no-store`, `nosniff`, and no log line;
//   - a process knows the members already in the database when it starts (another replica's, or
//     its own before a restart) and those it enrols itself afterwards: while a flood of made-up
//     key ids has used up the database look-ups, such a member is still served.
// The buckets work per wall-clock second, so each case runs its requests within one second.
import request from 'supertest';
import { Writable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { generateSigningKeyPair } from '../../crypto/index.js';
import { createApp } from '../../server/app.js';
import { openDatabase } from '../../server/db/client.js';
import { createLogger } from '../../server/http/logger.js';
import { enrolMember, signed, startTestApp, type SigningKey, type TestApp } from '../helpers/app.js';
import { providers } from '../helpers/databases.js';

/** Runs `f` from the start of a second until one run ends within that second (the buckets' window). */
async function inOneSecond<T>(f: () => Promise<T>): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    await new Promise((r) => setTimeout(r, 1005 - (Date.now() % 1000)));
    const s0 = Math.floor(Date.now() / 1000);
    const out = await f();
    if (Math.floor(Date.now() / 1000) === s0 || attempt >= 20) return out;
  }
}

const PER_SECOND = 3; // publicRateLimitPerMinute 180: three units a second in each bucket
const junkEnrol = (app: Parameters<typeof request>[0]) =>
  request(app)
    .post('/api/v1/enrol')
    .set('content-type', 'application/json')
    .send({ invite: `guess-${'x'.repeat(40)}`, publicKey: generateSigningKeyPair().publicKey });

describe.each(providers)('unauthenticated buckets and known keys (%s)', (provider) => {
  let t: TestApp | undefined;
  let closeSecond: (() => Promise<void>) | undefined;
  afterEach(async () => {
    await closeSecond?.();
    closeSecond = undefined;
    await t?.close();
    t = undefined;
  });

  it('pages and enrolment spend separate buckets: a flood of one never refuses the other', async () => {
    t = await startTestApp(provider, { publicRateLimitPerMinute: PER_SECOND * 60 });
    const app = t.app;
    const invites: string[] = [];
    for (let i = 0; i < 2; i++) invites.push((await signed(app, 'POST', '/api/v1/invites', t.steward, {})).body.invite);
    const [pages, enrolAfterPages] = await inOneSecond(async () => {
      const p: number[] = [];
      // pages and unsigned POSTs to routes other than enrolment (a 401 each): the public bucket
      for (let i = 0; i < PER_SECOND + 2; i++) {
        p.push(
          i % 2
            ? (await request(app).post('/api/v1/invites').set('content-type', 'application/json').send('{}')).status
            : (await request(app).get('/api/v1/taxonomy')).status,
        );
      }
      const e = await request(app)
        .post('/api/v1/enrol')
        .set('content-type', 'application/json')
        .send({ invite: invites[0], publicKey: generateSigningKeyPair().publicKey });
      return [p, e.status] as const;
    });
    expect(pages).toEqual([200, 401, 200, 429, 429]);
    expect(enrolAfterPages).toBe(201);
    const [junk, pageAfterJunk, healthAfterJunk] = await inOneSecond(async () => {
      const j: number[] = [];
      for (let i = 0; i < PER_SECOND + 2; i++) j.push((await junkEnrol(app)).status);
      return [j, (await request(app).get('/api/v1/taxonomy')).status, (await request(app).get('/api/v1/health')).status] as const;
    });
    expect(junk).toEqual([...Array(PER_SECOND).fill(400), 429, 429]);
    expect([pageAfterJunk, healthAfterJunk]).toEqual([200, 200]);
    // the enrolment route in the client's own spelling is still enrolment
    const upper = await inOneSecond(async () => {
      const u: number[] = [];
      for (let i = 0; i < PER_SECOND + 1; i++)
        u.push(
          (
            await request(app)
              .post('/API/V1/ENROL')
              .set('content-type', 'application/json')
              .send({ invite: `guess-${'y'.repeat(40)}`, publicKey: generateSigningKeyPair().publicKey })
          ).status,
        );
      return [...u, (await request(app).get('/api/v1/taxonomy')).status];
    });
    expect(upper).toEqual([...Array(PER_SECOND).fill(400), 429, 200]);
  });

  it('the refusal is a plain JSON 429 with Retry-After, no-store and nosniff, and no log line', async () => {
    t = await startTestApp(provider, { publicRateLimitPerMinute: PER_SECOND * 60 });
    const app = t.app;
    const last = await inOneSecond(async () => {
      let res: request.Response | undefined;
      for (let i = 0; i < PER_SECOND + 1; i++) res = await request(app).get('/api/v1/health');
      return res!;
    });
    const linesBefore = t.logs.length;
    expect(last.status).toBe(429);
    expect(last.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(last.headers['retry-after']).toBe('1');
    expect(last.headers['cache-control']).toBe('no-store');
    expect(last.headers['x-content-type-options']).toBe('nosniff');
    expect(last.body).toEqual({ error: { code: 'rate_limited', message: expect.any(String) } });
    expect(t.logs.length).toBe(linesBefore);
    expect(t.logs.filter((l) => l.includes('"status":429'))).toEqual([]);
  });

  it('members already in the database, and members enrolled here later, are served while made-up key ids are refused without look-ups', async () => {
    t = await startTestApp(provider, { publicRateLimitPerMinute: 60 }); // one look-up of an unknown key id a second
    const before = await enrolMember(t); // enrolled through the first process
    // a second process on the same database (another replica, or this one restarted)
    const db = openDatabase(t.testDb.url);
    const ctx = { ...t.ctx, db };
    const sink = new Writable({
      write(_c, _e, cb) {
        cb();
      },
    });
    const second = createApp(ctx, { logger: createLogger('info', sink), publicRateLimitPerMinute: 60 });
    closeSecond = () => db.close();
    const forger = generateSigningKeyPair();
    const flood = async (n: number) => {
      const out: number[] = [];
      for (let i = 0; i < n; i++)
        out.push((await signed(second, 'GET', '/api/v1/reports', { keyId: `m-madeup${String(i).padStart(10, '0')}`, ...forger })).status);
      return out;
    };
    // the made-up ids use up this second's look-up; the member enrolled before is known all the same
    const [forged, known] = await inOneSecond(async () => [await flood(3), (await signed(second, 'GET', '/api/v1/reports', before)).status] as const);
    expect(forged).toEqual([401, 401, 401]);
    expect(known).toBe(200);
    // a member enrolled through the second process after it loaded what it knows
    const invite = (await signed(second, 'POST', '/api/v1/invites', t.steward, {})).body.invite as string;
    const kp = generateSigningKeyPair();
    const enrolled = await request(second).post('/api/v1/enrol').set('content-type', 'application/json').send({ invite, publicKey: kp.publicKey });
    expect(enrolled.status).toBe(201);
    const later: SigningKey = { keyId: enrolled.body.keyId, ...kp };
    const [forged2, knownLater] = await inOneSecond(async () => [await flood(3), (await signed(second, 'GET', '/api/v1/reports', later)).status] as const);
    expect(forged2).toEqual([401, 401, 401]);
    expect(knownLater).toBe(200);
  });
});
