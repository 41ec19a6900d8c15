// `npm run demo` works on a fresh folder: it submits the synthetic dataset through the API and
// publishes releases whose counts match the figures it is modelled on (35 murdered and 36 missing
// in 2022; 36 and 39 in 2023), de-duplicated across the three organisations; and it tells a
// person, in Spanish and English, where the pages and demo keys are, how to invite, and gives a
// ready invite link. Its whole publication history (four series over the same years) then passes
// the independent auditor's strict audit across series, talking HTTP to a real server started on
// the demo's database, with the publisher key pinned.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import { parseKeyFile } from '../../crypto/index.js';
import { readFileSync } from 'node:fs';
import { main as audit } from '../../scripts/audit/main.js';
import { spawnServer } from '../../scripts/lib/spawn-server.js';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..', '..');

const ids = (rows: Array<{ id: string }>) => rows.map((r) => r.id);

describe('npm run demo', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'contamos-demo-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('publishes releases with the modelled counts', async () => {
    const db = path.join(dir, 'demo.db');
    const { stderr } = await promisify(execFile)(process.execPath, ['--import', 'tsx', 'scripts/demo.ts'], {
      cwd: root,
      env: { ...process.env, DEMO_EXIT: '1', PORT: '0', DEMO_DATABASE: db, DEMO_HOME: path.join(dir, 'home') },
      timeout: 240_000,
    });
    expect(stderr).toMatch(/4 publicaciones firmadas/);
    expect(stderr).toMatch(/4 signed releases/);
    expect(stderr).toMatch(/Enviar un reporte \(organizaciones\) \/ Submit a report \(organisations\): +http:\/\/127\.0\.0\.1:\d+\/enviar/);
    expect(stderr).toContain(`administración (steward):  ${path.join(dir, 'home', 'steward.key.json')}`);
    expect(stderr).toMatch(/npm run cli -- invite --key \S+steward\.key\.json --server http:\/\/127\.0\.0\.1:\d+/);
    expect(stderr).toMatch(/http:\/\/127\.0\.0\.1:\d+\/enviar#invitacion=[A-Za-z0-9_-]{43}/);
    const c = new Database(db, { readonly: true });
    expect(c.prepare('SELECT slot, series FROM "FeaturedSeries"').all()).toEqual([{ slot: 'home', series: 'peru-2022-2024' }]);
    const rows = c.prepare('SELECT id, manifest FROM "Release"').all() as Array<{ id: string; manifest: string }>;
    c.close();
    const byId = new Map(rows.map((r) => [r.id, JSON.parse(r.manifest)]));
    const cell = (id: string, key: Record<string, string>) =>
      byId
        .get(id)
        .tables[0].cells.find((x: any) => Object.keys(key).length === Object.keys(x.key).length && Object.entries(key).every(([k, v]) => x.key[k] === v))
        ?.count;
    expect(cell('peru-2022-1', { year: '2022', incidentType: 'homicide' })).toBe(35);
    expect(cell('peru-2022-1', { year: '2022', incidentType: 'disappearance' })).toBe(36);
    expect(cell('peru-2023-1', { year: '2023', incidentType: 'homicide' })).toBe(36);
    expect(cell('peru-2023-1', { year: '2023', incidentType: 'disappearance' })).toBe(39);

    // The auditor, from public material only, across all four series (--strict: warnings fail).
    const home = path.join(dir, 'home');
    const server = await spawnServer({ DATABASE_URL: `file:${db}`, CONTAMOS_HOME: home, CONTAMOS_WELCOME: '0' });
    try {
      const publisher = parseKeyFile(readFileSync(path.join(home, 'publisher.key.json'), 'utf8'));
      const json = path.join(dir, 'audit.json');
      let out = '';
      const code = await audit(['--server', server.url, '--strict', '--publisher-key', publisher.signing!.publicKey, '--json', json, '--lang', 'en'], {
        stdout: (x) => (out += x),
        stderr: (x) => (out += x),
      });
      const report = JSON.parse(readFileSync(json, 'utf8'));
      expect(
        report.findings.filter((f: { severity: string }) => f.severity === 'fail' || f.severity === 'warn'),
        out,
      ).toEqual([]);
      expect(code, out).toBe(0);
      expect(new Set(report.entries.filter((e: { kind: string }) => e.kind === 'release').map((e: { id: string }) => e.id))).toEqual(new Set(ids(rows)));
      expect(report.checks).toMatchObject({ signatures: 'pass', chains: 'pass', versions: 'pass', threshold: 'pass', intervals: 'pass', changes: 'pass' });
      expect(report.global.checked.suppressed).toBeGreaterThan(0);
    } finally {
      await server.stop();
    }
  }, 300_000);
});
