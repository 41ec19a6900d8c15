import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  NarrativeTooLargeError,
  PAD_BUCKETS,
  PaddingError,
  SEALED_SIZES,
  SealedNarrativeError,
  fromBase64,
  generateSealKeyPair,
  isPlausibleSealedNarrative,
  openNarrative,
  pad,
  ready,
  sealNarrative,
  toBase64,
  unpad,
} from '../../crypto/index.js';
import { sodium } from '../../crypto/sodium.js';

beforeAll(async () => {
  await ready();
});

const bucketFor = (n: number) => PAD_BUCKETS.find((b) => n + 1 <= b)!;
const utf8Length = (s: string) => Buffer.byteLength(s, 'utf8');

describe('pad / unpad', () => {
  it('pads to the smallest bucket that fits, ISO/IEC 7816-4, and round-trips', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 70_000 }).filter((u) => u.length < 65536),
        (plain) => {
          const p = pad(plain);
          expect(p.length).toBe(bucketFor(plain.length));
          expect(p[plain.length]).toBe(0x80);
          expect(p.subarray(plain.length + 1).every((b) => b === 0)).toBe(true);
          expect(unpad(p)).toEqual(plain);
        },
      ),
      { numRuns: 60 },
    );
  });

  it('bucket boundaries', () => {
    expect(PAD_BUCKETS).toEqual([1024, 4096, 16384, 65536]);
    const cases: Array<[number, number]> = [
      [0, 1024],
      [1023, 1024],
      [1024, 4096],
      [4095, 4096],
      [4096, 16384],
      [16383, 16384],
      [16384, 65536],
      [65535, 65536],
    ];
    for (const [n, bucket] of cases) expect(pad(new Uint8Array(n).fill(0x41)).length, `n=${n}`).toBe(bucket);
    expect(() => pad(new Uint8Array(65536))).toThrow(NarrativeTooLargeError);
  });

  it('unpad rejects wrong lengths and tampered padding', () => {
    const good = pad(Uint8Array.of(1, 2, 3));
    expect(() => unpad(good.subarray(0, 1000))).toThrow(PaddingError);
    expect(() => unpad(new Uint8Array(2048))).toThrow(PaddingError);
    expect(() => unpad(new Uint8Array(1024))).toThrow(PaddingError); // all zeros: no marker
    const wrongMarker = good.slice();
    wrongMarker[3] = 0x81;
    expect(() => unpad(wrongMarker)).toThrow(PaddingError);
    const noMarkerTrailing = good.slice();
    noMarkerTrailing[1023] = 1;
    expect(() => unpad(noMarkerTrailing)).toThrow(PaddingError);
    const zeroMarker = good.slice();
    zeroMarker[3] = 0; // marker removed: last non-zero byte is now 3
    expect(() => unpad(zeroMarker)).toThrow(PaddingError);
  });
});

describe('sealNarrative / openNarrative', () => {
  const steward = () => generateSealKeyPair();
  const spanish = fc.constantFrom(
    'Mataron a una compañera trans en Jesús María; la encontraron en el río.',
    'Desaparecida desde el 3 de marzo, Pucallpa. Último contacto: "voy a la avenida".',
    '¿Dónde está? Ñandú, pingüino, acción, corazón — €, «comillas», 🌸🏳️‍⚧️',
  );
  const texts = fc.oneof(fc.string({ unit: 'binary', maxLength: 3000 }), fc.string({ unit: 'grapheme', maxLength: 500 }), spanish);

  it('round-trips random text (including multi-byte Spanish) at exactly the bucket sizes', () => {
    const k = steward();
    fc.assert(
      fc.property(texts, (text) => {
        const sealed = sealNarrative(text, k.publicKey);
        const bytes = fromBase64(sealed);
        expect(bytes.length).toBe(bucketFor(utf8Length(text)) + 48);
        expect(SEALED_SIZES).toContain(sealed.length);
        expect(isPlausibleSealedNarrative(sealed)).toBe(true);
        expect(openNarrative(sealed, k.publicKey, k.secretKey)).toBe(text);
      }),
      { numRuns: 80 },
    );
  });

  it('SEALED_SIZES are exactly base64(bucket + crypto_box_SEALBYTES)', () => {
    expect(sodium().crypto_box_SEALBYTES).toBe(48);
    expect(SEALED_SIZES).toEqual(PAD_BUCKETS.map((b) => Buffer.alloc(b + 48).toString('base64').length));
    expect(SEALED_SIZES).toEqual([1432, 5528, 21912, 87448]);
    const k = steward();
    const lengths = ['', 'a'.repeat(1023), 'a'.repeat(1024), 'ñ'.repeat(2047), 'ñ'.repeat(2048), 'a'.repeat(65535)].map(
      (t) => sealNarrative(t, k.publicKey).length,
    );
    expect(lengths).toEqual([1432, 1432, 5528, 5528, 21912, 87448]);
  });

  it('refuses narratives over 64 KiB (counted in UTF-8 bytes)', () => {
    const k = steward();
    expect(() => sealNarrative('a'.repeat(65536), k.publicKey)).toThrow(NarrativeTooLargeError);
    expect(() => sealNarrative('ñ'.repeat(32768), k.publicKey)).toThrow(NarrativeTooLargeError); // 65536 bytes
    expect(openNarrative(sealNarrative(`${'ñ'.repeat(32767)}a`, k.publicKey), k.publicKey, k.secretKey)).toHaveLength(32768);
  });

  it('is randomised: the same text seals differently every time', () => {
    const k = steward();
    expect(sealNarrative('igual', k.publicKey)).not.toBe(sealNarrative('igual', k.publicKey));
  });

  it('refuses the wrong key, tampering and truncation', () => {
    const k = steward();
    const other = steward();
    const sealed = sealNarrative('secreto', k.publicKey);
    expect(() => openNarrative(sealed, other.publicKey, other.secretKey)).toThrow(SealedNarrativeError);
    const bytes = fromBase64(sealed);
    for (const i of [0, 31, 32, 47, 48, 500, bytes.length - 1]) {
      const t = bytes.slice();
      t[i]! ^= 0x01;
      expect(() => openNarrative(toBase64(t), k.publicKey, k.secretKey), `byte ${i}`).toThrow(SealedNarrativeError);
    }
    expect(() => openNarrative(sealed.slice(0, -4), k.publicKey, k.secretKey)).toThrow(SealedNarrativeError);
    expect(() => openNarrative(sealed, k.publicKey, 'short')).toThrow();
  });

  it('refuses a sealed box whose padding was tampered with before sealing', () => {
    const k = steward();
    const badPadding = new Uint8Array(1024).fill(0x41); // no 0x80 marker at all
    const sealed = toBase64(sodium().crypto_box_seal(badPadding, fromBase64(k.publicKey)));
    expect(() => openNarrative(sealed, k.publicKey, k.secretKey)).toThrow(/malformed/);
    const badUtf8 = pad(Uint8Array.of(0xff, 0xfe));
    const sealed2 = toBase64(sodium().crypto_box_seal(badUtf8, fromBase64(k.publicKey)));
    expect(() => openNarrative(sealed2, k.publicKey, k.secretKey)).toThrow(SealedNarrativeError);
  });

  it('isPlausibleSealedNarrative refuses anything but a canonical sealed size', () => {
    const k = steward();
    const sealed = sealNarrative('x', k.publicKey);
    expect(isPlausibleSealedNarrative(sealed)).toBe(true);
    expect(isPlausibleSealedNarrative(sealed.slice(0, -4))).toBe(false);
    expect(isPlausibleSealedNarrative(`${sealed.slice(0, -2)}AA`)).toBe(false); // 1074 bytes, not 1072
    expect(isPlausibleSealedNarrative(`${sealed.slice(0, -3)}!==`)).toBe(false);
    expect(isPlausibleSealedNarrative(Buffer.alloc(1000).toString('base64'))).toBe(false);
    expect(isPlausibleSealedNarrative(Buffer.alloc(1072).toString('base64'))).toBe(true); // shape only
    expect(isPlausibleSealedNarrative(42)).toBe(false);
    expect(isPlausibleSealedNarrative('x'.repeat(1432))).toBe(false);
  });

  it('isPlausibleSealedNarrative agrees with a strict decode on every ending of every sealed size', () => {
    // The reference: strict base64 decoding, then the byte length must be a bucket + 48.
    const reference = (s: string) => {
      const i = SEALED_SIZES.indexOf(s.length);
      if (i < 0 || !/^[A-Za-z0-9+/]*={0,2}$/.test(s)) return false;
      try {
        return fromBase64(s).length === PAD_BUCKETS[i]! + 48;
      } catch {
        return false;
      }
    };
    const chars = ['A', 'B', 'D', 'Q', 'g', 'w', '/', '+', '=', '!', 'é'];
    let accepted = 0;
    let checked = 0;
    for (const size of SEALED_SIZES) {
      const body = Buffer.alloc(size)
        .fill(7)
        .toString('base64')
        .slice(0, size - 4);
      for (const a of chars)
        for (const b of chars)
          for (const c of chars)
            for (const d of chars) {
              const s = body + a + b + c + d;
              const want = reference(s);
              if (isPlausibleSealedNarrative(s) !== want) throw new Error(`disagree on …${a}${b}${c}${d} (size ${size})`);
              if (want) accepted++;
              checked++;
            }
    }
    expect(checked).toBe(SEALED_SIZES.length * chars.length ** 4);
    expect(accepted).toBeGreaterThan(0); // some endings are valid (e.g. "AA==" after a full group)
  });
});
