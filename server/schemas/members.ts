// Shapes of enrolment and invitation requests and answers.
import { z } from 'zod';
import { isUsableSigningPublicKey } from '../../crypto/index.js';
import { memberKeyId } from './steward.js';

export const base64Key32 = z.string().regex(/^[A-Za-z0-9+/]{43}=$/, 'must be a 32-byte key in standard base64');

export const inviteRequest = z.strictObject({
  ttlHours: z
    .number()
    .int()
    .min(1)
    .max(24 * 30)
    .default(72),
  sameOrganisationAs: memberKeyId
    .optional()
    .describe('a key of an enrolled organisation: the new key will be one more key of it (a second device or person), counted as one organisation'),
});

export const inviteResponse = z.object({ invite: z.string(), expiresAt: z.string() });

export const enrolRequest = z.strictObject({
  invite: z.string().min(20).max(200),
  // Refused before the invite is looked at, so a bad key does not use the invite up.
  publicKey: base64Key32.refine(isUsableSigningPublicKey, 'must be an Ed25519 public key: a point on the curve, not of small order'),
});

export const enrolResponse = z.object({ keyId: z.string() });
