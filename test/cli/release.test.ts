// The publisher's and the organisations' side of releases from the command line: three
// organisations import reports (overlapping incidents share a dedupe tag), the publisher cuts a
// release with `contamos release` (the draft is checked, signed locally, published), and each
// organisation checks with `contamos receipts verify` that its reports were counted — a withdrawn
// one is reported as withdrawn, and a tampered receipt fails the check.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CliServer, cli, startCliServer } from './helpers.js';

describe('contamos release and receipts verify', () => {
  let s: CliServer;
  let work: string;
  const orgs: string[] = [];
  const run = (argv: string[]) => cli(argv, { server: s.url });

  beforeAll(async () => {
    s = await startCliServer();
    work = path.join(s.dir, 'work');
    mkdirSync(work);
    expect((await run(['dedupe-secret', '--out', path.join(work, 'coalition.secret')])).code).toBe(0);
    const header = 'year,quarter,region,incidentType,victimGender,victimNationality,victimAgeBand,perpetratorType,outcome,narrative,dedupeDetails';
    for (let o = 0; o < 3; o++) {
      const key = path.join(work, `org${o}`, 'org.key.json');
      mkdirSync(path.dirname(key));
      expect((await run(['keys', '--role', 'member', '--out', key])).code).toBe(0);
      const invite = (await run(['invite', '--key', s.stewardKeyFile])).stdout.trim();
      expect((await run(['enrol', '--invite', invite, '--key', key])).code).toBe(0);
      // 20 incidents each; incidents 0..5 are known to every organisation (same details → same tag)
      const rows = Array.from({ length: 20 }, (_, i) => {
        const shared = i < 6;
        const id = shared ? `compartido ${i}` : `org ${o} caso ${i}`;
        return `2023,,PE-LMA,${i % 2 ? 'homicide' : 'extortion'},trans-woman,VE,25-34,criminal-organisation,,"Relato ${id}","${id}"`;
      });
      const csv = path.join(work, `org${o}`, 'casos.csv');
      writeFileSync(csv, [header, ...rows].join('\n') + '\n');
      const r = await run(['import', '--key', key, '--csv', csv, '--dedupe-secret', path.join(work, 'coalition.secret')]);
      expect(r.code, r.stderr).toBe(0);
      orgs.push(key);
    }
  });
  afterAll(async () => s?.close());

  it('cuts a release whose total is the de-duplicated number of incidents', async () => {
    const publisherKey = path.join(s.home, 'publisher.key.json');
    const r = await run([
      'release',
      '--key',
      publisherKey,
      '--series',
      'anual',
      '--years',
      '2023',
      '--tables',
      'year,region;year,incidentType',
      '--k',
      '3',
      '--yes',
      '--json',
    ]);
    expect(r.code, r.stderr).toBe(0);
    const rel = JSON.parse(r.stdout);
    expect(rel.manifest.id).toBe('anual-1');
    const total = rel.manifest.tables[0].cells.find((c: any) => c.key.year === '2023' && c.key.region === '*');
    expect(total.count).toBe(6 + 3 * 14); // shared incidents once, the others once each
    expect(Object.keys(rel.manifest.merkle).sort()).toEqual(['root', 'scheme']); // the 60 reports are not counted aloud
    expect(r.stdout).not.toMatch(/reports counted|reportes contados/);
  });

  it('each organisation verifies its receipts against the release', async () => {
    for (const key of orgs) {
      const r = await run(['receipts', 'verify', '--key', key, '--release', 'anual-1', '--json']);
      expect(r.code, r.stdout + r.stderr).toBe(0);
      const out = JSON.parse(r.stdout);
      expect(out.results).toHaveLength(20);
      expect(out.results.every((x: { result: string }) => x.result === 'counted')).toBe(true);
    }
  });

  it('a tampered receipt fails the check', async () => {
    const file = path.join(path.dirname(orgs[0]!), 'receipts.jsonl');
    const lines = readFileSync(file, 'utf8').trim().split('\n');
    const r0 = JSON.parse(lines[0]!);
    r0.reportHash = r0.reportHash.replace(/^./, (c: string) => (c === 'a' ? 'b' : 'a'));
    const tampered = path.join(work, 'tampered.jsonl');
    writeFileSync(tampered, JSON.stringify(r0) + '\n');
    const r = await run(['receipts', 'verify', '--key', orgs[0]!, '--release', 'anual-1', '--receipts', tampered, '--json']);
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout).results[0].result).toBe('bad-receipt');
  });

  it('cuts differential-privacy releases from the server’s one budget, whatever the series', async () => {
    const publisherKey = path.join(s.home, 'publisher.key.json');
    const args = (series: string, rho: string) => [
      'release',
      '--key',
      publisherKey,
      '--series',
      series,
      '--years',
      '2023',
      '--tables',
      'year,incidentType',
      '--dp',
      '--rho',
      rho,
      '--keep-total',
      '--yes',
    ];
    const r = await run([...args('tendencias', '0.5'), '--json']);
    expect(r.code, r.stderr).toBe(0);
    const rel = JSON.parse(r.stdout);
    expect(rel.manifest.method).toBe('dp');
    // the server's defaults: a total of 2, at most 0.5 per release
    expect(rel.manifest.dp.ledger).toEqual({ scope: 'server', unit: 'rho', total: '2', spentBefore: '0', spentAfter: '0.5', charged: '0.5' });
    expect(rel.manifest.tables[0].cells.find((c: any) => c.key.year === '*' && c.key.incidentType === '*').count).toBe(48);
    const summary = await run(args('otra', '0.5'));
    expect(summary.code, summary.stderr).toBe(0);
    expect(summary.stdout).toMatch(/server budget \(rho\): 1 de \/ of 2/);
    const tooMuch = await run(args('otra', '0.75'));
    expect(tooMuch.code).toBe(1);
    expect(tooMuch.stderr).toMatch(/CONTAMOS_DP_MAX_RHO/);
    const old = await run([...args('tendencias', '0.5'), '--series-budget', '9']);
    expect(old.code).toBe(2); // the version-1 option is gone
  });

  it('refuses a release request with an unknown dimension before sending anything, in Spanish and English', async () => {
    const r = await run([
      'release',
      '--key',
      path.join(s.home, 'publisher.key.json'),
      '--series',
      'anual',
      '--years',
      '2023',
      '--tables',
      'year,region;year,victimName',
      '--yes',
    ]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('dimensión desconocida "victimName" en la tabla 2 de --tables');
    expect(r.stderr).toContain('unknown dimension "victimName" in table 2 of --tables');
    expect(r.stderr).not.toMatch(/tables\.1\.1|Invalid option/);
    const list = await fetch(`${s.url}/api/v1/releases`).then((x) => x.json());
    expect(list.items).toHaveLength(3);
  });

  describe('the preview before signing', () => {
    const publisherKey = () => path.join(s.home, 'publisher.key.json');
    const args = () => ['release', '--key', publisherKey(), '--series', 'anual', '--years', '2023', '--tables', 'year,region;year,incidentType'];
    const published = async () => (await fetch(`${s.url}/api/v1/releases`).then((x) => x.json())).items.map((x: { id: string }) => x.id);

    it('shows what would be published and signs nothing when the publisher says no', async () => {
      const before = await published();
      const asked: string[] = [];
      const r = await cli(args(), { server: s.url, answers: ['n'], asked });
      expect(r.code).toBe(1);
      expect(asked).toEqual(['¿Firmar y publicar anual-2? / Sign and publish anual-2? [s/y, N] ']);
      expect(r.stdout).toContain('Vista previa: todavía no se ha firmado ni publicado nada');
      expect(r.stdout).toMatch(/1\. year × region: \d+ publicadas \/ published, \d+ ocultas \/ hidden/);
      expect(r.stdout).toMatch(/2\. year × incidentType: \d+ publicadas/);
      expect(r.stdout).toMatch(/Cifras principales \/ Headline figures:\n {4}2023: total 48; asesinatos \/ murders \d+/);
      expect(r.stdout).toContain('Cambios desde / Changes since anual-1: 0 cifras cambian / figures change');
      expect(r.stdout).toContain('Portada / Home page: anual-2 será la publicación principal');
      expect(r.stderr).toContain('No se firmó ni publicó anual-2');
      expect(await published()).toEqual(before);
    });

    it('without a terminal and without --yes, signs nothing and says to use --yes', async () => {
      const before = await published();
      const r = await run(args());
      expect(r.code).toBe(2);
      expect(r.stdout).toContain('Vista previa');
      expect(r.stderr).toContain('--yes');
      expect(await published()).toEqual(before);
    });

    it('signs after a yes; --yes signs without asking', async () => {
      const asked: string[] = [];
      const yes = await cli(args(), { server: s.url, answers: ['sí'], asked });
      expect(yes.code, yes.stderr).toBe(0);
      expect(asked).toHaveLength(1);
      expect(yes.stdout).toContain('Publicado / Published: anual-2');
      const late = await cli(args(), { server: s.url, answers: [], asked });
      expect(late.code).toBe(1); // no answer is no
      const skipped: string[] = [];
      const direct = await cli([...args(), '--yes'], { server: s.url, answers: ['n'], asked: skipped });
      expect(direct.code, direct.stderr).toBe(0);
      expect(skipped).toEqual([]); // never asked
      expect(direct.stdout).toContain('Vista previa');
      expect(direct.stdout).toContain('Publicado / Published: anual-3');
    });

    it('says when the release will not replace the home page headline', async () => {
      const featured = await run(['feature', '--key', publisherKey(), '--series', 'tendencias']);
      expect(featured.code, featured.stderr).toBe(0);
      expect(featured.stdout).toContain('Serie destacada / Featured series: tendencias');
      const shown = await run(['feature']);
      expect(shown.stdout).toContain('tendencias');
      const r = await run([...args(), '--yes']);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toContain('Portada / Home page: sigue mostrando la serie / keeps showing the series tendencias');
      const unknown = await run(['feature', '--key', publisherKey(), '--series', 'no-existe']);
      expect(unknown.code).toBe(1);
      expect(unknown.stderr).toContain('series_not_found');
    });
  });

  it('a dry run after two late reports shows the data the releases used, and says the release will count newer reports', async () => {
    const header = 'year,quarter,region,incidentType,victimGender,victimNationality,victimAgeBand,perpetratorType,outcome,narrative,dedupeDetails';
    const csv = path.join(work, 'tarde.csv');
    writeFileSync(
      csv,
      [header, ...[1, 2].map((i) => `2023,,PE-LMA,homicide,trans-woman,VE,25-34,criminal-organisation,,"Relato tardío ${i}","tardío ${i}"`)].join('\n') + '\n',
    );
    const imported = await run(['import', '--key', orgs[0]!, '--csv', csv, '--dedupe-secret', path.join(work, 'coalition.secret')]);
    expect(imported.code, imported.stderr).toBe(0);
    const dry = [
      'release',
      '--key',
      path.join(s.home, 'publisher.key.json'),
      '--series',
      'anual',
      '--years',
      '2023',
      '--tables',
      'year,region;year,incidentType',
      '--dry-run',
    ];
    const r = await run(dry);
    expect(r.code, r.stderr).toBe(0);
    const versions = (await fetch(`${s.url}/api/v1/releases`).then((x) => x.json())).items;
    expect(versions.length).toBeGreaterThan(0);
    expect(r.stdout).toMatch(/2023: datos versión \/ data version \d+\n/); // the published version, not held back
    expect(r.stdout).not.toContain('retenida');
    expect(r.stdout).toContain('A dry run uses only data a publication already used; the release will also count newer reports.');
    // the release itself counts the two late reports: a new data version
    const rel = await run(['release', ...dry.slice(1, -1), '--yes', '--json']);
    expect(rel.code, rel.stderr).toBe(0);
    const shownVersion = Number(/data version (\d+)/.exec(r.stdout)![1]);
    expect(JSON.parse(rel.stdout).manifest.data[0].version).toBe(shownVersion + 1);
  });
});
