// Passphrase-encrypted key files (crypto/keybox.ts). With libsodium-wrappers-sumo installed the
// round trip runs with the real Argon2id; without it, the container logic (format, secretbox,
// limits, errors) is checked with a stand-in derivation that exists only in this test, and the
// standard build is confirmed to have no crypto_pwhash (so the page offers no encryption).
import { describe, expect, it } from 'vitest';
import libsodium from 'libsodium-wrappers';
import {
  KEYBOX_KIND,
  KeyBoxFormatError,
  type PwhashSodium,
  WrongPassphraseError,
  canLockKeys,
  generateSigningKeyPair,
  hmacSha256,
  isKeyBox,
  lockKeyFile,
  ready,
  serializeKeyFile,
  unlockKeyFile,
  utf8Encode,
} from '../../crypto/index.js';
import { hasSumo } from '../../server/web/bundle.js';

async function keyFileText(): Promise<string> {
  await ready();
  return serializeKeyFile({ kind: 'contamos-key', version: 1, role: 'member', keyId: 'm-AAAAAAAAAAAAAAAA', signing: generateSigningKeyPair() });
}

/** The standard build plus a TEST-ONLY stand-in for crypto_pwhash (never used by the page). */
async function standIn(): Promise<PwhashSodium & { calls: number[][] }> {
  const s = (await ready()) as unknown as PwhashSodium;
  const calls: number[][] = [];
  return Object.assign(Object.create(s) as PwhashSodium, {
    calls,
    crypto_pwhash_ALG_ARGON2ID13: 2,
    crypto_pwhash_SALTBYTES: 16,
    crypto_pwhash: (len: number, pw: Uint8Array, salt: Uint8Array, ops: number, mem: number) => {
      calls.push([len, ops, mem]);
      return hmacSha256(salt, new Uint8Array([...pw, ops, mem & 255])).slice(0, len);
    },
    crypto_secretbox_easy: libsodium.crypto_secretbox_easy,
    crypto_secretbox_open_easy: libsodium.crypto_secretbox_open_easy,
    randombytes_buf: libsodium.randombytes_buf,
    crypto_secretbox_NONCEBYTES: libsodium.crypto_secretbox_NONCEBYTES,
    crypto_secretbox_KEYBYTES: libsodium.crypto_secretbox_KEYBYTES,
  });
}

describe('the standard libsodium build', () => {
  it('has no crypto_pwhash, so key files cannot be passphrase-encrypted with it', async () => {
    const s = (await ready()) as unknown as PwhashSodium;
    expect(canLockKeys(s)).toBe(false);
    expect(() => lockKeyFile(s, 'x', 'a passphrase of words')).toThrow(KeyBoxFormatError);
  });
});

describe('key box container', () => {
  it('round-trips a key file and keeps nothing of it in clear', async () => {
    const s = await standIn();
    const text = await keyFileText();
    const box = lockKeyFile(s, text, 'llama verde sobre el puente');
    const parsed = JSON.parse(box);
    expect(parsed.kind).toBe(KEYBOX_KIND);
    expect(isKeyBox(parsed)).toBe(true);
    expect(parsed.kdf).toMatchObject({ alg: 'argon2id13', opslimit: 3, memlimit: 64 * 1024 * 1024 });
    expect(box).not.toContain('m-AAAAAAAAAAAAAAAA');
    expect(box).not.toContain(JSON.parse(text).signing.secretKey);
    expect(unlockKeyFile(s, box, 'llama verde sobre el puente')).toBe(text);
    expect(unlockKeyFile(s, parsed, 'llama verde sobre el puente')).toBe(text);
    expect(s.calls[0]).toEqual([32, 3, 64 * 1024 * 1024]);
  });

  it('uses a fresh salt and nonce each time', async () => {
    const s = await standIn();
    const a = JSON.parse(lockKeyFile(s, 'same', 'passphrase-123456'));
    const b = JSON.parse(lockKeyFile(s, 'same', 'passphrase-123456'));
    expect(a.kdf.salt).not.toBe(b.kdf.salt);
    expect(a.box.nonce).not.toBe(b.box.nonce);
  });

  it('refuses a wrong passphrase and an altered file with WrongPassphraseError', async () => {
    const s = await standIn();
    const box = JSON.parse(lockKeyFile(s, 'secret key file', 'right passphrase!'));
    expect(() => unlockKeyFile(s, box, 'wrong passphrase!')).toThrow(WrongPassphraseError);
    const ct = Buffer.from(box.box.ciphertext, 'base64');
    ct[0]! ^= 1;
    expect(() => unlockKeyFile(s, { ...box, box: { ...box.box, ciphertext: ct.toString('base64') } }, 'right passphrase!')).toThrow(WrongPassphraseError);
  });

  it('normalises the passphrase (NFC), so the same words typed on another keyboard open it', async () => {
    const s = await standIn();
    const box = lockKeyFile(s, 'k', 'contraseña de prueba');
    expect(unlockKeyFile(s, box, 'contrasen\u0303a de prueba')).toBe('k');
  });

  it('refuses files that are not this format, or that ask for absurd limits', async () => {
    const s = await standIn();
    const good = JSON.parse(lockKeyFile(s, 'k', 'passphrase-123456'));
    const bad = [
      'not json',
      {},
      { ...good, kind: 'contamos-key' },
      { ...good, version: 2 },
      { ...good, kdf: { ...good.kdf, alg: 'scrypt' } },
      { ...good, kdf: { ...good.kdf, memlimit: 2 ** 32 } },
      { ...good, kdf: { ...good.kdf, opslimit: 1000 } },
      { ...good, box: { ...good.box, nonce: 'AAAA' } },
      { ...good, kdf: { ...good.kdf, salt: 'not base64!' } },
    ];
    for (const b of bad) expect(() => unlockKeyFile(s, b, 'passphrase-123456')).toThrow(KeyBoxFormatError);
    expect(s.calls).toHaveLength(1); // none of the bad files reached the (costly) derivation
  });
});

describe.runIf(hasSumo())('with libsodium-wrappers-sumo (real Argon2id)', () => {
  it('round-trips and refuses a wrong passphrase', async () => {
    const name = 'libsodium-wrappers-sumo';
    const sumo = (await import(name)).default as PwhashSodium & { ready: Promise<void> };
    await sumo.ready;
    expect(canLockKeys(sumo)).toBe(true);
    const text = await keyFileText();
    const box = lockKeyFile(sumo, text, 'llama verde sobre el puente', { opslimit: 2, memlimit: 8 * 1024 * 1024 });
    expect(unlockKeyFile(sumo, box, 'llama verde sobre el puente')).toBe(text);
    expect(() => unlockKeyFile(sumo, box, 'llama roja')).toThrow(WrongPassphraseError);
    expect(utf8Encode(box).length).toBeLessThan(2000);
  });
});
