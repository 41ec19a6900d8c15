// format.ts — the auditor's OWN reading of the published format (docs/release-format.md, version 2).
//
// Guarantees:
// - These schemas are written from the format document alone; nothing here comes from the server's
//   code. They check shape only (types, patterns, ranges, which fields go with which method); what
//   the values mean is checked by the other modules.
// - Parsing never alters what is hashed or verified: hashes and signatures are computed over the
//   manifest exactly as published (JSON.parse of the envelope), not over a parsed copy, so fields
//   this version of the auditor does not know still count.
// - A version-1 manifest (or any other formatVersion) is refused: version 2 is a different contract.
// - `merkle` holds exactly its scheme and root: a leaf count (the number of reports, which the
//   attacker model keeps unpublished) or any other field there is refused.
// - A cell has `count` a non-negative integer when published, and `count: null` exactly when
//   `suppressed` is true; a suppression manifest carries `k` and `protection` and no `dp`; a DP
//   manifest carries `dp` and neither `k` nor `protection`.
import { z } from 'zod';

const hex64 = z.string().regex(/^[0-9a-f]{64}$/, 'lowercase 64-hex sha256');
const code = z.string().min(1);
/** A rational as the document writes it: "1/2", "0.5", "2", or a JSON number. */
const rational = z.union([z.string().regex(/^\s*\d+(\.\d+)?(\/\d+)?\s*$/, 'a non-negative rational'), z.number().nonnegative()]);

export const keyEntrySchema = z.object({ keyId: z.string().min(1), publicKey: z.string().min(1) });

export const wellKnownSchema = z.object({
  publishers: z.array(keyEntrySchema),
  receipt: keyEntrySchema.optional(),
});
export type WellKnown = z.infer<typeof wellKnownSchema>;

export const signatureSchema = z.object({ keyId: z.string().min(1), alg: z.string(), value: z.string().min(1) });
export type Signature = z.infer<typeof signatureSchema>;

/** `GET /api/v1/publications`: the publication log. */
export const logListingSchema = z.object({
  items: z.array(
    z.object({
      index: z.number().int().positive(),
      id: z.string().min(1),
      series: z.string(),
      sequence: z.number().int(),
      kind: z.enum(['release', 'draft']),
      hash: z.string(),
    }),
  ),
});
export type LogListing = z.infer<typeof logListingSchema>;

/** `GET /api/v1/publications/:index`. */
export const logEntrySchema = z.object({
  manifest: z.record(z.string(), z.unknown()),
  hash: z.string(),
  signature: signatureSchema.nullable(),
});
export type LogEntryEnvelope = z.infer<typeof logEntrySchema>;

/** `GET /api/v1/releases`: the signed releases. */
export const releaseListingSchema = z.object({
  items: z.array(
    z.object({
      id: z.string().min(1),
      series: z.string(),
      sequence: z.number().int(),
      hash: z.string(),
      publishedOn: z.string().optional(),
      index: z.number().int().positive(),
    }),
  ),
});
export type ReleaseListing = z.infer<typeof releaseListingSchema>;

/** `GET /api/v1/releases/:id`. */
export const releaseEnvelopeSchema = z.object({
  manifest: z.record(z.string(), z.unknown()),
  hash: z.string(),
  signature: signatureSchema,
});
export type ReleaseEnvelope = z.infer<typeof releaseEnvelopeSchema>;

export const cellSchema = z
  .object({
    key: z.record(z.string(), code),
    count: z.number().int().nonnegative().nullable(),
    suppressed: z.boolean(),
    errorMargin90: z.number().nonnegative().optional(),
  })
  .refine((c) => (c.count === null) === c.suppressed, { message: 'count must be null exactly when suppressed' });

export const tableSchema = z.object({
  dimensions: z.array(z.string().min(1)).min(1),
  cells: z.array(cellSchema),
});

export const dataEntrySchema = z.object({
  year: z.number().int().min(1900).max(9999),
  version: z.number().int().positive(),
  since: z.enum(['additions', 'changes']).nullable(),
  heldBack: z.boolean(),
});

export const dpSchema = z.object({
  mechanism: z.enum(['discrete-gaussian', 'discrete-laplace']),
  rho: rational.optional(),
  epsilon: rational.optional(),
  sigma2: z.number().positive().optional(),
  scale: z.number().positive().optional(),
  m: z.number().int().positive(),
  keepTotal: z.boolean(),
  invariants: z.array(z.string()),
  errorMargin90: z.number().nonnegative(),
  ledger: z.object({
    scope: z.literal('server'),
    unit: z.literal('rho'),
    total: rational,
    spentBefore: rational,
    spentAfter: rational,
    charged: rational,
  }),
});
export type DpInfo = z.infer<typeof dpSchema>;

export const manifestSchema = z
  .object({
    type: z.literal('contamos-release'),
    formatVersion: z.literal(2),
    id: z.string().min(1),
    series: z.string().regex(/^[a-z0-9-]{1,40}$/),
    sequence: z.number().int().positive(),
    previousHash: hex64.nullable(),
    publication: z.object({ index: z.number().int().positive(), previousHash: hex64.nullable() }),
    publishedOn: z.string().regex(/^\d{4}-\d{2}-\d{2}$/),
    taxonomyVersion: z.string(),
    request: z.record(z.string(), z.unknown()),
    method: z.enum(['suppression', 'dp']),
    k: z.number().int().min(1).optional(),
    protection: z.number().int().nonnegative().optional(),
    data: z.array(dataEntrySchema).min(1),
    hierarchies: z.record(z.string(), z.record(z.string(), z.array(code))),
    domains: z.record(z.string(), z.array(code)).refine((d) => Array.isArray(d.year), { message: 'domains.year is required' }),
    // Strict: a tree size or any other number here would be a report count nobody models.
    merkle: z.object({ scheme: z.literal('contamos-smt-sha256'), root: hex64 }).strict(),
    tables: z.array(tableSchema),
    dp: dpSchema.optional(),
  })
  .refine(
    (m) =>
      m.method === 'suppression'
        ? m.k !== undefined && m.protection !== undefined && m.dp === undefined
        : m.dp !== undefined && m.k === undefined && m.protection === undefined,
    {
      message: 'a suppression manifest has k and protection and no dp; a dp manifest has dp and neither k nor protection',
    },
  );
export type Manifest = z.infer<typeof manifestSchema>;

export const receiptLineSchema = z.object({
  reportId: z.string().min(1),
  reportHash: z.string(),
  keyId: z.string(),
  signature: z.string(),
});
export type ReceiptLine = z.infer<typeof receiptLineSchema>;

/** A `contamos-smt-sha256` inclusion proof. */
export const proofSchema = z.object({
  scheme: z.literal('contamos-smt-sha256'),
  leaf: hex64,
  path: z.array(hex64),
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

/** Parses a manifest; a formatVersion other than 2 gets its own plain explanation. */
export function parseManifest(raw: unknown): { ok: true; manifest: Manifest } | { ok: false; problem: string } {
  const fv = raw && typeof raw === 'object' ? (raw as { formatVersion?: unknown }).formatVersion : undefined;
  if (fv !== 2) return { ok: false, problem: `formatVersion ${JSON.stringify(fv ?? null)}: this auditor reads version 2 only (docs/release-format.md)` };
  const r = manifestSchema.safeParse(raw);
  return r.success ? { ok: true, manifest: r.data } : { ok: false, problem: issuesOf(r.error) };
}
