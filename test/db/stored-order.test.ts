// A copy of the disk must not show the order reports were submitted or members enrolled in
// (issue 16). Written from the side of someone holding the database files: on PostgreSQL they read
// each row's heap position (ctid) and writing transaction (xmin); on SQLite, each table's storage
// order (a rowid table is stored in insertion order; a WITHOUT ROWID table in key order).
import Database from 'better-sqlite3';
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { sqlitePath } from '../../server/db/url.js';
import { enrolMember, newId, sampleReport, signed, startTestApp, type TestApp } from '../helpers/app.js';
import { providers } from '../helpers/databases.js';

/** Spearman's rank correlation of a permutation of 0..n-1 against 0..n-1. */
function spearman(ranks: number[]): number {
  const n = ranks.length;
  const d2 = ranks.reduce((s, r, i) => s + (r - i) ** 2, 0);
  return 1 - (6 * d2) / (n * (n * n - 1));
}

/**
 * Asserts that a stored order is uncorrelated with arrival: under a random order Spearman's ρ has
 * mean 0 and standard deviation 1/√(n−1), so |ρ| below five of those fails a truly random order
 * about once in two million runs, while an order that follows arrival (ρ near 1) fails it at any n
 * used here (≥ 60: the bound is at most 0.65).
 */
function expectUncorrelated(ranks: number[], what: string): void {
  const n = ranks.length;
  expect(n, what).toBeGreaterThanOrEqual(60);
  expect(Math.abs(spearman(ranks)), what).toBeLessThan(5 / Math.sqrt(n - 1));
}

/** Where each submitted id sits in the stored order, relative to the others (0 = first stored). */
function storedRanks(submitted: string[], stored: string[]): number[] {
  const ours = stored.filter((id) => submitted.includes(id));
  expect(ours.length).toBe(submitted.length);
  return submitted.map((id) => ours.indexOf(id));
}

async function submitInOrder(t: TestApp, n: number): Promise<string[]> {
  const members = [await enrolMember(t), await enrolMember(t), await enrolMember(t)];
  const ids: string[] = [];
  for (let i = 0; i < n; i++) {
    const id = newId();
    const res = await signed(t.app, 'PUT', `/api/v1/reports/${id}`, members[i % 3]!, sampleReport(t, { year: 2020 + (i % 4) }));
    expect(res.status).toBe(201);
    ids.push(id);
  }
  return ids;
}

describe.each(providers)('stored order does not follow submission order (%s)', (provider) => {
  let t: TestApp | undefined;
  afterEach(async () => {
    await t?.close();
    t = undefined;
  });

  if (provider === 'postgres') {
    it('after a mix, heap positions of reports and members are uncorrelated with arrival and share one xmin; only new rows are mixed again', async () => {
      t = await startTestApp(provider);
      const c = new pg.Client({ connectionString: t.testDb.url });
      await c.connect();
      try {
        const stored = async (table: 'Report' | 'Member', col: string) =>
          (await c.query(`SELECT "${col}" AS id, xmin::text AS xmin FROM "${table}" ORDER BY ctid`)).rows as Array<{ id: string; xmin: string }>;
        const enrolled: string[] = [];
        for (let i = 0; i < 60; i++) enrolled.push((await enrolMember(t)).keyId);
        const first = await submitInOrder(t, 60);
        // the threat is real: without the mix, the heap is in submission order
        expect(
          spearman(
            storedRanks(
              first,
              (await stored('Report', 'id')).map((r) => r.id),
            ),
          ),
        ).toBeGreaterThan(0.95);
        const before = (await c.query('SELECT * FROM "Report" ORDER BY id')).rows;

        expect(
          spearman(
            storedRanks(
              enrolled,
              (await stored('Member', 'keyId')).map((r) => r.id),
            ),
          ),
        ).toBeGreaterThan(0.95);
        expect(await t.db.mixStoredOrder()).toEqual({ reports: 60, members: 63 });
        const reports = await stored('Report', 'id');
        expectUncorrelated(
          storedRanks(
            first,
            reports.map((r) => r.id),
          ),
          'reports after the mix',
        );
        expect(new Set(reports.map((r) => r.xmin)).size).toBe(1);
        const members = await stored('Member', 'keyId');
        expect(new Set(members.map((r) => r.xmin)).size).toBe(1);
        expectUncorrelated(
          storedRanks(
            enrolled,
            members.map((m) => m.id),
          ),
          'members after the mix',
        );
        // nothing changed but the order
        expect((await c.query('SELECT * FROM "Report" ORDER BY id')).rows).toEqual(before);

        // later submissions are mixed by the next run, and only they are rewritten
        const second = await submitInOrder(t, 60);
        const oldXmin = reports[0]!.xmin;
        expect((await t.db.mixStoredOrder()).reports).toBe(60);
        const after = await stored('Report', 'id');
        expectUncorrelated(
          storedRanks(
            second,
            after.map((r) => r.id),
          ),
          'later reports after the next mix',
        );
        expect(after.filter((r) => first.includes(r.id)).every((r) => r.xmin === oldXmin)).toBe(true);
        expect(new Set(after.filter((r) => second.includes(r.id)).map((r) => r.xmin)).size).toBe(1);
        expect(after).toHaveLength(120);
      } finally {
        await c.end();
      }
    });
  } else {
    it('members, reports, invites, nonces and rate windows are WITHOUT ROWID tables, stored in random-key order', async () => {
      t = await startTestApp(provider);
      const enrolled: string[] = [];
      for (let i = 0; i < 60; i++) enrolled.push((await enrolMember(t)).keyId);
      const ids = await submitInOrder(t, 60);
      const db = new Database(sqlitePath(t.testDb.url), { readonly: true });
      try {
        for (const table of ['Member', 'Report', 'Invite', 'Nonce', 'RateWindow']) {
          const { sql } = db.prepare('SELECT sql FROM sqlite_master WHERE type = ? AND name = ?').get('table', table) as { sql: string };
          expect(sql, table).toMatch(/\)\s*WITHOUT ROWID$/);
          expect(() => db.prepare(`SELECT rowid FROM "${table}"`).all(), table).toThrow(/no such column: rowid/);
        }
        // the storage order a file reader sees is the primary-key B-tree's: a full scan in it
        // (every column, so that SQLite cannot answer from a covering index in that index's order)
        const scan = (table: string, col: string) => {
          const sql = `SELECT * FROM "${table}" NOT INDEXED`;
          expect(db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(), table).toEqual([expect.objectContaining({ detail: `SCAN ${table}` })]);
          return (db.prepare(sql).all() as Array<Record<string, string>>).map((r) => r[col]!);
        };
        const reports = scan('Report', 'id');
        const members = scan('Member', 'keyId');
        // a WITHOUT ROWID table is stored in key order, and the keys are random
        expect(reports).toEqual([...reports].sort());
        expect(members).toEqual([...members].sort());
        expectUncorrelated(storedRanks(ids, reports), 'reports');
        expectUncorrelated(storedRanks(enrolled, members), 'members');
        expect(await t.db.mixStoredOrder()).toEqual({ reports: 0, members: 0 });
      } finally {
        db.close();
      }
    });
  }
});
