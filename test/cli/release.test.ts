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
    const r = await run(['release', '--key', publisherKey, '--series', 'anual', '--years', '2023', '--tables', 'year,region;year,incidentType', '--k', '3', '--json']);
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
    const args = (series: string, rho: string) => ['release', '--key', publisherKey, '--series', series, '--years', '2023', '--tables', 'year,incidentType', '--dp', '--rho', rho, '--keep-total'];
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

  it('refuses a release request with an unknown dimension before signing anything', async () => {
    const r = await run(['release', '--key', path.join(s.home, 'publisher.key.json'), '--series', 'anual', '--years', '2023', '--tables', 'year,victimName']);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/tables/);
    const list = await fetch(`${s.url}/api/v1/releases`).then((x) => x.json());
    expect(list.items).toHaveLength(3);
  });
});
