// Key files, from the side of someone handing the CLI or the server a doctored one: a secret key
// that does not belong to its public key (signing or seal), a file with no key, and text that is
// not JSON are refused with KeyFileError naming the field, never echoing a key; the public part of
// a file carries no secret key, and hasSecretKeys says exactly whether every key has its secret
// half. Written to kill the mutants StrykerJS found surviving in crypto/keys.ts.
import { beforeAll, describe, expect, it } from 'vitest';
import { KeyFileError, generateSealKeyPair, generateSigningKeyPair, hasSecretKeys, parseKeyFile, publicPart, ready } from '../../crypto/index.js';

let a: ReturnType<typeof generateSigningKeyPair>;
let b: ReturnType<typeof generateSigningKeyPair>;
let sa: ReturnType<typeof generateSealKeyPair>;
let sb: ReturnType<typeof generateSealKeyPair>;
beforeAll(async () => {
  await ready();
  [a, b, sa, sb] = [generateSigningKeyPair(), generateSigningKeyPair(), generateSealKeyPair(), generateSealKeyPair()];
});
const file = (over: Record<string, unknown>) => JSON.stringify({ kind: 'contamos-key', version: 1, role: 'steward', keyId: 'steward-abc', ...over });
const refusal = (text: string) => {
  try {
    parseKeyFile(text);
    return null;
  } catch (e) {
    return e;
  }
};

describe('doctored key files are refused', () => {
  it('accepts matching pairs', () => {
    const f = parseKeyFile(file({ signing: { publicKey: a.publicKey, secretKey: a.secretKey }, seal: { publicKey: sa.publicKey, secretKey: sa.secretKey } }));
    expect(hasSecretKeys(f)).toBe(true);
    expect(f.keyId).toBe('steward-abc');
  });

  it.each([
    ['a signing secret key of another pair', () => ({ signing: { publicKey: a.publicKey, secretKey: b.secretKey } }), 'signing.secretKey'],
    ['a seal secret key of another pair', () => ({ seal: { publicKey: sa.publicKey, secretKey: sb.secretKey } }), 'seal.secretKey'],
    ['no key at all', () => ({}), '(file)'],
  ])('refuses %s, naming the field and never a key', (_what, over, where) => {
    const e = refusal(file(over()));
    expect(e).toBeInstanceOf(KeyFileError);
    expect(String(e)).toContain(where);
    for (const k of [a.secretKey, b.secretKey, sa.secretKey, sb.secretKey]) expect(String(e)).not.toContain(k);
  });

  it('refuses text that is not JSON with KeyFileError', () => {
    expect(refusal('{not json')).toBeInstanceOf(KeyFileError);
    expect(String(refusal('{not json'))).toMatch(/not JSON/);
  });

  it('the public part keeps the public keys and key id and drops every secret key', () => {
    const f = parseKeyFile(file({ signing: { publicKey: a.publicKey, secretKey: a.secretKey }, seal: { publicKey: sa.publicKey, secretKey: sa.secretKey } }));
    const p = publicPart(f);
    expect(p).toEqual({
      kind: 'contamos-key',
      version: 1,
      role: 'steward',
      keyId: 'steward-abc',
      signing: { publicKey: a.publicKey },
      seal: { publicKey: sa.publicKey },
    });
    expect(hasSecretKeys(p)).toBe(false);
    expect(hasSecretKeys(parseKeyFile(file({ signing: { publicKey: a.publicKey, secretKey: a.secretKey }, seal: { publicKey: sa.publicKey } })))).toBe(false);
    expect(hasSecretKeys(parseKeyFile(file({ seal: { publicKey: sa.publicKey, secretKey: sa.secretKey } })))).toBe(true);
    expect(publicPart(parseKeyFile(file({ keyId: undefined, seal: { publicKey: sa.publicKey } })))).toEqual({
      kind: 'contamos-key',
      version: 1,
      role: 'steward',
      seal: { publicKey: sa.publicKey },
    });
  });
});
