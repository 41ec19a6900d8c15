// dp.ts — guarantee 7 and the checks of a differential-privacy entry (docs/release-format.md,
// "Differential-privacy releases"), from the published log alone, with exact rational arithmetic.
//
// Guarantees:
// - Consistency, per DP entry (release or draft): nothing is suppressed, every count is a
//   non-negative integer carrying errorMargin90, and every additive relation of its own table
//   structure (rebuilt by system.ts, independently of the server) holds exactly; one quantity shown
//   twice shows one count (dp-inconsistent).
// - Noise scale: `sigma2 = m/(2·rho)` (discrete Gaussian, needs rho) or `scale = m/epsilon`
//   (discrete Laplace, needs epsilon), with the manifest's m, and m at least the number of
//   distinct quantities one incident falls into in this structure — the (dimension set, level per
//   dimension) classes, the year's "*" and code levels being one class when the entry counts one
//   year — so a smaller m (too little noise) fails (dp-parameters).
// - Invariants: only the documented "total" is understood, and `keepTotal` goes with it; any other
//   invariant is a failure (dp-invariant-unknown): it is published exactly and this auditor cannot
//   put it into the global model.
// - The server's ONE budget, over the DP entries of the log in index order (drafts spend too):
//   `total` is the same everywhere, `charged` equals rho (or epsilon²/2), `spentAfter =
//   spentBefore + charged ≤ total`, and each entry's `spentBefore` equals the previous DP entry's
//   `spentAfter` (0 for the first) — across series (dp-ledger).
import type { Findings } from './findings.js';
import type { DpInfo, Manifest } from './format.js';
import { computeIntervals } from './intervals.js';
import { buildSystem } from './disclosure.js';
import { buildModel } from './system.js';

interface Q {
  n: bigint;
  d: bigint;
}
const gcd = (a: bigint, b: bigint): bigint => (b === 0n ? (a < 0n ? -a : a) : gcd(b, a % b));
const q = (n: bigint, d: bigint): Q => {
  const g = gcd(n, d) || 1n;
  return d < 0n ? { n: -n / g, d: -d / g } : { n: n / g, d: d / g };
};
const add = (a: Q, b: Q) => q(a.n * b.d + b.n * a.d, a.d * b.d);
const cmp = (a: Q, b: Q) => {
  const x = a.n * b.d - b.n * a.d;
  return x < 0n ? -1 : x > 0n ? 1 : 0;
};
const show = (a: Q) => (a.d === 1n ? `${a.n}` : `${a.n}/${a.d}`);
const ZERO: Q = { n: 0n, d: 1n };

/** Exact rational from "0.5", "1/3", "2", "1e-6" or a number (read as its shortest decimal). */
export function parseRational(v: unknown): Q | null {
  const s = typeof v === 'number' ? (Number.isFinite(v) && v >= 0 ? String(v) : '') : typeof v === 'string' ? v.trim() : '';
  let m = /^(\d+)\/(\d+)$/.exec(s);
  if (m) return BigInt(m[2]!) === 0n ? null : q(BigInt(m[1]!), BigInt(m[2]!));
  m = /^(\d+)(?:\.(\d+))?(?:e([+-]?\d+))?$/i.exec(s);
  if (!m) return null;
  const frac = m[2] ?? '';
  const exp = Number(m[3] ?? 0) - frac.length;
  if (Math.abs(exp) > 400) return null;
  const n = BigInt(m[1]! + frac);
  return exp >= 0 ? q(n * 10n ** BigInt(exp), 1n) : q(n, 10n ** BigInt(-exp));
}

/** The fewest distinct quantities one incident falls into in this table structure. */
export function minimumSensitivity(m: Manifest): number {
  const oneYear = (m.domains.year ?? []).length <= 1;
  const levels = (d: string) => (m.hierarchies[d] && Object.keys(m.hierarchies[d]!).length ? 2 : 1);
  const seen = new Set<string>();
  for (const t of m.tables) {
    const dims = [...t.dimensions].filter((d) => !(oneYear && d === 'year')).sort();
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

export interface LedgerLine {
  index: number;
  label: string;
  series: string;
  charged: string | null;
  spentBefore: string | null;
  spentAfter: string | null;
  total: string | null;
}

export interface DpSummary {
  entries: number;
  ledger: LedgerLine[];
}

/** Checks of one DP entry on its own. */
export async function checkDpEntry(m: Manifest, index: number, label: string, findings: Findings): Promise<void> {
  const dp = m.dp as DpInfo;
  let bad = 0;
  for (const t of m.tables)
    for (const c of t.cells) {
      if (c.suppressed || c.count === null) {
        if (bad++ === 0) findings.add('dp-inconsistent', { cell: JSON.stringify(c.key), problem: 'suppressed' }, label);
      } else if (c.errorMargin90 === undefined && bad++ === 0) findings.add('dp-parameters', { problem: 'no-margin' }, label);
    }
  // Every relation of its own structure holds exactly.
  const model = buildModel([{ index, label, manifest: m }], findings, { minK: 1, report: false, allCounts: true, conflictCode: 'dp-inconsistent' });
  const built = buildSystem(model);
  const res = await computeIntervals(built.system, [], () => true, { exact: false });
  for (const tag of res.inconsistentTags.slice(0, 5)) findings.add('dp-inconsistent', { cell: built.tagText(built.tags[tag]!), problem: 'sum' }, label);
  // Repeated quantities with different counts (conflicts are reported by buildModel when `report`).
  const seen = new Map<string, number>();
  outer: for (const t of m.tables)
    for (const c of t.cells) {
      if (c.count === null) continue;
      const years = c.key.year && c.key.year !== '*' ? c.key.year : m.domains.year!.join('+');
      const id = `${years}|${Object.keys(c.key)
        .filter((d) => d !== 'year' && c.key[d] !== '*')
        .sort()
        .map((d) => `${d}=${c.key[d]}`)
        .join(',')}`;
      const had = seen.get(id);
      if (had !== undefined && had !== c.count) {
        findings.add('dp-inconsistent', { cell: id, problem: 'twice', first: had, second: c.count }, label);
        break outer;
      }
      seen.set(id, c.count);
    }

  // Noise scale.
  const mMin = minimumSensitivity(m);
  if (dp.m < mMin) findings.add('dp-parameters', { problem: 'm-small', m: dp.m, minimum: mMin }, label);
  const rho = parseRational(dp.rho);
  const eps = parseRational(dp.epsilon);
  if (dp.mechanism === 'discrete-gaussian') {
    if (!rho || rho.n === 0n) findings.add('dp-parameters', { problem: 'rho-missing' }, label);
    else {
      const expected = dp.m / (2 * (Number(rho.n) / Number(rho.d)));
      if (dp.sigma2 === undefined || Math.abs(dp.sigma2 - expected) > 1e-9 * Math.max(1, expected))
        findings.add('dp-parameters', { problem: 'sigma2', value: dp.sigma2 ?? null, expected }, label);
    }
  } else if (!eps || eps.n === 0n) findings.add('dp-parameters', { problem: 'epsilon-missing' }, label);
  else {
    const expected = dp.m / (Number(eps.n) / Number(eps.d));
    if (dp.scale === undefined || Math.abs(dp.scale - expected) > 1e-9 * Math.max(1, expected))
      findings.add('dp-parameters', { problem: 'scale', value: dp.scale ?? null, expected }, label);
  }
  for (const inv of dp.invariants) if (inv !== 'total') findings.add('dp-invariant-unknown', { invariant: inv }, label);
  if (dp.keepTotal !== dp.invariants.includes('total')) findings.add('dp-parameters', { problem: 'keep-total' }, label);
}

/** The server's one budget, over every DP entry of the log in index order. */
export function checkDpLedger(entries: ReadonlyArray<{ index: number; label: string; manifest: Manifest }>, findings: Findings): DpSummary {
  const out: DpSummary = { entries: 0, ledger: [] };
  let total: Q | null = null;
  let totalFrom = '';
  let spent: Q = ZERO;
  for (const { index, label, manifest: m } of entries) {
    if (m.method !== 'dp' || !m.dp) continue;
    out.entries++;
    const l = m.dp.ledger;
    const t = parseRational(l.total),
      before = parseRational(l.spentBefore),
      after = parseRational(l.spentAfter),
      charged = parseRational(l.charged);
    out.ledger.push({
      index,
      label,
      series: m.series,
      charged: charged ? show(charged) : null,
      spentBefore: before ? show(before) : null,
      spentAfter: after ? show(after) : null,
      total: t ? show(t) : null,
    });
    if (!t || !before || !after || !charged) {
      findings.add('dp-ledger', { problem: 'unreadable' }, label);
      continue;
    }
    if (total === null) {
      total = t;
      totalFrom = label;
    } else if (cmp(total, t) !== 0) findings.add('dp-ledger', { problem: 'total', value: show(t), expected: show(total), from: totalFrom }, label);
    const rho = parseRational(m.dp.rho);
    const eps = parseRational(m.dp.epsilon);
    const own = rho ?? (eps ? q(eps.n * eps.n, 2n * eps.d * eps.d) : null);
    if (!own || cmp(own, charged) !== 0) findings.add('dp-ledger', { problem: 'charged', charged: show(charged), cost: own ? show(own) : null }, label);
    if (cmp(before, spent) !== 0) findings.add('dp-ledger', { problem: 'before', before: show(before), spent: show(spent) }, label);
    if (cmp(add(before, charged), after) !== 0) findings.add('dp-ledger', { problem: 'after-sum', after: show(after) }, label);
    const afterTrue = add(spent, own ?? charged);
    if (cmp(afterTrue, total) > 0) findings.add('dp-ledger', { problem: 'overspent', spent: show(afterTrue), total: show(total) }, label);
    else if (cmp(after, t) > 0) findings.add('dp-ledger', { problem: 'beyond', after: show(after), total: show(t) }, label);
    spent = afterTrue;
  }
  return out;
}
