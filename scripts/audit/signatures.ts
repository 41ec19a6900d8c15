// signatures.ts — guarantee 1: every signed release is signed by a publisher key and is, byte for
// byte, the log entry at its `publication.index`.
//
// Guarantees (docs/release-format.md, "Guarantees a valid log keeps", 1):
// - Every envelope's `hash` equals the lowercase-hex SHA-256 of canonicalJson(manifest as
//   published) (hash-mismatch).
// - Every signature — of a signed release, and of a log entry of kind "release" — must verify with
//   alg "ed25519" over canonicalJson(manifest) under the publisher keys of publisher-keys.ts:
//   the pinned ones when `--publisher-key` is given (signature-unpinned-key when it verifies only
//   under a key the server's document lists, or under none), else the key document's key named by
//   `signature.keyId` (signature-unknown-key, signature-invalid).
// - Every signed release is the log entry at its `publication.index`: that entry exists, is of kind
//   "release", its canonical manifest is byte-for-byte the release's and its signature is the same
//   (release-log-mismatch). Every log entry of kind "release" is among the signed releases, and the
//   releases' listing names exactly the releases available, with their hashes, indices and ids
//   (release-listing-mismatch).
// - With pinned keys, a key the server's document lists but nobody pinned is a warning
//   (publisher-key-unpinned).
// Requires `await ready()`.
import { verifyDetached } from '../../crypto/index.js';
import type { Findings } from './findings.js';
import type { Signature } from './format.js';
import { type PinnedKey, candidateKeys } from './publisher-keys.js';
import type { LogEntry, Published, SignedRelease } from './source.js';

export interface EntryAuthenticity {
  hashValid: boolean;
  /** null for a draft. */
  signatureValid: boolean | null;
  keyId: string | null;
}

export interface SignatureResult {
  entries: Map<LogEntry, EntryAuthenticity>;
  releases: Map<SignedRelease, EntryAuthenticity & { inLog: boolean }>;
  /** The keys signatures were checked against. */
  keys: Array<{ keyId: string | null; source: 'pinned' | 'key document'; origin?: string }>;
}

/** A label for a log entry in findings: "#7 anual-2". */
export const entryLabel = (e: LogEntry): string => (e.manifest ? `#${e.index} ${e.manifest.id}` : `#${e.index}`);

export function checkSignatures(pub: Published, pinned: readonly PinnedKey[], findings: Findings): SignatureResult {
  const published = pub.wellKnown?.publishers ?? [];
  const verify = (sig: Signature, canonical: string | undefined, label: string): boolean => {
    if (canonical === undefined) return false;
    if (sig.alg !== 'ed25519') {
      findings.add('signature-invalid', { keyId: sig.keyId, alg: sig.alg }, label);
      return false;
    }
    const keys = candidateKeys(sig.keyId, pinned, published);
    if (keys.some((k) => verifyDetached(sig.value, canonical, k))) return true;
    if (pinned.length > 0) {
      findings.add('signature-unpinned-key', { keyId: sig.keyId, pinned: pinned.length, inKeyDocument: published.some((p) => p.keyId === sig.keyId) }, label);
    } else if (keys.length === 0) findings.add('signature-unknown-key', { keyId: sig.keyId }, label);
    else findings.add('signature-invalid', { keyId: sig.keyId }, label);
    return false;
  };

  const entries = new Map<LogEntry, EntryAuthenticity>();
  for (const e of pub.entries) {
    const label = entryLabel(e);
    const out: EntryAuthenticity = { hashValid: false, signatureValid: null, keyId: null };
    entries.set(e, out);
    if (!e.envelope) continue;
    out.hashValid = e.computedHash !== undefined && e.envelope.hash === e.computedHash;
    if (!out.hashValid && e.computedHash) findings.add('hash-mismatch', { published: e.envelope.hash, computed: e.computedHash }, label);
    const sig = e.envelope.signature;
    if (sig) {
      out.keyId = sig.keyId;
      out.signatureValid = verify(sig, e.canonical, label);
    }
  }

  const byIndex = new Map(pub.entries.map((e) => [e.index, e] as const));
  const releases = new Map<SignedRelease, EntryAuthenticity & { inLog: boolean }>();
  const inReleases = new Set<number>();
  for (const r of pub.releases) {
    const label = r.manifest?.id ?? r.listedAs;
    const out = { hashValid: false, signatureValid: false as boolean | null, keyId: null as string | null, inLog: false };
    releases.set(r, out);
    if (!r.envelope) continue;
    out.hashValid = r.computedHash !== undefined && r.envelope.hash === r.computedHash;
    if (!out.hashValid && r.computedHash) findings.add('hash-mismatch', { published: r.envelope.hash, computed: r.computedHash }, label);
    out.keyId = r.envelope.signature.keyId;
    // The log entry's signature is checked with the entry; check this copy only if it differs.
    const index = r.manifest?.publication.index ?? r.index;
    const e = index !== undefined ? byIndex.get(index) : undefined;
    const sameSignature =
      e?.envelope?.signature && e.envelope.signature.value === r.envelope.signature.value && e.envelope.signature.keyId === r.envelope.signature.keyId;
    out.signatureValid =
      sameSignature && e.canonical === r.canonical ? (entries.get(e)?.signatureValid ?? false) : verify(r.envelope.signature, r.canonical, label);
    if (r.manifest && r.listedAs !== r.manifest.id)
      findings.add('release-listing-mismatch', { id: r.listedAs, problem: 'manifest-id', manifestId: r.manifest.id }, label);
    if (index === undefined) continue;
    inReleases.add(index);
    if (!e) findings.add('release-log-mismatch', { index, problem: 'no-entry' }, label);
    else if (!e.envelope?.signature) findings.add('release-log-mismatch', { index, problem: 'draft' }, label);
    else if (e.canonical !== r.canonical) findings.add('release-log-mismatch', { index, problem: 'different' }, label);
    else if (!sameSignature) findings.add('release-log-mismatch', { index, problem: 'other-signature' }, label);
    else out.inLog = true;
  }
  // Signed log entries that are not among the releases; the releases' listing.
  const haveReleases = pub.releases.length > 0 || pub.releaseListing !== undefined;
  for (const e of pub.entries) {
    if (!e.envelope?.signature || inReleases.has(e.index)) continue;
    if (haveReleases)
      findings.add('release-listing-mismatch', { id: e.manifest?.id ?? `#${e.index}`, problem: 'not-among-releases', index: e.index }, entryLabel(e));
  }
  if (pub.releaseListing) {
    const byId = new Map(pub.releases.map((r) => [r.listedAs, r] as const));
    const listed = new Set<string>();
    for (const item of pub.releaseListing.items) {
      listed.add(item.id);
      const r = byId.get(item.id);
      if (!r) {
        findings.add('release-listing-mismatch', { id: item.id, problem: 'listed-not-available' }, item.id);
        continue;
      }
      const m = r.manifest;
      const problems: string[] = [];
      if (r.computedHash && item.hash !== r.computedHash) problems.push('hash');
      if (m && (item.series !== m.series || item.sequence !== m.sequence)) problems.push('series/sequence');
      if (m && item.index !== m.publication.index) problems.push('index');
      if (m && item.publishedOn !== undefined && item.publishedOn !== m.publishedOn) problems.push('publishedOn');
      if (problems.length) findings.add('release-listing-mismatch', { id: item.id, problem: 'differs', fields: problems.join(', ') }, item.id);
    }
    for (const r of pub.releases) if (!listed.has(r.listedAs)) findings.add('release-listing-mismatch', { id: r.listedAs, problem: 'not-listed' }, r.listedAs);
  }
  // Keys.
  const keys: SignatureResult['keys'] = [];
  if (pinned.length > 0) {
    for (const p of pinned) keys.push({ keyId: p.keyId, source: 'pinned', origin: p.origin });
    for (const k of published) {
      if (!pinned.some((p) => p.publicKey === k.publicKey)) findings.add('publisher-key-unpinned', { keyId: k.keyId });
    }
  } else for (const k of published) keys.push({ keyId: k.keyId, source: 'key document' });
  return { entries, releases, keys };
}
