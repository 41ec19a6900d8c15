// Every line a real server process prints (SQLite and PostgreSQL), after a tour of its routes with
// URLs in other letter cases, forged and unsigned requests: nothing to line up with the stored
// order of reports — no time of any kind, no level on informational lines, access lines with
// exactly method, route template (canonical case), status and latency (issue 16).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { generateSigningKeyPair, ready, signRequest } from '../../crypto/index.js';
import { spawnServer, type ServerProcess } from '../helpers/process.js';
import { createTestDatabase, providers, type TestDatabase } from '../helpers/databases.js';
import { logLineFaults } from '../helpers/log-lines.js';

describe('the checker itself', () => {
  it('finds a time, a level on an info line, extra fields and a client-cased route', () => {
    expect(logLineFaults(['{"method":"GET","route":"/api/v1/health","status":200,"ms":1,"msg":"request"}'])).toEqual([]);
    expect(logLineFaults(['{"level":30,"time":1765000000000,"method":"GET","route":"/api/v1/health","status":200,"ms":1,"msg":"request"}'])).toHaveLength(4);
    expect(logLineFaults(['{"method":"GET","route":"/API/v1/health","status":200,"ms":1,"msg":"request"}'])).toHaveLength(1);
    expect(logLineFaults(['{"msg":"x","at":"2026-12-06T05:00"}'])).toHaveLength(2);
    expect(logLineFaults(['{"hour":"2026-12-06T05","msg":"x"}'])).toEqual([]);
    expect(logLineFaults(['{"method":"GET","route":"/api/v1/health","status":200,"ms":1,"msg":"request","ua":"x"}'])).toHaveLength(1);
  });
});

describe.each(providers)('every line of a real server process (%s)', (provider) => {
  let server: ServerProcess | undefined;
  let db: TestDatabase | undefined;
  const dir = mkdtempSync(path.join(tmpdir(), 'contamos-loglines-'));
  afterAll(async () => {
    await server?.stop();
    await db?.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('holds no time, no level noise and only canonical route templates', async () => {
    await ready();
    db = await createTestDatabase(provider);
    server = await spawnServer({ DATABASE_URL: db.url, CONTAMOS_HOME: path.join(dir, 'keys'), LOG_LEVEL: 'info', NODE_ENV: 'development' });
    const base = server.url;
    const kp = generateSigningKeyPair();
    const get = (p: string) => fetch(base + p).then((r) => r.status);
    const statuses = [
      await get('/api/v1/health'),
      await get('/API/V1/Health'),
      await get('/Api/v1/taxonomy'),
      await get('/.WELL-KNOWN/contamos.json'),
      await get('/ESTADISTICAS'),
      await get('/nothing-here'),
      await get('/api/v1/reports/5d0c6a4e-1111-4111-8111-111111111111'),
    ];
    expect(statuses).toEqual([200, 200, 200, 200, 200, 404, 401]);
    const body = '{"year":2024}';
    const url = '/API/v1/reports/5d0c6a4e-2222-4222-8222-222222222222';
    const sig = await signRequest({ method: 'PUT', url, body }, { keyId: 'm-AAAAAAAAAAAAAAAA', secretKey: kp.secretKey });
    const forged = await fetch(base + url, { method: 'PUT', headers: { ...sig, 'content-type': 'application/json' }, body });
    expect(forged.status).toBe(401);
    const enrol = await fetch(`${base}/api/V1/enrol`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ invite: 'x'.repeat(43), publicKey: kp.publicKey }),
    });
    expect(enrol.status).toBeGreaterThanOrEqual(400);
    await server.stop();
    const lines = server.output.filter((l) => l.startsWith('{'));
    const access = lines.map((l) => JSON.parse(l)).filter((l) => l.msg === 'request');
    expect(access).toHaveLength(9); // one line per request sent above
    expect(logLineFaults(server.output)).toEqual([]);
    // the same route in any letter case is logged under one template
    expect(access.filter((l) => l.route === '/api/v1/health')).toHaveLength(2);
    expect(access.map((l) => l.route)).toContain('/api/v1/reports/:id');
    expect(access.map((l) => l.route)).toContain('/api/v1/enrol');
  }, 120_000);
});
