import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { fromBase64, generateSigningKeyPair, ready, signDetached, toBase64, verifyDetached } from '../../crypto/index.js';
import { nodeEd25519, nodeEd25519Verify } from './helpers.js';

beforeAll(async () => {
  await ready();
});

const flipBit = (b64: string, bit: number): string => {
  const bytes = fromBase64(b64);
  bytes[(bit >> 3) % bytes.length]! ^= 1 << (bit & 7);
  return toBase64(bytes);
};

describe('Ed25519 detached signatures', () => {
  it('sign/verify round trip; node:crypto agrees', () => {
    const kp = generateSigningKeyPair();
    const sig = signDetached('hola', kp.secretKey);
    expect(fromBase64(sig)).toHaveLength(64);
    expect(verifyDetached(sig, 'hola', kp.publicKey)).toBe(true);
    expect(verifyDetached(sig, new TextEncoder().encode('hola'), kp.publicKey)).toBe(true);
    expect(nodeEd25519Verify('hola', sig, nodeEd25519(kp.publicKey).publicKey)).toBe(true);
  });

  it('refuses any flipped bit in the signature, message or key', () => {
    const kp = generateSigningKeyPair();
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 1, maxLength: 200 }), fc.nat(), (msg, bit) => {
        const sig = signDetached(msg, kp.secretKey);
        expect(verifyDetached(flipBit(sig, bit % 512), msg, kp.publicKey)).toBe(false);
        const other = msg.slice();
        other[(bit >> 3) % other.length]! ^= 1 << (bit & 7);
        expect(verifyDetached(sig, other, kp.publicKey)).toBe(false);
        expect(verifyDetached(sig, msg, flipBit(kp.publicKey, bit % 256))).toBe(false);
      }),
      { numRuns: 50 },
    );
  });

  it('verifyDetached never throws on malformed input', () => {
    const kp = generateSigningKeyPair();
    const sig = signDetached('x', kp.secretKey);
    const bad: Array<[unknown, unknown, unknown]> = [
      ['not base64!', 'x', kp.publicKey],
      [sig, 'x', 'nope'],
      [sig.slice(4), 'x', kp.publicKey],
      [sig, 'x', kp.secretKey],
      [null, 'x', kp.publicKey],
      [sig, 42, kp.publicKey],
      [sig, 'x', undefined],
      [sig, 'lone \ud800', kp.publicKey],
    ];
    for (const [s, m, k] of bad) expect(verifyDetached(s as string, m as string, k as string)).toBe(false);
  });

  it('signDetached throws on a malformed secret key', () => {
    const kp = generateSigningKeyPair();
    expect(() => signDetached('x', kp.publicKey)).toThrow();
    expect(() => signDetached('x', 'garbage')).toThrow();
  });
});
