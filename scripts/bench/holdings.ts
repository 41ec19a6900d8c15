// holdings.ts — what the holdings rule (issue 15: a cell is sensitive also when its count minus one
// member's share, or two members' together, is in 1..k−1) costs on the ~50,000-cell case of
// suppression.ts: the same release protected in the same run, as the release service protects it
// (disclosure/global, the new publication alone, every verdict of the final audit proven), with
// the counts alone, then with each incident's reporting members (three organisations; an incident
// is known to one or two of them) under the rule of one organisation at a time
// (CONTAMOS_HOLDINGS_COALITION=1), then of pairs too (the default, 2), after the one-release engine
// of suppression.ts on the same counts as the baseline. Prints, for each: seconds, sensitive
// cells, hidden cells, LP solves; then the ratios. BENCH_PAIRS=0 leaves the pairs run out.
// BENCH_SECOND_LANE=0 runs judge mode's batch LPs in one lane (`AuditEngine.judgeSecondLane`).
// BENCH_JUDGE_CAPPED_MIN=0 leaves out judge mode's capped LP (`AuditEngine.judgeCappedMin`).
// BENCH_DEPTH_AFTER_CAPPED=2 spaces the batches after the capped LP as before (`AuditEngine.judgeDepthAfterCapped`).
// BENCH_NEIGHBOURHOOD=0 leaves out the outer bounds from each uncertain class's neighbourhood (`AuditEngine.neighbourhoodRadius`).
// With BENCH_SPLIT_AB=1 the rule of one organisation at a time is run again on the general path
// (`protectTuning.yearSplitsAsTables = false`: the year-less table's per-year split left to the
// whole-system repair, as before 2026-12-06 night), for an A/B in the same run.
// With BENCH_AB=1 both are run a second time with the judge-mode audit's batch LPs solved to
// their optimum (`AuditEngine.judgeBatchIterations = 0`, the engine before iteration-limited
// batches), for an A/B in the same run.
// Deterministic input (seeded PRNG). Run: npx tsx scripts/bench/holdings.ts
import { AuditEngine, protectRelease } from '../../server/disclosure/index.js';
import type { View } from '../../server/disclosure/global/model.js';
import { protectInLog, protectTuning } from '../../server/disclosure/global/protect.js';
import type { IncidentRecord } from '../../server/disclosure/global/truth.js';
import { addIncident } from '../../server/disclosure/global/coalitions.js';
import { baseDomains, domainsFor, hierarchies, mulberry32, synthetic } from './synthetic-tables.js';

const YEARS = Number(process.env.BENCH_YEARS ?? 20);
const TABLES = [
  ['year', 'region', 'incidentType', 'victimGender'],
  ['year', 'perpetratorType'],
  ['region', 'victimAgeBand'],
];
const K = 5;

function records(withMembers: boolean): Map<number, IncidentRecord[]> {
  const domains = domainsFor(YEARS);
  const rand = mulberry32(20240503);
  const out = new Map<number, IncidentRecord[]>();
  for (const r of synthetic(20240502, Math.round((30000 * YEARS) / 20), domains)) {
    const byMember = new Map<string, number>();
    const byPair = new Map<string, number>();
    for (let i = 0; i < r.count; i++) {
      // One organisation knows the incident; a third of incidents are known to a second one too.
      const first = Math.floor(rand() * 3);
      addIncident(byMember, byPair, rand() < 1 / 3 ? [`m-${first}`, `m-${(first + 1 + Math.floor(rand() * 2)) % 3}`] : [`m-${first}`]);
    }
    const { year, ...key } = r.key;
    const y = Number(year);
    if (!out.has(y)) out.set(y, []);
    out.get(y)!.push(withMembers ? { key, count: r.count, byMember, byPair } : { key, count: r.count });
  }
  return out;
}

async function run(withMembers: boolean, coalition = 2) {
  const data = records(withMembers);
  const years = [...data.keys()].sort((a, b) => a - b);
  const dims = [...new Set(TABLES.flat().filter((d) => d !== 'year'))];
  const view: View = {
    index: 1,
    series: 'h',
    tables: TABLES,
    years,
    versions: Object.fromEntries(years.map((y) => [String(y), 1])),
    domains: Object.fromEntries(dims.map((d) => [d, baseDomains[d]!])),
    hierarchies,
    k: K,
    protection: K,
  };
  const t0 = performance.now();
  const r = await protectInLog({
    views: [view],
    since: () => 'additions',
    records: (y) => data.get(y) ?? [],
    added: () => [],
    minK: K,
    minProtection: K,
    coalition,
    finalAudit: 'verdicts',
  });
  const s = (performance.now() - t0) / 1000;
  const hidden = r.cells.filter((c) => c.suppressed).length;
  return {
    s,
    cells: r.cells.length,
    sensitive: r.stats.sensitive,
    hidden,
    ok: r.audit.ok,
    lps: r.stats.lpSolves,
    rounds: r.stats.rounds,
    method: r.stats.method,
  };
}

if (process.env.BENCH_SECOND_LANE === '0') AuditEngine.judgeSecondLane = false;
if (process.env.BENCH_JUDGE_CAPPED_MIN !== undefined) AuditEngine.judgeCappedMin = Number(process.env.BENCH_JUDGE_CAPPED_MIN);
if (process.env.BENCH_DEPTH_AFTER_CAPPED !== undefined) AuditEngine.judgeDepthAfterCapped = Number(process.env.BENCH_DEPTH_AFTER_CAPPED);
if (process.env.BENCH_NEIGHBOURHOOD !== undefined) AuditEngine.neighbourhoodRadius = Number(process.env.BENCH_NEIGHBOURHOOD);

// Baseline in the same run: the single-release engine (suppression.ts) on the same counts.
const domains = domainsFor(YEARS);
const counts = synthetic(20240502, Math.round((30000 * YEARS) / 20), domains);
const b0 = performance.now();
const single = await protectRelease({ counts, domains, tables: TABLES, hierarchies, k: K, method: 'auto', finalAudit: 'verdicts' });
const baseline = {
  s: (performance.now() - b0) / 1000,
  cells: single.cells.length,
  sensitive: single.stats.primary,
  hidden: single.stats.suppressedTotal,
  ok: single.audit.ok,
  lps: single.stats.lpSolves,
  rounds: single.stats.rounds,
  method: single.method,
};
const plain = await run(false);
const holdings = await run(true, 1);
const withPairs = process.env.BENCH_PAIRS !== '0';
const pairs = withPairs ? await run(true, 2) : undefined;
let general: Awaited<ReturnType<typeof run>> | undefined;
if (process.env.BENCH_SPLIT_AB === '1') {
  protectTuning.yearSplitsAsTables = false;
  general = await run(true, 1);
  protectTuning.yearSplitsAsTables = true;
}
const ab = process.env.BENCH_AB === '1';
let before: { plain: Awaited<ReturnType<typeof run>>; holdings: Awaited<ReturnType<typeof run>> } | undefined;
if (ab) {
  const iterations = AuditEngine.judgeBatchIterations;
  AuditEngine.judgeBatchIterations = 0;
  before = { plain: await run(false), holdings: await run(true, 1) };
  AuditEngine.judgeBatchIterations = iterations;
}
console.log(`holdings rule on the ~50,000-cell case (${YEARS} years, k = ${K}, 3 organisations)`);
console.log('  rule        cells  sensitive  hidden  protect+audit  audit  LPs (rounds)');
for (const [name, x] of [
  ['single', baseline],
  ['plain', plain],
  ['holdings', holdings],
  ...(pairs ? ([['pairs', pairs]] as const) : []),
  ...(general ? ([['general-1', general]] as const) : []),
  ...(before
    ? ([
        ['plain-0', before.plain],
        ['holdings-0', before.holdings],
      ] as const)
    : []),
] as const) {
  console.log(
    `  ${name.padEnd(9)} ${String(x.cells).padStart(7)} ${String(x.sensitive).padStart(10)} ${String(x.hidden).padStart(7)} ${x.s.toFixed(2).padStart(12)} s  ${x.ok ? 'PASS' : 'FAIL'}  ${x.lps} (${x.rounds}, ${x.method})`,
  );
}
console.log(
  '  (single: the one-release engine of suppression.ts, the baseline; plain, holdings (one organisation at a time) and pairs (the default): the whole-server engine the release service runs)',
);
if (general)
  console.log(
    `  (general-1: one organisation at a time on the general path, the per-year split left to the whole-system repair) split / general: time ×${(holdings.s / general.s).toFixed(2)}, hidden ${holdings.hidden} / ${general.hidden}`,
  );
if (before) {
  console.log('  (plain-0, holdings-0: the same with judge-mode batch LPs solved to their optimum, as before)');
  console.log(`  iteration-limited batches: plain ×${(plain.s / before.plain.s).toFixed(2)}, holdings ×${(holdings.s / before.holdings.s).toFixed(2)}`);
}
console.log(`  plain / single: time ×${(plain.s / baseline.s).toFixed(2)}`);
console.log(
  `  holdings / plain: time ×${(holdings.s / plain.s).toFixed(2)}, hidden +${holdings.hidden - plain.hidden} (×${(holdings.hidden / plain.hidden).toFixed(2)}), sensitive +${holdings.sensitive - plain.sensitive}`,
);
if (pairs)
  console.log(
    `  pairs / holdings: time ×${(pairs.s / holdings.s).toFixed(2)}, hidden +${pairs.hidden - holdings.hidden} (×${(pairs.hidden / holdings.hidden).toFixed(2)}), sensitive +${pairs.sensitive - holdings.sensitive}`,
  );
