// datapackage.ts — the Frictionless Tabular Data Package (specs v1, frictionlessdata.io) of a
// release: one resource, the tidy CSV, with its Table Schema; the operator's licence and the
// citation; the signed release it was made from as provenance.
//
// Guarantees:
// - The schema's fields are `tidyColumns` (csv.ts) in the same order, with their types,
//   descriptions and constraints (levels and statuses as enums, labels and codes required);
//   `count` is the only column that may be empty (hidden).
// - The primary key is `release_id` plus every dimension's code: no two rows are the same
//   quantity (tidy.ts).
// - Provenance: the release's hash (SHA-256 of its canonical manifest), its Ed25519 signature
//   and key id, the Merkle root and the URLs of the signed manifest and of the public keys; with
//   them anyone can check that the CSV's numbers are the signed ones (`npm run audit`).
// - The resource's `path` is relative to the data package's own URL
//   (/api/v1/releases/{id}/datapackage.json → /api/v1/releases/{id}/data.csv), as in the zip.
import type { ReleaseEnvelope as Envelope } from '../schemas/manifest.js';
import { columnStem, tidyColumns } from './csv.js';
import { tidyDimensions } from './tidy.js';
import { citationOf, releaseTitle, releaseUrl, type Terms } from './terms.js';

export const DATA_FILE = 'data.csv';
export const HXL_FILE = 'data-hxl.csv';

export function dataPackage(env: Envelope, terms: Terms): Record<string, unknown> {
  const m = env.manifest;
  const cols = tidyColumns(m);
  const citation = citationOf(terms, { id: m.id, series: m.series, publishedOn: m.publishedOn, hash: env.hash });
  const years = m.domains.year ?? [];
  const method =
    m.method === 'dp'
      ? 'Differential privacy: every count carries random noise (error_margin_90). / Privacidad diferencial.'
      : `Cell suppression: no published count is between 1 and ${(m.k ?? 1) - 1}; other cells are hidden so that hidden ones cannot be worked out. / Supresión de celdas (k = ${m.k}).`;
  return {
    profile: 'tabular-data-package',
    name: `contamos-${m.id}`,
    id: `sha256:${env.hash}`,
    title: `${releaseTitle(m)} — ${m.id}`,
    description: [
      `Incidents of violence against sex workers in Peru recorded by the coalition's member organisations, ${years.join(', ')}. These figures are incomplete: every figure is a minimum, not the real total.`,
      `Hechos de violencia contra trabajadoras sexuales en el Perú registrados por las organizaciones de la coalición. Cifras incompletas: cada cifra es un mínimo.`,
      method,
      `Cite as / Citar como: ${citation}`,
    ].join('\n\n'),
    version: String(m.sequence),
    created: `${m.publishedOn}T00:00:00Z`,
    keywords: ['violence', 'sex workers', 'Peru', 'violencia', 'trabajadoras sexuales', 'Perú'],
    ...(terms.publicUrl ? { homepage: releaseUrl(terms, m.id) } : {}),
    licenses: [{ name: terms.licence.id, title: terms.licence.title, ...(terms.licence.url ? { path: terms.licence.url } : {}) }],
    contributors: [{ title: terms.coalition, role: 'publisher' }],
    citation,
    sources: [{ title: `Signed release manifest ${m.id} / Manifiesto firmado`, path: `${terms.publicUrl ?? ''}/api/v1/releases/${m.id}` }],
    provenance: {
      release: m.id,
      series: m.series,
      sequence: m.sequence,
      publishedOn: m.publishedOn,
      taxonomyVersion: m.taxonomyVersion,
      formatVersion: m.formatVersion,
      hash: { algorithm: 'sha-256', of: 'RFC 8785 canonical JSON of the manifest', value: env.hash },
      signature: { algorithm: env.signature.alg, keyId: env.signature.keyId, value: env.signature.value },
      previousHash: m.previousHash,
      merkleRoot: m.merkle.root,
      manifest: `/api/v1/releases/${m.id}`,
      publicKeys: '/.well-known/contamos.json',
      verify: 'npm run audit -- --server URL',
    },
    resources: [
      {
        profile: 'tabular-data-resource',
        name: 'cells',
        path: DATA_FILE,
        title: `Figures of release ${m.id}, one row per figure / Cifras, una fila por cifra`,
        description:
          'One row per published figure: every dimension with its level (total, group, item), code and labels; the count, or empty when hidden to protect people. Sum rows of a single level per dimension.',
        format: 'csv',
        mediatype: 'text/csv',
        encoding: 'utf-8',
        dialect: { delimiter: ',', header: true, lineTerminator: '\r\n', quoteChar: '"', doubleQuote: true },
        licenses: [{ name: terms.licence.id, title: terms.licence.title, ...(terms.licence.url ? { path: terms.licence.url } : {}) }],
        schema: {
          fields: cols.map((c) => ({
            name: c.name,
            type: c.type,
            title: c.name,
            description: c.description,
            ...(c.type === 'integer' ? { constraints: { minimum: 0 } } : {}),
            ...(c.enum ? { constraints: { required: true, enum: c.enum } } : c.required ? { constraints: { required: true } } : {}),
          })),
          missingValues: [''],
          primaryKey: ['release_id', ...tidyDimensions(m).map((d) => `${columnStem(d)}_code`)],
        },
      },
    ],
  };
}
