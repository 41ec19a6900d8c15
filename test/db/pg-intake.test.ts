// The PostgreSQL intake path (server/db/pg-intake.ts, migration 0013) on its own: the member-key
// lookup, the rate-window charge, every outcome of the intake transaction, each refusal shown to
// write nothing (not even its nonce), the race of one id between two replicas (two pools) made
// deterministic by holding the winner's transaction open, a submission held back by the
// stored-order mix's lock, and an unreachable database classified as unavailable. The API suites (test/api/intake.test.ts, revocation-race.test.ts) run the same path
// through HTTP.
import { randomBytes, randomUUID } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { migrate } from '../../server/db/migrate.js';
import { PgIntake } from '../../server/db/pg-intake.js';
import type { ReportRow } from '../../server/db/report-row.js';
import { isUnavailable } from '../../server/db/errors.js';
import { createTestDatabase, providers, tableContents, type TestDatabase } from '../helpers/databases.js';
import { hex, nonce, reportRow as row } from '../helpers/report-rows.js';

describe.runIf(providers.includes('postgres'))('PostgreSQL intake in one statement', () => {
  let db: TestDatabase;
  let intake: PgIntake;
  let replica: PgIntake;
  let c: pg.Client;
  const alice = `m-${randomBytes(9).toString('base64url')}`;
  const bob = `m-${randomBytes(9).toString('base64url')}`;
  const revoked = `m-${randomBytes(9).toString('base64url')}`;

  beforeAll(async () => {
    db = await createTestDatabase('postgres');
    await migrate(db.url);
    intake = new PgIntake(db.url);
    replica = new PgIntake(db.url); // a second replica: its own pool on the same database
    c = new pg.Client({ connectionString: db.url });
    await c.connect();
    for (const [keyId, rev] of [
      [alice, false],
      [bob, false],
      [revoked, true],
    ] as const) {
      await c.query('INSERT INTO "Member" ("keyId", "publicKey", "revoked") VALUES ($1, $2, $3)', [keyId, hex(), rev]);
    }
  });
  afterAll(async () => {
    await c?.end();
    await intake?.close();
    await replica?.close();
    await db?.drop();
  });

  let before: Record<string, string>;
  beforeEach(async () => {
    before = await tableContents(db);
  });
  const unchanged = async () => expect(await tableContents(db)).toEqual(before);
  const stored = async (id: string) => (await c.query('SELECT * FROM "Report" WHERE id = $1', [id])).rows[0] as Record<string, unknown> | undefined;
  const nonceStored = async (hash: string) => (await c.query('SELECT 1 FROM "Nonce" WHERE hash = $1', [hash])).rowCount === 1;

  it('stores a report with every field as given, active, and consumes the nonce, committed when it resolves', async () => {
    const n = nonce();
    const r = row(alice, { quarter: 3, outcome: 'reported-no-action', dedupeTag: hex(), sealedNarrative: `'); DROP TABLE "Report"; --` });
    expect(await intake.submit(n, r)).toEqual({ created: true });
    // read on another connection: the commit happened before submit resolved
    expect(await stored(r.id)).toEqual({ ...r, status: 'active' });
    expect(await c.query('SELECT "expiresAt" FROM "Nonce" WHERE hash = $1', [n.hash])).toMatchObject({ rows: [{ expiresAt: n.expiresAt }] });
  });

  it('refuses a replayed nonce and writes nothing (the second report is not stored)', async () => {
    const n = nonce();
    const first = row(alice);
    expect(await intake.submit(n, first)).toEqual({ created: true });
    before = await tableContents(db);
    const second = row(alice);
    expect(await intake.submit(n, second)).toEqual({ error: 'replayed_nonce' });
    // a replay through another replica is refused too
    expect(await replica.submit(n, row(alice))).toEqual({ error: 'replayed_nonce' });
    await unchanged();
    expect(await stored(second.id)).toBeUndefined();
  });

  it('refuses a revoked key and an unknown one: no report, no nonce consumed', async () => {
    for (const keyId of [revoked, `m-${randomBytes(9).toString('base64url')}`]) {
      const n = nonce();
      const r = row(keyId);
      expect(await intake.submit(n, r)).toEqual({ error: 'key_revoked' });
      expect(await nonceStored(n.hash)).toBe(false);
      expect(await stored(r.id)).toBeUndefined();
    }
    await unchanged();
  });

  it('a revocation committed after the signature was checked wins', async () => {
    const keyId = `m-${randomBytes(9).toString('base64url')}`;
    await c.query('INSERT INTO "Member" ("keyId", "publicKey") VALUES ($1, $2)', [keyId, hex()]);
    expect(await intake.submit(nonce(), row(keyId))).toEqual({ created: true });
    await c.query('UPDATE "Member" SET revoked = true WHERE "keyId" = $1', [keyId]);
    before = await tableContents(db);
    expect(await intake.submit(nonce(), row(keyId))).toEqual({ error: 'key_revoked' });
    await unchanged();
  });

  it("the same report again is not created (nonce consumed); another body under the id is a conflict; another member's id is taken", async () => {
    const r = row(alice);
    expect(await intake.submit(nonce(), r)).toEqual({ created: true });
    const again = nonce();
    expect(await intake.submit(again, { ...r })).toEqual({ created: false });
    expect(await nonceStored(again.hash)).toBe(true);
    before = await tableContents(db);
    // the attacker's side: Bob knows Alice's report id and tries to overwrite it, same hash or not
    const conflict = nonce();
    expect(await intake.submit(conflict, { ...r, reportHash: hex(), region: 'PE-ARE' })).toEqual({ error: 'report_conflict' });
    expect(await intake.submit(nonce(), { ...r, memberKeyId: bob })).toEqual({ error: 'report_id_taken' });
    expect(await intake.submit(nonce(), { ...r, memberKeyId: bob, reportHash: hex() })).toEqual({ error: 'report_id_taken' });
    await unchanged();
    expect(await nonceStored(conflict.hash)).toBe(false);
    expect(await stored(r.id)).toEqual({ ...r, status: 'active' });
  });

  it("an amendment supersedes the member's own active report; not active, not own and missing are refused and write nothing", async () => {
    const old = row(alice);
    expect(await intake.submit(nonce(), old)).toEqual({ created: true });
    const amend = row(alice, { supersedes: old.id });
    expect(await intake.submit(nonce(), amend)).toEqual({ created: true });
    expect((await stored(old.id))!.status).toBe('superseded');
    expect((await stored(amend.id))!.status).toBe('active');
    before = await tableContents(db);
    expect(await intake.submit(nonce(), row(alice, { supersedes: old.id }))).toEqual({ error: 'report_not_active' });
    // Bob cannot supersede Alice's active report: it is "not found" to him
    expect(await intake.submit(nonce(), row(bob, { supersedes: amend.id }))).toEqual({ error: 'report_not_found' });
    expect(await intake.submit(nonce(), row(alice, { supersedes: randomUUID() }))).toEqual({ error: 'report_not_found' });
    await unchanged();
    expect((await stored(amend.id))!.status).toBe('active');
  });

  it('refusals keep their precedence: a replay of a revoked key is a replay, a revoked key over a taken id is key_revoked', async () => {
    const n = nonce();
    const r = row(alice);
    expect(await intake.submit(n, r)).toEqual({ created: true });
    before = await tableContents(db);
    expect(await intake.submit(n, row(revoked))).toEqual({ error: 'replayed_nonce' });
    expect(await intake.submit(nonce(), { ...r, memberKeyId: revoked })).toEqual({ error: 'key_revoked' });
    await unchanged();
  });

  describe("one id raced between two replicas: the loser waits for the winner's commit and is answered from its row", () => {
    /** Inserts `winner` in a transaction left open, starts `loser` on the other replica, then commits or rolls back. */
    async function race(winner: ReportRow, loser: ReportRow, end: 'COMMIT' | 'ROLLBACK') {
      const w = new pg.Client({ connectionString: db.url });
      await w.connect();
      try {
        await w.query('BEGIN');
        await w.query(
          `INSERT INTO "Report" ("id", "memberKeyId", "year", "region", "incidentType", "victimGender", "victimNationality", "victimAgeBand", "perpetratorType", "sealedNarrative", "reportHash")
          VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
          [
            winner.id,
            winner.memberKeyId,
            winner.year,
            winner.region,
            winner.incidentType,
            winner.victimGender,
            winner.victimNationality,
            winner.victimAgeBand,
            winner.perpetratorType,
            winner.sealedNarrative,
            winner.reportHash,
          ],
        );
        const n = nonce();
        const pending = replica.submit(n, loser);
        // the loser's function has consumed its nonce and now waits on the primary key's index entry
        for (let i = 0; i < 100; i++) {
          const waiting = await c.query(
            `SELECT 1 FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock' AND query LIKE '%contamos_submit_report%'`,
          );
          if (waiting.rowCount) break;
          await new Promise((res) => setTimeout(res, 20));
        }
        let settled = false;
        void pending.finally(() => {
          settled = true;
        });
        await new Promise((res) => setTimeout(res, 50));
        expect(settled).toBe(false); // still waiting: the outcome depends on the winner's end
        await w.query(end);
        return { outcome: await pending, nonceConsumed: await nonceStored(n.hash) };
      } finally {
        await w.end();
      }
    }

    it('the same report: not created, nothing of the loser written but its nonce (spent, as in turn)', async () => {
      const r = row(alice);
      const res = await race(r, { ...r }, 'COMMIT');
      expect(res).toEqual({ outcome: { created: false }, nonceConsumed: true });
      expect(await stored(r.id)).toEqual({ ...r, status: 'active' });
    });

    it("another member's report: report_id_taken; another body of one's own: report_conflict", async () => {
      const taken = row(bob);
      expect(await race(taken, { ...taken, memberKeyId: alice }, 'COMMIT')).toEqual({ outcome: { error: 'report_id_taken' }, nonceConsumed: false });
      const own = row(alice);
      expect(await race(own, { ...own, reportHash: hex() }, 'COMMIT')).toEqual({ outcome: { error: 'report_conflict' }, nonceConsumed: false });
      expect((await stored(own.id))!.reportHash).toBe(own.reportHash);
    });

    it('an amendment that lost the race supersedes nothing', async () => {
      const old = row(alice);
      expect(await intake.submit(nonce(), old)).toEqual({ created: true });
      const winner = row(bob);
      const res = await race(winner, { ...winner, memberKeyId: alice, supersedes: old.id }, 'COMMIT');
      expect(res).toEqual({ outcome: { error: 'report_id_taken' }, nonceConsumed: false });
      expect((await stored(old.id))!.status).toBe('active');
    });

    it('the winner rolled back: the loser stores its report', async () => {
      const r = row(alice);
      const res = await race(row(bob, { id: r.id }), r, 'ROLLBACK');
      expect(res).toEqual({ outcome: { created: true }, nonceConsumed: true });
      expect(await stored(r.id)).toEqual({ ...r, status: 'active' });
    });

    it('many submissions of one report at once on both replicas: one created, the others not, one row', async () => {
      const r = row(alice);
      const outcomes = await Promise.all(Array.from({ length: 16 }, (_, i) => (i % 2 ? replica : intake).submit(nonce(), { ...r })));
      expect(outcomes.filter((o) => 'created' in o && o.created)).toHaveLength(1);
      expect(outcomes.filter((o) => 'created' in o && !o.created)).toHaveLength(15);
      expect((await c.query('SELECT count(*)::int AS n FROM "Report" WHERE id = $1', [r.id])).rows[0].n).toBe(1);
    });
  });

  it('waits while the stored order is being mixed (its table lock), then stores', async () => {
    const m = new pg.Client({ connectionString: db.url });
    await m.connect();
    try {
      await m.query('BEGIN');
      await m.query('LOCK TABLE "Report", "Member" IN SHARE ROW EXCLUSIVE MODE'); // as db/mix-stored-order.ts does
      const r = row(alice);
      let settled = false;
      const pending = intake.submit(nonce(), r).finally(() => {
        settled = true;
      });
      await new Promise((res) => setTimeout(res, 200));
      expect(settled).toBe(false);
      await m.query('COMMIT');
      expect(await pending).toEqual({ created: true });
      expect(await stored(r.id)).toBeDefined();
    } finally {
      await m.end();
    }
  });

  it("reads a member's key and revocation state, null for an unknown key id", async () => {
    const [a, r] = await Promise.all([intake.memberKey(alice), intake.memberKey(revoked)]);
    expect(a).toEqual({ publicKey: expect.stringMatching(/^[0-9a-f]{64}$/), revoked: false });
    expect(r?.revoked).toBe(true);
    expect(await intake.memberKey('m-nobody')).toBeNull();
  });

  it('charges rate windows in one statement, and nothing for a nonce already consumed', async () => {
    const minute = hex();
    const day = hex();
    const n = nonce();
    expect(
      await intake.chargeRateWindows(n, [
        { bucket: minute, expiresAt: 60 },
        { bucket: day, expiresAt: 86_400 },
      ]),
    ).toEqual(
      new Map([
        [minute, 1],
        [day, 1],
      ]),
    );
    expect(await replica.chargeRateWindows(nonce(), [{ bucket: minute, expiresAt: 60 }])).toEqual(new Map([[minute, 2]]));
    expect(await intake.submit(n, row(alice))).toEqual({ created: true });
    // a replay of that request is charged nothing
    expect(
      await intake.chargeRateWindows(n, [
        { bucket: minute, expiresAt: 60 },
        { bucket: day, expiresAt: 86_400 },
      ]),
    ).toBeNull();
    const counts = (await c.query('SELECT bucket, count, "expiresAt" FROM "RateWindow" WHERE bucket = ANY($1) ORDER BY "expiresAt"', [[minute, day]])).rows;
    expect(counts).toEqual([
      { bucket: minute, count: 2, expiresAt: 60 },
      { bucket: day, count: 1, expiresAt: 86_400 },
    ]);
  });

  it('an unreachable database rejects with an error classified as unavailable (503), nothing stored', async () => {
    const dead = new URL(db.url);
    dead.hostname = '127.0.0.1';
    dead.port = '1'; // nothing listens there
    const off = new PgIntake(dead.toString());
    try {
      const r = row(alice);
      const err = await off.submit(nonce(), r).then(
        () => null,
        (e: unknown) => e,
      );
      expect(err).not.toBeNull();
      expect(isUnavailable(err)).toBe(true);
      expect(await stored(r.id)).toBeUndefined();
    } finally {
      await off.close();
    }
  });
});
