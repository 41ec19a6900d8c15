// bench.ts — measures the auditor on a large synthetic release (about 50,000 cells).
//
//   npx tsx scripts/audit/bench.ts [--incidents N | --hypercubes [--primaries SHARE]] [--exact] [--keep DIR]
//
// Guarantees: builds a release in the format of docs/release-format.md, signs it with a throw-away
// key, writes the folder format and runs the full audit on it, printing the time of each part.
// Two kinds of release, both made here (NOT by the server's code):
// - default: random skewed incidents over seven linked 3- and 4-dimensional tables (49,080
//   cells); every count in 1..k−1 suppressed, then further cells until no relation has a single
//   suppressed quantity. A weak pattern on sparse data: thousands of interval failures, one
//   component of thousands of unknowns — the hard case for the auditor;
// - --hypercubes: dense counts in a 4-dimensional table and its four 3-dimensional margin tables
//   (46,872 cells), each primary protected by a 2×2×2×2 cube — a well-protected release.
// It is a measurement, not a check.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { canonicalJson, generateSigningKeyPair, ready, sha256Hex, signDetached } from '../../crypto/index.js';
import { runAudit } from './audit.js';
import { Findings } from './findings.js';
import type { Manifest } from './format.js';
import { buildModel, identityOf } from './structure.js';

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

const DOMAINS: Record<string, string[]> = {
  year: ['2023'],
  quarter: ['1', '2', '3', '4'],
  region: ['PE-LMA', 'PE-CAL', 'PE-LIM', 'PE-AMA', 'PE-ANC', 'PE-APU', 'PE-ARE', 'PE-AYA', 'PE-CAJ', 'PE-CUS', 'PE-HUV', 'PE-HUC', 'PE-ICA', 'PE-JUN', 'PE-LAL', 'PE-LAM', 'PE-LOR', 'PE-MDD', 'PE-MOQ', 'PE-PAS', 'PE-PIU', 'PE-PUN', 'PE-SAM', 'PE-TAC', 'PE-TUM', 'PE-UCA', 'unknown'],
  incidentType: ['homicide', 'disappearance', 'attempted-homicide', 'kidnapping', 'extortion', 'threat', 'physical-assault', 'sexual-violence', 'trafficking', 'state-abuse', 'other'],
  victimGender: ['cis-woman', 'trans-woman', 'man', 'non-binary', 'unknown'],
  victimNationality: ['PE', 'VE', 'CO', 'EC', 'BO', 'CL', 'AR', 'BR', 'PY', 'DO', 'HT', 'CU', 'other', 'unknown'],
  victimAgeBand: ['under-18', '18-24', '25-34', '35-44', '45-plus', 'unknown'],
  perpetratorType: ['criminal-organisation', 'client', 'police', 'municipal-security', 'partner-acquaintance', 'other', 'unknown'],
};

const TABLES = [
  ['region', 'incidentType', 'victimGender', 'victimAgeBand'],
  ['region', 'incidentType', 'victimNationality', 'quarter'],
  ['region', 'perpetratorType', 'victimNationality'],
  ['incidentType', 'victimGender', 'victimAgeBand', 'perpetratorType'],
  ['year', 'region', 'incidentType'],
  ['region', 'victimGender', 'perpetratorType'],
  ['quarter', 'incidentType', 'victimGender'],
];

/** A skewed pick: the first codes are much more frequent. */
function pick(r: () => number, codes: string[]): string {
  const x = Math.pow(r(), 2.2);
  return codes[Math.min(codes.length - 1, Math.floor(x * codes.length))]!;
}

export function syntheticManifest(incidents: number, seed = 1): Manifest {
  const r = rng(seed);
  const dims = Object.keys(DOMAINS);
  const rows = Array.from({ length: incidents }, () => Object.fromEntries(dims.map((d) => [d, pick(r, DOMAINS[d]!)])));
  const k = 5;
  const tables = TABLES.map((tdims) => {
    const counts = new Map<string, number>();
    for (const row of rows) {
      // every generalisation of the row's combination ("*" per dimension)
      for (let mask = 0; mask < 1 << tdims.length; mask++) {
        const key = tdims.map((d, i) => (mask & (1 << i) ? '*' : row[d]!)).join('|');
        counts.set(key, (counts.get(key) ?? 0) + 1);
      }
    }
    const cells: Manifest['tables'][number]['cells'] = [];
    const rec = (i: number, parts: string[]) => {
      if (i === tdims.length) {
        const count = counts.get(parts.join('|')) ?? 0;
        cells.push({ key: Object.fromEntries(tdims.map((d, j) => [d, parts[j]!])), count, suppressed: false });
        return;
      }
      for (const c of ['*', ...DOMAINS[tdims[i]!]!]) rec(i + 1, [...parts, c]);
    };
    rec(0, []);
    return { dimensions: tdims, cells };
  });
  const manifest: Manifest = {
    type: 'contamos-release', formatVersion: 1, id: 'bench-1', series: 'bench', sequence: 1, previousHash: null,
    publishedOn: '2026-01-01', taxonomyVersion: '2026.1',
    request: { filter: { years: [2023] }, tables: TABLES, k, method: 'suppression', regionGroups: false },
    method: 'suppression', k, protection: k, hierarchies: {}, domains: DOMAINS,
    merkle: { root: sha256Hex(new Uint8Array(0)), leafCount: 0 }, tables,
  };

  // Suppression by identity: primaries, then until no relation has exactly one suppressed quantity.
  const model = buildModel(manifest, new Findings(), 'bench-1');
  const value = model.quantities.map((q) => q.published ?? 0);
  const sup = new Uint8Array(model.quantities.length);
  value.forEach((v, i) => {
    if (v >= 1 && v < k) sup[i] = 1;
  });
  for (let changed = true; changed; ) {
    changed = false;
    for (let rel = 0; rel + 1 < model.relStart.length; rel++) {
      let count = 0;
      let best = -1;
      for (let t = model.relStart[rel]!; t < model.relStart[rel + 1]!; t++) {
        const v = model.relVar[t]!;
        if (sup[v]) count++;
        else if (best < 0 || value[v]! < value[best]! || (value[best] === 0 && value[v]! > 0)) best = v;
      }
      if (count === 1 && best >= 0) {
        sup[best] = 1;
        changed = true;
      }
    }
  }
  for (const t of manifest.tables) {
    for (const c of t.cells) {
      const i = model.index.get(identityOf(c.key))!;
      if (sup[i]) {
        c.count = null;
        c.suppressed = true;
      }
    }
  }
  return manifest;
}

/**
 * One 4-dimensional table (region × incidentType × victimNationality × victimAgeBand with all its
 * margins: 28·12·15·7 = 35,280 cells) and its four 3-dimensional margin tables (47,808 cells in
 * all, the shared cells being one quantity each), protected
 * by hypercubes: every primary is suppressed with the 15 other corners of a 2×2×2×2 cube whose
 * partner codes have the largest counts. Moving t around a cube keeps every margin, so this is
 * the classic protective pattern — closer to what a careful publisher releases than `syntheticManifest`.
 */
export function hypercubeManifest(primaryShare = 0.007, seed = 1): Manifest {
  const r = rng(seed);
  const dims = ['region', 'incidentType', 'victimNationality', 'victimAgeBand'];
  const codes = dims.map((d) => DOMAINS[d]!);
  const size = codes.map((c) => c.length);
  const strides = [size[1]! * size[2]! * size[3]!, size[2]! * size[3]!, size[3]!, 1];
  // Dense counts (5..40) with a small share of primaries (1..4): every cube corner is non-zero,
  // so each cube really protects its primary, and about a tenth of the cells end up suppressed.
  const count = new Int32Array(size.reduce((a, b) => a * b, 1));
  for (let c = 0; c < count.length; c++) count[c] = r() < primaryShare ? 1 + Math.floor(r() * 4) : 5 + Math.floor(r() * 36);
  const k = 5;
  const sup = new Uint8Array(count.length);
  const at = (idx: number[]) => idx.reduce((a, c, i) => a + c * strides[i]!, 0);
  for (let cell = 0; cell < count.length; cell++) {
    const v = count[cell]!;
    if (v < 1 || v >= k || sup[cell]) continue;
    const idx = dims.map((_, i) => Math.floor(cell / strides[i]!) % size[i]!);
    // Partner code per dimension: the largest count on the line through the primary.
    const partner = idx.map((c, i) => {
      let best = -1;
      for (let o = 0; o < size[i]!; o++) {
        if (o === c) continue;
        const other = [...idx];
        other[i] = o;
        if (best < 0 || count[at(other)]! > count[at([...idx.slice(0, i), best, ...idx.slice(i + 1)])]!) best = o;
      }
      return best;
    });
    for (let mask = 0; mask < 16; mask++) sup[at(idx.map((c, i) => (mask & (1 << i) ? partner[i]! : c)))] = 1;
  }
  const keyOf = (idx: number[]) => Object.fromEntries(dims.map((d, i) => [d, codes[i]![idx[i]!]!]));
  const tables: Manifest['tables'] = [];
  const tableDims = [dims, ['region', 'incidentType', 'victimNationality'], ['region', 'incidentType', 'victimAgeBand'], ['region', 'victimNationality', 'victimAgeBand'], ['incidentType', 'victimNationality', 'victimAgeBand']];
  for (const tdims of tableDims) {
    const cells: Manifest['tables'][number]['cells'] = [];
    const positions = tdims.map((d) => dims.indexOf(d));
    const rec = (i: number, parts: Array<number | '*'>) => {
      if (i === tdims.length) {
        const key = Object.fromEntries(tdims.map((d, j) => [d, parts[j] === '*' ? '*' : codes[positions[j]!]![parts[j] as number]!]));
        const interior = tdims.length === dims.length && parts.every((p) => p !== '*');
        let total = 0;
        // Sum over the 4-dimensional cells that match (a margin is never suppressed here).
        const full = (j: number, idx: number[]) => {
          if (j === dims.length) return void (total += count[at(idx)]!);
          const pos = tdims.indexOf(dims[j]!);
          if (pos >= 0 && parts[pos] !== '*') return full(j + 1, [...idx, parts[pos] as number]);
          for (let c = 0; c < size[j]!; c++) full(j + 1, [...idx, c]);
        };
        full(0, []);
        // Small margins are suppressed too (their protection is not arranged: expect findings there).
        const suppressed = (interior && sup[at(parts as number[])] === 1) || (total >= 1 && total < k);
        cells.push({ key, count: suppressed ? null : total, suppressed });
        return;
      }
      for (const c of ['*' as const, ...codes[positions[i]!]!.map((_, n) => n)]) rec(i + 1, [...parts, c]);
    };
    rec(0, []);
    tables.push({ dimensions: tdims, cells });
  }
  void keyOf;
  return {
    type: 'contamos-release', formatVersion: 1, id: 'bench-1', series: 'bench', sequence: 1, previousHash: null,
    publishedOn: '2026-01-01', taxonomyVersion: '2026.1',
    request: { filter: { years: [2023] }, tables: tableDims, k, method: 'suppression', regionGroups: false },
    method: 'suppression', k, protection: k, hierarchies: {}, domains: Object.fromEntries(dims.map((d) => [d, DOMAINS[d]!])),
    merkle: { root: sha256Hex(new Uint8Array(0)), leafCount: 0 }, tables,
  };
}

async function bench(): Promise<void> {
  await ready();
  const incidents = Number(arg('incidents') ?? 3000);
  const t0 = performance.now();
  const manifest = process.argv.includes('--hypercubes') ? hypercubeManifest(Number(arg('primaries') ?? 0.007)) : syntheticManifest(incidents);
  const cells = manifest.tables.reduce((n, t) => n + t.cells.length, 0);
  const suppressed = manifest.tables.reduce((n, t) => n + t.cells.filter((c) => c.suppressed).length, 0);
  const t1 = performance.now();
  const key = { ...generateSigningKeyPair(), keyId: 'publisher-bench' };
  const canonical = canonicalJson(manifest);
  const dir = arg('keep') ?? mkdtempSync(path.join(tmpdir(), 'contamos-audit-bench-'));
  mkdirSync(path.join(dir, 'releases'), { recursive: true });
  writeFileSync(path.join(dir, 'contamos.json'), JSON.stringify({ publishers: [{ keyId: key.keyId, publicKey: key.publicKey }] }));
  writeFileSync(
    path.join(dir, 'releases', 'bench-1.json'),
    JSON.stringify({ manifest, hash: sha256Hex(canonical), signature: { keyId: key.keyId, alg: 'ed25519', value: signDetached(canonical, key.secretKey) } }),
  );
  const t2 = performance.now();
  const report = await runAudit({ dir, lang: 'en', strict: false, exact: process.argv.includes('--exact'), narrowest: 10, logs: [], progress: (s) => console.error(`[${Math.round(performance.now() - t2)} ms] ${s}`) });
  const t3 = performance.now();
  const iv = report.releases[0]!.intervals!;
  console.log(JSON.stringify({
    incidents, cells, suppressedCells: suppressed, suppressedQuantities: iv.suppressed, generateMs: Math.round(t1 - t0), writeMs: Math.round(t2 - t1),
    auditMs: Math.round(t3 - t2), intervalMs: iv.ms, components: iv.components, largestComponent: iv.largestComponent,
    lpSolves: iv.lpSolves, provenWithoutLp: iv.provenWithoutLp, pinned: iv.pinned, small: iv.small, narrow: iv.narrow,
    failures: report.failures, warnings: report.warnings, dir,
  }, null, 2));
}

if (process.argv[1] && path.resolve(process.argv[1]).endsWith(path.join('audit', 'bench.ts'))) await bench();
