// The global bound on unauthenticated work (issue 16), applied before express or any handler runs:
// a request without a `Signature` header spends one unit of a per-process bucket — enrolment
// attempts (`POST /api/v1/enrol`) their own, everything else (pages, release downloads, health,
// taxonomy, unmatched paths, unsigned requests to signed routes) the public one; each holds
// PUBLIC_RATE_LIMIT_PER_MINUTE spent per second. Beyond it the answer is 429 `rate_limited`, written
// at once with no body read, no routing, no page rendered and no log line (a flood must not fill
// the log either). Signed requests never spend from these buckets, so a flood of unsigned ones
// cannot refuse a member's request; they are bounded per credential after their signature is
// checked (http/rate-limit.ts, http/auth.ts). Never by address.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Express } from 'express';
import { ERRORS } from '../errors.js';
import type { Known } from './known-credentials.js';

const ENROL = /^\/api\/v1\/enrol\/?(?:\?.*)?$/i;
const BODY = JSON.stringify({ error: { code: 'rate_limited', message: ERRORS.rate_limited[1] } });

/** Wraps the app's entry point (see header); every other request goes on as before. */
export function shedUnauthenticated(app: Express, known: Known): void {
  type Handle = (req: IncomingMessage, res: ServerResponse, next?: unknown) => void;
  const entry = app as unknown as { handle: Handle };
  const inner = entry.handle.bind(app);
  entry.handle = (req, res, next) => {
    if (next === undefined && req.headers.signature === undefined) {
      const bucket = req.method === 'POST' && ENROL.test(req.url ?? '') ? known.enrolWork : known.publicWork;
      if (!bucket.takeSync()) {
        res.writeHead(429, {
          'content-type': 'application/json; charset=utf-8',
          'content-length': Buffer.byteLength(BODY),
          'cache-control': 'no-store',
          'retry-after': '1',
          'x-content-type-options': 'nosniff',
        });
        res.end(BODY);
        return;
      }
    }
    inner(req, res, next);
  };
}
