import { runInNewContext } from 'node:vm';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  EncodingError,
  bytesEqual,
  fromBase64,
  fromBase64Url,
  fromHex,
  isBytes,
  toBase64,
  toBase64Url,
  toHex,
  utf8Decode,
  utf8Encode,
} from '../../crypto/index.js';

describe('base64', () => {
  it('matches Node for random bytes and round-trips', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
        const b64 = toBase64(bytes);
        expect(b64).toBe(Buffer.from(bytes).toString('base64'));
        expect(fromBase64(b64)).toEqual(bytes);
        const url = toBase64Url(bytes);
        expect(url).toBe(Buffer.from(bytes).toString('base64url'));
        expect(fromBase64Url(url)).toEqual(bytes);
      }),
    );
  });

  it('encodes large inputs', () => {
    const big = new Uint8Array(100_000).map((_, i) => i * 7);
    expect(toBase64(big)).toBe(Buffer.from(big).toString('base64'));
  });

  it.each([
    ['YQ', 'missing padding'],
    ['YR==', 'non-canonical trailing bits'],
    ['YWI=x', 'bad length'],
    ['YWJ=', 'non-canonical trailing bits (one pad)'],
    ['Y Q==', 'space'],
    ['YQ==\n', 'newline'],
    ['====', 'padding only'],
    ['YQ=A', 'padding in the middle'],
    ['A===', 'three pads'],
    ['ab-_', 'URL-safe alphabet'],
    ['YWé=', 'non-ASCII'],
  ])('fromBase64 rejects %j (%s)', (s) => {
    expect(() => fromBase64(s)).toThrow(EncodingError);
  });

  it.each([['YQ=='], ['a+/b'], ['Y'], ['YR']])('fromBase64Url rejects %j', (s) => {
    expect(() => fromBase64Url(s)).toThrow(EncodingError);
  });

  it('accepts the empty string', () => {
    expect(fromBase64('')).toEqual(new Uint8Array(0));
    expect(fromBase64Url('')).toEqual(new Uint8Array(0));
  });
});

describe('hex', () => {
  it('round-trips and matches Node', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 100 }), (bytes) => {
        expect(toHex(bytes)).toBe(Buffer.from(bytes).toString('hex'));
        expect(fromHex(toHex(bytes))).toEqual(bytes);
        expect(fromHex(toHex(bytes).toUpperCase())).toEqual(bytes);
      }),
    );
  });

  it.each([['abc'], ['zz'], [' 0'], ['0x00'], ['é0']])('fromHex rejects %j', (s) => {
    expect(() => fromHex(s)).toThrow(EncodingError);
  });
});

describe('utf8', () => {
  it('round-trips every well-formed string, including Spanish and emoji', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (s) => {
        const bytes = utf8Encode(s);
        expect(Buffer.from(bytes).toString('utf8')).toBe(s);
        expect(utf8Decode(bytes)).toBe(s);
      }),
    );
    const s = '\uFEFFMataron a una compañera en Jesús María — ¿quién? 🌸';
    expect(utf8Decode(utf8Encode(s))).toBe(s); // the BOM is kept
  });

  it('refuses lone surrogates', () => {
    expect(() => utf8Encode('a\uD800b')).toThrow(EncodingError);
    expect(() => utf8Encode('\uDC00')).toThrow(EncodingError);
  });

  it.each([
    [[0xff]],
    [[0xc0, 0x80]], // overlong NUL
    [[0xed, 0xa0, 0x80]], // encoded surrogate
    [[0xe2, 0x82]], // truncated
  ])('utf8Decode rejects %j', (bytes) => {
    expect(() => utf8Decode(Uint8Array.from(bytes))).toThrow(EncodingError);
  });
});

describe('helpers', () => {
  it('bytesEqual and isBytes', () => {
    expect(bytesEqual(Uint8Array.of(1, 2), Uint8Array.of(1, 2))).toBe(true);
    expect(bytesEqual(Uint8Array.of(1, 2), Uint8Array.of(1, 3))).toBe(false);
    expect(bytesEqual(Uint8Array.of(1), Uint8Array.of(1, 0))).toBe(false);
    expect(isBytes(Buffer.from('x'))).toBe(true);
    expect(isBytes(new Uint16Array(1))).toBe(false);
    expect(isBytes('x')).toBe(false);
  });
});

// One accepted encoding per byte string: a decoder that let a character outside the alphabet
// through (as a digit) would accept a second spelling of a key, a signature or a hash.
describe('strict decoding, from the side of a crafted input', () => {
  // U+0080 is the first code past the 128-entry tables; é and U+FFFF are further out
  const outside = ['\u0080', 'é', '\uffff'];

  it('refuses a character outside the alphabet in every position of a group', () => {
    for (const c of outside) {
      for (const at of [0, 1, 2, 3]) {
        const group = 'AAAA'.slice(0, at) + c + 'AAAA'.slice(at + 1);
        expect(() => fromBase64(group), JSON.stringify(group)).toThrow(/invalid character/);
        expect(() => fromBase64Url(group), JSON.stringify(group)).toThrow(/invalid character/);
      }
      // and in the last, partial group (2 and 3 data characters)
      for (const tail of [`A${c}==`, `${c}A==`, `AA${c}=`]) expect(() => fromBase64(`AAAA${tail}`), tail).toThrow(/invalid character/);
    }
  });

  it('refuses a non-ASCII hex digit in either place of a byte', () => {
    for (const c of outside) for (const s of [`${c}0`, `0${c}`, `00${c}0`, `000${c}`]) expect(() => fromHex(s), JSON.stringify(s)).toThrow(/invalid character/);
  });

  it('refuses an impossible unpadded length for what it is', () => {
    for (const s of ['A', 'AAAAA', 'AAAAAAAAA']) expect(() => fromBase64Url(s), s).toThrow(/base64url: impossible length/);
  });

  it('refuses what is not a string, instead of decoding it to something', () => {
    for (const v of [123, null, undefined, { length: 4 }]) {
      const what = String(v);
      expect(() => fromBase64(v as unknown as string), what).toThrow(/base64: expected a string/);
      expect(() => fromBase64Url(v as unknown as string), what).toThrow(/base64url: expected a string/);
      expect(() => fromHex(v as unknown as string), what).toThrow(/hex: expected a string/);
      expect(() => utf8Encode(v as unknown as string), what).toThrow(/utf8: expected a string/);
    }
  });

  it('refuses to encode what is not bytes (a string would be encoded as zeros or "undefined")', () => {
    for (const v of ['abc', [1, 2, 3], new Uint16Array(3), null]) {
      expect(() => toBase64(v as unknown as Uint8Array), String(v)).toThrow(TypeError);
      expect(() => toBase64Url(v as unknown as Uint8Array), String(v)).toThrow(TypeError);
      expect(() => toHex(v as unknown as Uint8Array), String(v)).toThrow(TypeError);
    }
  });

  it('takes a Uint8Array from another realm (a vm context, an iframe) as bytes, and nothing that only looks like one', () => {
    const foreign = runInNewContext('new Uint8Array([1, 2, 255])') as Uint8Array;
    expect(foreign instanceof Uint8Array).toBe(false);
    expect(isBytes(foreign)).toBe(true);
    expect(toHex(foreign)).toBe('0102ff');
    expect(toBase64(foreign)).toBe('AQL/');
    expect(isBytes(runInNewContext('new Uint16Array(2)'))).toBe(false);
    expect(isBytes({ [Symbol.toStringTag]: 'Uint8Array', length: 0 })).toBe(false);
  });
});
