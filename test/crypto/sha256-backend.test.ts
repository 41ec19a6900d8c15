// crypto/sha256.ts: the replaceable SHA-256 backend, and the Merkle message helpers that hash in
// place. Checked against node:crypto, at offsets other than 0 (the Merkle tree reads and writes
// inside large buffers), with the output aliasing an input.
import { createHash, createHmac } from 'node:crypto';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { hmacSha256Bytes, merkleLeafInto, merkleNodeInto, setSha256Backend, sha256Bytes } from '../../crypto/sha256.js';

const nodeSha = (...parts: Uint8Array[]) => new Uint8Array(createHash('sha256').update(Buffer.concat(parts)).digest());

describe('setSha256Backend', () => {
  afterEach(() => setSha256Backend(null));

  it('installs the function every hash goes through, and null puts @noble/hashes back', () => {
    const seen: number[] = [];
    setSha256Backend((d) => {
      seen.push(d.length);
      return new Uint8Array(32).fill(7);
    });
    expect(sha256Bytes(new Uint8Array(5))).toEqual(new Uint8Array(32).fill(7));
    const out = new Uint8Array(32);
    merkleLeafInto(new Uint8Array(32), 0, out, 0);
    expect(out).toEqual(new Uint8Array(32).fill(7));
    expect(seen).toEqual([5, 33]);
    setSha256Backend(null);
    expect(sha256Bytes(new Uint8Array(5))).toEqual(nodeSha(new Uint8Array(5)));
    expect(seen).toEqual([5, 33]);
  });
});

describe('Merkle messages hashed in place', () => {
  it('merkleLeafInto writes SHA-256(0x00 || the 32 bytes at srcOff) at outOff, and nothing else', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 96, maxLength: 96 }), fc.nat(64), fc.nat(64), (buf, srcOff, outOff) => {
        const src = buf.slice();
        const out = new Uint8Array(96).fill(0xaa);
        merkleLeafInto(src, srcOff, out, outOff);
        const want = new Uint8Array(96).fill(0xaa);
        want.set(nodeSha(Uint8Array.of(0), buf.subarray(srcOff, srcOff + 32)), outOff);
        expect(out).toEqual(want);
        expect(src).toEqual(buf);
      }),
      { numRuns: 50 },
    );
  });

  it('merkleNodeInto writes SHA-256(0x01 || a[aOff..+32] || b[bOff..+32]) at outOff, also over its own inputs', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 128, maxLength: 128 }), fc.nat(96), fc.nat(96), fc.nat(96), (buf, aOff, bOff, outOff) => {
        const want = nodeSha(Uint8Array.of(1), buf.subarray(aOff, aOff + 32), buf.subarray(bOff, bOff + 32));
        const separate = new Uint8Array(128);
        merkleNodeInto(buf, aOff, buf, bOff, separate, outOff);
        expect(separate.subarray(outOff, outOff + 32)).toEqual(want);
        const aliased = buf.slice();
        merkleNodeInto(aliased, aOff, aliased, bOff, aliased, outOff);
        expect(aliased.subarray(outOff, outOff + 32)).toEqual(want);
      }),
      { numRuns: 50 },
    );
  });

  it('hmacSha256Bytes is RFC 2104 HMAC-SHA-256', () => {
    const key = new Uint8Array(70).map((_, i) => i);
    const data = new TextEncoder().encode('contamos');
    expect(hmacSha256Bytes(key, data)).toEqual(new Uint8Array(createHmac('sha256', key).update(data).digest()));
  });
});
