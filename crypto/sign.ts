// sign.ts — Ed25519 detached signatures (libsodium).
//
// Guarantees:
// - `signDetached` signs the exact bytes given (a string is signed as its UTF-8 encoding) with a
//   64-byte libsodium Ed25519 secret key (base64) and returns the 64-byte signature in base64. It
//   throws on a malformed key.
// - `verifyDetached` NEVER throws: malformed base64, wrong lengths, wrong key or a changed message
//   all give `false`. libsodium rejects non-canonical signatures and small-order public keys.
// Both require `await ready()`.
import { fromBase64, toBase64, utf8Encode } from './encoding.js';
import { sodium } from './sodium.js';

export const SIGNATURE_BYTES = 64;
export const SIGNING_PUBLIC_KEY_BYTES = 32;
export const SIGNING_SECRET_KEY_BYTES = 64;

function messageBytes(message: Uint8Array | string): Uint8Array {
  return typeof message === 'string' ? utf8Encode(message) : message;
}

/**
 * An Ed25519 implementation to use instead of libsodium's WebAssembly one. The server installs
 * libsodium's native build at start (server/native-crypto.ts), about twice as fast; the browser
 * and the auditor keep the WebAssembly one. Same library, same signatures, same verdicts.
 */
export interface Ed25519Backend {
  sign(message: Uint8Array, secretKey: Uint8Array): Uint8Array;
  verify(signature: Uint8Array, message: Uint8Array, publicKey: Uint8Array): boolean;
}

let backend: Ed25519Backend | null = null;

export function setEd25519Backend(b: Ed25519Backend | null): void {
  backend = b;
}

/** Base64 Ed25519 signature of `message` under `secretKeyB64`. Requires `await ready()`. */
export function signDetached(message: Uint8Array | string, secretKeyB64: string): string {
  const sk = fromBase64(secretKeyB64);
  if (sk.length !== SIGNING_SECRET_KEY_BYTES) throw new TypeError('Ed25519 secret key must be 64 bytes');
  if (backend) return toBase64(backend.sign(messageBytes(message), sk));
  return toBase64(sodium().crypto_sign_detached(messageBytes(message), sk));
}

/**
 * Verifies with raw bytes (used on the request hot path, where the base is already bytes).
 * Never throws. Requires `await ready()`.
 */
export function verifyDetachedBytes(signature: Uint8Array, message: Uint8Array, publicKey: Uint8Array): boolean {
  if (signature.length !== SIGNATURE_BYTES || publicKey.length !== SIGNING_PUBLIC_KEY_BYTES) return false;
  try {
    if (backend) return backend.verify(signature, message, publicKey);
    return sodium().crypto_sign_verify_detached(signature, message, publicKey);
  } catch {
    return false;
  }
}

/** True iff `sigB64` is a valid Ed25519 signature of `message` by `publicKeyB64`. Never throws. */
export function verifyDetached(sigB64: string, message: Uint8Array | string, publicKeyB64: string): boolean {
  try {
    return verifyDetachedBytes(fromBase64(sigB64), messageBytes(message), fromBase64(publicKeyB64));
  } catch {
    return false;
  }
}
