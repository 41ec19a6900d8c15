// The pages as served: 200 with a strict CSP, no inline script or style, nothing from another
// origin, no cookie, no referrer; the statistics page shows a stored release's numbers; the
// static files are served (compressed when asked).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import request from 'supertest';
import type { Express } from 'express';
import type { TestApp } from '../helpers/app.js';
import { startWebTestApp } from './harness.js';
import { insertRelease, sampleManifest } from './fixtures.js';

let t: TestApp & { web: Express };
let hash1 = '';

beforeAll(async () => {
  t = await startWebTestApp();
  const first = await insertRelease(t.ctx, t.publisher, sampleManifest({ sequence: 1, publishedOn: '2026-01-15' }));
  hash1 = first.hash;
  await insertRelease(t.ctx, t.publisher, sampleManifest({ sequence: 2, previousHash: first.hash, publishedOn: '2026-11-28' }));
});
afterAll(async () => {
  await t?.close();
});

const PAGES = [
  '/',
  '/estadisticas',
  '/estadisticas/anual-1',
  '/estadisticas/anual-2?lang=en',
  '/enviar',
  '/enviar?lang=en',
  '/api/v1/docs',
  '/api/v1/docs?lang=en',
];

/** Every src/href/action/xlink:href value in the page. */
function urls(body: string): string[] {
  return [...body.matchAll(/\s(?:src|href|action|xlink:href|srcset|poster|data)\s*=\s*("([^"]*)"|'([^']*)'|([^\s>]+))/gi)].map(
    (m) => m[2] ?? m[3] ?? m[4] ?? '',
  );
}

function cspDirectives(header: string): Map<string, string[]> {
  return new Map(
    header
      .split(';')
      .map((d) => d.trim().split(/\s+/))
      .filter((d) => d[0])
      .map((d) => [d[0]!, d.slice(1)]),
  );
}

describe.each(PAGES)('GET %s', (path) => {
  let res: request.Response;
  beforeAll(async () => {
    res = await request(t.web).get(path);
  });

  it('is HTML, 200', () => {
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/html; charset=utf-8/);
    expect(res.text.startsWith('<!doctype html>')).toBe(true);
  });

  it('has a strict Content-Security-Policy: same origin only, no inline anything', () => {
    const csp = cspDirectives(res.headers['content-security-policy'] ?? '');
    expect(csp.get('default-src')).toEqual(["'none'"]);
    const script = csp.get('script-src')!;
    expect(script[0]).toBe("'self'");
    expect(script.filter((s) => s !== "'self'" && s !== "'wasm-unsafe-eval'")).toEqual([]);
    if (!path.startsWith('/enviar')) expect(script).toEqual(["'self'"]);
    expect(csp.get('style-src')).toEqual(["'self'"]);
    expect(csp.get('connect-src')).toEqual(["'self'"]);
    expect(csp.get('img-src')).toEqual(["'self'", 'data:']);
    expect(csp.get('frame-ancestors')).toEqual(["'none'"]);
    expect(csp.get('base-uri')).toEqual(["'none'"]);
    expect(res.headers['content-security-policy']).not.toMatch(/'unsafe-inline'|'unsafe-eval'|'unsafe-hashes'|\*|https?:/);
  });

  it('sends no referrer and sets no cookie', () => {
    expect(res.headers['referrer-policy']).toBe('no-referrer');
    expect(res.headers['set-cookie']).toBeUndefined();
    expect(res.headers['x-content-type-options']).toBe('nosniff');
  });

  it('has no inline script, no event handler attribute, no style attribute or element', () => {
    for (const tag of res.text.match(/<script\b[^>]*>/gi) ?? []) expect(tag).toMatch(/\ssrc="\/[^/]/);
    expect(res.text).not.toMatch(/<script\b[^>]*>\s*[^<\s]/i); // nothing between <script …> and </script>
    expect(res.text).not.toMatch(/<[^>]+\son[a-z]+\s*=/i);
    expect(res.text).not.toMatch(/<[^>]+\sstyle\s*=/i);
    expect(res.text).not.toMatch(/<style\b/i);
    expect(res.text).not.toMatch(/javascript:/i);
  });

  it('loads and links nothing from another origin', () => {
    const all = urls(res.text);
    expect(all.length).toBeGreaterThan(3);
    for (const u of all) {
      expect(u, u).not.toMatch(/^\s*(?:[a-z][a-z0-9+.-]*:)?\/\//i);
      expect(u, u).toMatch(/^(?:\/|#|data:,?$)/);
    }
  });

  it('has a language switch and is labelled for screen readers', () => {
    const en = path.includes('lang=en');
    expect(res.text).toContain(`<html lang="${en ? 'en' : 'es'}">`);
    expect(res.text).toMatch(en ? />Español<\/a>/ : />English<\/a>/);
    expect(res.text).toContain('<main id="main"');
    expect(res.text).toMatch(/<meta name="viewport" content="width=device-width, initial-scale=1">/);
  });
});

describe('statistics page', () => {
  it('shows the latest release with its numbers, charts, downloads and verification', async () => {
    const res = await request(t.web).get('/estadisticas');
    expect(res.text).toContain('Publicación <code>anual-2</code>');
    expect(res.text).toMatch(/<span class="fig">36<\/span> asesinatos/);
    expect(res.text).toContain('oculta para proteger a las personas');
    expect(res.text).toContain('href="/api/v1/releases/anual-2.csv"');
    expect(res.text).toContain('href="/api/v1/releases/anual-2"');
    expect(res.text).toContain(hash1); // previous hash, and in the list
    expect(res.text).toContain(t.publisher.keyId);
    expect(res.text).toContain('npm run audit -- --server');
    expect(res.text).toContain('Estas cifras son incompletas');
    expect(res.text.match(/<svg class="chart"/g)!.length).toBeGreaterThanOrEqual(4);
    expect(res.text).toContain('href="/estadisticas/anual-1"');
  });

  it('the home page is the statistics page', async () => {
    const res = await request(t.web).get('/');
    expect(res.text).toContain('Publicación <code>anual-2</code>');
  });

  it('shows an earlier release by id', async () => {
    const res = await request(t.web).get('/estadisticas/anual-1');
    expect(res.text).toContain('Publicación <code>anual-1</code>');
    expect(res.text).toContain('ninguna (primera de la serie)');
  });

  it('answers 404 as a page for an unknown or malformed release id', async () => {
    for (const p of ['/estadisticas/anual-9', '/estadisticas/%3Cscript%3E', '/estadisticas/ANUAL-1']) {
      const res = await request(t.web).get(p);
      expect(res.status).toBe(404);
      expect(res.headers['content-type']).toMatch(/^text\/html/);
      expect(res.text).not.toContain('<script>');
      expect(res.headers['content-security-policy']).toContain("default-src 'none'");
    }
  });

  it('ignores any language but en', async () => {
    const res = await request(t.web).get('/estadisticas?lang=%3Cb%3E');
    expect(res.text).toContain('<html lang="es">');
    expect(res.text).not.toContain('<b>');
  });
});

describe('static files', () => {
  it('serves the stylesheet', async () => {
    const res = await request(t.web).get('/static/contamos.css');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/css/);
    expect(res.text).toContain('[hidden]');
  });

  it('serves the submission script (built on demand), compressed when asked', async () => {
    const plain = await request(t.web).get('/static/enviar.js').set('accept-encoding', 'identity');
    expect(plain.status).toBe(200);
    expect(plain.headers['content-type']).toMatch(/^text\/javascript/);
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(plain.text.length).toBeGreaterThan(100_000);
    const gz = await request(t.web).get('/static/enviar.js').set('accept-encoding', 'gzip');
    expect(gz.headers['content-encoding']).toBe('gzip');
    expect(gz.text).toBe(plain.text);
    expect(Number(gz.headers['content-length'])).toBeLessThan(plain.text.length / 2);
  }, 60_000);

  it('has nothing else under /static', async () => {
    const res = await request(t.web).get('/static/other.js');
    expect(res.status).toBe(404);
  });
});

describe('in the real app', () => {
  it('API answers keep the app-wide CSP and no referrer', async () => {
    const res = await request(t.web).get('/api/v1/health');
    expect(res.status).toBe(200);
    expect(res.headers['content-security-policy']).toContain("default-src 'self'");
    expect(res.headers['referrer-policy']).toBe('no-referrer');
  });
});
