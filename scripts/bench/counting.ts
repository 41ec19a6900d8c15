// Benchmark (a) of `npm run bench:release`: counting incidents over 1,000,000 stored reports on
// SQLite — reading every report's countable values, applying the counting rules (active reports of
// members not excluded, one incident per dedupe tag with its representative, the members who
// reported it), grouping into year × region × incidentType × victimGender, and the Merkle root of
// the counted reports — next to a baseline measured in the same run: a bare `SELECT COUNT(*)` scan
// of the same table. Reports carry narratives of a real sealed size (BENCH_NARRATIVE_CHARS,
// default the smallest bucket), since a read that touched the table would pay for them. Then the
// sparse Merkle tree (contamos-smt-sha256) alone over exactly 1,000,000 random leaves, with the
// portable SHA-256 (browser, auditor) and the native one (server), each next to its own baseline:
// one SHA-256 of a leaf-sized message per leaf. Prints seconds, ratios to the baselines, and peak
// RSS.
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { buildMerkleTree, merkleRoot, ready, setSha256Backend, sha256, verifyInclusion } from '../../crypto/index.js';
import { nativeSha256 } from '../../server/native-crypto.js';
import { openDatabase } from '../../server/db/client.js';
import { migrate } from '../../server/db/migrate.js';
import { readReportFacts } from '../../server/services/report-facts.js';
import { excludedMembers } from '../../server/services/quarantine.js';
import { aggregate, coordsId } from '../../server/disclosure/global/truth.js';
import { currentIncidents } from '../../server/services/incidents.js';
import { recordsOf } from '../../server/services/release-views.js';
import type { ServiceContext } from '../../server/services/context.js';
import { codesOf, incidentTypes, regions, victimGenders, victimNationalities } from '../../server/taxonomy/taxonomy.js';

const N = Number(process.env.BENCH_REPORTS ?? 1_000_000);
/** Stored narrative length: 1,368 is the base64 of the smallest sealed bucket (1 KiB), as real reports are at least. */
const NARRATIVE = 'A'.repeat(Number(process.env.BENCH_NARRATIVE_CHARS ?? 1368));
const LEAVES = Number(process.env.BENCH_LEAVES ?? 1_000_000);

function rng(seed: number) {
  return () => (seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32;
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
    const ins =
      raw.prepare(`INSERT INTO "Report" (id, memberKeyId, year, region, incidentType, victimGender, victimNationality, victimAgeBand, perpetratorType, sealedNarrative, dedupeTag, status, reportHash)
      VALUES (?, 'm-bench', ?, ?, ?, ?, ?, 'unknown', 'unknown', ?, ?, ?, ?)`);
    const r = rng(42);
    const pick = (xs: string[]) => xs[Math.floor(r() * xs.length)]!;
    const regs = codesOf(regions),
      types = codesOf(incidentTypes),
      gens = codesOf(victimGenders),
      nats = codesOf(victimNationalities);
    const hex = (i: number, salt: string) => (salt + i.toString(16)).padStart(64, '0');
    // report hashes are SHA-256 outputs, spread over the whole key space like real ones
    const reportHashOf = (i: number) => createHash('sha256').update(`report ${i}`).digest('hex');
    let t = performance.now();
    raw.transaction(() => {
      for (let i = 0; i < N; i++) {
        const tagged = r() < 0.3 ? hex(Math.floor(r() * N * 0.2), 'a') : null; // 30% carry a tag shared with others
        const status = r() < 0.05 ? 'withdrawn' : 'active';
        ins.run(
          `00000000-0000-4000-8000-${i.toString(16).padStart(12, '0')}`,
          2018 + Math.floor(r() * 7),
          pick(regs),
          pick(types),
          pick(gens),
          pick(nats),
          NARRATIVE,
          tagged,
          status,
          reportHashOf(i),
        );
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
    const byYear = currentIncidents(facts.values(), {
      excluded: await excludedMembers(ctx),
      choices: new Map(),
      sticky: new Set(),
      secret: new Uint8Array(32),
    });
    const all = [...byYear.entries()].flatMap(([y, l]) =>
      recordsOf(l.incidents).map((r) => ({ ...r, key: { ...r.key, year: String(y) } as Record<string, string> })),
    );
    const wanted = new Map<string, Record<string, string>>();
    for (const r of all) {
      const key = { year: r.key.year!, region: r.key.region!, incidentType: r.key.incidentType!, victimGender: r.key.victimGender! };
      wanted.set(coordsId(key), key);
    }
    const cells = aggregate(all, wanted, new Map());
    const countS = (performance.now() - t) / 1000;
    const leaves = [...new Set([...byYear.values()].flatMap((l) => [...l.incidents.flatMap((i) => i.hashes), ...l.extra.map((r) => r.reportHash)]))];
    const incidents = [...cells.values()].reduce((s, c) => s + c.value, 0);
    t = performance.now();
    const root = merkleRoot(leaves);
    const merkleS = (performance.now() - t) / 1000;
    console.log(`\ncounting over ${N.toLocaleString('en')} reports (SQLite), year × region × incidentType × victimGender`);
    console.log(`  baseline: one scan with COUNT(*)        ${baseline.toFixed(2)} s`);
    console.log(`  read every report's values               ${readS.toFixed(2)} s`);
    console.log(
      `  count incidents (rules, dedupe, members) ${countS.toFixed(2)} s   read + count: ${(readS + countS).toFixed(2)} s, ratio to baseline ${((readS + countS) / baseline).toFixed(1)}   (target < 2 s)`,
    );
    console.log(
      `  ${incidents.toLocaleString('en')} incidents in ${cells.size.toLocaleString('en')} combinations, ${leaves.length.toLocaleString('en')} leaves`,
    );
    console.log(`  Merkle root (contamos-smt-sha256)        ${merkleS.toFixed(2)} s   (root ${root.slice(0, 12)}…, portable SHA-256)`);
    console.log(`  peak RSS ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MiB`);
    await db.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  benchMerkle();
}

/** The sparse Merkle tree alone over LEAVES random leaves, portable then native SHA-256. */
export function benchMerkle(): void {
  const pool = randomBytes(32 * LEAVES).toString('hex');
  const leaves = Array.from({ length: LEAVES }, (_, i) => pool.slice(i * 64, i * 64 + 64));
  const leafMsg = new Uint8Array(33);
  console.log(`\nsparse Merkle tree (contamos-smt-sha256) over ${LEAVES.toLocaleString('en')} random leaves`);
  for (const backend of ['portable (@noble/hashes)', 'native (node:crypto, as on the server)'] as const) {
    setSha256Backend(backend.startsWith('native') ? nativeSha256 : null);
    // baseline: one leaf-sized hash per leaf, through the same backend
    let t = performance.now();
    for (let i = 0; i < LEAVES; i++) {
      leafMsg[1] = i & 0xff;
      sha256(leafMsg);
    }
    const baseline = (performance.now() - t) / 1000;
    t = performance.now();
    const root = merkleRoot(leaves);
    const rootS = (performance.now() - t) / 1000;
    t = performance.now();
    const tree = buildMerkleTree(leaves);
    const treeS = (performance.now() - t) / 1000;
    t = performance.now();
    let depth = 0;
    for (let i = 0; i < 1000; i++) {
      const p = tree.proof(leaves[(i * 997) % LEAVES]!)!;
      depth = Math.max(depth, p.path.length);
      if (!verifyInclusion(p, root)) throw new Error('a proof did not verify');
    }
    const proofMs = (performance.now() - t) / 1000; // total milliseconds / 1,000 proofs
    console.log(`  ${backend}`);
    console.log(`    baseline: one SHA-256 per leaf         ${baseline.toFixed(2)} s`);
    console.log(`    root                                   ${rootS.toFixed(2)} s   ratio to baseline ${(rootS / baseline).toFixed(1)}`);
    console.log(`    tree kept for proofs                   ${treeS.toFixed(2)} s   ratio to baseline ${(treeS / baseline).toFixed(1)}`);
    console.log(`    one proof + its verification           ${proofMs.toFixed(3)} ms (mean of 1,000; longest path ${depth})`);
  }
  setSha256Backend(null);
  console.log(`  peak RSS ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MiB`);
}

if (import.meta.url === `file://${process.argv[1]}`) await benchCounting();
