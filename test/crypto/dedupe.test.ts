import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { dedupeTag, generateDedupeSecret, normaliseDetails, ready } from '../../crypto/index.js';
import { nodeHmacHex } from './helpers.js';

beforeAll(async () => {
  await ready();
});

describe('normaliseDetails', () => {
  it('folds case, accents and whitespace', () => {
    expect(normaliseDetails('  José  PÉREZ ')).toBe('jose perez');
    expect(normaliseDetails('  José  PÉREZ ')).toBe(normaliseDetails('jose perez'));
    expect(normaliseDetails('María\tÁngeles\n\u00A0Ñuñoa')).toBe('maria angeles nunoa');
    expect(normaliseDetails('İSTANBUL')).toBe('istanbul');
    expect(normaliseDetails('ﬁn ２０２３')).toBe('fin 2023'); // NFKD compatibility forms
    expect(normaliseDetails('Jose\u0301')).toBe('jose'); // already decomposed input
  });

  it('is idempotent', () => {
    fc.assert(fc.property(fc.string({ unit: 'binary' }), (s) => normaliseDetails(normaliseDetails(s)) === normaliseDetails(s)));
  });
});

describe('dedupeTag', () => {
  const secret = Buffer.alloc(32, 7).toString('base64');

  it('is HMAC-SHA-256 of the normalised details, 64 lowercase hex', () => {
    const tag = dedupeTag(secret, '  José  PÉREZ ');
    expect(tag).toMatch(/^[0-9a-f]{64}$/);
    expect(tag).toBe(nodeHmacHex(Buffer.alloc(32, 7), 'jose perez'));
    expect(tag).toBe(dedupeTag(secret, 'jose perez'));
  });

  it('differs across secrets and details', () => {
    const other = generateDedupeSecret();
    expect(Buffer.from(other, 'base64')).toHaveLength(32);
    expect(dedupeTag(other, 'jose perez')).not.toBe(dedupeTag(secret, 'jose perez'));
    expect(dedupeTag(secret, 'jose perez lima')).not.toBe(dedupeTag(secret, 'jose perez'));
  });

  it('refuses weak secrets and empty details', () => {
    expect(() => dedupeTag(Buffer.alloc(8).toString('base64'), 'x')).toThrow();
    expect(() => dedupeTag('not base64', 'x')).toThrow();
    expect(() => dedupeTag(secret, ' \t\n ')).toThrow();
  });
});
