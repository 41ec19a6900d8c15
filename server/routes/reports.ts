// Members' reports (member-signed) and the steward's download of sealed reports (steward-signed):
// the intake route (intakeRoute, a declared route: http/direct-routes.ts) and the others
// (reportRoutes, a router),
// among them the inclusion proofs of all of a member's own reports in one release.
// Order of checks: size (413, while reading) → content type (415) → signature (401/403) → shape
// (400) → service (404/409) → write; on intake a revoked key is refused (403) by the write itself,
// which re-checks revocation in its transaction, so intake reads no member row before it, and the
// rate limits (429) are charged by the write too (one call; a shape refusal is charged first).
// Routes only parse, call a service and answer.
import { Router } from 'express';
import { jsonBody, jsonType, noBody, parseWith } from '../http/body.js';
import { authOf, requireSignature } from '../http/auth.js';
import { limitByCredential, type IntakeLimiter } from '../http/rate-limit.js';
import { AppError } from '../errors.js';
import { declareRoute, type DeclaredRoute, type PlainHandler } from '../http/direct-routes.js';
import { sendJson } from '../http/json.js';
import { releaseId } from '../schemas/release.js';
import { pageQuery, proofPageQuery, reportBody, uuidV4, withdrawRequest, type ReportBody } from '../schemas/report.js';
import { ownProofs } from '../services/own-proofs.js';
import { getOwn, listOwn, submit, withdraw } from '../services/reports.js';
import { stewardReports } from '../services/steward.js';
import type { ServiceContext } from '../services/context.js';

/**
 * `PUT /api/v1/reports/:id`, the busiest route, declared once (http/direct-routes.ts): express
 * serves it, and the app serves its exact URLs directly with the same handlers, which are typed to
 * use only Node's request and response plus the fields both paths set.
 */
export function intakeRoute(ctx: ServiceContext, limits: IntakeLimiter): DeclaredRoute {
  return declareRoute('PUT', '/api/v1/reports/:id', jsonType(), requireSignature(ctx, ['member'], { revocationInWrite: true }), async (req, res) => {
    const auth = authOf(req);
    let input: { id: string; body: ReportBody };
    try {
      input = parseIntake(req);
    } catch (e) {
      // refused before the Store: charged its minute here (a limit's refusal comes first)
      await limits.refusedEarly(auth);
      throw e;
    }
    // the Store charges the rate windows in the same call as the write
    const { created, receipt } = await submit(ctx, auth, input.id, input.body, limits.charge(auth.keyId));
    sendJson(res, created ? 201 : 200, receipt);
  });
}

function parseIntake(req: Parameters<PlainHandler>[0]): { id: string; body: ReportBody } {
  const id = parseWith(uuidV4, req.params.id, 'invalid_path');
  const body = jsonBody(req, reportBody);
  if (body.supersedes === id) throw new AppError('invalid_body', 'A report cannot supersede itself.');
  return { id, body };
}

/** The per-credential rate limit shared by the intake route and the other report routes. */
export function reportRateLimit(ctx: ServiceContext, limits: { perMinute: number }): PlainHandler {
  return limitByCredential(ctx, limits.perMinute);
}

export function reportRoutes(ctx: ServiceContext, perKey: PlainHandler): Router {
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

  r.post('/reports/:id/withdraw', jsonType(true), member, perKey, async (req, res) => {
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
