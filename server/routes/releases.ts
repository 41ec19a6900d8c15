// Releases: drafting, dry runs and signing (publisher-signed), the featured series (publisher-set,
// public to read), publishing (public: list, JSON,
// tidy CSV, HXL CSV, Frictionless data package, one zip of all), the publication log (public: every manifest ever shown) and inclusion proofs
// (member-signed, own reports only). No route changes or deletes a release or a log entry.
import { Router } from 'express';
import { jsonBody, noBody, parseWith, requireJsonType } from '../http/body.js';
import { authOf, requireSignature } from '../http/auth.js';
import { limitByCredential } from '../http/rate-limit.js';
import { draftId, featuredRequest, releaseId, releaseRequest, releaseSignature } from '../schemas/release.js';
import { getFeatured, setFeatured } from '../services/featured.js';
import { uuidV4 } from '../schemas/report.js';
import { draftRelease, dryRunRelease, getPublication, getRelease, listPublications, listReleases, proofFor, signRelease, type Envelope } from '../services/releases.js';
import { z } from 'zod';
import type { ServiceContext } from '../services/context.js';
import { hxlCsv, tidyCsv } from '../open-data/csv.js';
import { dataPackage } from '../open-data/datapackage.js';
import { citationOf, termsOf } from '../open-data/terms.js';
import { releasesZip } from '../open-data/zip.js';
import type { Response } from 'express';
import { langOf } from '../web/i18n.js';
import { trendSpecs, trendSvgFile } from '../web/trend-charts.js';
import { svgToPng } from '../web/png.js';
import { AppError } from '../errors.js';

const chartFile = z.string().regex(/^tendencia-[1-9][0-9]?-[1-9][0-9]?\.(svg|png)$/, 'not a chart file');
/** Rendered PNGs by release, chart and language: releases never change, so neither do their charts. */
const pngCache = new Map<string, Buffer>();
const PNG_CACHE_MAX = 256;

/** The licence and the data package travel with every download as Link headers (RFC 8288): the CSV and the signed JSON stay as they are. */
function setLinks(res: Response, ctx: ServiceContext, id: string): void {
  const terms = ctx.terms ?? termsOf();
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

const logIndex = z.string().regex(/^[1-9][0-9]{0,8}$/, 'not a log index').transform(Number);

export function releaseRoutes(ctx: ServiceContext, limits: { perMinute: number }): Router {
  const r = Router();
  let zipCache: { key: string; bytes: Buffer } | undefined;
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

  r.put('/featured', (req, _res, next) => { requireJsonType(req); next(); }, publisher, perKey, async (req, res) => {
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
    const { items } = await listReleases(ctx);
    const terms = ctx.terms ?? termsOf();
    // releases never change: the zip is made again only when a release is added or the terms change
    const key = JSON.stringify([items.map((x) => x.hash), terms]);
    if (zipCache?.key !== key) {
      const envelopes = await Promise.all(items.map((x) => getRelease(ctx, x.id)));
      zipCache = { key, bytes: Buffer.from(releasesZip(envelopes, terms)) };
    }
    res.setHeader('Cache-Control', 'public, max-age=60');
    res.setHeader('Content-Type', 'application/zip');
    res.setHeader('Content-Disposition', 'attachment; filename="contamos-releases.zip"');
    res.send(zipCache.bytes);
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
    const env = await getRelease(ctx, id);
    res.setHeader('Cache-Control', 'public, max-age=3600');
    res.json(dataPackage(env, ctx.terms ?? termsOf()));
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
    const lang = langOf(req);
    const env = await getRelease(ctx, id);
    const chartId = file.replace(/\.(svg|png)$/, '');
    const spec = trendSpecs(env.manifest, lang).specs.find((s) => s.id === chartId);
    if (!spec) throw new AppError('not_found');
    const terms = ctx.terms ?? termsOf();
    const svg = trendSvgFile(spec, lang, {
      credit: `${terms.licence.id} · ${terms.coalition} · ${id}`,
      citation: citationOf(terms, { id, series: env.manifest.series, publishedOn: env.manifest.publishedOn, hash: env.hash }),
    });
    setLinks(res, ctx, id);
    res.setHeader('Cache-Control', 'public, max-age=3600');
    res.setHeader('Content-Disposition', `inline; filename="contamos-${id}-${file}"`);
    if (file.endsWith('.svg')) {
      res.setHeader('Content-Type', 'image/svg+xml; charset=utf-8');
      res.setHeader('Content-Security-Policy', "default-src 'none'; style-src 'none'; script-src 'none'");
      return void res.send(svg);
    }
    const key = `${id}/${chartId}/${lang}/${svg.length}/${terms.licence.id}/${terms.coalition}`;
    let png = pngCache.get(key);
    if (!png) {
      png = await svgToPng(svg);
      if (pngCache.size >= PNG_CACHE_MAX) pngCache.delete(pngCache.keys().next().value!);
      pngCache.set(key, png);
    }
    res.setHeader('Content-Type', 'image/png');
    res.send(png);
  });

  r.get('/releases/:id/proof/:reportId', member, perKey, async (req, res) => {
    noBody(req);
    const id = parseWith(releaseId, req.params.id, 'invalid_path');
    const reportId = parseWith(uuidV4, req.params.reportId, 'invalid_path');
    res.json(await proofFor(ctx, authOf(req), id, reportId));
  });
  return r;
}
