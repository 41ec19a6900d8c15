// seal.ts — sealing narratives to the steward (libsodium crypto_box_seal over padded UTF-8).
//
// Guarantees:
// - `sealNarrative(text, stewardPk)` = base64(crypto_box_seal(pad(utf8(text)), stewardPk)): only
//   the holder of the steward's X25519 secret key can open it; the sender keeps no way to open it;
//   its length is one of SEALED_SIZES, so it tells only the size bucket. Throws
//   `NarrativeTooLargeError` above 64 KiB - 1 bytes of UTF-8. Requires `await ready()`.
// - `openNarrative` returns exactly the original text, or throws `SealedNarrativeError` (wrong key,
//   tampered or truncated ciphertext, bad padding, invalid UTF-8). Requires `await ready()`.
// - `isPlausibleSealedNarrative(s)` is true only for a strict-base64 string whose length is one of
//   SEALED_SIZES and which decodes to exactly a bucket + 48 bytes — the server refuses anything
//   else without being able to open it. No init needed.
import { fromBase64, toBase64, utf8Decode, utf8Encode } from './encoding.js';
import { PAD_BUCKETS, pad, unpad } from './pad.js';
import { sodium } from './sodium.js';

/** crypto_box_SEALBYTES: ephemeral public key (32) + Poly1305 tag (16). */
export const SEAL_OVERHEAD_BYTES = 48;

const base64Length = (bytes: number) => 4 * Math.ceil(bytes / 3);

/** Every length (in base64 characters) a sealed narrative can have: [1432, 5528, 21912, 87448]. */
export const SEALED_SIZES: readonly number[] = Object.freeze(PAD_BUCKETS.map((b) => base64Length(b + SEAL_OVERHEAD_BYTES)));

export class SealedNarrativeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SealedNarrativeError';
  }
}

function key32(b64: string, what: string): Uint8Array {
  let k: Uint8Array;
  try {
    k = fromBase64(b64);
  } catch {
    throw new TypeError(`${what} is not valid base64`);
  }
  if (k.length !== 32) throw new TypeError(`${what} must be 32 bytes`);
  return k;
}

/** Seals `text` to the steward's X25519 public key. Requires `await ready()`. */
export function sealNarrative(text: string, stewardSealPublicKeyB64: string): string {
  const pk = key32(stewardSealPublicKeyB64, 'steward seal public key');
  return toBase64(sodium().crypto_box_seal(pad(utf8Encode(text)), pk));
}

/** Opens a sealed narrative with the steward's key pair. Requires `await ready()`. */
export function openNarrative(sealedB64: string, publicKeyB64: string, secretKeyB64: string): string {
  const pk = key32(publicKeyB64, 'seal public key');
  const sk = key32(secretKeyB64, 'seal secret key');
  if (!isPlausibleSealedNarrative(sealedB64)) throw new SealedNarrativeError('not a sealed narrative (size or encoding)');
  let padded: Uint8Array;
  try {
    padded = sodium().crypto_box_seal_open(fromBase64(sealedB64), pk, sk);
  } catch {
    throw new SealedNarrativeError('cannot open: wrong key or tampered ciphertext');
  }
  try {
    return utf8Decode(unpad(padded));
  } catch (e) {
    throw new SealedNarrativeError(`opened but malformed: ${(e as Error).message}`);
  }
}

const BASE64_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
/** Value of each base64 character by char code (< 128), -1 for anything else. */
const BASE64_VALUE = (() => {
  const t = new Int8Array(128).fill(-1);
  for (let k = 0; k < 64; k++) t[BASE64_ALPHABET.charCodeAt(k)] = k;
  return t;
})();

/**
 * Cheap structural check the server runs on every submitted narrative. Never throws. Same answer
 * as strictly decoding it and comparing the byte length with bucket + 48 (test/crypto/seal.test.ts
 * checks both agree), without the decode: for a string of the base64 alphabet with its padding at
 * the end, the byte length is fixed by the character count and the number of '=', and strictness
 * only asks that the bits the last character carries beyond the data are zero.
 */
export function isPlausibleSealedNarrative(b64: unknown): boolean {
  if (typeof b64 !== 'string') return false;
  const i = SEALED_SIZES.indexOf(b64.length);
  if (i < 0) return false;
  const bytes = PAD_BUCKETS[i]! + SEAL_OVERHEAD_BYTES;
  const padding = (3 - (bytes % 3)) % 3;
  const end = b64.length - padding;
  for (let k = end; k < b64.length; k++) if (b64.charCodeAt(k) !== 61 /* = */) return false;
  let last = -1;
  for (let k = 0; k < end; k++) {
    const c = b64.charCodeAt(k);
    last = c < 128 ? BASE64_VALUE[c]! : -1;
    if (last < 0) return false;
  }
  if (padding === 0) return true;
  // one '=': the last character carries 4 data bits and 2 spare; two '=': 2 data bits, 4 spare
  return (last & (padding === 1 ? 3 : 15)) === 0;
}
