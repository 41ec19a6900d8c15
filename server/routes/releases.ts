// Releases: drafting, dry runs and signing (publisher-signed), publishing (public: list, JSON,
// CSV), the publication log (public: every manifest ever shown) and inclusion proofs
// (member-signed, own reports only). No route changes or deletes a release or a log entry.
import { Router } from 'express';
import { stringify } from 'csv-stringify/sync';
import { jsonBody, noBody, parseWith, requireJsonType } from '../http/body.js';
import { authOf, requireSignature } from '../http/auth.js';
import { limitByCredential } from '../http/rate-limit.js';
import { draftId, releaseId, releaseRequest, releaseSignature } from '../schemas/release.js';
import { uuidV4 } from '../schemas/report.js';
import { draftRelease, dryRunRelease, getPublication, getRelease, listPublications, listReleases, proofFor, signRelease, type Envelope } from '../services/releases.js';
import { z } from 'zod';
import type { ServiceContext } from '../services/context.js';

/** One row a cell; suppressed cells say so; DP releases carry the 90% error margin of each count. */
export function releaseCsv(env: Envelope): string {
  const m = env.manifest;
  const dims = [...new Set(m.tables.flatMap((t) => t.dimensions))];
  const dp = m.method === 'dp';
  const rows = m.tables.flatMap((t, i) =>
    t.cells.map((c) => [
      String(i + 1),
      ...dims.map((d) => (d in c.key ? (c.key[d] === '*' ? 'Total' : c.key[d]) : '')),
      c.suppressed ? '' : String(c.count),
      dp ? `± ${m.dp?.errorMargin90 ?? ''}` : c.suppressed ? `< ${m.k} o protegido / < ${m.k} or protected` : '',
    ]),
  );
  return '\uFEFF' + stringify([['table', ...dims, 'count', dp ? 'margin90' : 'suppressed'], ...rows]);
}

const logIndex = z.string().regex(/^[1-9][0-9]{0,8}$/, 'not a log index').transform(Number);

export function releaseRoutes(ctx: ServiceContext, limits: { perMinute: number }): Router {
  const r = Router();
  const publisher = requireSignature(ctx, ['publisher']);
  const member = requireSignature(ctx, ['member']);
  const perKey = limitByCredential(ctx, limits.perMinute);

  r.post('/releases', (req, _res, next) => { requireJsonType(req); next(); }, publisher, perKey, async (req, res) => {
    const body = jsonBody(req, releaseRequest);
    res.status(201).json(await draftRelease(ctx, authOf(req), body));
  });

  r.post('/releases/dry-run', (req, _res, next) => { requireJsonType(req); next(); }, publisher, perKey, async (req, res) => {
    const body = jsonBody(req, releaseRequest);
    res.status(200).json(await dryRunRelease(ctx, authOf(req), body));
  });

  r.post('/releases/drafts/:draftId/signature', (req, _res, next) => { requireJsonType(req); next(); }, publisher, perKey, async (req, res) => {
    const id = parseWith(draftId, req.params.draftId, 'invalid_path');
    const body = jsonBody(req, releaseSignature);
    res.status(201).json(await signRelease(ctx, authOf(req), id, body.signature));
  });

  r.get('/publications', async (req, res) => {
    noBody(req);
    res.setHeader('Cache-Control', 'public, max-age=60');
    res.json(await listPublications(ctx));
  });

  r.get('/publications/:index', async (req, res) => {
    noBody(req);
    const index = parseWith(logIndex, req.params.index, 'invalid_path');
    res.setHeader('Cache-Control', 'public, max-age=86400, immutable');
    res.json(await getPublication(ctx, index));
  });

  r.get('/releases', async (req, res) => {
    noBody(req);
    res.setHeader('Cache-Control', 'public, max-age=60');
    res.json(await listReleases(ctx));
  });

  r.get('/releases/:file', async (req, res) => {
    noBody(req);
    const csv = req.params.file.endsWith('.csv');
    const id = parseWith(releaseId, csv ? req.params.file.slice(0, -4) : req.params.file, 'invalid_path');
    const env = await getRelease(ctx, id);
    res.setHeader('Cache-Control', 'public, max-age=86400, immutable');
    if (!csv) return void res.json(env);
    res.setHeader('Content-Type', 'text/csv; charset=utf-8');
    res.setHeader('Content-Disposition', `attachment; filename="contamos-${id}.csv"`);
    res.send(releaseCsv(env));
  });

  r.get('/releases/:id/proof/:reportId', member, perKey, async (req, res) => {
    noBody(req);
    const id = parseWith(releaseId, req.params.id, 'invalid_path');
    const reportId = parseWith(uuidV4, req.params.reportId, 'invalid_path');
    res.json(await proofFor(ctx, authOf(req), id, reportId));
  });
  return r;
}
