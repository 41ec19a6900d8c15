// Installs native primitives as the crypto module's backends on the server: Ed25519 from libsodium
// itself, compiled natively (sodium-native, prebuilt in its npm package), and SHA-256 from Node
// (OpenSSL). Measured here per operation: verify ~51 µs and sign ~19 µs, against ~112 µs and ~38 µs
// for Node's OpenSSL Ed25519 and ~120 µs and ~60 µs for libsodium's WebAssembly build; SHA-256
// several times faster than the portable JavaScript one. The signature check, the body digest,
// the report hash and the receipt signature are on every submission's path.
// Guarantees: the same library as the portable backend (libsodium), so the same verdicts, not
// only on honest signatures: non-canonical signatures, small-order keys and small-order R are
// refused by both (OpenSSL would accept the last). Same FIPS 180-4 digests. Never throws on
// malformed input when verifying. test/unit/native-crypto.test.ts checks that both agree.
// There are no off-thread forms: at these costs a thread-pool round trip (job, wake-up, promise)
// costs the event loop about as much as the arithmetic it moves, so verification and signing run
// where they are asked for (on SQLite, intake's run on the writer thread: http/auth.ts).
import { createHash } from 'node:crypto';
import sodium from 'sodium-native';
import { setEd25519Backend, setSha256Backend, type Ed25519Backend } from '../crypto/index.js';

export const nativeEd25519: Ed25519Backend = {
  sign(message, secretKey) {
    const sig = new Uint8Array(sodium.crypto_sign_BYTES);
    sodium.crypto_sign_detached(sig, message, secretKey);
    return sig;
  },
  verify(signature, message, publicKey) {
    // sodium-native throws on wrong lengths; a verifier answers false instead
    try {
      return sodium.crypto_sign_verify_detached(signature, message, publicKey);
    } catch {
      return false;
    }
  },
};

export function nativeSha256(data: Uint8Array): Uint8Array {
  const d = createHash('sha256').update(data).digest();
  return new Uint8Array(d.buffer, d.byteOffset, d.byteLength);
}

export function useNativeCrypto(): void {
  setEd25519Backend(nativeEd25519);
  setSha256Backend(nativeSha256);
}
