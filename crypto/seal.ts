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

const BASE64_SHAPE = /^[A-Za-z0-9+/]*={0,2}$/;

/** Cheap structural check the server runs on every submitted narrative. Never throws. */
export function isPlausibleSealedNarrative(b64: unknown): boolean {
  if (typeof b64 !== 'string') return false;
  const i = SEALED_SIZES.indexOf(b64.length);
  if (i < 0 || !BASE64_SHAPE.test(b64)) return false;
  try {
    // Strict decode (padding, trailing bits), and the byte length must be exactly bucket + 48.
    return fromBase64(b64).length === PAD_BUCKETS[i]! + SEAL_OVERHEAD_BYTES;
  } catch {
    return false;
  }
}
