// format.ts — the auditor's OWN reading of the published format (docs/release-format.md, version 1).
//
// Guarantees:
// - These schemas are written from the format document alone; nothing here comes from the server's
//   code. They check shape only (types, patterns, ranges); what the values mean is checked by the
//   other modules.
// - Parsing never alters what is hashed or verified: the hash and the signature are computed over
//   the manifest exactly as published (JSON.parse of the envelope), not over a parsed copy, so
//   fields this version of the auditor does not know still count.
// - A cell has `count` a non-negative integer when published, and `count: null` exactly when
//   `suppressed` is true; anything else is refused.
import { z } from 'zod';

const hex64 = z.string().regex(/^[0-9a-f]{64}$/, 'lowercase 64-hex sha256');
const code = z.string().min(1);

export const wellKnownSchema = z.object({
  publishers: z.array(z.object({ keyId: z.string().min(1), publicKey: z.string().min(1) })),
  receipt: z.object({ keyId: z.string().min(1), publicKey: z.string().min(1) }).optional(),
});
export type WellKnown = z.infer<typeof wellKnownSchema>;

export const listingSchema = z.object({
  items: z.array(
    z.object({
      id: z.string().min(1),
      series: z.string(),
      sequence: z.number(),
      hash: z.string(),
      publishedOn: z.string().optional(),
    }),
  ),
});
export type Listing = z.infer<typeof listingSchema>;

export const envelopeSchema = z.object({
  manifest: z.record(z.string(), z.unknown()),
  hash: z.string(),
  signature: z.object({ keyId: z.string(), alg: z.string(), value: z.string() }),
});
export type Envelope = z.infer<typeof envelopeSchema>;

export const cellSchema = z
  .object({
    key: z.record(z.string(), code),
    count: z.number().int().nonnegative().nullable(),
    suppressed: z.boolean(),
  })
  .refine((c) => (c.count === null) === c.suppressed, { message: 'count must be null exactly when suppressed' });
export type Cell = z.infer<typeof cellSchema>;

export const tableSchema = z.object({
  dimensions: z.array(z.string().min(1)).min(1),
  cells: z.array(cellSchema),
});
export type Table = z.infer<typeof tableSchema>;

export const manifestSchema = z.object({
  type: z.literal('contamos-release'),
  formatVersion: z.literal(1),
  id: z.string().min(1),
  series: z.string().regex(/^[a-z0-9-]{1,40}$/),
  sequence: z.number().int().positive(),
  previousHash: hex64.nullable(),
  publishedOn: z.string().regex(/^\d{4}-\d{2}-\d{2}$/),
  taxonomyVersion: z.string(),
  request: z.record(z.string(), z.unknown()),
  method: z.string(),
  /** Suppression releases; a differential-privacy release has a `dp` object instead. */
  k: z.number().int().min(1).optional(),
  protection: z.number().int().nonnegative().optional(),
  dp: z.record(z.string(), z.unknown()).optional(),
  hierarchies: z.record(z.string(), z.record(z.string(), z.array(code))),
  domains: z.record(z.string(), z.array(code)),
  merkle: z.object({ root: hex64, leafCount: z.number().int().nonnegative() }),
  tables: z.array(tableSchema),
});
export type Manifest = z.infer<typeof manifestSchema>;

export const receiptLineSchema = z.object({
  reportId: z.string().min(1),
  reportHash: z.string(),
  keyId: z.string(),
  signature: z.string(),
});
export type ReceiptLine = z.infer<typeof receiptLineSchema>;

export const proofSchema = z.object({
  leaf: z.string(),
  index: z.number().int(),
  treeSize: z.number().int(),
  path: z.array(z.string()),
});
export type Proof = z.infer<typeof proofSchema>;

export const proofLineSchema = z.object({
  releaseId: z.string().min(1),
  reportId: z.string().min(1),
  proof: proofSchema,
});
export type ProofLine = z.infer<typeof proofLineSchema>;

/** A short description of the first problems of a failed parse (paths and messages, no values). */
export function issuesOf(error: z.ZodError, max = 3): string {
  return error.issues
    .slice(0, max)
    .map((i) => `${i.path.length ? i.path.join('.') : '(root)'}: ${i.message}`)
    .join('; ');
}
