// Short receipt codes (crypto/receipt-code.ts): fixed shape, one code per receipt, the same code
// from the same receipt, no confusable letters, and what a person types back is understood.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { normaliseReceiptCode, receiptCode, receiptMessage, sha256 } from '../../crypto/index.js';

const hex64 = fc.uint8Array({ minLength: 32, maxLength: 32 }).map((b) => Buffer.from(b).toString('hex'));
const SHAPE = /^[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}$/;

describe('receiptCode', () => {
  it('is four groups of four Crockford base32 characters, stable, without I, L, O or U', () => {
    fc.assert(
      fc.property(fc.uuid(), hex64, (id, hash) => {
        const code = receiptCode(id, hash);
        expect(code).toMatch(SHAPE);
        expect(code).not.toMatch(/[ILOU]/);
        expect(receiptCode(id, hash)).toBe(code);
        expect(normaliseReceiptCode(code)).toBe(code);
      }),
    );
  });

  it('is the first 80 bits of SHA-256 over the domain and the signed receipt message (known answer)', () => {
    const id = '0b3f5a0e-6c1d-4f9a-8e2b-7c4d5e6f7a8b';
    const hash = 'a'.repeat(64);
    const digest = sha256(`contamos-receipt-code-v1\n${receiptMessage(id, hash)}`);
    let bits = '';
    for (const b of digest.subarray(0, 10)) bits += b.toString(2).padStart(8, '0');
    const alphabet = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
    const chars = bits
      .match(/.{5}/g)!
      .map((c) => alphabet[parseInt(c, 2)])
      .join('');
    expect(receiptCode(id, hash)).toBe(`${chars.slice(0, 4)}-${chars.slice(4, 8)}-${chars.slice(8, 12)}-${chars.slice(12)}`);
  });

  it('differs when the report id or the hash differs (no two of 20,000 receipts share a code)', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 10_000; i++) {
      const hash = Buffer.from(sha256(`r${i}`)).toString('hex');
      seen.add(receiptCode(`id-${i}`, hash));
      seen.add(receiptCode(`id-${i}-b`, hash));
    }
    expect(seen.size).toBe(20_000);
  });

  it('refuses a malformed hash or an empty id', () => {
    expect(() => receiptCode('x', 'A'.repeat(64))).toThrow(TypeError);
    expect(() => receiptCode('x', 'abc')).toThrow(TypeError);
    expect(() => receiptCode('', 'a'.repeat(64))).toThrow(TypeError);
  });

  it('refuses an id that is not a string (a number would otherwise get a code of its own)', () => {
    for (const id of [123, 0, null, undefined, ['id'], { length: 2 }]) {
      expect(() => receiptCode(id as unknown as string, 'a'.repeat(64)), String(id)).toThrow(/reportId must be a non-empty string/);
    }
    expect(() => receiptCode('x', 'abc')).toThrow(/reportHash must be a lowercase 64-hex SHA-256/);
  });
});

describe('normaliseReceiptCode', () => {
  it('understands what a person types: case, spaces, missing dashes, O for 0, I and L for 1', () => {
    expect(normaliseReceiptCode(' 7qkm 2d9x-he4t-owsa ')).toBe('7QKM-2D9X-HE4T-0WSA');
    expect(normaliseReceiptCode('7QKM2D9XHE4T0WSA')).toBe('7QKM-2D9X-HE4T-0WSA');
    expect(normaliseReceiptCode('IlKM-2D9X-HE4T-0WSA')).toBe('11KM-2D9X-HE4T-0WSA');
  });

  it('says null for anything that cannot be a code', () => {
    for (const bad of ['', '7QKM-2D9X-HE4T', '7QKM-2D9X-HE4T-0WSAX', 'UUUU-2D9X-HE4T-0WSA', '7QKM_2D9X_HE4T_0WSA', 42 as unknown as string]) {
      expect(normaliseReceiptCode(bad)).toBeNull();
    }
  });
});
