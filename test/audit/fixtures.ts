// Fixtures for the auditor's tests: releases built by hand from docs/release-format.md (NOT by the
// server's code), signed with a publisher key made here, written to a temporary folder.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  type KeyPair, canonicalJson, generateSigningKeyPair, inclusionProof, merkleRoot, ready, reportHash, sha256Hex, signDetached,
  signReceipt,
} from '../../crypto/index.js';
import { type AuditOptions, type AuditReport, runAudit } from '../../scripts/audit/audit.js';

export interface Keys {
  publisher: KeyPair & { keyId: string };
  receipt: KeyPair & { keyId: string };
}

export async function makeKeys(): Promise<Keys> {
  await ready();
  return {
    publisher: { ...generateSigningKeyPair(), keyId: 'publisher-test' },
    receipt: { ...generateSigningKeyPair(), keyId: 'server-receipts' },
  };
}

export function wellKnown(keys: Keys): object {
  return {
    service: 'contamos',
    taxonomyVersion: '2026.1',
    publishers: [{ keyId: keys.publisher.keyId, publicKey: keys.publisher.publicKey }],
    receipt: { keyId: keys.receipt.keyId, publicKey: keys.receipt.publicKey },
  };
}

export type Key = Record<string, string>;

export interface Cell {
  key: Key;
  count: number | null;
  suppressed: boolean;
}

export interface DataSpec {
  domains: Record<string, string[]>;
  hierarchies?: Record<string, Record<string, string[]>>;
  tables: string[][];
  /** True counts per full combination of ALL dimensions, as "code|code|…" in sorted-dimension order. */
  counts: Record<string, number>;
  /** Cells to suppress, by their non-"*" entries (any table holding that quantity). */
  suppress: Key[];
}

const sameIdentity = (a: Key, b: Key) => {
  const ea = Object.entries(a).filter(([, v]) => v !== '*').sort();
  const eb = Object.entries(b).filter(([, v]) => v !== '*').sort();
  return JSON.stringify(ea) === JSON.stringify(eb);
};

/** Every cell of every table, counted from the true counts (margins and groups included). */
export function buildTables(spec: DataSpec): Array<{ dimensions: string[]; cells: Cell[] }> {
  const allDims = Object.keys(spec.domains).sort();
  const combos = Object.entries(spec.counts).map(([k, n]) => {
    const codes = k.split('|');
    return { key: Object.fromEntries(allDims.map((d, i) => [d, codes[i]!])), n };
  });
  const matches = (dim: string, code: string, value: string) => {
    if (code === '*') return true;
    const members = spec.hierarchies?.[dim]?.[code];
    return members ? members.includes(value) : code === value;
  };
  return spec.tables.map((dims) => {
    const options = dims.map((d) => ['*', ...spec.domains[d]!, ...Object.keys(spec.hierarchies?.[d] ?? {}).filter((g) => !spec.domains[d]!.includes(g))]);
    const cells: Cell[] = [];
    const rec = (i: number, key: Key) => {
      if (i === dims.length) {
        const count = combos.filter((c) => dims.every((d) => matches(d, key[d]!, c.key[d]!))).reduce((a, c) => a + c.n, 0);
        const suppressed = spec.suppress.some((s) => sameIdentity(s, key));
        cells.push({ key: { ...key }, count: suppressed ? null : count, suppressed });
        return;
      }
      for (const code of options[i]!) rec(i + 1, { ...key, [dims[i]!]: code });
    };
    rec(0, {});
    return { dimensions: dims, cells };
  });
}

export interface ManifestOptions {
  series?: string;
  sequence?: number;
  previousHash?: string | null;
  publishedOn?: string;
  k?: number;
  protection?: number;
  leaves?: string[];
}

export function makeManifest(spec: DataSpec, o: ManifestOptions = {}): Record<string, unknown> {
  const series = o.series ?? 'anual';
  const sequence = o.sequence ?? 1;
  const k = o.k ?? 5;
  const leaves = o.leaves ?? [];
  return {
    type: 'contamos-release',
    formatVersion: 1,
    id: `${series}-${sequence}`,
    series,
    sequence,
    previousHash: o.previousHash ?? null,
    publishedOn: o.publishedOn ?? `2026-0${Math.min(sequence, 9)}-15`,
    taxonomyVersion: '2026.1',
    request: { filter: { years: [2023] }, tables: spec.tables, k, method: 'suppression', regionGroups: !!spec.hierarchies },
    method: 'suppression',
    k,
    protection: o.protection ?? k,
    hierarchies: spec.hierarchies ?? {},
    domains: spec.domains,
    merkle: { root: merkleRoot(leaves), leafCount: new Set(leaves).size },
    tables: buildTables(spec),
  };
}

export interface Envelope {
  manifest: Record<string, unknown>;
  hash: string;
  signature: { keyId: string; alg: 'ed25519'; value: string };
}

export function sign(manifest: Record<string, unknown>, key: { keyId: string; secretKey: string }): Envelope {
  const canonical = canonicalJson(manifest);
  return { manifest, hash: sha256Hex(canonical), signature: { keyId: key.keyId, alg: 'ed25519', value: signDetached(canonical, key.secretKey) } };
}

const made: string[] = [];

/** Removes the temporary folders made so far (each test file calls it in afterAll). */
export function cleanTemp(): void {
  for (const d of made.splice(0)) rmSync(d, { recursive: true, force: true });
}

/** A temporary folder, removed when the test process exits. */
export function tempDir(prefix = 'contamos-audit-'): string {
  const d = mkdtempSync(path.join(tmpdir(), prefix));
  made.push(d);
  return d;
}

/** Writes the folder format: contamos.json + releases/<file>.json (+ releases.json if given). */
export function writeFolder(keys: Keys, envelopes: Array<Envelope | { file: string; envelope: Envelope }>, opts: { listing?: boolean; dir?: string } = {}): string {
  const dir = opts.dir ?? tempDir();
  mkdirSync(path.join(dir, 'releases'), { recursive: true });
  writeFileSync(path.join(dir, 'contamos.json'), JSON.stringify(wellKnown(keys)));
  const items: object[] = [];
  for (const e of envelopes) {
    const env = 'file' in e ? e.envelope : e;
    const file = 'file' in e ? e.file : `${String(env.manifest.id)}.json`;
    writeFileSync(path.join(dir, 'releases', file), JSON.stringify(env));
    const m = env.manifest;
    items.push({ id: m.id, series: m.series, sequence: m.sequence, hash: env.hash, publishedOn: m.publishedOn });
  }
  if (opts.listing) writeFileSync(path.join(dir, 'releases.json'), JSON.stringify({ items }));
  return dir;
}

// --- the hand-made 3×3 example ---------------------------------------------------------------
//
//               homicide  disappearance  extortion | *
//   PE-LMA          20          3            12    | 35
//   PE-CUS           8          9            11    | 28
//   PE-PUN          10         15             0    | 25
//   *               38         27            23    | 88
//
// (PE-LMA, disappearance) = 3 is the only primary (1..k−1 with k = 5). It is protected by the
// rectangle LMA/CUS × homicide/disappearance: moving t around it keeps every published margin, so
// LMA×disappearance ranges over [0, 12] — width 12 ≥ protection 5 and reaching k.

export const REGIONS = ['PE-LMA', 'PE-CUS', 'PE-PUN'];
export const TYPES = ['homicide', 'disappearance', 'extortion'];
export const RECTANGLE: Key[] = [
  { region: 'PE-LMA', incidentType: 'homicide' },
  { region: 'PE-LMA', incidentType: 'disappearance' },
  { region: 'PE-CUS', incidentType: 'homicide' },
  { region: 'PE-CUS', incidentType: 'disappearance' },
];

export function counts3x3(extra: Record<string, number> = {}): Record<string, number> {
  // sorted dimensions: incidentType, region, year
  const grid: Record<string, number[]> = { 'PE-LMA': [20, 3, 12], 'PE-CUS': [8, 9, 11], 'PE-PUN': [10, 15, 0] };
  const out: Record<string, number> = {};
  for (const r of REGIONS) TYPES.forEach((t, i) => (out[`${t}|${r}|2023`] = grid[r]![i]! + (extra[`${r}/${t}`] ?? 0)));
  return out;
}

/**
 * Tables [region, incidentType], [year, region] and [incidentType]: the 3×3 with margins, plus two
 * linked tables sharing its margins (e.g. {region: PE-LMA} is one quantity in the first two).
 */
export function spec3x3(suppress: Key[] = RECTANGLE, extra: Record<string, number> = {}): DataSpec {
  return {
    domains: { year: ['2023'], region: REGIONS, incidentType: TYPES },
    tables: [['region', 'incidentType'], ['year', 'region'], ['incidentType']],
    counts: counts3x3(extra),
    suppress,
  };
}

// --- reports, receipts and proofs -------------------------------------------------------------

export interface FakeReport {
  reportId: string;
  reportHash: string;
}

export function fakeReports(n: number, prefix = '00000000-0000-4000-8000-'): FakeReport[] {
  return Array.from({ length: n }, (_, i) => {
    const reportId = `${prefix}${String(i).padStart(12, '0')}`;
    return { reportId, reportHash: reportHash(reportId, { year: 2023, region: REGIONS[i % 3], incidentType: TYPES[i % 3] }) };
  });
}

export function receiptLines(keys: Keys, reports: FakeReport[]): string {
  return reports.map((r) => JSON.stringify(signReceipt(r.reportId, r.reportHash, { keyId: keys.receipt.keyId, secretKey: keys.receipt.secretKey }))).join('\n') + '\n';
}

export function proofLines(releaseId: string, leaves: string[], reports: FakeReport[]): string {
  return (
    reports
      .map((r) => {
        const proof = inclusionProof(leaves, r.reportHash);
        return proof ? JSON.stringify({ releaseId, reportId: r.reportId, proof }) : null;
      })
      .filter((l): l is string => l !== null)
      .join('\n') + '\n'
  );
}

// --- running the auditor in-process -------------------------------------------------------------


export async function audit(opts: Partial<AuditOptions>): Promise<AuditReport> {
  return runAudit({ lang: 'en', strict: false, exact: false, narrowest: 10, logs: [], ...opts });
}

/** The finding codes of a report (sorted, with repeats). */
export function codes(report: AuditReport): string[] {
  return report.findings.map((f) => f.code).sort();
}

/** The failure codes only. */
export function failureCodes(report: AuditReport): string[] {
  return report.findings.filter((f) => f.severity === 'fail').map((f) => f.code).sort();
}

/** A valid series anual-1..n of the 3×3 example; release i adds 5·(i−1) extortions in PE-CUS. */
export function goodSeries(keys: Keys, n = 3): Envelope[] {
  const out: Envelope[] = [];
  for (let i = 1; i <= n; i++) {
    const m = makeManifest(spec3x3(RECTANGLE, { 'PE-CUS/extortion': 5 * (i - 1) }), { sequence: i, previousHash: out[i - 2]?.hash ?? null });
    out.push(sign(m, keys.publisher));
  }
  return out;
}
