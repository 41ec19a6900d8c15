// Every refusal the server gives: a stable code, an HTTP status and a plain message. Services
// throw AppError; the HTTP layer maps it (and body-parser, zod and database failures) to
// `{ error: { code, message } }`. Nothing here ever includes request data or a stack trace.
import type { ZodError } from 'zod';

export const ERRORS = {
  invalid_json: [400, 'The body is not valid JSON.'],
  invalid_body: [400, 'The body does not match the expected shape.'],
  invalid_query: [400, 'The query string does not match the expected shape.'],
  invalid_path: [400, 'The path parameter is not valid.'],
  request_aborted: [400, 'The request body was not received completely.'],
  signature_missing: [401, 'This request must be signed (HTTP Message Signatures, RFC 9421).'],
  signature_malformed: [401, 'The request signature is malformed or does not cover the required components.'],
  digest_mismatch: [401, 'The Content-Digest does not match the body.'],
  signature_expired: [401, 'The signature is too old or dated in the future; sign the request again.'],
  /** no longer sent (issue 16): an unknown key is answered as signature_invalid; kept for older clients */
  unknown_key: [401, 'The signing key is not known.'],
  signature_invalid: [401, 'The signature does not verify.'],
  replayed_nonce: [401, 'This signed request was already used (replay); sign it again with a new nonce.'],
  key_revoked: [403, 'This key has been revoked by the steward.'],
  forbidden_role: [403, 'This key may not perform this action.'],
  not_found: [404, 'Not found.'],
  member_not_found: [404, 'No member with this key id.'],
  report_not_found: [404, 'No such report among your own.'],
  invite_invalid: [400, 'The invite is unknown, used or expired.'],
  /** no longer sent (issue 16): an enrolled key is answered as a new enrolment; kept for older clients */
  key_already_enrolled: [409, 'This public key is already enrolled.'],
  report_conflict: [409, 'A different report already exists under this id.'],
  report_not_active: [409, 'The report is not active (withdrawn or superseded).'],
  dedupe_choice_invalid: [409, 'That report is not an active report under this dedupe tag of a member whose reports count; nothing was recorded.'],
  release_not_found: [404, 'No such release.'],
  draft_not_found: [404, 'No such release draft (it may have expired); ask for the release again.'],
  not_in_release: [404, 'This report is not counted in that release.'],
  release_signature_invalid: [400, 'The signature does not verify over the draft manifest with your key.'],
  release_stale: [409, 'Another release of this series was published meanwhile; ask for the release again.'],
  series_not_found: [
    404,
    'No signed release of this series exists: publish one before featuring it. / No hay ninguna publicación firmada de esta serie: publique una antes de destacarla.',
  ],
  publication_not_found: [404, 'No such entry in the publication log.'],
  k_below_minimum: [400, 'k is below the minimum this server publishes with.'],
  series_k_fixed: [409, 'The k of this series was fixed by its first release and cannot change.'],
  dry_run_unpublished_year: [
    409,
    'A dry run shows only data a publication already used, and no publication has used one of these years yet: ask for a draft (it is logged) to see it.',
  ],
  release_unprotectable: [409, 'No suppression pattern can protect this release against what was already published; try other tables or wait for more data.'],
  dp_total_unprotected: [
    409,
    'The exact total (keepTotal) would give away a small count together with what was already published: publish this release without keepTotal.',
  ],
  k_conflicts_with_log: [
    409,
    'A figure already published with a smaller k would appear in this release below its k: publish it with the k of the earlier release, or without that table.',
  ],
  budget_over_release_limit: [
    422,
    'This release asks for more privacy budget than one release may spend on this server (CONTAMOS_DP_MAX_RHO); no counts were shown and nothing was stored.',
  ],
  budget_exceeded: [
    409,
    'This release would spend more of the server’s privacy budget (shared by every differential-privacy series) than is left; no counts were shown and nothing was stored.',
  ],
  budget_fixed: [
    409,
    'The server’s privacy budget total was fixed by its first differential-privacy release and the configuration no longer matches it; no counts were shown and nothing was stored.',
  ],
  budget_conflict: [409, 'Another differential-privacy draft spent from the budget at the same moment; nothing was stored. Ask for the release again.'],
  series_method_mismatch: [409, 'A series is published with one method only (suppression or dp).'],
  payload_too_large: [413, 'The body is larger than allowed.'],
  unsupported_media_type: [415, 'The body must be application/json (UTF-8).'],
  rate_limited: [429, 'Too many requests; wait a moment and try again.'],
  daily_limit_reached: [
    429,
    'This member has sent as many new reports today as the operator allows (CONTAMOS_MEMBER_DAILY_REPORTS); nothing was stored. Try again tomorrow (UTC).',
  ],
  database_unavailable: [503, 'The database is unavailable; the request was not stored. Try again shortly.'],
  internal: [500, 'Something went wrong on the server; nothing was stored.'],
} as const satisfies Record<string, readonly [number, string]>;

export type ErrorCode = keyof typeof ERRORS;

export interface Issue {
  path: string;
  message: string;
}

export class AppError extends Error {
  readonly status: number;
  constructor(
    readonly code: ErrorCode,
    message?: string,
    readonly issues?: Issue[],
  ) {
    super(message ?? ERRORS[code][1]);
    this.status = ERRORS[code][0];
  }
}

export function zodIssues(err: ZodError): Issue[] {
  return err.issues.slice(0, 20).map((i) => ({ path: i.path.map(String).join('.') || '(body)', message: i.message }));
}
