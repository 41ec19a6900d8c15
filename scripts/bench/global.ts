// global.ts — benchmark of the whole-server model (issue 14): eight series over the same three
// years, each a different set of linked tables with margins (about 40,000 cells in all), published
// one after the other, each protected against every earlier one (disclosure/global); then two late
// reports and a ninth publication on a new data version. Prints, per publication: seconds to
// protect it against the log (suppression + its proven final audit), its cells, the cells it hides,
// and how many it hides beyond what protecting the series alone (no log) hides — measured in the
// same run. Then the exact interval of every hidden quantity of the whole final system, from
// scratch (what the auditor computes), with its time. Data: the seeded synthetic generator of
// scripts/bench/synthetic-tables.ts, split among three member organisations.
// BENCH_COALITION=1 protects against one organisation at a time (CONTAMOS_HOLDINGS_COALITION=1)
// instead of the default, pairs too. BENCH_JUDGE_BATCH_ITERATIONS=0 runs the judge-mode audit's batch LPs to their optimum (the
// engine before iteration-limited batches), for a before/after comparison. BENCH_EXACT=0 skips the
// exact global audit at the end (minutes at 6 series and more). BENCH_SECOND_LANE=0 runs judge
// mode's batch LPs in one lane (`AuditEngine.judgeSecondLane`, the engine before the second lane).
// BENCH_WARM_ROUNDS=2 gives the warm start on the new tables two repair rounds (`protectTuning.warmStartRounds`, before 2026-12-07: 2).
// BENCH_JUDGE_SINGLE_STEPS=0 runs judge mode's single LPs to their optimum (`AuditEngine.judgeSingleSteps`, the engine before 2026-12-07, third session).
// BENCH_JUDGE_CAPPED_MIN=0 leaves out judge mode's capped LP (`AuditEngine.judgeCappedMin`, the engine before 2026-12-07, fourth session).
// BENCH_DEPTH_AFTER_CAPPED=2 spaces the batches after the capped LP as before (`AuditEngine.judgeDepthAfterCapped`).
// BENCH_NEIGHBOURHOOD=0 leaves out the outer bounds from each uncertain class's neighbourhood (`AuditEngine.neighbourhoodRadius`).
// CONTAMOS_AUDIT_TRACE=<n> prints the phases of every sub-component of at least n classes (server/disclosure/audit-trace.ts).
// Run: npx tsx scripts/bench/global.ts [--series N]
import { AuditEngine, loadHighs } from '../../server/disclosure/index.js';
import type { View } from '../../server/disclosure/global/model.js';
import { protectInLog, protectTuning } from '../../server/disclosure/global/protect.js';
import type { IncidentRecord } from '../../server/disclosure/global/truth.js';
import { baseDomains, hierarchies, mulberry32, synthetic } from './synthetic-tables.js';

const COALITION = Number(process.env.BENCH_COALITION ?? 2);
const YEARS = [2022, 2023, 2024];
const SERIES: string[][][] = [
  [['year', 'region', 'incidentType']],
  [['year', 'region', 'victimGender']],
  [
    ['year', 'incidentType', 'victimGender'],
    ['year', 'region', 'perpetratorType'],
  ],
  [['year', 'incidentType', 'victimAgeBand', 'victimGender']],
  [['year', 'region', 'incidentType', 'victimGender']],
  [
    ['year', 'region', 'victimAgeBand'],
    ['year', 'perpetratorType', 'incidentType'],
  ],
  [['year', 'region', 'victimNationality', 'victimGender']],
  [['year', 'region', 'incidentType', 'perpetratorType']],
];
const K = 5;

function recordsFor(seed: number, incidents: number): Map<number, IncidentRecord[]> {
  const domains = { year: YEARS.map(String), ...baseDomains };
  const rand = mulberry32(seed + 1);
  const out = new Map<number, IncidentRecord[]>();
  for (const r of synthetic(seed, incidents, domains)) {
    const byMember = new Map<string, number>();
    for (let i = 0; i < r.count; i++) {
      const m = `m-${Math.floor(rand() * 3)}`;
      byMember.set(m, (byMember.get(m) ?? 0) + 1);
    }
    const { year, ...key } = r.key;
    const y = Number(year);
    if (!out.has(y)) out.set(y, []);
    out.get(y)!.push({ key, count: r.count, byMember });
  }
  return out;
}

async function main(): Promise<void> {
  if (process.env.BENCH_JUDGE_BATCH_ITERATIONS !== undefined) AuditEngine.judgeBatchIterations = Number(process.env.BENCH_JUDGE_BATCH_ITERATIONS);
  if (process.env.BENCH_SECOND_LANE === '0') AuditEngine.judgeSecondLane = false;
  if (process.env.BENCH_JUDGE_SINGLE_STEPS !== undefined) AuditEngine.judgeSingleSteps = Number(process.env.BENCH_JUDGE_SINGLE_STEPS);
  if (process.env.BENCH_JUDGE_CAPPED_MIN !== undefined) AuditEngine.judgeCappedMin = Number(process.env.BENCH_JUDGE_CAPPED_MIN);
  if (process.env.BENCH_DEPTH_AFTER_CAPPED !== undefined) AuditEngine.judgeDepthAfterCapped = Number(process.env.BENCH_DEPTH_AFTER_CAPPED);
  if (process.env.BENCH_NEIGHBOURHOOD !== undefined) AuditEngine.neighbourhoodRadius = Number(process.env.BENCH_NEIGHBOURHOOD);
  if (process.env.BENCH_WARM_ROUNDS !== undefined) protectTuning.warmStartRounds = Number(process.env.BENCH_WARM_ROUNDS);
  const nSeries = Number(process.argv[process.argv.indexOf('--series') + 1] ?? 0) || SERIES.length;
  const v1 = recordsFor(20241206, 20000);
  // Version 2 of 2024: two late reports in the first hot spot.
  const late = v1.get(2024)!.map((r) => ({ ...r }));
  late[0] = { ...late[0]!, count: late[0]!.count + 2, byMember: new Map([...(late[0]!.byMember ?? []), ['m-late', 2]]) };
  const data = (y: number, v: number): IncidentRecord[] => (y === 2024 && v === 2 ? late : v1.get(y)!);
  const added = (y: number, v: number): IncidentRecord[] =>
    y === 2024 && v === 2 ? [{ key: late[0]!.key, count: 2, byMember: new Map([['m-late', 2]]) }] : [];
  const input = (views: View[]) => ({
    views,
    since: () => 'additions' as const,
    records: data,
    added,
    minK: K,
    minProtection: K,
    coalition: COALITION,
    finalAudit: 'verdicts' as const,
  });
  const log: View[] = [];
  let totalCells = 0;
  let final: Awaited<ReturnType<typeof protectInLog>> | undefined;
  console.log(
    `  (judge-mode batch LPs: ${AuditEngine.judgeBatchIterations || 'to their optimum'}${AuditEngine.judgeBatchIterations ? ' simplex iterations' : ''}; holdings of ${COALITION === 1 ? 'one organisation at a time' : 'one organisation and every pair'})`,
  );
  console.log(`whole-server model: ${nSeries} series over ${YEARS.join(', ')}, k = ${K}, then a ninth publication after 2 late reports`);
  console.log('  #  series cells  hidden  alone  extra   protect+audit  model cells  carried');
  const publish = async (i: number, tables: string[][], version2024: number): Promise<void> => {
    const dims = [...new Set(tables.flat().filter((d) => d !== 'year'))];
    const view: View = {
      index: log.length + 1,
      series: `s${i}`,
      tables,
      years: YEARS,
      versions: { '2022': 1, '2023': 1, '2024': version2024 },
      domains: Object.fromEntries(dims.map((d) => [d, baseDomains[d]!])),
      hierarchies: dims.includes('region') ? hierarchies : {},
      k: K,
      protection: K,
    };
    const alone = await protectInLog(input([view]));
    const t0 = performance.now();
    const r = await protectInLog(input([...log, view]));
    const s = (performance.now() - t0) / 1000;
    const hidden = r.cells.filter((c) => c.suppressed).length;
    const hiddenAlone = alone.cells.filter((c) => c.suppressed).length;
    totalCells += r.cells.length;
    console.log(
      `  ${String(i + 1).padStart(2)} ${String(r.cells.length).padStart(12)} ${String(hidden).padStart(7)} ${String(hiddenAlone).padStart(6)} ${String(hidden - hiddenAlone).padStart(6)} ${s.toFixed(2).padStart(13)} s ${String(r.stats.modelCells).padStart(11)} ${String(r.stats.carried).padStart(8)}`,
    );
    log.push({ ...view, cells: r.cells.map((c) => ({ key: c.key, count: c.count })) });
    final = r;
  };
  for (let i = 0; i < nSeries; i++) await publish(i, SERIES[i]!, 1);
  await publish(nSeries, SERIES[0]!, 2);
  console.log(`  cells published in all: ${totalCells.toLocaleString('en')}`);

  if (process.env.BENCH_EXACT === '0') return;
  // The exact interval of every hidden quantity of the final system, from scratch.
  const t0 = performance.now();
  const { model, suppressed } = final!;
  const engine = new AuditEngine(await loadHighs(), model.s, model.rules);
  const run = engine.run(suppressed, 'exact');
  const exactS = (performance.now() - t0) / 1000;
  let nHidden = 0;
  for (const x of suppressed) nHidden += x;
  console.log(
    `  exact global interval audit: ${nHidden.toLocaleString('en')} hidden quantities of ${model.s.n.toLocaleString('en')} in ${exactS.toFixed(1)} s, ${engine.lpSolves} LPs, ${run.failing.length === 0 ? 'every rule holds' : `${run.failing.length} FAILING`}  (target < 60 s)`,
  );
  console.log(`  peak RSS ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MiB`);
}

await main();
