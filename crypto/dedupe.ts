// dedupe.ts — dedupe tags: HMAC-SHA-256(coalition secret, normalised identifying details).
//
// Guarantees:
// - `normaliseDetails` maps spellings of the same details to one string: Unicode NFKD, case folded
//   with toLowerCase (locale-independent), diacritics (all combining marks) removed, every run of
//   whitespace collapsed to one space, trimmed. So "  José  PÉREZ " and "jose perez" agree. It is
//   idempotent. (Lowercasing happens between two NFKD passes so that letters whose lowercase form
//   decomposes, e.g. "İ", lose their marks too.)
// - `dedupeTag(secret, details)` = lowercase hex (64 chars) HMAC-SHA-256 keyed with the decoded
//   coalition secret over the UTF-8 of the normalised details. Without the secret the server
//   cannot test guesses of names against tags. It refuses a secret shorter than 16 bytes and
//   details that normalise to the empty string (which would merge unrelated incidents).
// - `generateDedupeSecret()` makes a fresh 32-byte secret (base64); requires `await ready()`.
// Tags need no initialisation (pure TypeScript HMAC; see sha256.ts).
import { fromBase64, toBase64, toHex } from './encoding.js';
import { hmacSha256 } from './hash.js';
import { randomBytes } from './sodium.js';

export const DEDUPE_SECRET_MIN_BYTES = 16;

const MARKS = /\p{M}/gu;
const WHITESPACE = /\s+/gu;

/** Canonical form of identifying details before tagging (see header). */
export function normaliseDetails(s: string): string {
  if (typeof s !== 'string') throw new TypeError('details must be a string');
  return s.normalize('NFKD').toLowerCase().normalize('NFKD').replace(MARKS, '').replace(WHITESPACE, ' ').trim();
}

/** Lowercase hex HMAC-SHA-256 of the normalised details under the coalition secret. */
export function dedupeTag(coalitionSecretB64: string, details: string): string {
  const key = fromBase64(coalitionSecretB64);
  if (key.length < DEDUPE_SECRET_MIN_BYTES) throw new TypeError(`coalition secret must be at least ${DEDUPE_SECRET_MIN_BYTES} bytes`);
  const norm = normaliseDetails(details);
  if (norm.length === 0) throw new TypeError('details are empty after normalisation');
  return toHex(hmacSha256(key, norm));
}

/** A fresh 32-byte coalition dedupe secret, base64. Requires `await ready()`. */
export function generateDedupeSecret(): string {
  return toBase64(randomBytes(32));
}
