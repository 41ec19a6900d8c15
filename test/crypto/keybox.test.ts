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

describe('key box container, from the side of a hostile or damaged file', () => {
  // Each file breaks one rule; it must be refused for that rule (the reason ends the message), and
  // before the costly derivation: the limits are what stop a file from making the page or the CLI
  // spend minutes or gigabytes on Argon2id.
  it('refuses each rule broken alone, for its own reason, without deriving a key', async () => {
    const s = await standIn();
    const good = JSON.parse(lockKeyFile(s, 'k', 'passphrase-123456'));
    const MiB = 1024 * 1024;
    const refusals: Array<[unknown, string]> = [
      ['not json', 'not JSON'],
      [null, 'kind'],
      [[], 'kind'],
      [{ ...good, kind: 'contamos-key' }, 'kind'],
      [{ ...good, version: 2 }, 'version'],
      [{ ...good, version: '1' }, 'version'],
      [{ ...good, kdf: undefined }, 'kdf'],
      [{ ...good, kdf: null }, 'kdf'],
      [{ ...good, kdf: { ...good.kdf, alg: 'scrypt' } }, 'kdf'],
      [{ ...good, kdf: { ...good.kdf, salt: 123 } }, 'kdf'],
      [{ ...good, kdf: { ...good.kdf, opslimit: 0 } }, 'opslimit'],
      [{ ...good, kdf: { ...good.kdf, opslimit: -3 } }, 'opslimit'],
      [{ ...good, kdf: { ...good.kdf, opslimit: 11 } }, 'opslimit'],
      [{ ...good, kdf: { ...good.kdf, opslimit: 1000 } }, 'opslimit'],
      [{ ...good, kdf: { ...good.kdf, opslimit: 2.5 } }, 'opslimit'],
      [{ ...good, kdf: { ...good.kdf, opslimit: '3' } }, 'opslimit'],
      [{ ...good, kdf: { ...good.kdf, memlimit: 8 * MiB - 1 } }, 'memlimit'],
      [{ ...good, kdf: { ...good.kdf, memlimit: 256 * MiB + 1 } }, 'memlimit'],
      [{ ...good, kdf: { ...good.kdf, memlimit: 2 ** 32 } }, 'memlimit'],
      [{ ...good, kdf: { ...good.kdf, memlimit: 64 * MiB + 0.5 } }, 'memlimit'],
      [{ ...good, kdf: { ...good.kdf, memlimit: String(64 * MiB) } }, 'memlimit'],
      [{ ...good, box: undefined }, 'box'],
      [{ ...good, box: { ...good.box, alg: 'aes-256-gcm' } }, 'box'],
      [{ ...good, box: { ...good.box, nonce: 42 } }, 'box'],
      [{ ...good, box: { ...good.box, ciphertext: null } }, 'box'],
      [{ ...good, kdf: { ...good.kdf, salt: 'not base64!' } }, 'encoding'],
      [{ ...good, box: { ...good.box, nonce: 'AAAA' } }, 'sizes'],
      [{ ...good, kdf: { ...good.kdf, salt: Buffer.alloc(8).toString('base64') } }, 'sizes'],
      [{ ...good, kdf: { ...good.kdf, salt: Buffer.alloc(17).toString('base64') } }, 'sizes'],
    ];
    for (const [file, reason] of refusals) {
      let err: unknown;
      try {
        unlockKeyFile(s, file, 'passphrase-123456');
      } catch (e) {
        err = e;
      }
      expect(err, JSON.stringify(file)).toBeInstanceOf(KeyBoxFormatError);
      expect((err as Error).message, JSON.stringify(file)).toMatch(new RegExp(`(^|: )${reason}$`));
    }
    expect(s.calls).toHaveLength(1); // the lock above; no refused file reached the derivation
  });

  it('accepts the limits at both ends of the accepted range (and derives with exactly them)', async () => {
    const s = await standIn();
    const MiB = 1024 * 1024;
    for (const [opslimit, memlimit] of [
      [1, 8 * MiB],
      [10, 256 * MiB],
    ] as const) {
      const box = lockKeyFile(s, 'k', 'passphrase-123456', { opslimit, memlimit });
      s.calls.length = 0;
      expect(unlockKeyFile(s, box, 'passphrase-123456')).toBe('k');
      expect(s.calls).toEqual([[32, opslimit, memlimit]]);
    }
  });

  it('refuses to lock with an empty passphrase (the file would open for anyone)', async () => {
    const s = await standIn();
    expect(() => lockKeyFile(s, 'k', '')).toThrow(TypeError);
    expect(s.calls).toHaveLength(0);
  });

  it('wipes the derived key and the decrypted bytes once used, on success and on a wrong passphrase', async () => {
    const s = await standIn();
    const keys: Uint8Array[] = [];
    const plains: Uint8Array[] = [];
    const derive = s.crypto_pwhash!;
    const open = s.crypto_secretbox_open_easy;
    const watched = Object.assign(Object.create(s) as PwhashSodium, {
      crypto_pwhash: (...a: Parameters<typeof derive>) => {
        const k = derive(...a);
        keys.push(k);
        return k;
      },
      crypto_secretbox_open_easy: (c: Uint8Array, n: Uint8Array, k: Uint8Array) => {
        const p = open(c, n, k);
        plains.push(p);
        return p;
      },
    });
    const box = lockKeyFile(watched, 'secret key file', 'right passphrase!');
    expect(unlockKeyFile(watched, box, 'right passphrase!')).toBe('secret key file');
    expect(() => unlockKeyFile(watched, box, 'wrong passphrase!')).toThrow(WrongPassphraseError);
    expect(keys).toHaveLength(3); // lock, unlock, failed unlock
    expect(plains).toHaveLength(1);
    for (const b of [...keys, ...plains]) expect([...b].every((x) => x === 0)).toBe(true);
  });

  it('works with a build that does not state its salt size (16 bytes, as libsodium)', async () => {
    const s = await standIn();
    const noSaltSize = Object.assign(Object.create(s) as PwhashSodium, { crypto_pwhash_SALTBYTES: undefined });
    const box = lockKeyFile(noSaltSize, 'k', 'passphrase-123456');
    expect(Buffer.from(JSON.parse(box).kdf.salt, 'base64')).toHaveLength(16);
    expect(unlockKeyFile(noSaltSize, box, 'passphrase-123456')).toBe('k');
  });

  it('isKeyBox and canLockKeys say yes only when everything they check is there', () => {
    for (const v of [null, undefined, 'contamos-key-encrypted', 0, [], { kind: 'contamos-key' }, {}]) expect(isKeyBox(v), String(v)).toBe(false);
    expect(isKeyBox({ kind: KEYBOX_KIND })).toBe(true);
    const base = libsodium as unknown as PwhashSodium;
    const fn = () => new Uint8Array(32);
    expect(canLockKeys({ ...base, crypto_pwhash: fn, crypto_pwhash_ALG_ARGON2ID13: 2 })).toBe(true);
    expect(canLockKeys({ ...base, crypto_pwhash: fn })).toBe(false);
    expect(canLockKeys({ ...base, crypto_pwhash_ALG_ARGON2ID13: 2 })).toBe(false);
    expect(canLockKeys({ ...base, crypto_pwhash: fn, crypto_pwhash_ALG_ARGON2ID13: '2' as unknown as number })).toBe(false);
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
