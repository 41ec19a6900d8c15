// Checks 2–4 (threshold, intervals, differencing) on hand-made releases.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Findings } from '../../scripts/audit/findings.js';
import type { Manifest } from '../../scripts/audit/format.js';
import { auditIntervals, roundDown, roundUp } from '../../scripts/audit/intervals.js';
import { LpSolver } from '../../scripts/audit/lp.js';
import { buildModel } from '../../scripts/audit/structure.js';
import {
  type DataSpec, type Keys, RECTANGLE, audit, codes, failureCodes, goodSeries, makeKeys, makeManifest, sign, spec3x3, writeFolder, cleanTemp,
} from './fixtures.js';

afterAll(cleanTemp);

let keys: Keys;
beforeAll(async () => {
  keys = await makeKeys();
});

const one = async (spec: DataSpec, o: Parameters<typeof makeManifest>[1] = {}, strict = false) =>
  audit({ dir: writeFolder(keys, [sign(makeManifest(spec, o), keys.publisher)]), strict, exact: true });

describe('threshold', () => {
  it('passes published zeros and counts ≥ k', async () => {
    const report = await one(spec3x3());
    expect(report.checks.threshold).toBe('pass');
  });

  it('catches a published count of 2 with k = 5', async () => {
    // PE-PUN/extortion becomes 2 and is published (only the rectangle is suppressed).
    const report = await one(spec3x3(RECTANGLE, { 'PE-PUN/extortion': 2 }));
    expect(failureCodes(report)).toContain('threshold');
    const f = report.findings.find((x) => x.code === 'threshold')!;
    expect(f.params).toMatchObject({ cell: 'incidentType=extortion, region=PE-PUN', count: 2, k: 5 });
  });
});

describe('intervals', () => {
  it('passes the rectangle protecting the one primary, with the exact intervals', async () => {
    const report = await one(spec3x3());
    expect(codes(report)).toEqual([]);
    const iv = report.releases[0]!.intervals!;
    expect(iv.suppressed).toBe(4);
    const byCell = Object.fromEntries(iv.narrowest.map((c) => [c.cell, [c.lo, c.hi]]));
    expect(byCell).toEqual({
      'incidentType=disappearance, region=PE-LMA': [0, 12],
      'incidentType=disappearance, region=PE-CUS': [0, 12],
      'incidentType=homicide, region=PE-LMA': [11, 23],
      'incidentType=homicide, region=PE-CUS': [5, 17],
    });
  });

  it('catches a suppressed cell recoverable from its row (the only one suppressed next to a published margin)', async () => {
    const report = await one(spec3x3([{ region: 'PE-LMA', incidentType: 'disappearance' }]));
    expect(failureCodes(report)).toEqual(['interval-pinned']);
    expect(report.findings[0]!.params).toMatchObject({ cell: 'incidentType=disappearance, region=PE-LMA', lo: 3, hi: 3 });
  });

  it('catches a pair in one row that the columns give away', async () => {
    const report = await one(spec3x3([{ region: 'PE-LMA', incidentType: 'disappearance' }, { region: 'PE-LMA', incidentType: 'homicide' }]));
    expect(failureCodes(report)).toEqual(['interval-pinned', 'interval-pinned']);
  });

  it('catches a suppressed margin recoverable through a linked table', async () => {
    // {region: PE-LMA} is suppressed in both tables that hold it, but {year: 2023, region: PE-LMA}
    // is the same count (year has one code) and is published... as is its own row of cells.
    const report = await one(spec3x3([...RECTANGLE, { region: 'PE-LMA' }]));
    expect(failureCodes(report)).toContain('interval-pinned');
    expect(report.findings.some((f) => f.params.cell === 'region=PE-LMA')).toBe(true);
  });

  it('catches a cell that can only be below k (hi < k)', async () => {
    // LMA/homicide becomes 1: the rectangle is 1, 3 / 8, 9, so both LMA cells lie in [0, 4].
    const report = await one(spec3x3(RECTANGLE, { 'PE-LMA/homicide': -19 }));
    expect(failureCodes(report)).toEqual(['interval-small', 'interval-small']);
    expect(report.findings.map((f) => [f.params.lo, f.params.hi])).toEqual([[0, 4], [0, 4]]);
  });

  it('warns about intervals narrower than the protection level, and fails on them with --strict', async () => {
    const lax = await one(spec3x3(), { protection: 13 });
    expect(codes(lax)).toEqual(['interval-narrow', 'interval-narrow']);
    expect(lax.ok).toBe(true);
    expect(lax.exitCode).toBe(0);
    const strict = await one(spec3x3(), { protection: 13 }, true);
    expect(strict.ok).toBe(false);
    expect(strict.exitCode).toBe(1);
  });

  it('catches published counts that contradict the margins', async () => {
    const m = makeManifest(spec3x3());
    const t0 = (m.tables as Array<{ cells: Array<{ key: Record<string, string>; count: number | null }> }>)[0]!;
    t0.cells.find((c) => c.key.region === 'PE-LMA' && c.key.incidentType === '*')!.count = 10; // was 35; 12 published in the row
    const report = await audit({ dir: writeFolder(keys, [sign(m, keys.publisher)]) });
    expect(failureCodes(report)).toEqual(expect.arrayContaining(['interval-infeasible', 'structure-inconsistent']));
  });

  it('uses hierarchies: a group published next to one suppressed member pins it', async () => {
    const spec: DataSpec = {
      domains: { region: ['PE-LMA', 'PE-CAL', 'PE-CUS', 'unknown'] },
      hierarchies: { region: { 'lima-callao': ['PE-LMA', 'PE-CAL'], sierra: ['PE-CUS'], unknown: ['unknown'] } },
      tables: [['region']],
      counts: { 'PE-LMA': 3, 'PE-CAL': 9, 'PE-CUS': 14, unknown: 0 },
      suppress: [{ region: 'PE-LMA' }],
    };
    const pinned = await one(spec);
    expect(failureCodes(pinned)).toEqual(['interval-pinned']);
    // Suppressing the group too leaves LMA in [0, 12]; the self-member group "unknown" is harmless.
    const ok = await one({ ...spec, suppress: [{ region: 'PE-LMA' }, { region: 'PE-CAL' }, { region: 'lima-callao' }, { region: 'PE-CUS' }, { region: 'sierra' }] });
    expect(codes(ok)).toEqual([]);
    const lma = ok.releases[0]!.intervals!.narrowest.find((c) => c.cell === 'region=PE-LMA')!;
    expect([lma.lo, lma.hi]).toEqual([0, 26]);
  });

  it('reads a domain listed at group level (members not published) without inventing relations', async () => {
    const spec: DataSpec = {
      domains: { region: ['lima-callao', 'sierra', 'selva'] },
      hierarchies: { region: { 'lima-callao': ['PE-LMA', 'PE-CAL'], sierra: ['PE-CUS', 'PE-PUN'], selva: ['PE-LOR'] } },
      tables: [['region']],
      counts: { 'PE-LMA': 20, 'PE-CAL': 9, 'PE-CUS': 3, 'PE-PUN': 4, 'PE-LOR': 11 },
      suppress: [{ region: 'sierra' }, { region: 'selva' }],
    };
    const report = await one(spec);
    expect(codes(report)).toEqual([]);
    const sierra = report.releases[0]!.intervals!.narrowest.find((c) => c.cell === 'region=sierra')!;
    expect([sierra.lo, sierra.hi]).toEqual([0, 18]);
  });

  it('treats a cell suppressed in one table but published in another as pinned', async () => {
    const m = makeManifest(spec3x3());
    const t2 = (m.tables as Array<{ dimensions: string[]; cells: Array<{ key: Record<string, string>; count: number | null; suppressed: boolean }> }>)[2]!;
    expect(t2.dimensions).toEqual(['incidentType']);
    const c = t2.cells.find((x) => x.key.incidentType === 'homicide')!;
    c.count = null;
    c.suppressed = true; // {incidentType: homicide} is still published as the margin of table 1
    const report = await audit({ dir: writeFolder(keys, [sign(m, keys.publisher)]) });
    expect(failureCodes(report)).toEqual(['interval-pinned']);
    expect(report.findings[0]!.params.reason).toBe('published-elsewhere');
  });

  it('rounds integer bounds with a 1e-6 tolerance', () => {
    expect(roundUp(2.0000001)).toBe(2);
    expect(roundUp(2.01)).toBe(3);
    expect(roundUp(-1e-9)).toBe(0);
    expect(roundDown(4.9999999)).toBe(5);
    expect(roundDown(4.99)).toBe(4);
    expect(roundUp(1234567.0000001)).toBe(1234567);
  });

  it('agrees with a brute-force enumeration of integer tables (random 3×3 tables, cells and margins suppressed)', async () => {
    const whole = await LpSolver.create();
    const local = await LpSolver.create();
    let seed = 7;
    const rand = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    const R = ['a', 'b', 'c'];
    const T = ['x', 'y', 'z'];
    try {
      for (let run = 0; run < 60; run++) {
        const grid = Array.from({ length: 9 }, () => Math.floor(rand() * 6));
        const counts: Record<string, number> = {};
        R.forEach((r, i) => T.forEach((t, j) => (counts[`${r}|${t}`] = grid[i * 3 + j]!)));
        const interior = R.flatMap((r) => T.map((t) => ({ r, t })));
        const chosen = interior.filter(() => rand() < 0.4).slice(0, 4);
        const rowsOff = R.filter(() => rand() < 0.25);
        const colsOff = T.filter(() => rand() < 0.25);
        const totalOff = rand() < 0.15;
        const spec: DataSpec = {
          domains: { r: R, t: T },
          tables: [['r', 't']],
          counts,
          suppress: [...chosen, ...rowsOff.map((r) => ({ r })), ...colsOff.map((t) => ({ t })), ...(totalOff ? [{}] : [])],
        };
        const manifest = makeManifest(spec) as unknown as Manifest;
        const findings = new Findings();
        const summary = auditIntervals(buildModel(manifest, findings, 'x'), manifest, { whole, local }, findings, 'x', { exact: true, narrowest: 100 });
        // Brute force: every assignment of the suppressed interior cells that keeps every published
        // margin; the suppressed margins follow from the interior.
        const idx = chosen.map(({ r, t }) => R.indexOf(r) * 3 + T.indexOf(t));
        const cap = grid.reduce((a, b) => a + b, 0) + 4;
        const g = [...grid];
        const rowSum = (i: number, v: number[]) => v[i * 3]! + v[i * 3 + 1]! + v[i * 3 + 2]!;
        const colSum = (j: number, v: number[]) => v[j]! + v[3 + j]! + v[6 + j]!;
        const quantities = () => [
          ...idx.map((c) => g[c]!),
          ...rowsOff.map((r) => rowSum(R.indexOf(r), g)),
          ...colsOff.map((t) => colSum(T.indexOf(t), g)),
          ...(totalOff ? [g.reduce((a, b) => a + b, 0)] : []),
        ];
        const names = [...chosen.map(({ r, t }) => `r=${r}, t=${t}`), ...rowsOff.map((r) => `r=${r}`), ...colsOff.map((t) => `t=${t}`), ...(totalOff ? ['total'] : [])];
        const lo = names.map(() => Infinity);
        const hi = names.map(() => -Infinity);
        const rec = (p: number) => {
          if (p === idx.length) {
            for (let i = 0; i < 3; i++) if (!rowsOff.includes(R[i]!) && rowSum(i, g) !== rowSum(i, grid)) return;
            for (let j = 0; j < 3; j++) if (!colsOff.includes(T[j]!) && colSum(j, g) !== colSum(j, grid)) return;
            if (!totalOff && g.reduce((a, b) => a + b, 0) !== grid.reduce((a, b) => a + b, 0)) return;
            quantities().forEach((v, q) => {
              lo[q] = Math.min(lo[q]!, v);
              hi[q] = Math.max(hi[q]!, v);
            });
            return;
          }
          for (let v = 0; v <= cap; v++) {
            g[idx[p]!] = v;
            rec(p + 1);
          }
          g[idx[p]!] = grid[idx[p]!]!;
        };
        rec(0);
        const got = Object.fromEntries(summary.narrowest.map((c) => [c.cell, [c.lo, c.hi]]));
        const published = (q: number) => hi[q] === lo[q] && idx.length === 0;
        names.forEach((name, q) => {
          if (published(q)) return;
          // An upper bound at the enumeration cap means unbounded.
          const want = [lo[q], hi[q]! >= cap ? null : hi[q]];
          expect(got[name], `run ${run} cell ${name}`).toEqual(want);
        });
      }
    } finally {
      whole.dispose();
      local.dispose();
    }
  });
});

describe('intervals in large components (neighbourhoods, values seen, warm starts)', () => {
  it('decide every cell as the exact LPs do, and never report a wrong interval', async () => {
    const whole = await LpSolver.create();
    const local = await LpSolver.create();
    let seed = 11;
    const rand = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    const A = ['a1', 'a2', 'a3', 'a4', 'a5'];
    const B = ['b1', 'b2', 'b3', 'b4', 'b5'];
    const C = ['c1', 'c2', 'c3', 'c4'];
    let largeRuns = 0;
    const routes = { seen: 0, local: 0, whole: 0 };
    try {
      for (let run = 0; run < 6; run++) {
        const counts: Record<string, number> = {};
        for (const a of A) for (const b of B) for (const c of C) counts[`${a}|${b}|${c}`] = Math.floor(Math.pow(rand(), 1.5) * 9);
        const spec: DataSpec = { domains: { a: A, b: B, c: C }, tables: [['a', 'b', 'c'], ['a', 'b']], counts, suppress: [] };
        // Suppress every count in 1..4, then random others.
        const probe = makeManifest(spec) as unknown as Manifest;
        for (const t of probe.tables) {
          for (const cell of t.cells) {
            if ((cell.count! >= 1 && cell.count! <= 4) || rand() < 0.15) spec.suppress.push(cell.key);
          }
        }
        const manifest = makeManifest(spec) as unknown as Manifest;
        const run1 = (opts: { exact: boolean; smallComponent?: number }) => {
          const findings = new Findings();
          const summary = auditIntervals(buildModel(manifest, findings, 'x'), manifest, { whole, local }, findings, 'x', { narrowest: 1e6, ...opts });
          return { findings, summary };
        };
        const exact = run1({ exact: true });
        const fast = run1({ exact: false, smallComponent: 0 });
        expect(fast.summary.largestComponent).toBe(exact.summary.largestComponent);
        if (fast.summary.largestComponent > 40) largeRuns++;
        const status = (fs: Findings) => {
          const out = new Map<string, string>();
          for (const f of fs.list) {
            if (f.code === 'interval-pinned' || f.code === 'interval-small') out.set(String(f.params.cell), 'fail');
            else if (f.code === 'interval-narrow') out.set(String(f.params.cell), 'warn');
          }
          return out;
        };
        expect(status(fast.findings)).toEqual(status(exact.findings));
        // Intervals: exact ones agree; "at least" ones lie inside the exact ones; enclosures contain them.
        const truth = new Map(exact.summary.narrowest.map((c) => [c.cell, c]));
        const fastAll = auditIntervals(buildModel(manifest, new Findings(), 'x'), manifest, { whole, local }, new Findings(), 'x', { narrowest: 0, exact: false, smallComponent: 0, keepAll: true });
        const failing = status(fast.findings);
        for (const c of fastAll.all!) {
          const t = truth.get(c.cell)!;
          if (c.exact) expect([c.lo, c.hi], c.cell).toEqual([t.lo, t.hi]);
          else if (failing.get(c.cell) === 'fail') {
            // An enclosure from a relaxation: the true interval lies inside.
            expect(c.lo <= t.lo && t.hi !== null && c.hi !== null && t.hi <= c.hi, c.cell).toBe(true);
          } else {
            // "At least": values actually reachable, inside the true interval.
            expect(t.lo <= c.lo && (t.hi === null || (c.hi !== null && c.hi <= t.hi)), c.cell).toBe(true);
          }
        }
        routes.seen += fastAll.provenWithoutLp;
        routes.local += fastAll.decidedLocally;
        routes.whole += fastAll.solvedOnWholeComponent;
      }
    } finally {
      whole.dispose();
      local.dispose();
    }
    expect(largeRuns).toBeGreaterThan(0);
    expect(routes.seen).toBeGreaterThan(0);
    expect(routes.local).toBeGreaterThan(0);
    expect(routes.whole).toBeGreaterThan(0);
  });
});

describe('differencing', () => {
  it('passes consecutive releases whose common cells change by 0 or ≥ k', async () => {
    const report = await audit({ dir: writeFolder(keys, goodSeries(keys, 3)) });
    expect(report.checks.differencing).toBe('pass');
    expect(report.differencing).toMatchObject({ pairs: 2, violations: 0 });
  });

  it('catches a 1-incident difference between two consecutive releases', async () => {
    const e1 = sign(makeManifest(spec3x3()), keys.publisher);
    const e2 = sign(makeManifest(spec3x3(RECTANGLE, { 'PE-CUS/extortion': 1 }), { sequence: 2, previousHash: e1.hash }), keys.publisher);
    const report = await audit({ dir: writeFolder(keys, [e1, e2]) });
    expect(failureCodes(report).every((c) => c === 'differencing')).toBe(true);
    const cells = report.findings.map((f) => f.params.cell).sort();
    // The cell itself, its row, its column and the totals: every published count that moved by 1.
    expect(cells).toEqual(expect.arrayContaining(['incidentType=extortion, region=PE-CUS', 'region=PE-CUS', 'incidentType=extortion', 'total']));
    expect(report.findings[0]!).toMatchObject({ release: 'anual-2', params: { from: 'anual-1', k: 5 } });
  });
});
