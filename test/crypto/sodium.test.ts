// Runs in its own module graph (vitest isolates files), so libsodium starts uninitialised here.
import { describe, expect, it } from 'vitest';
import { generateSigningKeyPair, ready, sha256Hex } from '../../crypto/index.js';

describe('ready()', () => {
  it('libsodium-backed functions refuse to run before ready(), pure ones do not need it', async () => {
    expect(() => generateSigningKeyPair()).toThrow(/ready\(\)/);
    expect(sha256Hex('abc')).toHaveLength(64);
    const [a, b] = await Promise.all([ready(), ready()]);
    expect(a).toBe(b);
    expect(typeof a.crypto_sign_detached).toBe('function');
    expect(generateSigningKeyPair().publicKey).toHaveLength(44);
  });
});
