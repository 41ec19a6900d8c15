// encoding.ts — byte/text encodings used across Contamos (isomorphic, no Buffer, no libsodium).
//
// Guarantees:
// - `toBase64` writes standard base64 (RFC 4648 §4) WITH padding; `fromBase64` accepts exactly
//   that: correct alphabet, length a multiple of 4, padding only at the end, and zero trailing
//   bits (so every byte string has exactly one accepted encoding; no whitespace, no URL-safe
//   characters). Anything else throws `EncodingError`.
// - `toBase64Url` writes URL-safe base64 (RFC 4648 §5) WITHOUT padding; `fromBase64Url` accepts
//   exactly that (no '=', canonical trailing bits).
// - `toHex` writes lowercase hex; `fromHex` accepts an even number of hex digits (either case) and
//   nothing else.
// - `utf8Encode` refuses strings with lone surrogates (they cannot be encoded faithfully);
//   `utf8Decode` refuses invalid UTF-8 (fatal decoder) and keeps a leading BOM, so
//   utf8Decode(utf8Encode(s)) === s for every well-formed string.
// None of these need `await ready()`.

/** Thrown for any input that is not a valid encoding. Carries no input data in its message. */
export class EncodingError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'EncodingError';
  }
}

/**
 * True for a Uint8Array (including Node's Buffer and arrays from another realm, e.g. a vm context
 * or an iframe, where `instanceof Uint8Array` is false).
 */
export function isBytes(x: unknown): x is Uint8Array {
  return x instanceof Uint8Array || (ArrayBuffer.isView(x) && Object.prototype.toString.call(x) === '[object Uint8Array]');
}

const STD = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const URLSAFE = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

function reverse(alphabet: string): Int8Array {
  const table = new Int8Array(128).fill(-1);
  for (let i = 0; i < alphabet.length; i++) table[alphabet.charCodeAt(i)] = i;
  return table;
}
const STD_REV = reverse(STD);
const URL_REV = reverse(URLSAFE);

function encode(bytes: Uint8Array, alphabet: string, pad: boolean): string {
  if (!isBytes(bytes)) throw new TypeError('expected a Uint8Array');
  const parts: string[] = [];
  let chunk = '';
  const full = bytes.length - (bytes.length % 3);
  for (let i = 0; i < full; i += 3) {
    const n = (bytes[i]! << 16) | (bytes[i + 1]! << 8) | bytes[i + 2]!;
    chunk += alphabet[n >>> 18]! + alphabet[(n >>> 12) & 63]! + alphabet[(n >>> 6) & 63]! + alphabet[n & 63]!;
    if (chunk.length >= 4096) {
      parts.push(chunk);
      chunk = '';
    }
  }
  const rest = bytes.length - full;
  if (rest === 1) {
    const n = bytes[full]! << 16;
    chunk += alphabet[n >>> 18]! + alphabet[(n >>> 12) & 63]! + (pad ? '==' : '');
  } else if (rest === 2) {
    const n = (bytes[full]! << 16) | (bytes[full + 1]! << 8);
    chunk += alphabet[n >>> 18]! + alphabet[(n >>> 12) & 63]! + alphabet[(n >>> 6) & 63]! + (pad ? '=' : '');
  }
  parts.push(chunk);
  return parts.join('');
}

function decode(s: string, rev: Int8Array, padded: boolean, what: string): Uint8Array {
  if (typeof s !== 'string') throw new EncodingError(`${what}: expected a string`);
  let len = s.length;
  if (padded) {
    if (len % 4 !== 0) throw new EncodingError(`${what}: length is not a multiple of 4`);
    if (len > 0 && s.charCodeAt(len - 1) === 61 /* = */) len--;
    if (len > 0 && s.charCodeAt(len - 1) === 61) len--;
  } else if (len % 4 === 1) {
    throw new EncodingError(`${what}: impossible length`);
  }
  const rest = len % 4; // 0, 2 or 3 data characters in the last group
  if (rest === 1) throw new EncodingError(`${what}: bad padding`);
  const out = new Uint8Array(((len - rest) / 4) * 3 + (rest === 0 ? 0 : rest - 1));
  const val = (i: number): number => {
    const c = s.charCodeAt(i);
    const v = c < 128 ? rev[c]! : -1;
    if (v < 0) throw new EncodingError(`${what}: invalid character`);
    return v;
  };
  let o = 0;
  const full = len - rest;
  for (let i = 0; i < full; i += 4) {
    const n = (val(i) << 18) | (val(i + 1) << 12) | (val(i + 2) << 6) | val(i + 3);
    out[o++] = n >>> 16;
    out[o++] = (n >>> 8) & 255;
    out[o++] = n & 255;
  }
  if (rest === 2) {
    const a = val(full);
    const b = val(full + 1);
    if ((b & 15) !== 0) throw new EncodingError(`${what}: non-canonical trailing bits`);
    out[o++] = (a << 2) | (b >>> 4);
  } else if (rest === 3) {
    const a = val(full);
    const b = val(full + 1);
    const c = val(full + 2);
    if ((c & 3) !== 0) throw new EncodingError(`${what}: non-canonical trailing bits`);
    out[o++] = (a << 2) | (b >>> 4);
    out[o++] = ((b & 15) << 4) | (c >>> 2);
  }
  return out;
}

/** Standard base64 with '=' padding. */
export function toBase64(bytes: Uint8Array): string {
  return encode(bytes, STD, true);
}

/** Strict inverse of `toBase64`; throws `EncodingError` on anything else. */
export function fromBase64(s: string): Uint8Array {
  return decode(s, STD_REV, true, 'base64');
}

/** URL-safe base64 without padding. */
export function toBase64Url(bytes: Uint8Array): string {
  return encode(bytes, URLSAFE, false);
}

/** Strict inverse of `toBase64Url` (no padding accepted); throws `EncodingError`. */
export function fromBase64Url(s: string): Uint8Array {
  return decode(s, URL_REV, false, 'base64url');
}

/** Lowercase hex. */
export function toHex(bytes: Uint8Array): string {
  if (!isBytes(bytes)) throw new TypeError('expected a Uint8Array');
  let s = '';
  for (let i = 0; i < bytes.length; i++) s += HEX_BYTE[bytes[i]!]!;
  return s;
}
const HEX_BYTE: string[] = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

const HEX_REV = (() => {
  const t = new Int8Array(128).fill(-1);
  for (let i = 0; i < 16; i++) {
    t['0123456789abcdef'.charCodeAt(i)] = i;
    t['0123456789ABCDEF'.charCodeAt(i)] = i;
  }
  return t;
})();

/** Strict hex decoding (even length, hex digits only, either case); throws `EncodingError`. */
export function fromHex(s: string): Uint8Array {
  if (typeof s !== 'string') throw new EncodingError('hex: expected a string');
  if (s.length % 2 !== 0) throw new EncodingError('hex: odd length');
  const out = new Uint8Array(s.length / 2);
  for (let i = 0; i < out.length; i++) {
    const c1 = s.charCodeAt(2 * i);
    const c2 = s.charCodeAt(2 * i + 1);
    const hi = c1 < 128 ? HEX_REV[c1]! : -1;
    const lo = c2 < 128 ? HEX_REV[c2]! : -1;
    if (hi < 0 || lo < 0) throw new EncodingError('hex: invalid character');
    out[i] = (hi << 4) | lo;
  }
  return out;
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** UTF-8 bytes of `s`; throws `EncodingError` if `s` contains a lone surrogate. */
export function utf8Encode(s: string): Uint8Array {
  if (typeof s !== 'string') throw new EncodingError('utf8: expected a string');
  if (LONE_SURROGATE.test(s)) throw new EncodingError('utf8: string contains a lone surrogate');
  return encoder.encode(s);
}

/** Decodes UTF-8; throws `EncodingError` on any invalid sequence. A leading BOM is kept. */
export function utf8Decode(bytes: Uint8Array): string {
  try {
    return decoder.decode(bytes);
  } catch {
    throw new EncodingError('utf8: invalid UTF-8');
  }
}

/** Constant-time equality of two byte arrays (length is not secret). */
export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let d = 0;
  for (let i = 0; i < a.length; i++) d |= a[i]! ^ b[i]!;
  return d === 0;
}
