// Enrolment (public), invitations and revocation (steward-signed). Enrolment is bounded per invite
// (the invite is the credential: a few attempts a minute each) and, for invites this process does
// not know (junk, or made on another replica in the last minute), by a generous global bucket; an
// attempt with a known invite is never refused by the global bound (http/known-credentials.ts).
import { Router } from 'express';
import { z } from 'zod';
import { jsonBody, noBody, parseWith, requireJsonType } from '../http/body.js';
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

  r.post('/invites', (req, _res, next) => { requireJsonType(req, true); next(); }, steward, perKey, async (req, res) => {
    const body = jsonBody(req, inviteRequest, { allowEmpty: true });
    const made = await createInvite(ctx, authOf(req), body.ttlHours);
    known.invites.add(sha256Hex(made.invite), true);
    res.status(201).json(made);
  });

  r.post('/enrol', async (req, res) => {
    const body = jsonBody(req, enrolRequest);
    const invite = sha256Hex(body.invite);
    if (!(await known.perInvite.take(invite))) throw new AppError('rate_limited');
    if ((await known.invites.get(invite)) === undefined && !(await known.unknownInvites.take())) throw new AppError('rate_limited');
    const { keyId, created } = await enrol(ctx, body.invite, body.publicKey);
    known.invites.delete(invite);
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
