// send-outcome.ts — what a failed submission means for the report the page is sending.
//
// Guarantees: `failureKind` says "refused" only for answers with which the server states that it
// stored nothing under this id (a refusal of the body, the key or the path: 4xx other than the
// transient ones below). Everything else — no answer at all, a dropped connection, a 5xx, a
// replayed nonce (a browser may resend a request whose answer was lost, and the copy is refused
// as a replay although the original was stored), an expired signature, a rate limit — is
// "unknown": the report may be stored, so the page keeps the SAME report id and body, and only
// retries them (the server answers 200 with the same receipt) until the person abandons the send
// explicitly.
import { ApiError, NetworkError } from './api.js';

export type FailureKind = 'refused' | 'unknown';

const TRANSIENT = new Set(['replayed_nonce', 'signature_expired', 'rate_limited', 'request_aborted', 'database_unavailable', 'internal']);

export function failureKind(e: unknown): FailureKind {
  if (e instanceof NetworkError) return 'unknown';
  if (e instanceof ApiError) {
    if (e.status >= 500 || e.status === 429 || e.status === 408 || TRANSIENT.has(e.code)) return 'unknown';
    if (e.status >= 400) return 'refused';
  }
  return 'unknown';
}
