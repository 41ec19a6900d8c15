// hash.ts — SHA-256 helpers and the report hash.
//
// Guarantees:
// - `sha256` / `sha256Hex` hash bytes, or the UTF-8 encoding of a string (lone surrogates refused).
// - `hashCanonical(v)` is the lowercase-hex SHA-256 of `canonicalJson(v)` (RFC 8785), so it does
//   not depend on key order or on how the value was built.
// - `reportHash(reportId, body)` = hashCanonical({ reportId, ...body }): the hash a receipt signs
//   and the leaf of a release's Merkle tree. A `reportId` inside `body` must equal the argument
//   (otherwise the spread would silently replace it) and `body` must be a plain object.
// Pure TypeScript (see sha256.ts for why not libsodium): no `await ready()` needed.
import { canonicalJson } from './canonical-json.js';
import { isBytes, toHex, utf8Encode } from './encoding.js';
import { hmacSha256Bytes, sha256Bytes } from './sha256.js';

const HEX64 = /^[0-9a-f]{64}$/;

/** True for a lowercase 64-character hex string (the form of every hash Contamos stores). */
export function isSha256Hex(s: unknown): s is string {
  return typeof s === 'string' && HEX64.test(s);
}

function bytesOf(data: Uint8Array | string): Uint8Array {
  if (typeof data === 'string') return utf8Encode(data);
  if (isBytes(data)) return data;
  throw new TypeError('expected a Uint8Array or a string');
}

/** SHA-256 digest (32 bytes) of bytes, or of a string's UTF-8 encoding. */
export function sha256(data: Uint8Array | string): Uint8Array {
  return sha256Bytes(bytesOf(data));
}

/** Lowercase hex SHA-256. */
export function sha256Hex(data: Uint8Array | string): string {
  return toHex(sha256(data));
}

/** HMAC-SHA-256 (32 bytes) of bytes or a string's UTF-8 encoding, under `key`. */
export function hmacSha256(key: Uint8Array, data: Uint8Array | string): Uint8Array {
  if (!isBytes(key)) throw new TypeError('HMAC key must be a Uint8Array');
  return hmacSha256Bytes(key, bytesOf(data));
}

/** Lowercase hex SHA-256 of the RFC 8785 canonical JSON of `value`. */
export function hashCanonical(value: unknown): string {
  return sha256Hex(canonicalJson(value));
}

/** The report hash: hashCanonical({ reportId, ...body }). Receipts sign it; Merkle leaves are it. */
export function reportHash(reportId: string, body: object): string {
  if (typeof reportId !== 'string' || reportId.length === 0) throw new TypeError('reportId must be a non-empty string');
  if (body === null || typeof body !== 'object' || Array.isArray(body)) throw new TypeError('body must be a plain object');
  const inner = (body as { reportId?: unknown }).reportId;
  if (inner !== undefined && inner !== reportId) throw new TypeError('body.reportId differs from reportId');
  return hashCanonical({ reportId, ...body });
}
