// suppression.ts — benchmark of secondary suppression + exact interval audit on synthetic linked
// tables shaped like a Contamos release (year × region with a 3-level region hierarchy × incident
// type × victim gender / age band / nationality × perpetrator type).
//
// Guarantees: deterministic input (seeded PRNG, mulberry32), so runs are comparable. Prints, per
// size: seconds for protectRelease as the release service runs it (suppression + the final audit
// with proven verdicts for every suppressed cell), seconds for the exact attacker interval of every
// suppressed cell computed from scratch (as the auditor does), cells suppressed beyond the
// primaries, HiGHS solves, peak RSS and whether both audits passed. Run: npx tsx scripts/bench/suppression.ts [small|large|all] [--heuristic]
import { auditIntervals, buildLinkedTables, protectRelease } from '../../server/disclosure/index.js';

import { domainsFor, hierarchies, synthetic } from './synthetic-tables.js';

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
  const res = await protectRelease({ counts, domains, tables: sc.tables, hierarchies, k: 5, method, finalAudit: 'verdicts' });
  const t1 = performance.now();
  const cpu1 = process.cpuUsage(cpu0);
  const suppressed = new Set<number>(res.audit.intervals.map((i) => i.id));
  const audit = await auditIntervals({ cells: lt.cells, constraints: lt.constraints, suppressed, k: 5 });
  const t2 = performance.now();
  const rss = process.resourceUsage().maxRSS; // kilobytes
  console.log(
    `\n${sc.name}: ${lt.cells.length} cells (${res.cells.length} table rows), ${lt.constraints.length} constraints, ${primaries} primary (${((100 * primaries) / lt.cells.length).toFixed(1)}%), ${zeros} zero`,
  );
  console.log(`  method            ${res.method}`);
  console.log(
    `  protect + audit   (suppression, then every verdict proven) ${((t1 - t0) / 1000).toFixed(2)} s wall, ${((cpu1.user + cpu1.system) / 1e6).toFixed(2)} s CPU (all threads)  (rounds ${res.stats.rounds})`,
  );
  console.log(`  extra suppressed  ${res.stats.suppressedTotal - res.stats.primary}  (total ${res.stats.suppressedTotal})`);
  console.log(
    `  LP/MILP solves    ${res.stats.lpSolves}  (of which ${res.audit.lpSolves} after the last repair: the audit that ended the repair loop already proved every verdict; components ${res.stats.components})`,
  );
  console.log(`  exact re-audit    ${((t2 - t1) / 1000).toFixed(2)} s, ${audit.lpSolves} LP solves (exact interval of every suppressed cell, from scratch)`);
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
