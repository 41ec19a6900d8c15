// Fixtures for the auditor's tests: publication logs (version 2) built by hand from
// docs/release-format.md — NOT by the server's code — from a "world" of true counts per year and
// data version, signed with a publisher key made here, written in the auditor's folder layout.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  type KeyPair,
  canonicalJson,
  generateSigningKeyPair,
  inclusionProof,
  ready,
  reportHash,
  sha256Hex,
  signDetached,
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
  errorMargin90?: number;
}

/**
 * The true data: for each year, its versions 1, 2, … with `since` and the counts per full
 * combination of the (non-year) dimensions, keyed "code|code|…" in sorted-dimension order.
 */
export interface World {
  dims: Record<string, string[]>;
  hierarchies?: Record<string, Record<string, string[]>>;
  years: Record<string, Array<{ since: 'additions' | 'changes' | null; counts: Record<string, number> }>>;
}

export interface EntrySpec {
  series: string;
  /** Default 'release' (signed). */
  kind?: 'release' | 'draft';
  /** Year → data version counted. */
  years: Record<string, number>;
  tables: string[][];
  method?: 'suppression' | 'dp';
  k?: number;
  protection?: number;
  /**
   * Cells to hide, by quantity: `year` a year ('2023') or '*' (the entry's whole year set), plus
   * the other non-"*" entries. A key without `year` means the whole year set.
   */
  suppress?: Key[];
  heldBack?: string[];
  publishedOn?: string;
  /** DP entries: rho and the server's total (the ledger is kept across the log). */
  rho?: string;
  dpTotal?: string;
  /** Changes the manifest before it is hashed and signed. */
  edit?: (m: Record<string, unknown>) => void;
  merkleRoot?: string;
}

export interface LogEntryFixture {
  index: number;
  manifest: Record<string, unknown>;
  hash: string;
  signature: { keyId: string; alg: 'ed25519'; value: string } | null;
}

const sortedDims = (w: World) => Object.keys(w.dims).sort();

/** True count of one cell: `years` the cell's year set at the entry's versions, key its other entries. */
function countOf(w: World, versions: Record<string, number>, years: string[], key: Key): number {
  const dims = sortedDims(w);
  const matches = (d: string, code: string, value: string) => {
    if (code === '*' || code === undefined) return true;
    const members = w.hierarchies?.[d]?.[code];
    return members ? members.includes(value) : code === value;
  };
  let total = 0;
  for (const y of years) {
    const data = w.years[y]![versions[y]! - 1]!;
    for (const [combo, n] of Object.entries(data.counts)) {
      const codes = combo.split('|');
      if (dims.every((d, i) => matches(d, key[d] ?? '*', codes[i]!))) total += n;
    }
  }
  return total;
}

const yearSetOf = (key: Key, entryYears: string[]) => (key.year === undefined || key.year === '*' ? entryYears : [key.year]);
const sameQuantity = (a: Key, b: Key, entryYears: string[]) => {
  const ya = yearSetOf(a, entryYears).join(',');
  const yb = yearSetOf(b, entryYears).join(',');
  const rest = (k: Key) =>
    JSON.stringify(
      Object.entries(k)
        .filter(([d, v]) => d !== 'year' && v !== '*')
        .sort(),
    );
  return ya === yb && rest(a) === rest(b);
};

/** Every cell of a table (margins and groups included), counted from the world. */
export function buildTable(w: World, dims: string[], versions: Record<string, number>, suppress: Key[], dp = false): { dimensions: string[]; cells: Cell[] } {
  const years = Object.keys(versions).sort();
  const options = dims.map((d) =>
    d === 'year' ? ['*', ...years] : ['*', ...w.dims[d]!, ...Object.keys(w.hierarchies?.[d] ?? {}).filter((g) => !w.dims[d]!.includes(g))],
  );
  const cells: Cell[] = [];
  const rec = (i: number, key: Key) => {
    if (i === dims.length) {
      const cellYears = yearSetOf(key, years);
      const count = countOf(w, versions, cellYears, key);
      const suppressed = !dp && suppress.some((s) => sameQuantity(s, key, years));
      cells.push({ key: { ...key }, count: suppressed ? null : count, suppressed, ...(dp ? { errorMargin90: 5 } : {}) });
      return;
    }
    for (const code of options[i]!) rec(i + 1, { ...key, [dims[i]!]: code });
  };
  rec(0, {});
  return { dimensions: dims, cells };
}

/** Distinct (dimension set, level) classes over the tables: an m at least the auditor's minimum. */
function sensitivity(w: World, tables: string[][]): number {
  const seen = new Set<string>();
  for (const t of tables) {
    const dims = [...t].sort();
    for (let mask = 0; mask < 1 << dims.length; mask++) {
      let combos = [''];
      dims.forEach((d, i) => {
        if (!(mask & (1 << i))) return;
        const levels = w.hierarchies?.[d] && Object.keys(w.hierarchies[d]!).length ? 2 : 1;
        combos = combos.flatMap((c) => Array.from({ length: levels }, (_, l) => `${c}|${d}@${l}`));
      });
      for (const c of combos) seen.add(c);
    }
  }
  return seen.size;
}

const fraction = (s: string): [bigint, bigint] => {
  const [n, d] = s.includes('/') ? s.split('/') : [s, '1'];
  return [BigInt(n!), BigInt(d!)];
};
const addFractions = (a: string, b: string): string => {
  const [an, ad] = fraction(a);
  const [bn, bd] = fraction(b);
  let n = an * bd + bn * ad;
  let d = ad * bd;
  const g = (x: bigint, y: bigint): bigint => (y === 0n ? x : g(y, x % y));
  const c = g(n, d);
  n /= c;
  d /= c;
  return d === 1n ? `${n}` : `${n}/${d}`;
};

/** The publication log of a list of entries, in that order: indices, chains, signatures. */
export function buildLog(keys: Keys, w: World, specs: EntrySpec[]): LogEntryFixture[] {
  const out: LogEntryFixture[] = [];
  const signed = new Map<string, { n: number; hash: string | null }>();
  let dpSpent = '0';
  specs.forEach((spec, i) => {
    const series = signed.get(spec.series) ?? { n: 0, hash: null };
    const sequence = series.n + 1;
    const method = spec.method ?? 'suppression';
    const years = Object.keys(spec.years).sort();
    const k = spec.k ?? 5;
    const m: Record<string, unknown> = {
      type: 'contamos-release',
      formatVersion: 2,
      id: `${spec.series}-${sequence}`,
      series: spec.series,
      sequence,
      previousHash: series.hash,
      publication: { index: i + 1, previousHash: out[i - 1]?.hash ?? null },
      publishedOn: spec.publishedOn ?? `2026-${String(1 + Math.floor(i / 28)).padStart(2, '0')}-${String(1 + (i % 28)).padStart(2, '0')}`,
      taxonomyVersion: '2026.1',
      request: { series: spec.series, filter: { years: years.map(Number) }, tables: spec.tables, method },
      method,
      ...(method === 'suppression' ? { k, protection: spec.protection ?? k } : {}),
      data: years.map((y) => ({
        year: Number(y),
        version: spec.years[y]!,
        since: w.years[y]![spec.years[y]! - 1]!.since,
        heldBack: (spec.heldBack ?? []).includes(y),
      })),
      hierarchies: w.hierarchies ?? {},
      domains: { year: years, ...w.dims },
      merkle: { scheme: 'contamos-smt-sha256', root: spec.merkleRoot ?? sha256Hex(`root-${i}`) },
      tables: spec.tables.map((t) => buildTable(w, t, spec.years, spec.suppress ?? [], method === 'dp')),
    };
    if (method === 'dp') {
      const rho = spec.rho ?? '1/2';
      const mm = sensitivity(w, spec.tables);
      const [rn, rd] = fraction(rho);
      const after = addFractions(dpSpent, rho);
      m.dp = {
        mechanism: 'discrete-gaussian',
        rho,
        sigma2: mm / (2 * (Number(rn) / Number(rd))),
        m: mm,
        keepTotal: true,
        invariants: ['total'],
        errorMargin90: 5,
        ledger: { scope: 'server', unit: 'rho', total: spec.dpTotal ?? '2', spentBefore: dpSpent, spentAfter: after, charged: rho },
      };
      dpSpent = after;
    }
    spec.edit?.(m);
    const canonical = canonicalJson(m);
    const hash = sha256Hex(canonical);
    const release = (spec.kind ?? 'release') === 'release';
    out.push({
      index: i + 1,
      manifest: m,
      hash,
      signature: release ? { keyId: keys.publisher.keyId, alg: 'ed25519', value: signDetached(canonical, keys.publisher.secretKey) } : null,
    });
    if (release) signed.set(spec.series, { n: sequence, hash });
  });
  return out;
}

/** Re-hashes and re-signs an entry after an edit (an attacker's or a careless server's copy). */
export function resign(keys: Keys, e: LogEntryFixture): LogEntryFixture {
  const canonical = canonicalJson(e.manifest);
  return {
    ...e,
    hash: sha256Hex(canonical),
    signature: e.signature ? { keyId: keys.publisher.keyId, alg: 'ed25519', value: signDetached(canonical, keys.publisher.secretKey) } : null,
  };
}

const made: string[] = [];

/** Removes the temporary folders made so far (each test file calls it in afterAll). */
export function cleanTemp(): void {
  for (const d of made.splice(0)) rmSync(d, { recursive: true, force: true });
}

/** A temporary folder, removed by cleanTemp. */
export function tempDir(prefix = 'contamos-audit-'): string {
  const d = mkdtempSync(path.join(tmpdir(), prefix));
  made.push(d);
  return d;
}

/** Writes the folder layout: contamos.json, publications.json, publications/<n>.json, releases.json, releases/<id>.json. */
export function writeLog(keys: Keys, log: LogEntryFixture[], opts: { dir?: string; wellKnown?: object; releases?: boolean } = {}): string {
  const dir = opts.dir ?? tempDir();
  mkdirSync(path.join(dir, 'publications'), { recursive: true });
  mkdirSync(path.join(dir, 'releases'), { recursive: true });
  writeFileSync(path.join(dir, 'contamos.json'), JSON.stringify(opts.wellKnown ?? wellKnown(keys)));
  writeFileSync(
    path.join(dir, 'publications.json'),
    JSON.stringify({
      items: log.map((e) => ({
        index: e.index,
        id: e.manifest.id,
        series: e.manifest.series,
        sequence: e.manifest.sequence,
        kind: e.signature ? 'release' : 'draft',
        hash: e.hash,
      })),
    }),
  );
  for (const e of log)
    writeFileSync(path.join(dir, 'publications', `${e.index}.json`), JSON.stringify({ manifest: e.manifest, hash: e.hash, signature: e.signature }));
  if (opts.releases !== false) {
    const rel = log.filter((e) => e.signature);
    writeFileSync(
      path.join(dir, 'releases.json'),
      JSON.stringify({
        items: rel.map((e) => ({
          id: e.manifest.id,
          series: e.manifest.series,
          sequence: e.manifest.sequence,
          hash: e.hash,
          publishedOn: e.manifest.publishedOn,
          index: e.index,
        })),
      }),
    );
    for (const e of rel)
      writeFileSync(
        path.join(dir, 'releases', `${String(e.manifest.id)}.json`),
        JSON.stringify({ manifest: e.manifest, hash: e.hash, signature: e.signature }),
      );
  }
  return dir;
}

// --- running the auditor in-process -------------------------------------------------------------

export async function audit(opts: Partial<AuditOptions>): Promise<AuditReport> {
  return runAudit({ lang: 'en', strict: false, exact: false, narrowest: 10, minK: 5, publisherKeys: [], logs: [], ...opts });
}

/** Builds, writes and audits a log. */
export async function auditLog(keys: Keys, w: World, specs: EntrySpec[], opts: Partial<AuditOptions> = {}): Promise<AuditReport> {
  return audit({ dir: writeLog(keys, buildLog(keys, w, specs)), ...opts });
}

/** The finding codes of a report (sorted, with repeats). */
export function codes(report: AuditReport): string[] {
  return report.findings.map((f) => f.code).sort();
}

/** The failure codes only (sorted, with repeats). */
export function failureCodes(report: AuditReport): string[] {
  return report.findings
    .filter((f) => f.severity === 'fail')
    .map((f) => f.code)
    .sort();
}

// --- small worlds ---------------------------------------------------------------------------------

/** A world from per-year lists of {since, counts} given as plain objects keyed like "homicide|PE-LMA". */
export function world(dims: Record<string, string[]>, years: World['years'], hierarchies?: World['hierarchies']): World {
  return { dims, years, ...(hierarchies ? { hierarchies } : {}) };
}

/** The same counts plus additions (additions only ever add). */
export function plus(base: Record<string, number>, add: Record<string, number>): Record<string, number> {
  const out = { ...base };
  for (const [k, v] of Object.entries(add)) out[k] = (out[k] ?? 0) + v;
  return out;
}

/** One signed release over one year and one table, for tests that only need a manifest. */
export function sampleEnvelope(keys: Keys): LogEntryFixture {
  const w = world({ region: ['PE-LMA', 'PE-CUS', 'PE-PUN'] }, { '2023': [{ since: null, counts: { 'PE-LMA': 20, 'PE-CUS': 12, 'PE-PUN': 9 } }] });
  return buildLog(keys, w, [{ series: 'anual', years: { '2023': 1 }, tables: [['year', 'region']] }])[0]!;
}

// --- reports, receipts and proofs -------------------------------------------------------------

export interface FakeReport {
  reportId: string;
  reportHash: string;
}

export function fakeReports(n: number, prefix = '00000000-0000-4000-8000-'): FakeReport[] {
  const regions = ['PE-LMA', 'PE-CUS', 'PE-PUN'];
  return Array.from({ length: n }, (_, i) => {
    const reportId = `${prefix}${String(i).padStart(12, '0')}`;
    return { reportId, reportHash: reportHash(reportId, { year: 2023, region: regions[i % 3] }) };
  });
}

export function receiptLines(keys: Keys, reports: FakeReport[]): string {
  return (
    reports.map((r) => JSON.stringify(signReceipt(r.reportId, r.reportHash, { keyId: keys.receipt.keyId, secretKey: keys.receipt.secretKey }))).join('\n') +
    '\n'
  );
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
