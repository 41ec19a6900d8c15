// secondary.ts's audit–repair loop started from the primaries alone (nothing else hidden), on one
// release's linked tables, for the tests of the repairs themselves (repair-loop, incident ray).
// `firstRepair` sets every primary's failure count, to make a later repair (the ray at 4) the first tried.
import type { Highs } from 'highs';
import { cellCosts } from '../../server/disclosure/cost.js';
import { AuditEngine, buildLinkedTables, thresholdRules } from '../../server/disclosure/index.js';
import { isPrimary } from '../../server/disclosure/primary.js';
import { type PatternOptions, type PatternState, repairUntilProtected } from '../../server/disclosure/secondary.js';
import { structureOf } from '../../server/disclosure/structure.js';
import type { SmallRelease } from '../disclosure/helpers.js';

export function repairFromPrimaries(highs: Highs, rel: SmallRelease, firstRepair?: number) {
  const lt = buildLinkedTables(rel);
  const s = structureOf(lt.cells, lt.constraints);
  const sensitive = Uint8Array.from(s.values, (v) => (isPrimary(v, rel.k) ? 1 : 0));
  const rules = thresholdRules(s.n, sensitive, rel.k, rel.k);
  const engine = new AuditEngine(highs, s, rules);
  const o: PatternOptions = { highs, lt, counts: rel.counts, s, engine, rules, costs: cellCosts(s.values), timeBudgetMs: 2000 };
  const attempts = new Map<number, number>();
  if (firstRepair !== undefined) sensitive.forEach((x, i) => x && attempts.set(i, firstRepair));
  const state: PatternState = {
    suppressed: new Uint8Array(s.n),
    attempts,
    method: 'heuristic',
    rounds: 0,
    unrepaired: [],
    kept: new Uint8Array(s.n),
    shownForGood: new Uint8Array(s.n),
  };
  repairUntilProtected(o, sensitive, state);
  return { lt, s, sensitive, engine, state };
}
