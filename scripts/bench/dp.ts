// dp.ts — benchmark of the differential-privacy release (server/dp) on synthetic linked tables of
// about 50,000 distinct cells shaped like a Contamos release (the generator of
// scripts/bench/suppression.ts: year × region with a 3-level region hierarchy × incident type ×
// victim gender / age band / nationality × perpetrator type).
//
// Guarantees: deterministic input (seeded PRNG, mulberry32) and deterministic noise (the seeded
// ChaCha20 source — benchmark only; production uses the cryptographic source), so runs are
// comparable. Prints: seconds for dpRelease (building + sampling + post-processing), the time of
// building the linked tables alone (baseline, with the ratio), mean absolute error per distinct
// cell and per published row after post-processing vs the true counts (and, for comparison, of the
// same noisy values before post-processing), the post-processing stage used, the consistency
// check, and peak RSS.
// Run: npx tsx scripts/bench/dp.ts [large|small|all] [rho] [--keep-total] [--epsilon=<e>]
// (default: the large scenario at rho = 0.5; peak RSS is that of the whole process).
import { buildLinkedTables } from '../../server/disclosure/index.js';
import { budgetFor, checkConsistent, discreteGaussian, discreteLaplace, dpRelease, seededRandomSource } from '../../server/dp/index.js';

import { domainsFor, hierarchies, synthetic } from './synthetic-tables.js';

/** The benchmark's six years (2019–2024) over the shared dimensions. */
const domains = domainsFor(6);

interface Scenario {
  name: string;
  seed: number;
  incidents: number;
  tables: string[][];
}

const SCENARIOS: Scenario[] = [
  {
    name: 'small (~5,000 cells)',
    seed: 20240501,
    incidents: 9000,
    tables: [
      ['year', 'region', 'incidentType'],
      ['year', 'region', 'victimGender'],
      ['year', 'incidentType', 'victimGender'],
      ['region', 'perpetratorType'],
    ],
  },
  {
    name: 'large (~50,000 cells)',
    seed: 20240502,
    incidents: 60000,
    tables: [
      ['year', 'region', 'incidentType', 'victimGender'],
      ['year', 'region', 'incidentType', 'perpetratorType'],
      ['year', 'region', 'victimAgeBand', 'victimGender'],
      ['year', 'incidentType', 'victimNationality'],
      ['region', 'victimAgeBand', 'perpetratorType'],
    ],
  },
];

const args = process.argv.slice(2);
const which = args.find((a) => a === 'small' || a === 'large' || a === 'all') ?? 'large';
const rhoArg = args.find((a) => !a.startsWith('--') && a !== which);
const epsArg = args.find((a) => a.startsWith('--epsilon='))?.slice('--epsilon='.length);
const keepTotal = args.includes('--keep-total');
const budget = epsArg !== undefined ? { epsilon: epsArg } : { rho: rhoArg ?? '0.5' };

async function run(sc: Scenario): Promise<void> {
  const counts = synthetic(sc.seed, sc.incidents, domains);
  const tables = sc.tables;
  const tb0 = performance.now();
  const lt = buildLinkedTables({ counts, domains, tables, hierarchies });
  const tb1 = performance.now();
  const zeros = lt.cells.filter((c) => c.value === 0).length;

  const t0 = performance.now();
  const res = await dpRelease({ counts, domains, tables, hierarchies, ...budget, keepTotal, random: seededRandomSource('bench-dp-1') });
  const t1 = performance.now();

  // Errors vs the true counts: per distinct cell and per published row.
  const x = new Float64Array(lt.cells.length);
  let rowErr = 0;
  let pos = 0;
  lt.tableCells.forEach((ids) => {
    for (const id of ids) {
      const c = res.cells[pos++]!;
      x[id] = c.count;
      rowErr += Math.abs(c.count - lt.cells[id]!.value);
    }
  });
  let cellErr = 0;
  let zeroErr = 0;
  for (let i = 0; i < lt.cells.length; i++) {
    const e = Math.abs(x[i]! - lt.cells[i]!.value);
    cellErr += e;
    if (lt.cells[i]!.value === 0) zeroErr += e;
  }
  // Baseline accuracy: the same noise (same seed, same order) without post-processing.
  const b = budgetFor(lt, budget);
  const replay = seededRandomSource('bench-dp-1');
  let rawErr = 0;
  let clampErr = 0;
  for (const c of lt.cells) {
    const e = Number(b.mechanism === 'discrete-gaussian' ? discreteGaussian(replay, b.sigma2) : discreteLaplace(replay, b.scale));
    rawErr += Math.abs(e);
    clampErr += Math.abs(Math.max(0, c.value + e) - c.value);
  }
  const totalId = lt.cells.findIndex((c) => Object.keys(c.key).length === 0);
  const consistent = checkConsistent(lt, x, keepTotal ? { id: totalId, value: lt.cells[totalId]!.value } : undefined);
  const seconds = (t1 - t0) / 1000;
  const buildSeconds = (tb1 - tb0) / 1000;
  const rss = process.resourceUsage().maxRSS; // kilobytes

  console.log(
    `\n${sc.name} — DP release: ${lt.cells.length} distinct cells (${res.cells.length} table rows), ${lt.constraints.length} constraints, ${zeros} true zeros, ${counts.length} records`,
  );
  console.log(`  mechanism         ${res.mechanism}  ${JSON.stringify(res.params.exact)}  m = ${res.params.m}  keepTotal = ${keepTotal}`);
  console.log(`  noise 90% ±       ${res.errorMargin90}`);
  console.log(
    `  dpRelease         ${seconds.toFixed(2)} s  (build ${(res.stats.buildMs / 1000).toFixed(2)} s, sampling ${(res.stats.sampleMs / 1000).toFixed(2)} s, post-processing ${(res.stats.postProcessMs / 1000).toFixed(2)} s)`,
  );
  console.log(`  build tables      ${buildSeconds.toFixed(2)} s  (dpRelease / build = ${(seconds / buildSeconds).toFixed(1)}×)`);
  console.log(
    `  post-processing   ${res.stats.postProcess}  (${res.stats.fractional} fractional in LP, ${res.stats.solves} HiGHS runs: ${res.stats.trace.join('; ')})`,
  );
  console.log(`  L1 to noisy       ${res.stats.l1ToNoisy}  (LP bound ${res.stats.lpObjective.toFixed(1)})`);
  console.log(
    `  MAE per cell      ${(cellErr / lt.cells.length).toFixed(3)}  (true-zero cells ${(zeroErr / Math.max(1, zeros)).toFixed(3)}, others ${((cellErr - zeroErr) / Math.max(1, lt.cells.length - zeros)).toFixed(3)}; per table row ${(rowErr / res.cells.length).toFixed(3)})`,
  );
  console.log(
    `  without post-proc ${(rawErr / lt.cells.length).toFixed(3)} raw noisy, ${(clampErr / lt.cells.length).toFixed(3)} clamped at 0 (MAE per cell; inconsistent, not publishable as is)`,
  );
  console.log(`  consistent        ${consistent === null ? 'yes (non-negative integers, every constraint exact)' : `NO: ${consistent}`}`);
  console.log(`  peak RSS          ${(rss / 1024).toFixed(0)} MB`);
}

for (const sc of SCENARIOS) {
  if (which === 'all' || sc.name.startsWith(which)) await run(sc);
}
