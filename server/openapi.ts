// openapi.ts — the OpenAPI 3.1 description of the API, generated from the zod schemas (the one
// source of truth for each shape) with zod's JSON Schema generator (draft 2020-12, which is the
// schema dialect of OpenAPI 3.1). Shapes that no route module validates (responses) are defined
// here, also in zod, so they are described the same way.
//
// Guarantees: every route of the API is in `ROUTES` (the docs page at /api/v1/docs and
// /api/v1/openapi.json are both made from it; test/web/openapi.test.ts checks it against the
// routers mounted in the app); request bodies are described as accepted (zod input: defaults
// make fields optional), responses as produced (zod output); every refusal uses the one error
// shape, whose stable codes are listed with their statuses; the HTTP message signature scheme
// (RFC 9421 + RFC 9530, Ed25519) is described as a security scheme per role.
import { z } from 'zod';
import { ERRORS, type ErrorCode } from './errors.js';
import { errorBody } from './schemas/errors.js';
import { enrolRequest, enrolResponse, inviteRequest, inviteResponse } from './schemas/members.js';
import { draftId, featuredRequest, featuredResponse, releaseRequest, releaseSignature } from './schemas/release.js';
import { releaseEnvelope, releaseId, releaseManifest, releaseSignatureInfo, seriesName } from './schemas/manifest.js';
import { pageQuery, proofPageQuery, receipt, reportBody, reportState, reportStatus, stewardReport, uuidV4, withdrawRequest } from './schemas/report.js';
import {
  conflictsPage,
  conflictsQuery,
  dedupeTag,
  memberKeyId,
  quarantineRequest,
  quarantineResponse,
  organisationRequest,
  organisationResponse,
  resolveRequest,
  resolveResponse,
} from './schemas/steward.js';

// --- response shapes without a schema elsewhere ---------------------------------------------------

const label = z.object({ es: z.string(), en: z.string() });
const code = z.object({ code: z.string(), label });
const hex64 = z.string().regex(/^[0-9a-f]{64}$/);
const base64Key = z.string().describe('32-byte key, standard base64');

export const healthResponse = z.object({ status: z.literal('ok') });

export const taxonomyResponse = z
  .object({
    version: z.string(),
    fields: z.record(
      z.string(),
      z.object({
        label,
        codes: z.array(code).optional(),
        groups: z.array(code.extend({ members: z.array(z.string()) })).optional(),
        optional: z.boolean().optional(),
        onlyFor: z.record(z.string(), z.string()).optional(),
        min: z.number().int().optional(),
        max: z.union([z.number().int(), z.string()]).optional(),
      }),
    ),
  })
  .describe('The versioned taxonomy: every code a countable field can take, with Spanish and English labels.');

export const wellKnownResponse = z
  .object({
    service: z.literal('contamos'),
    taxonomyVersion: z.string(),
    steward: z.object({
      keyId: z.string(),
      signingPublicKey: base64Key,
      sealPublicKey: base64Key.describe('X25519 key narratives are sealed to (crypto_box_seal)'),
    }),
    publishers: z.array(z.object({ keyId: z.string(), publicKey: base64Key })),
    receipt: z.object({ keyId: z.string(), publicKey: base64Key }),
    signatures: z.object({ algorithm: z.string(), httpSignatures: z.string(), contentDigest: z.string() }),
  })
  .describe('Public keys: the steward seal key, the publishers’ release keys and the server’s receipt key.');

export const revokeResponse = z.object({ keyId: z.string(), revoked: z.literal(true) });

export const ownReport = z.object({
  id: uuidV4,
  status: reportStatus,
  reportHash: hex64,
  supersedes: uuidV4.nullable(),
  year: z.number().int(),
  incidentType: z.string(),
  region: z.string(),
});
export const ownReportsPage = z.object({ items: z.array(ownReport), nextCursor: uuidV4.nullable() });
export const stewardReportsPage = z.object({ items: z.array(stewardReport), nextCursor: uuidV4.nullable() });

export { manifestCell, releaseEnvelope, releaseManifest } from './schemas/manifest.js';
export const releaseList = z.object({
  items: z.array(
    z.object({
      id: releaseId,
      series: seriesName,
      sequence: z.number().int(),
      hash: hex64,
      publishedOn: z.string(),
      index: z.number().int().describe('place in the publication log'),
      years: z.array(z.string()).describe('the years the release covers'),
    }),
  ),
});
export const concentrationFlagsResponse = z.object({
  share: z.number().describe("the operator's threshold (CONTAMOS_FLAG_SHARE)"),
  items: z.array(
    z.object({
      year: z.number().int(),
      region: z.string(),
      incidentType: z.string(),
      incidents: z.number().int(),
      memberKeyId: z.string().describe('the key of the organisation in most of the incidents it reported in the cell: the one to quarantine'),
      keyIds: z.array(z.string()).describe('every key of the organisation that reported in the cell'),
      memberIncidents: z.number().int().describe('incidents of the cell the organisation (all its keys) reported'),
    }),
  ),
});
export const publicationList = z.object({
  items: z.array(
    z.object({ index: z.number().int(), id: releaseId, series: seriesName, sequence: z.number().int(), kind: z.enum(['release', 'draft']), hash: hex64 }),
  ),
});
export const publicationEntry = z.object({
  manifest: releaseManifest,
  hash: hex64,
  signature: releaseSignatureInfo.nullable().describe('null for a draft that was shown but never signed'),
});
export const dryRunResult = z.object({
  dryRun: z.literal(true),
  series: z.string(),
  k: z.number().int(),
  data: z.array(z.object({ year: z.number().int(), version: z.number().int(), since: z.string().nullable(), heldBack: z.boolean() })),
  tables: z.array(
    z.object({ dimensions: z.array(z.string()), cells: z.number().int(), hidden: z.number().int(), hiddenCells: z.array(z.record(z.string(), z.string())) }),
  ),
});
export const releaseDraft = z.object({
  draftId: z.string(),
  hash: hex64,
  manifest: releaseManifest,
  stats: z
    .unknown()
    .describe(
      "Informative. Suppression: only figures the manifest and the log give (cells, hidden, known — shown because earlier publications determine them — and the size of the whole-server model); never the engine's work (LP solves, rounds, time), which follows the true counts. DP: the mechanism's run (noise source, post-processing), functions of the noisy counts only.",
    ),
});
export const inclusionProofResponse = z.object({
  releaseId,
  reportId: uuidV4,
  root: hex64,
  proof: z.object({
    scheme: z.literal('contamos-smt-sha256'),
    leaf: hex64.describe('the report hash'),
    path: z.array(hex64).max(256).describe('roots of the sibling subtrees from depth 1 down to the depth where the leaf is alone'),
  }),
});
export const ownProofsPage = z
  .object({
    releaseId,
    items: z.array(
      z.object({
        reportId: uuidV4,
        reportHash: hex64,
        status: z.string(),
        year: z.number().int(),
        proof: inclusionProofResponse.shape.proof
          .nullable()
          .describe('the inclusion proof, as for one report; null when the report is not counted in this release'),
      }),
    ),
    nextCursor: uuidV4.nullable(),
  })
  .describe('Inclusion proofs of the member’s own reports in one release; verify each against the release’s signed merkle.root.');

// --- routes --------------------------------------------------------------------------------------

export type Who = 'public' | 'member' | 'steward' | 'publisher';

export interface RouteSpec {
  method: 'get' | 'post' | 'put' | 'delete';
  /** OpenAPI path template, e.g. /api/v1/reports/{id} */
  path: string;
  who: Who;
  summary: string;
  resumen: string;
  params?: Record<string, z.ZodType>;
  query?: z.ZodObject;
  body?: { schema: z.ZodType; optional?: boolean };
  responses: Record<number, { description: string; schema?: z.ZodType; contentType?: string }>;
  errors: ErrorCode[];
}

const SIGNED_ERRORS: ErrorCode[] = [
  'signature_missing',
  'signature_malformed',
  'digest_mismatch',
  'signature_expired',
  'signature_invalid',
  'replayed_nonce',
  'key_revoked',
  'forbidden_role',
  'rate_limited',
];
const BODY_ERRORS: ErrorCode[] = ['unsupported_media_type', 'invalid_json', 'invalid_body', 'payload_too_large'];
const keyIdParam = z
  .string()
  .regex(/^m-[A-Za-z0-9_-]{16}$/)
  .describe('member key id');

export const ROUTES: RouteSpec[] = [
  {
    method: 'get',
    path: '/api/v1/health',
    who: 'public',
    summary: 'Health: the database answers',
    resumen: 'Estado: la base de datos responde',
    responses: { 200: { description: 'ok', schema: healthResponse } },
    errors: ['database_unavailable'],
  },
  {
    method: 'get',
    path: '/api/v1/taxonomy',
    who: 'public',
    summary: 'The versioned taxonomy, Spanish and English labels',
    resumen: 'La taxonomía versionada, con etiquetas en español e inglés',
    responses: { 200: { description: 'the taxonomy', schema: taxonomyResponse } },
    errors: [],
  },
  {
    method: 'get',
    path: '/.well-known/contamos.json',
    who: 'public',
    summary: 'Public keys: steward seal key, publisher keys, receipt key',
    resumen: 'Claves públicas: sellado de la administración, publicadores, recibos',
    responses: { 200: { description: 'the key document', schema: wellKnownResponse } },
    errors: [],
  },
  {
    method: 'post',
    path: '/api/v1/invites',
    who: 'steward',
    summary: 'Create a one-time invite for an organisation',
    resumen: 'Crear una invitación de un solo uso para una organización',
    body: { schema: inviteRequest, optional: true },
    responses: { 201: { description: 'the invite', schema: inviteResponse } },
    errors: [...BODY_ERRORS, 'member_not_found', ...SIGNED_ERRORS],
  },
  {
    method: 'post',
    path: '/api/v1/enrol',
    who: 'public',
    summary: 'Enrol a member public key with an invite',
    resumen: 'Inscribir la clave pública de una organización con una invitación',
    body: { schema: enrolRequest },
    responses: { 201: { description: 'the member key id (a random pseudonym)', schema: enrolResponse } },
    errors: [...BODY_ERRORS, 'invite_invalid', 'rate_limited'],
  },
  {
    method: 'delete',
    path: '/api/v1/members/{keyId}',
    who: 'steward',
    summary: 'Revoke a member key at once',
    resumen: 'Revocar de inmediato la clave de una organización',
    params: { keyId: keyIdParam },
    responses: { 200: { description: 'revoked', schema: revokeResponse } },
    errors: ['invalid_path', 'not_found', ...SIGNED_ERRORS],
  },
  {
    method: 'put',
    path: '/api/v1/reports/{id}',
    who: 'member',
    summary: 'Submit a report (client-chosen UUIDv4; idempotent)',
    resumen: 'Enviar un reporte (UUIDv4 elegido por el cliente; idempotente)',
    params: { id: uuidV4 },
    body: { schema: reportBody },
    responses: {
      201: { description: 'stored; the signed receipt', schema: receipt },
      200: { description: 'the same body was already stored; the same receipt', schema: receipt },
    },
    errors: [...BODY_ERRORS, 'invalid_path', 'report_conflict', 'report_not_found', 'report_not_active', 'daily_limit_reached', ...SIGNED_ERRORS],
  },
  {
    method: 'get',
    path: '/api/v1/reports/{id}',
    who: 'member',
    summary: 'State of one of the member’s own reports',
    resumen: 'Estado de un reporte propio',
    params: { id: uuidV4 },
    responses: { 200: { description: 'the report state', schema: reportState } },
    errors: ['invalid_path', 'report_not_found', ...SIGNED_ERRORS],
  },
  {
    method: 'get',
    path: '/api/v1/reports',
    who: 'member',
    summary: 'The member’s own reports, page by page',
    resumen: 'Los reportes propios, por páginas',
    query: pageQuery,
    responses: { 200: { description: 'a page of own reports', schema: ownReportsPage } },
    errors: ['invalid_query', ...SIGNED_ERRORS],
  },
  {
    method: 'post',
    path: '/api/v1/reports/{id}/withdraw',
    who: 'member',
    summary: 'Withdraw one of the member’s own reports',
    resumen: 'Retirar un reporte propio',
    params: { id: uuidV4 },
    body: { schema: withdrawRequest, optional: true },
    responses: { 200: { description: 'the report state (withdrawn)', schema: reportState } },
    errors: [...BODY_ERRORS, 'invalid_path', 'report_not_found', 'report_not_active', ...SIGNED_ERRORS],
  },
  {
    method: 'get',
    path: '/api/v1/steward/reports',
    who: 'steward',
    summary: 'Sealed reports (no submitter) for the steward to open offline',
    resumen: 'Reportes sellados (sin remitente) para abrirlos fuera de línea',
    query: pageQuery,
    responses: { 200: { description: 'a page of sealed reports', schema: stewardReportsPage } },
    errors: ['invalid_query', ...SIGNED_ERRORS],
  },
  {
    method: 'post',
    path: '/api/v1/steward/members/{keyId}/quarantine',
    who: 'steward',
    summary: 'Quarantine a member: its reports stop counting from the next release (the key may still sign); idempotent',
    resumen: 'Poner en cuarentena a una organización: sus reportes dejan de contarse desde la próxima publicación (la clave aún puede firmar); idempotente',
    params: { keyId: memberKeyId },
    body: { schema: quarantineRequest, optional: true },
    responses: { 200: { description: 'quarantined', schema: quarantineResponse } },
    errors: [...BODY_ERRORS, 'invalid_path', 'member_not_found', ...SIGNED_ERRORS],
  },
  {
    method: 'post',
    path: '/api/v1/steward/members/{keyId}/organisation',
    who: 'steward',
    summary:
      'Count a key as one more key of another key’s organisation (merges the two organisations; never splits one): the holdings rule then takes their reports together',
    resumen:
      'Contar una clave como otra clave más de la organización de otra clave (une las dos organizaciones; nunca separa una): la regla de tenencias toma entonces sus reportes juntos',
    params: { keyId: memberKeyId },
    body: { schema: organisationRequest },
    responses: { 200: { description: 'linked', schema: organisationResponse } },
    errors: [...BODY_ERRORS, 'invalid_path', 'member_not_found', ...SIGNED_ERRORS],
  },
  {
    method: 'delete',
    path: '/api/v1/steward/members/{keyId}/quarantine',
    who: 'steward',
    summary: 'Lift a member’s quarantine: its reports count again from the next release (unless it is revoked); idempotent',
    resumen: 'Levantar la cuarentena: sus reportes vuelven a contarse desde la próxima publicación (salvo si la clave está revocada); idempotente',
    params: { keyId: memberKeyId },
    responses: { 200: { description: 'no longer quarantined', schema: quarantineResponse } },
    errors: ['invalid_body', 'invalid_path', 'member_not_found', ...SIGNED_ERRORS],
  },
  {
    method: 'get',
    path: '/api/v1/steward/conflicts',
    who: 'steward',
    summary:
      'Dedupe conflicts: tags whose active reports (of members whose reports count) disagree on a countable field; report ids and fields, never the submitter',
    resumen:
      'Conflictos de deduplicación: etiquetas cuyos reportes activos (de organizaciones que cuentan) difieren en un campo contado; ids y campos, nunca el remitente',
    query: conflictsQuery,
    responses: { 200: { description: 'a page of conflicts, by tag', schema: conflictsPage } },
    errors: ['invalid_body', 'invalid_query', ...SIGNED_ERRORS],
  },
  {
    method: 'get',
    path: '/api/v1/steward/flags',
    who: 'steward',
    summary:
      "Cells (year × region × incident type) where one member organisation reported more than the operator's share of the incidents — the sign of a member padding a cell",
    resumen:
      'Celdas (año × región × tipo) donde una organización reportó más que la proporción fijada de los incidentes — señal de que alguien infla una celda',
    responses: { 200: { description: 'the flags', schema: concentrationFlagsResponse } },
    errors: SIGNED_ERRORS,
  },
  {
    method: 'post',
    path: '/api/v1/steward/conflicts/{tag}/resolve',
    who: 'steward',
    summary: 'Choose which active report’s values count for a dedupe tag; the choice lapses if that report stops being active or counted',
    resumen: 'Elegir qué reporte activo da los valores de una etiqueta; la elección deja de valer si ese reporte deja de estar activo o de contarse',
    params: { tag: dedupeTag },
    body: { schema: resolveRequest },
    responses: { 200: { description: 'the choice recorded', schema: resolveResponse } },
    errors: [...BODY_ERRORS, 'invalid_path', 'dedupe_choice_invalid', ...SIGNED_ERRORS],
  },
  {
    method: 'post',
    path: '/api/v1/releases',
    who: 'publisher',
    summary: 'Compute a release draft (counts, suppression, manifest) to sign',
    resumen: 'Calcular un borrador de publicación para firmar',
    body: { schema: releaseRequest },
    responses: { 201: { description: 'the draft and its manifest hash', schema: releaseDraft } },
    errors: [
      ...BODY_ERRORS,
      'k_below_minimum',
      'series_k_fixed',
      'series_method_mismatch',
      'release_unprotectable',
      'k_conflicts_with_log',
      'dp_total_unprotected',
      'release_stale',
      'budget_over_release_limit',
      'budget_exceeded',
      'budget_fixed',
      'budget_conflict',
      ...SIGNED_ERRORS,
    ],
  },
  {
    method: 'post',
    path: '/api/v1/releases/dry-run',
    who: 'publisher',
    summary: 'Which cells a release would hide, on the data publications already used — no counts, nothing logged, no budget spent',
    resumen: 'Qué celdas ocultaría una publicación, con los datos que ya usaron las publicaciones — sin cifras, sin registro, sin gastar presupuesto',
    body: { schema: releaseRequest },
    responses: { 200: { description: 'per table: cells, hidden cells and their keys', schema: dryRunResult } },
    errors: [
      ...BODY_ERRORS,
      'k_below_minimum',
      'series_k_fixed',
      'series_method_mismatch',
      'release_unprotectable',
      'k_conflicts_with_log',
      'dry_run_unpublished_year',
      ...SIGNED_ERRORS,
    ],
  },
  {
    method: 'get',
    path: '/api/v1/publications',
    who: 'public',
    summary: 'The publication log: every manifest ever shown (signed releases and drafts)',
    resumen: 'El registro de publicaciones: todo manifiesto mostrado (publicaciones firmadas y borradores)',
    responses: { 200: { description: 'the log, in index order', schema: publicationList } },
    errors: [],
  },
  {
    method: 'get',
    path: '/api/v1/publications/{index}',
    who: 'public',
    summary: 'One entry of the publication log',
    resumen: 'Una entrada del registro de publicaciones',
    params: {
      index: z
        .string()
        .regex(/^[1-9][0-9]{0,8}$/)
        .describe('log index'),
    },
    responses: { 200: { description: 'the manifest, its hash and the publisher signature (null for a draft)', schema: publicationEntry } },
    errors: ['invalid_path', 'publication_not_found'],
  },
  {
    method: 'post',
    path: '/api/v1/releases/drafts/{draftId}/signature',
    who: 'publisher',
    summary: 'Publish a draft with the publisher’s signature over its canonical manifest',
    resumen: 'Publicar un borrador con la firma del publicador',
    params: { draftId },
    body: { schema: releaseSignature },
    responses: { 201: { description: 'the published release', schema: releaseEnvelope } },
    errors: [...BODY_ERRORS, 'invalid_path', 'draft_not_found', 'release_signature_invalid', 'release_stale', ...SIGNED_ERRORS],
  },
  {
    method: 'get',
    path: '/api/v1/releases',
    who: 'public',
    summary: 'Every published release, by series and sequence',
    resumen: 'Todas las publicaciones, por serie y número',
    responses: { 200: { description: 'the list', schema: releaseList } },
    errors: [],
  },
  {
    method: 'get',
    path: '/api/v1/releases/{id}',
    who: 'public',
    summary: 'A signed release (manifest, hash, signature)',
    resumen: 'Una publicación firmada (manifiesto, hash, firma)',
    params: { id: releaseId },
    responses: { 200: { description: 'the envelope', schema: releaseEnvelope } },
    errors: ['invalid_path', 'release_not_found'],
  },
  {
    method: 'get',
    path: '/api/v1/releases/{id}.csv',
    who: 'public',
    summary: 'A release’s cells as CSV',
    resumen: 'Las celdas de una publicación en CSV',
    params: { id: releaseId },
    responses: {
      200: {
        description:
          'Tidy CSV (UTF-8 with BOM), one row per figure: release_id, tables, then per dimension {dim}_level (total|group|item), {dim}_code, {dim}_label_es, {dim}_label_en; count (empty when hidden), status (published|hidden); the same as {id}/data.csv',
        contentType: 'text/csv',
      },
    },
    errors: ['invalid_path', 'release_not_found'],
  },
  {
    method: 'get',
    path: '/api/v1/releases/{id}/data.csv',
    who: 'public',
    summary: 'A release’s tidy CSV (the data package’s resource)',
    resumen: 'El CSV ordenado de una publicación (el recurso del paquete de datos)',
    params: { id: releaseId },
    responses: { 200: { description: 'Tidy CSV, as {id}.csv', contentType: 'text/csv' } },
    errors: ['invalid_path', 'release_not_found'],
  },
  {
    method: 'get',
    path: '/api/v1/releases/{id}/data-hxl.csv',
    who: 'public',
    summary: 'The tidy CSV with a row of HXL hashtags under the header',
    resumen: 'El CSV ordenado con una fila de etiquetas HXL bajo la cabecera',
    params: { id: releaseId },
    responses: { 200: { description: 'CSV with HXL hashtags (hxlstandard.org)', contentType: 'text/csv' } },
    errors: ['invalid_path', 'release_not_found'],
  },
  {
    method: 'get',
    path: '/api/v1/releases/{id}/datapackage.json',
    who: 'public',
    summary: 'Frictionless Tabular Data Package: Table Schema, licence, citation, hash and signature as provenance',
    resumen: 'Paquete de datos Frictionless: esquema, licencia, cita, hash y firma',
    params: { id: releaseId },
    responses: { 200: { description: 'datapackage.json (Frictionless specs v1, profile tabular-data-package)' } },
    errors: ['invalid_path', 'release_not_found'],
  },
  {
    method: 'get',
    path: '/api/v1/releases/{id}/charts/{file}',
    who: 'public',
    summary: 'A chart of one series over the release’s years, as SVG or PNG (`?lang=en` for English); hidden values are gaps',
    resumen: 'Un gráfico de una serie a lo largo de los años, en SVG o PNG; las cifras ocultas son huecos',
    params: { id: releaseId, file: z.string().regex(/^tendencia-[1-9][0-9]?-[1-9][0-9]?\.(svg|png)$/) },
    responses: { 200: { description: 'image/svg+xml or image/png', contentType: 'image/svg+xml' } },
    errors: ['invalid_path', 'release_not_found', 'not_found'],
  },
  {
    method: 'put',
    path: '/api/v1/featured',
    who: 'publisher',
    summary: 'Choose the series featured on the home page (its newest release is the headline)',
    resumen: 'Elegir la serie destacada en la portada (su publicación más reciente es la principal)',
    body: { schema: featuredRequest },
    responses: { 200: { description: 'the featured series', schema: featuredResponse } },
    errors: [...BODY_ERRORS, 'series_not_found', ...SIGNED_ERRORS],
  },
  {
    method: 'get',
    path: '/api/v1/featured',
    who: 'public',
    summary: 'The series featured on the home page and its newest release',
    resumen: 'La serie destacada en la portada y su publicación más reciente',
    responses: { 200: { description: 'the featured series', schema: featuredResponse } },
    errors: [],
  },
  {
    method: 'get',
    path: '/api/v1/releases.zip',
    who: 'public',
    summary: 'Every signed release in one zip: data packages, CSV, HXL CSV, signed JSON',
    resumen: 'Todas las publicaciones firmadas en un zip',
    responses: { 200: { description: 'zip archive', contentType: 'application/zip' } },
    errors: [],
  },
  {
    method: 'get',
    path: '/api/v1/releases/{id}/proof/{reportId}',
    who: 'member',
    summary: 'Merkle inclusion proof that one of the member’s reports was counted',
    resumen: 'Prueba Merkle de que un reporte propio fue contado',
    params: { id: releaseId, reportId: uuidV4 },
    responses: { 200: { description: 'the proof', schema: inclusionProofResponse } },
    errors: ['invalid_path', 'report_not_found', 'release_not_found', 'not_in_release', ...SIGNED_ERRORS],
  },
  {
    method: 'get',
    path: '/api/v1/releases/{id}/proofs',
    who: 'member',
    summary: 'Inclusion proofs of all the member’s own reports in a release, page by page',
    resumen: 'Pruebas de inclusión de todos los reportes propios en una publicación, por páginas',
    params: { id: releaseId },
    query: proofPageQuery,
    responses: { 200: { description: 'a page of own reports with their proofs', schema: ownProofsPage } },
    errors: ['invalid_path', 'invalid_query', 'release_not_found', ...SIGNED_ERRORS],
  },
  {
    method: 'get',
    path: '/api/v1/openapi.json',
    who: 'public',
    summary: 'This OpenAPI 3.1 document',
    resumen: 'Este documento OpenAPI 3.1',
    responses: { 200: { description: 'OpenAPI 3.1 (JSON)' } },
    errors: [],
  },
  {
    method: 'get',
    path: '/api/v1/docs',
    who: 'public',
    summary: 'Readable API documentation (HTML)',
    resumen: 'Documentación legible de la API (HTML)',
    responses: { 200: { description: 'HTML page', contentType: 'text/html' } },
    errors: [],
  },
];

// --- document ------------------------------------------------------------------------------------

type Json = Record<string, unknown>;

function schemaOf(s: z.ZodType, io: 'input' | 'output'): Json {
  const out = z.toJSONSchema(s, { target: 'draft-2020-12', io, unrepresentable: 'any' }) as Json;
  delete out.$schema;
  return out;
}

export const SIGNATURE_SCHEME_TEXT =
  'HTTP Message Signatures (RFC 9421) with Ed25519. Send three headers: ' +
  '`Content-Digest: sha-256=:<base64 SHA-256 of the exact body bytes>:` (RFC 9530; of the empty string when there is no body); ' +
  '`Signature-Input: sig1=("@method" "@path" ["@query"] "content-digest");created=<unix seconds>;nonce="<16+ random bytes, base64url>";keyid="<key id>";alg="ed25519"` ' +
  '("@query" is covered exactly when the URL has a query); `Signature: sig1=:<base64 Ed25519 signature of the RFC 9421 signature base>:`. ' +
  'A signature older than 5 minutes or dated in the future is refused, and a nonce is accepted once (across replicas): a retry must be signed again. ' +
  'The shared crypto module (crypto/http-signature.ts, `signRequest`) produces exactly this.';

const SCHEMES: Record<Exclude<Who, 'public'>, string> = {
  member: 'a member organisation’s key (enrolled with an invite; key id `m-…`)',
  steward: 'the coalition steward’s signing key (in server-keys.json)',
  publisher: 'a publisher’s release key (in server-keys.json)',
};

let cached: Json | undefined;

export function openApiDocument(): Json {
  if (cached) return cached;
  const paths: Record<string, Record<string, Json>> = {};
  for (const r of ROUTES) {
    const parameters: Json[] = [];
    for (const [name, s] of Object.entries(r.params ?? {})) parameters.push({ name, in: 'path', required: true, schema: schemaOf(s, 'input') });
    if (r.query) {
      for (const [name, s] of Object.entries(r.query.shape as Record<string, z.ZodType>)) {
        parameters.push({ name, in: 'query', required: !s.safeParse(undefined).success, schema: schemaOf(s, 'output') });
      }
    }
    const responses: Record<string, Json> = {};
    for (const [status, res] of Object.entries(r.responses)) {
      const type = res.contentType ?? 'application/json';
      responses[status] = {
        description: res.description,
        ...(res.schema || type !== 'application/json' ? { content: { [type]: res.schema ? { schema: schemaOf(res.schema, 'output') } : {} } } : {}),
      };
    }
    const byStatus = new Map<number, ErrorCode[]>();
    for (const code of new Set(r.errors)) {
      const status = ERRORS[code][0];
      byStatus.set(status, [...(byStatus.get(status) ?? []), code]);
    }
    for (const [status, codes] of [...byStatus].sort((a, b) => a[0] - b[0])) {
      responses[String(status)] = {
        description: `Refused: ${codes.map((c) => `\`${c}\``).join(', ')}`,
        content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
      };
    }
    const op: Json = {
      operationId: `${r.method}${r.path.replace(/[^A-Za-z0-9]+(.)?/g, (_m, c: string | undefined) => (c ? c.toUpperCase() : ''))}`,
      summary: r.summary,
      description: `${r.summary}. (${r.resumen}.) Who: ${r.who}.`,
      tags: [r.who],
      ...(parameters.length ? { parameters } : {}),
      ...(r.body ? { requestBody: { required: !r.body.optional, content: { 'application/json': { schema: schemaOf(r.body.schema, 'input') } } } } : {}),
      responses,
      security: r.who === 'public' ? [] : [{ [`${r.who}Signature`]: [] }],
      'x-contamos-who': r.who,
    };
    (paths[r.path] ??= {})[r.method] = op;
  }
  cached = {
    openapi: '3.1.0',
    jsonSchemaDialect: 'https://json-schema.org/draft/2020-12/schema',
    info: {
      title: 'Contamos API',
      version: '1',
      description:
        'Pseudonymous, client-side-encrypted reports of violence against sex workers, and k-anonymised signed releases of counts. ' +
        'Every refusal is `{ "error": { "code", "message", "issues?" } }` with a stable code (see `x-error-codes`). ' +
        'The server keeps no IP address, user agent or cookie. Member, steward and publisher requests are signed: ' +
        SIGNATURE_SCHEME_TEXT,
    },
    servers: [{ url: '/' }],
    tags: [
      { name: 'public', description: 'No signature needed' },
      { name: 'member', description: 'Signed by a member organisation' },
      { name: 'steward', description: 'Signed by the coalition steward' },
      { name: 'publisher', description: 'Signed by a publisher' },
    ],
    paths,
    components: {
      // The manifest as a component too (the responses above embed the same generated schema).
      schemas: { Error: schemaOf(errorBody, 'output'), ReleaseManifest: schemaOf(releaseManifest, 'output') },
      securitySchemes: Object.fromEntries(
        Object.entries(SCHEMES).map(([who, whose]) => [
          `${who}Signature`,
          {
            type: 'apiKey',
            in: 'header',
            name: 'Signature',
            description: `Signed with ${whose}. ${SIGNATURE_SCHEME_TEXT}`,
            'x-http-message-signatures': {
              rfc: 'RFC 9421',
              algorithm: 'ed25519',
              label: 'sig1',
              coveredComponents: ['@method', '@path', '@query (when the URL has a query)', 'content-digest'],
              parameters: ['created', 'nonce', 'keyid', 'alg'],
              contentDigest: 'RFC 9530 sha-256',
              maxAgeSeconds: 300,
              otherHeaders: ['Signature-Input', 'Content-Digest'],
            },
          },
        ]),
      ),
    },
    'x-error-codes': Object.fromEntries(Object.entries(ERRORS).map(([code, [status, message]]) => [code, { status, message }])),
  };
  return cached;
}
