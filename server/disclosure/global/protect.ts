// protect.ts — protects a new publication against the whole publication log (global model).
//
// Steps:
//   1. model.ts builds the attacker's system over every earlier log entry and the new one, with
//      each cell's rule from the true counts (small counts, holdings, changes);
//   2. quantities the earlier entries already determine (published, derivable from published
//      counts alone, or parts of a sum fixed at 0) are fixed: the new publication shows them as
//      published (a consistent table costs nothing), and no rule can ask more of them;
//   3. secondary.ts chooses which of the new publication's remaining cells to hide: the single-
//      release methods (MILP, hypercubes) on its own tables, with the fixed cells locked (never a
//      hypercube corner) and the cells earlier entries hid starting hidden, as a warm start (one
//      repair round, `protectTuning.warmStartRounds`; secondaries it could not mend are dropped) —
//      a revision after additions also starts hidden what the log showed hidden (headline figures
//      aside) and starts shown what published counts fix at the earlier version; then protection
//      LPs on the whole system, never touching an earlier entry's cells, until the judge-mode
//      audit of the WHOLE system passes;
//   4. the final audit (judge mode, every verdict proven; or exact intervals).
// A first publication whose system is its own linked tables — directly, or once its year-less
// tables' per-year splits are listed as never-shown tables (`withYearSplits`) — skips 2–3: the
// single-release methods run on the whole system (`protectSingle`).
//
// Guarantees: every rule of every cell of the whole system holds for the returned pattern (small
// counts and holdings of every version, changes between versions, every earlier entry's hidden
// cells keep hi ≥ k, no new hidden cell pinned); the new publication's published counts are true
// counts of its data versions and none is in 1..k−1; cells an earlier entry published at the same
// versions are published again; deterministic. `UnprotectableError` when even hiding every cell
// of the new publication leaves a rule broken (the earlier log already breaks it).
import { AuditEngine } from '../interval-audit.js';
import { helperCount } from '../lp-parallel.js';
import { cellCosts } from '../cost.js';
import { rawComponents } from '../components.js';
import { keyInTable } from '../../tables/linked-tables.js';
import { loadHighs } from '../../tables/highs.js';
import { reduceComponent } from '../reduce.js';
import { emptyRules } from '../rules.js';
import { structureOf } from '../structure.js';
import { DEFAULT_MILP_BUDGET_MS, initialPattern, repairUntilProtected, UnprotectableError, type PatternOptions } from '../secondary.js';
import type { AuditResult, Key } from '../types.js';
import { buildGlobalModel, shownCells, type GlobalInput, type GlobalModel } from './model.js';
import { prepareCarry, previousVersions, rememberCarried } from './carry.js';

export interface GlobalProtectInput extends GlobalInput {
  timeBudgetMs?: number;
  method?: 'auto' | 'heuristic';
  finalAudit?: 'exact' | 'verdicts';
}

export interface GlobalCell {
  table: number;
  key: Key;
  count: number | null;
  suppressed: boolean;
  reason?: 'primary' | 'secondary' | 'known';
}

export interface GlobalProtected {
  cells: GlobalCell[];
  model: GlobalModel;
  /** Global suppression pattern (hidden quantities included). */
  suppressed: Uint8Array;
  audit: AuditResult;
  stats: {
    cells: number;
    modelCells: number;
    modelConstraints: number;
    sensitive: number;
    suppressed: number;
    /** New cells shown as published because earlier entries already determine them. */
    known: number;
    method: 'milp' | 'heuristic';
    lpSolves: number;
    rounds: number;
    ms: number;
    /** Quantities whose reach an earlier protection's audit gave (carry.ts); 0 on a first publication or without a sound carry. */
    carried: number;
  };
}

/** For benchmarks and tests: `yearSplitsAsTables` false takes the general path for every publication (`withYearSplits`). */
export const protectTuning = {
  yearSplitsAsTables: true,
  /** Carry an earlier protection's reach where it provably holds (carry.ts; false: start from the true table, as before). */
  carryReach: true,
  /** A revision after additions starts hidden what the log showed hidden (false: the warm start alone decides, as before). */
  keepRevisionPattern: true,
  /**
   * Repair rounds of the warm start on the new publication's own tables (the whole-system repair
   * does the rest). A second round mostly found nothing to add where the first could not mend
   * (cells the published cells pin), at the cost of an LP per cell and neighbourhood.
   */
  warmStartRounds: 1,
};

export async function protectInLog(input: GlobalProtectInput): Promise<GlobalProtected> {
  const t0 = performance.now();
  helperCount(); // starts the LP helper threads now: they load HiGHS while the model is built
  const highs = await loadHighs();
  const split = protectTuning.yearSplitsAsTables ? withYearSplits(input) : null;
  if (split) {
    const model = buildGlobalModel(split.input, { hiddenTables: split.hidden });
    if (model.single) return protectSingle(split.input, model, highs, t0);
  }
  const model = buildGlobalModel(input);
  const { s, rules } = model;
  const n = s.n;
  const isNew = new Uint8Array(n);
  for (const g of model.ltToGlobal) isNew[g] = 1;

  if (model.single) return protectSingle(input, model, highs, t0);

  // Fixed: published earlier, or determined by published counts alone.
  const locked = Uint8Array.from(model.published);
  let known = 0;
  if (!model.single) {
    const allHidden = new Uint8Array(n);
    for (let i = 0; i < n; i++) allHidden[i] = locked[i] ? 0 : 1;
    for (const comp of rawComponents(s, allHidden)) {
      const red = reduceComponent(s, allHidden, comp.cells, comp.cons);
      red.vars.forEach((cell, v) => {
        const x = red.pinned[v]!;
        if (Number.isNaN(x)) return;
        if (Math.abs(x - s.values[cell]!) > 1e-6) throw new Error('internal: a determined quantity differs from its true value');
        locked[cell] = 1;
        if (isNew[cell]) known++;
        if (model.sensitive[cell]) throw new UnprotectableError([cell]);
      });
    }
  }
  // Also fixed: the parts of a sum whose total is a fixed 0 (counts are non-negative, so each
  // part is 0), transitively.
  for (const cell of forcedZeros(s, locked)) {
    if (s.values[cell] !== 0) throw new Error('internal: a quantity forced to 0 is not 0');
    locked[cell] = 1;
    if (isNew[cell]) known++;
    if (model.sensitive[cell]) throw new UnprotectableError([cell]);
  }
  const sensitive = new Uint8Array(n);
  const hidden = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    if (locked[i]) continue;
    if (model.sensitive[i]) sensitive[i] = 1;
    if (!isNew[i]) hidden[i] = 1;
  }

  // Costs: information lost; cells an earlier entry showed hidden are cheaper to keep hidden.
  const prev = Uint8Array.from(model.shownSuppressed);
  // Cheaper too (not hidden from the start): a new data version's quantities (not zeros) whose
  // earlier version an entry showed hidden — a revision keeps its pattern where that costs little,
  // so that an earlier audit's reach carries (carry.ts). What decides is what the log showed
  // hidden and whether the new count is 0, not the values of the cells hidden.
  const cheaper = Uint8Array.from(prev);
  const earlierOf = previousVersions(model);
  for (let i = 0; i < n; i++) {
    const j = earlierOf[i]!;
    if (isNew[i] && j >= 0 && model.shownSuppressed[j] && s.values[i] !== 0) cheaper[i] = 1;
  }
  const costs = cellCosts(
    s.values.map((v) => Math.abs(v)),
    cheaper,
    0.5,
  );
  const engine = new AuditEngine(highs, s, rules);
  // What an earlier protection's audit proved reachable, where it provably still is (carry.ts):
  // noted again whenever the engine starts over from the true table.
  const carry = protectTuning.carryReach ? prepareCarry(model) : null;
  const opts: PatternOptions = {
    highs,
    s,
    engine,
    rules,
    costs,
    locked,
    timeBudgetMs: input.timeBudgetMs ?? DEFAULT_MILP_BUDGET_MS,
    method: input.method ?? 'auto',
  };
  // Warm start: the new publication protected on its own tables (hypercubes, MILP: fast and
  // usually almost right), with the cells the log fixes locked (never corners) and the cells an
  // earlier entry hid starting hidden; its hidden cells that are not fixed start hidden, and the
  // repair below fixes what the rest of the log asks for.
  const own = protectOwnTables(input, model, highs, locked, prev, cheaper);
  const warm = new Uint8Array(n);
  const unrepaired = new Set(own.state.unrepaired);
  model.lt.cells.forEach((_, i) => {
    if (unrepaired.has(i) && !own.sensitive[i]) return; // a secondary the warm start could not mend
    const g = model.ltToGlobal[i]!;
    // (a new version's quantity whose earlier version published counts determine, with only
    // additions since, starts shown: a secondary there is usually pinned in the whole system —
    // its change is at least 0 and its margins' changes small — which takes an LP over all of it
    // to prove; the repair hides what is still needed)
    const j = earlierOf[g]!;
    const earlierFixed = j >= 0 && locked[j] === 1 && additionsOnly(model.meta[j]!.at, model.meta[g]!.at, input.since);
    if (own.suppressed[i] && !locked[g] && !sensitive[g] && !hidden[g] && !earlierFixed) warm[g] = 1;
  });
  // A revision keeps hidden what the log showed hidden (the same quantity, or its earlier version
  // when only additions came since), headline figures aside (hold-back.ts): where the own tables'
  // warm start shows such a cell, it starts hidden too, as a warm cell the drop loop below may
  // show again. So the pattern stays consistent across versions and an earlier audit's reach
  // stays sound (carry.ts: a cell shown whose earlier version was free drops the reach of its
  // whole component). What decides is public: what the log showed hidden or fixed, and how each
  // version differs from the one before. (After withdrawals — a version of "changes" — a count
  // may have fallen to 0, which is worth showing: there the warm start decides, as before.)
  for (let i = 0; i < n && protectTuning.keepRevisionPattern; i++) {
    if (!isNew[i] || locked[i] || sensitive[i] || hidden[i] || warm[i] || isHeadline(model.meta[i]!)) continue;
    const j = earlierOf[i]!;
    // (not where the earlier version is fixed by published counts: then no reach of it carries)
    if (prev[i] || (j >= 0 && prev[j] && !locked[j] && additionsOnly(model.meta[j]!.at, model.meta[i]!.at, input.since))) warm[i] = 1;
  }
  const state = initialPattern(opts, sensitive, hidden);
  for (let i = 0; i < n; i++) if (warm[i]) state.suppressed[i] = 1;
  // A secondary chosen on the new tables alone may fail in the whole system in a way more hiding
  // cannot mend (a hidden zero that earlier published counts keep below k): show those again.
  // First those that bound propagation alone shows failing (no LP, and no reach found yet, so
  // nothing to forget); then those the judge-mode audit of these cells alone (`failingAmong`: no
  // LP spent on any other cell) shows failing. The pattern shrinks there, so the engine forgets
  // the reach it found on the larger one (a witness may move a cell now shown): every later
  // verdict rests on tables of the patterns it judges. An earlier protection's reach is noted
  // (again) for each pattern it is checked sound for (carry.ts): the repair only grows it.
  for (let round = 0; round < 8; round++) {
    const drop = engine.certainFailures(state.suppressed).filter((c) => warm[c]);
    if (drop.length === 0) break;
    for (const c of drop) state.suppressed[c] = warm[c] = 0;
  }
  let carried = carry?.seed(engine, state.suppressed, locked) ?? 0;
  for (let round = 0; round < 8; round++) {
    const drop = engine.failingAmong(state.suppressed, warm);
    if (drop.length === 0) break;
    for (const c of drop) state.suppressed[c] = warm[c] = 0;
    engine.forgetReach();
    carried = carry?.seed(engine, state.suppressed, locked) ?? 0;
  }
  repairUntilProtected(opts, sensitive, state);
  const exact = (input.finalAudit ?? 'verdicts') === 'exact';
  const before = engine.lpSolves;
  const final = engine.run(state.suppressed, exact ? 'exact' : 'judge');
  const audit = engine.result(final, state.suppressed, sensitive, exact);
  audit.lpSolves = engine.lpSolves - before;
  if (!audit.ok) throw new Error('internal: the final audit failed after repair');
  const free = new Uint8Array(n);
  for (let i = 0; i < n; i++) free[i] = state.suppressed[i] && !locked[i] ? 1 : 0;
  rememberCarried(model, free, engine.reachLo, engine.reachHi);

  const sup = state.suppressed;
  const cells: GlobalCell[] = [];
  model.lt.tableCells.forEach((ids, t) => {
    const dims = model.lt.tables[t]!;
    for (const id of ids) {
      const g = model.ltToGlobal[id]!;
      const cell = model.lt.cells[id]!;
      const hide = sup[g] === 1;
      cells.push({
        table: t,
        key: keyInTable(cell, dims),
        count: hide ? null : cell.value,
        suppressed: hide,
        ...(hide ? { reason: sensitive[g] ? ('primary' as const) : ('secondary' as const) } : locked[g] ? { reason: 'known' as const } : {}),
      });
    }
  });
  let nSup = 0;
  let nSens = 0;
  for (let i = 0; i < n; i++) {
    nSup += sup[i]!;
    nSens += sensitive[i]!;
  }
  return {
    cells,
    model,
    suppressed: sup,
    audit,
    stats: {
      cells: model.lt.cells.length,
      modelCells: n,
      modelConstraints: s.m,
      sensitive: nSens,
      suppressed: nSup,
      known,
      method: state.method,
      lpSolves: engine.lpSolves,
      rounds: state.rounds,
      ms: Math.round(performance.now() - t0),
      carried,
    },
  };
}

/**
 * A first publication with a year-less table over several years: the attacker's system also holds
 * that table split by year (each year's share of each of its cells, which no table shows). Listed
 * as tables never shown (the year-less table with the year in front), those quantities become
 * cells of the publication's own linked tables, and the whole system is then those tables: the
 * single-release methods (hypercubes, MILP, incident ray) work on all of it and the audit keeps
 * every witness they find, instead of starting the whole system's audit from the true table alone.
 * The model built is the same system (the same quantities, relations and rules: the closure of the
 * shown cells already holds every year's share); `protectInLog` checks it is single and otherwise
 * takes the general path. Null when there is nothing to split.
 */
function withYearSplits(input: GlobalProtectInput): { input: GlobalProtectInput; hidden: number } | null {
  if (input.views.length !== 1) return null;
  const view = input.views[0]!;
  if (view.years.length < 2 || !view.tables.some((t) => t.includes('year'))) return null;
  const seen = new Set(view.tables.map((t) => [...t].sort().join(',')));
  const extra: string[][] = [];
  for (const t of view.tables) {
    if (t.includes('year')) continue;
    const split = ['year', ...t];
    const id = [...split].sort().join(',');
    if (seen.has(id)) continue;
    seen.add(id);
    extra.push(split);
  }
  if (extra.length === 0) return null;
  return { input: { ...input, views: [{ ...view, tables: [...view.tables, ...extra] }] }, hidden: extra.length };
}

/**
 * No earlier entry and no relation beyond the new publication's own tables (shown or never shown):
 * the engine runs on its linked tables (hypercubes, MILP, incident ray), each cell with its rule
 * from the global model; cells of never-shown tables stay hidden and are not returned.
 */
async function protectSingle(
  input: GlobalProtectInput,
  model: GlobalModel,
  highs: Awaited<ReturnType<typeof loadHighs>>,
  t0: number,
): Promise<GlobalProtected> {
  const { lt, ltToGlobal } = model;
  const { s, engine, state, sensitive } = protectOwnTables(input, model, highs);
  const n = s.n;
  const exact = (input.finalAudit ?? 'verdicts') === 'exact';
  const before = engine.lpSolves;
  const final = engine.run(state.suppressed, exact ? 'exact' : 'judge');
  const audit = engine.result(final, state.suppressed, sensitive, exact);
  audit.lpSolves = engine.lpSolves - before;
  if (!audit.ok) throw new Error('internal: the final audit failed after repair');
  const sup = state.suppressed;
  const cells: GlobalCell[] = [];
  const shownTables = lt.tables.length - model.hiddenTables;
  lt.tableCells.forEach((ids, t) => {
    if (t >= shownTables) return;
    for (const id of ids) {
      const hide = sup[id] === 1;
      cells.push({
        table: t,
        key: keyInTable(lt.cells[id]!, lt.tables[t]!),
        count: hide ? null : lt.cells[id]!.value,
        suppressed: hide,
        ...(hide ? { reason: sensitive[id] ? ('primary' as const) : ('secondary' as const) } : {}),
      });
    }
  });
  const gsup = new Uint8Array(model.s.n);
  for (let i = 0; i < n; i++) if (sup[i]) gsup[ltToGlobal[i]!] = 1;
  // (a quantity of the model outside the linked tables, if any, is free with no reach known)
  const free = new Uint8Array(model.s.n).fill(1);
  const reachLo = new Float64Array(model.s.n).fill(Infinity);
  const reachHi = new Float64Array(model.s.n).fill(-Infinity);
  for (let i = 0; i < n; i++) {
    free[ltToGlobal[i]!] = sup[i]!;
    reachLo[ltToGlobal[i]!] = engine.reachLo[i]!;
    reachHi[ltToGlobal[i]!] = engine.reachHi[i]!;
  }
  rememberCarried(model, free, reachLo, reachHi);
  let nSup = 0;
  let nSens = 0;
  for (let i = 0; i < model.s.n; i++) {
    nSup += gsup[i]!;
    nSens += model.sensitive[i]!;
  }
  return {
    cells,
    model,
    suppressed: gsup,
    audit,
    stats: {
      cells: shownCells(lt, shownTables).reduce((a, b) => a + b, 0),
      modelCells: model.s.n,
      modelConstraints: model.s.m,
      sensitive: nSens,
      suppressed: nSup,
      known: 0,
      method: state.method,
      lpSolves: engine.lpSolves,
      rounds: state.rounds,
      ms: Math.round(performance.now() - t0),
      carried: 0,
    },
  };
}

/**
 * The new publication protected on its own linked tables alone, each cell with its rule from the
 * global model (holdings included): the whole answer when nothing else was ever published, and
 * the starting pattern otherwise.
 */
function protectOwnTables(
  input: GlobalProtectInput,
  model: GlobalModel,
  highs: Awaited<ReturnType<typeof loadHighs>>,
  globalLocked?: Uint8Array,
  shownHidden?: Uint8Array,
  /** Cells cheaper to hide (global ids): the whole system's cost rule, for the warm start. */
  cheaper?: Uint8Array,
) {
  const { lt, ltToGlobal } = model;
  const s = structureOf(lt.cells, lt.constraints);
  const n = s.n;
  const rules = emptyRules(n);
  const sensitive = new Uint8Array(n);
  const locked = new Uint8Array(n);
  const hidden = new Uint8Array(n);
  const shown = shownCells(lt, lt.tables.length - model.hiddenTables);
  let anyLocked = false;
  for (let i = 0; i < n; i++) {
    const g = ltToGlobal[i]!;
    if (!shown[i]) hidden[i] = 1; // a never-shown table's cell: hidden throughout
    rules.need[i] = model.rules.need[g]!;
    rules.lowAlt[i] = model.rules.lowAlt[g]!;
    rules.width[i] = model.rules.width[g]!;
    rules.pin[i] = model.rules.pin[g]!;
    const fixed = globalLocked ? globalLocked[g]! : model.published[g]!;
    sensitive[i] = model.sensitive[g]! && !fixed ? 1 : 0;
    if (globalLocked && fixed) {
      locked[i] = 1;
      anyLocked = true;
    } else if (shownHidden?.[g]) hidden[i] = 1;
  }
  const view = input.views[input.views.length - 1]!;
  const counts = view.years.flatMap((y) => input.records(y, view.versions[String(y)]!).map((r) => ({ key: { ...r.key, year: String(y) }, count: r.count })));
  const engine = new AuditEngine(highs, s, rules);
  const opts: PatternOptions = {
    highs,
    lt,
    counts,
    s,
    engine,
    rules,
    costs: cheaper
      ? cellCosts(
          s.values,
          Uint8Array.from(ltToGlobal, (g) => cheaper[g]!),
          0.5,
        )
      : cellCosts(s.values),
    timeBudgetMs: input.timeBudgetMs ?? DEFAULT_MILP_BUDGET_MS,
    method: input.method ?? 'auto',
    // With locked cells this is a warm start: `warmStartRounds` rounds, the whole-system repair does the rest.
    ...(anyLocked ? { locked, maxRounds: protectTuning.warmStartRounds } : {}),
  };
  const state = initialPattern(opts, sensitive, hidden);
  try {
    repairUntilProtected(opts, sensitive, state);
  } catch (e) {
    // With locked cells the own tables alone may admit no pattern: the warm start is then what
    // was found so far, and the whole-system repair decides.
    if (!(anyLocked && e instanceof UnprotectableError)) throw e;
  }
  return { s, engine, state, sensitive, suppressed: state.suppressed };
}

/** Whether every version between `from` and `to` ("y@v" or "y@v+y@v…", the same years) came by additions only. */
function additionsOnly(from: string, to: string, since: GlobalInput['since']): boolean {
  const before = new Map(from.split('+').map((p) => p.split('@').map(Number) as [number, number]));
  for (const part of to.split('+')) {
    const [y, v] = part.split('@').map(Number) as [number, number];
    for (let w = (before.get(y) ?? v) + 1; w <= v; w++) if (since(y, w) !== 'additions') return false;
  }
  return true;
}

/** A year's total or a year's total per incident type, or the total over the years (hold-back.ts `isHeadline`, for the model's quantities). */
function isHeadline(m: GlobalModel['meta'][number]): boolean {
  const dims = Object.keys(m.coords).filter((d) => m.coords[d] !== '*');
  if (m.kind === 'count') return dims.every((d) => d === 'incidentType');
  return m.kind === 'yearset' && dims.length === 0;
}

/** Cells not yet fixed that a fixed total of 0 over non-negative parts forces to 0 (transitively). */
function forcedZeros(s: ReturnType<typeof structureOf>, fixed: Uint8Array): number[] {
  const out: number[] = [];
  const zero = new Uint8Array(s.n);
  const queue: number[] = [];
  for (let i = 0; i < s.n; i++)
    if (fixed[i] && s.values[i] === 0) {
      zero[i] = 1;
      queue.push(i);
    }
  while (queue.length > 0) {
    const t = queue.pop()!;
    for (let e = s.incStart[t]!; e < s.incStart[t + 1]!; e++) {
      const j = s.incCons[e]!;
      const a = s.conStart[j]!;
      const b = s.conStart[j + 1]!;
      if (s.conCells[a] !== t) continue; // t is a part here, not the total
      let allNonNegative = true;
      for (let q = a + 1; q < b; q++) if (s.lower[s.conCells[q]!]! < 0) allNonNegative = false;
      if (!allNonNegative) continue;
      for (let q = a + 1; q < b; q++) {
        const c = s.conCells[q]!;
        if (zero[c]) continue;
        zero[c] = 1;
        queue.push(c);
        if (!fixed[c]) out.push(c);
      }
    }
  }
  return out;
}
