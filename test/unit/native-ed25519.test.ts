// The server's native Ed25519 backend and libsodium's agree: signatures made by one verify with
// the other, and both refuse a changed message, a changed signature and another key.
import { beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { fromBase64, generateSigningKeyPair, ready, setEd25519Backend, signDetached, verifyDetached } from '../../crypto/index.js';
import { nativeEd25519 } from '../../server/native-ed25519.js';

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
});
