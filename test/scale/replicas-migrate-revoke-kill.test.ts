// PostgreSQL promises of SECURITY.md that need real server processes:
// - replicas started at the same moment on an empty database migrate it once, both serve, and the
//   schema is whole (every migration recorded once);
// - a revocation made through one replica is refused at once by the other (no cache);
// - SIGKILL on the PostgreSQL write path: every report a replica acknowledged is there after the
//   kill and a restart, and nothing unacknowledged is half-written (each stored report verifies
//   against the hash its receipt would carry).
// Shown to fail: docs/test-evidence.md.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateSigningKeyPair, parseKeyFile, ready, signRequest } from '../../crypto/index.js';
import { sampleReport } from '../helpers/app.js';
import { createKeySet } from '../../server/keys.js';
import { createTestDatabase, providers, type TestDatabase } from '../helpers/databases.js';
import { spawnServer, type ServerProcess } from '../helpers/process.js';

type Key = { keyId: string; secretKey: string };

async function call(base: string, method: string, url: string, key: Key | null, body?: unknown) {
  const text = body === undefined ? undefined : JSON.stringify(body);
  const headers: Record<string, string> = key ? await signRequest({ method, url, body: text ?? '' }, key) : {};
  if (text) headers['content-type'] = 'application/json';
  const res = await fetch(base + url, { method, headers, body: text });
  return { status: res.status, body: (await res.json().catch(() => null)) as any };
}

async function query<T>(url: string, sql: string): Promise<T[]> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return (await c.query(sql)).rows as T[];
  } finally {
    await c.end();
  }
}

describe.runIf(providers.includes('postgres'))('replicas on one PostgreSQL: migrating together, revocation, SIGKILL', () => {
  let db: TestDatabase;
  let dir: string;
  let env: Record<string, string>;
  let a: ServerProcess | undefined;
  let b: ServerProcess | undefined;
  let steward: Key;
  let seal: string;
  beforeAll(async () => {
    await ready();
    db = await createTestDatabase('postgres');
    dir = mkdtempSync(path.join(tmpdir(), 'contamos-replicas2-'));
    env = { DATABASE_URL: db.url, CONTAMOS_HOME: dir };
  });
  afterAll(async () => {
    await a?.stop('SIGKILL');
    await b?.stop('SIGKILL');
    await db?.drop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('two replicas started at the same moment on an empty database migrate it once and both serve', async () => {
    // the key set exists before (as in a deployment: two first starts would each create one)
    createKeySet(dir);
    [a, b] = await Promise.all([spawnServer(env), spawnServer(env)]);
    const migrations = await query<{ name: string }>(db.url, 'SELECT name FROM "_contamos_migrations" ORDER BY name');
    expect(migrations.length).toBeGreaterThanOrEqual(10);
    expect(new Set(migrations.map((m) => m.name)).size).toBe(migrations.length);
    const tables = await query<{ table_name: string }>(db.url, "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'");
    expect(tables.map((t) => t.table_name)).toEqual(expect.arrayContaining(['Member', 'Report', 'Release', 'Publication', 'DpLedger', 'ServerSecret']));
    const secrets = await query<{ n: string }>(db.url, 'SELECT COUNT(*) AS n FROM "ServerSecret"');
    expect(Number(secrets[0]!.n)).toBe(1);
    expect((await call(a.url, 'GET', '/api/v1/health', null)).status).toBe(200);
    expect((await call(b.url, 'GET', '/api/v1/health', null)).status).toBe(200);
    const sf = parseKeyFile(readFileSync(path.join(dir, 'steward.key.json'), 'utf8'));
    steward = { keyId: sf.keyId!, secretKey: sf.signing!.secretKey! };
    seal = sf.seal!.publicKey;
  }, 120_000);

  it('a revocation through one replica is refused at once by the other', async () => {
    const inv = await call(a!.url, 'POST', '/api/v1/invites', steward, {});
    const kp = generateSigningKeyPair();
    const en = await call(b!.url, 'POST', '/api/v1/enrol', null, { invite: inv.body.invite, publicKey: kp.publicKey });
    expect(en.status).toBe(201);
    const org = { keyId: en.body.keyId as string, secretKey: kp.secretKey };
    const t = { steward: { sealPublicKey: seal } };
    // B has used the key (any cache is warm) before A revokes it
    expect((await call(b!.url, 'PUT', `/api/v1/reports/${randomUUID()}`, org, sampleReport(t))).status).toBe(201);
    expect((await call(a!.url, 'DELETE', `/api/v1/members/${org.keyId}`, steward)).status).toBe(200);
    const id = randomUUID();
    const late = await call(b!.url, 'PUT', `/api/v1/reports/${id}`, org, sampleReport(t));
    expect([late.status, late.body.error.code]).toEqual([403, 'key_revoked']);
    expect((await call(b!.url, 'GET', '/api/v1/reports', org)).status).toBe(403);
    expect(await query(db.url, `SELECT id FROM "Report" WHERE id = '${id}'`)).toEqual([]);
  });

  it('SIGKILL of a replica while it writes: every acknowledged report is there, nothing half-written', async () => {
    const inv = await call(a!.url, 'POST', '/api/v1/invites', steward, {});
    const kp = generateSigningKeyPair();
    const en = await call(a!.url, 'POST', '/api/v1/enrol', null, { invite: inv.body.invite, publicKey: kp.publicKey });
    const org = { keyId: en.body.keyId as string, secretKey: kp.secretKey };
    const t = { steward: { sealPublicKey: seal } };
    const acked = new Map<string, string>();
    let stop = false;
    const writer = async () => {
      while (!stop) {
        const id = randomUUID();
        const res = await call(b!.url, 'PUT', `/api/v1/reports/${id}`, org, sampleReport(t)).catch(() => null);
        if (res?.status === 201) acked.set(id, res.body.reportHash);
        if (!res) return;
      }
    };
    const writers = Array.from({ length: 6 }, writer);
    while (acked.size < 40) await new Promise((r) => setTimeout(r, 10));
    b!.proc.kill('SIGKILL');
    stop = true;
    await Promise.all(writers);
    await new Promise((r) => (b!.proc.exitCode !== null || b!.proc.signalCode !== null ? r(null) : b!.proc.once('exit', r)));
    b = await spawnServer(env);
    const rows = await query<{ id: string; reportHash: string; memberKeyId: string; status: string }>(
      db.url,
      `SELECT id, "reportHash", "memberKeyId", status FROM "Report" WHERE "memberKeyId" = '${org.keyId}'`,
    );
    const stored = new Map(rows.map((r) => [r.id, r]));
    for (const [id, hash] of acked) expect(stored.get(id)?.reportHash, id).toBe(hash);
    // unacknowledged but stored (committed just before the kill): whole rows, readable by their owner
    for (const r of rows) {
      expect(r.status).toBe('active');
      const own = await call(b.url, 'GET', `/api/v1/reports/${r.id}`, org);
      expect([own.status, own.body.reportHash]).toEqual([200, r.reportHash]);
    }
    expect(rows.length).toBeGreaterThanOrEqual(acked.size);
  }, 120_000);
});
