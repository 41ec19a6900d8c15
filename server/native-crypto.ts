// Installs Node's native (OpenSSL) primitives as the crypto module's backends on the server:
// Ed25519 (verify ~60 µs and sign ~22 µs here, against ~120 µs and ~60 µs for libsodium's
// WebAssembly build) and SHA-256 (several times faster than the portable JavaScript one). The
// signature check, the body digest, the report hash and the receipt signature are on every
// submission's path. Key objects are cached (bounded). Same RFC 8032 signatures and FIPS 180-4
// digests either way; test/unit/native-crypto.test.ts checks that both backends agree.
import { createHash, createPrivateKey, createPublicKey, sign, verify, type KeyObject } from 'node:crypto';
import { setEd25519Backend, setSha256Backend, type Ed25519Backend } from '../crypto/index.js';

const MAX_CACHED = 10_000;
const publicKeys = new Map<string, KeyObject>();
const privateKeys = new Map<string, KeyObject>();

function cached(map: Map<string, KeyObject>, id: string, make: () => KeyObject): KeyObject {
  let k = map.get(id);
  if (!k) {
    if (map.size >= MAX_CACHED) map.clear();
    k = make();
    map.set(id, k);
  }
  return k;
}

const b64url = (u8: Uint8Array) => Buffer.from(u8.buffer, u8.byteOffset, u8.byteLength).toString('base64url');

function privateKeyOf(secretKey: Uint8Array): KeyObject {
  // libsodium secret key = 32-byte seed || 32-byte public key
  return cached(privateKeys, b64url(secretKey), () =>
    createPrivateKey({ key: { kty: 'OKP', crv: 'Ed25519', d: b64url(secretKey.subarray(0, 32)), x: b64url(secretKey.subarray(32, 64)) }, format: 'jwk' }));
}

function publicKeyOf(publicKey: Uint8Array): KeyObject {
  return cached(publicKeys, b64url(publicKey), () => createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: b64url(publicKey) }, format: 'jwk' }));
}

// The asynchronous forms run the curve arithmetic on libuv's thread pool (Node's documented
// behaviour when `crypto.sign`/`crypto.verify` get a callback): the event loop keeps parsing and
// answering other requests meanwhile, which is what lets intake use the second core.
export const nativeEd25519: Ed25519Backend = {
  sign(message, secretKey) {
    return new Uint8Array(sign(null, message, privateKeyOf(secretKey)));
  },
  verify(signature, message, publicKey) {
    try {
      return verify(null, message, publicKeyOf(publicKey), signature);
    } catch {
      return false;
    }
  },
  signAsync(message, secretKey) {
    return new Promise((resolve, reject) => {
      sign(null, message, privateKeyOf(secretKey), (err, sig) => (err ? reject(err) : resolve(new Uint8Array(sig))));
    });
  },
  verifyAsync(signature, message, publicKey) {
    return new Promise((resolve) => {
      let key: KeyObject;
      try {
        key = publicKeyOf(publicKey);
      } catch {
        return resolve(false);
      }
      verify(null, message, key, signature, (err, ok) => resolve(!err && ok));
    });
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
