// Shapes of enrolment and invitation requests and answers.
import { z } from 'zod';

export const base64Key32 = z
  .string()
  .regex(/^[A-Za-z0-9+/]{43}=$/, 'must be a 32-byte key in standard base64');

export const inviteRequest = z.strictObject({
  ttlHours: z.number().int().min(1).max(24 * 30).default(72),
});

export const inviteResponse = z.object({ invite: z.string(), expiresAt: z.string() });

export const enrolRequest = z.strictObject({
  invite: z.string().min(20).max(200),
  publicKey: base64Key32,
});

export const enrolResponse = z.object({ keyId: z.string() });
