// bench.ts — `npm run bench:audit`: times the auditor's exact global audit on a whole publication
// log: many series over the same years, linked tables with margins, data versions.
//
//   npm run bench:audit [-- --dir DIR] [--exact] [--keep DIR] [--seed N] [--unsafe]
//
// Guarantees: without --dir, builds a synthetic log in the format of docs/release-format.md
// (version 2) — made here from true counts, NOT by the server's code — signs its releases with a
// throw-away key, writes the folder layout and runs the full audit on it; with --dir, audits that
// folder instead (e.g. the server's own benchmark output). Prints one JSON object with the time of
// each part, the size of the model and the work the interval engine did. It is a measurement, not
// a check: its findings are counted, not asserted.
//
// The synthetic log: 3 years, 10 series (single-year, two- and three-year, a DP series, a draft),
// 16 entries and about 40,000 cells, over tables of 3 and 4 dimensions with all margins. Data
// versions: 2023 and 2024 get late reports ("additions"), 2025 an amendment ("changes"). Safe by
// construction: outside two regions every combination counts 0 or at least k, and late reports or
// amendments come in batches of k identical incidents, so no published count or change is small;
// every cell of the two regions (one with small counts, one with at least k everywhere) is hidden
// in every table, at every version, in every series. With --unsafe, late reports come one by one
// and only counts in 1..k−1 are hidden (no secondary cells): a log full of failures, the hard case
// for the engine, which must prove each one.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { canonicalJson, generateSigningKeyPair, ready, sha256Hex, signDetached } from '../../crypto/index.js';
import { runAudit } from './audit.js';

const arg = (name: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
};

function rng(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const K = 5;
const DIMS: Record<string, string[]> = {
  incidentType: [
    'homicide',
    'disappearance',
    'attempted-homicide',
    'kidnapping',
    'extortion',
    'threat',
    'physical-assault',
    'sexual-violence',
    'trafficking',
    'state-abuse',
    'other',
  ],
  perpetratorType: ['criminal-organisation', 'client', 'police', 'municipal-security', 'partner-acquaintance', 'other', 'unknown'],
  region: [
    'PE-LMA',
    'PE-CAL',
    'PE-LIM',
    'PE-AMA',
    'PE-ANC',
    'PE-APU',
    'PE-ARE',
    'PE-AYA',
    'PE-CAJ',
    'PE-CUS',
    'PE-HUV',
    'PE-HUC',
    'PE-ICA',
    'PE-JUN',
    'PE-LAL',
    'PE-LAM',
    'PE-LOR',
    'PE-MDD',
    'PE-MOQ',
    'PE-PAS',
    'PE-PIU',
    'PE-PUN',
    'PE-SAM',
    'PE-TAC',
    'PE-TUM',
    'PE-UCA',
  ],
  victimAgeBand: ['under-18', '18-24', '25-34', '35-44', '45-plus', 'unknown'],
  victimGender: ['cis-woman', 'trans-woman', 'man', 'non-binary', 'unknown'],
};
const ORDER = Object.keys(DIMS).sort();
/** Hidden everywhere: a region with at least k in every combination, and one with small counts. */
const DENSE = 'PE-LMA';
const SMALL = 'PE-MDD';

const T1 = ['year', 'region', 'incidentType'];
const T2 = ['year', 'region', 'victimGender'];
const T3 = ['year', 'incidentType', 'victimGender', 'perpetratorType'];
const T4 = ['year', 'region', 'perpetratorType'];
const T5 = ['year', 'incidentType', 'victimAgeBand', 'victimGender'];
const T6 = ['year', 'region', 'incidentType', 'victimGender'];

type Counts = Map<string, number>; // full combination "code|code|…" (ORDER) → count

function allCombos(): string[][] {
  let out: string[][] = [[]];
  for (const d of ORDER) out = out.flatMap((c) => DIMS[d]!.map((v) => [...c, v]));
  return out;
}

function baseYear(r: () => number): Counts {
  const counts: Counts = new Map();
  const regionAt = ORDER.indexOf('region');
  const combos = allCombos();
  for (const c of combos) {
    const region = c[regionAt]!;
    if (region === DENSE) counts.set(c.join('|'), K + Math.floor(r() * 5));
    else if (region === SMALL) {
      if (r() < 0.012) counts.set(c.join('|'), 1 + Math.floor(r() * (K - 1)));
    } else if (r() < 0.035) counts.set(c.join('|'), K + Math.floor(r() * 8));
  }
  return counts;
}

const UNSAFE = process.argv.includes('--unsafe');

/** Late reports: batches of k identical incidents (one by one with --unsafe). */
function additions(prev: Counts, r: () => number, batches: number): Counts {
  const next = new Map(prev);
  const combos = allCombos();
  for (let b = 0; b < batches; b++) {
    const c = combos[Math.floor(r() * combos.length)]!.join('|');
    next.set(c, (next.get(c) ?? 0) + (UNSAFE ? 1 : K));
  }
  return next;
}

/** An amendment: batches of k incidents move from one combination to another. */
function changes(prev: Counts, r: () => number, batches: number): Counts {
  const next = new Map(prev);
  const regionAt = ORDER.indexOf('region');
  const movable = [...prev].filter(([c, n]) => n >= 2 * K && c.split('|')[regionAt] !== DENSE).map(([c]) => c);
  const combos = allCombos();
  for (let b = 0; b < batches && movable.length; b++) {
    const from = movable.splice(Math.floor(r() * movable.length), 1)[0]!;
    next.set(from, next.get(from)! - K);
    const to = combos[Math.floor(r() * combos.length)]!.join('|');
    next.set(to, (next.get(to) ?? 0) + K);
  }
  return next;
}

interface Spec {
  series: string;
  years: Record<string, number>;
  tables: string[][];
  dp?: boolean;
  draft?: boolean;
}

function table(data: Record<string, Counts[]>, versions: Record<string, number>, dims: string[], dp: boolean): { dimensions: string[]; cells: object[] } {
  const years = Object.keys(versions).sort();
  const others = dims.filter((d) => d !== 'year');
  const pos = others.map((d) => ORDER.indexOf(d));
  // Every generalisation of every non-zero combination, per year code and for '*'.
  const sums = new Map<string, number>();
  for (const y of years) {
    for (const [combo, n] of data[y]![versions[y]! - 1]!) {
      const codes = combo.split('|');
      const mine = pos.map((p) => codes[p]!);
      for (let mask = 0; mask < 1 << others.length; mask++) {
        const key = mine.map((c, i) => (mask & (1 << i) ? '*' : c)).join('|');
        for (const yk of dims.includes('year') ? [y, '*'] : ['*']) sums.set(`${yk}#${key}`, (sums.get(`${yk}#${key}`) ?? 0) + n);
      }
    }
  }
  const cells: object[] = [];
  const rec = (i: number, key: Record<string, string>) => {
    if (i === dims.length) {
      const yk = dims.includes('year') ? key.year! : '*';
      const count = sums.get(`${yk}#${others.map((d) => key[d]).join('|')}`) ?? 0;
      const hidden = !dp && (UNSAFE ? count >= 1 && count < K : key.region === DENSE || key.region === SMALL);
      cells.push(dp ? { key: { ...key }, count, suppressed: false, errorMargin90: 5 } : { key: { ...key }, count: hidden ? null : count, suppressed: hidden });
      return;
    }
    const d = dims[i]!;
    for (const c of ['*', ...(d === 'year' ? years : DIMS[d]!)]) rec(i + 1, { ...key, [d]: c });
  };
  rec(0, {});
  return { dimensions: dims, cells };
}

export function syntheticLog(seed = 1): { entries: Array<{ manifest: Record<string, unknown>; draft: boolean }>; cells: number } {
  const r = rng(seed);
  const data: Record<string, Counts[]> = {};
  for (const y of ['2023', '2024', '2025']) data[y] = [baseYear(r)];
  data['2023']!.push(additions(data['2023']![0]!, r, 40));
  data['2024']!.push(additions(data['2024']![0]!, r, 40));
  data['2025']!.push(changes(data['2025']![0]!, r, 12));
  const since: Record<string, Array<'additions' | 'changes' | null>> = { '2023': [null, 'additions'], '2024': [null, 'additions'], '2025': [null, 'changes'] };
  const specs: Spec[] = [
    { series: 'anual-2023', years: { '2023': 1 }, tables: [T1, T2, T3] },
    { series: 'anual-2024', years: { '2024': 1 }, tables: [T1, T2, T3] },
    { series: 'acumulado', years: { '2023': 1, '2024': 1 }, tables: [T1, T4] },
    { series: 'regiones', years: { '2023': 1 }, tables: [T6] },
    { series: 'perfiles', years: { '2024': 1 }, tables: [T5, T3] },
    { series: 'anual-2023', years: { '2023': 2 }, tables: [T1, T2, T3] },
    { series: 'trienal', years: { '2023': 2, '2024': 1, '2025': 1 }, tables: [T1, T2, T4] },
    { series: 'anual-2025', years: { '2025': 1 }, tables: [T1, T2, T3] },
    { series: 'regiones', years: { '2024': 2 }, tables: [T6] },
    { series: 'perpetradores', years: { '2025': 1 }, tables: [T4, T3] },
    { series: 'tendencias', years: { '2023': 2, '2024': 2, '2025': 1 }, tables: [T1], dp: true },
    { series: 'anual-2024', years: { '2024': 2 }, tables: [T1, T2, T3] },
    { series: 'acumulado', years: { '2023': 2, '2024': 2 }, tables: [T1, T4] },
    { series: 'anual-2025', years: { '2025': 2 }, tables: [T1, T2, T3], draft: true },
    { series: 'anual-2025', years: { '2025': 2 }, tables: [T1, T2, T3] },
    { series: 'bienal', years: { '2024': 2, '2025': 2 }, tables: [T6] },
  ];
  const entries: Array<{ manifest: Record<string, unknown>; draft: boolean }> = [];
  let cells = 0;
  specs.forEach((s, i) => {
    const years = Object.keys(s.years).sort();
    const tables = s.tables.map((t) => table(data, s.years, t, !!s.dp));
    cells += tables.reduce((n, t) => n + t.cells.length, 0);
    const manifest: Record<string, unknown> = {
      type: 'contamos-release',
      formatVersion: 2,
      series: s.series,
      publication: { index: i + 1 },
      publishedOn: `2026-${String(1 + Math.floor(i / 28)).padStart(2, '0')}-${String(1 + (i % 28)).padStart(2, '0')}`,
      taxonomyVersion: '2026.1',
      request: { series: s.series, filter: { years: years.map(Number) }, tables: s.tables },
      method: s.dp ? 'dp' : 'suppression',
      ...(s.dp ? {} : { k: K, protection: K }),
      data: years.map((y) => ({ year: Number(y), version: s.years[y]!, since: since[y]![s.years[y]! - 1]!, heldBack: false })),
      hierarchies: {},
      domains: { year: years, ...DIMS },
      merkle: { scheme: 'contamos-smt-sha256', root: sha256Hex(`bench-${i}`) },
      tables,
    };
    if (s.dp) {
      manifest.dp = {
        mechanism: 'discrete-gaussian',
        rho: '1/2',
        sigma2: 8,
        m: 8,
        keepTotal: true,
        invariants: ['total'],
        errorMargin90: 5,
        ledger: { scope: 'server', unit: 'rho', total: '2', spentBefore: '0', spentAfter: '1/2', charged: '1/2' },
      };
    }
    entries.push({ manifest, draft: !!s.draft });
  });
  return { entries, cells };
}

/** Fills ids, sequences and both chains, signs, and writes the folder layout. */
function writeFolder(dir: string, log: ReturnType<typeof syntheticLog>): void {
  const key = { ...generateSigningKeyPair(), keyId: 'publisher-bench' };
  mkdirSync(path.join(dir, 'publications'), { recursive: true });
  mkdirSync(path.join(dir, 'releases'), { recursive: true });
  writeFileSync(path.join(dir, 'contamos.json'), JSON.stringify({ publishers: [{ keyId: key.keyId, publicKey: key.publicKey }] }));
  const signed = new Map<string, { n: number; hash: string | null }>();
  const items: object[] = [];
  const releases: object[] = [];
  let previous: string | null = null;
  log.entries.forEach(({ manifest: m, draft }, i) => {
    const s = signed.get(m.series as string) ?? { n: 0, hash: null };
    const full: Record<string, unknown> = {
      ...m,
      id: `${m.series}-${s.n + 1}`,
      sequence: s.n + 1,
      previousHash: s.hash,
      publication: { index: i + 1, previousHash: previous },
    };
    const canonical = canonicalJson(full);
    const hash = sha256Hex(canonical);
    const signature = draft ? null : { keyId: key.keyId, alg: 'ed25519', value: signDetached(canonical, key.secretKey) };
    writeFileSync(path.join(dir, 'publications', `${i + 1}.json`), JSON.stringify({ manifest: full, hash, signature }));
    items.push({ index: i + 1, id: full.id, series: full.series, sequence: full.sequence, kind: draft ? 'draft' : 'release', hash });
    if (!draft) {
      writeFileSync(path.join(dir, 'releases', `${String(full.id)}.json`), JSON.stringify({ manifest: full, hash, signature }));
      releases.push({ id: full.id, series: full.series, sequence: full.sequence, hash, publishedOn: full.publishedOn, index: i + 1 });
      signed.set(m.series as string, { n: s.n + 1, hash });
    }
    previous = hash;
  });
  writeFileSync(path.join(dir, 'publications.json'), JSON.stringify({ items }));
  writeFileSync(path.join(dir, 'releases.json'), JSON.stringify({ items: releases }));
}

async function bench(): Promise<void> {
  await ready();
  const t0 = performance.now();
  let dir = arg('dir');
  let cells: number | null = null;
  let generateMs = 0;
  let writeMs = 0;
  if (!dir) {
    const log = syntheticLog(Number(arg('seed') ?? 1));
    cells = log.cells;
    const t1 = performance.now();
    generateMs = t1 - t0;
    dir = arg('keep') ?? mkdtempSync(path.join(tmpdir(), 'contamos-audit-bench-'));
    writeFolder(dir, log);
    writeMs = performance.now() - t1;
  }
  const t2 = performance.now();
  const report = await runAudit({
    dir,
    lang: 'en',
    strict: false,
    exact: process.argv.includes('--exact'),
    narrowest: 10,
    minK: K,
    publisherKeys: [],
    logs: [],
    progress: (s) => console.error(`[${Math.round(performance.now() - t2)} ms] ${s}`),
  });
  const t3 = performance.now();
  const g = report.global;
  const byCode: Record<string, number> = {};
  for (const f of report.findings) byCode[f.code] = (byCode[f.code] ?? 0) + 1;
  console.log(
    JSON.stringify(
      {
        dir,
        entries: report.log.entries,
        series: report.series.length,
        cells: cells ?? report.entries.reduce((n, e) => n + e.cells, 0),
        hiddenCells: report.entries.reduce((n, e) => n + e.suppressed, 0),
        generateMs: Math.round(generateMs),
        writeMs: Math.round(writeMs),
        auditMs: Math.round(t3 - t2),
        globalMs: g?.ms ?? null,
        model: g && {
          dataVersions: g.slices.length,
          coordinates: g.coordinates,
          variables: g.variables,
          unknowns: g.engine.unknowns,
          equations: g.engine.rows,
          checked: g.checked,
        },
        engine: g?.engine,
        failures: report.failures,
        warnings: report.warnings,
        findings: byCode,
        peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024),
      },
      null,
      2,
    ),
  );
}

if (process.argv[1] && path.resolve(process.argv[1]).endsWith(path.join('audit', 'bench.ts'))) await bench();
