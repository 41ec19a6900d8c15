// vault.ts — what the submission page keeps on this device for one organisation between visits:
// the draft being typed, a send whose answer never came (its report id and sealed body), and the
// receipts received. All of it encrypted under a key derived from the organisation's secret
// signing key, so it is readable only after that organisation's key is loaded again.
//
// Guarantees:
// - Nothing is ever stored in clear: the content is JSON encrypted with libsodium's secretbox
//   (XSalsa20-Poly1305, a fresh random nonce per write) under HMAC-SHA-256(seed, "…/key"), where
//   seed is the first half of the organisation's Ed25519 secret key; the storage entry's NAME is
//   HMAC-SHA-256(seed, "…/slot") too, so without the key the storage shows neither the contents
//   nor which organisation (key id, public key) they belong to, and two organisations using one
//   browser never see each other's entries.
// - The plaintext is padded with spaces to a multiple of 4 KiB before encryption, so the entry's
//   size tells little about the narrative's length.
// - `read` returns `{}` for a missing, altered or foreign entry (Poly1305 authentication), never
//   throws; `write` returns false when the browser refuses to store (private mode, quota), so the
//   page can say so; `clear` removes the entry.
// - The secret key itself is never stored (it stays in the page's memory, see enviar.ts).
import { fromBase64, hmacSha256, toBase64, toHex, utf8Decode, utf8Encode } from '../../crypto/index.js';

export interface Draft {
  /** Form control values by field name, narrative and dedupe details included. */
  fields: Record<string, string>;
  /** The report this draft amends, if any. */
  amending: string | null;
}

export interface PendingSend {
  /** The report id chosen for this send: every retry uses it. */
  id: string;
  /** The exact JSON body sent (narrative already sealed). */
  text: string;
  amending: string | null;
}

export interface StoredReceipt {
  reportId: string;
  reportHash: string;
  keyId: string;
  signature: string;
}

export interface VaultContent {
  draft?: Draft;
  pending?: PendingSend;
  receipts?: StoredReceipt[];
}

export interface StorageLike {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
}

/** The part of libsodium the vault uses. */
export interface SecretboxSodium {
  crypto_secretbox_easy(message: Uint8Array, nonce: Uint8Array, key: Uint8Array): Uint8Array;
  crypto_secretbox_open_easy(ciphertext: Uint8Array, nonce: Uint8Array, key: Uint8Array): Uint8Array;
  crypto_secretbox_NONCEBYTES: number;
  randombytes_buf(n: number): Uint8Array;
}

const LABEL = 'contamos-device-vault-v1';
export const ENTRY_PREFIX = 'contamos-v1-';
const PAD_TO = 4096;
/** Receipts kept at most (the oldest are dropped; the CLI and downloads keep them all). */
export const MAX_RECEIPTS = 1000;

export class DeviceVault {
  private constructor(
    private readonly sodium: SecretboxSodium,
    private readonly key: Uint8Array,
    readonly entry: string,
    private readonly storage: StorageLike | null,
  ) {}

  /** The vault of the organisation whose Ed25519 secret key (base64, 64 bytes) is given. */
  static open(sodium: SecretboxSodium, signingSecretKey: string, storage: StorageLike | null): DeviceVault {
    const seed = fromBase64(signingSecretKey).slice(0, 32);
    const key = hmacSha256(seed, `${LABEL}/key`);
    const entry = ENTRY_PREFIX + toHex(hmacSha256(seed, `${LABEL}/slot`)).slice(0, 32);
    seed.fill(0);
    return new DeviceVault(sodium, key, entry, storage);
  }

  read(): VaultContent {
    try {
      const raw = this.storage?.getItem(this.entry);
      if (!raw) return {};
      const { n, c } = JSON.parse(raw) as { n: string; c: string };
      const plain = this.sodium.crypto_secretbox_open_easy(fromBase64(c), fromBase64(n), this.key);
      const value = JSON.parse(utf8Decode(plain)) as unknown;
      return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as VaultContent) : {};
    } catch {
      return {};
    }
  }

  write(content: VaultContent): boolean {
    if (!this.storage) return false;
    const kept: VaultContent = { ...content };
    if (kept.receipts && kept.receipts.length > MAX_RECEIPTS) kept.receipts = kept.receipts.slice(-MAX_RECEIPTS);
    if (!kept.draft && !kept.pending && !kept.receipts?.length) return this.clear();
    let json = JSON.stringify(kept);
    const size = utf8Encode(json).length;
    json += ' '.repeat(Math.ceil((size + 1) / PAD_TO) * PAD_TO - size);
    const nonce = this.sodium.randombytes_buf(this.sodium.crypto_secretbox_NONCEBYTES);
    const box = this.sodium.crypto_secretbox_easy(utf8Encode(json), nonce, this.key);
    try {
      this.storage.setItem(this.entry, JSON.stringify({ n: toBase64(nonce), c: toBase64(box) }));
      return true;
    } catch {
      return false;
    }
  }

  clear(): boolean {
    try {
      this.storage?.removeItem(this.entry);
      return this.storage !== null;
    } catch {
      return false;
    }
  }
}
