// `npm run demo` works on a fresh folder: it submits the synthetic dataset through the API and
// publishes releases whose counts match the figures it is modelled on (35 murdered and 36 missing
// in 2022; 36 and 39 in 2023), de-duplicated across the three organisations; and it tells a
// person, in Spanish and English, where the pages and demo keys are, how to invite, and gives a
// ready invite link.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..', '..');

describe('npm run demo', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'contamos-demo-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('publishes releases with the modelled counts', async () => {
    const db = path.join(dir, 'demo.db');
    const { stderr } = await promisify(execFile)(process.execPath, ['--import', 'tsx', 'scripts/demo.ts'], {
      cwd: root, env: { ...process.env, DEMO_EXIT: '1', PORT: '0', DEMO_DATABASE: db, DEMO_HOME: path.join(dir, 'home') }, timeout: 240_000,
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
      byId.get(id).tables[0].cells.find((x: any) => Object.keys(key).length === Object.keys(x.key).length && Object.entries(key).every(([k, v]) => x.key[k] === v))?.count;
    expect(cell('peru-2022-1', { year: '2022', incidentType: 'homicide' })).toBe(35);
    expect(cell('peru-2022-1', { year: '2022', incidentType: 'disappearance' })).toBe(36);
    expect(cell('peru-2023-1', { year: '2023', incidentType: 'homicide' })).toBe(36);
    expect(cell('peru-2023-1', { year: '2023', incidentType: 'disappearance' })).toBe(39);
  }, 300_000);
});
