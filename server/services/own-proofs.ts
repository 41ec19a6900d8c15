// The Merkle inclusion proofs of a member's OWN reports in one release, page by page: what the
// submission page's "¿Se contó mi reporte?" check asks for, so an organisation can verify in its
// own browser, against the release's publisher-signed root, which of its reports were counted.
// Guarantees:
// - only the signing member's reports are listed (another member's are never looked at), in id
//   order with a cursor; each item says the report's status and year, and carries the proof
//   exactly as crypto's `inclusionProof` makes it when the report's hash is a leaf of the release,
//   or null when it is not (withdrawn, superseded, another year, sent after the release);
// - the request's nonce is consumed in the transaction that reads the release and the reports,
//   and the proofs are computed after it commits (never while a transaction is open), yielding
//   to the event loop between proofs;
// - a proof is computed at most once per (release, report) while it stays in a bounded cache
//   (CACHE_LIMIT proofs, least recently used dropped first), keyed by the release's manifest
//   hash: a stored release never changes, so neither do its proofs, and asking again costs a
//   lookup; a page's missing proofs come from ONE tree built for the request (`buildMerkleTree`,
//   then `inclusionProof(tree, leaf)`), not one tree per proof; the proof objects are crypto's,
//   passed on as they are;
// - a release that does not exist is `release_not_found`; nothing is written but the nonce.
// `proofFor` (one report's proof, `GET /api/v1/releases/:id/proof/:reportId`) keeps the same
// rules: another member's report is `report_not_found`, and its proof comes from the same cache.
import { type InclusionProof, type MerkleTree, buildMerkleTree, inclusionProof } from '../../crypto/index.js';
import { AppError } from '../errors.js';
import { nonceRow } from '../db/nonces.js';
import { unpackLeaves } from './releases.js';
import type { Auth, ServiceContext } from './context.js';

export interface OwnProof {
  reportId: string;
  reportHash: string;
  status: string;
  year: number;
  proof: InclusionProof | null;
}

export interface OwnProofsPage {
  releaseId: string;
  items: OwnProof[];
  nextCursor: string | null;
}

const yieldToEventLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

/** Proofs kept, at most; a Map iterates in insertion order, so the first key is the least recent. */
export const CACHE_LIMIT = 20_000;
const cache = new Map<string, InclusionProof | null>();

/** A release's leaves, decoded (and its tree built) only when a proof is not in the cache. */
class Leaves {
  private list: string[] | undefined;
  private set: Set<string> | undefined;
  private tree: MerkleTree | undefined;
  constructor(private readonly packed: Uint8Array) {}
  get all(): string[] {
    return (this.list ??= unpackLeaves(this.packed));
  }
  has(leaf: string): boolean {
    return (this.set ??= new Set(this.all)).has(leaf);
  }
  proof(leaf: string): InclusionProof | null {
    return inclusionProof((this.tree ??= buildMerkleTree(this.all)), leaf);
  }
}

/** The proof of `leaf` (null when it is not a leaf), from the cache or computed (see header). */
function cachedProof(releaseHash: string, leaves: Leaves, leaf: string): { proof: InclusionProof | null; computed: boolean } {
  const key = `${releaseHash}:${leaf}`;
  const hit = cache.get(key);
  if (hit !== undefined) {
    cache.delete(key);
    cache.set(key, hit);
    return { proof: hit, computed: false };
  }
  const proof = leaves.has(leaf) ? leaves.proof(leaf) : null;
  cache.set(key, proof);
  if (cache.size > CACHE_LIMIT) cache.delete(cache.keys().next().value!);
  return { proof, computed: proof !== null };
}

export async function ownProofs(ctx: ServiceContext, auth: Auth, releaseId: string, page: { cursor?: string; limit: number }): Promise<OwnProofsPage> {
  const { leaves, releaseHash, rows } = await ctx.db.signed(nonceRow(auth), async (tx) => {
    const rel = await tx.releases.leaves(releaseId);
    if (!rel) throw new AppError('release_not_found');
    const own = await tx.reports.listOwn(auth.keyId, page.cursor, page.limit + 1);
    return { leaves: rel.leaves, releaseHash: rel.hash, rows: own };
  });
  const more = rows.length > page.limit;
  const mine = rows.slice(0, page.limit);
  const releaseLeaves = new Leaves(leaves);
  const items: OwnProof[] = [];
  for (const r of mine) {
    const { proof, computed } = cachedProof(releaseHash, releaseLeaves, r.reportHash);
    if (computed) await yieldToEventLoop();
    items.push({ reportId: r.id, reportHash: r.reportHash, status: r.status, year: r.year, proof });
  }
  return { releaseId, items, nextCursor: more ? mine[mine.length - 1]!.id : null };
}

/** A Merkle inclusion proof that the member's own report was counted in a release. */
export async function proofFor(
  ctx: ServiceContext,
  auth: Auth,
  releaseId: string,
  reportId: string,
): Promise<{ releaseId: string; reportId: string; root: string; proof: InclusionProof }> {
  const { reportHash, leaves, releaseHash, root } = await ctx.db.signed(nonceRow(auth), async (tx) => {
    const report = await tx.reports.own(auth.keyId, reportId);
    if (!report) throw new AppError('report_not_found');
    const rel = await tx.releases.leaves(releaseId);
    if (!rel) throw new AppError('release_not_found');
    return {
      reportHash: report.reportHash,
      leaves: rel.leaves,
      releaseHash: rel.hash,
      root: (JSON.parse(rel.manifest) as { merkle: { root: string } }).merkle.root,
    };
  });
  const { proof } = cachedProof(releaseHash, new Leaves(leaves), reportHash);
  if (!proof) throw new AppError('not_in_release');
  return { releaseId, reportId, root, proof };
}
