import { createHash, randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type InclusionProof, buildMerkleTree, inclusionProof, merkleRoot, sha256Hex, verifyInclusion } from '../../crypto/index.js';
import { nodeSha256Hex, refPath, refRoot } from './helpers.js';

// Hand-computed RFC 6962 nodes with node:crypto.
const H = (...parts: Buffer[]) => createHash('sha256').update(Buffer.concat(parts)).digest();
const leaf = (hex: string) => H(Buffer.of(0), Buffer.from(hex, 'hex'));
const node = (l: Buffer, r: Buffer) => H(Buffer.of(1), l, r);

const hashes = (n: number, salt = '') => Array.from({ length: n }, (_, i) => nodeSha256Hex(`report ${salt}${i}`));
const hex64 = fc.uint8Array({ minLength: 32, maxLength: 32 }).map((u) => Buffer.from(u).toString('hex'));

describe('merkleRoot', () => {
  it('empty tree = sha256("")', () => {
    expect(merkleRoot([])).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
  });

  it('equals hand-computed trees for 1, 2, 3 and 5 leaves (sorted first)', () => {
    const d = hashes(5).sort();
    const [a, b, c, e, f] = d.map(leaf) as [Buffer, Buffer, Buffer, Buffer, Buffer];
    expect(merkleRoot(d.slice(0, 1))).toBe(a.toString('hex'));
    expect(merkleRoot(d.slice(0, 2))).toBe(node(a, b).toString('hex'));
    expect(merkleRoot(d.slice(0, 3))).toBe(node(node(a, b), c).toString('hex'));
    expect(merkleRoot(d)).toBe(node(node(node(a, b), node(c, e)), f).toString('hex'));
    // Input order does not matter: leaves are sorted.
    expect(merkleRoot([d[2]!, d[0]!, d[1]!])).toBe(node(node(a, b), c).toString('hex'));
  });

  it('equals the recursive RFC 6962 reference for every size up to 70, and ignores order and duplicates', () => {
    for (let n = 0; n <= 70; n++) {
      const d = hashes(n, 's');
      const sorted = [...d].sort();
      expect(merkleRoot(d), `n=${n}`).toBe(refRoot(sorted));
      expect(merkleRoot([...d].reverse().concat(d.slice(0, 3)))).toBe(refRoot(sorted));
    }
  });

  it('refuses leaves that are not lowercase 64-hex', () => {
    const good = hashes(2);
    expect(() => merkleRoot([...good, good[0]!.toUpperCase()])).toThrow(TypeError);
    expect(() => merkleRoot([...good, 'abc'])).toThrow(TypeError);
    expect(() => merkleRoot([...good, `${good[0]!.slice(0, 63)}g`])).toThrow(TypeError);
    expect(() => merkleRoot([1 as unknown as string])).toThrow(TypeError);
  });

  it('sorts leaves sharing long prefixes correctly', () => {
    const d = Array.from({ length: 300 }, (_, i) => `${'0'.repeat(60)}${(i * 7919 % 65536).toString(16).padStart(4, '0')}`);
    expect(merkleRoot(d)).toBe(refRoot([...new Set(d)].sort()));
  });
});

describe('inclusion proofs', () => {
  it('every proof verifies and equals the RFC 6962 audit path, for random trees', () => {
    fc.assert(
      fc.property(fc.array(hex64, { minLength: 1, maxLength: 40 }), (d) => {
        const sorted = [...new Set(d)].sort();
        const root = merkleRoot(d);
        const tree = buildMerkleTree(d);
        expect(tree.root()).toBe(root);
        expect(tree.size).toBe(sorted.length);
        sorted.forEach((l, i) => {
          const p = inclusionProof(d, l)!;
          expect(p).toEqual({ leaf: l, index: i, treeSize: sorted.length, path: refPath(i, sorted) });
          expect(tree.proof(l)).toEqual(p);
          expect(verifyInclusion(p, root)).toBe(true);
        });
      }),
      { numRuns: 60 },
    );
  });

  it('a proof fails against another root, or for a tampered leaf, index, size or path', () => {
    // (A tree size alone can sometimes be changed without changing the computation — RFC 6962 roots
    // do not commit to the size — so sizes are checked against the expected size, as a release's
    // manifest records it.)
    const d = hashes(13);
    const root = merkleRoot(d);
    const otherRoot = merkleRoot(hashes(13, 'x'));
    for (const l of d) {
      const p = inclusionProof(d, l)!;
      expect(verifyInclusion(p, root)).toBe(true);
      expect(verifyInclusion(p, otherRoot)).toBe(false);
      const tampered: InclusionProof[] = [
        { ...p, leaf: sha256Hex('forged') },
        { ...p, leaf: `${p.leaf.slice(0, 63)}${p.leaf[63] === '0' ? '1' : '0'}` },
        { ...p, index: (p.index + 1) % p.treeSize },
        { ...p, treeSize: p.treeSize + 1 },
        { ...p, treeSize: p.treeSize - 1 },
        { ...p, path: p.path.slice(1) },
        { ...p, path: [...p.path, root] },
        { ...p, path: p.path.map((x, i) => (i === 0 ? sha256Hex(x) : x)) },
        { ...p, path: [...p.path].reverse() },
      ];
      for (const t of tampered) {
        if (JSON.stringify(t) === JSON.stringify(p)) continue;
        expect(verifyInclusion(t, root, d.length)).toBe(false);
        if (t.treeSize === p.treeSize) expect(verifyInclusion(t, root)).toBe(false);
      }
      expect(verifyInclusion(p, root, d.length)).toBe(true);
    }
  });

  it('returns null for a leaf not in the tree; verify never throws on junk', () => {
    const d = hashes(4);
    expect(inclusionProof(d, sha256Hex('absent'))).toBeNull();
    expect(inclusionProof(d, 'nonsense')).toBeNull();
    expect(inclusionProof([], d[0]!)).toBeNull();
    const root = merkleRoot(d);
    const junk: unknown[] = [null, {}, { leaf: d[0], index: -1, treeSize: 4, path: [] }, { leaf: d[0], index: 0, treeSize: 4, path: 'x' },
      { leaf: d[0], index: 0.5, treeSize: 4, path: [] }, { leaf: d[0], index: 4, treeSize: 4, path: [] }, { leaf: d[0], index: 0, treeSize: 4, path: [1] }];
    for (const j of junk) expect(verifyInclusion(j as InclusionProof, root)).toBe(false);
    expect(verifyInclusion(inclusionProof(d, d[0]!)!, 'zz')).toBe(false);
  });

  it('a single-leaf tree has an empty path', () => {
    const [l] = hashes(1) as [string];
    const p = inclusionProof([l], l)!;
    expect(p).toEqual({ leaf: l, index: 0, treeSize: 1, path: [] });
    expect(verifyInclusion(p, merkleRoot([l]))).toBe(true);
  });
});

describe('scale', () => {
  // Timing lives in `npm run bench:release`; here only correctness at a size with 17 levels.
  it('100,000 leaves: the tree kept for proofs has the same root, and a deep proof verifies', () => {
    const pool = randomBytes(32 * 100_000).toString('hex');
    const leaves = Array.from({ length: 100_000 }, (_, i) => pool.slice(i * 64, i * 64 + 64));
    const root = merkleRoot(leaves);
    const tree = buildMerkleTree(leaves);
    expect(tree.root()).toBe(root);
    // leaves are sorted in the tree: the smallest is at index 0, in the full left subtree of
    // 65,536 leaves, so its path has exactly 17 nodes; any other leaf's path has at most 17
    const sorted = [...leaves].sort();
    const p = tree.proof(sorted[0]!)!;
    expect(p.index).toBe(0);
    expect(p.path).toHaveLength(17);
    expect(verifyInclusion(p, root)).toBe(true);
    expect(verifyInclusion({ ...p, leaf: sorted[1]! }, root)).toBe(false);
    const q = tree.proof(leaves[42_424]!)!;
    expect(q.path.length).toBeLessThanOrEqual(17);
    expect(verifyInclusion(q, root)).toBe(true);
  });
});
