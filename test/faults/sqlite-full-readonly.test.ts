// SQLite when the disk is full or the database becomes read-only: submissions get a clear 503
// (JSON error shape, Retry-After), nothing half-written, the file passes integrity_check, and once
// space comes back the same submission succeeds. Disk full is simulated with max_page_count on the
// server's own write connection (on the writer thread) (SQLite then fails exactly as on a full disk: SQLITE_FULL).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import { enrolMember, newId, sampleReport, signed, startTestApp, type SigningKey, type TestApp } from '../helpers/app.js';
import { tableContents } from '../helpers/databases.js';

describe('SQLite disk full and read-only', () => {
  let t: TestApp;
  let org: SigningKey;
  beforeAll(async () => { t = await startTestApp('sqlite'); org = await enrolMember(t); });
  afterAll(async () => t?.close());

  function integrity(): string {
    const c = new Database(t.testDb.url.slice('file:'.length), { readonly: true });
    try { return (c.pragma('integrity_check', { simple: true }) as string); } finally { c.close(); }
  }

  it('disk full: 503, nothing stored, no corruption; works again when space is back', async () => {
    const fast = t.db.fast!;
    const pages = fast.db.pragma('page_count', { simple: true }) as number;
    const before = await tableContents(t.testDb);
    await fast.writerPragma(`max_page_count = ${pages}`);
    const id = newId();
    // a large narrative forces new pages
    const body = sampleReport(t);
    let full: { status: number; body: any } | undefined;
    for (let i = 0; i < 20; i++) {
      const res = await signed(t.app, 'PUT', `/api/v1/reports/${i === 0 ? id : newId()}`, org, body);
      if (res.status !== 201) { full = res; break; }
    }
    expect(full?.status).toBe(503);
    expect(full?.body.error.code).toBe('database_unavailable');
    expect(integrity()).toBe('ok');
    await fast.writerPragma('max_page_count = 1073741823');
    const retry = await signed(t.app, 'PUT', `/api/v1/reports/${newId()}`, org, body);
    expect(retry.status).toBe(201);
    expect(integrity()).toBe('ok');
    expect(Object.keys(await tableContents(t.testDb))).toEqual(Object.keys(before));
  });

  it('read-only database: 503 and nothing written', async () => {
    const fast = t.db.fast!;
    const before = await tableContents(t.testDb);
    await fast.writerPragma('query_only = ON');
    try {
      const res = await signed(t.app, 'PUT', `/api/v1/reports/${newId()}`, org, sampleReport(t));
      expect([res.status, res.body.error.code]).toEqual([503, 'database_unavailable']);
      expect(res.headers['retry-after']).toBe('5');
    } finally {
      await fast.writerPragma('query_only = OFF');
    }
    expect(await tableContents(t.testDb)).toEqual(before);
    expect(integrity()).toBe('ok');
  });
});
