// SIGKILL of the real server in the middle of a bulk import and in the middle of publishing
// releases. After a restart on the same SQLite file: the import resumes and ends with every row
// stored exactly once; no release is half-written (every stored release verifies, the chain has
// no gap) and publishing goes on. The release kills are made to land inside the signing
// transaction (a test-only pause at its commit point, services/test-hooks.ts): killed there, the
// release is absent and its draft still signable; killed after the 201, it is stored; at least
// one release is stored across the rounds. Shown to fail: docs/test-evidence.md.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import { canonicalJson, hashCanonical, parseKeyFile, ready, signDetached, signRequest, verifyDetached } from '../../crypto/index.js';
import { spawnServer, type ServerProcess } from '../helpers/process.js';
import { cli } from '../cli/helpers.js';

const ROWS = 240;

describe('SIGKILL during a bulk import and during releases (sqlite)', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'contamos-kill2-'));
  const env = { DATABASE_URL: `file:${path.join(dir, 'db.sqlite')}`, CONTAMOS_HOME: path.join(dir, 'home') };
  let server: ServerProcess | undefined;
  afterAll(async () => {
    await server?.stop('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });
  const reportCount = () => {
    const c = new Database(env.DATABASE_URL.slice(5), { readonly: true });
    try {
      return (c.prepare('SELECT COUNT(*) AS n FROM "Report"').get() as { n: number }).n;
    } finally {
      c.close();
    }
  };

  it('an interrupted import resumes after a restart and stores every row exactly once', async () => {
    await ready();
    server = await spawnServer(env);
    const work = path.join(dir, 'org');
    mkdirSync(work);
    const key = path.join(work, 'org.key.json');
    expect((await cli(['keys', '--role', 'member', '--out', key])).code).toBe(0);
    const invite = (await cli(['invite', '--key', path.join(env.CONTAMOS_HOME, 'steward.key.json')], { server: server.url })).stdout.trim();
    expect((await cli(['enrol', '--invite', invite, '--key', key], { server: server.url })).code).toBe(0);
    const csv = path.join(work, 'casos.csv');
    const header = 'year,quarter,region,incidentType,victimGender,victimNationality,victimAgeBand,perpetratorType,outcome,narrative';
    writeFileSync(
      csv,
      [
        header,
        ...Array.from({ length: ROWS }, (_, i) => `2023,${(i % 4) + 1},PE-LMA,extortion,cis-woman,VE,25-34,criminal-organisation,,"Cobro de cupos, caso ${i}"`),
      ].join('\n') + '\n',
    );
    const progress = `${csv}.progress.jsonl`;

    const first = cli(['import', '--key', key, '--csv', csv, '--retries', '0'], { server: server.url });
    // kill once a good part of the rows are acknowledged
    for (let i = 0; i < 400; i++) {
      if (existsSync(progress) && readFileSync(progress, 'utf8').split('\n').filter(Boolean).length >= ROWS / 4) break;
      await new Promise((r) => setTimeout(r, 25));
    }
    server.proc.kill('SIGKILL');
    const interrupted = await first;
    expect(interrupted.code).not.toBe(0);
    const acknowledged = readFileSync(progress, 'utf8').split('\n').filter(Boolean).length;
    expect(acknowledged).toBeGreaterThanOrEqual(ROWS / 4);
    expect(acknowledged).toBeLessThan(ROWS);

    server = await spawnServer(env);
    expect(reportCount()).toBeGreaterThanOrEqual(acknowledged); // nothing acknowledged was lost
    const resumed = await cli(['import', '--key', key, '--csv', csv], { server: server.url });
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(reportCount()).toBe(ROWS);
    const again = await cli(['import', '--key', key, '--csv', csv], { server: server.url });
    expect(again.code).toBe(0);
    expect(reportCount()).toBe(ROWS);
  });

  it('no half-written release after SIGKILLs while publishing, with kills landing inside the commit', async () => {
    // The server pauses at the commit point of signing a release (services/test-hooks.ts: it writes
    // `pauseFile` once the release row is written and the draft deleted, then waits PAUSE_MS before
    // the transaction commits), so a kill can be made to land with the transaction open.
    const pauseFile = path.join(dir, 'commit-point');
    const PAUSE_MS = 400;
    const killEnv = { ...env, CONTAMOS_TEST_PAUSE_AT_COMMIT: pauseFile, CONTAMOS_TEST_PAUSE_MS: String(PAUSE_MS) };
    await server!.stop('SIGKILL');
    server = await spawnServer(killEnv);
    const pf = parseKeyFile(readFileSync(path.join(env.CONTAMOS_HOME, 'publisher.key.json'), 'utf8'));
    const publisher = { keyId: pf.keyId!, secretKey: pf.signing!.secretKey! };
    const post = async (url: string, body: unknown) => {
      const text = JSON.stringify(body);
      const headers = { 'content-type': 'application/json', ...(await signRequest({ method: 'POST', url, body: text }, publisher)) };
      return fetch(server!.url + url, { method: 'POST', headers, body: text });
    };
    const sign = (draft: { draftId: string; manifest: unknown }) =>
      post(`/api/v1/releases/drafts/${draft.draftId}/signature`, { signature: signDetached(canonicalJson(draft.manifest), publisher.secretKey) });
    const stateOf = (draftId: string, releaseId: string) => {
      const c = new Database(env.DATABASE_URL.slice(5), { readonly: true });
      try {
        return {
          release: !!c.prepare('SELECT 1 FROM "Release" WHERE id = ?').get(releaseId),
          draft: !!c.prepare('SELECT 1 FROM "ReleaseDraft" WHERE id = ?').get(draftId),
        };
      } finally {
        c.close();
      }
    };
    const killAndRestart = async () => {
      server!.proc.kill('SIGKILL');
      await new Promise((r) => (server!.proc.exitCode !== null || server!.proc.signalCode !== null ? r(null) : server!.proc.once('exit', r)));
      server = await spawnServer(killEnv);
    };
    const waitFor = async (cond: () => boolean) => {
      for (let i = 0; i < 400 && !cond(); i++) await new Promise((r) => setTimeout(r, 5));
      return cond();
    };
    const req = { series: 'anual', filter: { year: 2023 }, tables: [['year', 'quarter']], k: 5 };
    // 'mid': kill while paused at the commit point (transaction open); 'near': kill around the end
    // of the pause (during or just after the COMMIT); 'after': kill once the 201 has arrived.
    const plan = ['mid', 'after', 'mid', 'near', 'near', 'after', 'mid', 'near'] as const;
    let killedMidCommit = 0;
    let stored = 0;
    for (const [round, kind] of plan.entries()) {
      rmSync(pauseFile, { force: true });
      const draftRes = await post('/api/v1/releases', req);
      expect(draftRes.status, `round ${round}`).toBe(201);
      const draft = (await draftRes.json()) as { draftId: string; manifest: { id: string } };
      let answered: number | null = null;
      const signing = sign(draft).then(
        (r) => {
          answered = r.status;
        },
        () => undefined,
      );
      if (kind === 'after') {
        await signing;
        expect(answered).toBe(201);
        await killAndRestart();
        expect(stateOf(draft.draftId, draft.manifest.id)).toEqual({ release: true, draft: false });
        stored++;
        continue;
      }
      expect(await waitFor(() => existsSync(pauseFile)), `round ${round}: the commit point was never reached`).toBe(true);
      if (kind === 'near') await new Promise((r) => setTimeout(r, PAUSE_MS - 20 + round * 10));
      const stillOpen = answered === null;
      await killAndRestart();
      await signing;
      const after = stateOf(draft.draftId, draft.manifest.id);
      if (kind === 'mid') {
        // killed with the transaction open: nothing of it is stored, the draft is still there
        expect(stillOpen && answered === null).toBe(true);
        killedMidCommit++;
        expect(after, `round ${round}`).toEqual({ release: false, draft: true });
      } else {
        // all or nothing: either the release is stored and its draft consumed, or neither
        expect(after.release, `round ${round}`).toBe(!after.draft);
        if (answered === 201) expect(after.release).toBe(true);
      }
      if (after.release) {
        stored++;
        continue;
      }
      // the publisher's signature was not lost with the kill: the same draft can be signed again
      const again = await sign(draft);
      expect(again.status, `round ${round}`).toBe(201);
      expect(stateOf(draft.draftId, draft.manifest.id)).toEqual({ release: true, draft: false });
      stored++;
    }
    expect(killedMidCommit).toBeGreaterThanOrEqual(3);
    const c = new Database(env.DATABASE_URL.slice(5), { readonly: true });
    const rows = c.prepare('SELECT * FROM "Release" ORDER BY sequence').all() as Array<{ sequence: number; hash: string; manifest: string; signature: string }>;
    c.close();
    expect(rows.length).toBeGreaterThanOrEqual(1);
    expect(rows.length).toBe(stored);
    let previous: string | null = null;
    rows.forEach((r, i) => {
      expect(r.sequence).toBe(i + 1);
      const m = JSON.parse(r.manifest);
      expect(hashCanonical(m)).toBe(r.hash);
      expect(m.previousHash).toBe(previous);
      expect(verifyDetached(r.signature, r.manifest, pf.signing!.publicKey)).toBe(true);
      previous = r.hash;
    });
    // publishing goes on from where the chain stands
    rmSync(pauseFile, { force: true });
    const draft = (await (await post('/api/v1/releases', req)).json()) as any;
    expect(draft.manifest.sequence).toBe(rows.length + 1);
    const done = await sign(draft);
    expect(done.status).toBe(201);
  }, 300_000);
});
