// The release manifest (docs/release-format.md, version 2): the one zod schema the server, the
// OpenAPI document, the pages and the CLI use (the independent auditor keeps its own copy on
// purpose). Types come from it.
import { z } from 'zod';

const hex64 = z.string().regex(/^[0-9a-f]{64}$/, 'lowercase 64-hex sha256');

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

export const releaseManifest = z.object({
  type: z.literal('contamos-release'),
  formatVersion: z.literal(2),
  id: z.string(),
  series: z.string(),
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
  merkle: z.object({ scheme: z.literal('contamos-smt-sha256'), root: hex64 }).describe('Root of the sparse Merkle tree of the counted reports’ hashes (no leaf count is published)'),
  tables: z.array(z.object({ dimensions: z.array(z.string()), cells: z.array(manifestCell) })),
}).describe('A release manifest (docs/release-format.md, version 2).');

export type Manifest = z.infer<typeof releaseManifest>;
export type ManifestCell = z.infer<typeof manifestCell>;
export type DataEntry = z.infer<typeof dataEntry>;
export type DpInfo = z.infer<typeof dpInfo>;
