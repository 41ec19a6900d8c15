// Benchmark (a) of `npm run bench:release`: counting incidents over 1,000,000 stored reports on
// SQLite — reading every report's countable values, applying the counting rules (active reports of
// members not excluded, one incident per dedupe tag with its representative, the members who
// reported it), grouping into year × region × incidentType × victimGender, the hashes of the
// counted reports and their Merkle root — next to a baseline measured in the same run: a bare
// `SELECT COUNT(*)` scan of the same table. Prints seconds, the ratio to the baseline, peak RSS.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { merkleRoot, ready } from '../../crypto/index.js';
import { openDatabase } from '../../server/db/client.js';
import { migrate } from '../../server/db/migrate.js';
import { excludedMembers, readReportFacts } from '../../server/db/publication-log.js';
import { aggregate, coordsId } from '../../server/disclosure/global/truth.js';
import { currentIncidents } from '../../server/services/incidents.js';
import { recordsOf } from '../../server/services/release-views.js';
import type { ServiceContext } from '../../server/services/context.js';
import { codesOf, incidentTypes, regions, victimGenders, victimNationalities } from '../../server/taxonomy/taxonomy.js';

const N = Number(process.env.BENCH_REPORTS ?? 1_000_000);

function rng(seed: number) {
  return () => ((seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32);
}

export async function benchCounting(): Promise<void> {
  await ready();
  const dir = mkdtempSync(path.join(tmpdir(), 'contamos-count-'));
  const url = `file:${path.join(dir, 'count.db')}`;
  try {
    await migrate(url);
    const raw = new Database(url.slice(5));
    raw.pragma('journal_mode = WAL');
    raw.prepare(`INSERT INTO "Member" (keyId, publicKey) VALUES ('m-bench', 'pk')`).run();
    const ins = raw.prepare(`INSERT INTO "Report" (id, memberKeyId, year, region, incidentType, victimGender, victimNationality, victimAgeBand, perpetratorType, sealedNarrative, dedupeTag, status, reportHash)
      VALUES (?, 'm-bench', ?, ?, ?, ?, ?, 'unknown', 'unknown', 'x', ?, ?, ?)`);
    const r = rng(42);
    const pick = (xs: string[]) => xs[Math.floor(r() * xs.length)]!;
    const regs = codesOf(regions), types = codesOf(incidentTypes), gens = codesOf(victimGenders), nats = codesOf(victimNationalities);
    const hex = (i: number, salt: string) => (salt + i.toString(16)).padStart(64, '0');
    let t = performance.now();
    raw.transaction(() => {
      for (let i = 0; i < N; i++) {
        const tagged = r() < 0.3 ? hex(Math.floor(r() * N * 0.2), 'a') : null; // 30% carry a tag shared with others
        const status = r() < 0.05 ? 'withdrawn' : 'active';
        ins.run(`00000000-0000-4000-8000-${i.toString(16).padStart(12, '0')}`, 2018 + Math.floor(r() * 7), pick(regs), pick(types), pick(gens), pick(nats), tagged, status, hex(i, 'b'));
      }
    })();
    raw.close();
    console.log(`inserted ${N.toLocaleString('en')} reports in ${((performance.now() - t) / 1000).toFixed(1)} s (setup, not measured)`);

    const db = openDatabase(url);
    const ctx: ServiceContext = { db, keys: {} as never, now: () => Math.floor(Date.now() / 1000) };
    t = performance.now();
    await db.prisma.$queryRawUnsafe('SELECT COUNT(*) AS n, COUNT(DISTINCT region) AS r FROM "Report" WHERE status = \'active\'');
    const baseline = (performance.now() - t) / 1000;
    t = performance.now();
    const facts = await readReportFacts(ctx);
    const readS = (performance.now() - t) / 1000;
    t = performance.now();
    const byYear = currentIncidents(facts.values(), { excluded: await excludedMembers(ctx), choices: new Map(), sticky: new Set(), secret: new Uint8Array(32) });
    const all = [...byYear.entries()].flatMap(([y, l]) => recordsOf(l).map((r) => ({ ...r, key: { ...r.key, year: String(y) } as Record<string, string> })));
    const wanted = new Map<string, Record<string, string>>();
    for (const r of all) {
      const key = { year: r.key.year!, region: r.key.region!, incidentType: r.key.incidentType!, victimGender: r.key.victimGender! };
      wanted.set(coordsId(key), key);
    }
    const cells = aggregate(all, wanted, new Map());
    const countS = (performance.now() - t) / 1000;
    const leaves = [...byYear.values()].flatMap((l) => l.flatMap((i) => i.hashes));
    const incidents = [...cells.values()].reduce((s, c) => s + c.value, 0);
    console.log(`\ncounting over ${N.toLocaleString('en')} reports (SQLite), year × region × incidentType × victimGender`);
    console.log(`  baseline: one scan with COUNT(*)        ${baseline.toFixed(2)} s`);
    console.log(`  read every report's values               ${readS.toFixed(2)} s`);
    console.log(`  count incidents (rules, dedupe, members) ${countS.toFixed(2)} s   read + count: ${(readS + countS).toFixed(2)} s, ratio to baseline ${((readS + countS) / baseline).toFixed(1)}   (target < 2 s)`);
    console.log(`  ${incidents.toLocaleString('en')} incidents in ${cells.size.toLocaleString('en')} combinations, ${leaves.length.toLocaleString('en')} leaves`);
    t = performance.now();
    const root = merkleRoot([...new Set(leaves)].sort());
    const merkleS = (performance.now() - t) / 1000;
    console.log(`  Merkle root (RFC 6962)                   ${merkleS.toFixed(2)} s   (root ${root.slice(0, 12)}…)`);
    console.log(`  peak RSS ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MiB`);
    await db.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await benchCounting();
