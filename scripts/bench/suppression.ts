// suppression.ts — benchmark of secondary suppression + exact interval audit on synthetic linked
// tables shaped like a Contamos release (year × region with a 3-level region hierarchy × incident
// type × victim gender / age band / nationality × perpetrator type).
//
// Guarantees: deterministic input (seeded PRNG, mulberry32), so runs are comparable. Prints, per
// size: seconds for protectRelease (suppression + the final exact audit), seconds for an independent
// re-audit from scratch, cells suppressed beyond the primaries, HiGHS solves, peak RSS and whether
// the audit passed. Run: npx tsx scripts/bench/suppression.ts [small|large|all] [--heuristic]
import { auditIntervals, buildLinkedTables, protectRelease } from '../../server/disclosure/index.js';

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const codes = (prefix: string, n: number): string[] => Array.from({ length: n }, (_, i) => `${prefix}${String(i + 1).padStart(2, '0')}`);
const regions = codes('PE-', 26);
const baseDomains: Record<string, string[]> = {
  region: regions,
  incidentType: codes('type', 11),
  victimGender: codes('g', 5),
  victimAgeBand: codes('age', 6),
  perpetratorType: codes('perp', 7),
  victimNationality: codes('nat', 6),
};
// 3-level hierarchy: total → 5 macro-regions → 26 regions.
const hierarchies = {
  region: {
    norte: regions.slice(0, 6),
    centro: regions.slice(6, 12),
    sur: regions.slice(12, 17),
    oriente: regions.slice(17, 21),
    lima: regions.slice(21, 26),
  },
};

/** Skewed categorical draw: weight of the i-th code ∝ 1/(i+1)^s. */
function zipf(rand: () => number, n: number, s: number): () => number {
  const w = Array.from({ length: n }, (_, i) => 1 / Math.pow(i + 1, s));
  const total = w.reduce((a, b) => a + b, 0);
  const cum: number[] = [];
  let acc = 0;
  for (const x of w) cum.push((acc += x / total));
  return () => {
    const u = rand();
    const i = cum.findIndex((c) => u <= c);
    return i < 0 ? n - 1 : i;
  };
}

/**
 * Incidents cluster: 98% come from one of 300 "hot spots" (a fixed region, type, perpetrator,
 * victim profile; year drawn per incident), 2% are scattered at random (skewed per dimension).
 * This gives the sparse shape of real counts: many zeros, a tail of small counts, some large.
 */
function domainsFor(years: number): Record<string, string[]> {
  return { year: Array.from({ length: years }, (_, i) => String(2025 - years + i)), ...baseDomains };
}

function synthetic(seed: number, incidents: number, domains: Record<string, string[]>): Array<{ key: Record<string, string>; count: number }> {
  const rand = mulberry32(seed);
  const draws: Record<string, () => number> = {};
  for (const [d, dom] of Object.entries(domains)) draws[d] = zipf(rand, dom.length, d === 'year' ? 0.2 : 0.9);
  const HOT = 300;
  const hotDims = Object.keys(domains).filter((d) => d !== 'year');
  const hot = Array.from({ length: HOT }, () => Object.fromEntries(hotDims.map((d) => [d, domains[d]![draws[d]!()]!])));
  const hotPick = zipf(rand, HOT, 0.3);
  const byKey = new Map<string, { key: Record<string, string>; count: number }>();
  for (let i = 0; i < incidents; i++) {
    const key: Record<string, string> = {};
    for (const [d, dom] of Object.entries(domains)) key[d] = dom[draws[d]!()]!;
    if (rand() > 0.02) Object.assign(key, hot[hotPick()]!);
    const id = JSON.stringify(key);
    const rec = byKey.get(id);
    if (rec) rec.count++;
    else byKey.set(id, { key, count: 1 });
  }
  return [...byKey.values()];
}

interface Scenario {
  name: string;
  seed: number;
  incidents: number;
  /** Number of years (from 2024 backwards). */
  years: number;
  tables: string[][];
}

const SCENARIOS: Scenario[] = [
  {
    name: 'small (~5,000 cells)',
    seed: 20240501,
    incidents: 12000,
    years: 6,
    tables: [
      ['year', 'region', 'incidentType'],
      ['year', 'region', 'victimGender'],
      ['year', 'incidentType', 'victimGender'],
      ['region', 'perpetratorType'],
    ],
  },
  {
    // Twenty years. One large four-dimensional table linked to two small ones through the year
    // totals and the region totals (identical quantities, one cell each).
    name: 'large (~50,000 cells)',
    seed: 20240502,
    incidents: 30000,
    years: 20,
    tables: [
      ['year', 'region', 'incidentType', 'victimGender'],
      ['year', 'perpetratorType'],
      ['region', 'victimAgeBand'],
    ],
  },
];

async function run(sc: Scenario, method: 'auto' | 'heuristic'): Promise<void> {
  const domains = domainsFor(sc.years);
  const counts = synthetic(sc.seed, sc.incidents, domains);
  const lt = buildLinkedTables({ counts, domains, tables: sc.tables, hierarchies });
  const primaries = lt.cells.filter((c) => c.value >= 1 && c.value < 5).length;
  const zeros = lt.cells.filter((c) => c.value === 0).length;
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const res = await protectRelease({ counts, domains, tables: sc.tables, hierarchies, k: 5, method });
  const t1 = performance.now();
  const cpu1 = process.cpuUsage(cpu0);
  const suppressed = new Set<number>(res.audit.intervals.map((i) => i.id));
  const audit = await auditIntervals({ cells: lt.cells, constraints: lt.constraints, suppressed, k: 5 });
  const t2 = performance.now();
  const rss = process.resourceUsage().maxRSS; // kilobytes
  console.log(`\n${sc.name}: ${lt.cells.length} cells (${res.cells.length} table rows), ${lt.constraints.length} constraints, ${primaries} primary (${((100 * primaries) / lt.cells.length).toFixed(1)}%), ${zeros} zero`);
  console.log(`  method            ${res.method}`);
  console.log(`  protect + audit   ${((t1 - t0) / 1000).toFixed(2)} s wall, ${((cpu1.user + cpu1.system) / 1e6).toFixed(2)} s CPU (all threads)  (rounds ${res.stats.rounds})`);
  console.log(`  extra suppressed  ${res.stats.suppressedTotal - res.stats.primary}  (total ${res.stats.suppressedTotal})`);
  console.log(`  LP/MILP solves    ${res.stats.lpSolves}  (final audit ${res.audit.lpSolves}, components ${res.stats.components})`);
  console.log(`  re-audit alone    ${((t2 - t1) / 1000).toFixed(2)} s, ${audit.lpSolves} LP solves`);
  console.log(`  peak RSS          ${(rss / 1024).toFixed(0)} MB`);
  console.log(`  audit             ${res.audit.ok && audit.ok ? 'PASS' : 'FAIL'}`);
}

const which = process.argv[2] ?? 'all';
const method = process.argv.includes('--heuristic') ? 'heuristic' : 'auto';
for (const sc of SCENARIOS) {
  if (which === 'small' && !sc.name.startsWith('small')) continue;
  if (which === 'large' && !sc.name.startsWith('large')) continue;
  await run(sc, method);
}
