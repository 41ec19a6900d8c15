// SQLite when the disk is full or the database becomes read-only: submissions get a clear 503
// (JSON error shape, Retry-After), nothing half-written, the file passes integrity_check, and once
// space comes back the same submission succeeds. Disk full is simulated with max_page_count on the
// server's own write connection (on the writer thread) (SQLite then fails exactly as on a full disk: SQLITE_FULL).
// "Nothing stored" is checked row by row: the reports are exactly the acknowledged ones, the
// refused report's id is absent and its nonce was not kept. Shown to fail: docs/test-evidence.md.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import { enrolMember, newId, sampleReport, signed, startTestApp, type SigningKey, type TestApp } from '../helpers/app.js';
import { tableContents } from '../helpers/databases.js';

describe('SQLite disk full and read-only', () => {
  let t: TestApp;
  let org: SigningKey;
  beforeAll(async () => {
    t = await startTestApp('sqlite');
    org = await enrolMember(t);
  });
  afterAll(async () => t?.close());

  function rows(): { reports: string[]; nonces: number; members: string } {
    const c = new Database(t.testDb.url.slice('file:'.length), { readonly: true });
    try {
      return {
        reports: (c.prepare('SELECT id FROM "Report"').all() as Array<{ id: string }>).map((r) => r.id).sort(),
        nonces: (c.prepare('SELECT COUNT(*) AS n FROM "Nonce"').get() as { n: number }).n,
        members: JSON.stringify(c.prepare('SELECT * FROM "Member" ORDER BY keyId').all()),
      };
    } finally {
      c.close();
    }
  }

  function integrity(): string {
    const c = new Database(t.testDb.url.slice('file:'.length), { readonly: true });
    try {
      return c.pragma('integrity_check', { simple: true }) as string;
    } finally {
      c.close();
    }
  }

  it('disk full: 503 with Retry-After, the refused report and its nonce not stored, no corruption; the same report goes through when space is back', async () => {
    const fast = t.db.fast!;
    const pages = fast.db.pragma('page_count', { simple: true }) as number;
    const before = rows();
    await fast.writerPragma(`max_page_count = ${pages}`);
    // a large narrative forces new pages
    const body = sampleReport(t);
    const accepted: string[] = [];
    let full: { status: number; body: any; headers: Record<string, string> } | undefined;
    let refusedId = '';
    for (let i = 0; i < 20; i++) {
      const id = newId();
      const res = await signed(t.app, 'PUT', `/api/v1/reports/${id}`, org, body);
      if (res.status !== 201) {
        full = res;
        refusedId = id;
        break;
      }
      accepted.push(id);
    }
    expect(full?.status).toBe(503);
    expect(full?.body.error.code).toBe('database_unavailable');
    expect(full?.headers['retry-after']).toBe('5');
    expect(integrity()).toBe('ok');
    // nothing of the refused submission is stored: the reports are exactly those acknowledged
    // before it, and one nonce per acknowledged submission
    const during = rows();
    expect(during.reports).toEqual([...before.reports, ...accepted].sort());
    expect(during.reports).not.toContain(refusedId);
    expect(during.nonces).toBe(before.nonces + accepted.length);
    expect(during.members).toEqual(before.members);
    await fast.writerPragma('max_page_count = 1073741823');
    const retry = await signed(t.app, 'PUT', `/api/v1/reports/${refusedId}`, org, body);
    expect(retry.status).toBe(201);
    expect(integrity()).toBe('ok');
    expect(rows().reports).toEqual([...before.reports, ...accepted, refusedId].sort());
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
