// The people-facing pages: public statistics (/, /estadisticas: the newest release of the series the
// publisher features, services/featured.ts; /estadisticas/:releaseId), the
// submission form (/enviar), the API reference (/api/v1/docs, /api/v1/openapi.json) and their
// two static files (/static/contamos.css, /static/enviar.js). Mount before the API routers:
//   app.use(webRoutes(ctx));
// Guarantees: every page is HTML rendered on the server with the `html` escaper; pages carry
// their own strict Content-Security-Policy (nothing from another origin, no inline script or
// style; the submission page additionally allows 'wasm-unsafe-eval', which only lets its own
// same-origin script compile libsodium's WebAssembly — it does not allow eval of JavaScript),
// Referrer-Policy no-referrer and no cookie; the statistics pages need no JavaScript at all.
// Routes only read, render and answer: the counts come from the published releases unchanged.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { brotliCompressSync, constants as zlibConstants, gzipSync } from 'node:zlib';
import { type NextFunction, type Request, type Response, Router } from 'express';
import { AppError } from '../errors.js';
import { openApiDocument } from '../openapi.js';
import { getRelease, listReleases } from '../services/releases.js';
import { getFeatured } from '../services/featured.js';
import type { ServiceContext } from '../services/context.js';
import { WEB_DIR, webBundle } from '../web/bundle.js';
import { docsPage } from '../web/docs-page.js';
import { langOf } from '../web/i18n.js';
import { latestRelease, notFoundPage, statsPage } from '../web/stats-page.js';
import { releaseId, type ReleaseEnvelope } from '../schemas/manifest.js';
import { submitPage } from '../web/submit-page.js';

const CSP_BASE = [
  "default-src 'none'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "font-src 'self'",
  "form-action 'self'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
  "object-src 'none'",
];
export const PAGE_CSP = ["script-src 'self'", ...CSP_BASE].join('; ');
export const SUBMIT_PAGE_CSP = ["script-src 'self' 'wasm-unsafe-eval'", ...CSP_BASE].join('; ');

function sendPage(res: Response, body: string, opts: { status?: number; csp?: string } = {}): void {
  res.status(opts.status ?? 200);
  res.setHeader('Content-Type', 'text/html; charset=utf-8');
  res.setHeader('Content-Security-Policy', opts.csp ?? PAGE_CSP);
  res.setHeader('Referrer-Policy', 'no-referrer');
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.setHeader('Cache-Control', 'no-cache');
  res.send(body);
}

/** Compressed variants of a static file, made once. */
interface Asset {
  type: string;
  raw: Buffer;
  gzip: Buffer;
  br: Buffer;
}
function asset(type: string, raw: Buffer): Asset {
  return {
    type,
    raw,
    gzip: gzipSync(raw, { level: 9 }),
    br: brotliCompressSync(raw, { params: { [zlibConstants.BROTLI_PARAM_QUALITY]: 11, [zlibConstants.BROTLI_PARAM_SIZE_HINT]: raw.length } }),
  };
}

function sendAsset(req: Request, res: Response, a: Asset): void {
  const accept = String(req.headers['accept-encoding'] ?? '');
  const enc = /\bbr\b/.test(accept) ? 'br' : /\bgzip\b/.test(accept) ? 'gzip' : null;
  res.setHeader('Content-Type', a.type);
  res.setHeader('Cache-Control', 'no-cache');
  res.setHeader('Vary', 'Accept-Encoding');
  res.setHeader('X-Content-Type-Options', 'nosniff');
  if (enc) res.setHeader('Content-Encoding', enc);
  res.send(enc === 'br' ? a.br : enc === 'gzip' ? a.gzip : a.raw);
}

/** Rendered statistics pages kept in memory (see `stats`). */
const STATS_PAGES_MAX = 16;

export function webRoutes(ctx: ServiceContext): Router {
  const r = Router();
  const statsPages = new Map<string, string>();

  const stats = async (req: Request, res: Response, id: string | null) => {
    const lang = langOf(req);
    const { items } = await listReleases(ctx);
    const wanted = id ?? (await getFeatured(ctx)).release ?? latestRelease(items)?.id ?? null;
    let current: ReleaseEnvelope | null = null;
    if (wanted !== null) {
      try {
        current = await getRelease(ctx, wanted);
      } catch (e) {
        if (e instanceof AppError && e.code === 'release_not_found') return sendPage(res, notFoundPage(lang, '/estadisticas'), { status: 404 });
        throw e;
      }
    }
    const pagePath = id ? `/estadisticas/${id}` : req.path === '/' ? '/' : '/estadisticas';
    // Releases never change: a page is rendered again only when the list of releases, the one
    // shown, the language or the operator's terms change (a large release takes ~0.3 s to render).
    const key = JSON.stringify([lang, pagePath, current?.hash ?? null, items.map((x) => x.hash), ctx.terms ?? null]);
    let body = statsPages.get(key);
    if (body === undefined) {
      body = statsPage({ lang, path: pagePath, items, current, ...(ctx.terms ? { terms: ctx.terms } : {}) });
      if (statsPages.size >= STATS_PAGES_MAX) statsPages.delete(statsPages.keys().next().value!);
      statsPages.set(key, body);
    }
    sendPage(res, body);
  };

  r.get('/', (req, res) => stats(req, res, null));
  r.get('/estadisticas', (req, res) => stats(req, res, null));
  r.get('/estadisticas/:releaseId', (req, res) => {
    const id = req.params.releaseId;
    if (!releaseId.safeParse(id).success) return sendPage(res, notFoundPage(langOf(req), '/estadisticas'), { status: 404 });
    return stats(req, res, id);
  });

  const pages = new Map<string, string>();
  r.get('/enviar', (req, res) => {
    void webBundle().catch(() => undefined); // start building the script while the page travels
    const lang = langOf(req);
    if (!pages.has(lang)) pages.set(lang, submitPage(lang));
    sendPage(res, pages.get(lang)!, { csp: SUBMIT_PAGE_CSP });
  });

  let css: Asset | undefined;
  r.get('/static/contamos.css', (req, res) => {
    css ??= asset('text/css; charset=utf-8', readFileSync(path.join(WEB_DIR, 'static', 'contamos.css')));
    sendAsset(req, res, css);
  });

  const scripts = new Map<string, Asset>();
  r.get('/static/:name.js', async (req, res, next: NextFunction) => {
    const name = `${req.params.name}.js`;
    let a = scripts.get(name);
    if (!a) {
      let bundle;
      try {
        bundle = await webBundle();
      } catch {
        // No prebuilt web/dist and no esbuild to build it (a production install without dev tools).
        res.status(503).setHeader('Content-Type', 'text/plain; charset=utf-8');
        return void res.send('The submission script is not built on this server: run `npm run build:web` where esbuild is installed.\n');
      }
      const raw = bundle.files.get(name);
      if (!raw) return next();
      a = asset('text/javascript; charset=utf-8', raw);
      scripts.set(name, a);
    }
    sendAsset(req, res, a);
  });

  r.get('/api/v1/openapi.json', (_req, res) => {
    res.setHeader('Cache-Control', 'public, max-age=300');
    res.json(openApiDocument());
  });
  const docs = new Map<string, string>();
  r.get('/api/v1/docs', (req, res) => {
    const lang = langOf(req);
    if (!docs.has(lang)) docs.set(lang, docsPage(lang));
    sendPage(res, docs.get(lang)!);
  });
  return r;
}
