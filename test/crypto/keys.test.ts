import { beforeAll, describe, expect, it } from 'vitest';
import {
  type KeyFile,
  KeyFileError,
  fromBase64,
  generateSealKeyPair,
  generateSigningKeyPair,
  hasSecretKeys,
  keyFingerprint,
  parseKeyFile,
  publicPart,
  ready,
  serializeKeyFile,
} from '../../crypto/index.js';
import { nodeSha256Hex } from './helpers.js';

beforeAll(async () => {
  await ready();
});

describe('key generation and fingerprints', () => {
  it('makes Ed25519 and X25519 pairs of the right sizes, fresh each time', () => {
    const s = generateSigningKeyPair();
    expect(fromBase64(s.publicKey)).toHaveLength(32);
    expect(fromBase64(s.secretKey)).toHaveLength(64);
    const b = generateSealKeyPair();
    expect(fromBase64(b.publicKey)).toHaveLength(32);
    expect(fromBase64(b.secretKey)).toHaveLength(32);
    expect(generateSigningKeyPair().publicKey).not.toBe(s.publicKey);
  });

  it('fingerprint = first 32 hex of sha256(raw public key)', () => {
    const { publicKey } = generateSigningKeyPair();
    expect(keyFingerprint(publicKey)).toBe(nodeSha256Hex(Buffer.from(publicKey, 'base64')).slice(0, 32));
    expect(() => keyFingerprint('not-base64')).toThrow();
    expect(() => keyFingerprint(Buffer.alloc(31).toString('base64'))).toThrow();
  });
});

describe('key files', () => {
  const steward = (): KeyFile => ({
    kind: 'contamos-key',
    version: 1,
    role: 'steward',
    keyId: 'steward-0123456789abcdef',
    signing: generateSigningKeyPair(),
    seal: generateSealKeyPair(),
  });

  it('round-trips, with a stable field order', () => {
    const f = steward();
    const text = serializeKeyFile({ seal: f.seal, signing: f.signing, keyId: f.keyId, role: f.role, version: 1, kind: 'contamos-key' });
    expect(text).toBe(serializeKeyFile(f));
    expect(text.endsWith('\n')).toBe(true);
    expect(Object.keys(JSON.parse(text) as object)).toEqual(['kind', 'version', 'role', 'keyId', 'signing', 'seal']);
    expect(parseKeyFile(text)).toEqual(f);
    expect(hasSecretKeys(parseKeyFile(text))).toBe(true);
  });

  it('publicPart strips every secret key and is itself a valid key file', () => {
    const f = steward();
    const pub = publicPart(f);
    expect(pub).toEqual({
      kind: 'contamos-key',
      version: 1,
      role: 'steward',
      keyId: f.keyId,
      signing: { publicKey: f.signing!.publicKey },
      seal: { publicKey: f.seal!.publicKey },
    });
    const text = serializeKeyFile(pub);
    expect(text).not.toContain(f.signing!.secretKey!);
    expect(text).not.toContain(f.seal!.secretKey!);
    expect(parseKeyFile(text)).toEqual(pub);
    expect(hasSecretKeys(pub)).toBe(false);
  });

  it('refuses malformed files without echoing secret values', () => {
    const f = steward();
    const other = steward();
    const cases: Array<[string, unknown]> = [
      ['not json', '{'],
      ['wrong kind', { ...f, kind: 'other' }],
      ['wrong version', { ...f, version: 2 }],
      ['unknown role', { ...f, role: 'admin' }],
      ['unknown field', { ...f, extra: 1 }],
      ['unknown nested field', { ...f, signing: { ...f.signing, note: 'x' } }],
      ['no keys', { kind: 'contamos-key', version: 1, role: 'member' }],
      ['short public key', { ...f, signing: { ...f.signing, publicKey: Buffer.alloc(31).toString('base64') } }],
      ['bad base64', { ...f, seal: { ...f.seal, secretKey: f.seal!.secretKey!.replace(/=$/, '') } }],
      ['signing secret of another key', { ...f, signing: { publicKey: f.signing!.publicKey, secretKey: other.signing!.secretKey } }],
      ['seal secret of another key', { ...f, seal: { publicKey: f.seal!.publicKey, secretKey: other.seal!.secretKey } }],
      ['bad keyId', { ...f, keyId: 'has space' }],
    ];
    for (const [name, value] of cases) {
      const text = typeof value === 'string' ? value : JSON.stringify(value);
      let err: unknown;
      try {
        parseKeyFile(text);
      } catch (e) {
        err = e;
      }
      expect(err, name).toBeInstanceOf(KeyFileError);
      const msg = (err as Error).message;
      for (const secret of [f.signing!.secretKey!, f.seal!.secretKey!, other.signing!.secretKey!, other.seal!.secretKey!]) {
        expect(msg, name).not.toContain(secret);
      }
    }
    expect(() => serializeKeyFile({ ...f, role: 'nobody' } as unknown as KeyFile)).toThrow(KeyFileError);
  });
});
