// Red team of the charged intake (commits 5b641c2, deb23d3: db/intake-charge.ts, migration 0015,
// intakeLimits().refusedEarly), from the attacker's side, on SQLite and PostgreSQL over HTTP:
// a member racing many submissions (new reports, resubmissions, amendments) cannot exceed its
// minute or its day and loses no allowance to refunds gone wrong; replays racing their original
// are free; limits beyond PostgreSQL's integer are no limit; a limit's 429 comes before a shape's
// 400, as before the change; replays of a captured refused submission are charged nothing (they
// were `it.fails` until a charged nonce was remembered). Attacks that still work are `it.fails`, with why.
// On PostgreSQL, no charged submission — refused, raced, replayed, beyond a limit — ends in a
// database error: every failed statement is an ERROR line in the server's log, with its time.
// Each test pins the server's clock to the start of a minute (pinMinute), so its requests share
// one minute window however long the run takes.
import pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type Database } from '../../server/db/client.js';
import { migrate } from '../../server/db/migrate.js';
import { PgIntake } from '../../server/db/pg-intake.js';
import type { IntakeCharge } from '../../server/db/store.js';
import { enrolMember, newId, sampleReport, signed, startTestApp, type SigningKey, type TestApp } from '../helpers/app.js';
import { createTestDatabase, providers, tableContents, type TestDatabase } from '../helpers/databases.js';
import { hex, nonce, reportRow as row } from '../helpers/report-rows.js';
import { allowanceLeft, captureReport, codeOf, pinMinute } from '../helpers/rate-limits.js';

const put = (t: TestApp, key: SigningKey, id: string, body: unknown) => signed(t.app, 'PUT', `/api/v1/reports/${id}`, key, body);

const tally = (codes: string[]) => Object.fromEntries([...new Set(codes)].sort().map((c) => [c, codes.filter((x) => x === c).length]));

describe.each(providers)('red team: the charged intake (%s)', (provider) => {
  let t: TestApp | undefined;
  afterEach(async () => {
    await t?.close();
    t = undefined;
  });

  it('a burst of concurrent new reports is held to the minute exactly: no more stored than allowed', async () => {
    t = await startTestApp(provider, { rateLimitPerMinute: 5 });
    pinMinute(t);
    const org = await enrolMember(t);
    const out = await Promise.all(Array.from({ length: 20 }, () => put(t!, org, newId(), sampleReport(t!))));
    expect(tally(out.map(codeOf))).toEqual({ '201': 5, '429 rate_limited': 15 });
    expect(await t.db.prisma.report.count()).toBe(5);
  });

  it('a burst of concurrent new reports is held to the day exactly, and the day’s refusals leave the minute spent', async () => {
    t = await startTestApp(provider, { rateLimitPerMinute: 100, memberDailyReports: 3 });
    pinMinute(t);
    const org = await enrolMember(t);
    const out = await Promise.all(Array.from({ length: 12 }, () => put(t!, org, newId(), sampleReport(t!))));
    expect(tally(out.map(codeOf))).toEqual({ '201': 3, '429 daily_limit_reached': 9 });
    expect(await t.db.prisma.report.count()).toBe(3);
    // 12 intake requests spent 12 of the minute's 100
    expect(await allowanceLeft(t, org, 100)).toBe(88);
  });

  // Worked on SQLite before migration 0016: a daily_limit_reached refusal kept its day's point
  // (rule 3 of intake-charge.ts), and SQLite charges its in-memory windows before the writer runs,
  // so a burst's requests counted each other in flight: those beyond the day kept their points
  // after the in-flight ones (resubmissions, conflicts, lost amendment races) gave theirs back, and
  // a client retrying in parallel shut its member's day having created one report. (PostgreSQL
  // serialises a member's charges on its bucket's row lock, so each saw the others' refunds.)
  it('racing resubmissions, amendments and new reports: the day bounds created reports exactly, and no refund is lost or doubled', async () => {
    t = await startTestApp(provider, { rateLimitPerMinute: 100, memberDailyReports: 4 });
    pinMinute(t);
    const org = await enrolMember(t);
    const first = newId();
    const body = sampleReport(t);
    expect((await put(t, org, first, body)).status).toBe(201);
    const resubmit = Array.from({ length: 5 }, () => put(t!, org, first, body));
    const amend = Array.from({ length: 4 }, () => put(t!, org, newId(), sampleReport(t!, { supersedes: first })));
    const conflict = Array.from({ length: 3 }, () => put(t!, org, first, sampleReport(t!)));
    const fresh = Array.from({ length: 4 }, () => put(t!, org, newId(), sampleReport(t!)));
    const [r, a, c, f] = await Promise.all([Promise.all(resubmit), Promise.all(amend), Promise.all(conflict), Promise.all(fresh)]);
    for (const x of r) expect(['200', '429 daily_limit_reached']).toContain(codeOf(x));
    for (const x of a) expect(['201', '409 report_not_active', '429 daily_limit_reached']).toContain(codeOf(x));
    for (const x of c) expect(['409 report_conflict', '429 daily_limit_reached']).toContain(codeOf(x));
    for (const x of f) expect(['201', '429 daily_limit_reached']).toContain(codeOf(x));
    expect(a.filter((x) => x.status === 201).length).toBeLessThanOrEqual(1);
    const created = 1 + [...a, ...f].filter((x) => x.status === 201).length;
    expect(created).toBeLessThanOrEqual(4);
    expect(await t.db.prisma.report.count()).toBe(created);
    // the day's points given back by every non-creating request are all back: exactly 4 - created more
    const after = [];
    for (let i = 0; i < 4 - created + 1; i++) after.push(codeOf(await put(t, org, newId(), sampleReport(t))));
    expect(after).toEqual([...Array(4 - created).fill('201'), '429 daily_limit_reached']);
    // 1 + 16 + (5 - created) + 1 intake requests spent the minute's points; no refusal took two
    expect(await allowanceLeft(t, org, 100)).toBe(100 - (1 + 16 + (4 - created) + 1));
  });

  // Worked on SQLite before the in-flight rule (intake-charge.ts rule 1): the in-memory charge
  // looked for the nonce on the read connection; the copies of a request still in the writer's
  // queue found nothing there, were charged, and those beyond the minute were refused
  // rate_limited and kept their point (rule 3) instead of reaching the intake's replayed_nonce,
  // which gives it back: an outsider sending copies of a captured request at once with it used up
  // the member's minute. (PostgreSQL: the copies wait on the original's row lock of the minute
  // bucket and each sees the refunds of those before it.)
  it('replays sent at once with their original (an outsider racing a captured request) cost the member nothing', async () => {
    t = await startTestApp(provider, { rateLimitPerMinute: 4 });
    pinMinute(t);
    const org = await enrolMember(t);
    const send = await captureReport(t, org, newId(), sampleReport(t));
    const out = await Promise.all(Array.from({ length: 10 }, () => send()));
    expect(tally(out.map(codeOf))).toEqual({ '201': 1, '401 replayed_nonce': 9 });
    expect(await allowanceLeft(t, org, 4)).toBe(3);
  });

  // Worked on SQLite before migration 0016, as above, for the day: copies beyond the day were
  // refused daily_limit_reached and kept their day's point, so an outsider racing one captured
  // request shut the member's day until the UTC day ended. (On SQLite copies that race may still be
  // answered daily_limit_reached rather than replayed_nonce; they cost nothing.)
  it('replays sent at once with their original cost the member none of its day', async () => {
    t = await startTestApp(provider, { rateLimitPerMinute: 100, memberDailyReports: 2 });
    pinMinute(t);
    const org = await enrolMember(t);
    const send = await captureReport(t, org, newId(), sampleReport(t));
    const out = (await Promise.all(Array.from({ length: 10 }, () => send()))).map(codeOf);
    expect(out.filter((c) => c === '201')).toHaveLength(1);
    for (const c of out) expect(['201', '401 replayed_nonce', '429 daily_limit_reached']).toContain(c);
    expect([codeOf(await put(t, org, newId(), sampleReport(t))), codeOf(await put(t, org, newId(), sampleReport(t)))]).toEqual([
      '201',
      '429 daily_limit_reached',
    ]);
  });

  // FIXED (was ATTACK WORKS): a refused request consumes no nonce (db/nonces.ts: "a request that
  // is refused for any reason rolls back and consumes nothing"), yet its charge stays (intake-
  // charge.ts rule 4), so an outsider holding one captured refused submission (here a 409
  // report_conflict) replayed it for the 5 minutes its signature is fresh, each replay charged to
  // the member's minute, locking the member out. Now a charged nonce is remembered until it expires
  // (rate-windows.ts; on PostgreSQL migration 0019) and a copy is refused `replayed_nonce`, uncharged.
  it('replays of a captured refused submission (409) use none of the member’s allowance', async () => {
    t = await startTestApp(provider, { rateLimitPerMinute: 4 });
    pinMinute(t);
    const org = await enrolMember(t);
    const id = newId();
    expect((await put(t, org, id, sampleReport(t))).status).toBe(201);
    const send = await captureReport(t, org, id, sampleReport(t)); // another body under the same id
    expect(codeOf(await send())).toBe('409 report_conflict');
    for (let i = 0; i < 8; i++) await send(); // the outsider
    expect(await allowanceLeft(t, org, 4)).toBe(2);
  });

  // FIXED, as above, for an intake refused before the Store (400): refusedEarly charges the minute
  // by the Store's rate windows, which now remember the charged nonce.
  it('replays of a captured refused submission (400) use none of the member’s allowance', async () => {
    t = await startTestApp(provider, { rateLimitPerMinute: 4 });
    pinMinute(t);
    const org = await enrolMember(t);
    const send = await captureReport(t, org, newId(), { ...sampleReport(t), year: 1900 });
    expect(codeOf(await send())).toBe('400 invalid_body');
    for (let i = 0; i < 8; i++) await send();
    expect(await allowanceLeft(t, org, 4)).toBe(3);
  });

  it('copies of a refused submission sent at once are charged once', async () => {
    t = await startTestApp(provider, { rateLimitPerMinute: 10 });
    pinMinute(t);
    const org = await enrolMember(t);
    const id = newId();
    expect((await put(t, org, id, sampleReport(t))).status).toBe(201);
    const send = await captureReport(t, org, id, sampleReport(t)); // another body under the same id: 409
    const out = await Promise.all(Array.from({ length: 6 }, () => send().then(codeOf)));
    expect(tally(out)['409 report_conflict'], JSON.stringify(tally(out))).toBe(1);
    for (const c of out) expect(['409 report_conflict', '401 replayed_nonce']).toContain(c);
    expect(await allowanceLeft(t, org, 10)).toBe(8); // the first submission and one copy
  });

  it('a refused submission (429, 409, 404, 400) writes nothing but its charge', async () => {
    t = await startTestApp(provider, { rateLimitPerMinute: 6, memberDailyReports: 2 });
    pinMinute(t);
    const org = await enrolMember(t);
    const first = newId();
    expect((await put(t, org, first, sampleReport(t))).status).toBe(201);
    const before = await tableContents(t.testDb);
    const refused = [
      await put(t, org, first, sampleReport(t)), // 409 report_conflict
      await put(t, org, newId(), sampleReport(t, { supersedes: newId() })), // 404 report_not_found
      await put(t, org, newId(), { ...sampleReport(t), year: 1900 }), // 400
    ];
    expect(await tableContents(t.testDb)).toEqual(before);
    expect((await put(t, org, newId(), sampleReport(t))).status).toBe(201);
    const atDay = await tableContents(t.testDb);
    refused.push(await put(t, org, newId(), sampleReport(t))); // 429 daily_limit_reached
    refused.push(await put(t, org, newId(), sampleReport(t))); // 429 rate_limited (7th this minute)
    expect(await tableContents(t.testDb)).toEqual(atDay);
    expect(refused.map(codeOf)).toEqual(['409 report_conflict', '404 report_not_found', '400 invalid_body', '429 daily_limit_reached', '429 rate_limited']);
  });

  it('limits beyond PostgreSQL’s integer (2^31 - 1) are no limit, on either Store', async () => {
    t = await startTestApp(provider, { rateLimitPerMinute: 2 ** 40, memberDailyReports: Number.MAX_SAFE_INTEGER });
    pinMinute(t);
    const org = await enrolMember(t);
    const out = [];
    for (let i = 0; i < 3; i++) out.push(codeOf(await put(t, org, newId(), sampleReport(t))));
    expect(out).toEqual(['201', '201', '201']);
  });

  it('with no daily limit (0), only the minute bounds intake', async () => {
    const app = await startTestApp(provider, { rateLimitPerMinute: 3, memberDailyReports: 0 });
    t = app;
    pinMinute(t);
    const org = await enrolMember(t);
    // windows only: a refused submission also leaves its nonce's mark (migration 0019)
    const windows = () => app.db.prisma.rateWindow.count({ where: { NOT: { bucket: { startsWith: 'nonce:' } } } });
    const windowsBefore = provider === 'postgres' ? await windows() : 0;
    const out = [];
    for (let i = 0; i < 4; i++) out.push(codeOf(await put(t, org, newId(), sampleReport(t))));
    expect(out).toEqual(['201', '201', '201', '429 rate_limited']);
    if (provider === 'postgres') expect(await windows()).toBe(windowsBefore + 1); // the minute's bucket, no day's
  });

  it('over the minute, a malformed submission is 429 rate_limited before 400, as before the change', async () => {
    t = await startTestApp(provider, { rateLimitPerMinute: 2 });
    pinMinute(t);
    const org = await enrolMember(t);
    const bad = { ...sampleReport(t), year: 1900 };
    const out = [];
    for (let i = 0; i < 3; i++) out.push(codeOf(await put(t, org, newId(), bad)));
    out.push(codeOf(await signed(t.app, 'PUT', '/api/v1/reports/not-a-uuid', org, sampleReport(t))));
    expect(out).toEqual(['400 invalid_body', '400 invalid_body', '429 rate_limited', '429 rate_limited']);
  });

  // Precedence changed by 5b641c2 (both providers), restored since: before it, the intake's limiter
  // ran before the route's shape checks and charged the day too, so a member over its day was
  // answered 429 daily_limit_reached whatever its body; refusedEarly charged only the minute, and
  // the same request was 400.
  it('over the day, a malformed submission is 429 daily_limit_reached before 400, as before the change', async () => {
    t = await startTestApp(provider, { memberDailyReports: 1 });
    pinMinute(t);
    const org = await enrolMember(t);
    expect((await put(t, org, newId(), sampleReport(t))).status).toBe(201);
    expect(codeOf(await put(t, org, newId(), { ...sampleReport(t), year: 1900 }))).toBe('429 daily_limit_reached');
    // the refusal gave nothing of the day back that it had not taken: still one report
    expect(codeOf(await put(t, org, newId(), sampleReport(t)))).toBe('429 daily_limit_reached');
    expect(await t.db.prisma.report.count()).toBe(1);
  });
});

describe.runIf(providers.includes('postgres'))('red team: the charged intake function raises nothing (PostgreSQL, two replicas)', () => {
  let db: TestDatabase;
  let a: PgIntake;
  let b: PgIntake;
  let c: pg.Client;
  const errors: string[] = [];
  const alice = `m-${hex().slice(0, 12)}`;
  const revoked = `m-${hex().slice(0, 12)}`;

  beforeAll(async () => {
    db = await createTestDatabase('postgres');
    await migrate(db.url);
    [a, b] = [new PgIntake(db.url), new PgIntake(db.url)];
    c = new pg.Client({ connectionString: db.url });
    await c.connect();
    await c.query('INSERT INTO "Member" ("keyId", "publicKey", "revoked") VALUES ($1, $2, false), ($3, $4, true)', [alice, hex(), revoked, hex()]);
    // every statement the intake's pools send that fails: each is an ERROR line in the server log
    for (const intake of [a, b]) {
      const pool = (intake as unknown as { pool: pg.Pool }).pool;
      const query = pool.query.bind(pool) as (...args: unknown[]) => Promise<unknown>;
      (pool as unknown as { query: unknown }).query = (...args: unknown[]) =>
        query(...args).catch((e: { message?: string; detail?: string }) => {
          errors.push(`${e?.message} ${e?.detail ?? ''}`);
          throw e;
        });
    }
  });
  afterAll(async () => {
    await c?.end();
    await a?.close();
    await b?.close();
    await db?.drop();
  });

  /** A charge on windows of their own (as at a minute's turn, or on another replica's clock), so two calls do not queue on one bucket. */
  const own = (minute = 100, day?: number): IntakeCharge => ({
    minute: { bucket: hex(), expiresAt: 1_900_000_200, limit: minute },
    ...(day === undefined ? {} : { day: { bucket: hex(), expiresAt: 1_900_000_200, limit: day } }),
  });

  it('refusals, limits, replays and races of one id or one amendment are answered, never raised', async () => {
    const first = row(alice);
    expect(await a.submit(nonce(), first, own())).toEqual({ created: true });
    const n = nonce();
    const raced = row(alice);
    const amendA = row(alice, { supersedes: first.id });
    const amendB = row(alice, { supersedes: first.id });
    const limited = own(0, 5);
    // the Report table's writes held back until the races' writes all wait on it (or on each other)
    const lock = new pg.Client({ connectionString: db.url });
    await lock.connect();
    await lock.query('BEGIN');
    await lock.query('LOCK TABLE "Report" IN SHARE ROW EXCLUSIVE MODE');
    const pending = Promise.all([
      a.submit(nonce(), { ...first }, own()), // the same report again
      b.submit(nonce(), { ...first, reportHash: hex() }, own()), // report_conflict
      a.submit(nonce(), row(revoked), own()), // key_revoked
      b.submit(nonce(), { ...first, memberKeyId: revoked }, own()), // key_revoked before report_id_taken
      a.submit(nonce(), row(alice, { supersedes: newId() }), own()), // report_not_found
      a.submit(n, row(alice), own()), // a nonce raced on two replicas
      b.submit(n, row(alice), own()),
      a.submit(nonce(), { ...raced }, own()), // one id raced on two replicas
      b.submit(nonce(), { ...raced }, own()),
      a.submit(nonce(), amendA, own()), // two amendments of one report raced
      b.submit(nonce(), amendB, own()),
      a.submit(nonce(), row(alice), limited), // rate_limited
      b.submit(nonce(), row(alice), own(100, 0)), // daily_limit_reached
    ]);
    let waiting = 0;
    for (let i = 0; i < 250 && waiting < 6; i++) {
      await new Promise((res) => setTimeout(res, 20));
      const r = await c.query(`SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'`);
      waiting = r.rows[0].n;
    }
    await lock.query('COMMIT');
    await lock.end();
    const outcomes = await pending;
    expect(waiting).toBeGreaterThanOrEqual(6); // the races did overlap
    expect(outcomes.slice(0, 5)).toEqual([
      { created: false },
      { error: 'report_conflict' },
      { error: 'key_revoked' },
      { error: 'key_revoked' },
      { error: 'report_not_found' },
    ]);
    expect(outcomes.slice(5, 7)).toEqual(expect.arrayContaining([{ created: true }, { error: 'replayed_nonce' }]));
    expect(outcomes.slice(7, 9)).toEqual(expect.arrayContaining([{ created: true }, { created: false }]));
    expect(outcomes.slice(9, 11)).toEqual(expect.arrayContaining([{ created: true }, { error: 'report_not_active' }]));
    expect(outcomes.slice(11)).toEqual([{ error: 'rate_limited' }, { error: 'daily_limit_reached' }]);
    expect(errors).toEqual([]);
  });
});

describe.each(providers)('red team: a charged submission the database fails charges nothing (%s)', (provider) => {
  let db: TestDatabase;
  let store: Database;
  beforeAll(async () => {
    db = await createTestDatabase(provider);
    await migrate(db.url);
    store = openDatabase(db.url);
  });
  afterAll(async () => {
    await store?.close();
    await db?.drop();
  });

  /** A window's count now, read by charging it and giving the point back. */
  const countOf = async (bucket: string) => {
    const n = (await store.rateWindows.charge({ hash: hex(), expiresAt: 1_900_000_200 }, [{ bucket, expiresAt: 1_900_000_200 }]))!.get(bucket)!;
    await store.rateWindows.refund(bucket);
    return n - 1;
  };

  it('a write the database refuses after the charge (a NOT NULL column left null) gives minute and day back and consumes no nonce', async () => {
    const member = `m-${hex().slice(0, 12)}`;
    await store.members.create(member, `pk-${member}`);
    const c: IntakeCharge = {
      minute: { bucket: hex(), expiresAt: 1_900_000_200, limit: 10 },
      day: { bucket: hex(), expiresAt: 1_900_000_200, limit: 10 },
    };
    const n = nonce();
    // the row passes everything before the insert (nonce, revocation, idempotency), then fails there
    await expect(store.intake.submit(n, row(member, { region: null as unknown as string }), c)).rejects.toBeDefined();
    expect([await countOf(c.minute.bucket), await countOf(c.day!.bucket)]).toEqual([0, 0]);
    expect(await store.nonces.seen(n.hash)).toBe(false);
    // and the Store goes on: the next submission is charged and stored
    expect(await store.intake.submit(nonce(), row(member), c)).toEqual({ created: true });
    expect([await countOf(c.minute.bucket), await countOf(c.day!.bucket)]).toEqual([1, 1]);
  });
});
