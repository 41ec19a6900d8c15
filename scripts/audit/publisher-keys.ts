// publisher-keys.ts — which publisher keys the signatures are checked against: the ones pinned with
// `--publisher-key` or, without it, the ones the server's key document lists.
//
// Guarantees:
// - `--publisher-key` takes a key file (a contamos key file; its signing public key and keyId are
//   used), a file holding a base64 public key, or the base64 public key itself; anything that is not
//   a usable 32-byte Ed25519 public key is refused with a UsageError before anything is read.
// - With pinned keys, a signature counts only if it verifies under a pinned key: the key document
//   downloaded from the server is NOT trusted for signatures (a server that swapped its key document
//   cannot make its own releases pass). A pinned key with a keyId is used only for signatures naming
//   that keyId; a bare base64 key for any keyId.
// - Without pinned keys, the key named by `signature.keyId` in the key document is used.
// Requires `await ready()`.
import { existsSync, readFileSync } from 'node:fs';
import { isUsableSigningPublicKey, parseKeyFile } from '../../crypto/index.js';
import { UsageError } from './errors.js';

export interface PinnedKey {
  /** Where it came from (a file path, or "argument N"). */
  origin: string;
  keyId: string | null;
  publicKey: string;
}

/** Reads one `--publisher-key` value (a file, or a base64 key). */
export function readPinnedKey(value: string, position: number): PinnedKey {
  let text = value.trim();
  let origin = `argument ${position}`;
  if (existsSync(value)) {
    origin = value;
    text = readFileSync(value, 'utf8').trim();
    if (text.startsWith('{')) {
      let file;
      try {
        file = parseKeyFile(text);
      } catch (e) {
        throw new UsageError(`--publisher-key ${value}: not a key file (${e instanceof Error ? e.message : String(e)})`);
      }
      if (!file.signing) throw new UsageError(`--publisher-key ${value}: the key file has no signing key`);
      return { origin, keyId: file.keyId ?? null, publicKey: file.signing.publicKey };
    }
  }
  if (!/^[A-Za-z0-9+/]{43}=$/.test(text) || !isUsableSigningPublicKey(text)) {
    throw new UsageError(`--publisher-key ${origin === value ? value : `#${position}`}: not an Ed25519 public key (base64 of 32 bytes) nor a key file`);
  }
  return { origin, keyId: null, publicKey: text };
}

/** The public keys a signature naming `keyId` may verify under. */
export function candidateKeys(keyId: string, pinned: readonly PinnedKey[], published: ReadonlyArray<{ keyId: string; publicKey: string }>): string[] {
  if (pinned.length > 0) return pinned.filter((p) => p.keyId === null || p.keyId === keyId).map((p) => p.publicKey);
  return published.filter((p) => p.keyId === keyId).map((p) => p.publicKey);
}
