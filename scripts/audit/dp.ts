// dp.ts — the checks of a differential-privacy release (docs/release-format.md, "Differential-
// privacy releases"), from the published manifest alone, with exact rational arithmetic.
//
// Guarantees:
// - Consistency: every count is a non-negative integer, nothing is suppressed, and every additive
//   relation of the table structure (rebuilt by structure.ts, independently of the server) holds
//   exactly — a failing relation is reported as dp-inconsistent.
// - Noise scale: `sigma2 = m/(2·rho)` (discrete Gaussian) or `scale = m/epsilon` (discrete
//   Laplace), with m recomputed here: the number of distinct cells one incident falls into, i.e.
//   the distinct (dimension set, hierarchy level per dimension) combinations over all tables.
// - Ledger, per release: spentAfter = spentBefore + charged ≤ total, charged = this release's rho
//   (epsilon; or epsilon²/2 on a rho ledger); per series: the total never changes, and each
//   release's spentBefore is at least the previous release's spentAfter.
import type { Findings } from './findings.js';
import type { Manifest } from './format.js';
import type { ReleaseModel } from './structure.js';

interface Q { n: bigint; d: bigint }
const gcd = (a: bigint, b: bigint): bigint => (b === 0n ? (a < 0n ? -a : a) : gcd(b, a % b));
const q = (n: bigint, d: bigint): Q => { const g = gcd(n, d) || 1n; return d < 0n ? { n: -n / g, d: -d / g } : { n: n / g, d: d / g }; };
const add = (a: Q, b: Q) => q(a.n * b.d + b.n * a.d, a.d * b.d);
const cmp = (a: Q, b: Q) => { const x = a.n * b.d - b.n * a.d; return x < 0n ? -1 : x > 0n ? 1 : 0; };

/** Exact rational from "0.5", "1/3", "2" or a number (read as its shortest decimal). */
export function parseRational(v: unknown): Q | null {
  const s = typeof v === 'number' ? String(v) : typeof v === 'string' ? v.trim() : '';
  let m = /^(\d+)\/(\d+)$/.exec(s);
  if (m && BigInt(m[2]!) !== 0n) return q(BigInt(m[1]!), BigInt(m[2]!));
  m = /^(\d+)(?:\.(\d+))?$/.exec(s);
  if (!m) return null;
  const frac = m[2] ?? '';
  return q(BigInt(m[1]! + frac), 10n ** BigInt(frac.length));
}

interface DpInfo {
  mechanism?: string; rho?: unknown; epsilon?: unknown; sigma2?: number; scale?: number; m?: number;
  ledger?: { unit?: string; total?: unknown; spentBefore?: unknown; spentAfter?: unknown; charged?: unknown };
}

/** m: distinct (dimension set, level per dimension) combinations one incident falls into. */
export function sensitivityOf(m: Manifest): number {
  const levels = (d: string) => (m.hierarchies[d] && Object.keys(m.hierarchies[d]!).length ? 2 : 1);
  const seen = new Set<string>();
  for (const t of m.tables) {
    const dims = [...t.dimensions].sort();
    for (let mask = 0; mask < 1 << dims.length; mask++) {
      let combos: string[] = [''];
      dims.forEach((d, i) => {
        if (!(mask & (1 << i))) return;
        combos = combos.flatMap((c) => Array.from({ length: levels(d) }, (_, l) => `${c}|${d}@${l}`));
      });
      for (const c of combos) seen.add(c);
    }
  }
  return seen.size;
}

export function checkDpRelease(m: Manifest, model: ReleaseModel, findings: Findings, release: string): void {
  const dp = (m as Manifest & { dp?: DpInfo }).dp;
  if (!dp) { findings.add('dp-parameters', { problem: 'no dp object' }, release); return; }
  for (const t of m.tables) for (const c of t.cells) {
    if (c.suppressed || c.count === null || !Number.isInteger(c.count) || c.count < 0) {
      findings.add('dp-inconsistent', { cell: JSON.stringify(c.key), problem: 'not a published non-negative integer' }, release);
      return;
    }
  }
  // every relation Σ coef·x = 0 over published quantities
  for (let r = 0; r + 1 < model.relStart.length; r++) {
    let sum = 0;
    let known = true;
    for (let i = model.relStart[r]!; i < model.relStart[r + 1]!; i++) {
      const v = model.quantities[model.relVar[i]!]!.published;
      if (v === null) { known = false; break; }
      sum += model.relCoef[i]! * v;
    }
    if (known && sum !== 0) {
      findings.add('dp-inconsistent', { cell: model.quantities[model.relParent[r]!]!.key.replace(/[\u001e\u001f]/g, ' '), problem: `off by ${sum}` }, release);
      return;
    }
  }
  const sens = sensitivityOf(m);
  if (dp.m !== sens) findings.add('dp-parameters', { problem: `m is ${dp.m}, the table structure gives ${sens}` }, release);
  const rho = parseRational(dp.rho);
  const eps = parseRational(dp.epsilon);
  if (dp.mechanism === 'discrete-gaussian' && rho) {
    const expected = sens / (2 * (Number(rho.n) / Number(rho.d)));
    if (typeof dp.sigma2 !== 'number' || Math.abs(dp.sigma2 - expected) > 1e-9 * Math.max(1, expected)) findings.add('dp-parameters', { problem: `sigma2 ${dp.sigma2} ≠ m/(2·rho) = ${expected}` }, release);
  } else if (dp.mechanism === 'discrete-laplace' && eps) {
    const expected = sens / (Number(eps.n) / Number(eps.d));
    if (typeof dp.scale !== 'number' || Math.abs(dp.scale - expected) > 1e-9 * Math.max(1, expected)) findings.add('dp-parameters', { problem: `scale ${dp.scale} ≠ m/epsilon = ${expected}` }, release);
  } else {
    findings.add('dp-parameters', { problem: 'unknown mechanism or missing rho/epsilon' }, release);
  }
  const l = dp.ledger;
  const total = parseRational(l?.total), before = parseRational(l?.spentBefore), after = parseRational(l?.spentAfter), charged = parseRational(l?.charged);
  if (!l || !total || !before || !after || !charged) { findings.add('dp-ledger', { problem: 'missing or unreadable ledger' }, release); return; }
  if (cmp(add(before, charged), after) !== 0) findings.add('dp-ledger', { problem: 'spentAfter ≠ spentBefore + charged' }, release);
  if (cmp(after, total) > 0) findings.add('dp-ledger', { problem: 'spent beyond the series budget' }, release);
  const own = l.unit === 'rho' ? (rho ?? (eps ? q(eps.n * eps.n, 2n * eps.d * eps.d) : null)) : eps;
  if (!own || cmp(own, charged) !== 0) findings.add('dp-ledger', { problem: 'charged is not this release\'s budget' }, release);
}

/** Across the DP releases of each series (in sequence order): fixed total, monotone spending. */
export function checkDpSeries(manifests: Manifest[], findings: Findings): void {
  const bySeries = new Map<string, Manifest[]>();
  for (const m of manifests) if (m.method === 'dp') bySeries.set(m.series, [...(bySeries.get(m.series) ?? []), m]);
  for (const list of bySeries.values()) {
    list.sort((a, b) => a.sequence - b.sequence);
    for (let i = 1; i < list.length; i++) {
      const a = (list[i - 1] as Manifest & { dp?: DpInfo }).dp?.ledger;
      const b = (list[i] as Manifest & { dp?: DpInfo }).dp?.ledger;
      const ta = parseRational(a?.total), tb = parseRational(b?.total), pa = parseRational(a?.spentAfter), sb = parseRational(b?.spentBefore);
      if (!ta || !tb || !pa || !sb) continue;
      if (cmp(ta, tb) !== 0 || a?.unit !== b?.unit) findings.add('dp-ledger', { problem: 'the series budget changed' }, list[i]!.id);
      if (cmp(sb, pa) < 0) findings.add('dp-ledger', { problem: 'spentBefore is below the previous release\'s spentAfter' }, list[i]!.id);
    }
  }
}
