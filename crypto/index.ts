// index.ts — the public surface of Contamos's isomorphic crypto module (server, CLI, browser,
// auditor). Import from here, not from the individual files.
//
// Initialisation: call `await ready()` once before any function that uses libsodium (key
// generation, signing/verification, sealing, random nonces/secrets). Hashing, encodings, canonical
// JSON, padding, Merkle trees and dedupe tags are pure TypeScript and work without it.
export { ready, randomBytes, type Sodium } from './sodium.js';
export {
  EncodingError,
  bytesEqual,
  fromBase64,
  isBytes,
  fromBase64Url,
  fromHex,
  toBase64,
  toBase64Url,
  toHex,
  utf8Decode,
  utf8Encode,
} from './encoding.js';
export { CanonicalJsonError, canonicalJson } from './canonical-json.js';
export { hashCanonical, hmacSha256, isSha256Hex, reportHash, sha256, sha256Hex } from './hash.js';
export { setSha256Backend, type Sha256Backend } from './sha256.js';
export {
  KEY_FILE_KIND,
  KEY_FILE_VERSION,
  KEY_ID_PATTERN,
  KEY_ROLES,
  KeyFileError,
  generateSealKeyPair,
  generateSigningKeyPair,
  hasSecretKeys,
  isUsableSigningPublicKey,
  keyFingerprint,
  parseKeyFile,
  publicPart,
  serializeKeyFile,
  type KeyFile,
  type KeyPair,
  type KeyRole,
  type SecretKeyFile,
} from './keys.js';
export {
  SIGNATURE_BYTES,
  SIGNING_PUBLIC_KEY_BYTES,
  SIGNING_SECRET_KEY_BYTES,
  setEd25519Backend,
  signDetached,
  verifyDetached,
  verifyDetachedBytes,
  type Ed25519Backend,
} from './sign.js';
export { MAX_NARRATIVE_BYTES, NarrativeTooLargeError, PAD_BUCKETS, PaddingError, pad, unpad } from './pad.js';
export {
  SEALED_SIZES,
  SEAL_OVERHEAD_BYTES,
  SealedNarrativeError,
  isPlausibleSealedNarrative,
  openNarrative,
  sealNarrative,
} from './seal.js';
export { DEDUPE_SECRET_MIN_BYTES, dedupeTag, generateDedupeSecret, normaliseDetails } from './dedupe.js';
export { MERKLE_SCHEME, MerkleTree, buildMerkleTree, inclusionProof, merkleRoot, verifyInclusion, type InclusionProof } from './merkle.js';
export { RECEIPT_TYPE, receiptMessage, signReceipt, verifyReceipt, type Receipt } from './receipt.js';
export { normaliseReceiptCode, receiptCode } from './receipt-code.js';
export {
  DEFAULT_MEMLIMIT,
  DEFAULT_OPSLIMIT,
  KEYBOX_KIND,
  KEYBOX_VERSION,
  KeyBoxFormatError,
  WrongPassphraseError,
  canLockKeys,
  isKeyBox,
  lockKeyFile,
  unlockKeyFile,
  type KeyBox,
  type PwhashSodium,
} from './keybox.js';
export {
  DEFAULT_MAX_AGE_SECONDS,
  DEFAULT_MAX_FUTURE_SECONDS,
  SIGNATURE_ALG,
  SIGNATURE_LABEL,
  SignatureError,
  contentDigest,
  signRequest,
  splitTarget,
  verifyRequest,
  type SignableRequest,
  type SignatureErrorCode,
  type SignatureHeaders,
  type VerifiableRequest,
  type VerifiedRequest,
  type VerifyOptions,
} from './http-signature.js';
