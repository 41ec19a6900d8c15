// Shapes of release requests and signatures. The published manifest format itself is described in
// docs/release-format.md (and checked by the independent auditor, which does not use this file).
import { z } from 'zod';
import { RELEASE_DIMENSIONS } from '../services/counting.js';

const year = z.number().int().min(1990).max(2100);

export const releaseRequest = z
  .strictObject({
    series: z.string().regex(/^[a-z0-9-]{1,40}$/, 'lowercase letters, digits and dashes, at most 40'),
    filter: z.union([z.strictObject({ year }), z.strictObject({ years: z.array(year).min(1).max(50) })]),
    tables: z.array(z.array(z.enum(RELEASE_DIMENSIONS)).min(1).max(4)).min(1).max(10),
    k: z.number().int().min(2).max(100).default(5),
    method: z.literal('suppression').default('suppression'),
    regionGroups: z.boolean().default(false),
  })
  .superRefine((r, ctx) => {
    r.tables.forEach((t, i) => {
      if (new Set(t).size !== t.length) ctx.addIssue({ code: 'custom', path: ['tables', i], message: 'a dimension appears twice' });
    });
  });

export type ReleaseRequest = z.infer<typeof releaseRequest>;

export const releaseSignature = z.strictObject({
  signature: z.string().regex(/^[A-Za-z0-9+/]{86}==$/, 'a 64-byte Ed25519 signature in base64'),
});

export const releaseId = z.string().regex(/^[a-z0-9-]{1,40}-[1-9][0-9]{0,8}$/, 'not a release id');
export const draftId = z.string().regex(/^[0-9a-f-]{36}$/, 'not a draft id');
