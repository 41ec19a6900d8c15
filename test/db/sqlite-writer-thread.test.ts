// The SQLite writer thread (db/sqlite-fast-path.ts → sqlite-writer-worker.ts): submissions sent
// together are committed together, each decided on its own (a refused one leaves the others
// stored); nothing is acknowledged that is not in the database; if the thread dies, the pending
// submissions are rejected and the next one starts a new thread; nothing is signed there (the
// receipt is services/reports.ts's), and the checkpointer thread copies the WAL into the file alone.
// Revocation is re-checked inside the submission's transaction (a key revoked after the
// middleware's lookup writes nothing). The Ed25519 check of a request runs before, in
// http/auth.ts (test/api/intake.test.ts); test/api/revocation-race.test.ts covers the same race
// through the service on SQLite and PostgreSQL. Shown to fail: docs/test-evidence.md.
import { randomBytes, randomUUID } from 'node:crypto';
import { copyFileSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ready } from '../../crypto/index.js';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrate } from '../../server/db/migrate.js';
import { SqliteFastPath } from '../../server/db/sqlite-fast-path.js';
import type { ReportRow } from '../../server/db/report-row.js';
import { createTestDatabase, type TestDatabase } from '../helpers/databases.js';

const row = (over: Partial<ReportRow> = {}): ReportRow => ({
  id: randomUUID(),
  memberKeyId: 'm-writer-test',
  year: 2023,
  quarter: null,
  region: 'PE-LMA',
  incidentType: 'extortion',
  victimGender: 'cis-woman',
  victimNationality: 'VE',
  victimAgeBand: '25-34',
  perpetratorType: 'police',
  outcome: null,
  sealedNarrative: randomBytes(64).toString('base64'),
  dedupeTag: null,
  supersedes: null,
  reportHash: randomBytes(32).toString('hex'),
  ...over,
});
const nonce = () => ({ hash: randomBytes(32).toString('hex'), expiresAt: 4_000_000_000 });

describe('SQLite writer thread', () => {
  let tdb: TestDatabase;
  let fast: SqliteFastPath;
  let file: string;
  const stored = () => {
    const c = new Database(file, { readonly: true });
    try {
      return (c.prepare('SELECT id FROM "Report"').all() as Array<{ id: string }>).map((r) => r.id).sort();
    } finally {
      c.close();
    }
  };
  beforeAll(async () => {
    await ready();
    tdb = await createTestDatabase('sqlite');
    await migrate(tdb.url);
    file = tdb.url.slice('file:'.length);
    const c = new Database(file);
    c.prepare(`INSERT INTO "Member" (keyId, publicKey, revoked) VALUES ('m-writer-test', 'pk-writer-test', 0)`).run();
    c.close();
    fast = new SqliteFastPath(file);
  });
  afterAll(async () => {
    await fast.close();
    await tdb.drop();
  });

  it('a burst is decided submission by submission: replays and conflicts refused, the rest stored', async () => {
    const shared = nonce();
    const a = row();
    const rows = Array.from({ length: 40 }, () => row());
    const results = await Promise.all([
      fast.submit(shared, a),
      fast.submit(shared, row()), // same nonce, same batch: a replay
      ...rows.map((r) => fast.submit(nonce(), r)),
      fast.submit(nonce(), { ...a }), // same id and body: idempotent
      fast.submit(nonce(), { ...a, reportHash: randomBytes(32).toString('hex') }), // same id, other body
    ]);
    expect(results[0]).toEqual({ created: true });
    expect(results[1]).toEqual({ error: 'replayed_nonce' });
    expect(results.slice(2, 42).every((r) => 'created' in r && r.created)).toBe(true);
    expect(results[42]).toEqual({ created: false });
    expect(results[43]).toEqual({ error: 'report_conflict' });
    expect(stored()).toEqual([a.id, ...rows.map((r) => r.id)].sort());
  });

  it('a batch that fails as a whole (read-only) rejects every submission in it and stores none', async () => {
    const before = stored();
    await fast.writerPragma('query_only = ON');
    try {
      const results = await Promise.allSettled(Array.from({ length: 5 }, () => fast.submit(nonce(), row())));
      expect(
        results.every(
          (r) => r.status === 'rejected' && /readonly|SQLITE_READONLY/i.test(String((r.reason as Error).message) + (r.reason as { code?: string }).code),
        ),
      ).toBe(true);
    } finally {
      await fast.writerPragma('query_only = OFF');
    }
    expect(stored()).toEqual(before);
  });

  it('close() lets the writer finish what it was given: every submission sent before it is stored', async () => {
    const other = new SqliteFastPath(file);
    const rows = Array.from({ length: 10 }, () => row());
    const pending = rows.map((r) => other.submit(nonce(), r));
    await other.close();
    expect(await Promise.all(pending)).toEqual(rows.map(() => ({ created: true })));
    expect(stored()).toEqual(expect.arrayContaining(rows.map((r) => r.id)));
    await expect(other.submit(nonce(), row())).rejects.toThrow(/closed/);
  });

  it('if the writer thread dies, pending submissions are rejected and a new thread takes over', async () => {
    // Several rounds, so that both outcomes are seen: a submission acknowledged before the thread
    // stopped must be stored; a rejected one says why (it may or may not have been committed:
    // a retry of the same id is idempotent).
    let acknowledged = 0;
    let rejected = 0;
    for (let round = 0; round < 6; round++) {
      const worker = fast.writer.worker!;
      const rows = Array.from({ length: 8 }, () => row());
      const pending = rows.map((r) => fast.submit(nonce(), r));
      if (round % 2 === 1) await pending[0]; // let a commit finish before the thread is stopped
      await worker.terminate();
      const settled = await Promise.allSettled(pending);
      const ids = stored();
      settled.forEach((s, i) => {
        if (s.status === 'fulfilled') {
          acknowledged++;
          expect(s.value).toEqual({ created: true });
          expect(ids).toContain(rows[i]!.id);
        } else {
          rejected++;
          expect(String(s.reason)).toMatch(/writer thread stopped/);
        }
      });
      const r = row();
      expect(await fast.submit(nonce(), r)).toEqual({ created: true });
      expect(stored()).toContain(r.id);
    }
    expect(acknowledged).toBeGreaterThan(0);
    expect(rejected).toBeGreaterThan(0);
  });

  it('re-checks revocation inside the transaction: revoked after the key lookup, refused and nothing written', async () => {
    const c = new Database(file);
    c.prepare(`INSERT INTO "Member" (keyId, publicKey, revoked) VALUES ('m-revoke-race', 'pk-revoke-race', 0)`).run();
    // the middleware's lookup (main thread's read connection) sees a good key...
    expect(fast.memberKey('m-revoke-race')).toEqual({ publicKey: 'pk-revoke-race', revoked: false });
    const ok = row({ memberKeyId: 'm-revoke-race' });
    expect(await fast.submit(nonce(), ok)).toEqual({ created: true });
    // ...then the steward's revocation commits before the submission's transaction
    c.prepare(`UPDATE "Member" SET revoked = 1 WHERE keyId = 'm-revoke-race'`).run();
    const n = nonce();
    const late = row({ memberKeyId: 'm-revoke-race' });
    const before = stored();
    expect(await fast.submit(n, late)).toEqual({ error: 'key_revoked' });
    expect(stored()).toEqual(before);
    expect(c.prepare('SELECT COUNT(*) AS n FROM "Nonce" WHERE hash = ?').get(n.hash)).toEqual({ n: 0 });
    // an unknown key is refused the same way
    expect(await fast.submit(nonce(), row({ memberKeyId: 'm-nobody' }))).toEqual({ error: 'key_revoked' });
    c.close();
  });

  it('answers a stored report, a replayed nonce and the same report again, and signs nothing (services/reports.ts does)', async () => {
    const good = row();
    const n = nonce();
    expect(await fast.submit(n, good)).toEqual({ created: true });
    expect(stored()).toContain(good.id);
    // a replayed nonce is refused: nothing written
    const other = row();
    expect(await fast.submit(n, other)).toEqual({ error: 'replayed_nonce' });
    expect(stored()).not.toContain(other.id);
    expect(await fast.submit(nonce(), good)).toEqual({ created: false });
  });

  it('the checkpointer thread copies committed reports into the database file on its own', async () => {
    const rows = Array.from({ length: 30 }, () => row());
    await Promise.all(rows.map((r) => fast.submit(nonce(), r)));
    // The writer checkpoints itself only past a WAL of ~400 MB; here only the checkpointer can
    // have copied these rows into the main file. Read a copy of that file alone, without its WAL.
    const dir = mkdtempSync(path.join(tmpdir(), 'contamos-ckpt-'));
    try {
      const deadline = Date.now() + 10_000;
      let found: string[] = [];
      while (Date.now() < deadline) {
        const copy = path.join(dir, `copy-${Date.now()}.db`);
        copyFileSync(file, copy);
        expect(existsSync(`${copy}-wal`)).toBe(false);
        const c = new Database(copy, { readonly: true });
        try {
          found = (c.prepare('SELECT id FROM "Report"').all() as Array<{ id: string }>).map((r) => r.id);
        } finally {
          c.close();
        }
        if (rows.every((r) => found.includes(r.id))) break;
        await new Promise((r) => setTimeout(r, 200));
      }
      expect(found).toEqual(expect.arrayContaining(rows.map((r) => r.id)));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
