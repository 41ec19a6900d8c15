// The server's native backends agree with the portable ones. Ed25519: native libsodium and the WebAssembly build agree: signatures
// made by one verify with the other, both refuse a changed message, a changed signature and another key, and both refuse the
// signatures libsodium refuses where OpenSSL would not.
import { beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { createHash, createPublicKey, verify as nodeVerify } from 'node:crypto';
import {
  fromBase64,
  generateSigningKeyPair,
  merkleRoot,
  ready,
  setEd25519Backend,
  setSha256Backend,
  sha256Hex,
  signDetached,
  verifyDetached,
  verifyDetachedBytes,
} from '../../crypto/index.js';
import { sodium } from '../../crypto/sodium.js';
import { nativeEd25519, nativeSha256 } from '../../server/native-crypto.js';

describe('native Ed25519 backend', () => {
  beforeAll(async () => {
    await ready();
  });

  it('interoperates with libsodium both ways, and refuses tampering', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), fc.nat(299), (msg, flip) => {
        const kp = generateSigningKeyPair();
        const other = generateSigningKeyPair();
        setEd25519Backend(null);
        const bySodium = signDetached(msg, kp.secretKey);
        setEd25519Backend(nativeEd25519);
        const byNative = signDetached(msg, kp.secretKey);
        expect(byNative).toBe(bySodium); // Ed25519 is deterministic
        expect(verifyDetached(bySodium, msg, kp.publicKey)).toBe(true);
        expect(verifyDetached(bySodium, msg, other.publicKey)).toBe(false);
        const sig = fromBase64(bySodium);
        sig[flip % 64]! ^= 1;
        expect(nativeEd25519.verify(sig, msg, fromBase64(kp.publicKey))).toBe(false);
        if (msg.length > 0) {
          const changed = msg.slice();
          changed[flip % msg.length]! ^= 1;
          expect(verifyDetached(bySodium, changed, kp.publicKey)).toBe(false);
          setEd25519Backend(null);
          expect(verifyDetached(bySodium, changed, kp.publicKey)).toBe(false);
        }
        setEd25519Backend(null);
        expect(verifyDetached(byNative, msg, kp.publicKey)).toBe(true);
      }),
      { numRuns: 50 },
    );
  });

  it('never throws on malformed input', () => {
    setEd25519Backend(nativeEd25519);
    try {
      const kp = generateSigningKeyPair();
      const m = new TextEncoder().encode('m');
      const sig = fromBase64(signDetached(m, kp.secretKey));
      expect(verifyDetachedBytes(sig, m, fromBase64(kp.publicKey))).toBe(true);
      expect(verifyDetachedBytes(sig.subarray(0, 63), m, fromBase64(kp.publicKey))).toBe(false);
      expect(verifyDetachedBytes(sig, m, new Uint8Array(32).fill(0xff))).toBe(false);
      expect(nativeEd25519.verify(sig, m, fromBase64(kp.publicKey).subarray(0, 31))).toBe(false);
      expect(() => nativeEd25519.sign(m, new Uint8Array(10))).toThrow();
    } finally {
      setEd25519Backend(null);
    }
  });

  it('refuses what libsodium refuses, where OpenSSL would not: a signature whose R is the identity point', () => {
    // Only the key's holder can make one (S = H(R‖A‖M)·a): R = identity verifies under the
    // cofactorless equation, so OpenSSL (node:crypto) accepts it; libsodium refuses small-order R.
    // The server's backend must give libsodium's verdict, as the browser and the auditor do.
    const L = 2n ** 252n + 27742317777372353535851937790883648493n;
    const le = (b: Uint8Array) => b.reduceRight((acc, x) => (acc << 8n) | BigInt(x), 0n);
    const toLe32 = (n: bigint) => Uint8Array.from({ length: 32 }, (_, i) => Number((n >> BigInt(8 * i)) & 0xffn));
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 100 }), (msg) => {
        const kp = generateSigningKeyPair();
        const sk = fromBase64(kp.secretKey);
        const pk = fromBase64(kp.publicKey);
        const a = le(sodium().crypto_sign_ed25519_sk_to_curve25519(sk)); // the clamped secret scalar
        const R = new Uint8Array(32);
        R[0] = 1; // the identity point's encoding
        const k = le(createHash('sha512').update(R).update(pk).update(msg).digest()) % L;
        const sig = new Uint8Array([...R, ...toLe32((k * a) % L)]);
        const jwk = createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: Buffer.from(pk).toString('base64url') }, format: 'jwk' });
        expect(nodeVerify(null, msg, jwk, sig)).toBe(true); // the construction is right
        expect(nativeEd25519.verify(sig, msg, pk)).toBe(false);
        setEd25519Backend(null);
        expect(verifyDetached(Buffer.from(sig).toString('base64'), msg, kp.publicKey)).toBe(false);
      }),
      { numRuns: 20 },
    );
  });
});

describe('native SHA-256 backend', () => {
  it('gives the same digests and Merkle roots as @noble/hashes', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 2000 }),
        fc.array(fc.uint8Array({ minLength: 32, maxLength: 32 }), { minLength: 1, maxLength: 40 }),
        (data, leaves) => {
          const hex = leaves.map((l) => Buffer.from(l).toString('hex'));
          setSha256Backend(null);
          const portable = [sha256Hex(data), merkleRoot(hex)];
          setSha256Backend(nativeSha256);
          const native = [sha256Hex(data), merkleRoot(hex)];
          setSha256Backend(null);
          expect(native).toEqual(portable);
          expect(portable[0]).toBe(createHash('sha256').update(data).digest('hex'));
        },
      ),
      { numRuns: 100 },
    );
  });
});
