// Independent reference implementations for the crypto tests, built on node:crypto (tests may use
// Node; the module under test may not). Nothing here is imported by crypto/.
import { createHash, createHmac, createPrivateKey, createPublicKey, sign, verify, type KeyObject } from 'node:crypto';

export const nodeSha256 = (data: Uint8Array | string): Buffer => createHash('sha256').update(data).digest();
export const nodeSha256Hex = (data: Uint8Array | string): string => createHash('sha256').update(data).digest('hex');
export const nodeHmacHex = (key: Uint8Array, data: Uint8Array | string): string => createHmac('sha256', key).update(data).digest('hex');

/** node:crypto KeyObjects for a libsodium Ed25519 pair (public 32 bytes, secret = seed || public). */
export function nodeEd25519(publicKeyB64: string, secretKeyB64?: string): { publicKey: KeyObject; privateKey?: KeyObject } {
  const x = Buffer.from(publicKeyB64, 'base64').toString('base64url');
  const publicKey = createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x }, format: 'jwk' });
  if (!secretKeyB64) return { publicKey };
  const d = Buffer.from(secretKeyB64, 'base64').subarray(0, 32).toString('base64url');
  const privateKey = createPrivateKey({ key: { kty: 'OKP', crv: 'Ed25519', x, d }, format: 'jwk' });
  return { publicKey, privateKey };
}

export const nodeEd25519Verify = (message: string | Uint8Array, sigB64: string, publicKey: KeyObject): boolean =>
  verify(null, typeof message === 'string' ? Buffer.from(message, 'utf8') : message, publicKey, Buffer.from(sigB64, 'base64'));

export const nodeEd25519Sign = (message: string | Uint8Array, privateKey: KeyObject): string =>
  sign(null, typeof message === 'string' ? Buffer.from(message, 'utf8') : message, privateKey).toString('base64');
