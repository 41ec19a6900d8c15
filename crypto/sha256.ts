// sha256.ts — SHA-256 and HMAC-SHA-256 for every Contamos format (Content-Digest, report hashes,
// RFC 6962 Merkle trees, dedupe tags), from @noble/hashes: audited, dependency-free, synchronous,
// and the same code in Node, the browser bundle and the auditor.
//
// Why not libsodium: the standard libsodium-wrappers build (0.8.x, not "sumo") exposes neither
// crypto_hash_sha256 nor crypto_auth_hmacsha256. WebCrypto is async-only and too slow per call
// for a million-leaf tree.
//
// Guarantees: bit-exact FIPS 180-4 / RFC 2104 (tested against node:crypto and NIST vectors);
// `merkleLeafInto` / `merkleNodeInto` hash the fixed-size RFC 6962 messages
// (0x00 || 32 bytes, 0x01 || 32 || 32 bytes) into a caller's buffer. No initialisation needed.
import { hmac } from '@noble/hashes/hmac.js';
import { sha256 } from '@noble/hashes/sha2.js';

/** SHA-256 of the concatenation of `parts`. */
export function sha256Concat(parts: readonly Uint8Array[]): Uint8Array {
  const h = sha256.create();
  for (const p of parts) h.update(p);
  return h.digest();
}

/** SHA-256 of `data`. */
export function sha256Bytes(data: Uint8Array): Uint8Array {
  return sha256(data);
}

/** HMAC-SHA-256 (RFC 2104) of `data` under `key` (any length). */
export function hmacSha256Bytes(key: Uint8Array, data: Uint8Array): Uint8Array {
  return hmac(sha256, key, data);
}

const leafMsg = new Uint8Array(33); // 0x00 || leaf
const nodeMsg = new Uint8Array(65); // 0x01 || left || right
nodeMsg[0] = 0x01;

/** out[outOff..+32] = SHA-256(0x00 || src[srcOff..+32]). */
export function merkleLeafInto(src: Uint8Array, srcOff: number, out: Uint8Array, outOff: number): void {
  leafMsg.set(src.subarray(srcOff, srcOff + 32), 1);
  out.set(sha256(leafMsg), outOff);
}

/** out[outOff..+32] = SHA-256(0x01 || a[aOff..+32] || b[bOff..+32]). `out` may alias the inputs. */
export function merkleNodeInto(a: Uint8Array, aOff: number, b: Uint8Array, bOff: number, out: Uint8Array, outOff: number): void {
  nodeMsg.set(a.subarray(aOff, aOff + 32), 1);
  nodeMsg.set(b.subarray(bOff, bOff + 32), 33);
  out.set(sha256(nodeMsg), outOff);
}
