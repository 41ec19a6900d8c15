// The definition of "protected" (server/disclosure/primary.ts and rules.ts), checked exhaustively
// on small intervals against the definitions written in those files' headers, re-stated here
// independently: every engine (audit, heuristics, MILP, global model) relies on these few lines,
// so a change to any of them must fail a test. Written to kill the mutants StrykerJS found
// surviving there (README, "Mutation testing").
import { describe, expect, it } from 'vitest';
import { isPrimary, primaryCells, roundHi, roundLo, ruleHolds, validateParams } from '../../server/disclosure/primary.js';
import { emptyRules, holds, rise, setBand, setSensitive, thresholdRules } from '../../server/disclosure/rules.js';
import type { Cell } from '../../server/disclosure/types.js';

const R = [-4, -3, -2, -1, 0, 1, 2, 3, 4, 5, 6, 7, 8, Infinity];

describe('primary.ts', () => {
  it('ruleHolds: not pinned, and for a sensitive cell width ≥ protection and hi ≥ k', () => {
    let checked = 0;
    for (const k of [2, 3, 5])
      for (const p of [1, 2, 3])
        for (const sensitive of [false, true]) {
          for (const lo of R.filter(Number.isFinite))
            for (const hi of R) {
              const expected = lo < hi && (!sensitive || (hi - lo >= p && hi >= k));
              expect(ruleHolds(lo, hi, sensitive, k, p), `lo ${lo} hi ${hi} sensitive ${sensitive} k ${k} p ${p}`).toBe(expected);
              checked++;
            }
        }
    expect(checked).toBeGreaterThan(1000);
  });

  it('primary cells are exactly those with 1 ≤ value < k; zero never is', () => {
    const cells = [0, 1, 2, 3, 4, 5, 9].map((value, id) => ({ id, value }) as unknown as Cell);
    expect(primaryCells(cells, 3)).toEqual([1, 2]);
    expect(primaryCells(cells, 5)).toEqual([1, 2, 3, 4]);
    expect(primaryCells([], 5)).toEqual([]);
    expect([0, 1, 4, 5].map((v) => isPrimary(v, 5))).toEqual([false, true, true, false]);
  });

  it('rounds LP bounds inwards with 1e-6 slack; an unbounded maximum stays unbounded', () => {
    expect([roundLo(2.0000001), roundLo(2.5), roundLo(1.9999999)]).toEqual([2, 3, 2]);
    expect([roundHi(2.9999999), roundHi(2.5), roundHi(3.0000001), roundHi(Infinity)]).toEqual([3, 2, 3, Infinity]);
  });

  it('validateParams refuses k < 2, protection < 1 and non-integers, and accepts the smallest valid values', () => {
    expect(() => validateParams(2, 1)).not.toThrow();
    for (const [k, p] of [
      [1, 1],
      [2, 0],
      [2.5, 1],
      [3, 1.5],
      [Number.NaN, 1],
      [3, -1],
    ])
      expect(() => validateParams(k!, p!), `${k} ${p}`).toThrow();
  });
});

describe('rules.ts', () => {
  /** The header's definition: pinned → lo < hi; hi − lo ≥ width; hi ≥ need or lo ≤ lowAlt. */
  const expected = (r: ReturnType<typeof emptyRules>, i: number, lo: number, hi: number) =>
    (!r.pin[i] || lo < hi) && hi - lo >= r.width[i]! && (hi >= r.need[i]! || lo <= r.lowAlt[i]!);

  it('holds and rise agree with the definition for every kind of rule', () => {
    const r = emptyRules(6);
    setSensitive(r, 1, 3, 2);
    setSensitive(r, 2, 5, 1);
    setSensitive(r, 2, 4, 3); // keeps the larger need, widens to 3
    setBand(r, 3, 2, 3); // positive change: hi ≥ 3 or lo ≤ 0
    setBand(r, 4, -1, 3); // negative change: hi ≥ 0 or lo ≤ −3
    r.pin[5] = 1;
    expect([r.need[2], r.width[2], r.pin[2]]).toEqual([5, 3, 1]);
    expect([r.need[3], r.lowAlt[3], r.need[4], r.lowAlt[4]]).toEqual([3, 0, 0, -3]);
    let checked = 0;
    for (let i = 0; i < 6; i++) {
      for (const lo of R.filter(Number.isFinite))
        for (const hi of R) {
          expect(holds(r, i, lo, hi), `cell ${i} [${lo}, ${hi}]`).toBe(expected(r, i, lo, hi));
          checked++;
        }
      // rise: the smallest upward move u ≥ 0 of the maximum, from true value v, that makes [lo, v + u]
      // hold — and for a cell that must not be pinned, at least 1 (its maximum must exceed its value)
      for (const v of [0, 1, 2, 4])
        for (const lo of [-4, -1, 0, 1, 2].filter((l) => l <= v)) {
          let u = 0;
          while (!expected(r, i, lo, v + u) && u < 50) u++;
          expect(rise(r, i, v, lo), `rise cell ${i} v ${v} lo ${lo}`).toBe(r.pin[i] ? Math.max(u, 1) : u);
        }
    }
    expect(checked).toBeGreaterThan(300);
  });

  it('an empty rule asks nothing: every interval, pinned or not, holds', () => {
    const r = emptyRules(1);
    for (const lo of R.filter(Number.isFinite)) for (const hi of R.filter((h) => h >= lo)) expect(holds(r, 0, lo, hi)).toBe(true);
    expect(rise(r, 0, 3, 3)).toBe(0);
  });

  it('thresholdRules: every cell not pinned and admitting k; sensitive ones also width p; all n cells', () => {
    const r = thresholdRules(4, Uint8Array.from([1, 0, 1, 0]), 3, 2);
    expect([...r.need]).toEqual([3, 3, 3, 3]);
    expect([...r.width]).toEqual([2, 0, 2, 0]);
    expect([...r.pin]).toEqual([1, 1, 1, 1]);
    expect(holds(r, 1, 2, 3)).toBe(true);
    expect(holds(r, 1, 2, 2)).toBe(false);
    expect(holds(r, 0, 2, 3)).toBe(false);
    expect(holds(r, 0, 1, 3)).toBe(true);
  });
});
