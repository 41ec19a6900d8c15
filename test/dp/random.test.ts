// Random sources: the ChaCha20 block function matches RFC 8439, the seeded source is reproducible,
// uniform integers are uniform (chi-square) for small and BigInt bounds, Bernoulli(num/den) is
// exact in frequency, and the production source is the Web Crypto CSPRNG.
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  bernoulli,
  chacha20Block,
  cryptoRandomSource,
  defaultRandomSource,
  dpRelease,
  seededRandomSource,
  uniformBelow,
  uniformBelowSmall,
} from '../../server/dp/index.js';
import { chiSquareCritical } from './stats.js';

const hex = (words: Uint32Array): string =>
  Array.from(words, (w) => [0, 8, 16, 24].map((s) => ((w >>> s) & 0xff).toString(16).padStart(2, '0')).join('')).join('');

describe('random sources', () => {
  afterEach(() => vi.restoreAllMocks());

  it('ChaCha20 block function matches the RFC 8439 §2.3.2 test vector', () => {
    const key = Array.from({ length: 8 }, (_, i) => (4 * i) | ((4 * i + 1) << 8) | ((4 * i + 2) << 16) | (((4 * i + 3) << 24) >>> 0));
    const out = chacha20Block(
      key.map((k) => k >>> 0),
      1,
      [0x09000000, 0x4a000000, 0],
    );
    expect(hex(out)).toBe('10f1e7e4d13b5915500fdd1fa32071c4c7d1f4c733c068030422aa9ac3d46c4ed2826446079faa0914c2d705d98b02a2b5129cd1de164eb9cbd083e8a2503c4e');
  });

  it('the seeded source is reproducible and seed-dependent', () => {
    const a = seededRandomSource('seed-1');
    const b = seededRandomSource('seed-1');
    const c = seededRandomSource('seed-2');
    const sa = Array.from({ length: 100 }, () => a.nextUint32());
    const sb = Array.from({ length: 100 }, () => b.nextUint32());
    const sc = Array.from({ length: 100 }, () => c.nextUint32());
    expect(sa).toEqual(sb);
    expect(sa).not.toEqual(sc);
    expect(seededRandomSource(7).kind).toBe('seeded');
    for (const v of sa) expect(Number.isInteger(v) && v >= 0 && v < 2 ** 32).toBe(true);
  });

  it('uniformBelowSmall is uniform (chi-square) and in range', () => {
    const src = seededRandomSource('uniform-small');
    for (const n of [1, 2, 7, 10, 1000]) {
      const N = 20000;
      const bins = Math.min(n, 50);
      const counts = new Array<number>(bins).fill(0);
      let outOfRange = 0;
      for (let i = 0; i < N; i++) {
        const u = uniformBelowSmall(src, n);
        if (!(Number.isInteger(u) && u >= 0 && u < n)) outOfRange++;
        counts[Math.floor((u * bins) / n)]!++;
      }
      expect(outOfRange).toBe(0);
      if (n === 1) continue;
      // Bins of equal width only when bins divides n (true for every n here).
      const e = N / bins;
      const chi2 = counts.reduce((s, o) => s + ((o - e) * (o - e)) / e, 0);
      expect(chi2).toBeLessThan(chiSquareCritical(bins - 1));
    }
    expect(() => uniformBelowSmall(src, 0)).toThrow();
    expect(() => uniformBelowSmall(src, 2 ** 32 + 1)).toThrow();
  });

  it('uniformBelow (BigInt) is uniform over a bound above 2^32', () => {
    const src = seededRandomSource('uniform-big');
    const n = 3n * 2n ** 40n + 5n;
    const N = 20000;
    const bins = 16;
    const counts = new Array<number>(bins).fill(0);
    let outOfRange = 0;
    for (let i = 0; i < N; i++) {
      const u = uniformBelow(src, n);
      if (!(u >= 0n && u < n)) outOfRange++;
      counts[Number((u * BigInt(bins)) / n)]!++;
    }
    expect(outOfRange).toBe(0);
    const e = N / bins;
    const chi2 = counts.reduce((s, o) => s + ((o - e) * (o - e)) / e, 0);
    expect(chi2).toBeLessThan(chiSquareCritical(bins - 1));
  });

  it('bernoulli(num/den) has frequency num/den', () => {
    const src = seededRandomSource('bernoulli');
    for (const [num, den] of [
      [1n, 3n],
      [2n, 7n],
      [999n, 1000n],
      [5n, 2n ** 40n * 3n],
    ] as const) {
      const N = 20000;
      let hits = 0;
      for (let i = 0; i < N; i++) if (bernoulli(src, num, den)) hits++;
      const p = Number(num) / Number(den);
      expect(Math.abs(hits / N - p)).toBeLessThanOrEqual(4.5 * Math.sqrt((p * (1 - p)) / N) + 1e-12);
    }
    expect(bernoulli(src, 0n, 5n)).toBe(false);
    expect(bernoulli(src, 5n, 5n)).toBe(true);
    expect(() => bernoulli(src, 6n, 5n)).toThrow();
  });

  it('the production (default) source is Web Crypto getRandomValues', () => {
    const spy = vi.spyOn(globalThis.crypto, 'getRandomValues');
    const src = defaultRandomSource();
    expect(src.kind).toBe('crypto');
    const values = Array.from({ length: 300 }, () => src.nextUint32());
    expect(spy).toHaveBeenCalled();
    expect(new Set(values).size).toBeGreaterThan(290);
    expect(cryptoRandomSource().kind).toBe('crypto');
  });

  it('dpRelease uses the cryptographic source when none is given', async () => {
    const spy = vi.spyOn(globalThis.crypto, 'getRandomValues');
    const res = await dpRelease({
      counts: [{ key: { year: '2023', region: 'A' }, count: 3 }],
      domains: { year: ['2023'], region: ['A', 'B'] },
      tables: [['year', 'region']],
      rho: 1,
    });
    expect(res.stats.randomSource).toBe('crypto');
    expect(spy).toHaveBeenCalled();
  });
});
