// The sparse Merkle tree `contamos-smt-sha256` (docs/release-format.md, "Merkle tree") against a
// deliberately naive implementation written here from the document's recursive definition, with
// node:crypto and hex strings: sets filtered bit by bit, no sorting, no buffers, no shortcuts.
// Timing lives in `npm run bench:release` (scripts/bench/counting.ts), not here.
import { createHash, randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MERKLE_SCHEME, type InclusionProof, buildMerkleTree, inclusionProof, merkleRoot, verifyInclusion } from '../../crypto/index.js';

// --- the naive reference ------------------------------------------------------------------------
const H = (...parts: Buffer[]) => createHash('sha256').update(Buffer.concat(parts)).digest();
const EMPTY = H(Buffer.of(0x02));
const leafHash = (x: string) => H(Buffer.of(0x00), Buffer.from(x, 'hex'));
const nodeHash = (l: Buffer, r: Buffer) => H(Buffer.of(0x01), l, r);
/** Bit d of a leaf, numbered from the most significant bit of its first byte (4 bits a hex digit). */
const bit = (x: string, d: number) => (parseInt(x[d >> 2]!, 16) >> (3 - (d & 3))) & 1;

/** root(S, d) exactly as written in the document. */
function naiveRoot(leaves: string[], d = 0): Buffer {
  const s = [...new Set(leaves)];
  if (s.length === 0) return EMPTY;
  if (s.length === 1) return leafHash(s[0]!);
  return nodeHash(
    naiveRoot(
      s.filter((x) => bit(x, d) === 0),
      d + 1,
    ),
    naiveRoot(
      s.filter((x) => bit(x, d) === 1),
      d + 1,
    ),
  );
}

/** path[i] = root of the sibling subtree at depth i + 1, until x is alone; null if x ∉ S. */
function naivePath(leaves: string[], x: string): string[] | null {
  let s = [...new Set(leaves)];
  if (!s.includes(x)) return null;
  const path: string[] = [];
  for (let d = 0; s.length > 1; d++) {
    path.push(
      naiveRoot(
        s.filter((y) => bit(y, d) !== bit(x, d)),
        d + 1,
      ).toString('hex'),
    );
    s = s.filter((y) => bit(y, d) === bit(x, d));
  }
  return path;
}

/** The document's verification loop. */
function naiveVerify(x: string, path: string[], root: string): boolean {
  let h = leafHash(x);
  for (let i = path.length - 1; i >= 0; i--) {
    const p = Buffer.from(path[i]!, 'hex');
    h = bit(x, i) ? nodeHash(p, h) : nodeHash(h, p);
  }
  return h.toString('hex') === root;
}

// --- helpers --------------------------------------------------------------------------------------
const sha = (s: string) => createHash('sha256').update(s).digest('hex');
const hashes = (n: number, salt = '') => Array.from({ length: n }, (_, i) => sha(`report ${salt}${i}`));
const hex64 = fc.uint8Array({ minLength: 32, maxLength: 32 }).map((u) => Buffer.from(u).toString('hex'));
/** Leaves that share long prefixes: a random 64-hex with its first 40–63 digits forced to zero. */
const clustered = fc.tuple(hex64, fc.integer({ min: 40, max: 63 })).map(([h, z]) => '0'.repeat(z) + h.slice(z));
/** Fewer random cases under a mutation run (`npm run test:mutation`), where each runs instrumented. */
const runs = (n: number) => (process.env.CONTAMOS_MUTATION_SCOPE ? Math.ceil(n / 5) : n);
const leafSets = fc.array(fc.oneof(hex64, clustered), { minLength: 1, maxLength: 40 });
const flipHexDigit = (h: string, i: number) => h.slice(0, i) + (parseInt(h[i]!, 16) ^ 1).toString(16) + h.slice(i + 1);

describe('known answers', () => {
  // Literal vectors (computed once by the naive reference above and pasted), so that the two
  // implementations cannot drift together; and each is also recomputed by the reference.
  const Z = '0'.repeat(64);
  const cases: Array<[string, string[], string]> = [
    ['empty set: SHA-256(0x02)', [], 'dbc1b4c900ffe48d575b5da5c638040125f65db0fe3e24494b76ea986457d986'],
    ['one leaf: leaf(x)', [sha('a')], 'a23bd5b06da9048238a65b3f1d9d0b9e15fae3dde262688e6489aa4c763d1820'],
    ['two leaves split by bit 0', [Z, `8${Z.slice(1)}`], '19901da99d31379ed1cd1987f74aec6525d9900d21c92c1775b2bfeb4af4860e'],
    ['two leaves differing only in bit 255 (depth 256)', [Z, `${Z.slice(1)}1`], '99af9915189e5a301b28cb83f5060ee5b08eadd9f705b31b48b6a4e8aafcbf2c'],
    ['three hash-like leaves', [sha('1'), sha('2'), sha('3')], 'da8423f8a0e1cfefa255dc43929e40654291282d0a0ed8870f020a518b0bc79f'],
  ];
  for (const [name, leaves, root] of cases) {
    it(name, () => {
      expect(naiveRoot(leaves).toString('hex')).toBe(root);
      expect(merkleRoot(leaves)).toBe(root);
      expect(buildMerkleTree(leaves).root()).toBe(root);
    });
  }

  it('leaf(x), node(l, r) and EMPTY use the prefixes 0x00, 0x01 and 0x02', () => {
    const [a, b] = [sha('left'), sha('right')];
    // first hex digits 1 (0001) and 9 (1001): split by bit 0
    const l = `1${a.slice(1)}`;
    const r = `9${b.slice(1)}`;
    expect(merkleRoot([l, r])).toBe(nodeHash(leafHash(l), leafHash(r)).toString('hex'));
    // 0 (0000) and 4 (0100): both have bit 0 = 0 and split at bit 1, so node(node(leaf, leaf), EMPTY)
    const l2 = `0${a.slice(1)}`;
    const r2 = `4${b.slice(1)}`;
    expect(merkleRoot([l2, r2])).toBe(nodeHash(nodeHash(leafHash(l2), leafHash(r2)), EMPTY).toString('hex'));
  });

  it('the deepest proof has 256 elements: 255 EMPTY siblings and the other leaf', () => {
    const Z = '0'.repeat(64);
    const one = `${Z.slice(1)}1`;
    const p = inclusionProof([Z, one], one)!;
    expect(p.path).toHaveLength(256);
    expect(p.path.slice(0, 255).every((h) => h === EMPTY.toString('hex'))).toBe(true);
    expect(p.path[255]).toBe(leafHash(Z).toString('hex'));
    expect(verifyInclusion(p, merkleRoot([Z, one]))).toBe(true);
  });

  it('equals the reference for every size up to 70, whatever the order and duplicates', () => {
    for (let n = 0; n <= 70; n++) {
      const d = hashes(n, 's');
      const ref = naiveRoot(d).toString('hex');
      expect(merkleRoot(d), `n=${n}`).toBe(ref);
      expect(merkleRoot([...d].reverse().concat(d.slice(0, 3)))).toBe(ref);
    }
  });

  it('refuses leaves that are not lowercase 64-hex', () => {
    const good = hashes(2);
    for (const f of [merkleRoot, buildMerkleTree, (l: string[]) => inclusionProof(l, good[0]!)]) {
      expect(() => f([...good, good[0]!.toUpperCase()])).toThrow(TypeError);
      expect(() => f([...good, 'abc'])).toThrow(TypeError);
      expect(() => f([...good, `${good[0]!.slice(0, 63)}g`])).toThrow(TypeError);
      expect(() => f([1 as unknown as string])).toThrow(TypeError);
      // one character too many, and characters outside ASCII (whose table lookup would be undefined)
      expect(() => f([...good, `${good[0]!}0`])).toThrow(TypeError);
      for (const ch of ['\u0080', '\u00e9', '\u0130']) {
        expect(() => f([...good, `${good[0]!.slice(0, 63)}${ch}`])).toThrow(TypeError); // a byte's low digit
        expect(() => f([...good, `${good[0]!.slice(0, 62)}${ch}0`])).toThrow(TypeError); // a byte's high digit
      }
    }
  });

  it('equals the reference when leaves share the last two-byte bucket (ffff…) and repeat', () => {
    const tails = hashes(6).map((h) => h.slice(4));
    const last = tails.map((t) => `ffff${t}`);
    const leaves = [...last, last[2]!, `0000${tails[0]!}`, last[0]!, `fffe${tails[1]!}`];
    expect(merkleRoot(leaves)).toBe(naiveRoot(leaves).toString('hex'));
    expect(buildMerkleTree(leaves).root()).toBe(naiveRoot(leaves).toString('hex'));
  });
});

describe('properties', () => {
  it('every member has a proof equal to the reference path, and it verifies', () => {
    fc.assert(
      fc.property(leafSets, (d) => {
        const root = merkleRoot(d);
        expect(root).toBe(naiveRoot(d).toString('hex'));
        const tree = buildMerkleTree(d);
        expect(tree.root()).toBe(root);
        expect(tree.size).toBe(new Set(d).size);
        for (const x of new Set(d)) {
          const p = tree.proof(x)!;
          expect(p).toEqual({ scheme: MERKLE_SCHEME, leaf: x, path: naivePath(d, x) });
          expect(inclusionProof(d, x)).toEqual(p);
          expect(inclusionProof(tree, x)).toEqual(p);
          expect(verifyInclusion(p, root)).toBe(true);
          expect(naiveVerify(x, p.path, root)).toBe(true);
        }
      }),
      { numRuns: runs(100) },
    );
  });

  it('the root depends only on the set: order and repetition do not matter, one more leaf does', () => {
    fc.assert(
      fc.property(leafSets, fc.integer(), hex64, (d, seed, extra) => {
        const shuffled = [...d, ...d.slice(0, seed & 7)];
        for (let i = shuffled.length - 1; i > 0; i--) {
          const j = Math.abs((seed * (i + 7)) % (i + 1));
          [shuffled[i], shuffled[j]] = [shuffled[j]!, shuffled[i]!];
        }
        expect(merkleRoot(shuffled)).toBe(merkleRoot(d));
        expect(buildMerkleTree(shuffled).root()).toBe(merkleRoot(d));
        if (!d.includes(extra)) expect(merkleRoot([...d, extra])).not.toBe(merkleRoot(d));
      }),
      { numRuns: runs(100) },
    );
  });

  it('a non-member has no proof, and no member proof or reference path verifies for it', () => {
    fc.assert(
      fc.property(leafSets, fc.oneof(hex64, clustered), (d, y) => {
        fc.pre(!d.includes(y));
        const root = merkleRoot(d);
        const tree = buildMerkleTree(d);
        expect(tree.proof(y)).toBeNull();
        expect(inclusionProof(d, y)).toBeNull();
        // the attacker's best tries: someone else's path with y as the leaf, and y's own path in a
        // tree that does contain it
        for (const x of new Set(d)) expect(verifyInclusion({ ...tree.proof(x)!, leaf: y }, root)).toBe(false);
        const withY = buildMerkleTree([...d, y]).proof(y)!;
        expect(verifyInclusion(withY, root)).toBe(false);
        const n = withY.path.length;
        for (const k of new Set([0, 1, n >> 1, n - 1, n]))
          if (k >= 0 && k <= n) expect(verifyInclusion({ ...withY, path: withY.path.slice(0, k) }, root)).toBe(false);
      }),
      { numRuns: runs(100) },
    );
  });

  it('any change to the proof or the root makes it fail', () => {
    fc.assert(
      fc.property(leafSets, fc.nat(), fc.nat(), (d, pick, where) => {
        const xs = [...new Set(d)];
        const x = xs[pick % xs.length]!;
        const root = merkleRoot(d);
        const p = inclusionProof(d, x)!;
        const tampered: InclusionProof[] = [
          { ...p, leaf: flipHexDigit(x, where % 64) },
          { ...p, path: [...p.path, root] },
          { ...p, path: [sha('extra'), ...p.path] },
        ];
        if (p.path.length > 0) {
          const i = where % p.path.length;
          tampered.push(
            { ...p, path: p.path.map((h, j) => (j === i ? flipHexDigit(h, where % 64) : h)) },
            { ...p, path: p.path.filter((_, j) => j !== i) },
            { ...p, path: p.path.slice(0, -1) },
          );
          if (p.path.length > 1 && p.path[0] !== p.path[p.path.length - 1]) tampered.push({ ...p, path: [...p.path].reverse() });
        }
        for (const t of tampered) expect(verifyInclusion(t, root)).toBe(false);
        expect(verifyInclusion(p, flipHexDigit(root, where % 64))).toBe(false);
        expect(verifyInclusion(p, merkleRoot([...d, sha(`more ${where}`)]))).toBe(false);
        expect(verifyInclusion(p, root)).toBe(true);
      }),
      { numRuns: runs(150) },
    );
  });
});

describe('what a proof reveals', () => {
  it('a proof is { scheme, leaf, path } and nothing else: no index, no tree size', () => {
    const d = hashes(30);
    const p = inclusionProof(d, d[3]!)!;
    expect(Object.keys(p).sort()).toEqual(['leaf', 'path', 'scheme']);
    expect(p.scheme).toBe('contamos-smt-sha256');
  });

  it('the leafCount case: 30 and 32 reports give roots of the same form and, for a report, proofs of equal length', () => {
    // An attacker holding the root and a member's proof before and after two late reports learns
    // no count: the root is a bare hash either way, and the proof length moves only with the
    // depth at which that report is alone, not with the number of reports.
    const base = hashes(30, 'n');
    let found = false;
    for (let s = 0; s < 200 && !found; s++) {
      const late = [sha(`late a ${s}`), sha(`late b ${s}`)];
      const after = [...base, ...late];
      for (const x of base) {
        const p30 = inclusionProof(base, x)!;
        const p32 = inclusionProof(after, x)!;
        if (p30.path.length === p32.path.length) {
          expect(merkleRoot(base)).toMatch(/^[0-9a-f]{64}$/);
          expect(merkleRoot(after)).toMatch(/^[0-9a-f]{64}$/);
          expect(Object.keys(p32).sort()).toEqual(Object.keys(p30).sort());
          found = true;
          break;
        }
      }
    }
    expect(found).toBe(true);
  });
});

describe('verifyInclusion never throws', () => {
  it('is false for anything malformed', () => {
    const d = hashes(4);
    const root = merkleRoot(d);
    const good = inclusionProof(d, d[0]!)!;
    const hostile = {
      get scheme(): string {
        throw new Error('boom');
      },
      leaf: d[0],
      path: [],
    };
    const junk: unknown[] = [
      null,
      undefined,
      1,
      'x',
      [],
      {},
      [good.scheme, good.leaf, good.path],
      { ...good, scheme: 'rfc6962' },
      { ...good, scheme: undefined },
      { leaf: good.leaf, path: good.path },
      { ...good, index: 0 },
      { ...good, treeSize: 4 },
      { ...good, leaf: good.leaf.toUpperCase() },
      { ...good, leaf: good.leaf.slice(1) },
      { ...good, path: 'x' },
      { ...good, path: [1] },
      { ...good, path: [...good.path.slice(1), null] },
      { ...good, path: good.path.map((h) => h.toUpperCase()) },
      { ...good, path: Array.from({ length: 257 }, () => EMPTY.toString('hex')) },
      hostile,
      new Proxy(good, {
        ownKeys() {
          throw new Error('boom');
        },
      }),
    ];
    for (const j of junk) expect(verifyInclusion(j, root)).toBe(false);
    for (const r of [undefined, null, 42, 'zz', root.toUpperCase(), `${root}0`]) expect(verifyInclusion(good, r)).toBe(false);
    expect(verifyInclusion(good, root)).toBe(true);
  });

  it('a one-leaf tree has an empty path; an empty tree has no proof', () => {
    const [l] = hashes(1) as [string];
    const p = inclusionProof([l], l)!;
    expect(p).toEqual({ scheme: MERKLE_SCHEME, leaf: l, path: [] });
    expect(verifyInclusion(p, merkleRoot([l]))).toBe(true);
    expect(inclusionProof([], l)).toBeNull();
    expect(buildMerkleTree([]).proof(l)).toBeNull();
    expect(inclusionProof([l], 'nonsense')).toBeNull();
  });
});

describe('proofs of what is not a leaf', () => {
  it('no proof for a string that is not lowercase hex, even one whose bytes would match a member', () => {
    // 'F', 'z' and the like are no hex digit: read as one, each would give the byte 0xff, the
    // bytes of the member 'ff…f'
    const f = 'f'.repeat(64);
    const leaves = [f, ...hashes(3)];
    const tree = buildMerkleTree(leaves);
    for (const bad of ['F'.repeat(64), 'z'.repeat(64), 'fF'.repeat(32), `${f}0`, f.slice(1)]) {
      expect(inclusionProof(leaves, bad), bad).toBeNull();
      expect(tree.proof(bad), bad).toBeNull();
    }
    expect(verifyInclusion(tree.proof(f), tree.root())).toBe(true);
  });
});

describe('scale', () => {
  // Correctness at a size with ~17-level paths; timing is in `npm run bench:release`.
  // Left out of a mutation run (`npm run test:mutation`): instrumented, it takes minutes per mutant,
  // and the reference comparisons above reach every line it does.
  it.skipIf(process.env.CONTAMOS_MUTATION_SCOPE)('100,000 leaves: the tree kept for proofs has the same root, and its proofs verify', () => {
    const pool = randomBytes(32 * 100_000).toString('hex');
    const leaves = Array.from({ length: 100_000 }, (_, i) => pool.slice(i * 64, i * 64 + 64));
    const root = merkleRoot(leaves);
    const tree = buildMerkleTree(leaves);
    expect(tree.root()).toBe(root);
    expect(tree.proof(leaves[42_424]!)).toEqual(inclusionProof(leaves, leaves[42_424]!));
    for (const i of [0, 42_424, 99_999]) {
      const p = tree.proof(leaves[i]!)!;
      expect(p.path.length).toBeGreaterThan(10);
      expect(p.path.length).toBeLessThan(64);
      expect(verifyInclusion(p, root)).toBe(true);
      expect(verifyInclusion({ ...p, leaf: leaves[i + (i === 0 ? 1 : -1)]! }, root)).toBe(false);
    }
  });
});
