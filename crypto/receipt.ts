// receipt.ts — signed submission receipts.
//
// Guarantees:
// - A receipt's `signature` is Ed25519, by the server's receipt key, over the UTF-8 of
//   canonicalJson({ type: 'contamos-receipt', reportId, reportHash }). The `type` field separates
//   receipts from every other thing Contamos signs, so a receipt signature can never be replayed
//   as, say, a release signature.
// - `keyId` names the server key that signed, so a verifier can pick it; it is NOT covered by the
//   signature (verification uses the public key the verifier chose, never one the receipt names).
// - `signReceipt` throws on a malformed reportHash (must be lowercase 64-hex) or key;
//   `verifyReceipt` never throws and is false for anything malformed or altered.
// Both require `await ready()`.
import { canonicalJson } from './canonical-json.js';
import { isSha256Hex } from './hash.js';
import { KEY_ID_PATTERN } from './keys.js';
import { signDetached, verifyDetached } from './sign.js';

export interface Receipt {
  reportId: string;
  reportHash: string;
  keyId: string;
  signature: string;
}

export const RECEIPT_TYPE = 'contamos-receipt';

/** The exact bytes (as a string) a receipt signature covers. */
export function receiptMessage(reportId: string, reportHash: string): string {
  return canonicalJson({ type: RECEIPT_TYPE, reportId, reportHash });
}

/** Signs a receipt for a stored report. Requires `await ready()`. */
export function signReceipt(reportId: string, reportHash: string, serverKey: { keyId: string; secretKey: string }): Receipt {
  if (typeof reportId !== 'string' || reportId.length === 0) throw new TypeError('reportId must be a non-empty string');
  if (!isSha256Hex(reportHash)) throw new TypeError('reportHash must be a lowercase 64-hex SHA-256');
  if (!KEY_ID_PATTERN.test(serverKey.keyId)) throw new TypeError('invalid keyId');
  const signature = signDetached(receiptMessage(reportId, reportHash), serverKey.secretKey);
  return { reportId, reportHash, keyId: serverKey.keyId, signature };
}

/** True iff `receipt` was signed by the holder of `publicKeyB64`. Never throws. */
export function verifyReceipt(receipt: Receipt, publicKeyB64: string): boolean {
  try {
    if (typeof receipt !== 'object' || receipt === null) return false;
    const { reportId, reportHash, signature } = receipt;
    if (typeof reportId !== 'string' || reportId.length === 0 || !isSha256Hex(reportHash) || typeof signature !== 'string') return false;
    return verifyDetached(signature, receiptMessage(reportId, reportHash), publicKeyB64);
  } catch {
    return false;
  }
}
