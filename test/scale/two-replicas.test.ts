// Scale-out on PostgreSQL: two real server processes on one database (as behind a reverse proxy).
// What must hold across both: a signed request is accepted once (nonces live in the database);
// the same report sent to both is stored once and both answers carry the same receipt; the rate
// limit per credential is shared; two releases of a series cut at once get one sequence, no fork.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { canonicalJson, generateSigningKeyPair, parseKeyFile, ready, signDetached, signRequest } from '../../crypto/index.js';
import { sampleReport } from '../helpers/app.js';
import { createTestDatabase, providers, type TestDatabase } from '../helpers/databases.js';
import { spawnServer, type ServerProcess } from '../helpers/process.js';

type Key = { keyId: string; secretKey: string };

async function send(base: string, method: string, url: string, body: unknown, headers: Record<string, string>) {
  const text = body === undefined ? undefined : JSON.stringify(body);
  const res = await fetch(base + url, { method, headers: { ...(text ? { 'content-type': 'application/json' } : {}), ...headers }, body: text });
  return { status: res.status, body: (await res.json()) as any };
}
async function call(base: string, method: string, url: string, key: Key | null, body?: unknown) {
  const headers = key ? await signRequest({ method, url, body: body === undefined ? '' : JSON.stringify(body) }, key) : {};
  return send(base, method, url, body, headers);
}

describe.runIf(providers.includes('postgres'))('two replicas on one PostgreSQL', () => {
  let db: TestDatabase;
  let a: ServerProcess;
  let b: ServerProcess;
  let dir: string;
  let steward: Key;
  let publisher: Key;
  let seal: string;
  let org: Key;

  beforeAll(async () => {
    await ready();
    db = await createTestDatabase('postgres');
    dir = mkdtempSync(path.join(tmpdir(), 'contamos-replicas-'));
    const env = { DATABASE_URL: db.url, CONTAMOS_HOME: dir, RATE_LIMIT_PER_MINUTE: '40', CONTAMOS_MIN_K: '3' };
    a = await spawnServer(env); // creates the key set, then both share it
    b = await spawnServer(env);
    const sf = parseKeyFile(readFileSync(path.join(dir, 'steward.key.json'), 'utf8'));
    const pf = parseKeyFile(readFileSync(path.join(dir, 'publisher.key.json'), 'utf8'));
    steward = { keyId: sf.keyId!, secretKey: sf.signing!.secretKey! };
    publisher = { keyId: pf.keyId!, secretKey: pf.signing!.secretKey! };
    seal = sf.seal!.publicKey;
    const inv = await call(a.url, 'POST', '/api/v1/invites', steward, {});
    const kp = generateSigningKeyPair();
    const en = await call(b.url, 'POST', '/api/v1/enrol', null, { invite: inv.body.invite, publicKey: kp.publicKey });
    expect(en.status).toBe(201);
    org = { keyId: en.body.keyId, secretKey: kp.secretKey };
  });
  afterAll(async () => {
    await a?.stop();
    await b?.stop();
    await db?.drop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('accepts a signed request once, whichever replica sees it first', async () => {
    for (let i = 0; i < 5; i++) {
      const id = randomUUID();
      const body = sampleReport({ steward: { sealPublicKey: seal } });
      const headers = await signRequest({ method: 'PUT', url: `/api/v1/reports/${id}`, body: JSON.stringify(body) }, org);
      const [ra, rb] = await Promise.all([
        send(a.url, 'PUT', `/api/v1/reports/${id}`, body, headers),
        send(b.url, 'PUT', `/api/v1/reports/${id}`, body, headers),
      ]);
      expect([ra.status, rb.status].sort()).toEqual([201, 401]);
      expect([ra.body, rb.body].find((x) => x.error)?.error.code).toBe('replayed_nonce');
    }
  });

  it('stores a report sent to both replicas once, with the same receipt', async () => {
    for (let i = 0; i < 5; i++) {
      const id = randomUUID();
      const body = sampleReport({ steward: { sealPublicKey: seal } });
      const [ra, rb] = await Promise.all([call(a.url, 'PUT', `/api/v1/reports/${id}`, org, body), call(b.url, 'PUT', `/api/v1/reports/${id}`, org, body)]);
      expect([ra.status, rb.status].sort()).toEqual([200, 201]);
      expect(ra.body).toEqual(rb.body);
    }
  });

  it('shares the per-credential rate limit', async () => {
    const inv = await call(a.url, 'POST', '/api/v1/invites', steward, {});
    const kp = generateSigningKeyPair();
    const en = await call(a.url, 'POST', '/api/v1/enrol', null, { invite: inv.body.invite, publicKey: kp.publicKey });
    const fresh = { keyId: en.body.keyId, secretKey: kp.secretKey };
    const statuses: number[] = [];
    // the limit counts per wall-clock minute: start well inside one, so the loop (~1–2 s) stays in it
    while ((Date.now() / 1000) % 60 > 45) await new Promise((r) => setTimeout(r, 500));
    for (let i = 0; i < 60; i++) statuses.push((await call(i % 2 ? a.url : b.url, 'GET', '/api/v1/reports?limit=1', fresh)).status);
    const ok = statuses.filter((s) => s === 200).length;
    const limited = statuses.filter((s) => s === 429).length;
    // 40 per minute in all, not 40 per replica
    expect(ok).toBe(40);
    expect(limited).toBe(20);
  });

  it('two releases cut at once on two replicas: one log, one sequence, no fork', async () => {
    const req = { series: 'anual', filter: { year: 2023 }, tables: [['year', 'region']], k: 3 };
    const [da, dbr] = await Promise.all([call(a.url, 'POST', '/api/v1/releases', publisher, req), call(b.url, 'POST', '/api/v1/releases', publisher, req)]);
    // Both may be logged (one after the other), or the second loses the race for the next log
    // index and is refused as stale, writing nothing. Never two entries at one index.
    const drafts = [da, dbr].filter((d) => d.status === 201);
    for (const d of [da, dbr]) if (d.status !== 201) expect([d.status, d.body.error.code]).toEqual([409, 'release_stale']);
    expect(drafts.length).toBeGreaterThanOrEqual(1);
    const log = (await call(a.url, 'GET', '/api/v1/publications', null)).body.items;
    expect(log.map((x: any) => x.index)).toEqual(drafts.map((_, i) => i + 1));
    const sign = (d: any, base: string) =>
      call(base, 'POST', `/api/v1/releases/drafts/${d.body.draftId}/signature`, publisher, {
        signature: signDetached(canonicalJson(d.body.manifest), publisher.secretKey),
      });
    const signed = await Promise.all(drafts.map((d, i) => sign(d, i === 0 ? a.url : b.url)));
    expect(signed.map((x) => x.status).sort()).toEqual(drafts.length === 2 ? [201, 409] : [201]);
    const list = (await call(b.url, 'GET', '/api/v1/releases', null)).body.items;
    expect(list.map((x: any) => x.id)).toEqual(['anual-1']);
  });
});
