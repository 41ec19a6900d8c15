// secondary.ts — chooses the complementary (secondary) suppressions.
//
// Algorithm by size:
//   - Small releases (milp.ts `milpFits`: cells ≤ 200 and sensitive × cells ≤ 1500): the optimal
//     MILP, within a deterministic node limit and a time budget that is only a safety net (default
//     20 s, `DEFAULT_MILP_BUDGET_MS`: a 2-s budget was reached on a loaded machine, and the same
//     release then came out of the heuristic instead — a result that depended on the load). If
//     it does not finish with a proven optimum, we fall back to the heuristic below.
//   - Otherwise, or as the fallback, a deterministic heuristic:
//       1. hypercube.ts — for every sensitive cell (ascending id), the cheapest valid hypercube
//          (generalised to margins, hierarchies and linked tables) with enough capacity; each
//          success records, for every corner, values the attacker cannot exclude ("reach");
//       2. audit in judge mode (interval-audit.ts: exact verdicts, per-component cache; a cell
//          whose reach already proves its rule needs no LP);
//       3. for every failing cell p (ascending id; a cell whose lines gained a suppression earlier
//          in the same round waits for the next audit), protection-lp.ts finds the cheapest
//          published cells whose suppression lets p rise far enough (LP on neighbourhoods of p of
//          growing size, first without published zeros — a hidden zero must reach k itself, so
//          recruiting zeros cascades — then with them; one more unit of rise per earlier failure,
//          since LP optima can be fractional while the rule is judged on rounded intervals);
//       4. back to 2 until the audit passes.
//   Guaranteed termination: if no perturbation exists in any neighbourhood, or from a cell's 5th
//   failure, the "incident ray": every cell covering one counted key under p (in every table) is
//   suppressed — one more incident there satisfies every constraint, so p and all those cells
//   become unbounded above (hi = ∞: the rule holds for each of them). From the 9th failure every
//   cell is suppressed (then any cell with a positive count can be 0 and is unbounded above, any
//   zero cell is unbounded): the rule holds everywhere. Every round adds at least one cell or
//   proves one, so the loop ends.
// The MILP result also goes through steps 2–4 (its model does not cover "no pinned secondary").
//
// In the global model (global/protect.ts) there is no single table structure: the hypercube
// pass, the MILP and the incident ray need one (`lt`) and are skipped; cells published by earlier
// releases are `locked` (never suppressed, never moved by a repair); the last resort suppresses
// every cell that is not locked. A hidden cell may then fail however much else is hidden (a
// hidden zero that published counts keep below k): once nothing more can be hidden, the failing
// cells that need not be hidden (not sensitive, not hidden throughout) are shown again for good
// and the loop goes on (each time at least one cell is shown for good, so it still ends; a cell
// failing with everything else hidden fails in every pattern hiding it, so nothing is lost). If a
// sensitive cell, or one hidden throughout, still fails, `UnprotectableError`. On one
// release's tables with locked cells (global/protect.ts's warm start), the hypercube pass avoids
// them as corners and the MILP is skipped.
//
// Guarantees: the returned pattern passes the judge-mode audit (hence the exact audit); it
// contains every sensitive cell and no locked one; it is a deterministic function of the input.
import type { Highs } from 'highs';
import type { Costs } from './cost.js';
import { hypercubePass } from './hypercube.js';
import type { AuditEngine } from './interval-audit.js';
import { DEFAULT_MILP_LIMITS, milpFits, solveMilp, type MilpLimits } from './milp.js';
import { NEIGHBOURHOODS, protectionCells } from './protection-lp.js';
import type { Structure } from './structure.js';
import { coveringCells } from '../tables/linked-tables.js';
import { rise, type Rules } from './rules.js';
import type { CountRecord, Key, LinkedTables } from './types.js';

/** No suppression pattern protects every sensitive cell (only possible with locked cells). */
/** The MILP's time budget by default: a safety net; the node limit (milp.ts) decides in practice. */
export const DEFAULT_MILP_BUDGET_MS = 20_000;

export class UnprotectableError extends Error {
  constructor(readonly cells: number[]) {
    super(`no suppression pattern protects cells ${cells.slice(0, 5).join(', ')}${cells.length > 5 ? ', …' : ''}`);
  }
}

export interface PatternOptions {
  highs: Highs;
  /** One release's linked tables, when the structure is exactly theirs (hypercubes, MILP, ray). */
  lt?: LinkedTables;
  /** The counted microdata (used with `lt` to pick an incident for the guaranteed fallback). */
  counts?: readonly CountRecord[];
  s: Structure;
  engine: AuditEngine;
  rules: Rules;
  /** Cells that may never be suppressed (published by an earlier release). */
  locked?: Uint8Array;
  costs: Costs;
  timeBudgetMs: number;
  milpLimits?: MilpLimits;
  /** 'auto': MILP when small; 'heuristic': never the MILP. */
  method?: 'auto' | 'heuristic';
  /** Stop repairing after this many rounds (a warm start: the caller repairs what is left). */
  maxRounds?: number;
}

export interface PatternState {
  suppressed: Uint8Array;
  /** Failures seen per cell (escalation). */
  attempts: Map<number, number>;
  method: 'milp' | 'heuristic';
  rounds: number;
  /** Cells failing the last audit when `maxRounds` stopped the repair (else empty). */
  unrepaired: number[];
  /** Cells hidden throughout (`initialPattern`'s `hidden`): never shown again. */
  kept: Uint8Array;
  /** Secondaries the repair showed again for good: hidden, they failed whatever else was hidden. */
  shownForGood: Uint8Array;
}

/** Initial pattern: MILP when small, else the hypercube pass. */
export function initialPattern(o: PatternOptions, sensitive: Uint8Array, hidden?: Uint8Array): PatternState {
  const { s, costs } = o;
  // `hidden`: cells no release shows (the global model's hidden quantities), suppressed throughout.
  let suppressed: Uint8Array = Uint8Array.from(sensitive);
  if (hidden) for (let i = 0; i < s.n; i++) if (hidden[i]) suppressed[i] = 1;
  let method: 'milp' | 'heuristic' = 'heuristic';
  let nSens = 0;
  for (const x of sensitive) nSens += x;
  const limits = o.milpLimits ?? DEFAULT_MILP_LIMITS;
  // The MILP has no notion of locked cells: with any, the hypercube pass (which avoids them).
  const anyLocked = o.locked?.some((x) => x === 1) ?? false;
  const milpAllowed = o.method !== 'heuristic' && o.lt !== undefined && !anyLocked && milpFits(s.n, nSens, limits);
  if (nSens === 0 && milpAllowed)
    method = 'milp'; // nothing to hide: optimal
  else if (nSens > 0 && milpAllowed) {
    o.engine.lpSolves++;
    const r = solveMilp(o.highs, s, sensitive, costs.cost, o.rules, Math.max(0.05, o.timeBudgetMs / 1000), limits);
    if (r) {
      // The MILP knows nothing of hidden cells: they stay hidden (the repair below mends the rest).
      suppressed = r.suppressed;
      if (hidden) for (let i = 0; i < s.n; i++) if (hidden[i]) suppressed[i] = 1;
      method = 'milp';
    }
  }
  const state: PatternState = {
    suppressed,
    attempts: new Map(),
    method,
    rounds: 0,
    unrepaired: [],
    kept: hidden ? Uint8Array.from(hidden) : new Uint8Array(s.n),
    shownForGood: new Uint8Array(s.n),
  };
  if (method === 'heuristic') {
    extendPattern(o, sensitive, state);
  }
  return state;
}

/** Runs the hypercube pass for sensitive cells whose rule is not proven yet. */
export function extendPattern(o: PatternOptions, sensitive: Uint8Array, state: PatternState): void {
  const { s, costs } = o;
  for (let i = 0; i < s.n; i++) if (sensitive[i]) state.suppressed[i] = 1;
  if (!o.lt) return;
  const todo = new Uint8Array(s.n);
  for (let i = 0; i < s.n; i++) if (sensitive[i] && !o.engine.reachHolds(i)) todo[i] = 1;
  hypercubePass(
    o.lt,
    s,
    state.suppressed,
    todo,
    costs.cost,
    o.rules,
    {
      noteReach: (c, v) => o.engine.noteReach(c, v),
      proven: (c) => o.engine.reachHolds(c),
    },
    o.locked,
  );
}

/** For tests: `showAgain` false gives the loop as it was before failing secondaries were shown again (it refused instead). */
export const repairTuning = { showAgain: true };

/** Audit–repair loop until the judge-mode audit passes (see header). Mutates `state`. */
export function repairUntilProtected(o: PatternOptions, sensitive: Uint8Array, state: PatternState): void {
  const { s, engine, costs } = o;
  const sup = state.suppressed;
  for (let i = 0; i < s.n; i++) if (sensitive[i]) sup[i] = 1;
  const zeros = Uint8Array.from(s.values, (v) => (v === 0 ? 1 : 0));
  const tries = [...NEIGHBOURHOODS.map((nb) => ({ nb, avoid: zeros })), ...NEIGHBOURHOODS.map((nb) => ({ nb, avoid: undefined }))];
  for (;;) {
    const run = engine.run(sup, 'judge');
    if (run.failing.length === 0) return;
    if (state.rounds >= (o.maxRounds ?? Infinity)) {
      state.unrepaired = run.failing;
      return;
    }
    // Everything that may be hidden is: hiding more is no remedy for a hidden cell that fails
    // (a hidden zero that published counts keep below k).
    if (repairTuning.showAgain && !anyMoreToHide() && showAgainForGood(run.failing)) continue;
    state.rounds++;
    const touched = new Uint8Array(s.n);
    let addedThisRound = 0;
    for (const p of run.failing) {
      if (addedThisRound > 0 && linesTouched(s, p, touched)) continue;
      const att = state.attempts.get(p) ?? 0;
      state.attempts.set(p, att + 1);
      const added = repairCell(p, att);
      for (const c of added) touched[c] = 1;
      addedThisRound += added.length;
    }
    if (addedThisRound === 0 && run.failing.every((p) => (state.attempts.get(p) ?? 0) > 12)) {
      // (stuck only after the last resort found nothing more to hide: the step above already ran)
      if (o.locked) throw new UnprotectableError(run.failing);
      throw new Error('internal: suppression did not converge');
    }
  }

  function anyMoreToHide(): boolean {
    for (let c = 0; c < s.n; c++) if (!sup[c] && !o.locked?.[c] && !state.shownForGood[c]) return true;
    return false;
  }

  /**
   * Shows again, for good, the failing cells that need not be hidden (secondaries: not sensitive,
   * not hidden throughout); the repair goes on from the smaller pattern, whose audit starts from
   * the true table again (`forgetReach`). False when there are none. Each call shows at least one
   * cell for good, so the repair still ends.
   */
  function showAgainForGood(failing: readonly number[]): boolean {
    const optional = failing.filter((p) => !sensitive[p] && !state.kept[p]);
    if (optional.length === 0) return false;
    for (const c of optional) {
      sup[c] = 0;
      state.shownForGood[c] = 1;
      state.attempts.delete(c);
    }
    engine.forgetReach();
    return true;
  }

  function repairCell(p: number, attempt: number): number[] {
    const newly: number[] = [];
    const add = (c: number): void => {
      if (!sup[c] && !o.locked?.[c] && !state.shownForGood[c]) {
        sup[c] = 1;
        newly.push(c);
      }
    };
    // LP repair first (one more unit of rise per earlier failure); if no perturbation exists in
    // any neighbourhood, or from the 5th failure, the incident ray (guaranteed); from the 9th,
    // everything.
    if (attempt < 4) {
      const v = s.values[p]!;
      const lo = Math.max(s.lower[p]!, Math.ceil(engine.reachLo[p]! - 1e-6));
      const up = Math.max(rise(o.rules, p, v, lo), 1) + attempt;
      // First without recruiting published zeros: a hidden zero must itself be able to reach k,
      // so each one recruited asks for a repair of its own (with published margins, a cascade).
      for (const nb of tries) {
        const r = protectionCells(o.highs, s, p, sup, costs.cost, costs.W, up, nb.nb, o.locked, nb.avoid);
        engine.lpSolves++;
        if (r === null) continue;
        for (const c of r.cells) add(c);
        // A move by f stays reachable for good (adding suppressions only widens intervals).
        for (const m of r.moved) engine.noteReach(m.cell, s.values[m.cell]! + m.delta);
        // If nothing was added and p is still not proven, the next round asks for one more unit.
        return newly;
      }
      // No perturbation exists in any neighbourhood: go straight to the incident ray.
    }
    if (attempt < 8 && o.lt && o.counts) {
      const ray = incidentRay(o.lt, o.counts, p);
      if (ray) {
        for (const c of ray) add(c);
        if (newly.length > 0 || engine.reachHolds(p)) return newly;
      }
    }
    for (let c = 0; c < s.n; c++) add(c);
    return newly;
  }

  /**
   * The guaranteed repair: one more incident with a full key under p would raise p and every cell
   * covering that key, and nothing else, satisfying every constraint of every table. With all
   * those cells suppressed the attacker cannot bound p (or any of them) from above, so the rule
   * holds for all of them (hi = ∞). Picks, among the counted keys under p (first 64 in input
   * order), the one needing the fewest new suppressions.
   */
  function incidentRay(lt: LinkedTables, counts: readonly CountRecord[], p: number): number[] | null {
    const pKey = lt.cells[p]!.key;
    const indexOf = (d: string, code: string): number => lt.codes[d]!.indexOf(code);
    const under = (d: string, leafCode: string, code: string): boolean => {
      const target = indexOf(d, code);
      for (let x = indexOf(d, leafCode); x >= 0; x = lt.trees[d]!.parent[x]!) if (x === target) return true;
      return false;
    };
    let best: number[] | null = null;
    let bestNew = Infinity;
    let tried = 0;
    for (const r of counts) {
      if (tried >= 64) break;
      if (!Object.keys(pKey).every((d) => under(d, r.key[d]!, pKey[d]!))) continue;
      tried++;
      const cells = coveringCells(lt, r.key);
      const fresh = cells.filter((c) => !sup[c]).length;
      if (fresh < bestNew) {
        bestNew = fresh;
        best = cells;
      }
    }
    if (!best) {
      // No counted incident under p (a zero cell): any leaf combination under p will do.
      const key: Key = {};
      for (const d of lt.dims) {
        let x = pKey[d] === undefined ? 0 : indexOf(d, pKey[d]!);
        while (lt.trees[d]!.children[x]!.length > 0) x = lt.trees[d]!.children[x]![0]!;
        key[d] = lt.codes[d]![x]!;
      }
      best = coveringCells(lt, key);
    }
    if (o.locked && best.some((c) => o.locked![c])) return null; // the ray would move a locked cell
    for (const c of best) engine.noteReach(c, Infinity);
    return best;
  }
}

function linesTouched(s: Structure, p: number, touched: Uint8Array): boolean {
  for (let e = s.incStart[p]!; e < s.incStart[p + 1]!; e++) {
    const j = s.incCons[e]!;
    for (let q = s.conStart[j]!; q < s.conStart[j + 1]!; q++) if (touched[s.conCells[q]!]) return true;
  }
  return false;
}
