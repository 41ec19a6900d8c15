// merkle.ts — RFC 6962 (Certificate Transparency) Merkle trees over report hashes.
//
// The leaves of a release's tree are the report hashes (lowercase 64-hex) of the counted reports,
// SORTED lexicographically and DEDUPLICATED, so the root depends only on the set of reports, not
// on the order the server read them.
//
// Guarantees:
// - Hashing is RFC 6962 §2.1: leaf node = SHA-256(0x00 || leaf bytes), inner node =
//   SHA-256(0x01 || left || right); a tree of n > 1 leaves is split at the largest power of two
//   k < n (left = first k leaves). The empty tree's root is SHA-256("").
//   (Computed bottom-up: pairing neighbours level by level and carrying an unpaired last node up
//   unchanged gives exactly the RFC 6962 tree.)
// - `merkleRoot` / `buildMerkleTree` throw `TypeError` if a leaf is not a lowercase 64-hex string.
// - `inclusionProof` returns the RFC 6962 audit path (leaf to root) for a leaf, or null when the
//   leaf is not in the set. `verifyInclusion` is the RFC 9162 §2.1.3.2 check; it never throws and
//   is false for any malformed proof, a different root, or a different leaf. As in RFC 6962 the
//   root does not commit to the tree size, so callers that know the size (from the signed release
//   manifest) pass it as `expectedTreeSize`.
// - 1,000,000 leaves: root in about 1.5 s (measured by test/crypto/merkle.test.ts); memory is
//   32 bytes per leaf for a root, about 64 bytes per leaf for a tree kept for proofs.
// No initialisation needed.
import { toHex } from './encoding.js';
import { isSha256Hex } from './hash.js';
import { merkleLeafInto, merkleNodeInto, sha256Bytes } from './sha256.js';

export interface InclusionProof {
  /** The report hash (leaf data), lowercase hex. */
  leaf: string;
  /** Position of the leaf among the sorted, deduplicated leaves. */
  index: number;
  /** Number of (deduplicated) leaves in the tree. */
  treeSize: number;
  /** Sibling hashes from the leaf's level up to just below the root, lowercase hex. */
  path: string[];
}

const EMPTY_ROOT = toHex(sha256Bytes(new Uint8Array(0)));

// Lowercase-hex digit values; -1 for anything else (uppercase is refused: hashes are lowercase).
const HEX = (() => {
  const t = new Int8Array(128).fill(-1);
  for (let i = 0; i < 16; i++) t['0123456789abcdef'.charCodeAt(i)] = i;
  return t;
})();

/** Decodes and validates all leaves into one buffer (32 bytes each); throws TypeError. */
function decodeLeaves(leavesHex: readonly string[]): Uint8Array {
  if (!Array.isArray(leavesHex)) throw new TypeError('leaves must be an array of hex hashes');
  const n = leavesHex.length;
  const out = new Uint8Array(n * 32);
  for (let i = 0; i < n; i++) {
    const s = leavesHex[i];
    if (typeof s !== 'string' || s.length !== 64) throw new TypeError(`leaf ${i} is not a lowercase 64-hex SHA-256 hash`);
    let bad = 0;
    for (let j = 0; j < 32; j++) {
      const c1 = s.charCodeAt(2 * j);
      const c2 = s.charCodeAt(2 * j + 1);
      const hi = c1 < 128 ? HEX[c1]! : -1;
      const lo = c2 < 128 ? HEX[c2]! : -1;
      bad |= hi | lo; // negative if either is invalid
      out[i * 32 + j] = (hi << 4) | lo;
    }
    if (bad < 0) throw new TypeError(`leaf ${i} is not a lowercase 64-hex SHA-256 hash`);
  }
  return out;
}

/**
 * Indices of the leaves in ascending byte order (= lexicographic order of their lowercase hex),
 * duplicates dropped. A counting sort on the first two bytes, then a comparison sort inside each
 * of the 65,536 buckets: O(n) for hash-like input, O(n log n) at worst.
 */
function sortedUniqueOrder(bytes: Uint8Array): Uint32Array {
  const n = bytes.length / 32;
  const prefix = (i: number): number => (bytes[i * 32]! << 8) | bytes[i * 32 + 1]!;
  /** Compares the bytes after the 2-byte prefix. */
  const cmpTail = (a: number, b: number): number => {
    const oa = a * 32;
    const ob = b * 32;
    for (let j = 2; j < 32; j++) {
      const d = bytes[oa + j]! - bytes[ob + j]!;
      if (d !== 0) return d;
    }
    return 0;
  };
  // Counting sort by prefix: starts[k] = first slot of bucket k.
  const starts = new Uint32Array(65537);
  for (let i = 0; i < n; i++) starts[prefix(i) + 1]!++;
  for (let k = 1; k <= 65536; k++) starts[k]! += starts[k - 1]!;
  const order = new Uint32Array(n);
  const next = starts.slice(0, 65536);
  for (let i = 0; i < n; i++) order[next[prefix(i)]!++] = i;
  // Within each bucket all prefixes are equal, so the tail decides.
  for (let k = 0; k < 65536; k++) {
    if (starts[k + 1]! - starts[k]! > 1) order.subarray(starts[k]!, starts[k + 1]!).sort(cmpTail);
  }
  // Drop duplicates (equal leaves are adjacent now).
  let w = 0;
  for (let r = 0; r < n; r++) {
    const i = order[r]!;
    if (w > 0 && prefix(i) === prefix(order[w - 1]!) && cmpTail(i, order[w - 1]!) === 0) continue;
    order[w++] = i;
  }
  return order.subarray(0, w);
}

/** Leaf-node hashes, in sorted unique order, 32 bytes each, in one buffer. */
function leafLevel(bytes: Uint8Array, order: Uint32Array): Uint8Array {
  const level = new Uint8Array(order.length * 32);
  for (let r = 0; r < order.length; r++) merkleLeafInto(bytes, order[r]! * 32, level, r * 32);
  return level;
}

/** Next level up: neighbours paired, an unpaired last node carried up unchanged. */
function parentLevel(level: Uint8Array, out: Uint8Array = new Uint8Array(Math.ceil(level.length / 64) * 32)): Uint8Array {
  const n = level.length / 32;
  let m = 0;
  for (let i = 0; i + 1 < n; i += 2, m++) merkleNodeInto(level, i * 32, level, (i + 1) * 32, out, m * 32);
  if (n % 2 === 1) out.set(level.subarray((n - 1) * 32, n * 32), m * 32); // set() is overlap-safe
  return out.subarray(0, Math.ceil(n / 2) * 32);
}

/** RFC 6962 root (lowercase hex) of the sorted, deduplicated leaves. */
export function merkleRoot(leavesHex: readonly string[]): string {
  const bytes = decodeLeaves(leavesHex);
  const order = sortedUniqueOrder(bytes);
  if (order.length === 0) return EMPTY_ROOT;
  let level = leafLevel(bytes, order);
  // Reduce in place: each parent is written at or before the position of the pair it replaces.
  while (level.length > 32) level = parentLevel(level, level);
  return toHex(level.subarray(0, 32));
}

/** A tree kept in memory to answer many inclusion proofs (one O(n) build, O(log n) per proof). */
export class MerkleTree {
  /** The sorted, deduplicated leaves. */
  readonly leaves: readonly string[];
  private readonly levels: Uint8Array[];

  constructor(leavesHex: readonly string[]) {
    const bytes = decodeLeaves(leavesHex);
    const order = sortedUniqueOrder(bytes);
    this.leaves = Array.from(order, (i) => leavesHex[i]!);
    this.levels = [];
    if (order.length === 0) return;
    let level = leafLevel(bytes, order);
    this.levels.push(level);
    while (level.length > 32) {
      level = parentLevel(level);
      this.levels.push(level);
    }
  }

  get size(): number {
    return this.leaves.length;
  }

  /** Root, lowercase hex. */
  root(): string {
    const top = this.levels[this.levels.length - 1];
    return top ? toHex(top.subarray(0, 32)) : EMPTY_ROOT;
  }

  /** Audit path for `leafHex`, or null when it is not a leaf of this tree. */
  proof(leafHex: string): InclusionProof | null {
    if (!isSha256Hex(leafHex)) return null;
    // Binary search in the sorted leaves.
    let lo = 0;
    let hi = this.leaves.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.leaves[mid]! < leafHex) lo = mid + 1;
      else hi = mid;
    }
    if (this.leaves[lo] !== leafHex) return null;
    const path: string[] = [];
    let idx = lo;
    for (let l = 0; l < this.levels.length - 1; l++) {
      const level = this.levels[l]!;
      const sibling = idx ^ 1;
      if (sibling * 32 < level.length) path.push(toHex(level.subarray(sibling * 32, sibling * 32 + 32)));
      idx = Math.floor(idx / 2);
    }
    return { leaf: leafHex, index: lo, treeSize: this.leaves.length, path };
  }
}

/** Builds a tree for repeated proofs. */
export function buildMerkleTree(leavesHex: readonly string[]): MerkleTree {
  return new MerkleTree(leavesHex);
}

/** Inclusion proof of `leafHex` in the tree of `leavesHex`, or null if it is not among them. */
export function inclusionProof(leavesHex: readonly string[], leafHex: string): InclusionProof | null {
  return new MerkleTree(leavesHex).proof(leafHex);
}

/** Decodes an already validated lowercase 64-hex string. */
function hexToBytes32(s: string): Uint8Array {
  const out = new Uint8Array(32);
  for (let j = 0; j < 32; j++) out[j] = (HEX[s.charCodeAt(2 * j)]! << 4) | HEX[s.charCodeAt(2 * j + 1)]!;
  return out;
}

/**
 * RFC 9162 §2.1.3.2 inclusion check of `proof` against `rootHex`. Never throws.
 *
 * A root does not commit to the tree size: the same path can verify under several claimed sizes
 * (e.g. a leaf in the left subtree of trees of 12 and 13 leaves). A release manifest therefore
 * records the size next to the root, and a verifier should pass it as `expectedTreeSize`.
 */
export function verifyInclusion(proof: InclusionProof, rootHex: string, expectedTreeSize?: number): boolean {
  try {
    if (typeof proof !== 'object' || proof === null || !isSha256Hex(rootHex) || !isSha256Hex(proof.leaf)) return false;
    const { index, treeSize, path } = proof;
    if (!Number.isSafeInteger(index) || !Number.isSafeInteger(treeSize) || index < 0 || index >= treeSize) return false;
    if (expectedTreeSize !== undefined && treeSize !== expectedTreeSize) return false;
    if (!Array.isArray(path) || path.length > 64 || !path.every(isSha256Hex)) return false;
    let fn = index;
    let sn = treeSize - 1;
    const r = new Uint8Array(32);
    merkleLeafInto(hexToBytes32(proof.leaf), 0, r, 0);
    for (const p of path) {
      if (sn === 0) return false;
      const pb = hexToBytes32(p);
      if (fn % 2 === 1 || fn === sn) {
        merkleNodeInto(pb, 0, r, 0, r, 0); // r = H(0x01 || p || r)
        if (fn % 2 === 0) {
          while (fn % 2 === 0 && fn !== 0) {
            fn = Math.floor(fn / 2);
            sn = Math.floor(sn / 2);
          }
        }
      } else {
        merkleNodeInto(r, 0, pb, 0, r, 0); // r = H(0x01 || r || p)
      }
      fn = Math.floor(fn / 2);
      sn = Math.floor(sn / 2);
    }
    return sn === 0 && toHex(r) === rootHex;
  } catch {
    return false;
  }
}
