// merkle.ts — the compact sparse Merkle tree `contamos-smt-sha256` over report hashes
// (docs/release-format.md, "Merkle tree").
//
// The tree is keyed by the leaf itself: a leaf's place is given by its bits (most significant bit
// of its first byte first), so the root depends only on the SET of leaves and neither the root nor
// a proof carries an index or a tree size.
//
// Guarantees:
// - Hashing: EMPTY = SHA-256(0x02), leaf(x) = SHA-256(0x00 ‖ x), node(l, r) = SHA-256(0x01 ‖ l ‖ r);
//   root(S, d) = EMPTY if S = ∅, leaf(x) if S = {x}, else node(root(S0, d+1), root(S1, d+1)) with
//   S0 / S1 the leaves whose bit d is 0 / 1. The three prefixes keep empty, leaf and inner hashes
//   apart, so a proof for a non-member or a tampered proof verifies only through a SHA-256
//   collision.
// - Order and duplicates of the input do not matter (the set is what is hashed).
// - `merkleRoot` / `buildMerkleTree` / `inclusionProof` throw `TypeError` if a leaf is not a
//   lowercase 64-hex string.
// - A proof is `{ scheme, leaf, path }` and nothing else: `path[i]` is the root of the sibling
//   subtree at depth i + 1, down to the depth D where the leaf is alone (D ≤ 256). Its length is the
//   only thing it says about the number of leaves. `inclusionProof` returns null for a leaf that is
//   not in the set.
// - `verifyInclusion(proof, root)` never throws; it is false for anything malformed (wrong
//   scheme, extra or missing fields, non-lowercase hex, a path longer than 256), for another root,
//   another leaf or any changed path element.
// - Memory: a root needs 32 bytes per leaf (plus the input strings); a `MerkleTree` kept for many
//   proofs about 32 bytes per leaf plus 40 bytes per inner node (about 1.44 inner nodes per leaf
//   for hash-like leaves). Timings are in `npm run bench:release`.
// No initialisation needed; the SHA-256 backend is sha256.ts's (native on the server).
import { toHex } from './encoding.js';
import { isSha256Hex } from './hash.js';
import { merkleLeafInto, merkleNodeInto, sha256Bytes } from './sha256.js';

/** The scheme name carried by every proof and by a manifest's `merkle.scheme`. */
export const MERKLE_SCHEME = 'contamos-smt-sha256';

export interface InclusionProof {
  scheme: typeof MERKLE_SCHEME;
  /** The report hash (the leaf itself), lowercase hex. */
  leaf: string;
  /** Roots of the sibling subtrees at depths 1 … D, lowercase hex. */
  path: string[];
}

/** The deepest a leaf can sit: two distinct 256-bit leaves differ by bit 255 at the latest. */
const MAX_DEPTH = 256;

/** SHA-256(0x02): the root of an empty subtree. */
const EMPTY = sha256Bytes(Uint8Array.of(0x02));

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

/** Decodes an already validated lowercase 64-hex string. */
function hexToBytes32(s: string): Uint8Array {
  const out = new Uint8Array(32);
  for (let j = 0; j < 32; j++) out[j] = (HEX[s.charCodeAt(2 * j)]! << 4) | HEX[s.charCodeAt(2 * j + 1)]!;
  return out;
}

/**
 * The distinct leaves in ascending byte order, packed 32 bytes each. A counting sort on the first
 * two bytes, then a comparison sort inside each of the 65,536 buckets: O(n) for hash-like input,
 * O(n log n) at worst; equal leaves end up adjacent and are dropped.
 */
function sortedUnique(leavesHex: readonly string[]): Uint8Array {
  const bytes = decodeLeaves(leavesHex);
  const n = bytes.length / 32;
  const prefix = (i: number): number => (bytes[i * 32]! << 8) | bytes[i * 32 + 1]!;
  const cmpTail = (a: number, b: number): number => {
    const oa = a * 32;
    const ob = b * 32;
    for (let j = 2; j < 32; j++) {
      const d = bytes[oa + j]! - bytes[ob + j]!;
      if (d !== 0) return d;
    }
    return 0;
  };
  const starts = new Uint32Array(65537);
  for (let i = 0; i < n; i++) starts[prefix(i) + 1]!++;
  for (let k = 1; k <= 65536; k++) starts[k]! += starts[k - 1]!;
  const order = new Uint32Array(n);
  const next = starts.slice(0, 65536);
  for (let i = 0; i < n; i++) order[next[prefix(i)]!++] = i;
  for (let k = 0; k < 65536; k++) {
    if (starts[k + 1]! - starts[k]! > 1) order.subarray(starts[k]!, starts[k + 1]!).sort(cmpTail);
  }
  const out = new Uint8Array(n * 32);
  let w = 0;
  for (let r = 0; r < n; r++) {
    const i = order[r]!;
    if (w > 0 && prefix(i) === prefix(order[w - 1]!) && cmpTail(i, order[w - 1]!) === 0) continue;
    order[w] = i;
    out.set(bytes.subarray(i * 32, i * 32 + 32), w * 32);
    w++;
  }
  return out.subarray(0, w * 32);
}

/** Bit d (0 = most significant bit of byte 0) of the 32 bytes at buf[off…]. */
const bitOf = (buf: Uint8Array, off: number, d: number): number => (buf[off + (d >>> 3)]! >>> (7 - (d & 7))) & 1;

/**
 * First index in [lo, hi) of the sorted leaves whose bit d is 1 (hi if none). The leaves of the
 * range share their first d bits, so bit d is 0 … 0 1 … 1 along the range.
 */
function splitAt(sorted: Uint8Array, lo: number, hi: number, d: number): number {
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (bitOf(sorted, mid * 32, d) === 0) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** One 64-byte scratch pair per depth, for the two children of a node at that depth. */
const scratchPairs = (): Uint8Array[] => Array.from({ length: MAX_DEPTH }, () => new Uint8Array(64));

/** out[outOff…+32] = root of the leaves sorted[lo…hi), which share their first d bits. */
function subtreeRootInto(sorted: Uint8Array, lo: number, hi: number, d: number, out: Uint8Array, outOff: number, scratch: Uint8Array[]): void {
  if (hi === lo) {
    out.set(EMPTY, outOff);
    return;
  }
  if (hi - lo === 1) {
    merkleLeafInto(sorted, lo * 32, out, outOff);
    return;
  }
  const pair = scratch[d]!; // d < 256: two distinct leaves differ by bit 255 at the latest
  const m = splitAt(sorted, lo, hi, d);
  subtreeRootInto(sorted, lo, m, d + 1, pair, 0, scratch);
  subtreeRootInto(sorted, m, hi, d + 1, pair, 32, scratch);
  merkleNodeInto(pair, 0, pair, 32, out, outOff);
}

/** Root (lowercase hex) of the set of `leavesHex`. */
export function merkleRoot(leavesHex: readonly string[]): string {
  const sorted = sortedUnique(leavesHex);
  const out = new Uint8Array(32);
  subtreeRootInto(sorted, 0, sorted.length / 32, 0, out, 0, scratchPairs());
  return toHex(out);
}

// A MerkleTree keeps its inner nodes in arrays. A child reference is an inner node's index (≥ 0),
// EMPTY_REF, or LEAF_BASE − i for the i-th sorted leaf.
const EMPTY_REF = -1;
const LEAF_BASE = -2;

/** A tree kept in memory to answer many inclusion proofs (one O(n) build, O(depth) per proof). */
export class MerkleTree {
  private readonly sorted: Uint8Array;
  private hashes: Uint8Array;
  private left: Int32Array;
  private right: Int32Array;
  private count = 0;
  private readonly top: number;
  private readonly pair = new Uint8Array(64);

  constructor(leavesHex: readonly string[]) {
    this.sorted = sortedUnique(leavesHex);
    const n = this.sorted.length / 32;
    const capacity = Math.max(16, Math.ceil(n * 1.6));
    this.hashes = new Uint8Array(capacity * 32);
    this.left = new Int32Array(capacity);
    this.right = new Int32Array(capacity);
    this.top = this.build(0, n, 0);
  }

  /** Number of distinct leaves (known to whoever holds the leaves; never in a proof). */
  get size(): number {
    return this.sorted.length / 32;
  }

  /** Root, lowercase hex. */
  root(): string {
    const out = new Uint8Array(32);
    this.hashInto(this.top, out, 0);
    return toHex(out);
  }

  /** Inclusion proof of `leafHex`, or null when it is not a leaf of this tree. */
  proof(leafHex: string): InclusionProof | null {
    if (!isSha256Hex(leafHex)) return null;
    const x = hexToBytes32(leafHex);
    const path: string[] = [];
    const sib = new Uint8Array(32);
    let ref = this.top;
    for (let d = 0; ref >= 0; d++) {
      const one = bitOf(x, 0, d) === 1;
      this.hashInto(one ? this.left[ref]! : this.right[ref]!, sib, 0);
      path.push(toHex(sib));
      ref = one ? this.right[ref]! : this.left[ref]!;
    }
    // Following x's bits ends at an empty subtree or at the one leaf there: x only if it is x.
    if (ref === EMPTY_REF) return null;
    const off = (LEAF_BASE - ref) * 32;
    for (let j = 0; j < 32; j++) if (this.sorted[off + j] !== x[j]) return null;
    return { scheme: MERKLE_SCHEME, leaf: leafHex, path };
  }

  /** Builds the subtree of sorted[lo…hi) at depth d and returns its reference. */
  private build(lo: number, hi: number, d: number): number {
    if (hi === lo) return EMPTY_REF;
    if (hi - lo === 1) return LEAF_BASE - lo;
    const m = splitAt(this.sorted, lo, hi, d);
    const l = this.build(lo, m, d + 1);
    const r = this.build(m, hi, d + 1);
    if (this.count === this.left.length) this.grow();
    const i = this.count++;
    this.left[i] = l;
    this.right[i] = r;
    // both children are complete, so one scratch pair serves every node
    this.hashInto(l, this.pair, 0);
    this.hashInto(r, this.pair, 32);
    merkleNodeInto(this.pair, 0, this.pair, 32, this.hashes, i * 32);
    return i;
  }

  private grow(): void {
    const cap = this.left.length * 2;
    const h = new Uint8Array(cap * 32);
    h.set(this.hashes);
    this.hashes = h;
    const l = new Int32Array(cap);
    l.set(this.left);
    this.left = l;
    const r = new Int32Array(cap);
    r.set(this.right);
    this.right = r;
  }

  private hashInto(ref: number, out: Uint8Array, off: number): void {
    if (ref >= 0) out.set(this.hashes.subarray(ref * 32, ref * 32 + 32), off);
    else if (ref === EMPTY_REF) out.set(EMPTY, off);
    else merkleLeafInto(this.sorted, (LEAF_BASE - ref) * 32, out, off);
  }
}

/** Builds a tree for repeated proofs. */
export function buildMerkleTree(leavesHex: readonly string[]): MerkleTree {
  return new MerkleTree(leavesHex);
}

/**
 * Inclusion proof of `leafHex` in the tree of `leavesOrTree` (the leaves, or a tree built from
 * them), or null if it is not among them. From leaves, one proof costs about one root's hashing
 * and keeps no tree.
 */
export function inclusionProof(leavesOrTree: readonly string[] | MerkleTree, leafHex: string): InclusionProof | null {
  if (leavesOrTree instanceof MerkleTree) return leavesOrTree.proof(leafHex);
  const sorted = sortedUnique(leavesOrTree);
  if (!isSha256Hex(leafHex)) return null;
  const x = hexToBytes32(leafHex);
  const scratch = scratchPairs();
  const sib = new Uint8Array(32);
  const path: string[] = [];
  let lo = 0;
  let hi = sorted.length / 32;
  for (let d = 0; hi - lo > 1; d++) {
    const m = splitAt(sorted, lo, hi, d);
    if (bitOf(x, 0, d) === 1) {
      subtreeRootInto(sorted, lo, m, d + 1, sib, 0, scratch);
      lo = m;
    } else {
      subtreeRootInto(sorted, m, hi, d + 1, sib, 0, scratch);
      hi = m;
    }
    path.push(toHex(sib));
  }
  if (hi - lo !== 1) return null;
  for (let j = 0; j < 32; j++) if (sorted[lo * 32 + j] !== x[j]) return null;
  return { scheme: MERKLE_SCHEME, leaf: leafHex, path };
}

const PROOF_KEYS = ['leaf', 'path', 'scheme'];

/**
 * Checks `proof` against `rootHex`: h = leaf(x), then for i = D − 1 down to 0,
 * h = bit_i(x) ? node(path[i], h) : node(h, path[i]); true when h is the root. Never throws.
 *
 * `_v1TreeSize` is ignored: version-1 callers (scripts/audit until its version-2 rewrite) still
 * pass the RFC 6962 tree size, which the sparse tree does not have. Remove it once none does.
 */
export function verifyInclusion(proof: unknown, rootHex: unknown, _v1TreeSize?: unknown): boolean {
  try {
    if (typeof proof !== 'object' || proof === null || Array.isArray(proof) || !isSha256Hex(rootHex)) return false;
    const keys = Object.keys(proof).sort();
    if (keys.length !== PROOF_KEYS.length || keys.some((k, i) => k !== PROOF_KEYS[i])) return false;
    const { scheme, leaf, path } = proof as Record<string, unknown>;
    if (scheme !== MERKLE_SCHEME || !isSha256Hex(leaf)) return false;
    if (!Array.isArray(path) || path.length > MAX_DEPTH) return false;
    const siblings: Uint8Array[] = [];
    for (let i = 0; i < path.length; i++) {
      const p: unknown = path[i];
      if (!isSha256Hex(p)) return false;
      siblings.push(hexToBytes32(p));
    }
    const x = hexToBytes32(leaf);
    const h = new Uint8Array(32);
    merkleLeafInto(x, 0, h, 0);
    for (let i = siblings.length - 1; i >= 0; i--) {
      if (bitOf(x, 0, i) === 1) merkleNodeInto(siblings[i]!, 0, h, 0, h, 0);
      else merkleNodeInto(h, 0, siblings[i]!, 0, h, 0);
    }
    return toHex(h) === rootHex;
  } catch {
    return false;
  }
}
