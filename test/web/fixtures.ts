// Releases for the web tests: a plausible version-2 manifest (docs/release-format.md) with
// published, zero and suppressed cells, signed with the test publisher key and stored as the
// release service would store it. The pages verify nothing, so the suppression here only needs to
// look like a real release's (primaries 1..k-1 hidden, plus complementary cells).
import { randomBytes } from 'node:crypto';
import { canonicalJson, hashCanonical, signDetached } from '../../crypto/index.js';
import { packLeaves } from '../../server/services/releases.js';
import type { ServiceContext } from '../../server/services/context.js';
import { codesOf, incidentTypes, regions, victimGenders, victimNationalities } from '../../server/taxonomy/taxonomy.js';
import type { Manifest, ReleaseEnvelope } from '../../server/schemas/manifest.js';

type Counts = Record<string, number>;

const BY_TYPE: Counts = {
  homicide: 36,
  disappearance: 39,
  extortion: 12,
  threat: 7,
  'physical-assault': 9,
  kidnapping: 3,
  trafficking: 2,
  'state-abuse': 8,
  'sexual-violence': 5,
};
const BY_REGION: Counts = { 'PE-LMA': 70, 'PE-CAL': 15, 'PE-MDD': 9, 'PE-ARE': 6, 'PE-CUS': 4, 'PE-PUN': 3, 'PE-LOR': 8, 'PE-CAJ': 6 };
const BY_GENDER: Counts = { 'cis-woman': 60, 'trans-woman': 45, man: 6, 'non-binary': 3, unknown: 7 };
const BY_NATIONALITY: Counts = { PE: 50, VE: 55, CO: 10, EC: 4, unknown: 2 };
/** Hidden although not small: complementary suppression, so the small ones cannot be subtracted out. */
const COMPLEMENTARY = new Set(['sexual-violence', 'unknown']);

export const SAMPLE_TOTAL = 121;

function table(dim: string, year: string, codes: string[], counts: Counts, k: number) {
  const cells = codes.map((code) => {
    const n = counts[code] ?? 0;
    const suppressed = (n >= 1 && n < k) || (COMPLEMENTARY.has(code) && n > 0);
    return { key: { year, [dim]: code }, count: suppressed ? null : n, suppressed };
  });
  const total = Object.values(counts).reduce((a, b) => a + b, 0);
  cells.push({ key: { year, [dim]: '*' }, count: total, suppressed: false });
  return { dimensions: ['year', dim], cells };
}

export function sampleManifest(
  opts: { series?: string; sequence?: number; previousHash?: string | null; publishedOn?: string; k?: number; index?: number } = {},
): Manifest {
  const series = opts.series ?? 'anual';
  const sequence = opts.sequence ?? 1;
  const k = opts.k ?? 5;
  const year = '2023';
  const tables = [
    table('incidentType', year, codesOf(incidentTypes), BY_TYPE, k),
    table('region', year, codesOf(regions), BY_REGION, k),
    table('victimGender', year, codesOf(victimGenders), BY_GENDER, k),
    table('victimNationality', year, codesOf(victimNationalities), BY_NATIONALITY, k),
  ];
  return {
    type: 'contamos-release',
    formatVersion: 2,
    id: `${series}-${sequence}`,
    series,
    sequence,
    previousHash: opts.previousHash ?? null,
    publication: { index: opts.index ?? sequence, previousHash: opts.previousHash ?? null },
    data: [{ year: 2023, version: 1, since: null, heldBack: false }],
    publishedOn: opts.publishedOn ?? '2026-11-28',
    taxonomyVersion: '2026.1',
    request: { filter: { years: [2023] }, tables: tables.map((t) => t.dimensions), k, method: 'suppression', regionGroups: false },
    method: 'suppression',
    k,
    protection: k,
    hierarchies: {},
    domains: {
      year: [year],
      incidentType: codesOf(incidentTypes),
      region: codesOf(regions),
      victimGender: codesOf(victimGenders),
      victimNationality: codesOf(victimNationalities),
    },
    merkle: { scheme: 'contamos-smt-sha256', root: randomBytes(32).toString('hex') },
    tables,
  };
}

/** Signs and stores a release as the release service does; returns its envelope. */
export async function insertRelease(ctx: ServiceContext, publisher: { keyId: string; secretKey: string }, manifest: Manifest): Promise<ReleaseEnvelope> {
  const text = canonicalJson(manifest);
  const hash = hashCanonical(manifest);
  const signature = signDetached(text, publisher.secretKey);
  const leaves = Array.from({ length: 8 }, () => randomBytes(32).toString('hex'));
  await ctx.db.releases.create({
    id: manifest.id,
    series: manifest.series,
    sequence: manifest.sequence,
    hash,
    manifest: text,
    signature,
    keyId: publisher.keyId,
    publishedOn: manifest.publishedOn,
    leaves: packLeaves(leaves),
  });
  return { manifest, hash, signature: { keyId: publisher.keyId, alg: 'ed25519', value: signature } };
}
