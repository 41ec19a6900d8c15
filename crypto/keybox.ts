// keybox.ts — a key file encrypted with a passphrase, so an organisation can keep its key on a
// phone or a USB stick without the file alone being enough to sign in its name. The submission
// page saves this format and the command line opens it (and writes it with `keys --encrypt`).
//
// Format (JSON, version 1):
//   { "kind": "contamos-key-encrypted", "version": 1,
//     "kdf":  { "alg": "argon2id13", "opslimit": 3, "memlimit": 67108864, "salt": "<base64, 16 bytes>" },
//     "box":  { "alg": "xsalsa20poly1305", "nonce": "<base64, 24 bytes>", "ciphertext": "<base64>" } }
// The plaintext is the ordinary key file (crypto/keys.ts, as the CLI writes it), UTF-8. The key
// of the secretbox is libsodium crypto_pwhash (Argon2id v1.3) of the passphrase (Unicode NFC,
// UTF-8) with the recorded salt and limits. Nothing else is in clear: not even the key id.
//
// Guarantees: `lockKeyFile` uses a fresh random salt and nonce every time; `unlockKeyFile`
// returns exactly the key file text that was locked, or throws `WrongPassphraseError` (wrong
// passphrase or altered file: Poly1305 authentication) or `KeyBoxFormatError` (not this format,
// or limits outside what is accepted, so a hostile file cannot make the page allocate gigabytes).
// Requires a libsodium build WITH crypto_pwhash — the standard libsodium-wrappers build has none,
// libsodium-wrappers-sumo does; `canLockKeys(sodium)` says which one is loaded. This module never
// implements a KDF of its own.
import { fromBase64, toBase64, utf8Decode, utf8Encode } from './encoding.js';

export const KEYBOX_KIND = 'contamos-key-encrypted';
export const KEYBOX_VERSION = 1;
/** Argon2id: 3 passes over 64 MiB — slow enough for guessing, light enough for a phone. */
export const DEFAULT_OPSLIMIT = 3;
export const DEFAULT_MEMLIMIT = 64 * 1024 * 1024;
const MAX_OPSLIMIT = 10;
const MAX_MEMLIMIT = 256 * 1024 * 1024;
const MIN_MEMLIMIT = 8 * 1024 * 1024;

export interface KeyBox {
  kind: typeof KEYBOX_KIND;
  version: 1;
  kdf: { alg: 'argon2id13'; opslimit: number; memlimit: number; salt: string };
  box: { alg: 'xsalsa20poly1305'; nonce: string; ciphertext: string };
}

/** The part of libsodium this module needs (present in libsodium-wrappers-sumo). */
export interface PwhashSodium {
  crypto_pwhash?: (keyLength: number, password: Uint8Array, salt: Uint8Array, opsLimit: number, memLimit: number, algorithm: number) => Uint8Array;
  crypto_pwhash_ALG_ARGON2ID13?: number;
  crypto_pwhash_SALTBYTES?: number;
  crypto_secretbox_easy(message: Uint8Array, nonce: Uint8Array, key: Uint8Array): Uint8Array;
  crypto_secretbox_open_easy(ciphertext: Uint8Array, nonce: Uint8Array, key: Uint8Array): Uint8Array;
  crypto_secretbox_NONCEBYTES: number;
  crypto_secretbox_KEYBYTES: number;
  randombytes_buf(n: number): Uint8Array;
}

export class WrongPassphraseError extends Error {
  constructor() {
    super('the passphrase does not open this key file (or the file was altered)');
    this.name = 'WrongPassphraseError';
  }
}

export class KeyBoxFormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'KeyBoxFormatError';
  }
}

/** True when the loaded libsodium build has crypto_pwhash (the sumo build). */
export function canLockKeys(s: PwhashSodium): boolean {
  return typeof s.crypto_pwhash === 'function' && typeof s.crypto_pwhash_ALG_ARGON2ID13 === 'number';
}

/** True for a parsed JSON value that claims to be an encrypted key file. */
export function isKeyBox(value: unknown): boolean {
  return typeof value === 'object' && value !== null && (value as { kind?: unknown }).kind === KEYBOX_KIND;
}

function derive(s: PwhashSodium, passphrase: string, salt: Uint8Array, opslimit: number, memlimit: number): Uint8Array {
  if (!canLockKeys(s)) throw new KeyBoxFormatError('this libsodium build has no crypto_pwhash (use libsodium-wrappers-sumo)');
  return s.crypto_pwhash!(s.crypto_secretbox_KEYBYTES, utf8Encode(passphrase.normalize('NFC')), salt, opslimit, memlimit, s.crypto_pwhash_ALG_ARGON2ID13!);
}

/** Encrypts a key file's text with a passphrase; returns the JSON of the encrypted file. */
export function lockKeyFile(s: PwhashSodium, keyFileText: string, passphrase: string, limits: { opslimit?: number; memlimit?: number } = {}): string {
  if (passphrase.length === 0) throw new TypeError('empty passphrase');
  const opslimit = limits.opslimit ?? DEFAULT_OPSLIMIT;
  const memlimit = limits.memlimit ?? DEFAULT_MEMLIMIT;
  const salt = s.randombytes_buf(s.crypto_pwhash_SALTBYTES ?? 16);
  const nonce = s.randombytes_buf(s.crypto_secretbox_NONCEBYTES);
  const key = derive(s, passphrase, salt, opslimit, memlimit);
  const box: KeyBox = {
    kind: KEYBOX_KIND,
    version: KEYBOX_VERSION,
    kdf: { alg: 'argon2id13', opslimit, memlimit, salt: toBase64(salt) },
    box: { alg: 'xsalsa20poly1305', nonce: toBase64(nonce), ciphertext: toBase64(s.crypto_secretbox_easy(utf8Encode(keyFileText), nonce, key)) },
  };
  key.fill(0);
  return JSON.stringify(box, null, 2) + '\n';
}

function parseBox(value: unknown): KeyBox {
  const v = value as Partial<KeyBox> | null;
  const bad = (what: string) => new KeyBoxFormatError(`not an encrypted Contamos key file: ${what}`);
  if (!v || typeof v !== 'object' || v.kind !== KEYBOX_KIND) throw bad('kind');
  if (v.version !== KEYBOX_VERSION) throw bad('version');
  const { kdf, box } = v;
  if (kdf?.alg !== 'argon2id13' || typeof kdf.salt !== 'string') throw bad('kdf');
  if (!Number.isInteger(kdf.opslimit) || kdf.opslimit < 1 || kdf.opslimit > MAX_OPSLIMIT) throw bad('opslimit');
  if (!Number.isInteger(kdf.memlimit) || kdf.memlimit < MIN_MEMLIMIT || kdf.memlimit > MAX_MEMLIMIT) throw bad('memlimit');
  if (box?.alg !== 'xsalsa20poly1305' || typeof box.nonce !== 'string' || typeof box.ciphertext !== 'string') throw bad('box');
  return v as KeyBox;
}

/** Decrypts an encrypted key file (JSON text or parsed value); returns the key file's text. */
export function unlockKeyFile(s: PwhashSodium, file: string | unknown, passphrase: string): string {
  let value: unknown = file;
  if (typeof file === 'string') {
    try {
      value = JSON.parse(file);
    } catch {
      throw new KeyBoxFormatError('not JSON');
    }
  }
  const b = parseBox(value);
  let salt: Uint8Array;
  let nonce: Uint8Array;
  let ciphertext: Uint8Array;
  try {
    salt = fromBase64(b.kdf.salt);
    nonce = fromBase64(b.box.nonce);
    ciphertext = fromBase64(b.box.ciphertext);
  } catch {
    throw new KeyBoxFormatError('not an encrypted Contamos key file: encoding');
  }
  if (salt.length !== (s.crypto_pwhash_SALTBYTES ?? 16) || nonce.length !== s.crypto_secretbox_NONCEBYTES) {
    throw new KeyBoxFormatError('not an encrypted Contamos key file: sizes');
  }
  const key = derive(s, passphrase, salt, b.kdf.opslimit, b.kdf.memlimit);
  let plain: Uint8Array;
  try {
    plain = s.crypto_secretbox_open_easy(ciphertext, nonce, key);
  } catch {
    throw new WrongPassphraseError();
  } finally {
    key.fill(0);
  }
  try {
    return utf8Decode(plain);
  } finally {
    plain.fill(0);
  }
}
