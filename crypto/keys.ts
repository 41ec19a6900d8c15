// keys.ts — key generation, fingerprints, and the versioned key-file format.
//
// Guarantees:
// - `generateSigningKeyPair` makes an Ed25519 pair (public 32 bytes, secret 64 bytes in
//   libsodium's seed||public form); `generateSealKeyPair` an X25519 pair (32/32) for
//   crypto_box_seal. Both base64 (standard, padded). Both require `await ready()`.
// - `keyFingerprint(pub)` = first 32 hex chars (128 bits) of SHA-256 of the RAW public key bytes;
//   it throws on a key that is not valid base64. No initialisation needed.
// - `parseKeyFile` accepts only a well-formed version-1 key file: known fields only, a known role,
//   keys of the right lengths, and each secret key matching its public key (so a file cannot pair
//   one organisation's public key with another's secret). It requires `await ready()` (the X25519
//   consistency check uses libsodium). Errors name the offending field, never its value, so secret
//   material cannot leak into logs.
// - `serializeKeyFile` validates the same way and writes stable, pretty JSON (fixed field order).
// - `isUsableSigningPublicKey(pub)` is true only for 32 bytes that encode a point on the curve, in
//   the prime-order subgroup and not of small order (libsodium's own checks, through
//   crypto_sign_ed25519_pk_to_curve25519). A small-order key would let anyone forge signatures
//   that some verifiers accept, so the server refuses such keys at enrolment. Never throws;
//   requires `await ready()`.
// - `publicPart` returns the same file with every secret key removed; the result is itself a valid
//   key file (a public key file).
import { z } from 'zod';
import { EncodingError, bytesEqual, fromBase64, toBase64 } from './encoding.js';
import { sha256Hex } from './hash.js';
import { sodium } from './sodium.js';

export interface KeyPair {
  publicKey: string;
  secretKey: string;
}

/** New Ed25519 signing key pair (base64). Requires `await ready()`. */
export function generateSigningKeyPair(): KeyPair {
  const kp = sodium().crypto_sign_keypair();
  return { publicKey: toBase64(kp.publicKey), secretKey: toBase64(kp.privateKey) };
}

/** New X25519 key pair for crypto_box_seal (base64). Requires `await ready()`. */
export function generateSealKeyPair(): KeyPair {
  const kp = sodium().crypto_box_keypair();
  return { publicKey: toBase64(kp.publicKey), secretKey: toBase64(kp.privateKey) };
}

/** Whether a base64 Ed25519 public key is a usable one (see header). Never throws. */
export function isUsableSigningPublicKey(publicKeyB64: string): boolean {
  try {
    const raw = fromBase64(publicKeyB64);
    if (raw.length !== 32) return false;
    sodium().crypto_sign_ed25519_pk_to_curve25519(raw); // throws on an invalid or small-order point
    return true;
  } catch {
    return false;
  }
}

/** First 32 hex characters of SHA-256 of the raw public key. */
export function keyFingerprint(publicKeyB64: string): string {
  const raw = fromBase64(publicKeyB64);
  if (raw.length !== 32) throw new EncodingError('public key must be 32 bytes');
  return sha256Hex(raw).slice(0, 32);
}

// --- key files -----------------------------------------------------------------------------------

export const KEY_FILE_KIND = 'contamos-key';
export const KEY_FILE_VERSION = 1;
export const KEY_ROLES = ['steward', 'publisher', 'member', 'server'] as const;
export type KeyRole = (typeof KEY_ROLES)[number];

/** A key id: what goes into `keyid` of a request signature and `keyId` of a receipt. */
export const KEY_ID_PATTERN = /^[A-Za-z0-9._~:+/=-]{1,200}$/;

/** A key file. In a public key file (see `publicPart`) the `secretKey`s are absent. */
export interface KeyFile {
  kind: 'contamos-key';
  version: 1;
  role: KeyRole;
  keyId?: string;
  signing?: { publicKey: string; secretKey?: string };
  seal?: { publicKey: string; secretKey?: string };
}

/** A key file whose present parts all carry their secret key. */
export interface SecretKeyFile extends KeyFile {
  signing?: KeyPair;
  seal?: KeyPair;
}

export class KeyFileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'KeyFileError';
  }
}

function decodedLength(b64: string): number | null {
  try {
    return fromBase64(b64).length;
  } catch {
    return null;
  }
}

const b64Key = (bytes: number) => z.string().refine((s) => decodedLength(s) === bytes, { message: `must be ${bytes} bytes, base64` });

const keyFileSchema = z
  .strictObject({
    kind: z.literal(KEY_FILE_KIND),
    version: z.literal(KEY_FILE_VERSION),
    role: z.enum(KEY_ROLES),
    keyId: z.string().regex(KEY_ID_PATTERN).optional(),
    signing: z.strictObject({ publicKey: b64Key(32), secretKey: b64Key(64).optional() }).optional(),
    seal: z.strictObject({ publicKey: b64Key(32), secretKey: b64Key(32).optional() }).optional(),
  })
  .superRefine((f, ctx) => {
    if (!f.signing && !f.seal) ctx.addIssue({ code: 'custom', message: 'needs a signing or a seal key', path: [] });
    // Only check consistency once the lengths are known to be right.
    if (f.signing?.secretKey && decodedLength(f.signing.secretKey) === 64 && decodedLength(f.signing.publicKey) === 32) {
      // libsodium's Ed25519 secret key is seed || public key.
      const sk = fromBase64(f.signing.secretKey);
      if (!bytesEqual(sk.subarray(32), fromBase64(f.signing.publicKey))) {
        ctx.addIssue({ code: 'custom', message: 'secret key does not match public key', path: ['signing', 'secretKey'] });
      }
    }
    if (f.seal?.secretKey && decodedLength(f.seal.secretKey) === 32 && decodedLength(f.seal.publicKey) === 32) {
      const pk = sodium().crypto_scalarmult_base(fromBase64(f.seal.secretKey));
      if (!bytesEqual(pk, fromBase64(f.seal.publicKey))) {
        ctx.addIssue({ code: 'custom', message: 'secret key does not match public key', path: ['seal', 'secretKey'] });
      }
    }
  });

function validate(value: unknown): KeyFile {
  const r = keyFileSchema.safeParse(value);
  if (!r.success) {
    // Name the fields, never echo values (they may be secret keys).
    const where = r.error.issues.map((i) => `${i.path.length ? i.path.join('.') : '(file)'}: ${i.code === 'custom' ? i.message : i.code}`);
    throw new KeyFileError(`invalid key file: ${where.join('; ')}`);
  }
  // Rebuild with a fixed field order and without optional fields that are absent.
  const f = r.data;
  const out: KeyFile = { kind: f.kind, version: f.version, role: f.role };
  if (f.keyId !== undefined) out.keyId = f.keyId;
  if (f.signing)
    out.signing = f.signing.secretKey === undefined ? { publicKey: f.signing.publicKey } : { publicKey: f.signing.publicKey, secretKey: f.signing.secretKey };
  if (f.seal) out.seal = f.seal.secretKey === undefined ? { publicKey: f.seal.publicKey } : { publicKey: f.seal.publicKey, secretKey: f.seal.secretKey };
  return out;
}

/** Validates and writes a key file as pretty JSON with a trailing newline. Requires `ready()`. */
export function serializeKeyFile(file: KeyFile): string {
  return JSON.stringify(validate(file), null, 2) + '\n';
}

/** Parses and validates a key file; throws `KeyFileError`. Requires `await ready()`. */
export function parseKeyFile(text: string): KeyFile {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new KeyFileError('invalid key file: not JSON');
  }
  return validate(json);
}

/** The key file without any secret key (a public key file). */
export function publicPart(file: KeyFile): KeyFile {
  const out: KeyFile = { kind: file.kind, version: file.version, role: file.role };
  if (file.keyId !== undefined) out.keyId = file.keyId;
  if (file.signing) out.signing = { publicKey: file.signing.publicKey };
  if (file.seal) out.seal = { publicKey: file.seal.publicKey };
  return out;
}

/** True when every key present in the file carries its secret half. */
export function hasSecretKeys(file: KeyFile): file is SecretKeyFile {
  return (!file.signing || file.signing.secretKey !== undefined) && (!file.seal || file.seal.secretKey !== undefined);
}
