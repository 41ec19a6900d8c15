// downloads.ts — the open-data downloads of published releases (server/open-data/, the chart
// files of server/web/trend-charts.ts), with the operator's terms, for the routes to send as they
// are.
//
// Guarantees:
// - Everything is made from the signed releases as stored: no count is computed here.
// - A chart is found by the id the page gives it (`tendencia-T-N`); an unknown one is
//   `not_found`. Its file carries the licence, the publisher and the release as a credit line and
//   the citation as metadata; the PNG is drawn from exactly that SVG.
// - Releases never change, so what is costly is kept in memory: the last zip of all releases
//   (until a release is added or the terms change) and up to 256 rendered PNGs (by their SVG).
import { AppError } from '../errors.js';
import { dataPackage } from '../open-data/datapackage.js';
import { citationOf, termsOf, type Terms } from '../open-data/terms.js';
import { releasesZip } from '../open-data/zip.js';
import type { Lang } from '../web/i18n.js';
import { svgToPng } from '../web/png.js';
import { trendSpecs, trendSvgFile } from '../web/trend-charts.js';
import type { ServiceContext } from './context.js';
import { getRelease, listReleases } from './releases.js';

export const termsIn = (ctx: ServiceContext): Terms => ctx.terms ?? termsOf();

export async function releaseDataPackage(ctx: ServiceContext, id: string): Promise<Record<string, unknown>> {
  return dataPackage(await getRelease(ctx, id), termsIn(ctx));
}

const zips = new WeakMap<ServiceContext, { key: string; bytes: Buffer }>();

export async function allReleasesZip(ctx: ServiceContext): Promise<Buffer> {
  const { items } = await listReleases(ctx);
  const terms = termsIn(ctx);
  const key = JSON.stringify([items.map((x) => x.hash), terms]);
  const kept = zips.get(ctx);
  if (kept?.key === key) return kept.bytes;
  const envelopes = await Promise.all(items.map((x) => getRelease(ctx, x.id)));
  const bytes = Buffer.from(releasesZip(envelopes, terms));
  zips.set(ctx, { key, bytes });
  return bytes;
}

const PNG_MAX = 256;
const pngs = new Map<string, Buffer>();

export async function releaseChart(ctx: ServiceContext, id: string, chartId: string, format: 'svg' | 'png', lang: Lang): Promise<string | Buffer> {
  const env = await getRelease(ctx, id);
  const spec = trendSpecs(env.manifest, lang).specs.find((s) => s.id === chartId);
  if (!spec) throw new AppError('not_found');
  const terms = termsIn(ctx);
  const svg = trendSvgFile(spec, lang, {
    credit: `${terms.licence.id} · ${terms.coalition} · ${id}`,
    citation: citationOf(terms, { id, series: env.manifest.series, publishedOn: env.manifest.publishedOn, hash: env.hash }),
  });
  if (format === 'svg') return svg;
  let png = pngs.get(svg);
  if (!png) {
    png = await svgToPng(svg);
    if (pngs.size >= PNG_MAX) pngs.delete(pngs.keys().next().value!);
    pngs.set(svg, png);
  }
  return png;
}
