// Enrolment (public), invitations and revocation (steward-signed). Enrolment is bounded per invite
// (the invite is the credential: a few attempts a minute each) and by a generous global bound on
// all attempts (http/shed.ts, before any work).
import { Router } from 'express';
import { z } from 'zod';
import { jsonBody, jsonType, noBody, parseWith } from '../http/body.js';
import { authOf, requireSignature } from '../http/auth.js';
import { limitByCredential } from '../http/rate-limit.js';
import { knownOf } from '../http/known-credentials.js';
import { sha256Hex } from '../../crypto/index.js';
import { AppError } from '../errors.js';
import { enrolRequest, inviteRequest } from '../schemas/members.js';
import { createInvite, enrol, revoke } from '../services/members.js';
import type { ServiceContext } from '../services/context.js';

const keyIdParam = z.string().regex(/^m-[A-Za-z0-9_-]{16}$/, 'not a member key id');

export function memberRoutes(ctx: ServiceContext, limits: { perMinute: number; publicPerMinute: number }): Router {
  const r = Router();
  const steward = requireSignature(ctx, ['steward']);
  const perKey = limitByCredential(ctx, limits.perMinute);
  const known = knownOf(ctx);

  r.post('/invites', jsonType(true), steward, perKey, async (req, res) => {
    const body = jsonBody(req, inviteRequest, { allowEmpty: true });
    res.status(201).json(await createInvite(ctx, authOf(req), body.ttlHours, body.sameOrganisationAs));
  });

  r.post('/enrol', async (req, res) => {
    const body = jsonBody(req, enrolRequest);
    const invite = sha256Hex(body.invite);
    if (!known.perInvite.takeSync(invite)) throw new AppError('rate_limited');
    const { keyId, created } = await enrol(ctx, body.invite, body.publicKey);
    if (created) known.memberKeys.add(keyId, body.publicKey);
    res.status(201).json({ keyId });
  });

  r.delete('/members/:keyId', steward, perKey, async (req, res) => {
    noBody(req);
    const keyId = parseWith(keyIdParam, req.params.keyId, 'invalid_path');
    res.json(await revoke(ctx, authOf(req), keyId));
  });
  return r;
}
