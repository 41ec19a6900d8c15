// SIGKILL of the real server in the middle of a bulk import and in the middle of publishing
// releases. After a restart on the same SQLite file: the import resumes and ends with every row
// stored exactly once; no release is half-written (every stored release verifies, the chain has
// no gap) and publishing goes on.
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
  afterAll(async () => { await server?.stop('SIGKILL'); rmSync(dir, { recursive: true, force: true }); });
  const reportCount = () => {
    const c = new Database(env.DATABASE_URL.slice(5), { readonly: true });
    try { return (c.prepare('SELECT COUNT(*) AS n FROM "Report"').get() as { n: number }).n; } finally { c.close(); }
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
    writeFileSync(csv, [header, ...Array.from({ length: ROWS }, (_, i) => `2023,${(i % 4) + 1},PE-LMA,extortion,cis-woman,VE,25-34,criminal-organisation,,"Cobro de cupos, caso ${i}"`)].join('\n') + '\n');
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

  it('no half-written release after SIGKILLs while publishing', async () => {
    const pf = parseKeyFile(readFileSync(path.join(env.CONTAMOS_HOME, 'publisher.key.json'), 'utf8'));
    const publisher = { keyId: pf.keyId!, secretKey: pf.signing!.secretKey! };
    const post = async (url: string, body: unknown) => {
      const text = JSON.stringify(body);
      const headers = { 'content-type': 'application/json', ...(await signRequest({ method: 'POST', url, body: text }, publisher)) };
      return fetch(server!.url + url, { method: 'POST', headers, body: text });
    };
    const req = { series: 'anual', filter: { year: 2023 }, tables: [['year', 'quarter']], k: 5 };
    for (let round = 0; round < 6; round++) {
      const draft = await (await post('/api/v1/releases', req)).json() as any;
      const signing = post(`/api/v1/releases/drafts/${draft.draftId}/signature`, { signature: signDetached(canonicalJson(draft.manifest), publisher.secretKey) }).catch(() => null);
      await new Promise((r) => setTimeout(r, round * 3));
      server!.proc.kill('SIGKILL');
      await signing;
      await new Promise((r) => server!.proc.exitCode !== null || server!.proc.signalCode !== null ? r(null) : server!.proc.once('exit', r));
      server = await spawnServer(env);
    }
    const c = new Database(env.DATABASE_URL.slice(5), { readonly: true });
    const rows = c.prepare('SELECT * FROM "Release" ORDER BY sequence').all() as Array<{ sequence: number; hash: string; manifest: string; signature: string }>;
    c.close();
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
    const draft = await (await post('/api/v1/releases', req)).json() as any;
    expect(draft.manifest.sequence).toBe(rows.length + 1);
    const done = await post(`/api/v1/releases/drafts/${draft.draftId}/signature`, { signature: signDetached(canonicalJson(draft.manifest), publisher.secretKey) });
    expect(done.status).toBe(201);
  });
});
