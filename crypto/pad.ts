// pad.ts — size-bucket padding of narratives before sealing, so a ciphertext's length reveals
// only which bucket the narrative fell in.
//
// Guarantees:
// - `pad(plain)` returns exactly PAD_BUCKETS[i] bytes for the smallest bucket with
//   plain.length + 1 <= bucket: `plain`, then 0x80, then zeros (ISO/IEC 7816-4). It throws
//   `NarrativeTooLargeError` when plain.length + 1 > 64 KiB.
// - `unpad(padded)` inverts it and is strict: the length must be one of PAD_BUCKETS and the
//   padding must be 0x80 followed only by zeros; otherwise `PaddingError`. (A narrative padded to a
//   larger bucket than necessary is accepted: a client may choose to hide more.)
// No initialisation needed.

/** Bucket sizes in bytes: 1 KiB, 4 KiB, 16 KiB, 64 KiB. */
export const PAD_BUCKETS: readonly number[] = Object.freeze([1024, 4096, 16384, 65536]);

/** Largest narrative (UTF-8 bytes) that can be padded: 64 KiB minus the 0x80 marker byte. */
export const MAX_NARRATIVE_BYTES = 65536 - 1;

export class NarrativeTooLargeError extends RangeError {
  constructor(readonly bytes: number) {
    super(`narrative is ${bytes} bytes; at most ${MAX_NARRATIVE_BYTES} bytes can be sealed`);
    this.name = 'NarrativeTooLargeError';
  }
}

export class PaddingError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PaddingError';
  }
}

/** Pads `plain` to its bucket (ISO/IEC 7816-4). */
export function pad(plain: Uint8Array): Uint8Array {
  const bucket = PAD_BUCKETS.find((b) => plain.length + 1 <= b);
  if (bucket === undefined) throw new NarrativeTooLargeError(plain.length);
  const out = new Uint8Array(bucket);
  out.set(plain);
  out[plain.length] = 0x80;
  return out;
}

/** Removes the padding added by `pad`; throws `PaddingError` on anything else. */
export function unpad(padded: Uint8Array): Uint8Array {
  if (!PAD_BUCKETS.includes(padded.length)) throw new PaddingError('padded length is not a bucket size');
  let i = padded.length - 1;
  while (i >= 0 && padded[i] === 0) i--;
  if (i < 0 || padded[i] !== 0x80) throw new PaddingError('bad padding');
  return padded.slice(0, i);
}
