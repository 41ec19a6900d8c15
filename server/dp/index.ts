// index.ts — differential-privacy release of linked tables: the entry point `dpRelease`.
//
// Pipeline (pure apart from consuming the random source; HiGHS for the post-processing):
//   1. linked-tables (server/tables)  counts → distinct cells + additive constraints
//   2. budget.ts        m = distinct cells per incident (exact); σ² = m/(2ρ) or scale = m/ε
//   3. discrete-*.ts    one exact discrete Gaussian / Laplace draw per DISTINCT cell (a margin
//                       shared by several tables is measured once), in cell-id order
//   4. post-process.ts  non-negative integer counts satisfying every constraint, close (L1) to the
//                       noisy measurements (LP; MILP when small; else table-by-table rounding of
//                       the LP optimum; microdata repair as the always-consistent last resort)
//
// Guarantees:
// - Privacy (event level: neighbours differ by one incident): ρ-zCDP with `rho`, ε-DP with
//   `epsilon`, for every cell of every table together; post-processing is free. With `keepTotal`
//   the grand total is published exactly, as an invariant OUTSIDE the guarantee (recorded in
//   `params.invariants`), like the 2020 US Census TopDown invariants.
// - Output: `cells` in the order and key format of `protectRelease` (table order, then each table's
//   key order, "*" for margins); every count is a non-negative integer; every margin equals the
//   sum of its children and a quantity shared by several tables has the same count in each.
// - Deterministic given the random source (and the HiGHS time limit not being hit). The default
//   source is the cryptographic one; `stats.randomSource` records which kind was used so the
//   caller can refuse a seeded source in production.
// - Rejects bad input (throws): both or neither of rho/epsilon, non-positive budget, anything
//   `buildLinkedTables` rejects.
import { loadHighs } from '../tables/highs.js';
import { buildLinkedTables, keyInTable } from '../tables/linked-tables.js';
import type { Key, LinkedTablesInput } from '../tables/types.js';
import { budgetFor, type Budget } from './budget.js';
import { discreteGaussianHalfWidth, discreteGaussianRaw } from './discrete-gaussian.js';
import { discreteLaplaceHalfWidth, discreteLaplaceRaw } from './discrete-laplace.js';
import { postProcess, type PostProcessMethod } from './post-process.js';
import { defaultRandomSource, type RandomSource } from './random.js';
import { formatDecimal, toNumber, type RationalInput } from './rational.js';

export {
  budgetFor,
  sensitivityCells,
  spend,
  type Budget,
  type BudgetRequest,
  type BudgetUnit,
  type Ledger,
  type LinkedStructure,
  type SpendResult,
} from './budget.js';
export { discreteGaussian, discreteGaussianHalfWidth, discreteGaussianPmf, discreteGaussianVariance } from './discrete-gaussian.js';
export { bernoulliExp, discreteLaplace, discreteLaplaceHalfWidth, discreteLaplacePmf, discreteLaplaceVariance, geometricExp } from './discrete-laplace.js';
export { roundByTables } from './table-rounding.js';
export { checkConsistent, postProcess, totalCellOf, type PostProcessMethod, type PostProcessOptions, type PostProcessResult } from './post-process.js';
export { largestRemainder, splitRepair } from './split.js';
export {
  bernoulli,
  chacha20Block,
  cryptoRandomSource,
  defaultRandomSource,
  seededRandomSource,
  uniformBelow,
  uniformBelowSmall,
  type RandomSource,
  type Seed,
} from './random.js';
export { formatDecimal, toRational, type Rational, type RationalInput } from './rational.js';

export interface DpReleaseInput extends LinkedTablesInput {
  /** zCDP budget of this release (discrete Gaussian). Exactly one of rho / epsilon. */
  rho?: RationalInput;
  /** Pure-DP budget of this release (discrete Laplace). */
  epsilon?: RationalInput;
  /** Publish the grand total exactly (an invariant outside the DP guarantee). Default false. */
  keepTotal?: boolean;
  /** Source of randomness; default the cryptographic source. */
  random?: RandomSource;
  /** Time limit of the MILP stage of the post-processing (small problems only), seconds (default 10). */
  timeLimitS?: number;
}

export interface DpReleaseCell {
  table: number;
  /** Key over the table's dimensions, "*" for margins (as protectRelease). */
  key: Key;
  count: number;
}

export interface DpReleaseParams {
  rho?: number;
  epsilon?: number;
  sigma2?: number;
  scale?: number;
  /** Distinct cells per incident: L1 sensitivity m, L2 sensitivity √m. */
  m: number;
  keepTotal: boolean;
  /** Quantities published exactly, outside the DP guarantee. */
  invariants: Array<'total'>;
  /** The exact rational parameters used by the samplers ("1/2", "0.5", "40"). */
  exact: { rho?: string; epsilon?: string; sigma2?: string; scale?: string };
}

export interface DpRelease {
  cells: DpReleaseCell[];
  mechanism: 'discrete-gaussian' | 'discrete-laplace';
  params: DpReleaseParams;
  /** Half-width h of the 90% interval of the noise on each cell: P(|noise| ≤ h) ≥ 0.9. */
  errorMargin90: number;
  stats: {
    /** Distinct cells (each measured once). */
    cells: number;
    /** Published rows (cells counted once per table). */
    tableRows: number;
    constraints: number;
    randomSource: RandomSource['kind'];
    postProcess: PostProcessMethod;
    /** Cells fractional in the LP optimum (0: the LP gave the integer answer). */
    fractional: number;
    /** Σ |published − noisy| over distinct cells, and the LP lower bound on it. */
    l1ToNoisy: number;
    lpObjective: number;
    solves: number;
    trace: string[];
    /** Building the linked tables, drawing the noise, post-processing, in all (milliseconds). */
    buildMs: number;
    sampleMs: number;
    postProcessMs: number;
    ms: number;
  };
}

function sampleNoise(budget: Budget, random: RandomSource, n: number): Float64Array {
  const noise = new Float64Array(n);
  if (budget.mechanism === 'discrete-gaussian') {
    const { num, den } = budget.sigma2;
    for (let i = 0; i < n; i++) noise[i] = Number(discreteGaussianRaw(random, num, den));
  } else {
    const { num, den } = budget.scale;
    for (let i = 0; i < n; i++) noise[i] = Number(discreteLaplaceRaw(random, num, den));
  }
  return noise;
}

export async function dpRelease(input: DpReleaseInput): Promise<DpRelease> {
  const t0 = performance.now();
  const hasRho = input.rho !== undefined;
  const hasEps = input.epsilon !== undefined;
  if (hasRho === hasEps) throw new Error('give exactly one of rho (zCDP) or epsilon (pure DP)');
  const lt = buildLinkedTables(input);
  const tBuilt = performance.now();
  const budget = budgetFor(lt, hasRho ? { rho: input.rho! } : { epsilon: input.epsilon! });
  const random = input.random ?? defaultRandomSource();
  const keepTotal = input.keepTotal === true;

  const n = lt.cells.length;
  const noise = sampleNoise(budget, random, n);
  const noisy = new Float64Array(n);
  for (let i = 0; i < n; i++) noisy[i] = lt.cells[i]!.value + noise[i]!;
  noise.fill(0);
  const t1 = performance.now();

  const highs = await loadHighs();
  const pp = await postProcess(highs, lt, noisy, { keepTotal, ...(input.timeLimitS !== undefined ? { timeLimitS: input.timeLimitS } : {}) });
  const t2 = performance.now();

  const cells: DpReleaseCell[] = [];
  lt.tableCells.forEach((ids, t) => {
    const dims = lt.tables[t]!;
    for (const id of ids) cells.push({ table: t, key: keyInTable(lt.cells[id]!, dims), count: pp.counts[id]! });
  });

  let params: DpReleaseParams;
  let errorMargin90: number;
  if (budget.mechanism === 'discrete-gaussian') {
    params = {
      rho: budget.values.rho,
      sigma2: budget.values.sigma2,
      m: budget.m,
      keepTotal,
      invariants: keepTotal ? ['total'] : [],
      exact: { rho: formatDecimal(budget.rho), sigma2: formatDecimal(budget.sigma2) },
    };
    errorMargin90 = discreteGaussianHalfWidth(toNumber(budget.sigma2), 0.9);
  } else {
    params = {
      epsilon: budget.values.epsilon,
      scale: budget.values.scale,
      m: budget.m,
      keepTotal,
      invariants: keepTotal ? ['total'] : [],
      exact: { epsilon: formatDecimal(budget.epsilon), scale: formatDecimal(budget.scale) },
    };
    errorMargin90 = discreteLaplaceHalfWidth(toNumber(budget.scale), 0.9);
  }
  return {
    cells,
    mechanism: budget.mechanism,
    params,
    errorMargin90,
    stats: {
      cells: n,
      tableRows: cells.length,
      constraints: lt.constraints.length,
      randomSource: random.kind,
      postProcess: pp.method,
      fractional: pp.fractional,
      l1ToNoisy: pp.l1,
      lpObjective: pp.lpObjective,
      solves: pp.solves,
      trace: pp.trace,
      buildMs: Math.round(tBuilt - t0),
      sampleMs: Math.round(t1 - tBuilt),
      postProcessMs: Math.round(t2 - t1),
      ms: Math.round(performance.now() - t0),
    },
  };
}
