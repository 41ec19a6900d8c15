// Members' reports (member-signed) and the steward's download of sealed reports (steward-signed):
// the intake route (intakeRoute, mounted on the app) and the others (reportRoutes, a router),
// among them the inclusion proofs of all of a member's own reports in one release.
// Order of checks: size (413, while reading) → content type (415) → signature (401/403) → shape
// (400) → service (404/409) → write. Routes only parse, call a service and answer.
import { Router, type RequestHandler } from 'express';
import { jsonBody, noBody, parseWith, requireJsonType } from '../http/body.js';
import { authOf, requireSignature } from '../http/auth.js';
import { limitByCredential } from '../http/rate-limit.js';
import { chain } from '../http/chain.js';
import { sendJson } from '../http/json.js';
import { releaseId } from '../schemas/release.js';
import { pageQuery, proofPageQuery, reportBody, uuidV4, withdrawRequest } from '../schemas/report.js';
import { ownProofs } from '../services/own-proofs.js';
import { getOwn, listOwn, submit, withdraw } from '../services/reports.js';
import { stewardReports } from '../services/steward.js';
import type { ServiceContext } from '../services/context.js';

/** Where the intake route is mounted: on the app itself (see intakeRoute). */
export const INTAKE_PATH = '/api/v1/reports/:id';
/** The URLs the app serves directly at INTAKE_PATH (http/direct-routes.ts); others reach express. */
export const INTAKE_PATTERN = /^\/api\/v1\/reports\/(?<id>[^/?#%]+)(?:\?.*)?$/;

/**
 * `PUT /api/v1/reports/:id`, the busiest route: the app serves it directly, without express's
 * per-request machinery (http/direct-routes.ts), and registers it at INTAKE_PATH too for the URLs
 * it leaves to express. So it uses only what Node's request and response have, plus `req.params`.
 */
export function intakeRoute(ctx: ServiceContext, perKey: RequestHandler): RequestHandler {
  return chain((req, _res, next) => { requireJsonType(req); next(); }, requireSignature(ctx, ['member']), perKey, async (req, res) => {
    const id = parseWith(uuidV4, req.params.id, 'invalid_path');
    const body = jsonBody(req, reportBody);
    const { created, receipt } = await submit(ctx, authOf(req), id, body);
    sendJson(res, created ? 201 : 200, receipt);
  });
}

/** The per-credential rate limit shared by the intake route and the other report routes. */
export function reportRateLimit(ctx: ServiceContext, limits: { perMinute: number }): RequestHandler {
  return limitByCredential(ctx, limits.perMinute);
}

export function reportRoutes(ctx: ServiceContext, perKey: RequestHandler): Router {
  const r = Router();
  const member = requireSignature(ctx, ['member']);
  const steward = requireSignature(ctx, ['steward']);

  r.get('/reports/:id', member, perKey, async (req, res) => {
    noBody(req);
    const id = parseWith(uuidV4, req.params.id, 'invalid_path');
    res.json(await getOwn(ctx, authOf(req), id));
  });

  r.get('/reports', member, perKey, async (req, res) => {
    noBody(req);
    const page = parseWith(pageQuery, { ...req.query }, 'invalid_query');
    res.json(await listOwn(ctx, authOf(req), page));
  });

  r.post('/reports/:id/withdraw', (req, _res, next) => { requireJsonType(req, true); next(); }, member, perKey, async (req, res) => {
    const id = parseWith(uuidV4, req.params.id, 'invalid_path');
    jsonBody(req, withdrawRequest, { allowEmpty: true });
    res.json(await withdraw(ctx, authOf(req), id));
  });

  r.get('/releases/:id/proofs', member, perKey, async (req, res) => {
    noBody(req);
    const id = parseWith(releaseId, req.params.id, 'invalid_path');
    const page = parseWith(proofPageQuery, { ...req.query }, 'invalid_query');
    res.json(await ownProofs(ctx, authOf(req), id, page));
  });

  r.get('/steward/reports', steward, perKey, async (req, res) => {
    noBody(req);
    const page = parseWith(pageQuery, { ...req.query }, 'invalid_query');
    res.json(await stewardReports(ctx, authOf(req), page));
  });
  return r;
}
