// Durability: the real server process is killed with SIGKILL while submissions are in flight,
// restarted on the same SQLite file, and every report it acknowledged (2xx received) is there.
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { generateSigningKeyPair, parseKeyFile, ready, sealNarrative, signRequest } from '../../crypto/index.js';
import { spawnServer, type ServerProcess } from '../helpers/process.js';
import { sampleReport } from '../helpers/app.js';
import { markerHeaders, markerValues } from '../helpers/markers.js';

async function call(base: string, method: string, url: string, key: { keyId: string; secretKey: string } | null, body?: unknown) {
  const text = body === undefined ? '' : JSON.stringify(body);
  const headers: Record<string, string> = { ...markerHeaders };
  if (key) Object.assign(headers, await signRequest({ method, url, body: text }, key));
  if (text) headers['content-type'] = 'application/json';
  const res = await fetch(base + url, { method, headers, body: text || undefined });
  return { status: res.status, body: await res.json().catch(() => null) };
}

describe('an acknowledged report survives kill -9 (sqlite)', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'contamos-kill-'));
  const env = { DATABASE_URL: `file:${path.join(dir, 'db.sqlite')}`, CONTAMOS_HOME: path.join(dir, 'keys'), LOG_LEVEL: 'info' };
  let server: ServerProcess | undefined;
  afterAll(async () => {
    await server?.stop('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });

  it('finds every acknowledged report after a SIGKILL and restart', async () => {
    await ready();
    server = await spawnServer(env);
    const logs: string[] = [];
    const stewardFile = parseKeyFile(readFileSync(path.join(env.CONTAMOS_HOME, 'steward.key.json'), 'utf8'));
    const steward = { keyId: stewardFile.keyId!, secretKey: stewardFile.signing!.secretKey! };
    const inv = await call(server.url, 'POST', '/api/v1/invites', steward, {});
    const kp = generateSigningKeyPair();
    const en = await call(server.url, 'POST', '/api/v1/enrol', null, { invite: inv.body.invite, publicKey: kp.publicKey });
    const org = { keyId: en.body.keyId as string, secretKey: kp.secretKey };
    const seal = stewardFile.seal!.publicKey;

    const acked: string[] = [];
    let stop = false;
    const worker = async () => {
      while (!stop) {
        const id = randomUUID();
        try {
          const r = await call(server!.url, 'PUT', `/api/v1/reports/${id}`, org, {
            ...sampleReport({ steward: { sealPublicKey: seal } }),
            sealedNarrative: sealNarrative(`relato ${id}`, seal),
          });
          if (r.status === 201) acked.push(id);
        } catch {
          if (stop) return; // connection cut by the kill
          // a transient connection error before the kill: that submission was not acknowledged
        }
      }
    };
    const workers = Array.from({ length: 8 }, worker);
    const deadline = Date.now() + 40_000;
    while (acked.length < 150 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    server.proc.kill('SIGKILL');
    stop = true;
    await Promise.all(workers);
    const proc = server.proc;
    if (proc.exitCode === null && proc.signalCode === null) await new Promise((r) => proc.once('exit', r));
    logs.push(...server.output);

    server = await spawnServer(env);
    let missing = 0;
    for (const id of acked) {
      const r = await call(server.url, 'GET', `/api/v1/reports/${id}`, org);
      if (r.status !== 200) missing++;
    }
    expect(acked.length).toBeGreaterThanOrEqual(150);
    expect(missing).toBe(0);
    logs.push(...server.output);
    await server.stop();
    const all = logs.join('\n');
    // the server prints its own listening address, so loopback is not a marker here
    for (const m of markerValues) expect(all).not.toContain(m);
  });

  it("a kill inside the writer thread's commit: nothing it held was acknowledged, everything acknowledged is there", async () => {
    // The writer pauses before each COMMIT (server/test-hooks.ts, test-only switch) and says so in
    // `pauseFile`; the kill lands while a batch is held there, with its submissions unanswered.
    const pauseFile = path.join(dir, 'writer-commit-point');
    const pausing = { ...env, DATABASE_URL: `file:${path.join(dir, 'db2.sqlite')}`, CONTAMOS_TEST_PAUSE_AT_COMMIT: pauseFile, CONTAMOS_TEST_PAUSE_MS: '400' };
    server = await spawnServer(pausing);
    const stewardFile = parseKeyFile(readFileSync(path.join(env.CONTAMOS_HOME, 'steward.key.json'), 'utf8'));
    const steward = { keyId: stewardFile.keyId!, secretKey: stewardFile.signing!.secretKey! };
    const inv = await call(server.url, 'POST', '/api/v1/invites', steward, {});
    const kp = generateSigningKeyPair();
    const en = await call(server.url, 'POST', '/api/v1/enrol', null, { invite: inv.body.invite, publicKey: kp.publicKey });
    const org = { keyId: en.body.keyId as string, secretKey: kp.secretKey };
    const seal = stewardFile.seal!.publicKey;
    const acked: string[] = [];
    const pending = new Set<string>();
    let stop = false;
    const worker = async () => {
      while (!stop) {
        const id = randomUUID();
        pending.add(id);
        try {
          const r = await call(server!.url, 'PUT', `/api/v1/reports/${id}`, org, sampleReport({ steward: { sealPublicKey: seal } }));
          if (r.status === 201) acked.push(id);
          pending.delete(id);
        } catch {
          return; // cut by the kill: never acknowledged
        }
      }
    };
    const workers = Array.from({ length: 4 }, worker);
    while (acked.length < 12) await new Promise((r) => setTimeout(r, 10));
    rmSync(pauseFile, { force: true });
    for (let i = 0; i < 400 && !existsSync(pauseFile); i++) await new Promise((r) => setTimeout(r, 5));
    expect(existsSync(pauseFile)).toBe(true);
    const inFlight = pending.size;
    server.proc.kill('SIGKILL');
    stop = true;
    await Promise.all(workers);
    const proc = server.proc;
    if (proc.exitCode === null && proc.signalCode === null) await new Promise((r) => proc.once('exit', r));
    expect(inFlight).toBeGreaterThan(0); // the kill landed with submissions held in the commit
    server = await spawnServer({ ...pausing, CONTAMOS_TEST_PAUSE_AT_COMMIT: '' });
    const missing: string[] = [];
    for (const id of acked) if ((await call(server.url, 'GET', `/api/v1/reports/${id}`, org)).status !== 200) missing.push(id);
    expect(missing).toEqual([]);
    await server.stop();
  }, 120_000);
});
