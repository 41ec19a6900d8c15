// The PostgreSQL connection drops and comes back: meanwhile the server answers 503 with the JSON
// error shape (and stores nothing), then recovers by itself, without a restart.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { generateSigningKeyPair, parseKeyFile, ready, signRequest } from '../../crypto/index.js';
import { sampleReport } from '../helpers/app.js';
import { createTestDatabase, providers, type TestDatabase } from '../helpers/databases.js';
import { spawnServer, type ServerProcess } from '../helpers/process.js';
import { tcpProxy, type TcpProxy } from '../helpers/tcp-proxy.js';

async function call(base: string, method: string, url: string, key: { keyId: string; secretKey: string } | null, body?: unknown) {
  const text = body === undefined ? '' : JSON.stringify(body);
  const headers: Record<string, string> = key ? { ...(await signRequest({ method, url, body: text }, key)) } : {};
  if (text) headers['content-type'] = 'application/json';
  const res = await fetch(base + url, { method, headers, body: text || undefined });
  return { status: res.status, body: (await res.json()) as any };
}

describe.runIf(providers.includes('postgres'))('PostgreSQL connection dropped and restored', () => {
  let db: TestDatabase;
  let proxy: TcpProxy;
  let server: ServerProcess;
  const dir = mkdtempSync(path.join(tmpdir(), 'contamos-pgdown-'));
  afterAll(async () => {
    await server?.stop('SIGKILL');
    await proxy?.close();
    await db?.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('answers 503 while the database is unreachable and recovers without restart', async () => {
    await ready();
    db = await createTestDatabase('postgres');
    // the server reaches this run's cluster (configured or embedded) only through the proxy
    const target = new URL(db.url);
    proxy = await tcpProxy(target.hostname, Number(target.port || 5432));
    const viaProxy = new URL(db.url);
    viaProxy.hostname = '127.0.0.1';
    viaProxy.port = String(proxy.port);
    const url = viaProxy.toString();
    server = await spawnServer({ DATABASE_URL: url, CONTAMOS_HOME: dir });
    const sf = parseKeyFile(readFileSync(path.join(dir, 'steward.key.json'), 'utf8'));
    const steward = { keyId: sf.keyId!, secretKey: sf.signing!.secretKey! };
    const inv = await call(server.url, 'POST', '/api/v1/invites', steward, {});
    const kp = generateSigningKeyPair();
    const org = {
      keyId: (await call(server.url, 'POST', '/api/v1/enrol', null, { invite: inv.body.invite, publicKey: kp.publicKey })).body.keyId,
      secretKey: kp.secretKey,
    };
    const report = () => sampleReport({ steward: { sealPublicKey: sf.seal!.publicKey } });
    expect((await call(server.url, 'PUT', `/api/v1/reports/${randomUUID()}`, org, report())).status).toBe(201);

    await proxy.down();
    const duringId = randomUUID();
    const during = await call(server.url, 'PUT', `/api/v1/reports/${duringId}`, org, report());
    expect(during.status).toBe(503);
    expect(during.body.error.code).toBe('database_unavailable');
    const health = await call(server.url, 'GET', '/api/v1/health', null);
    expect(health.status).toBe(503);

    await proxy.up();
    let recovered = 0;
    for (let i = 0; i < 50 && recovered === 0; i++) {
      const r = await call(server.url, 'GET', '/api/v1/health', null);
      if (r.status === 200) recovered++;
      else await new Promise((res) => setTimeout(res, 200));
    }
    expect(recovered).toBe(1);
    const after = await call(server.url, 'PUT', `/api/v1/reports/${randomUUID()}`, org, report());
    expect(after.status).toBe(201);
    // the report refused during the outage was not stored
    expect((await call(server.url, 'GET', `/api/v1/reports/${duringId}`, org)).status).toBe(404);
    expect(server.proc.exitCode).toBeNull();
  });
});
