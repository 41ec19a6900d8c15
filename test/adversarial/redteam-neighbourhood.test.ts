// Red team of commit 152398e: judge mode's outer bounds from each uncertain class's neighbourhood
// (interval-audit.ts `boundByNeighbourhood`, radius 1 then 2) computed by weak duality from
// HiGHS's row multipliers (lp.ts `boundByDuality`).
// Claims attacked: (1) the duality bound is never inside the true extreme, "whatever y"; (2) judge
// mode gives exactly the exact audit's verdicts (a judge "pass" where the exact audit fails leaks a
// small count; a judge "fail" where it passes is a cost).
// Inputs: random systems with terms 1e7–1e9, mixed ±1 rows, infinite column bounds; multipliers
// garbled to NaN / ±Infinity / 1e308 / subnormal / crafted to cancel in the reduced costs; 3- and
// 4-way tables with all margins, densities 0.03–0.5, cells free in sign (lower −∞: classes with
// infinite boxes, so infinite "outside" terms), negative-alpha classes (x = −x_c + β), rules set at
// the exact interval's very ends (need = exact max, lowAlt = exact min, width = exact width, or
// one past them), counts 1e3 to 1e9.
// Outcome:
//   - defended: every bound from real HiGHS multipliers stayed outside the extreme (inspected by
//     hand on the divergent cases below too: the neighbourhood bounds themselves were sound);
//     garbled multipliers (NaN, ±Infinity, 1e308, subnormal) only loosen; judge = exact on every
//     random pattern with counts up to 1e5 (3 seeds × 3 shapes × 4 densities × free/non-free,
//     boundary rules: 0 divergences of ~35,000 hidden cells).
//   - VULNERABLE (contract, no leak by itself): `boundByDuality` adds no slack for the rounding of
//     the reduced costs g = s·e_col − Aᵀy themselves; a y whose terms cancel (1 + 2⁻⁵⁴ − 1 = 0 in
//     floating point) drops a column's term entirely, so a crafted y gives a bound arbitrarily far
//     INSIDE the extreme. Not observed with HiGHS's own multipliers; an outer bound only refutes,
//     so at worst a false "fails".
//   - FIXED since (was a leak at huge counts; lp.ts `extreme` now confirms an "unbounded" answer of
//     the warm model on a fresh one, and a helper leaves such ends to the main thread): with counts
//     ~1e9 and free-sign cells, judge mode passed a cell
//     whose provable maximum is one below its need: a single LP on its class (ExtremeSolver on the
//     warm-started model) returns "unbounded" and the −∞ minimum is trusted with no ray check
//     (then rules.ts `holds` passes it: lo = −∞ ≤ lowAlt = −∞). Root cause lp.ts
//     `ExtremeSolver.extreme`/`extremeUnless` (pre-existing); the neighbourhood step changes the LP
//     path and exposes it here (radius 0: correct verdict on this case).
//   - VULNERABLE (divergence, cost only): counts ~1e7, engine defaults: a single LP's optimum is off
//     by > 1e-6 (the fixed absolute rounding slack, primary.ts roundHi/roundLo), so a cell whose
//     exact interval is exactly as wide as its width rule is judged failing (radius 0: correct). Same root cause (LP precision at large
//     magnitudes); the exact audit itself is off by one at 1e6 in 4-way tables (both directions
//     against the full cell-level LP), with or without the neighbourhood step.
import type { Highs } from 'highs';
import { afterEach, describe, expect, it } from 'vitest';
import { AuditEngine, buildLinkedTables, loadHighs, thresholdRules } from '../../server/disclosure/index.js';
import { boundByDuality, solveOnce, type SparseSystem } from '../../server/disclosure/lp.js';
import { isPrimary } from '../../server/disclosure/primary.js';
import { emptyRules, type Rules } from '../../server/disclosure/rules.js';
import { structureOf, type Structure } from '../../server/disclosure/structure.js';
import { mulberry32 } from '../helpers/seeded-random.js';

afterEach(() => {
  AuditEngine.neighbourhoodRadius = 2;
  AuditEngine.judgeBatchIterations = 200;
});

/** `highs`, except that every model's solution carries the row multipliers `garble` makes of HiGHS's. */
function withRowDuals(highs: Highs, garble: (y: Float64Array) => Float64Array): Highs {
  const fake = Object.create(highs) as Highs;
  fake.createModel = ((...args: Parameters<Highs['createModel']>) => {
    const model = highs.createModel(...args);
    const getSolution = model.getSolution.bind(model);
    Object.defineProperty(model, 'getSolution', {
      configurable: true,
      writable: true,
      value: () => {
        const sol = getSolution();
        return { ...sol, rowDual: garble(Float64Array.from(sol.rowDual)) };
      },
    });
    return model;
  }) as Highs['createModel'];
  return fake;
}

/** Exactly (BigInt) whether the integer point x satisfies every row and box of sys. */
function exactlyFeasible(sys: SparseSystem, x: ArrayLike<number>): boolean {
  for (let j = 0; j < sys.numCols; j++) if (!Number.isSafeInteger(x[j]!) || x[j]! < sys.colLower[j]! || x[j]! > sys.colUpper[j]!) return false;
  for (let r = 0; r + 1 < sys.rowStart.length; r++) {
    let t = 0n;
    for (let q = sys.rowStart[r]!; q < sys.rowStart[r + 1]!; q++) t += BigInt(sys.rowValue[q]!) * BigInt(x[sys.rowIndex[q]!]!);
    const lo = sys.rowLower[r]!;
    const hi = sys.rowUpper[r]!;
    if ((lo !== -Infinity && t < BigInt(lo)) || (hi !== Infinity && t > BigInt(hi))) return false;
  }
  return true;
}

/** A system of ±1 rows over a known integer point with huge coordinates, some infinite boxes. */
function hugeSystem(seed: number): { sys: SparseSystem; x: number[] } {
  const rnd = mulberry32(seed);
  const n = 6 + Math.floor(rnd() * 20);
  const m = 3 + Math.floor(rnd() * n);
  const scale = [1e7, 1e8, 1e9][seed % 3]!;
  const x = Array.from({ length: n }, () => (rnd() < 0.3 ? Math.floor(rnd() * 5) : Math.floor(rnd() * scale)));
  const colLower = Float64Array.from(x, (v) => (rnd() < 0.15 ? -Infinity : rnd() < 0.7 ? 0 : Math.max(0, v - Math.floor(rnd() * 50))));
  const colUpper = Float64Array.from(x, (v) => (rnd() < 0.3 ? Infinity : v + Math.floor(rnd() * 50)));
  const rowStart = [0];
  const rowIndex: number[] = [];
  const rowValue: number[] = [];
  const rowLower: number[] = [];
  const rowUpper: number[] = [];
  for (let r = 0; r < m; r++) {
    let sum = 0;
    const used = new Set<number>();
    for (let t = 0, terms = 2 + Math.floor(rnd() * 8); t < terms; t++) {
      const j = Math.floor(rnd() * n);
      if (used.has(j)) continue;
      used.add(j);
      const a = rnd() < 0.6 ? 1 : -1;
      rowIndex.push(j);
      rowValue.push(a);
      sum += a * x[j]!;
    }
    rowStart.push(rowIndex.length);
    const range = rnd() < 0.25;
    rowLower.push(range ? sum - Math.floor(rnd() * 6) : sum);
    rowUpper.push(range ? (rnd() < 0.3 ? Infinity : sum + Math.floor(rnd() * 6)) : sum);
  }
  return { sys: { numCols: n, colLower, colUpper, rowStart, rowIndex, rowValue, rowLower, rowUpper }, x };
}

describe('boundByDuality from the attacker’s side', () => {
  it('huge terms (1e7–1e9), mixed signs, infinite boxes: never inside a verified feasible point', async () => {
    const highs = await loadHighs();
    let checked = 0;
    for (let seed = 1; seed <= 60; seed++) {
      const { sys, x } = hugeSystem(seed);
      expect(exactlyFeasible(sys, x)).toBe(true);
      for (let j = 0; j < sys.numCols; j++) {
        // points known feasible: the generating one, and each HiGHS optimum that is an exact integer point
        const points = [x];
        for (const max of [true, false]) {
          const cost = new Float64Array(sys.numCols);
          cost[j] = 1;
          const r = solveOnce(highs, sys, cost, max);
          if (r.status === 'optimal' && exactlyFeasible(sys, Array.from(r.x))) points.push(Array.from(r.x));
        }
        const up = boundByDuality(highs, sys, j, -1);
        const down = boundByDuality(highs, sys, j, 1);
        for (const p of points) {
          expect(up, `seed ${seed} max x${j}`).toBeGreaterThanOrEqual(p[j]!);
          expect(down, `seed ${seed} min x${j}`).toBeLessThanOrEqual(p[j]!);
          checked++;
        }
      }
    }
    expect(checked).toBeGreaterThan(1000);
  });

  it('multipliers garbled to NaN, ±Infinity, 1e308, subnormal or mixed magnitudes only loosen it', async () => {
    const highs = await loadHighs();
    const garbles: Array<[string, (y: Float64Array) => Float64Array]> = [
      ['NaN', (y) => y.map((v, r) => (r % 2 ? NaN : v))],
      ['+Infinity', (y) => y.map((v, r) => (r % 3 ? v : Infinity))],
      ['-Infinity', (y) => y.map((v, r) => (r % 3 ? v : -Infinity))],
      ['1e308', (y) => y.map((v) => (v === 0 ? 0 : Math.sign(v) * 1e308))],
      ['subnormal', (y) => y.map((v) => v * 5e-324)],
      ['mixed', (y) => y.map((v, r) => (r % 2 ? v * 2 ** -54 : v))],
    ];
    for (const [name, garble] of garbles) {
      const fake = withRowDuals(highs, garble);
      for (let seed = 1; seed <= 30; seed++) {
        const { sys, x } = hugeSystem(seed);
        for (let j = 0; j < sys.numCols; j += 2) {
          const up = boundByDuality(fake, sys, j, -1);
          const down = boundByDuality(fake, sys, j, 1);
          expect(Number.isNaN(up) || Number.isNaN(down), `${name} seed ${seed} x${j}`).toBe(false);
          expect(up, `${name} seed ${seed} max x${j}`).toBeGreaterThanOrEqual(x[j]!);
          expect(down, `${name} seed ${seed} min x${j}`).toBeLessThanOrEqual(x[j]!);
        }
      }
    }
  });

  // VULNERABLE (contract of boundByDuality, no leak by itself): the slack covers the rounding of the
  // row and box terms but not of the reduced costs g = s·e_col − Aᵀy. With y = c·(1, 2⁻⁵⁴, −1),
  // x1's reduced cost is computed 0 + c − c·2⁻⁵⁴·(−1)… = 1 + 2⁻⁵⁴ − 1 → 0 in floating point, exactly
  // c·2⁻⁵⁴, so its term drops out and the "bound" on max x0 is −c·D·2⁻⁵⁴ (here ≈ −5.55) while
  // x = (0, D, D, 0) is feasible with x0 = 0. An outer bound only refutes, so inside the engine this
  // would only turn a passing cell into a failing one; HiGHS's own multipliers were never seen to
  // do it. Fix: add Σ_j eps·(number of terms)·Σ_r |y_r a_rj|·max(|colLower_j|, |colUpper_j|) to the
  // slack (infinite when that box is infinite), columns with computed g_j = 0 included.
  it.fails('a crafted multiplier vector cannot put the bound inside the extreme', async () => {
    const highs = await loadHighs();
    const D = 1e8;
    const c = 1e9;
    // x0 + x1 − x2 ≤ 0;  −x1 + x3 ≤ −D;  x1 − x2 = 0;  max x0 = 0 at (0, D, D, 0)
    const sys: SparseSystem = {
      numCols: 4,
      colLower: Float64Array.from([0, 0, 0, 0]),
      colUpper: Float64Array.from([Infinity, 2 * D, 2 * D, Infinity]),
      rowStart: [0, 3, 5, 7],
      rowIndex: [0, 1, 2, 1, 3, 1, 2],
      rowValue: [1, 1, -1, -1, 1, 1, -1],
      rowLower: [-Infinity, -Infinity, 0],
      rowUpper: [0, -D, 0],
    };
    expect(exactlyFeasible(sys, [0, D, D, 0])).toBe(true);
    expect(boundByDuality(highs, sys, 0, -1)).toBeGreaterThanOrEqual(0); // HiGHS's own y: fine
    const fake = withRowDuals(highs, () => Float64Array.from([c, c * 2 ** -54, -c]));
    expect(boundByDuality(fake, sys, 0, -1)).toBeGreaterThanOrEqual(0); // ≈ −5.55: fails
  });
});

// ---------------------------------------------------------------------------------------------
// Judge against exact on tables

/** A 3- or 4-way table with all margins: a third of the cells small (1..4, hidden as primaries), some 0, the rest `big` + 0..999. */
function pattern(seed: number, dims: readonly number[], share: number, big: number, freeShare: number) {
  const rand = mulberry32(seed);
  const names = ['a', 'b', 'c', 'd'].slice(0, dims.length);
  const domains: Record<string, string[]> = {};
  names.forEach((d, i) => (domains[d] = Array.from({ length: dims[i]! }, (_, j) => `${d}${j}`)));
  const counts: Array<{ key: Record<string, string>; count: number }> = [];
  const rec = (i: number, key: Record<string, string>): void => {
    if (i === names.length) {
      const u = rand();
      counts.push({ key: { ...key }, count: u < 0.3 ? 1 + Math.floor(rand() * 4) : u < 0.4 ? 0 : big + Math.floor(rand() * 1000) });
      return;
    }
    for (const c of domains[names[i]!]!) rec(i + 1, { ...key, [names[i]!]: c });
  };
  rec(0, {});
  const lt = buildLinkedTables({ counts, domains, tables: [names] });
  const s = structureOf(lt.cells, lt.constraints);
  const suppressed = new Uint8Array(s.n);
  const sensitive = new Uint8Array(s.n);
  for (let i = 0; i < s.n; i++) {
    if (isPrimary(s.values[i]!, 5)) sensitive[i] = suppressed[i] = 1;
    else if (rand() < share) suppressed[i] = 1;
  }
  // free-sign cells (a net change): classes with infinite boxes, infinite outside terms
  const fr = mulberry32(seed ^ 0x9e3779b9);
  if (freeShare > 0) for (let i = 0; i < s.n; i++) if (fr() < freeShare) s.lower[i] = -Infinity;
  return { s, suppressed, sensitive, rand };
}

/**
 * Rules at the very ends of the exact interval (or one past them): need = max, lowAlt = min,
 * width = max − min, pinned both — so any outer bound that falls inside the exact interval, or any
 * inner value outside it, flips a verdict.
 */
function boundaryRules(s: Structure, suppressed: Uint8Array, lo: Float64Array, hi: Float64Array, rand: () => number): Rules {
  const rules = emptyRules(s.n);
  for (let i = 0; i < s.n; i++) {
    if (!suppressed[i]) continue;
    const u = rand();
    const off = rand() < 0.5 ? 0 : 1;
    if (u < 0.4) rules.need[i] = hi[i]! + off;
    else if (u < 0.6) {
      rules.lowAlt[i] = lo[i]! - off;
      rules.need[i] = Infinity;
    } else if (u < 0.85) {
      rules.width[i] = Number.isFinite(hi[i]! - lo[i]!) ? hi[i]! - lo[i]! + off : 3;
      rules.need[i] = -Infinity;
    } else {
      rules.pin[i] = 1;
      rules.need[i] = hi[i]! + off;
      rules.lowAlt[i] = lo[i]! - off;
    }
  }
  return rules;
}

/** The pattern with boundary rules, the exact audit under them, and a fresh engine's judge run. */
async function judgeAgainstExact(seed: number, dims: readonly number[], share: number, big: number, free: number) {
  const highs = await loadHighs();
  const { s, suppressed, sensitive, rand } = pattern(seed, dims, share, big, free);
  const first = new AuditEngine(highs, s, thresholdRules(s.n, sensitive, 5, 5)).run(suppressed, 'exact');
  const rules = boundaryRules(s, suppressed, first.lo, first.hi, rand);
  const exact = new AuditEngine(highs, s, rules).run(suppressed, 'exact');
  const engine = new AuditEngine(highs, s, rules);
  const judge = engine.run(suppressed, 'judge');
  return { s, suppressed, rules, exact, judge, engine };
}

/** The whole system over the hidden cells, cell by cell (no reduction), for an independent check. */
function fullSystem(s: Structure, suppressed: Uint8Array): { sys: SparseSystem; col: Int32Array } {
  const col = new Int32Array(s.n).fill(-1);
  let n = 0;
  for (let i = 0; i < s.n; i++) if (suppressed[i]) col[i] = n++;
  const rowStart = [0];
  const rowIndex: number[] = [];
  const rowValue: number[] = [];
  const rhs: number[] = [];
  for (let c = 0; c < s.m; c++) {
    let r = 0;
    let any = false;
    for (let q = s.conStart[c]!; q < s.conStart[c + 1]!; q++) {
      const cell = s.conCells[q]!;
      const a = q === s.conStart[c] ? 1 : -1;
      if (col[cell]! >= 0) {
        rowIndex.push(col[cell]!);
        rowValue.push(a);
        any = true;
      } else r -= a * s.values[cell]!;
    }
    if (!any) continue;
    rowStart.push(rowIndex.length);
    rhs.push(r);
  }
  const colLower = new Float64Array(n);
  for (let i = 0; i < s.n; i++) if (col[i]! >= 0) colLower[col[i]!] = s.lower[i]!;
  return { sys: { numCols: n, colLower, colUpper: new Float64Array(n).fill(Infinity), rowStart, rowIndex, rowValue, rowLower: rhs, rowUpper: rhs }, col };
}

/** An exactly feasible integer table with `cell` at its full-model LP maximum or minimum (undefined if the vertex is fractional). */
async function witnessEnd(s: Structure, suppressed: Uint8Array, cell: number, max = true): Promise<number | undefined> {
  const highs = await loadHighs();
  const { sys, col } = fullSystem(s, suppressed);
  const cost = new Float64Array(sys.numCols);
  cost[col[cell]!] = 1;
  const r = solveOnce(highs, sys, cost, max);
  expect(r.status).toBe('optimal');
  const x = Array.from(r.x, Math.round);
  return exactlyFeasible(sys, x) ? x[col[cell]!] : undefined;
}

describe('judge mode with neighbourhood bounds against the exact audit', () => {
  it('counts up to 1e5, 3- and 4-way tables, densities 0.03–0.5, free-sign cells, rules at the interval’s ends: the same verdicts', async () => {
    AuditEngine.judgeBatchIterations = 1; // fewer witnesses from batches: more classes reach the neighbourhood step
    let cells = 0;
    let neighbourhoodSettled = 0;
    for (const [seed, big] of [
      [1, 100_000],
      [2, 1_000],
    ] as const) {
      for (const dims of [
        [10, 8, 5],
        [6, 5, 4, 3],
      ]) {
        for (const share of [0.03, 0.1, 0.25, 0.5]) {
          for (const free of [0, 0.2]) {
            const { suppressed, exact, judge, engine } = await judgeAgainstExact(seed * 1000 + share * 100 + dims.length, dims, share, big, free);
            neighbourhoodSettled += engine.neighbourhoodSettled;
            for (let i = 0; i < suppressed.length; i++) {
              if (!suppressed[i]) continue;
              cells++;
              const at = `cell ${i}, seed ${seed}, dims ${dims}, share ${share}, big ${big}, free ${free}`;
              expect(judge.ok[i], at).toBe(exact.ok[i]);
              // judge intervals are inner ones: never outside the exact interval
              expect(judge.lo[i], at).toBeGreaterThanOrEqual(exact.lo[i]!);
              expect(judge.hi[i], at).toBeLessThanOrEqual(exact.hi[i]!);
            }
          }
        }
      }
    }
    expect(cells).toBeGreaterThan(5000);
    expect(neighbourhoodSettled).toBeGreaterThan(50); // the step under attack did settle classes
  }, 60_000);

  // Counts ~1e9, 20% of the cells free in sign (a net change), the 3-way table [12, 9, 4], share 0.25.
  const hugeCase = () => judgeAgainstExact(1028, [12, 9, 4], 0.25, 1e9, 0.2);

  it('(the truth for the next test) cell 161: maximum 3000000702, reached by an exact integer table; its need is 3000000703', async () => {
    const { s, suppressed, rules, exact } = await hugeCase();
    expect(exact.hi[161]).toBe(3000000702);
    expect(rules.need[161]).toBe(3000000703);
    expect(exact.ok[161]).toBe(0);
    expect(await witnessEnd(s, suppressed, 161)).toBe(3000000702);
    // and with the neighbourhood step off, judge mode agrees
    AuditEngine.neighbourhoodRadius = 0;
    const highs = await loadHighs();
    expect(new AuditEngine(highs, s, rules).run(suppressed, 'judge').ok[161]).toBe(0);
  }, 30_000);

  // FIXED (was VULNERABLE, a leak at counts ~1e9): judge mode passed cell 161 although an attacker can prove it lies
  // in [1000000227, 3000000702], its maximum one below its need 3000000703 (no other alternative:
  // lowAlt −∞). A single LP on its class (solveUntilSettled → ExtremeSolver.extremeUnless → extreme,
  // on the warm-started model) gets "unbounded" from HiGHS and records −∞ as the exact minimum
  // (judge.lo = −Infinity; with judgeBatchIterations = 1 it is the maximum, +∞), with no check that
  // a ray exists; `holds` then passes it through lo ≤ lowAlt, as −∞ ≤ −∞. The neighbourhood step
  // only changes which LPs run before it (radius 0: correct verdict on this case).
  // Fixed by verifying an "unbounded" single-LP answer on a fresh model before recording ±∞ (lp.ts
  // `ExtremeSolver.extreme`). (`holds` counting lo = −∞ as meeting an absent lowAlt (−∞) is right
  // for a truly unbounded end: the attacker then knows nothing below.)
  it('counts ~1e9 with free-sign cells: judge mode never passes a cell the exact audit fails', async () => {
    const { exact, judge } = await hugeCase();
    expect(exact.ok[161]).toBe(0);
    expect(judge.lo[161]).toBeGreaterThanOrEqual(exact.lo[161]!); // −Infinity
    expect(judge.ok[161]).toBe(0); // 1
  }, 30_000);

  // Counts ~1e7, the 4-way table [6, 5, 4, 3], share 0.5, no free-sign cell, engine defaults.
  const bigCase = () => judgeAgainstExact(2054, [6, 5, 4, 3], 0.5, 1e7, 0);

  it('(the truth for the next test) cell 294: interval [10000199, 10000205], its minimum reached by an exact integer table; width rule 6: it passes', async () => {
    const { s, suppressed, rules, exact } = await bigCase();
    expect([exact.lo[294], exact.hi[294]]).toEqual([10000199, 10000205]);
    expect(rules.width[294]).toBe(6);
    expect(exact.ok[294]).toBe(1);
    expect(await witnessEnd(s, suppressed, 294, false)).toBe(10000199);
    AuditEngine.neighbourhoodRadius = 0;
    const highs = await loadHighs();
    expect(new AuditEngine(highs, s, rules).run(suppressed, 'judge').ok[294]).toBe(1);
  }, 30_000);

  // VULNERABLE (divergence, cost only; counts ~1e7, engine defaults): judge mode fails cell 294's
  // width rule (judge.lo 10000200, width 5 < 6) although 10000199 is reachable: after the
  // neighbourhood step, a single LP on its class (same path as above) returns an optimum off the
  // integer by more than the fixed 1e-6 slack of roundLo/roundHi, recorded as the exact end. The neighbourhood bounds themselves were
  // sound. Nothing leaks (one cell more hidden, or a release refused), but judge ≠ exact.
  // (On the same table the exact audit is itself off by one on cells 250, 394, 490 — too narrow,
  // the safe way — against the full cell-level LP with exact rational witnesses; pre-existing.)
  it.fails('counts ~1e7: judge mode gives the exact audit’s verdict on a cell whose width is exactly its rule', async () => {
    const { exact, judge } = await bigCase();
    expect(judge.lo[294]).toBe(exact.lo[294]); // 10000200
    expect(judge.ok[294]).toBe(exact.ok[294]);
  }, 30_000);
});
