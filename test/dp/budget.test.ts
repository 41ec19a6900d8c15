// Budget: the sensitivity m (distinct cells per incident) is exact — a known structure, a brute
// force over every possible incident on random structures, and the number of cells that actually
// change when one incident is added; σ² = m/(2ρ) and t = m/ε exactly; the ledger composes exactly
// and refuses to overspend.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { buildLinkedTables } from '../../server/disclosure/index.js';
import { budgetFor, formatDecimal, sensitivityCells, spend, toRational, type Ledger } from '../../server/dp/index.js';
import { structureArb } from './structures.js';

describe('sensitivity m', () => {
  it('is 6 for [year, region] and [year, type] (cells {y,r}, {y}, {r}, {}, {y,t}, {t})', () => {
    const lt = buildLinkedTables({
      counts: [],
      domains: { year: ['2022', '2023'], region: ['A', 'B', 'C'], type: ['x', 'y'] },
      tables: [
        ['year', 'region'],
        ['year', 'type'],
      ],
    });
    expect(sensitivityCells(lt)).toBe(6);
    const b = budgetFor(lt, { rho: 0.5 });
    expect(b.m).toBe(6);
  });

  it('counts every hierarchy level of the deepest leaf', () => {
    // region: * → macro → leaf (depth 2); leaf D is directly under * (depth 1).
    const lt = buildLinkedTables({
      counts: [],
      domains: { year: ['2023'], region: ['A', 'B', 'C', 'D'] },
      hierarchies: { region: { north: ['A', 'B'], south: ['C'] } },
      tables: [['year', 'region'], ['region']],
    });
    // {}, {y}, {r: leaf}, {r: group}, {y, r: leaf}, {y, r: group}
    expect(sensitivityCells(lt)).toBe(6);
  });

  it('equals the brute-force maximum over all incidents, and adding an incident changes exactly that many cells', () => {
    fc.assert(
      fc.property(structureArb, fc.nat(), (s, pick) => {
        const lt = buildLinkedTables(s);
        const m = sensitivityCells(lt);
        // Every possible incident (a leaf on every dimension).
        let keys: Record<string, string>[] = [{}];
        for (const d of lt.dims) keys = keys.flatMap((k) => s.domains[d]!.map((c) => ({ ...k, [d]: c })));
        const ancestors = (d: string, leaf: string): Set<string> => {
          const out = new Set<string>([leaf]);
          const h = s.hierarchies[d] ?? {};
          let cur = leaf;
          for (;;) {
            const parent = Object.keys(h).find((g) => h[g]!.includes(cur));
            if (!parent) break;
            out.add(parent);
            cur = parent;
          }
          return out;
        };
        const cellsOf = (key: Record<string, string>): number =>
          lt.cells.filter((c) => Object.entries(c.key).every(([d, code]) => ancestors(d, key[d]!).has(code))).length;
        const brute = Math.max(...keys.map(cellsOf));
        expect(m).toBe(brute);
        // Add one incident: exactly cellsOf(key) cells change, each by 1.
        const key = keys[pick % keys.length]!;
        const lt2 = buildLinkedTables({ ...s, counts: [...s.counts, { key, count: 1 }] });
        let changed = 0;
        lt.cells.forEach((c, i) => {
          const diff = lt2.cells[i]!.value - c.value;
          expect(diff === 0 || diff === 1).toBe(true);
          if (diff === 1) changed++;
        });
        expect(changed).toBe(cellsOf(key));
        expect(changed).toBeLessThanOrEqual(m);
      }),
      { numRuns: 60 },
    );
  });
});

describe('budgetFor', () => {
  const lt = buildLinkedTables({
    counts: [],
    domains: { year: ['2022', '2023'], region: ['A', 'B'], type: ['x', 'y'] },
    tables: [
      ['year', 'region'],
      ['year', 'type'],
    ],
  });

  it('zCDP: discrete Gaussian with σ² = m/(2ρ) exactly', () => {
    const b = budgetFor(lt, { rho: '0.1' });
    expect(b.mechanism).toBe('discrete-gaussian');
    if (b.mechanism !== 'discrete-gaussian') return;
    expect(b.rho).toEqual({ num: 1n, den: 10n });
    expect(b.sigma2).toEqual({ num: 30n, den: 1n }); // 6 / (2 · 1/10)
    expect(b.values.sigma2).toBe(30);
    const c = budgetFor(lt, { rho: 0.3 });
    if (c.mechanism !== 'discrete-gaussian') throw new Error('mechanism');
    expect(formatDecimal(c.sigma2)).toBe('10');
    const d = budgetFor(lt, { rho: { num: 7n, den: 3n } });
    if (d.mechanism !== 'discrete-gaussian') throw new Error('mechanism');
    expect(d.sigma2).toEqual({ num: 9n, den: 7n }); // 6 / (14/3)
  });

  it('pure DP: discrete Laplace with scale m/ε exactly', () => {
    const b = budgetFor(lt, { epsilon: 0.1 });
    expect(b.mechanism).toBe('discrete-laplace');
    if (b.mechanism !== 'discrete-laplace') return;
    expect(b.scale).toEqual({ num: 60n, den: 1n });
    expect(b.values).toEqual({ epsilon: 0.1, scale: 60 });
  });

  it('rejects both, neither, zero and negative budgets', () => {
    expect(() => budgetFor(lt, { rho: 1, epsilon: 1 } as never)).toThrow();
    expect(() => budgetFor(lt, {} as never)).toThrow();
    expect(() => budgetFor(lt, { rho: 0 })).toThrow();
    expect(() => budgetFor(lt, { epsilon: -1 })).toThrow();
    expect(() => budgetFor(lt, { rho: Number.NaN })).toThrow();
  });

  it('reads decimals exactly', () => {
    expect(toRational(0.1)).toEqual({ num: 1n, den: 10n });
    expect(toRational('2.5e-3')).toEqual({ num: 1n, den: 400n });
    expect(toRational('3/6')).toEqual({ num: 1n, den: 2n });
    expect(() => toRational('abc')).toThrow();
  });
});

describe('spend (budget ledger)', () => {
  it('composes additively and refuses beyond the total', () => {
    const ledger = { total: 1, spent: 0, unit: 'rho' as const };
    const a = spend(ledger, 0.5);
    expect(a.ok).toBe(true);
    if (!a.ok) return;
    expect(a.ledger.spent).toBe('0.5');
    expect(a.remaining).toBe(0.5);
    const b = spend(a.ledger, 0.5);
    expect(b.ok).toBe(true);
    if (!b.ok) return;
    expect(b.remaining).toBe(0);
    const c = spend(b.ledger, 0.01);
    expect(c).toMatchObject({ ok: false, error: 'budget_exceeded' });
    expect(ledger.spent).toBe(0); // input not mutated
  });

  it('is exact: 0.1 + 0.2 fits in 0.3, and 1/3 three times fits in 1', () => {
    const a = spend({ total: 0.3, spent: 0.1, unit: 'epsilon' }, 0.2);
    expect(a.ok).toBe(true);
    let l: Ledger = { total: 1, spent: 0, unit: 'rho' };
    for (let i = 0; i < 3; i++) {
      const r = spend(l, '1/3');
      expect(r.ok).toBe(true);
      if (r.ok) l = r.ledger;
    }
    expect(l.spent).toBe('1');
    expect(spend(l, '1/1000000')).toMatchObject({ ok: false, error: 'budget_exceeded' });
  });

  it('charges an ε-DP release to a ρ ledger as ε²/2, and refuses ρ on an ε ledger', () => {
    const r = spend({ total: 1, spent: 0, unit: 'rho' }, 1, 'epsilon');
    expect(r).toMatchObject({ ok: true, charged: '0.5' });
    expect(spend({ total: 1, spent: 0, unit: 'epsilon' }, 0.1, 'rho')).toMatchObject({ ok: false, error: 'unit_mismatch' });
  });

  it('refuses invalid amounts', () => {
    expect(spend({ total: 1, spent: 0, unit: 'rho' }, 0)).toMatchObject({ ok: false, error: 'invalid_amount' });
    expect(spend({ total: 1, spent: 0, unit: 'rho' }, -0.1)).toMatchObject({ ok: false, error: 'invalid_amount' });
    expect(spend({ total: 1, spent: 0, unit: 'rho' }, Number.POSITIVE_INFINITY)).toMatchObject({ ok: false, error: 'invalid_amount' });
  });
});
