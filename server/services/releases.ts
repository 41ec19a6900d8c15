// Releases: the only way counts leave the server.
// Flow: the publisher asks for a release (signed request) → the server counts, protects (primary
// and secondary suppression, jointly with every earlier release of the series), builds the
// manifest with the next sequence number and the previous release's hash, and keeps it as a draft
// → the publisher signs the canonical manifest on their own machine and sends the signature → the
// server verifies it against that publisher's key and stores the release, immutably.
// Guarantees: a release is stored only with a valid publisher signature over exactly the stored
// manifest; sequence numbers in a series have no gap and no fork (unique (series, sequence), and
// the draft's previousHash must still be the latest release's hash when it is signed); a release
// over fewer than k reports is refused (its Merkle tree size would itself be a small count);
// the result is deterministic for the same data and earlier releases.
import { randomUUID } from 'node:crypto';
import { MERKLE_SCHEME, canonicalJson, fromHex, hashCanonical, inclusionProof, merkleRoot, toHex, verifyDetached, type InclusionProof } from '../../crypto/index.js';
import { protectRelease } from '../disclosure/index.js';
import { dpRelease } from '../dp/index.js';
import { chargeDpBudget, checkDpBudget, dpBoundsOf, type DpLedgerEntry } from './dp-ledger.js';
import { AppError } from '../errors.js';
import type { ReleaseRequest } from '../schemas/release.js';
import { TAXONOMY_VERSION, codesOf, dimensions, quarters, regionGroups } from '../taxonomy/taxonomy.js';
import { type ReleaseDimension, countIncidents, countedReportHashes } from './counting.js';
import { authenticated } from './nonces.js';
import { isUniqueViolation } from './db-errors.js';
import type { Tx } from '../db/client.js';
import type { Auth, ServiceContext } from './context.js';

export interface ManifestCell { key: Record<string, string>; count: number | null; suppressed: boolean }
export interface DpInfo {
  mechanism: 'discrete-gaussian' | 'discrete-laplace';
  rho?: string; epsilon?: string; sigma2?: number; scale?: number;
  /** Distinct cells each incident falls into: L1 sensitivity m, L2 sensitivity √m. */
  m: number;
  keepTotal: boolean;
  /** Published exactly, outside the DP guarantee. */
  invariants: string[];
  /** Half-width of the 90% interval of the noise on every cell (before post-processing). */
  errorMargin90: number;
  ledger: DpLedgerEntry;
}
export interface Manifest {
  type: 'contamos-release';
  formatVersion: 1;
  id: string;
  series: string;
  sequence: number;
  previousHash: string | null;
  publishedOn: string;
  taxonomyVersion: string;
  request: ReleaseRequest;
  method: 'suppression' | 'dp';
  /** Threshold and protection level (suppression only). */
  k?: number;
  protection?: number;
  /** Mechanism, parameters, error margin and budget ledger (dp only). */
  dp?: DpInfo;
  hierarchies: Record<string, Record<string, string[]>>;
  domains: Record<string, string[]>;
  merkle: { scheme: typeof MERKLE_SCHEME; root: string };
  tables: Array<{ dimensions: string[]; cells: ManifestCell[] }>;
}
export interface Envelope { manifest: Manifest; hash: string; signature: { keyId: string; alg: 'ed25519'; value: string } }

const DRAFT_TTL_S = 3600;

export function domainOf(dim: ReleaseDimension, years: number[]): string[] {
  switch (dim) {
    case 'year': return years.map(String);
    case 'quarter': return [...codesOf(quarters), 'unknown'];
    case 'outcome': return [...codesOf(dimensions.outcome), 'not-applicable'];
    default: return [...codesOf(dimensions[dim])];
  }
}

function yearsOf(req: ReleaseRequest): number[] {
  return [...new Set('year' in req.filter ? [req.filter.year] : req.filter.years)].sort((a, b) => a - b);
}

async function publishedCellsOf(ctx: ServiceContext, series: string): Promise<Array<{ hash: string; sequence: number; method: string; cells: Array<{ key: Record<string, string>; count: number | null }> }>> {
  const rows = await ctx.db.prisma.release.findMany({ where: { series }, orderBy: { sequence: 'asc' }, select: { hash: true, sequence: true, manifest: true } });
  return rows.map((r) => {
    const m = JSON.parse(r.manifest) as Manifest;
    return { hash: r.hash, sequence: r.sequence, method: m.method, cells: m.tables.flatMap((t) => t.cells.map((c) => ({ key: c.key, count: c.count }))) };
  });
}

/** Computes a release and keeps it as a draft for the publisher to sign. */
export async function draftRelease(ctx: ServiceContext, auth: Auth, req: ReleaseRequest): Promise<{ draftId: string; hash: string; manifest: Manifest; stats: unknown }> {
  const dpAmount = req.method === 'dp' ? (req.rho !== undefined ? { rho: req.rho } : { epsilon: req.epsilon! }) : undefined;
  if (dpAmount) await checkDpBudget(ctx.db.prisma, dpBoundsOf(ctx), dpAmount); // refused before anything is computed
  const years = yearsOf(req);
  const dims = [...new Set(req.tables.flat())] as ReleaseDimension[];
  const [counts, leaves, earlier] = await Promise.all([
    countIncidents(ctx, years, dims),
    countedReportHashes(ctx, years),
    publishedCellsOf(ctx, req.series),
  ]);
  if (earlier.some((e) => e.method !== req.method)) throw new AppError('series_method_mismatch');
  const domains = Object.fromEntries(['year', ...dims].map((d) => [d, domainOf(d as ReleaseDimension, years)]));
  const hierarchies: Record<string, Record<string, string[]>> = {};
  if (req.regionGroups && dims.includes('region')) {
    hierarchies.region = Object.fromEntries(regionGroups.filter((g) => g.code !== 'unknown').map((g) => [g.code, g.members]));
  }
  const last = earlier[earlier.length - 1];
  const sequence = (last?.sequence ?? 0) + 1;
  const manifest: Manifest = {
    type: 'contamos-release',
    formatVersion: 1,
    id: `${req.series}-${sequence}`,
    series: req.series,
    sequence,
    previousHash: last?.hash ?? null,
    publishedOn: new Date(ctx.now() * 1000).toISOString().slice(0, 10),
    taxonomyVersion: TAXONOMY_VERSION,
    request: req,
    method: req.method,
    hierarchies,
    domains,
    merkle: { scheme: MERKLE_SCHEME, root: merkleRoot(leaves) },
    tables: [],
  };
  const tableOf = (cells: Array<{ table: number; key: Record<string, string>; count: number | null; suppressed: boolean }>, extra: Partial<ManifestCell> = {}) =>
    req.tables.map((dimensions, i) => ({
      dimensions,
      cells: cells.filter((c) => c.table === i).map((c) => ({ key: c.key, count: c.suppressed ? null : c.count, suppressed: c.suppressed, ...extra })),
    }));

  let stats: unknown;
  let dpRun: Awaited<ReturnType<typeof dpRelease>> | undefined;
  if (req.method === 'suppression') {
    if (leaves.length < req.k) throw new AppError('release_too_small');
    const protectedRelease = await protectRelease({ counts, domains, tables: req.tables, hierarchies, k: req.k, previous: earlier.map((e) => e.cells), finalAudit: 'verdicts' });
    manifest.k = req.k;
    manifest.protection = req.k;
    manifest.tables = tableOf(protectedRelease.cells);
    stats = protectedRelease.stats;
  } else {
    dpRun = await dpRelease({ counts, domains, tables: req.tables, hierarchies, keepTotal: req.keepTotal, ...(req.rho !== undefined ? { rho: req.rho } : { epsilon: req.epsilon! }) });
    if (dpRun.stats.randomSource !== 'crypto') throw new Error('a DP release must use the cryptographic random source');
    manifest.tables = tableOf(dpRun.cells.map((c) => ({ ...c, suppressed: false })), { errorMargin90: dpRun.errorMargin90 } as Partial<ManifestCell>);
    stats = { ...dpRun.stats, trace: undefined };
  }
  const draftId = randomUUID();
  const store = async (tx: Tx) => {
    if (req.method === 'dp' && dpRun) {
      const ledger = await chargeDpBudget(tx, dpBoundsOf(ctx), dpAmount!);
      const p = dpRun.params;
      manifest.dp = {
        mechanism: dpRun.mechanism,
        ...(p.exact.rho !== undefined ? { rho: p.exact.rho, sigma2: p.sigma2 } : { epsilon: p.exact.epsilon, scale: p.scale }),
        m: p.m, keepTotal: p.keepTotal, invariants: [...p.invariants], errorMargin90: dpRun.errorMargin90, ledger,
      };
    }
    const hash = hashCanonical(manifest);
    await tx.releaseDraft.create({
      data: { id: draftId, series: req.series, sequence, hash, manifest: canonicalJson(manifest), leaves: packLeaves(leaves), expiresAt: ctx.now() + DRAFT_TTL_S },
    });
    return hash;
  };
  const hash = await authenticated(ctx, auth, store);
  return { draftId, hash, manifest, stats };
}

/** Stores a draft as a release once its publisher's signature verifies. */
export async function signRelease(ctx: ServiceContext, auth: Auth, draftId: string, signature: string): Promise<Envelope> {
  const publisher = ctx.keys.publishers.find((p) => p.keyId === auth.keyId);
  if (!publisher) throw new AppError('forbidden_role');
  try {
    return await authenticated(ctx, auth, async (tx) => {
      const draft = await tx.releaseDraft.findUnique({ where: { id: draftId } });
      if (!draft || draft.expiresAt < ctx.now()) throw new AppError('draft_not_found');
      if (!verifyDetached(signature, draft.manifest, publisher.publicKey)) throw new AppError('release_signature_invalid');
      const manifest = JSON.parse(draft.manifest) as Manifest;
      const latest = await tx.release.findFirst({ where: { series: draft.series }, orderBy: { sequence: 'desc' }, select: { hash: true, sequence: true } });
      if ((latest?.hash ?? null) !== manifest.previousHash || (latest?.sequence ?? 0) + 1 !== draft.sequence) throw new AppError('release_stale');
      await tx.release.create({
        data: {
          id: manifest.id, series: draft.series, sequence: draft.sequence, hash: draft.hash, manifest: draft.manifest,
          signature, keyId: publisher.keyId, publishedOn: manifest.publishedOn, leaves: draft.leaves,
        },
      });
      await tx.releaseDraft.delete({ where: { id: draftId } });
      return { manifest, hash: draft.hash, signature: { keyId: publisher.keyId, alg: 'ed25519' as const, value: signature } };
    });
  } catch (e) {
    // another release of the series got this sequence number first (another replica, another publisher)
    if (isUniqueViolation(e)) throw new AppError('release_stale');
    throw e;
  }
}

export async function listReleases(ctx: ServiceContext) {
  const rows = await ctx.db.prisma.release.findMany({ orderBy: [{ series: 'asc' }, { sequence: 'asc' }], select: { id: true, series: true, sequence: true, hash: true, publishedOn: true } });
  return { items: rows };
}

export async function getRelease(ctx: ServiceContext, id: string): Promise<Envelope> {
  const r = await ctx.db.prisma.release.findUnique({ where: { id }, select: { manifest: true, hash: true, signature: true, keyId: true } });
  if (!r) throw new AppError('release_not_found');
  return { manifest: JSON.parse(r.manifest) as Manifest, hash: r.hash, signature: { keyId: r.keyId, alg: 'ed25519', value: r.signature } };
}

/** A Merkle inclusion proof that the member's own report was counted in a release. */
export async function proofFor(ctx: ServiceContext, auth: Auth, releaseId: string, reportId: string): Promise<{ releaseId: string; reportId: string; root: string; proof: InclusionProof }> {
  return authenticated(ctx, auth, async (tx) => {
    const report = await tx.report.findFirst({ where: { id: reportId, memberKeyId: auth.keyId }, select: { reportHash: true } });
    if (!report) throw new AppError('report_not_found');
    const rel = await tx.release.findUnique({ where: { id: releaseId }, select: { leaves: true, manifest: true } });
    if (!rel) throw new AppError('release_not_found');
    const proof = inclusionProof(unpackLeaves(rel.leaves), report.reportHash);
    if (!proof) throw new AppError('not_in_release');
    return { releaseId, reportId, root: (JSON.parse(rel.manifest) as Manifest).merkle.root, proof };
  });
}

export function packLeaves(leavesHex: string[]): Uint8Array<ArrayBuffer> {
  const sorted = [...new Set(leavesHex)].sort();
  const out = new Uint8Array(new ArrayBuffer(sorted.length * 32));
  sorted.forEach((h, i) => out.set(fromHex(h), i * 32));
  return out;
}

export function unpackLeaves(bytes: Uint8Array): string[] {
  const out: string[] = [];
  for (let i = 0; i < bytes.length; i += 32) out.push(toHex(bytes.subarray(i, i + 32)));
  return out;
}

export async function purgeExpiredDrafts(ctx: ServiceContext): Promise<number> {
  return (await ctx.db.prisma.releaseDraft.deleteMany({ where: { expiresAt: { lt: ctx.now() } } })).count;
}
