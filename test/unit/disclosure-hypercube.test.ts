// The hypercube pass (server/disclosure/hypercube.ts) on its own: what it hands the audit is
// trusted — every value it notes as reachable (`noteReach`) lets the judge audit skip a cell's LP
// once that reach proves the cell's rule. So, on random small linked releases, with some cells
// locked (never corners), the pass runs from the primaries alone and, against the independent
// full LP (helpers.ts) over the pattern it returns: every noted value lies inside the attacker's
// range, every cell whose noted reach proves its rule satisfies that rule, no locked cell is
// suppressed, and every primary stays suppressed.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { cellCosts } from '../../server/disclosure/cost.js';
import { hypercubePass } from '../../server/disclosure/hypercube.js';
import { isPrimary } from '../../server/disclosure/primary.js';
import { holds, thresholdRules } from '../../server/disclosure/rules.js';
import { structureOf } from '../../server/disclosure/structure.js';
import { buildLinkedTables } from '../../server/tables/linked-tables.js';
import { referenceInterval, smallRelease } from '../disclosure/helpers.js';

describe('hypercubePass', () => {
  it('notes only values the attacker cannot exclude, and what it proves holds', async () => {
    let proven = 0;
    await fc.assert(
      fc.asyncProperty(smallRelease(), fc.array(fc.boolean(), { minLength: 16, maxLength: 16 }), async (rel, lockPick) => {
        const lt = buildLinkedTables(rel);
        const s = structureOf(lt.cells, lt.constraints);
        const sensitive = Uint8Array.from(s.values, (v) => (isPrimary(v, rel.k) ? 1 : 0));
        const rules = thresholdRules(s.n, sensitive, rel.k, rel.k);
        // Some published cells locked (published earlier): never corners.
        const locked = Uint8Array.from(s.values, (_, i) => (!sensitive[i] && lockPick[i % 16] && i % 4 === 0 ? 1 : 0));
        const lo = Float64Array.from(s.values);
        const hi = Float64Array.from(s.values);
        const notes: Array<[number, number]> = [];
        const store = {
          noteReach: (c: number, v: number) => {
            notes.push([c, v]);
            lo[c] = Math.min(lo[c]!, v);
            hi[c] = Math.max(hi[c]!, v);
          },
          proven: (c: number) => holds(rules, c, Math.max(0, Math.ceil(lo[c]! - 1e-6)), Math.floor(hi[c]! + 1e-6)),
        };
        const sup = Uint8Array.from(sensitive);
        hypercubePass(lt, s, sup, Uint8Array.from(sensitive), cellCosts(s.values).cost, rules, store, locked);
        for (let i = 0; i < s.n; i++) {
          if (sensitive[i]) expect(sup[i], `primary ${i}`).toBe(1);
          if (locked[i]) expect(sup[i], `locked ${i} suppressed`).toBe(0);
        }
        const suppressed = new Set<number>();
        sup.forEach((x, i) => x && suppressed.add(i));
        const range = new Map<number, [number, number]>();
        for (const [c] of notes) if (!range.has(c)) range.set(c, await referenceInterval(lt.cells, lt.constraints, suppressed, c));
        for (const [c, v] of notes) {
          const [rlo, rhi] = range.get(c)!;
          expect(suppressed.has(c), `noted cell ${c} is suppressed`).toBe(true);
          expect(v, `cell ${c}: noted ${v} outside [${rlo}, ${rhi}]`).toBeGreaterThan(rlo - 1 - 1e-6);
          if (v === Infinity) expect(rhi, `cell ${c}: noted unbounded`).toBe(Infinity);
          else expect(v, `cell ${c}: noted ${v} outside [${rlo}, ${rhi}]`).toBeLessThan(rhi + 1 + 1e-6);
        }
        for (const c of range.keys()) {
          if (!store.proven(c)) continue;
          proven++;
          const [rlo, rhi] = range.get(c)!;
          expect(holds(rules, c, rlo, rhi), `cell ${c} proven by its reach but [${rlo}, ${rhi}] fails its rule`).toBe(true);
        }
      }),
      { numRuns: 40, seed: 29 },
    );
    expect(proven).toBeGreaterThan(20);
  }, 120_000);
});
