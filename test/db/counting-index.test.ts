// Counting reads every report's facts (server/db/prisma-data.ts factsSql) from the counting index
// alone (migration 0017), never from the table: on SQLite a table read walks every sealed
// narrative's overflow pages to reach the columns after it, on PostgreSQL it reads the heap.
// Checked on the migrated databases with each planner's own explanation of the statement.
import pg from 'pg';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrate } from '../../server/db/migrate.js';
import { factsSql } from '../../server/db/prisma-data.js';
import { sqlitePath } from '../../server/db/url.js';
import { KEY_COLUMNS } from '../../server/services/report-facts.js';
import { createTestDatabase, providers, type TestDatabase } from '../helpers/databases.js';

describe.each(providers)('the facts read of counting (%s)', (provider) => {
  let tdb: TestDatabase;
  beforeAll(async () => {
    tdb = await createTestDatabase(provider);
    await migrate(tdb.url);
  });
  afterAll(async () => {
    await tdb?.drop();
  });

  it('is answered from the counting index alone', async () => {
    const sql = factsSql(KEY_COLUMNS);
    if (provider === 'sqlite') {
      const db = new Database(sqlitePath(tdb.url), { readonly: true });
      try {
        const plan = (db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all() as Array<{ detail: string }>).map((r) => r.detail);
        expect(plan).toEqual(['SCAN Report USING COVERING INDEX Report_counting_idx']);
      } finally {
        db.close();
      }
      return;
    }
    const c = new pg.Client({ connectionString: tdb.url });
    await c.connect();
    try {
      // an empty table: the planner would rather scan it, so scans of the table are ruled out;
      // an index that lacked a column read could then only be an Index Scan, never Index Only
      await c.query('SET enable_seqscan = off; SET enable_bitmapscan = off');
      const { rows } = await c.query(`EXPLAIN ${sql}`);
      expect(rows.map((r) => r['QUERY PLAN'] as string).join('\n')).toMatch(/^Index Only Scan using "Report_counting_idx" on "Report"/);
    } finally {
      await c.end();
    }
  });
});
