// The release manifest (docs/release-format.md, version 2) and its signed envelope: the one zod
// schema the server, the OpenAPI document, the pages and the CLI use (the independent auditor
// keeps its own copy on purpose, scripts/audit/format.ts). Types come from it, and so do the
// series name and release id patterns (a release id is `<series>-<sequence>`).
// Guarantees: every manifest the release service logs parses with `releaseManifest` (the service
// checks it before the log entry is written; test/web/manifest-schema.test.ts checks the OpenAPI
// component against real releases); imports nothing but zod.
import { z } from 'zod';

const hex64 = z.string().regex(/^[0-9a-f]{64}$/, 'lowercase 64-hex sha256');

/** A series name: lowercase letters, digits and dashes. */
export const seriesName = z
  .string()
  .regex(/^[a-z0-9-]{1,40}$/, 'minúsculas, cifras y guiones, a lo sumo 40 / lowercase letters, digits and dashes, at most 40');
/** A release id: its series name, a dash and its sequence number in the series (from 1). */
export const releaseId = z.string().regex(/^[a-z0-9-]{1,40}-[1-9][0-9]{0,8}$/, 'not a release id');

export const manifestCell = z.object({
  key: z.record(z.string(), z.string()).describe('dimension → code, or "*" for the margin (all codes)'),
  count: z.number().int().min(0).nullable(),
  suppressed: z.boolean(),
  errorMargin90: z.number().optional().describe('DP releases: half-width of the 90% noise interval'),
});

export const dataEntry = z.object({
  year: z.number().int(),
  version: z.number().int().min(1),
  since: z.enum(['additions', 'changes']).nullable().describe('how this version differs from the one before'),
  heldBack: z.boolean().describe('newer data of this year was held back to keep headline figures'),
});

export const ledgerEntry = z.object({
  scope: z.literal('server'),
  unit: z.literal('rho'),
  total: z.string(),
  spentBefore: z.string(),
  spentAfter: z.string(),
  charged: z.string(),
});

export const dpInfo = z.object({
  mechanism: z.enum(['discrete-gaussian', 'discrete-laplace']),
  rho: z.string().optional(),
  epsilon: z.string().optional(),
  sigma2: z.number().optional(),
  scale: z.number().optional(),
  m: z.number().int(),
  keepTotal: z.boolean(),
  invariants: z.array(z.string()),
  errorMargin90: z.number(),
  ledger: ledgerEntry,
});

export const releaseManifest = z
  .object({
    type: z.literal('contamos-release'),
    formatVersion: z.literal(2),
    id: releaseId,
    series: seriesName,
    sequence: z.number().int().min(1),
    previousHash: hex64.nullable(),
    publication: z.object({ index: z.number().int().min(1), previousHash: hex64.nullable() }),
    publishedOn: z.string().describe('YYYY-MM-DD'),
    taxonomyVersion: z.string(),
    request: z.record(z.string(), z.unknown()),
    method: z.enum(['suppression', 'dp']),
    k: z.number().int().optional(),
    protection: z.number().int().optional(),
    dp: dpInfo.optional(),
    data: z.array(dataEntry),
    hierarchies: z.record(z.string(), z.record(z.string(), z.array(z.string()))),
    domains: z.record(z.string(), z.array(z.string())),
    merkle: z
      .object({ scheme: z.literal('contamos-smt-sha256'), root: hex64 })
      .describe('Root of the sparse Merkle tree of the counted reports’ hashes (no leaf count is published)'),
    tables: z.array(z.object({ dimensions: z.array(z.string()), cells: z.array(manifestCell) })),
  })
  .describe('A release manifest (docs/release-format.md, version 2).');

/** The publisher's Ed25519 signature over canonicalJson(manifest). */
export const releaseSignatureInfo = z.object({
  keyId: z.string(),
  alg: z.literal('ed25519'),
  value: z.string().describe('base64 Ed25519 signature of canonicalJson(manifest)'),
});

/** A signed release as served (GET /api/v1/releases/{id}). */
export const releaseEnvelope = z.object({
  manifest: releaseManifest,
  hash: hex64.describe('SHA-256 of canonicalJson(manifest), RFC 8785'),
  signature: releaseSignatureInfo,
});

export type Manifest = z.infer<typeof releaseManifest>;
export type ReleaseEnvelope = z.infer<typeof releaseEnvelope>;
export type ManifestCell = z.infer<typeof manifestCell>;
export type DataEntry = z.infer<typeof dataEntry>;
export type DpInfo = z.infer<typeof dpInfo>;
