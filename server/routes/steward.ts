// The steward's routes over members and dedupe conflicts, all steward-signed and rate-limited per
// key: quarantine (POST) and its undo (DELETE) of a member, the link of a key to another key's
// organisation, the list of dedupe conflicts, the
// steward's resolution of one, and the cells one member dominates (flags). Order of checks: content type (415) → signature (401/403) → shape
// (400) → service (404/409) → write. Routes only parse, call a service and answer.
import { Router } from 'express';
import { jsonBody, jsonType, noBody, parseWith } from '../http/body.js';
import { authOf, requireSignature } from '../http/auth.js';
import { limitByCredential } from '../http/rate-limit.js';
import { conflictsQuery, dedupeTag, memberKeyId, organisationRequest, quarantineRequest, resolveRequest } from '../schemas/steward.js';
import { setQuarantine } from '../services/quarantine.js';
import { joinOrganisation } from '../services/organisations.js';
import { listConflicts, resolveConflict } from '../services/conflicts.js';
import { concentrationFlags } from '../services/concentration.js';
import type { ServiceContext } from '../services/context.js';

export function stewardRoutes(ctx: ServiceContext, limits: { perMinute: number }): Router {
  const r = Router();
  const steward = requireSignature(ctx, ['steward']);
  const perKey = limitByCredential(ctx, limits.perMinute);

  r.post('/steward/members/:keyId/quarantine', jsonType(true), steward, perKey, async (req, res) => {
    const keyId = parseWith(memberKeyId, req.params.keyId, 'invalid_path');
    jsonBody(req, quarantineRequest, { allowEmpty: true });
    res.json(await setQuarantine(ctx, authOf(req), keyId, true));
  });

  r.delete('/steward/members/:keyId/quarantine', steward, perKey, async (req, res) => {
    noBody(req);
    const keyId = parseWith(memberKeyId, req.params.keyId, 'invalid_path');
    res.json(await setQuarantine(ctx, authOf(req), keyId, false));
  });

  r.post('/steward/members/:keyId/organisation', jsonType(false), steward, perKey, async (req, res) => {
    const keyId = parseWith(memberKeyId, req.params.keyId, 'invalid_path');
    const body = jsonBody(req, organisationRequest);
    res.json(await joinOrganisation(ctx, authOf(req), keyId, body.sameAs));
  });

  r.get('/steward/conflicts', steward, perKey, async (req, res) => {
    noBody(req);
    const page = parseWith(conflictsQuery, { ...req.query }, 'invalid_query');
    res.json(await listConflicts(ctx, authOf(req), page));
  });

  r.get('/steward/flags', steward, perKey, async (req, res) => {
    noBody(req);
    res.json(await concentrationFlags(ctx, authOf(req)));
  });

  r.post('/steward/conflicts/:tag/resolve', jsonType(false), steward, perKey, async (req, res) => {
    const tag = parseWith(dedupeTag, req.params.tag, 'invalid_path');
    const body = jsonBody(req, resolveRequest);
    res.json(await resolveConflict(ctx, authOf(req), tag, body.reportId));
  });
  return r;
}
