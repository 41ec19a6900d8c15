// authenticity.ts — check 1: every release is signed by a published publisher key and the releases
// of each series form one unbroken hash chain.
//
// Guarantees (docs/release-format.md, "Guarantees" 1 and 2):
// - `hash` must equal the lowercase-hex SHA-256 of canonicalJson(manifest as published)
//   (hash-mismatch); `signature.value` must verify, with alg "ed25519", over canonicalJson(manifest)
//   under the key of `/.well-known/contamos.json` named by `signature.keyId`
//   (signature-unknown-key, signature-invalid). Both use the shared crypto module only.
// - `id` must be `${series}-${sequence}` and equal the id it was listed or saved under (id-mismatch).
// - Within a series: no two different releases with the same sequence (chain-fork), every
//   sequence 1..max present (chain-gap), previousHash null for sequence 1 and equal to the
//   recomputed hash of release sequence−1 otherwise (chain-link); a publishedOn earlier than the
//   previous release's is a warning (chain-date-order).
// - When a listing is available, it must name the same releases with the same hashes
//   (listing-mismatch) and be in series, sequence order (listing-order, a warning).
// - A release is "authentic" for the later checks only if its hash AND its signature verify.
// Requires `await ready()` (libsodium) before `checkAuthenticity`.
import { canonicalJson, sha256Hex, verifyDetached } from '../../crypto/index.js';
import type { Findings } from './findings.js';
import type { LoadedRelease, Published } from './source.js';

export interface ReleaseAuthenticity {
  computedHash?: string;
  hashValid: boolean;
  signatureValid: boolean;
  keyId?: string;
  /** Hash and signature both verify. */
  authentic: boolean;
}

export interface SeriesSummary {
  series: string;
  releases: number;
  lastSequence: number;
  unbroken: boolean;
}

export interface AuthenticityResult {
  byRelease: Map<LoadedRelease, ReleaseAuthenticity>;
  series: SeriesSummary[];
}

function checkOne(rel: LoadedRelease, pub: Published, findings: Findings): ReleaseAuthenticity {
  const out: ReleaseAuthenticity = { hashValid: false, signatureValid: false, authentic: false };
  const env = rel.envelope;
  if (!env) return out;
  let canonical: string;
  try {
    canonical = canonicalJson(env.manifest);
  } catch (e) {
    findings.add('release-invalid', { origin: rel.origin, problem: `manifest is not canonicalisable JSON (${e instanceof Error ? e.message : 'error'})` }, rel.id);
    return out;
  }
  const computed = sha256Hex(canonical);
  out.computedHash = computed;
  out.hashValid = env.hash === computed;
  if (!out.hashValid) findings.add('hash-mismatch', { published: env.hash, computed }, rel.id);

  out.keyId = env.signature.keyId;
  const key = pub.wellKnown?.publishers.find((p) => p.keyId === env.signature.keyId);
  if (!key) findings.add('signature-unknown-key', { keyId: env.signature.keyId }, rel.id);
  else if (env.signature.alg !== 'ed25519') findings.add('signature-invalid', { keyId: key.keyId, problem: `alg ${env.signature.alg}` }, rel.id);
  else if (!verifyDetached(env.signature.value, canonical, key.publicKey)) findings.add('signature-invalid', { keyId: key.keyId, problem: 'does not verify' }, rel.id);
  else out.signatureValid = true;
  out.authentic = out.hashValid && out.signatureValid;

  const m = rel.manifest;
  if (m) {
    const expected = `${m.series}-${m.sequence}`;
    if (m.id !== expected) findings.add('id-mismatch', { id: m.id, expected }, rel.id);
    else if (rel.listedAs !== m.id) findings.add('id-mismatch', { id: m.id, expected: rel.listedAs }, rel.id);
  }
  return out;
}

function checkChains(pub: Published, byRelease: Map<LoadedRelease, ReleaseAuthenticity>, findings: Findings): SeriesSummary[] {
  const bySeries = new Map<string, Map<number, LoadedRelease[]>>();
  for (const rel of pub.releases) {
    const m = rel.manifest;
    if (!m) continue;
    let seqs = bySeries.get(m.series);
    if (!seqs) bySeries.set(m.series, (seqs = new Map()));
    const list = seqs.get(m.sequence) ?? [];
    // The very same release saved twice is not a fork; two different manifests are.
    const h = byRelease.get(rel)?.computedHash;
    if (!list.some((o) => byRelease.get(o)?.computedHash === h)) list.push(rel);
    seqs.set(m.sequence, list);
  }
  const summaries: SeriesSummary[] = [];
  for (const [series, seqs] of [...bySeries].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    let unbroken = true;
    const max = Math.max(...seqs.keys());
    for (let s = 1; s <= max; s++) {
      const here = seqs.get(s);
      if (!here) {
        findings.add('chain-gap', { series, sequence: s }, `${series}-${s}`);
        unbroken = false;
        continue;
      }
      if (here.length > 1) {
        findings.add('chain-fork', { series, sequence: s, count: here.length, hashes: here.map((r) => byRelease.get(r)?.computedHash ?? '?') }, `${series}-${s}`);
        unbroken = false;
      }
      const prev = seqs.get(s - 1) ?? [];
      for (const rel of here) {
        const m = rel.manifest!;
        if (s === 1) {
          if (m.previousHash !== null) {
            findings.add('chain-link', { series, sequence: s, previousHash: m.previousHash, expected: null }, rel.id);
            unbroken = false;
          }
          continue;
        }
        if (prev.length === 0) continue; // the gap is already reported
        const prevHashes = prev.map((p) => byRelease.get(p)?.computedHash ?? '');
        if (m.previousHash === null || !prevHashes.includes(m.previousHash)) {
          findings.add('chain-link', { series, sequence: s, previousHash: m.previousHash, expected: prevHashes.length === 1 ? prevHashes[0]! : prevHashes }, rel.id);
          unbroken = false;
        }
        const p = prev.find((r) => byRelease.get(r)?.computedHash === m.previousHash) ?? prev[0]!;
        if (p.manifest && m.publishedOn < p.manifest.publishedOn) {
          findings.add('chain-date-order', { series, sequence: s, publishedOn: m.publishedOn, previousPublishedOn: p.manifest.publishedOn }, rel.id);
        }
      }
    }
    summaries.push({ series, releases: [...seqs.values()].reduce((a, l) => a + l.length, 0), lastSequence: max, unbroken });
  }
  return summaries;
}

function checkListing(pub: Published, byRelease: Map<LoadedRelease, ReleaseAuthenticity>, findings: Findings): void {
  const listing = pub.listing;
  if (!listing) return;
  const byListed = new Map(pub.releases.map((r) => [r.listedAs, r] as const));
  const listed = new Set<string>();
  for (const item of listing.items) {
    listed.add(item.id);
    const rel = byListed.get(item.id);
    if (!rel) {
      findings.add('listing-mismatch', { id: item.id, problem: 'listed but not available' }, item.id);
      continue;
    }
    const m = rel.manifest;
    const problems: string[] = [];
    if (rel.envelope && item.hash !== rel.envelope.hash) problems.push('hash');
    const computed = byRelease.get(rel)?.computedHash;
    if (computed && item.hash !== computed && !problems.includes('hash')) problems.push('hash');
    if (m && (item.series !== m.series || item.sequence !== m.sequence)) problems.push('series/sequence');
    if (m && item.publishedOn !== undefined && item.publishedOn !== m.publishedOn) problems.push('publishedOn');
    if (problems.length) findings.add('listing-mismatch', { id: item.id, problem: `differs in ${problems.join(', ')}` }, item.id);
  }
  for (const rel of pub.releases) {
    if (!listed.has(rel.listedAs)) findings.add('listing-mismatch', { id: rel.listedAs, problem: 'available but not listed' }, rel.id);
  }
  // Order: each series in one block, sequences ascending inside it.
  const seen = new Set<string>();
  for (let i = 0; i < listing.items.length; i++) {
    const a = listing.items[i]!;
    const b = listing.items[i - 1];
    const bad = b ? (a.series === b.series ? a.sequence <= b.sequence : seen.has(a.series)) : false;
    if (bad) {
      findings.add('listing-order', { id: a.id, position: i + 1 });
      break;
    }
    seen.add(a.series);
  }
}

export function checkAuthenticity(pub: Published, findings: Findings): AuthenticityResult {
  const byRelease = new Map<LoadedRelease, ReleaseAuthenticity>();
  for (const rel of pub.releases) byRelease.set(rel, checkOne(rel, pub, findings));
  const series = checkChains(pub, byRelease, findings);
  checkListing(pub, byRelease, findings);
  return { byRelease, series };
}
