// Enrolment (public, rate-limited globally), invitations and revocation (steward-signed).
import { Router } from 'express';
import { z } from 'zod';
import { jsonBody, noBody, parseWith, requireJsonType } from '../http/body.js';
import { authOf, requireSignature } from '../http/auth.js';
import { limitByCredential, limitGlobally } from '../http/rate-limit.js';
import { enrolRequest, inviteRequest } from '../schemas/members.js';
import { createInvite, enrol, revoke } from '../services/members.js';
import type { ServiceContext } from '../services/context.js';

const keyIdParam = z.string().regex(/^m-[A-Za-z0-9_-]{16}$/, 'not a member key id');

export function memberRoutes(ctx: ServiceContext, limits: { perMinute: number; publicPerMinute: number }): Router {
  const r = Router();
  const steward = requireSignature(ctx, ['steward']);
  const perKey = limitByCredential(ctx, limits.perMinute);

  r.post('/invites', (req, _res, next) => { requireJsonType(req, true); next(); }, steward, perKey, async (req, res) => {
    const body = jsonBody(req, inviteRequest, { allowEmpty: true });
    res.status(201).json(await createInvite(ctx, authOf(req), body.ttlHours));
  });

  r.post('/enrol', limitGlobally(Math.max(1, Math.floor(limits.publicPerMinute / 10)), 'enrol'), async (req, res) => {
    const body = jsonBody(req, enrolRequest);
    res.status(201).json(await enrol(ctx, body.invite, body.publicKey));
  });

  r.delete('/members/:keyId', steward, perKey, async (req, res) => {
    noBody(req);
    const keyId = parseWith(keyIdParam, req.params.keyId, 'invalid_path');
    res.json(await revoke(ctx, authOf(req), keyId));
  });
  return r;
}
