// disclosure.ts — guarantees 5 (global intervals) and 6 (net changes) of docs/release-format.md,
// over the whole publication log at once: what an attacker holding every entry can compute.
//
// Guarantees:
// - The system is the documented one (system.ts builds its parts): a variable x(slice, c) ≥ 0 for
//   every slice and every coordinates c; every relation at every slice; every published count of
//   every entry, signed or not (DP entries: their invariants); between consecutive versions v − 1
//   and v of a year marked "additions", x(v, c) − x(v − 1, c) = a ≥ 0 for every c. For a "changes"
//   step the document's a and w are free apart from x(v) − x(v − 1) = a − w, which links nothing
//   (any two non-negative values have such a and w), so the step adds no row — and a, w are never
//   provably small there (a + t, w + t is feasible for every t ≥ 0): only the net change can be.
//   For an "additions" step w = 0 and a IS the net change; both are checked as net changes.
// - Checked, each with the k (and p) of docs/release-format.md, "Protected quantities":
//   * every suppressed cell: failure when hi < k (interval-small, which includes a cell provably
//     in 1..k−1 and a cell provably 0); failure when it was pinned (lo = hi) already when the entry
//     hiding it was made — a cell pinned only by LATER entries, at a value ≥ k, is allowed
//     (interval-pinned, decided on the model of the log up to that entry); warning when its
//     interval reaches into 1..k−1 and is narrower than p (interval-narrow);
//   * every variable x(slice, c) nobody published: failure when provably in 1..k−1 (hidden-small);
//   * every net change of one coordinates between two versions of a year, and of a year-set
//     quantity between two version vectors that appear in the log: failure when provably in
//     1..k−1 or in −(k−1)..−1 (change-small).
// - Every verdict is proven (intervals.ts): a pass by feasible points, a failure by a relaxation or
//   exact LPs. An inconsistent published count (structure-inconsistent) is reported and left out;
//   quantities in a part of the system without solution are reported as interval-infeasible.
import type { Findings } from './findings.js';
import { type EngineStats, type Expr, type Range, type Row, type System, computeIntervals } from './intervals.js';
import { type GlobalModel, type LogManifest, type SuppressedQuantity, buildModel, coordRecord, displayCoord, displaySlices, protectionOf } from './system.js';

export interface NarrowInterval {
  quantity: string;
  lo: number;
  /** null: no upper bound. */
  hi: number | null;
  width: number | null;
  exact: boolean;
}

export interface GlobalSummary {
  slices: Array<{ year: string; version: number; since: 'additions' | 'changes' | null }>;
  coordinates: number;
  variables: number;
  relations: number;
  publishedCounts: number;
  additionsLinks: number;
  checked: { suppressed: number; hidden: number; changes: number; yearSetChanges: number };
  failed: { suppressed: number; pinned: number; hidden: number; changes: number; infeasible: number; errors: number };
  narrow: number;
  engine: EngineStats;
  /** Prefix models rebuilt to decide interval-pinned. */
  prefixChecks: number;
  /** The narrowest ranges among the hidden cells whose range was computed exactly (all with --exact). */
  narrowest: NarrowInterval[];
  /** How many hidden cells have an exact range (the pool `narrowest` is taken from). */
  exactRanges: number;
  ms: number;
}

export interface GlobalOptions {
  exact: boolean;
  narrowest: number;
  minK: number;
  progress?: (status: string) => void;
  /** Also return every target's range (tests). */
  keepAll?: boolean;
}

type Kind = 'suppressed' | 'hidden' | 'change';

interface Target {
  kind: Kind;
  expr: Expr;
  k: number;
  p: number;
  /** Display of the quantity or change. */
  what: string;
  /** Suppressed cells: the quantity. */
  cell?: SuppressedQuantity;
  /** Changes: the year(s) and the two version vectors. */
  change?: { coord: string; from: string; to: string };
}

interface TagInfo {
  kind: 'relation' | 'published' | 'additions';
  slices: number[];
  coord: number;
}

export interface BuiltSystem {
  system: System;
  tags: TagInfo[];
  /** What a row is about, in words (for findings). */
  tagText: (t: TagInfo) => string;
  varOf: (slice: number, coord: number) => number;
  additionsLinks: number;
  publishedCounts: number;
}

/** The documented linear system of a model. */
export function buildSystem(model: GlobalModel): BuiltSystem {
  const S = model.slices.length;
  const C = model.coords.length;
  const varOf = (s: number, c: number) => s * C + c;
  const n = S * C;
  const fixed = new Float64Array(n).fill(NaN);
  const rows: Row[] = [];
  const tags: TagInfo[] = [];
  const tag = (kind: TagInfo['kind'], slices: number[], coord: number) => {
    tags.push({ kind, slices, coord });
    return tags.length - 1;
  };
  const tagText = (t: TagInfo) => {
    const coord = displayCoord(model.coords[t.coord]!);
    if (t.kind === 'additions') {
      const sl = model.slices[t.slices[0]!]!;
      return `${coord}: ${sl.year} v${sl.version - 1} → v${sl.version}`;
    }
    const q =
      t.kind === 'published'
        ? model.published.get(`${t.slices.map((s) => `${model.slices[s]!.year}@${model.slices[s]!.version}`).join('+')}|${model.coords[t.coord]}`)
        : undefined;
    return `${displaySlices(model, t.slices)} · ${coord}${q ? ` = ${q.value}` : ''}`;
  };
  // Relations at every slice.
  model.relations.forEach((r) => {
    const coef = new Map<number, number>([[r.parent, 1]]);
    for (const c of r.children) coef.set(c, (coef.get(c) ?? 0) - 1);
    const terms = [...coef].filter(([, a]) => a !== 0);
    if (terms.length === 0) return;
    for (let s = 0; s < S; s++) {
      rows.push({
        vars: terms.map(([c]) => varOf(s, c)),
        coefs: terms.map(([, a]) => a),
        rhs: 0,
        tag: tag('relation', [s], r.parent),
      });
    }
  });
  // Published counts.
  let publishedCounts = 0;
  for (const q of model.published.values()) {
    publishedCounts++;
    if (q.slices.length === 1) fixed[varOf(q.slices[0]!, q.coord)] = q.value;
    else {
      rows.push({
        vars: q.slices.map((s) => varOf(s, q.coord)),
        coefs: q.slices.map(() => 1),
        rhs: q.value,
        tag: tag('published', q.slices, q.coord),
      });
    }
  }
  // Additions: x(v) − x(v − 1) ≥ 0 for every coordinates.
  let additionsLinks = 0;
  model.slices.forEach((sl, s) => {
    if (sl.since !== 'additions') return;
    const prev = model.sliceIndex.get(`${sl.year}@${sl.version - 1}`);
    if (prev === undefined) return; // a version gap, reported by the versions check
    additionsLinks++;
    for (let c = 0; c < C; c++) {
      rows.push({
        vars: [varOf(s, c), varOf(prev, c)],
        coefs: [1, -1],
        rhs: 0,
        ge: true,
        tag: tag('additions', [s], c),
      });
    }
  });
  return { system: { n, fixed, rows }, tags, tagText, varOf, additionsLinks, publishedCounts };
}

// --- verdicts ------------------------------------------------------------------------------------

/** A predicate increasing in lo and decreasing in hi is known when its extremes agree. */
const known = (f: (lo: number, hi: number) => boolean, r: Range) => f(r.loMin, r.hiMax) === f(r.loMax, r.hiMin);
const provablySmall = (k: number) => (lo: number, hi: number) => lo >= 1 && hi <= k - 1;
const changeSmall = (k: number) => (lo: number, hi: number) => (lo >= 1 && hi <= k - 1) || (lo >= -(k - 1) && hi <= -1);

function suppressedVerdict(t: Target, r: Range): { decided: boolean; small: boolean; pinned: boolean; narrow: boolean } {
  const { k, p } = t;
  if (r.hiMax < k) return { decided: true, small: true, pinned: false, narrow: false };
  if (r.hiMin < k) return { decided: false, small: false, pinned: false, narrow: false };
  // hi ≥ k for sure: pinned? narrow?
  const notPinned = r.hiMin > r.loMax;
  const pinned = r.hiMax <= r.loMin;
  const notNarrow = r.loMin >= k || r.hiMin - r.loMax >= p;
  const narrow = r.loMax <= k - 1 && r.hiMax - r.loMin < p;
  return { decided: (notPinned || pinned) && (notNarrow || narrow), small: false, pinned, narrow: narrow && !pinned };
}

function decide(t: Target, r: Range): boolean {
  if (t.kind === 'suppressed') return suppressedVerdict(t, r).decided;
  if (t.kind === 'hidden') return known(provablySmall(t.k), r);
  return known(changeSmall(t.k), r);
}

// --- the audit -----------------------------------------------------------------------------------

function targetsOf(model: GlobalModel, built: BuiltSystem): { targets: Target[]; counts: GlobalSummary['checked'] } {
  const { varOf } = built;
  const targets: Target[] = [];
  const counts = { suppressed: 0, hidden: 0, changes: 0, yearSetChanges: 0 };
  const S = model.slices.length;
  const C = model.coords.length;
  const suppressedVar = new Set<number>();
  for (const q of model.suppressed.values()) {
    counts.suppressed++;
    if (q.slices.length === 1) suppressedVar.add(varOf(q.slices[0]!, q.coord));
    targets.push({
      kind: 'suppressed',
      expr: { vars: q.slices.map((s) => varOf(s, q.coord)), coefs: q.slices.map(() => 1) },
      k: q.k,
      p: q.p,
      what: `${displaySlices(model, q.slices)} · ${displayCoord(model.coords[q.coord]!)}`,
      cell: q,
    });
  }
  for (let s = 0; s < S; s++) {
    for (let c = 0; c < C; c++) {
      const v = varOf(s, c);
      if (!Number.isNaN(built.system.fixed[v]!) || suppressedVar.has(v)) continue;
      counts.hidden++;
      const { k, p } = protectionOf(model, c);
      targets.push({ kind: 'hidden', expr: { vars: [v], coefs: [1] }, k, p, what: `${displaySlices(model, [s])} · ${displayCoord(model.coords[c]!)}` });
    }
  }
  // Net changes of one year, between every two of its versions.
  const byYear = new Map<string, number[]>();
  model.slices.forEach((sl, s) => byYear.set(sl.year, [...(byYear.get(sl.year) ?? []), s]));
  for (const [year, slices] of byYear) {
    for (let i = 0; i < slices.length; i++) {
      for (let j = i + 1; j < slices.length; j++) {
        const a = slices[i]!;
        const b = slices[j]!;
        for (let c = 0; c < C; c++) {
          counts.changes++;
          const { k, p } = protectionOf(model, c);
          const coord = displayCoord(model.coords[c]!);
          targets.push({
            kind: 'change',
            expr: { vars: [varOf(b, c), varOf(a, c)], coefs: [1, -1] },
            k,
            p,
            what: `${coord}: ${year} v${model.slices[a]!.version} → v${model.slices[b]!.version}`,
            change: { coord, from: `${year} v${model.slices[a]!.version}`, to: `${year} v${model.slices[b]!.version}` },
          });
        }
      }
    }
  }
  // Net changes of year-set quantities between version vectors that differ in two years or more.
  for (const g of model.yearSets.values()) {
    for (let i = 0; i < g.vectors.length; i++) {
      for (let j = i + 1; j < g.vectors.length; j++) {
        const a = g.vectors[i]!.slices;
        const b = g.vectors[j]!.slices;
        const differ = a.map((s, t) => [s, b[t]!] as const).filter(([x, y]) => x !== y);
        if (differ.length < 2) continue; // the same as a one-year change, checked above
        for (const c of g.coords) {
          counts.yearSetChanges++;
          const cs = model.coords[c]!;
          const ka = model.quantityK.get(`${a.map((s) => `${model.slices[s]!.year}@${model.slices[s]!.version}`).join('+')}|${cs}`);
          const kb = model.quantityK.get(`${b.map((s) => `${model.slices[s]!.year}@${model.slices[s]!.version}`).join('+')}|${cs}`);
          const k = Math.max(ka?.k ?? 0, kb?.k ?? 0) || protectionOf(model, c).k;
          const p = Math.max(ka?.p ?? 0, kb?.p ?? 0) || protectionOf(model, c).p;
          const coord = displayCoord(cs);
          targets.push({
            kind: 'change',
            expr: { vars: differ.flatMap(([x, y]) => [varOf(y, c), varOf(x, c)]), coefs: differ.flatMap(() => [1, -1]) },
            k,
            p,
            what: `${coord}: ${displaySlices(model, a)} → ${displaySlices(model, b)}`,
            change: { coord, from: displaySlices(model, a), to: displaySlices(model, b) },
          });
        }
      }
    }
  }
  return { targets, counts };
}

export interface GlobalResult {
  summary: GlobalSummary;
  /** With keepAll: every target's kind, display, range, and its terms Σ coef · x(year, version, coord). */
  all?: Array<{
    kind: Kind;
    what: string;
    range: Range;
    k: number;
    infeasible: boolean;
    terms: Array<{ year: string; version: number; coord: Record<string, string>; coef: number }>;
  }>;
}

export async function auditGlobal(entries: readonly LogManifest[], findings: Findings, opts: GlobalOptions): Promise<GlobalResult> {
  const started = performance.now();
  const labelOf = new Map(entries.map((e) => [e.index, e.label] as const));
  const model = buildModel(entries, findings, { minK: opts.minK });
  const built = buildSystem(model);
  const { targets, counts } = targetsOf(model, built);
  opts.progress?.(
    `global model: ${model.slices.length} data versions × ${model.coords.length} coordinates, ${built.system.rows.length} equations, ${targets.length} quantities to check`,
  );
  const result = await computeIntervals(
    built.system,
    targets.map((t) => t.expr),
    (i, r) => decide(targets[i]!, r),
    {
      exact: opts.exact,
      progress: opts.progress,
    },
  );
  for (const tagIndex of result.inconsistentTags.slice(0, 20)) {
    const t = built.tags[tagIndex]!;
    findings.add('structure-inconsistent', { cell: built.tagText(t), problem: t.kind });
  }
  if (result.inconsistentTags.length > 20) findings.add('structure-inconsistent', { cell: '…', problem: 'more', count: result.inconsistentTags.length - 20 });

  const summary: GlobalSummary = {
    slices: model.slices.map((s) => ({ ...s })),
    coordinates: model.coords.length,
    variables: built.system.n,
    relations: model.relations.length * model.slices.length,
    publishedCounts: built.publishedCounts,
    additionsLinks: built.additionsLinks,
    checked: counts,
    failed: { suppressed: 0, pinned: 0, hidden: 0, changes: 0, infeasible: 0, errors: 0 },
    narrow: 0,
    engine: result.stats,
    prefixChecks: 0,
    narrowest: [],
    exactRanges: 0,
    ms: 0,
  };
  // A hidden cell's findings go to the latest entry hiding it; every entry hiding it is listed.
  const entryLabel = (q: SuppressedQuantity) => labelOf.get(Math.max(...q.entries)) ?? `#${Math.max(...q.entries)}`;
  const hiddenBy = (q: SuppressedQuantity) => [...q.entries].sort((a, b) => a - b).map((e) => labelOf.get(e) ?? `#${e}`);
  const hiOf = (v: number) => (Number.isFinite(v) ? v : null);
  const narrowCandidates: NarrowInterval[] = [];
  const pinnedLater: Target[] = [];
  let infeasibleCount = 0;
  let infeasibleExample = '';

  targets.forEach((t, i) => {
    const r = result.ranges[i]!;
    if (result.infeasible[i]) {
      infeasibleCount++;
      infeasibleExample ||= t.what;
      return;
    }
    const err = result.errors.get(i);
    if (err !== undefined) {
      summary.failed.errors++;
      findings.add('interval-error', { cell: t.what, problem: err });
      return;
    }
    const exact = r.loMin === r.loMax && r.hiMin === r.hiMax;
    if (t.kind === 'suppressed') {
      const v = suppressedVerdict(t, r);
      if (exact)
        narrowCandidates.push({ quantity: t.what, lo: r.loMin, hi: hiOf(r.hiMax), width: Number.isFinite(r.hiMax) ? r.hiMax - r.loMin : null, exact: true });
      if (v.small) {
        summary.failed.suppressed++;
        findings.add('interval-small', { cell: t.what, lo: r.loMin, hi: r.hiMax, k: t.k, exact, hiddenBy: hiddenBy(t.cell!) }, entryLabel(t.cell!));
      } else if (v.pinned) pinnedLater.push(t);
      else if (v.narrow) {
        summary.narrow++;
        findings.add(
          'interval-narrow',
          { cell: t.what, lo: r.loMin, hi: hiOf(r.hiMax), width: r.hiMax - r.loMin, protection: t.p, hiddenBy: hiddenBy(t.cell!) },
          entryLabel(t.cell!),
        );
      }
      return;
    }
    if (t.kind === 'hidden') {
      if (provablySmall(t.k)(r.loMin, r.hiMax)) {
        summary.failed.hidden++;
        findings.add('hidden-small', { cell: t.what, lo: r.loMin, hi: r.hiMax, k: t.k, exact });
      }
      return;
    }
    if (changeSmall(t.k)(r.loMin, r.hiMax)) {
      summary.failed.changes++;
      findings.add('change-small', { cell: t.change!.coord, from: t.change!.from, to: t.change!.to, lo: r.loMin, hi: r.hiMax, k: t.k, exact });
    }
  });
  if (infeasibleCount > 0) {
    summary.failed.infeasible = infeasibleCount;
    findings.add('interval-infeasible', { cells: infeasibleCount, example: infeasibleExample });
  }

  // Suppressed cells pinned at a value ≥ k: were they pinned already when hidden?
  const byIndex = new Map<number, Target[]>();
  for (const t of pinnedLater) {
    const last = Math.max(...t.cell!.entries);
    byIndex.set(last, [...(byIndex.get(last) ?? []), t]);
  }
  for (const [index, ts] of [...byIndex].sort((a, b) => a[0] - b[0])) {
    summary.prefixChecks++;
    const prefix = entries.filter((e) => e.index <= index);
    const pm = buildModel(prefix, findings, { minK: opts.minK, report: false });
    const pb = buildSystem(pm);
    const exprs: Expr[] = [];
    const which: Target[] = [];
    for (const t of ts) {
      const q = pm.suppressed.get(t.cell!.id) ?? pm.published.get(t.cell!.id);
      const pq = pm.suppressed.get(t.cell!.id);
      if (!pq || !q) continue;
      exprs.push({ vars: pq.slices.map((s) => pb.varOf(s, pq.coord)), coefs: pq.slices.map(() => 1) });
      which.push(t);
    }
    const pr = await computeIntervals(pb.system, exprs, () => false, { exact: true });
    which.forEach((t, i) => {
      const r = pr.ranges[i]!;
      if (pr.infeasible[i] || pr.errors.has(i)) return;
      if (r.loMin === r.hiMax) {
        summary.failed.pinned++;
        const elsewhere = pm.published.has(t.cell!.id);
        findings.add(
          'interval-pinned',
          { cell: t.what, lo: r.loMin, hi: r.hiMax, reason: elsewhere ? 'published-elsewhere' : 'derived' },
          labelOf.get(index) ?? `#${index}`,
        );
      }
    });
  }

  summary.exactRanges = narrowCandidates.length;
  const width = (c: NarrowInterval) => (c.width === null ? Infinity : c.width);
  summary.narrowest = narrowCandidates.sort((a, b) => width(a) - width(b) || a.lo - b.lo || (a.quantity < b.quantity ? -1 : 1)).slice(0, opts.narrowest);
  summary.ms = Math.round(performance.now() - started);
  const out: GlobalResult = { summary };
  if (opts.keepAll) {
    const C = model.coords.length;
    out.all = targets.map((t, i) => ({
      kind: t.kind,
      what: t.what,
      range: result.ranges[i]!,
      k: t.k,
      infeasible: !!result.infeasible[i],
      terms: t.expr.vars.map((v, j) => {
        const sl = model.slices[Math.floor(v / C)]!;
        return { year: sl.year, version: sl.version, coord: coordRecord(model.coords[v % C]!), coef: t.expr.coefs[j]! };
      }),
    }));
  }
  return out;
}
