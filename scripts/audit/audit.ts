// audit.ts — runs every requested check and assembles the audit report (text rendering is in
// report.ts, the command line in main.ts).
//
// Guarantees:
// - Uses only published material (a server's public URLs or a folder copy), the optional
//   receipts/proofs/key files and, for the inventory, read-only database and log access; from the
//   project it uses only crypto/ — never server/ code (a test checks the import specifiers).
// - Each check runs independently: a failure in one (e.g. a forged signature) does not stop the
//   others, so one run lists everything that is wrong.
// - `report.ok` is false, and `report.exitCode` 1, when any failure was found, or any warning
//   under `strict`; otherwise exitCode is 0. Checks not requested are "skipped" and never fail.
import { readFileSync, appendFileSync } from 'node:fs';
import path from 'node:path';
import { parseKeyFile, ready, signRequest } from '../../crypto/index.js';
import { type AuthenticityResult, checkAuthenticity } from './authenticity.js';
import { type DifferencingSummary, checkDifferencing } from './differencing.js';
import { CHECK_IDS, type CheckId, type Finding, Findings } from './findings.js';
import { checkDpRelease, checkDpSeries } from './dp.js';
import { type Manifest, type ProofLine, type ReceiptLine, issuesOf, proofLineSchema, proofSchema, receiptLineSchema } from './format.js';
import { type FetchedProof, type InclusionSummary, checkInclusion } from './inclusion.js';
import { type IntervalSummary, auditIntervals } from './intervals.js';
import { type InventoryReport, checkInventory } from './inventory.js';
import { LpSolver } from './lp.js';
import { type Lang, messageOf } from './messages.js';
import { type FetchLike, type Published, RELEASES_PATH, fetchText, loadFromDir, loadFromServer } from './source.js';
import { buildModel } from './structure.js';
import { type ThresholdSummary, checkThreshold } from './threshold.js';

export interface AuditOptions {
  server?: string;
  dir?: string;
  download?: string;
  lang: Lang;
  strict: boolean;
  exact: boolean;
  narrowest: number;
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

export interface ReleaseReport {
  id: string;
  origin: string;
  series: string | null;
  sequence: number | null;
  publishedOn: string | null;
  hash: string | null;
  computedHash: string | null;
  keyId: string | null;
  hashValid: boolean;
  signatureValid: boolean;
  method: string | null;
  k: number | null;
  protection: number | null;
  tables: number;
  cells: number;
  threshold?: ThresholdSummary;
  intervals?: IntervalSummary;
}

export interface AuditReport {
  tool: 'contamos-audit';
  reportVersion: 1;
  generatedAt: string;
  source: { kind: 'server' | 'dir' | 'none'; location: string | null };
  options: { lang: Lang; strict: boolean; exact: boolean };
  ok: boolean;
  exitCode: 0 | 1;
  failures: number;
  warnings: number;
  checks: Record<CheckId, CheckStatus>;
  publisherKeys: string[];
  series: AuthenticityResult['series'];
  releases: ReleaseReport[];
  differencing?: DifferencingSummary;
  inclusion?: InclusionSummary;
  inventory?: InventoryReport;
  findings: Array<Finding & { message: string }>;
}

/** A problem with how the auditor was called (exit code 2). */
export class UsageError extends Error {}

function readJsonLines<T>(file: string, parse: (v: unknown) => { success: true; data: T } | { success: false; error: Parameters<typeof issuesOf>[0] }, findings: Findings): T[] {
  const out: T[] = [];
  const lines = readFileSync(file, 'utf8').split('\n');
  lines.forEach((line, i) => {
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

  const releases: ReleaseReport[] = [];
  let auth: AuthenticityResult | undefined;
  let differencing: DifferencingSummary | undefined;
  if (published) {
    ran.add('authenticity');
    auth = checkAuthenticity(published, findings);
    let solvers: { whole: LpSolver; local: LpSolver } | undefined;
    try {
      for (const rel of published.releases) {
        const a = auth.byRelease.get(rel)!;
        const m = rel.manifest;
        const r: ReleaseReport = {
          id: rel.id,
          origin: rel.origin,
          series: m?.series ?? null,
          sequence: m?.sequence ?? null,
          publishedOn: m?.publishedOn ?? null,
          hash: rel.envelope?.hash ?? null,
          computedHash: a.computedHash ?? null,
          keyId: a.keyId ?? null,
          hashValid: a.hashValid,
          signatureValid: a.signatureValid,
          method: m?.method ?? null,
          k: m?.k ?? null,
          protection: m?.protection ?? null,
          tables: m?.tables.length ?? 0,
          cells: m ? m.tables.reduce((n, t) => n + t.cells.length, 0) : 0,
        };
        releases.push(r);
        if (!m) continue;
        if (m.method === 'dp') {
          ran.add('privacy');
          checkDpRelease(m, buildModel(m, findings, rel.id), findings, rel.id);
          continue;
        }
        if (m.method !== 'suppression' || m.k === undefined) {
          findings.add('method-not-audited', { method: m.method }, rel.id);
          continue;
        }
        ran.add('threshold');
        ran.add('intervals');
        r.threshold = checkThreshold(m, findings, rel.id);
        const model = buildModel(m, findings, rel.id);
        solvers ??= { whole: await LpSolver.create(), local: await LpSolver.create() };
        r.intervals = auditIntervals(model, m, solvers, findings, rel.id, { exact: opts.exact, narrowest: opts.narrowest, progress: opts.progress });
      }
    } finally {
      solvers?.whole.dispose();
      solvers?.local.dispose();
    }
    const manifests = published.releases.map((r) => r.manifest).filter((m): m is Manifest => m !== undefined);
    if (manifests.some((m) => m.method === 'suppression')) {
      ran.add('differencing');
      differencing = checkDifferencing(manifests.filter((m) => m.method === 'suppression'), findings);
    }
    checkDpSeries(manifests, findings);
  }

  let inclusion: InclusionSummary | undefined;
  if (opts.receipts) {
    ran.add('inclusion');
    const receipts = readJsonLines<ReceiptLine>(opts.receipts, (v) => receiptLineSchema.safeParse(v), findings);
    const proofs = opts.proofs ? readJsonLines<ProofLine>(opts.proofs, (v) => proofLineSchema.safeParse(v), findings) : undefined;
    const fetchProof = opts.key ? proofFetcher(opts) : undefined;
    const byId = new Map<string, { manifest: Manifest; authentic: boolean }>();
    for (const rel of published?.releases ?? []) {
      if (!rel.manifest) continue;
      const authentic = auth?.byRelease.get(rel)?.authentic ?? false;
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
    const fs = findings.of(c);
    checks[c] = fs.some((x) => x.severity === 'fail') ? 'fail' : fs.length ? 'warn' : ran.has(c) ? 'pass' : 'skipped';
  }
  const failed = findings.failed(opts.strict);
  const report: AuditReport = {
    tool: 'contamos-audit',
    reportVersion: 1,
    generatedAt: new Date().toISOString(),
    source: published ? { kind: published.kind, location: published.location } : { kind: 'none', location: null },
    options: { lang: opts.lang, strict: opts.strict, exact: opts.exact },
    ok: !failed,
    exitCode: failed ? 1 : 0,
    failures: findings.count('fail'),
    warnings: findings.count('warn'),
    checks,
    publisherKeys: published?.wellKnown?.publishers.map((p) => p.keyId) ?? [],
    series: auth?.series ?? [],
    releases,
    findings: findings.list.map((f) => ({ ...f, message: messageOf(f, opts.lang) })),
  };
  if (differencing) report.differencing = differencing;
  if (inclusion) report.inclusion = inclusion;
  if (inventory) report.inventory = inventory;
  return report;
}
