// random.ts — sources of random bits and exact uniform / Bernoulli draws built on them.
//
// Guarantees:
// - `RandomSource.nextUint32()` returns 32 independent uniform bits (as an unsigned integer).
//   · `cryptoRandomSource()` (the production source, `defaultRandomSource()`) reads
//     `globalThis.crypto.getRandomValues` (Web Crypto: Node ≥ 19 and browsers), in blocks of 1 KiB
//     kept only in this closure; it throws at creation when Web Crypto is missing — there is no
//     silent fallback to Math.random.
//   · `seededRandomSource(seed)` is a deterministic ChaCha20 keystream (RFC 8439 block function,
//     20 rounds, all-zero nonce, 64-bit block counter in words 12–13) keyed by
//     SHA-256("contamos/dp/seeded-random/v1" ‖ 0x00 ‖ seed). Reproducible across platforms; for
//     tests and benchmarks ONLY (anyone who knows the seed knows the noise). Its `kind` is
//     'seeded' so callers can refuse it in production.
// - `uniformBelow(src, n)` / `uniformBelowSmall(src, n)` return an exactly uniform integer in
//   [0, n) by rejection sampling on the smallest sufficient number of bits (no modulo bias, no
//   floating point). `bernoulli(src, num, den)` is exactly Bernoulli(num/den).
// - Pure apart from consuming the source.
import { sha256 } from '@noble/hashes/sha2.js';

export interface RandomSource {
  /** 'crypto' for the operating system CSPRNG, 'seeded' for the reproducible test stream. */
  readonly kind: 'crypto' | 'seeded';
  /** 32 uniformly random bits, as an integer in [0, 2^32). */
  nextUint32(): number;
}

/** The production source: the platform CSPRNG through Web Crypto. */
export function cryptoRandomSource(): RandomSource {
  const c = (globalThis as { crypto?: { getRandomValues?: unknown } }).crypto;
  if (!c || typeof c.getRandomValues !== 'function') throw new Error('Web Crypto getRandomValues is not available');
  const buf = new Uint32Array(256);
  let pos = buf.length;
  return {
    kind: 'crypto',
    nextUint32(): number {
      if (pos === buf.length) {
        globalThis.crypto.getRandomValues(buf);
        pos = 0;
      }
      const v = buf[pos]!;
      buf[pos++] = 0;
      return v;
    },
  };
}

/** The source used when none is given: always the cryptographic one. */
export function defaultRandomSource(): RandomSource {
  return cryptoRandomSource();
}

const SIGMA = [0x61707865, 0x3320646e, 0x79622d32, 0x6b206574] as const;

function rotl(x: number, n: number): number {
  return ((x << n) | (x >>> (32 - n))) >>> 0;
}

/**
 * The ChaCha20 block function of RFC 8439 §2.3: 16 output words (the little-endian words of the
 * 64-byte keystream block) for a 256-bit key (8 words), a 32-bit block counter and a 96-bit nonce.
 */
export function chacha20Block(key: ArrayLike<number>, counter: number, nonce: ArrayLike<number>, out: Uint32Array = new Uint32Array(16)): Uint32Array {
  const s = new Uint32Array(16);
  s[0] = SIGMA[0];
  s[1] = SIGMA[1];
  s[2] = SIGMA[2];
  s[3] = SIGMA[3];
  for (let i = 0; i < 8; i++) s[4 + i] = key[i]!;
  s[12] = counter >>> 0;
  s[13] = nonce[0]!;
  s[14] = nonce[1]!;
  s[15] = nonce[2]!;
  const x = Array.from(s);
  const qr = (a: number, b: number, c: number, d: number): void => {
    x[a] = (x[a]! + x[b]!) >>> 0;
    x[d] = rotl(x[d]! ^ x[a]!, 16);
    x[c] = (x[c]! + x[d]!) >>> 0;
    x[b] = rotl(x[b]! ^ x[c]!, 12);
    x[a] = (x[a]! + x[b]!) >>> 0;
    x[d] = rotl(x[d]! ^ x[a]!, 8);
    x[c] = (x[c]! + x[d]!) >>> 0;
    x[b] = rotl(x[b]! ^ x[c]!, 7);
  };
  for (let r = 0; r < 10; r++) {
    qr(0, 4, 8, 12);
    qr(1, 5, 9, 13);
    qr(2, 6, 10, 14);
    qr(3, 7, 11, 15);
    qr(0, 5, 10, 15);
    qr(1, 6, 11, 12);
    qr(2, 7, 8, 13);
    qr(3, 4, 9, 14);
  }
  for (let i = 0; i < 16; i++) out[i] = (x[i]! + s[i]!) >>> 0;
  return out;
}

/** Seed material accepted by `seededRandomSource`. */
export type Seed = string | number | bigint | Uint8Array;

function seedBytes(seed: Seed): Uint8Array {
  if (seed instanceof Uint8Array) return seed;
  if (typeof seed === 'number') {
    if (!Number.isSafeInteger(seed)) throw new Error('numeric seed must be a safe integer');
    return new TextEncoder().encode(`n:${seed}`);
  }
  if (typeof seed === 'bigint') return new TextEncoder().encode(`n:${seed}`);
  return new TextEncoder().encode(`s:${seed}`);
}

/** A reproducible ChaCha20 stream for tests and benchmarks (NOT for production releases). */
export function seededRandomSource(seed: Seed): RandomSource {
  const label = new TextEncoder().encode('contamos/dp/seeded-random/v1');
  const material = seedBytes(seed);
  const input = new Uint8Array(label.length + 1 + material.length);
  input.set(label, 0);
  input.set(material, label.length + 1);
  const digest = sha256(input);
  const key = new Uint32Array(8);
  for (let i = 0; i < 8; i++) key[i] = (digest[4 * i]! | (digest[4 * i + 1]! << 8) | (digest[4 * i + 2]! << 16) | (digest[4 * i + 3]! << 24)) >>> 0;
  const nonce = new Uint32Array(3);
  const block = new Uint32Array(16);
  let counter = 0;
  let pos = 16;
  return {
    kind: 'seeded',
    nextUint32(): number {
      if (pos === 16) {
        // 64-bit block counter: low word in the RFC counter slot, high word in nonce[0].
        chacha20Block(key, counter, nonce, block);
        counter = (counter + 1) >>> 0;
        if (counter === 0) nonce[0] = (nonce[0]! + 1) >>> 0;
        pos = 0;
      }
      return block[pos++]!;
    },
  };
}

const TWO32 = 0x1_0000_0000;

/** Exactly uniform integer in [0, n), 1 ≤ n ≤ 2^32 (rejection on the smallest power of two ≥ n). */
export function uniformBelowSmall(src: RandomSource, n: number): number {
  if (!Number.isInteger(n) || n < 1 || n > TWO32) throw new Error(`uniformBelowSmall: bad bound ${n}`);
  if (n === 1) return 0;
  const bits = 32 - Math.clz32(n - 1);
  const mask = bits === 32 ? 0xffffffff : (1 << bits) - 1;
  for (;;) {
    const u = (src.nextUint32() & mask) >>> 0;
    if (u < n) return u;
  }
}

/** Exactly uniform BigInt in [0, n), n ≥ 1 (rejection on ⌈log2 n⌉ random bits). */
export function uniformBelow(src: RandomSource, n: bigint): bigint {
  if (n < 1n) throw new Error('uniformBelow: bound must be ≥ 1');
  if (n <= BigInt(TWO32)) return BigInt(uniformBelowSmall(src, Number(n)));
  const bits = (n - 1n).toString(2).length;
  const words = Math.ceil(bits / 32);
  const topBits = bits - 32 * (words - 1);
  const topMask = topBits === 32 ? 0xffffffff : (1 << topBits) - 1;
  for (;;) {
    let u = BigInt((src.nextUint32() & topMask) >>> 0);
    for (let i = 1; i < words; i++) u = (u << 32n) | BigInt(src.nextUint32());
    if (u < n) return u;
  }
}

/** Exactly Bernoulli(num/den) for integers 0 ≤ num ≤ den, den ≥ 1. */
export function bernoulli(src: RandomSource, num: bigint, den: bigint): boolean {
  if (den < 1n || num < 0n || num > den) throw new Error('bernoulli: need 0 ≤ num ≤ den, den ≥ 1');
  if (num === 0n) return false;
  if (num === den) return true;
  if (den <= BigInt(TWO32)) return uniformBelowSmall(src, Number(den)) < Number(num);
  return uniformBelow(src, den) < num;
}
