// The server's native backends agree with the portable ones. Ed25519: native and libsodium agree: signatures made by one verify with
// the other, and both refuse a changed message, a changed signature and another key.
import { beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { createHash } from 'node:crypto';
import { fromBase64, generateSigningKeyPair, merkleRoot, ready, setEd25519Backend, setSha256Backend, sha256Hex, signDetached, signDetachedAsync, verifyDetached } from '../../crypto/index.js';
import { verifyDetachedBytesAsync } from '../../crypto/sign.js';
import { nativeEd25519, nativeSha256 } from '../../server/native-crypto.js';

describe('native Ed25519 backend', () => {
  beforeAll(async () => { await ready(); });

  it('interoperates with libsodium both ways, and refuses tampering', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 300 }), fc.nat(299), (msg, flip) => {
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
    }), { numRuns: 50 });
  });

  it('its thread-pool forms give the same signatures and verdicts as the synchronous ones', async () => {
    await fc.assert(fc.asyncProperty(fc.uint8Array({ maxLength: 300 }), fc.nat(63), async (msg, flip) => {
      const kp = generateSigningKeyPair();
      const sk = fromBase64(kp.secretKey);
      const pk = fromBase64(kp.publicKey);
      const sig = await nativeEd25519.signAsync!(msg, sk);
      expect(Buffer.from(sig).toString('base64')).toBe(Buffer.from(nativeEd25519.sign(msg, sk)).toString('base64'));
      expect(await nativeEd25519.verifyAsync!(sig, msg, pk)).toBe(true);
      const bad = sig.slice();
      bad[flip]! ^= 1;
      expect(await nativeEd25519.verifyAsync!(bad, msg, pk)).toBe(false);
      expect(await nativeEd25519.verifyAsync!(sig, msg, fromBase64(generateSigningKeyPair().publicKey))).toBe(false);
    }), { numRuns: 40 });
    // Never rejects on malformed input: a key that is not a curve point, a short signature.
    setEd25519Backend(nativeEd25519);
    try {
      const kp = generateSigningKeyPair();
      const sig = fromBase64(signDetached('m', kp.secretKey));
      expect(await verifyDetachedBytesAsync(sig, new TextEncoder().encode('m'), fromBase64(kp.publicKey))).toBe(true);
      expect(await verifyDetachedBytesAsync(sig.subarray(0, 63), new TextEncoder().encode('m'), fromBase64(kp.publicKey))).toBe(false);
      expect(await verifyDetachedBytesAsync(sig, new TextEncoder().encode('m'), new Uint8Array(32).fill(0xff))).toBe(false);
      expect(await signDetachedAsync('m', kp.secretKey)).toBe(signDetached('m', kp.secretKey));
    } finally {
      setEd25519Backend(null);
    }
  });
});

describe('native SHA-256 backend', () => {
  it('gives the same digests and Merkle roots as @noble/hashes', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 2000 }), fc.array(fc.uint8Array({ minLength: 32, maxLength: 32 }), { minLength: 1, maxLength: 40 }), (data, leaves) => {
      const hex = leaves.map((l) => Buffer.from(l).toString('hex'));
      setSha256Backend(null);
      const portable = [sha256Hex(data), merkleRoot(hex)];
      setSha256Backend(nativeSha256);
      const native = [sha256Hex(data), merkleRoot(hex)];
      setSha256Backend(null);
      expect(native).toEqual(portable);
      expect(portable[0]).toBe(createHash('sha256').update(data).digest('hex'));
    }), { numRuns: 100 });
  });
});
