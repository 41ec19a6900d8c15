// The independent auditor passes on what the real server produces: three organisations import
// reports with the CLI (overlapping incidents, receipts kept), the publisher cuts two releases of
// a suppression series (the second after late reports and a withdrawal) and a DP release; then the
// auditor, given only the server URL, one organisation's receipts and key, the database and the
// server's log lines, finds nothing wrong. And when the database holds an address, it fails.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import { ready } from '../../crypto/index.js';
import { main as audit } from '../../scripts/audit/main.js';
import { spawnServer, type ServerProcess } from '../helpers/process.js';
import { cli } from '../cli/helpers.js';

describe('the auditor on releases produced by the server', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'contamos-audit-e2e-'));
  const dbFile = path.join(dir, 'db.sqlite');
  const home = path.join(dir, 'home');
  let server: ServerProcess;
  const orgKeys: string[] = [];
  const run = (argv: string[]) => cli(argv, { server: server.url });

  beforeAll(async () => {
    await ready();
    server = await spawnServer({ DATABASE_URL: `file:${dbFile}`, CONTAMOS_HOME: home });
    expect((await cli(['dedupe-secret', '--out', path.join(dir, 'coalition.secret')])).code).toBe(0);
    const header = 'year,quarter,region,incidentType,victimGender,victimNationality,victimAgeBand,perpetratorType,outcome,narrative,dedupeDetails';
    const regions = ['PE-LMA', 'PE-LMA', 'PE-CAL', 'PE-ARE', 'PE-MDD'];
    const types = ['homicide', 'extortion', 'threat', 'disappearance'];
    for (let o = 0; o < 3; o++) {
      const key = path.join(dir, `org${o}`, 'org.key.json');
      mkdirSync(path.dirname(key));
      await cli(['keys', '--role', 'member', '--out', key]);
      const invite = (await run(['invite', '--key', path.join(home, 'steward.key.json')])).stdout.trim();
      expect((await run(['enrol', '--invite', invite, '--key', key])).code).toBe(0);
      const rows = Array.from({ length: 40 }, (_, i) => {
        const shared = i < 10;
        const n = shared ? i : 100 * (o + 1) + i;
        const type = types[n % 4]!;
        return `2023,,${regions[n % 5]},${type},${n % 3 ? 'cis-woman' : 'trans-woman'},${n % 2 ? 'VE' : 'PE'},25-34,criminal-organisation,${type === 'disappearance' ? 'still-missing' : ''},"Relato ${n}","caso ${n}"`;
      });
      const csv = path.join(dir, `org${o}`, 'casos.csv');
      writeFileSync(csv, [header, ...rows].join('\n') + '\n');
      const r = await run(['import', '--key', key, '--csv', csv, '--dedupe-secret', path.join(dir, 'coalition.secret')]);
      expect(r.code, r.stderr).toBe(0);
      orgKeys.push(key);
    }
    const publisher = path.join(home, 'publisher.key.json');
    const release = async (extra: string[]) => {
      const r = await run(['release', '--key', publisher, '--years', '2023', '--yes', ...extra]);
      expect(r.code, r.stderr).toBe(0);
    };
    await release(['--series', 'anual', '--tables', 'year,region;year,incidentType;region,victimGender', '--k', '5']);
    // late reports and a withdrawal, then the next release of the series
    const late = path.join(dir, 'late.csv');
    writeFileSync(
      late,
      [header, ...Array.from({ length: 7 }, (_, i) => `2023,,PE-CUS,threat,cis-woman,CO,18-24,client,,"Tarde ${i}","tarde ${i}"`)].join('\n') + '\n',
    );
    expect((await run(['import', '--key', orgKeys[2]!, '--csv', late, '--dedupe-secret', path.join(dir, 'coalition.secret')])).code).toBe(0);
    const status = JSON.parse((await run(['status', '--key', orgKeys[1]!, '--json'])).stdout);
    const victim = (status.items ?? status)[0].id;
    expect((await run(['withdraw', '--key', orgKeys[1]!, '--id', victim])).code).toBe(0);
    await release(['--series', 'anual', '--tables', 'year,region;year,incidentType;region,victimGender', '--k', '5']);
    await release(['--series', 'tendencias', '--tables', 'year,incidentType', '--dp', '--rho', '0.5']);
  });
  afterAll(async () => {
    await server?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('finds nothing wrong with the releases, the receipts, the database and the logs', async () => {
    const logFile = path.join(dir, 'server.log');
    writeFileSync(logFile, server.output.join('\n') + '\n');
    const out: string[] = [];
    const json = path.join(dir, 'audit.json');
    const code = await audit(
      [
        '--server',
        server.url,
        '--receipts',
        path.join(dir, 'org0', 'receipts.jsonl'),
        '--key',
        orgKeys[0]!,
        '--release',
        'anual-2',
        '--database',
        `file:${dbFile}`,
        '--logs',
        logFile,
        '--json',
        json,
        '--lang',
        'en',
      ],
      { stdout: (t) => out.push(t), stderr: (t) => out.push(t) },
    );
    expect(code, out.join('')).toBe(0);
    const report = JSON.parse(readFileSync(json, 'utf8'));
    expect(JSON.stringify(report)).toMatch(/anual-2/);
  });

  it('fails when the database holds a client address', async () => {
    const c = new Database(dbFile);
    c.prepare(`UPDATE "Report" SET "region" = '203.0.113.77' WHERE id = (SELECT id FROM "Report" LIMIT 1)`).run();
    c.close();
    const out: string[] = [];
    const code = await audit(['--database', `file:${dbFile}`], { stdout: (t) => out.push(t), stderr: (t) => out.push(t) });
    expect(code).toBe(1);
    expect(out.join('')).not.toContain('203.0.113.77'); // the finding is redacted
  });
});
