// The PostgreSQL intake thread (server/db/pg-intake-client.ts → pg-intake-worker.ts), which the
// PostgreSQL Store uses for its three submission queries: its answers are PgIntake's (outcomes and
// refusals, a rate-window Map, null for a replay), a driver error crosses the thread still
// classified as unavailable (503), and when the thread dies every pending submission is rejected,
// never acknowledged, the next call starting a new thread; a retry of a rejected submission stores
// one copy whether or not the first one's commit landed (it may land after the thread died).
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isUnavailable } from '../../server/db/errors.js';
import { migrate } from '../../server/db/migrate.js';
import { PgIntakeThread } from '../../server/db/pg-intake-client.js';
import { createTestDatabase, providers, type TestDatabase } from '../helpers/databases.js';
import { hex, nonce, reportRow as row } from '../helpers/report-rows.js';

describe.runIf(providers.includes('postgres'))('PostgreSQL intake thread', () => {
  let db: TestDatabase;
  let thread: PgIntakeThread;
  let c: pg.Client;
  const alice = `m-${randomBytes(9).toString('base64url')}`;
  const publicKey = hex();

  beforeAll(async () => {
    db = await createTestDatabase('postgres');
    await migrate(db.url);
    thread = new PgIntakeThread(db.url);
    c = new pg.Client({ connectionString: db.url });
    await c.connect();
    await c.query('INSERT INTO "Member" ("keyId", "publicKey", "revoked") VALUES ($1, $2, false)', [alice, publicKey]);
  });
  afterAll(async () => {
    await c?.end();
    await thread?.close();
    await db?.drop();
  });

  const stored = async (id: string) => (await c.query('SELECT 1 FROM "Report" WHERE "id" = $1', [id])).rowCount;

  it("answers as PgIntake does: the member's key, outcomes and refusals, rate windows and replays", async () => {
    expect(await thread.memberKey(alice)).toEqual({ publicKey, revoked: false });
    expect(await thread.memberKey('m-nobody')).toBeNull();
    const n = nonce();
    const r = row(alice);
    expect(await thread.submit(n, r)).toEqual({ created: true });
    expect(await stored(r.id)).toBe(1);
    expect(await thread.submit(n, row(alice))).toEqual({ error: 'replayed_nonce' });
    expect(await thread.submit(nonce(), r)).toEqual({ created: false });
    expect(await thread.submit(nonce(), row('m-nobody'))).toEqual({ error: 'key_revoked' });
    const counts = await thread.chargeRateWindows({ hash: hex(), expiresAt: 1_900_000_000 }, [{ bucket: hex(), expiresAt: 1_900_000_000 }]);
    expect(counts).toBeInstanceOf(Map);
    expect([...counts!.values()]).toEqual([1]);
    expect(await thread.chargeRateWindows(n, [{ bucket: hex(), expiresAt: 1_900_000_000 }])).toBeNull();
  });

  it('a driver error crosses the thread classified as unavailable (503)', async () => {
    const dead = new PgIntakeThread('postgresql://postgres@127.0.0.1:1/nowhere');
    try {
      const e = await dead.submit(nonce(), row(alice)).then(
        () => null,
        (x: unknown) => x,
      );
      expect(e).toBeInstanceOf(Error);
      expect(isUnavailable(e)).toBe(true);
    } finally {
      await dead.close();
    }
  });

  it('when the thread dies, pending submissions are rejected, never acknowledged; the next call starts a new thread', async () => {
    const sent = Array.from({ length: 40 }, () => ({ n: nonce(), r: row(alice) }));
    const answers = sent.map((s) =>
      thread.submit(s.n, s.r).then(
        (v) => ({ ok: v }),
        (e: unknown) => ({ err: e }),
      ),
    );
    const worker = thread.thread.worker!;
    await worker.terminate();
    const settled = await Promise.all(answers);
    expect(settled.some((a) => 'err' in a)).toBe(true);
    for (const [i, a] of settled.entries()) {
      // acknowledged → stored; rejected → a retry (a new nonce, the same report) never stores a second copy
      if ('ok' in a) expect([a.ok, await stored(sent[i]!.r.id)]).toEqual([{ created: true }, 1]);
      else {
        // its statement may still commit after the thread died (PostgreSQL finishes it), so the
        // retry is either the first copy or the same report again — and one copy is stored
        expect([{ created: true }, { created: false }]).toContainEqual(await thread.submit(nonce(), sent[i]!.r));
        expect(await stored(sent[i]!.r.id)).toBe(1);
      }
    }
  });
});
