// Red team against the Store refactor (issue 20), from the attacker's side (docs/design.md, "One
// attacker model"): someone who can replay and race signed requests across two replicas on one
// PostgreSQL database, who may hold a member key that the steward revokes, and who may copy the
// operator's logs (PostgreSQL's own server log included).
// 1. One report id raced on two replicas (the PostgreSQL Store, two pools), held back by a table lock
//    so that every submission has passed its idempotency read before any inserts:
//    - the same report under two nonces: the loser is answered "stored already", so its nonce stays
//      consumed (store.ts: `{ created: false }` keeps it), else its bytes replay for another 200;
//    - the same amendment twice (a client retrying): both answered as stored, not 409
//      report_not_active because the winner had just superseded the same report;
//    - no statement ends in a database error carrying a value: PostgreSQL logs each failed
//      statement's DETAIL (`Key (id)=(<report id>) already exists.`) with a timestamp.
//    All three held only once migration 0014 resolved the race inside the intake function.
// 2. A member key known to both replicas (the key cache that lets intake skip the member row,
//    `revocationInWrite`) revoked through one replica: the other answers key_revoked, stores nothing.
// 3. The same signed draft request sent at once to two apps on one database: one draft.
// 4. Replays racing their original dry run each counted and solved the linear programs before being
//    refused (the nonce is read before computing but consumed only after, so a race passes the
//    read): one captured publisher request sent N times at once cost N computations. Within one
//    process they are now refused before counting (services/releases.ts, `computing`); across
//    replicas too, since the rate limiter's charge records the nonce as charged in the shared
//    database (rate-windows.ts, a `nonce:` row): the copy reaching the second replica is refused
//    `replayed_nonce` before counting.
import { randomBytes } from 'node:crypto';
import { Writable } from 'node:stream';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../server/app.js';
import { openDatabase } from '../../server/db/client.js';
import { migrate } from '../../server/db/migrate.js';
import { PgIntake } from '../../server/db/pg-intake.js';
import { createLogger } from '../../server/http/logger.js';
import type { ServiceContext } from '../../server/services/context.js';
import { resetWorkTally, workTally } from '../../server/test-hooks.js';
import { enrolMember, newId, sampleReport, signed, startTestApp, type TestApp } from '../helpers/app.js';
import { createTestDatabase, providers, tableContents, type TestDatabase } from '../helpers/databases.js';
import { hex, nonce, reportRow as row } from '../helpers/report-rows.js';

describe.runIf(providers.includes('postgres'))('red team: one report raced on two replicas under two nonces (PostgreSQL Store)', () => {
  let db: TestDatabase;
  let a: PgIntake;
  let b: PgIntake;
  let c: pg.Client;
  const alice = `m-${randomBytes(9).toString('base64url')}`;

  beforeAll(async () => {
    db = await createTestDatabase('postgres');
    await migrate(db.url);
    a = new PgIntake(db.url);
    b = new PgIntake(db.url);
    c = new pg.Client({ connectionString: db.url });
    await c.connect();
    await c.query('INSERT INTO "Member" ("keyId", "publicKey", "revoked") VALUES ($1, $2, false)', [alice, hex()]);
  });
  afterAll(async () => {
    await c?.end();
    await a?.close();
    await b?.close();
    await db?.drop();
  });

  const nonceStored = async (hash: string) => (await c.query('SELECT 1 FROM "Nonce" WHERE hash = $1', [hash])).rowCount === 1;

  it('the loser (answered "stored already") keeps its nonce consumed, so its bytes cannot be replayed for another 200', async () => {
    const r = row(alice);
    // hold the Report table's inserts back until both submissions have passed their idempotency read
    const lock = new pg.Client({ connectionString: db.url });
    await lock.connect();
    const na = nonce();
    const nb = nonce();
    let outcomes: unknown[];
    try {
      await lock.query('BEGIN');
      await lock.query('LOCK TABLE "Report" IN SHARE ROW EXCLUSIVE MODE');
      const pending = Promise.all([a.submit(na, { ...r }), b.submit(nb, { ...r })]);
      for (let i = 0; i < 200; i++) {
        const waiting = await c.query(
          `SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock' AND query LIKE '%contamos_submit_report%'`,
        );
        if (waiting.rows[0].n === 2) break;
        await new Promise((res) => setTimeout(res, 20));
      }
      await lock.query('COMMIT');
      outcomes = await pending;
    } finally {
      await lock.end();
    }
    expect(outcomes).toEqual(expect.arrayContaining([{ created: true }, { created: false }]));
    // both answered 2xx: both requests are spent, as when they come one after the other
    expect(await nonceStored(na.hash)).toBe(true);
    expect(await nonceStored(nb.hash)).toBe(true);
    // the loser's bytes again, on either replica: a replay
    const loser = outcomes[0] && (outcomes[0] as { created: boolean }).created ? nb : na;
    expect(await a.submit(loser, { ...r })).toEqual({ error: 'replayed_nonce' });
    expect((await c.query('SELECT count(*)::int AS n FROM "Report" WHERE id = $1', [r.id])).rows[0].n).toBe(1);
  });

  /** Runs `submissions` with the Report table's writes held back until all have passed their idempotency read. */
  async function heldBack<T>(submissions: Array<() => Promise<T>>): Promise<T[]> {
    const lock = new pg.Client({ connectionString: db.url });
    await lock.connect();
    try {
      await lock.query('BEGIN');
      await lock.query('LOCK TABLE "Report" IN SHARE ROW EXCLUSIVE MODE');
      const pending = Promise.all(submissions.map((f) => f()));
      for (let i = 0; i < 200; i++) {
        const waiting = await c.query(
          `SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock' AND query LIKE '%contamos_submit_report%'`,
        );
        if (waiting.rows[0].n === submissions.length) break;
        await new Promise((res) => setTimeout(res, 20));
      }
      await lock.query('COMMIT');
      return await pending;
    } finally {
      await lock.end();
    }
  }

  it('the same amendment raced on two replicas (a client retrying): stored once, both answered as stored', async () => {
    const old = row(alice);
    expect(await a.submit(nonce(), old)).toEqual({ created: true });
    const amend = row(alice, { supersedes: old.id });
    const outcomes = await heldBack([() => a.submit(nonce(), { ...amend }), () => b.submit(nonce(), { ...amend })]);
    // as one after the other: the second finds the id stored with the same hash (200), not a 409
    // report_not_active because the first had already superseded `old`
    expect(outcomes).toEqual(expect.arrayContaining([{ created: true }, { created: false }]));
  });

  it('one nonce raced on two replicas with two reports (a replay racing its original): one stored, the other replayed_nonce and absent', async () => {
    const n = nonce();
    const first = row(alice);
    const second = row(alice);
    const outcomes = await heldBack([() => a.submit(n, first), () => b.submit(n, second)]);
    expect(outcomes).toEqual(expect.arrayContaining([{ created: true }, { error: 'replayed_nonce' }]));
    const ids = (await c.query('SELECT id FROM "Report" WHERE id = ANY($1)', [[first.id, second.id]])).rows;
    expect(ids).toHaveLength(1);
  });

  it('a race of one id leaves no database error carrying a value (the server log keeps every ERROR with its DETAIL and time)', async () => {
    // PostgreSQL logs each failed statement (log_min_messages = warning) with its DETAIL: for a
    // unique violation, `Key (id)=(<report id>) already exists.`, next to a timestamp — a report
    // tied to when it arrived, in the operator's logs (docs/design.md: never kept, anywhere).
    const details: string[] = [];
    for (const intake of [a, b]) {
      const pool = (intake as unknown as { pool: pg.Pool }).pool;
      const query = pool.query.bind(pool) as (...args: unknown[]) => Promise<unknown>;
      (pool as unknown as { query: unknown }).query = (...args: unknown[]) =>
        query(...args).catch((e: { detail?: string }) => {
          if (e?.detail) details.push(e.detail);
          throw e;
        });
    }
    const r = row(alice);
    const mine = row(alice);
    const bobs = row(`m-${randomBytes(9).toString('base64url')}`);
    await c.query('INSERT INTO "Member" ("keyId", "publicKey", "revoked") VALUES ($1, $2, false)', [bobs.memberKeyId, hex()]);
    const outcomes = await heldBack([
      () => a.submit(nonce(), { ...r }),
      () => b.submit(nonce(), { ...r }),
      () => a.submit(nonce(), { ...mine }),
      () => b.submit(nonce(), { ...mine, reportHash: hex() }),
      () => a.submit(nonce(), { ...bobs }),
      () => b.submit(nonce(), { ...bobs, memberKeyId: alice }),
    ]);
    expect(outcomes.filter((o) => 'created' in o && o.created)).toHaveLength(3);
    expect(details).toEqual([]);
  });
});

describe.runIf(providers.includes('postgres'))('red team: two replicas on one PostgreSQL database', () => {
  let t: TestApp;
  let other: { app: ReturnType<typeof createApp>; ctx: ServiceContext; close(): Promise<void> };

  beforeAll(async () => {
    process.env.CONTAMOS_TEST_TALLY_WORK = '1';
    t = await startTestApp('postgres', { minK: 2, rateLimitPerMinute: 1000 });
    const db2 = openDatabase(t.testDb.url);
    const ctx: ServiceContext = { ...t.ctx, db: db2 };
    const sink = new Writable({
      write(_c, _e, cb) {
        cb();
      },
    });
    other = { app: createApp(ctx, { logger: createLogger('info', sink), rateLimitPerMinute: 1000 }), ctx, close: () => db2.close() };
  });
  afterAll(async () => {
    delete process.env.CONTAMOS_TEST_TALLY_WORK;
    await other?.close();
    await t?.close();
  });

  it('a member key cached by both replicas, revoked through one: the other refuses its submission and stores nothing', async () => {
    const org = await enrolMember(t);
    // both replicas verify (and so cache) the key with a stored report each
    expect((await signed(t.app, 'PUT', `/api/v1/reports/${newId()}`, org, sampleReport(t))).status).toBe(201);
    expect((await signed(other.app, 'PUT', `/api/v1/reports/${newId()}`, org, sampleReport(t))).status).toBe(201);
    const revoke = await signed(t.app, 'DELETE', `/api/v1/members/${org.keyId}`, t.steward);
    expect(revoke.status, JSON.stringify(revoke.body)).toBeLessThan(300);
    const before = await tableContents(t.testDb);
    const res = await signed(other.app, 'PUT', `/api/v1/reports/${newId()}`, org, sampleReport(t));
    expect(res.status).toBe(403);
    expect(res.body.error.code).toBe('key_revoked');
    const after = await tableContents(t.testDb);
    // rate-window counts are the only rows a refusal may change
    expect({ ...after, RateWindow: undefined }).toEqual({ ...before, RateWindow: undefined });
  });

  async function seedForReleases() {
    const org = await enrolMember(t);
    for (const region of ['PE-LMA', 'PE-LMA', 'PE-CAL', 'PE-CAL', 'PE-ARE']) {
      expect((await signed(t.app, 'PUT', `/api/v1/reports/${newId()}`, org, sampleReport(t, { region }))).status).toBe(201);
    }
  }

  it('the same signed draft request sent at once to both replicas: one draft, the other replayed_nonce', async () => {
    await seedForReleases();
    const body = { series: 'carrera', filter: { year: 2023 }, tables: [['year', 'region']], k: 2 };
    const opts = { nonce: randomBytes(16).toString('base64url'), created: Math.floor(Date.now() / 1000) };
    const answers = await Promise.all([
      signed(t.app, 'POST', '/api/v1/releases', t.publisher, body, opts),
      signed(other.app, 'POST', '/api/v1/releases', t.publisher, body, opts),
      signed(t.app, 'POST', '/api/v1/releases', t.publisher, body, opts),
    ]);
    expect(answers.filter((r) => r.status === 201)).toHaveLength(1);
    expect(answers.filter((r) => r.body?.error?.code === 'replayed_nonce')).toHaveLength(2);
    const c = new pg.Client({ connectionString: t.testDb.url });
    await c.connect();
    try {
      expect((await c.query(`SELECT count(*)::int AS n FROM "ReleaseDraft" WHERE series = 'carrera'`)).rows[0].n).toBe(1);
    } finally {
      await c.end();
    }
  });

  it('the same signed dry run sent several times at once to one replica: computed once, the replays refused before counting', async () => {
    await seedForReleases();
    const body = { series: 'prueba-una', filter: { year: 2023 }, tables: [['year', 'region']], k: 2 };
    const opts = { nonce: randomBytes(16).toString('base64url'), created: Math.floor(Date.now() / 1000) };
    resetWorkTally();
    const answers = await Promise.all([1, 2, 3, 4].map(() => signed(t.app, 'POST', '/api/v1/releases/dry-run', t.publisher, body, opts)));
    expect(answers.filter((r) => r.status === 200)).toHaveLength(1);
    expect(answers.filter((r) => r.body?.error?.code === 'replayed_nonce')).toHaveLength(3);
    expect(workTally()).toEqual({ count: 1, lp: 1 });
  });

  // FIXED (was LEAKS WORK, across replicas): a replay that reached another replica while its
  // original was being computed passed `nonces.seen` (read before computing) and counted every
  // report and ran the linear programs before `signed` refused it at the end: one captured
  // publisher request sent to N replicas at once cost N computations (up to seconds each). Now the
  // charge of the first marks the nonce in the shared RateWindow table, and the copy is refused first. The nonce table is held here (a
  // SHARE lock: reads pass, the consuming insert waits) so both requests are computing at once.
  it('the same signed dry run sent at once to both replicas: computed once (the replay refused before counting)', async () => {
    await seedForReleases();
    const body = { series: 'prueba-carrera', filter: { year: 2023 }, tables: [['year', 'region']], k: 2 };
    const opts = { nonce: randomBytes(16).toString('base64url'), created: Math.floor(Date.now() / 1000) };
    const lock = new pg.Client({ connectionString: t.testDb.url });
    await lock.connect();
    let answers: Array<{ status: number; body: any }>;
    try {
      await lock.query('BEGIN');
      await lock.query('LOCK TABLE "Nonce" IN SHARE MODE');
      resetWorkTally();
      let settled = 0;
      const pending = Promise.all(
        [t.app, other.app].map((app) =>
          signed(app, 'POST', '/api/v1/releases/dry-run', t.publisher, body, opts).finally(() => {
            settled++;
          }),
        ),
      );
      // both computed, both now waiting to consume the nonce (or one already refused, as it should be)
      for (let i = 0; i < 300 && workTally().count < 2 && settled === 0; i++) await new Promise((res) => setTimeout(res, 20));
      await lock.query('COMMIT');
      answers = await pending;
    } finally {
      await lock.end();
    }
    expect(answers.filter((r) => r.status === 200)).toHaveLength(1);
    expect(answers.filter((r) => r.body?.error?.code === 'replayed_nonce')).toHaveLength(1);
    // observed: { count: 2, lp: 2 } (before the in-process guard, four requests to two replicas: { count: 4, lp: 4 })
    expect(workTally()).toEqual({ count: 1, lp: 1 });
  });
});
