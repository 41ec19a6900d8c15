// sha256.ts — SHA-256 and HMAC-SHA-256 for every Contamos format (Content-Digest, report hashes,
// the sparse Merkle tree, dedupe tags), from @noble/hashes: audited, dependency-free, synchronous,
// and the same code in Node, the browser bundle and the auditor.
//
// Why not libsodium: the standard libsodium-wrappers build (0.8.x, not "sumo") exposes neither
// crypto_hash_sha256 nor crypto_auth_hmacsha256. WebCrypto is async-only and too slow per call
// for a million-leaf tree.
//
// Guarantees: bit-exact FIPS 180-4 / RFC 2104 (tested against node:crypto and NIST vectors);
// `merkleLeafInto` / `merkleNodeInto` hash the fixed-size Merkle messages
// (0x00 || 32 bytes, 0x01 || 32 || 32 bytes) into a caller's buffer. No initialisation needed.
import { hmac } from '@noble/hashes/hmac.js';
import { sha256 } from '@noble/hashes/sha2.js';

/**
 * A SHA-256 implementation to use instead of @noble/hashes. The server installs Node's native
 * one at start (several times faster on the request path: body digests, report hashes, Merkle
 * trees); the browser and the auditor keep @noble/hashes. Same FIPS 180-4 digests either way.
 */
export type Sha256Backend = (data: Uint8Array) => Uint8Array;

let hashFn: Sha256Backend = (data) => sha256(data);

export function setSha256Backend(fn: Sha256Backend | null): void {
  hashFn = fn ?? ((data) => sha256(data));
}

/** SHA-256 of `data`. */
export function sha256Bytes(data: Uint8Array): Uint8Array {
  return hashFn(data);
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
  out.set(hashFn(leafMsg), outOff);
}

/** out[outOff..+32] = SHA-256(0x01 || a[aOff..+32] || b[bOff..+32]). `out` may alias the inputs. */
export function merkleNodeInto(a: Uint8Array, aOff: number, b: Uint8Array, bOff: number, out: Uint8Array, outOff: number): void {
  nodeMsg.set(a.subarray(aOff, aOff + 32), 1);
  nodeMsg.set(b.subarray(bOff, bOff + 32), 33);
  out.set(hashFn(nodeMsg), outOff);
}
