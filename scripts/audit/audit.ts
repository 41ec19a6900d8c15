// audit.ts — runs every requested check over the publication log and assembles the audit report
// (text rendering is in report.ts, the command line in main.ts).
//
// Guarantees:
// - Uses only published material (a server's public URLs or a folder copy), the optional pinned
//   publisher keys, receipts/proofs/key files and, for the inventory, read-only database and log
//   access; from the project it uses only crypto/ — never server/ code (a test checks the import
//   specifiers).
// - Each check runs independently: a failure in one (e.g. a forged signature) does not stop the
//   others, so one run lists everything that is wrong. The global model takes every entry whose
//   manifest could be read, signed or not, valid signature or not: it is what was shown.
// - `report.ok` is false, and `report.exitCode` 1, when any failure was found, or any warning
//   under `strict`; otherwise exitCode is 0. Checks not requested are "skipped" and never fail.
// - The JSON report carries everything the text shows (report.ts prints only from it), plus the
//   legend of the words it uses, in the report's language.
import { appendFileSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parseKeyFile, ready, signRequest } from '../../crypto/index.js';
import { type ChainResult, type SeriesSummary, checkChains } from './chains.js';
import { type GlobalSummary, auditGlobal } from './disclosure.js';
import { type DpSummary, checkDpEntry, checkDpLedger } from './dp.js';
import { UsageError } from './errors.js';
import { CHECK_IDS, type CheckId, type Finding, type FindingCode, Findings } from './findings.js';
import { type ProofLine, type ReceiptLine, issuesOf, proofLineSchema, proofSchema, receiptLineSchema } from './format.js';
import { type FetchedProof, type InclusionSummary, checkInclusion } from './inclusion.js';
import { type InventoryReport, checkInventory } from './inventory.js';
import { type Lang, legend, messageOf } from './messages.js';
import { type PinnedKey, readPinnedKey } from './publisher-keys.js';
import { checkSignatures, entryLabel } from './signatures.js';
import { type FetchLike, type Published, RELEASES_PATH, fetchText, loadFromDir, loadFromServer } from './source.js';
import type { LogManifest } from './system.js';
import { type ThresholdSummary, checkThreshold } from './threshold.js';
import { type VersionSummary, checkVersions } from './versions.js';

export { UsageError };

export interface AuditOptions {
  server?: string;
  dir?: string;
  download?: string;
  lang: Lang;
  strict: boolean;
  exact: boolean;
  narrowest: number;
  /** The smallest k a suppression entry may have (default 5, the server's default minimum). */
  minK: number;
  /** `--publisher-key` values: key files or base64 public keys. */
  publisherKeys: string[];
  receipts?: string;
  proofs?: string;
  key?: string;
  release?: string;
  database?: string;
  logs: string[];
  fetchImpl?: FetchLike;
  /** Status lines during long interval computations (the CLI prints them on stderr). */
  progress?: (status: string) => void;
}

export type CheckStatus = 'pass' | 'fail' | 'warn' | 'skipped';

export interface EntryReport {
  index: number;
  id: string | null;
  series: string | null;
  sequence: number | null;
  kind: 'release' | 'draft' | null;
  publishedOn: string | null;
  hash: string | null;
  computedHash: string | null;
  hashValid: boolean;
  /** null for a draft (never signed). */
  signatureValid: boolean | null;
  keyId: string | null;
  method: 'suppression' | 'dp' | null;
  k: number | null;
  protection: number | null;
  data: Array<{ year: number; version: number; since: 'additions' | 'changes' | null; heldBack: boolean }>;
  tables: number;
  cells: number;
  suppressed: number;
  threshold?: ThresholdSummary;
}

export interface AuditReport {
  tool: 'contamos-audit';
  reportVersion: 2;
  formatVersion: 2;
  generatedAt: string;
  source: { kind: 'server' | 'dir' | 'none'; location: string | null };
  options: { lang: Lang; strict: boolean; exact: boolean; minK: number; pinnedKeys: number };
  ok: boolean;
  exitCode: 0 | 1;
  failures: number;
  warnings: number;
  checks: Record<CheckId, CheckStatus>;
  keys: Array<{ keyId: string | null; source: 'pinned' | 'key document'; origin?: string }>;
  log: { entries: number; releases: number; drafts: number; lastIndex: number; unbroken: boolean };
  entries: EntryReport[];
  series: SeriesSummary[];
  versions: VersionSummary['years'];
  global?: GlobalSummary;
  dp?: DpSummary;
  inclusion?: InclusionSummary;
  inventory?: InventoryReport;
  findings: Array<Finding & { message: string }>;
  /** Findings beyond the first MAX_PER_CODE of a code: only counted. */
  omitted: Partial<Record<FindingCode, number>>;
  /** The words the report uses, explained (in the report's language). */
  legend: Record<string, string>;
}

function readJsonLines<T>(
  file: string,
  parse: (v: unknown) => { success: true; data: T } | { success: false; error: Parameters<typeof issuesOf>[0] },
  findings: Findings,
): T[] {
  const out: T[] = [];
  readFileSync(file, 'utf8')
    .split('\n')
    .forEach((line, i) => {
      if (!line.trim()) return;
      let raw: unknown;
      try {
        raw = JSON.parse(line);
      } catch {
        findings.add('source-invalid', { origin: `${file}:${i + 1}`, problem: 'not JSON' });
        return;
      }
      const r = parse(raw);
      if (r.success) out.push(r.data);
      else findings.add('source-invalid', { origin: `${file}:${i + 1}`, problem: issuesOf(r.error) });
    });
  return out;
}

function proofFetcher(opts: AuditOptions): (releaseId: string, reportId: string) => Promise<FetchedProof> {
  const keyFile = parseKeyFile(readFileSync(opts.key!, 'utf8'));
  const keyId = keyFile.keyId;
  const secretKey = keyFile.signing?.secretKey;
  if (!keyId || !secretKey) throw new UsageError('--key: the key file needs a keyId and a signing secret key (a member key file)');
  const base = opts.server!.replace(/\/+$/, '');
  const fetchImpl: FetchLike = opts.fetchImpl ?? ((u, i) => fetch(u, i));
  return async (releaseId, reportId) => {
    const url = `${base}${RELEASES_PATH}/${encodeURIComponent(releaseId)}/proof/${encodeURIComponent(reportId)}`;
    const u = new URL(url);
    try {
      const headers = await signRequest({ method: 'GET', url: u.pathname + u.search, body: '' }, { keyId, secretKey });
      const { status, text } = await fetchText(url, fetchImpl, 30_000, headers);
      if (status === 404) return { status: 'missing' };
      if (status !== 200) {
        let code = '';
        try {
          const body = JSON.parse(text) as { error?: { code?: unknown }; code?: unknown };
          const c = body.error?.code ?? body.code;
          if (typeof c === 'string') code = ` ${c}`;
        } catch {
          /* not JSON */
        }
        return { status: 'error', detail: `HTTP ${status}${code}` };
      }
      const body = JSON.parse(text) as { proof?: unknown };
      const parsed = proofSchema.safeParse(body && typeof body === 'object' && 'proof' in body ? body.proof : body);
      if (!parsed.success) return { status: 'error', detail: `not a proof (${issuesOf(parsed.error)})` };
      if (opts.download) appendFileSync(path.join(opts.download, 'proofs.jsonl'), JSON.stringify({ releaseId, reportId, proof: parsed.data }) + '\n');
      return { status: 'ok', proof: parsed.data };
    } catch (e) {
      return { status: 'error', detail: e instanceof Error ? e.message : String(e) };
    }
  };
}

export async function runAudit(opts: AuditOptions): Promise<AuditReport> {
  await ready();
  const pinned: PinnedKey[] = opts.publisherKeys.map((v, i) => readPinnedKey(v, i + 1));
  const findings = new Findings();
  const ran = new Set<CheckId>();
  let published: Published | undefined;
  if (opts.server) {
    ran.add('source');
    published = await loadFromServer(opts.server, findings, { download: opts.download, fetchImpl: opts.fetchImpl });
  } else if (opts.dir) {
    ran.add('source');
    published = loadFromDir(opts.dir, findings);
  }

  const entries: EntryReport[] = [];
  let chains: ChainResult | undefined;
  let versions: VersionSummary | undefined;
  let global: GlobalSummary | undefined;
  let dp: DpSummary | undefined;
  let keys: AuditReport['keys'] = [];
  let signatures: ReturnType<typeof checkSignatures> | undefined;
  if (published) {
    ran.add('signatures').add('chains').add('versions');
    signatures = checkSignatures(published, pinned, findings);
    keys = signatures.keys;
    chains = checkChains(published, findings);
    versions = checkVersions(published.entries, opts.minK, findings);
    const logManifests: LogManifest[] = [];
    for (const e of published.entries) {
      const a = signatures.entries.get(e)!;
      const m = e.manifest;
      const r: EntryReport = {
        index: e.index,
        id: m?.id ?? null,
        series: m?.series ?? null,
        sequence: m?.sequence ?? null,
        kind: e.envelope ? (e.envelope.signature ? 'release' : 'draft') : null,
        publishedOn: m?.publishedOn ?? null,
        hash: e.envelope?.hash ?? null,
        computedHash: e.computedHash ?? null,
        hashValid: a.hashValid,
        signatureValid: a.signatureValid,
        keyId: a.keyId,
        method: m?.method ?? null,
        k: m?.k ?? null,
        protection: m?.protection ?? null,
        data: m?.data.map((d) => ({ ...d })) ?? [],
        tables: m?.tables.length ?? 0,
        cells: m ? m.tables.reduce((n, t) => n + t.cells.length, 0) : 0,
        suppressed: m ? m.tables.reduce((n, t) => n + t.cells.filter((c) => c.suppressed).length, 0) : 0,
      };
      entries.push(r);
      if (!m) continue;
      const label = entryLabel(e);
      logManifests.push({ index: e.index, label, manifest: m });
      if (m.method === 'suppression') {
        ran.add('threshold');
        r.threshold = checkThreshold(m, findings, label);
      } else {
        ran.add('privacy');
        await checkDpEntry(m, e.index, label, findings);
      }
    }
    if (logManifests.some((e) => e.manifest.method === 'dp')) dp = checkDpLedger(logManifests, findings);
    if (logManifests.length > 0) {
      ran.add('intervals').add('changes');
      global = (await auditGlobal(logManifests, findings, { exact: opts.exact, narrowest: opts.narrowest, minK: opts.minK, progress: opts.progress })).summary;
    }
  }

  let inclusion: InclusionSummary | undefined;
  if (opts.receipts) {
    ran.add('inclusion');
    const receipts = readJsonLines<ReceiptLine>(opts.receipts, (v) => receiptLineSchema.safeParse(v), findings);
    const proofs = opts.proofs ? readJsonLines<ProofLine>(opts.proofs, (v) => proofLineSchema.safeParse(v), findings) : undefined;
    const fetchProof = opts.key ? proofFetcher(opts) : undefined;
    const byId = new Map<string, { manifest: NonNullable<Published['releases'][number]['manifest']>; authentic: boolean }>();
    for (const rel of published?.releases ?? []) {
      if (!rel.manifest) continue;
      const a = signatures?.releases.get(rel);
      const authentic = !!a && a.hashValid && a.signatureValid === true && a.inLog;
      const had = byId.get(rel.manifest.id);
      if (!had || (!had.authentic && authentic)) byId.set(rel.manifest.id, { manifest: rel.manifest, authentic });
    }
    inclusion = await checkInclusion({ receipts, proofs, fetchProof, releaseId: opts.release }, published?.wellKnown, byId, findings);
  }

  let inventory: InventoryReport | undefined;
  if (opts.database || opts.logs.length) {
    ran.add('inventory');
    inventory = await checkInventory({ database: opts.database, logs: opts.logs }, findings);
  }

  const checks = {} as Record<CheckId, CheckStatus>;
  for (const c of CHECK_IDS) {
    const worst = findings.worst(c);
    checks[c] = worst ?? (ran.has(c) ? 'pass' : 'skipped');
  }
  const failed = findings.failed(opts.strict);
  const report: AuditReport = {
    tool: 'contamos-audit',
    reportVersion: 2,
    formatVersion: 2,
    generatedAt: new Date().toISOString(),
    source: published ? { kind: published.kind, location: published.location } : { kind: 'none', location: null },
    options: { lang: opts.lang, strict: opts.strict, exact: opts.exact, minK: opts.minK, pinnedKeys: pinned.length },
    ok: !failed,
    exitCode: failed ? 1 : 0,
    failures: findings.count('fail'),
    warnings: findings.count('warn'),
    checks,
    keys,
    log: {
      entries: entries.length,
      releases: entries.filter((e) => e.kind === 'release').length,
      drafts: entries.filter((e) => e.kind === 'draft').length,
      lastIndex: chains?.lastIndex ?? 0,
      unbroken: chains?.unbroken ?? false,
    },
    entries,
    series: chains?.series ?? [],
    versions: versions?.years ?? [],
    findings: findings.list.map((f) => ({ ...f, message: messageOf(f, opts.lang) })),
    omitted: Object.fromEntries(findings.omitted),
    legend: legend(opts.lang),
  };
  if (global) report.global = global;
  if (dp) report.dp = dp;
  if (inclusion) report.inclusion = inclusion;
  if (inventory) report.inventory = inventory;
  return report;
}
