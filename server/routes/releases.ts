// Releases: drafting, dry runs and signing (publisher-signed), the featured series (publisher-set,
// public to read), publishing (public: list, JSON, tidy CSV, HXL CSV, Frictionless data package,
// trend charts as SVG and PNG, one zip of all), the publication log (public: every manifest ever
// shown) and inclusion proofs (member-signed, own reports only). No route changes or deletes a
// release or a log entry. Every download links the licence and the data package (Link headers).
import { type Response, Router } from 'express';
import { jsonBody, jsonType, noBody, parseWith } from '../http/body.js';
import { authOf, requireSignature } from '../http/auth.js';
import { limitByCredential } from '../http/rate-limit.js';
import { draftId, featuredRequest, releaseId, releaseRequest, releaseSignature } from '../schemas/release.js';
import { getFeatured, setFeatured } from '../services/featured.js';
import { uuidV4 } from '../schemas/report.js';
import { proofFor } from '../services/own-proofs.js';
import { draftRelease, dryRunRelease, getPublication, getRelease, listPublications, listReleases, signRelease } from '../services/releases.js';
import { z } from 'zod';
import type { ServiceContext } from '../services/context.js';
import { hxlCsv, tidyCsv } from '../open-data/csv.js';
import { allReleasesZip, releaseChart, releaseDataPackage, termsIn } from '../services/downloads.js';
import { langOf } from '../web/i18n.js';

const chartFile = z.string().regex(/^tendencia-[1-9][0-9]?-[1-9][0-9]?\.(svg|png)$/, 'not a chart file');

/** The licence and the data package travel with every download as Link headers (RFC 8288): the CSV and the signed JSON stay as they are. */
function setLinks(res: Response, ctx: ServiceContext, id: string): void {
  const terms = termsIn(ctx);
  const links = [`</api/v1/releases/${id}/datapackage.json>; rel="describedby"; type="application/json"`];
  if (terms.licence.url) links.unshift(`<${terms.licence.url}>; rel="license"`);
  res.setHeader('Link', links.join(', '));
}

function sendCsv(res: Response, filename: string, body: string): void {
  res.setHeader('Cache-Control', 'public, max-age=86400, immutable');
  res.setHeader('Content-Type', 'text/csv; charset=utf-8');
  res.setHeader('Content-Disposition', `attachment; filename="${filename}"`);
  res.send(body);
}

const logIndex = z
  .string()
  .regex(/^[1-9][0-9]{0,8}$/, 'not a log index')
  .transform(Number);

export function releaseRoutes(ctx: ServiceContext, limits: { perMinute: number }): Router {
  const r = Router();
  const publisher = requireSignature(ctx, ['publisher']);
  const member = requireSignature(ctx, ['member']);
  const perKey = limitByCredential(ctx, limits.perMinute);

  r.post('/releases', jsonType(), publisher, perKey, async (req, res) => {
    const body = jsonBody(req, releaseRequest);
    res.status(201).json(await draftRelease(ctx, authOf(req), body));
  });

  r.post('/releases/dry-run', jsonType(), publisher, perKey, async (req, res) => {
    const body = jsonBody(req, releaseRequest);
    res.status(200).json(await dryRunRelease(ctx, authOf(req), body));
  });

  r.post('/releases/drafts/:draftId/signature', jsonType(), publisher, perKey, async (req, res) => {
    const id = parseWith(draftId, req.params.draftId, 'invalid_path');
    const body = jsonBody(req, releaseSignature);
    res.status(201).json(await signRelease(ctx, authOf(req), id, body.signature));
  });

  r.put('/featured', jsonType(), publisher, perKey, async (req, res) => {
    const body = jsonBody(req, featuredRequest);
    res.json(await setFeatured(ctx, authOf(req), body.series));
  });

  r.get('/featured', async (req, res) => {
    noBody(req);
    res.setHeader('Cache-Control', 'no-cache');
    res.json(await getFeatured(ctx));
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

  r.get('/releases.zip', async (req, res) => {
    noBody(req);
    const bytes = await allReleasesZip(ctx);
    res.setHeader('Cache-Control', 'public, max-age=60');
    res.setHeader('Content-Type', 'application/zip');
    res.setHeader('Content-Disposition', 'attachment; filename="contamos-releases.zip"');
    res.send(bytes);
  });

  r.get('/releases/:file', async (req, res) => {
    noBody(req);
    const csv = req.params.file.endsWith('.csv');
    const id = parseWith(releaseId, csv ? req.params.file.slice(0, -4) : req.params.file, 'invalid_path');
    const env = await getRelease(ctx, id);
    setLinks(res, ctx, id);
    if (csv) return sendCsv(res, `contamos-${id}.csv`, tidyCsv(env.manifest));
    res.setHeader('Cache-Control', 'public, max-age=86400, immutable');
    res.json(env);
  });

  r.get('/releases/:id/datapackage.json', async (req, res) => {
    noBody(req);
    const id = parseWith(releaseId, req.params.id, 'invalid_path');
    const pkg = await releaseDataPackage(ctx, id);
    res.setHeader('Cache-Control', 'public, max-age=3600');
    res.json(pkg);
  });

  r.get('/releases/:id/data.csv', async (req, res) => {
    noBody(req);
    const id = parseWith(releaseId, req.params.id, 'invalid_path');
    const env = await getRelease(ctx, id);
    setLinks(res, ctx, id);
    sendCsv(res, `contamos-${id}.csv`, tidyCsv(env.manifest));
  });

  r.get('/releases/:id/data-hxl.csv', async (req, res) => {
    noBody(req);
    const id = parseWith(releaseId, req.params.id, 'invalid_path');
    const env = await getRelease(ctx, id);
    setLinks(res, ctx, id);
    sendCsv(res, `contamos-${id}-hxl.csv`, hxlCsv(env.manifest));
  });

  r.get('/releases/:id/charts/:file', async (req, res) => {
    noBody(req);
    const id = parseWith(releaseId, req.params.id, 'invalid_path');
    const file = parseWith(chartFile, req.params.file, 'invalid_path');
    const format = file.endsWith('.svg') ? 'svg' : 'png';
    const body = await releaseChart(ctx, id, file.slice(0, -4), format, langOf(req));
    setLinks(res, ctx, id);
    res.setHeader('Cache-Control', 'public, max-age=3600');
    res.setHeader('Content-Disposition', `inline; filename="contamos-${id}-${file}"`);
    if (format === 'svg') {
      res.setHeader('Content-Type', 'image/svg+xml; charset=utf-8');
      res.setHeader('Content-Security-Policy', "default-src 'none'; style-src 'none'; script-src 'none'");
    } else {
      res.setHeader('Content-Type', 'image/png');
    }
    res.send(body);
  });

  r.get('/releases/:id/proof/:reportId', member, perKey, async (req, res) => {
    noBody(req);
    const id = parseWith(releaseId, req.params.id, 'invalid_path');
    const reportId = parseWith(uuidV4, req.params.reportId, 'invalid_path');
    res.json(await proofFor(ctx, authOf(req), id, reportId));
  });
  return r;
}
