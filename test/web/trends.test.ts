// Pages a journalist can use as they are, on real releases: each series drawn over the years as an
// SVG line chart (hidden years are gaps, never zeros), downloadable as SVG and PNG; hidden figures
// labelled neutrally with the reason linked; no duplicate rows; licence and citation shown; and,
// in Chromium with JavaScript disabled, the charts render and every table column is on screen on a
// phone.
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { inflateSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import request from 'supertest';
import type { Browser } from 'playwright-core';
import { startTestApp, type TestApp } from '../helpers/app.js';
import { publish } from '../helpers/releases.js';
import { describeWithBrowser, launchBrowser } from '../helpers/browser.js';
import { binary, seedTwoYears } from '../open-data/helpers.js';
import { trendSpecs, trendSvg } from '../../server/web/trend-charts.js';

let t: TestApp;
let multi: Awaited<ReturnType<typeof publish>>;
let single: Awaited<ReturnType<typeof publish>>;

beforeAll(async () => {
  t = await startTestApp('sqlite');
  await seedTwoYears(t);
  multi = await publish(t, {
    series: 'anual',
    filter: { years: [2023, 2024] },
    k: 3,
    tables: [
      ['year', 'incidentType'],
      ['year', 'region'],
    ],
  });
  single = await publish(t, { series: 'solo-2024', filter: { year: 2024 }, k: 3, tables: [['year', 'incidentType']] });
}, 120_000);
afterAll(async () => {
  await t?.close();
});

/** A PNG's size and whether any pixel is not white (colour type 2 or 6, 8 bits, no interlace). */
function pngFacts(png: Buffer): { width: number; height: number; inked: boolean } {
  expect(png.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
  const width = png.readUInt32BE(16);
  const height = png.readUInt32BE(20);
  const idat: Buffer[] = [];
  for (let o = 8; o < png.length; ) {
    const len = png.readUInt32BE(o);
    if (png.toString('latin1', o + 4, o + 8) === 'IDAT') idat.push(png.subarray(o + 8, o + 8 + len));
    o += 12 + len;
  }
  const raw = inflateSync(Buffer.concat(idat));
  const bpp = png[25] === 6 ? 4 : 3;
  let inked = false;
  for (let row = 0; row < height && !inked; row++) {
    // filter bytes aside, "none" (0) and "sub"/"up" of white are mostly 0 or 255: look for a row with many mid values
    const line = raw.subarray(row * (width * bpp + 1) + 1, (row + 1) * (width * bpp + 1));
    let mid = 0;
    for (const b of line) if (b > 10 && b < 245) mid++;
    if (mid > 20) inked = true;
  }
  return { width, height, inked };
}

describe('series over the years', () => {
  it('draws one line chart per series, a hidden year as a gap and never as a zero', () => {
    const m = {
      domains: { year: ['2022', '2023', '2024'], incidentType: ['homicide', 'kidnapping'] },
      tables: [
        {
          dimensions: ['year', 'incidentType'],
          cells: [
            ...['2022', '2023', '2024'].map((year, i) => ({ key: { year, incidentType: '*' }, count: 40 + i, suppressed: false })),
            { key: { year: '2022', incidentType: 'homicide' }, count: 30, suppressed: false },
            { key: { year: '2023', incidentType: 'homicide' }, count: null, suppressed: true },
            { key: { year: '2024', incidentType: 'homicide' }, count: 35, suppressed: false },
            { key: { year: '2022', incidentType: 'kidnapping' }, count: 0, suppressed: false },
            { key: { year: '2023', incidentType: 'kidnapping' }, count: 0, suppressed: false },
            { key: { year: '2024', incidentType: 'kidnapping' }, count: 0, suppressed: false },
          ],
        },
      ],
    };
    const { specs } = trendSpecs(m as any, 'es');
    expect(specs.map((s) => s.title)).toEqual(['Todos los hechos registrados', 'Homicidio / asesinato']); // kidnapping: all zero, nothing to draw
    const total = trendSvg(specs[0]!, 'es').value;
    expect(total.match(/class="trend-line"/g)).toHaveLength(2); // 2022–2023–2024 joined
    const hom = trendSvg(specs[1]!, 'es').value;
    expect(hom.match(/class="trend-line"/g) ?? []).toHaveLength(0); // 30 — gap — 35: nothing joins the hidden year
    expect(hom).toContain('<g class="trend-point hidden-value"><title>2023: oculta para proteger a las personas</title>');
    expect(hom).toContain('<desc id="tendencia-1-2-desc">2022: 30; 2023: oculta para proteger a las personas; 2024: 35</desc>');
    expect(hom.match(/<circle /g)).toHaveLength(2);
    expect(hom).not.toMatch(/>0<\/text>\s*<\/g>\s*<g class="trend-point hidden-value"/);
    expect(hom).not.toMatch(/\sstyle=|<script|\son[a-z]+=/i);
    expect(trendSpecs({ ...m, domains: { ...m.domains, year: ['2024'] } } as any, 'es').specs).toEqual([]); // one year: no trend
  });

  it('are on the page of a release over several years, with SVG and PNG downloads', async () => {
    const page = (await request(t.app).get(`/estadisticas/${multi.manifest.id}`)).text;
    const charts = [...page.matchAll(/<figure class="chart-figure trend-figure" id="(tendencia-[0-9-]+)">/g)].map((m) => m[1]!);
    expect(charts.length).toBeGreaterThan(6);
    expect(charts).toContain('tendencia-1-1');
    // six at once, the others one click away (no JavaScript needed)
    const more = page.indexOf('<details class="more-trends">');
    expect(more).toBeGreaterThan(0);
    expect(charts.filter((c) => page.indexOf(`id="${c}"`) < more)).toHaveLength(6);
    expect(page).toContain(`<summary>Ver ${charts.length - 6} series más</summary>`);
    expect(page).toContain(`href="/api/v1/releases/${multi.manifest.id}/charts/tendencia-1-1.svg"`);
    expect(page).toContain(`href="/api/v1/releases/${multi.manifest.id}/charts/tendencia-1-1.png"`);
    // the all-incidents series is drawn once, although both tables have it
    expect(page.match(/<span class="chart-title">Todos los hechos registrados<\/span>/g)).toHaveLength(1);
    const onePage = (await request(t.app).get(`/estadisticas/${single.manifest.id}`)).text;
    expect(onePage).not.toContain('trend-figure');
    // a one-year release points to where its year is followed over time
    expect(onePage).toContain(
      `Esta publicación cubre un solo año (2024). La evolución por año está en <a href="/estadisticas/${multi.manifest.id}">${multi.manifest.id}</a> (2023–2024).`,
    );
    const list = (await request(t.app).get('/api/v1/releases')).body.items;
    expect(list.map((x: { id: string; years: string[] }) => [x.id, x.years])).toEqual([
      [multi.manifest.id, ['2023', '2024']],
      [single.manifest.id, ['2024']],
    ]);
  });

  it('downloads a chart as a standalone SVG and as a PNG drawn from it', async () => {
    const base = `/api/v1/releases/${multi.manifest.id}/charts/tendencia-1-1`;
    const svg = await request(t.app).get(`${base}.svg`).buffer(true).parse(binary);
    expect(svg.status).toBe(200);
    expect(svg.headers['content-type']).toMatch(/^image\/svg\+xml/);
    const text = (svg.body as Buffer).toString('utf8');
    expect(text).toMatch(/^<\?xml[^>]*>\n<svg class="trend" xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
    expect(text).toContain('Todos los hechos registrados');
    // the licence, the publisher and the release travel with the image; the citation as metadata
    expect(text).toContain(`<text class="trend-credit"`);
    expect(text).toContain(`CC-BY-4.0 · Coalición Contamos · ${multi.manifest.id}`);
    expect(text).toMatch(new RegExp(`<metadata>Coalición Contamos \\(\\d{4}\\)\\. [^<]*${multi.hash}`));
    expect(svg.headers.link).toContain('<https://creativecommons.org/licenses/by/4.0/>; rel="license"');
    expect(((await request(t.app).get(`${base}.svg?lang=en`).buffer(true).parse(binary)).body as Buffer).toString('utf8')).toContain('All recorded incidents');
    const png = await request(t.app).get(`${base}.png`).buffer(true).parse(binary);
    expect(png.status).toBe(200);
    expect(png.headers['content-type']).toBe('image/png');
    const facts = pngFacts(png.body as Buffer);
    expect(facts).toMatchObject({ width: 720, height: 448 });
    expect(facts.inked).toBe(true);
  });

  it('refuses a malformed chart name (400) and an unknown one (404)', async () => {
    const id = multi.manifest.id;
    for (const bad of ['x.svg', 'tendencia-1-1.gif', '..%2Fsecret.png', 'tendencia-1-1.svg.png']) {
      expect((await request(t.app).get(`/api/v1/releases/${id}/charts/${bad}`)).status).toBe(400);
    }
    expect((await request(t.app).get(`/api/v1/releases/${id}/charts/tendencia-9-9.svg`)).status).toBe(404);
    expect((await request(t.app).get(`/api/v1/releases/${single.manifest.id}/charts/tendencia-1-1.png`)).status).toBe(404);
  });
});

describe('hidden figures, rows, licence', () => {
  it('labels hidden figures neutrally and links to why they are hidden', async () => {
    const page = (await request(t.app).get(`/estadisticas/${multi.manifest.id}`)).text;
    expect(page).not.toMatch(/menos de \d+ o protegido/);
    expect(page).toContain('<a class="hidden-why" href="#por-que-ocultas">oculta para proteger a las personas</a>');
    expect(page).toMatch(/<p class="legend" id="por-que-ocultas">/);
    const en = (await request(t.app).get(`/estadisticas/${multi.manifest.id}?lang=en`)).text;
    expect(en).toContain('<a class="hidden-why" href="#por-que-ocultas">hidden to protect people</a>');
  });

  it('lists each figure once: a one-year table has no "Total" row repeating the year', async () => {
    const page = (await request(t.app).get(`/estadisticas/${single.manifest.id}`)).text;
    const table = /<table class="stack">[\s\S]*?<\/table>/.exec(page)![0];
    const rows = [...table.matchAll(/<tr>([\s\S]*?)<\/tr>/g)].map((m) => m[1]!.replace(/<[^>]+>/g, '|')).slice(1);
    expect(rows.length).toBeGreaterThan(5);
    expect(rows.some((r) => /\|Total\|[^|]*\|\|Total\|/.test(r))).toBe(false); // no Total × Total row beside 2024 × Total
    const years = rows.map((r) => r.split('|').filter(Boolean)[0]);
    expect(new Set(years)).toEqual(new Set(['2024']));
    expect(new Set(rows).size).toBe(rows.length);
  });

  it('shows the licence and how to cite the release', async () => {
    const page = (await request(t.app).get(`/estadisticas/${multi.manifest.id}`)).text;
    expect(page).toContain('Creative Commons Attribution 4.0 International (CC-BY-4.0)');
    expect(page).toMatch(/<blockquote class="citation"><p>Coalición Contamos \(\d{4}\)\. [^<]*anual-1[^<]*<\/p><\/blockquote>/);
    expect(page).toContain(multi.hash);
  });
});

describeWithBrowser('in Chromium, JavaScript disabled', () => {
  let browser: Browser;
  let server: Server;
  let origin: string;
  beforeAll(async () => {
    server = t.app.listen(0, '127.0.0.1');
    await new Promise<void>((ok) => server.once('listening', () => ok()));
    origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    browser = await launchBrowser();
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await new Promise((ok) => server?.close(ok));
  });

  it('renders the trend charts, with their gaps, and the downloads open as images', async () => {
    const ctx = await browser.newContext({ javaScriptEnabled: false, viewport: { width: 1280, height: 900 } });
    const page = await ctx.newPage();
    const res = await page.goto(`${origin}/estadisticas/${multi.manifest.id}`);
    expect(res?.status()).toBe(200);
    const charts = page.locator('svg.trend');
    expect(await charts.count()).toBeGreaterThan(2);
    const box = await charts.first().boundingBox();
    expect(box!.width).toBeGreaterThan(200);
    expect(box!.height).toBeGreaterThan(100);
    expect(await page.locator('svg.trend line.trend-line').count()).toBeGreaterThan(0);
    const circle = await page.locator('svg.trend circle').first().boundingBox();
    expect(circle!.width).toBeGreaterThan(3);
    const svg = await page.goto(`${origin}/api/v1/releases/${multi.manifest.id}/charts/tendencia-1-1.svg`);
    expect(svg?.headers()['content-type']).toMatch(/image\/svg\+xml/);
    expect((await page.locator('svg').first().boundingBox())!.width).toBeGreaterThan(200);
    await page.goto(`${origin}/api/v1/releases/${multi.manifest.id}/charts/tendencia-1-1.png`);
    const img = await page.locator('img').first().boundingBox();
    expect(img!.width).toBeGreaterThan(300);
    await ctx.close();
  });

  it('shows every column of every table on a phone, without scrolling sideways', async () => {
    const ctx = await browser.newContext({ javaScriptEnabled: false, viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
    const page = await ctx.newPage();
    await page.goto(`${origin}/estadisticas/${multi.manifest.id}`);
    const cells = page.locator('table.releases td');
    expect(await cells.count()).toBe(6 * 2);
    for (let i = 0; i < (await cells.count()); i++) {
      const b = (await cells.nth(i).boundingBox())!;
      expect(b.x).toBeGreaterThanOrEqual(0);
      expect(b.x + b.width).toBeLessThanOrEqual(390 + 0.5);
    }
    const downloads = page.locator('table.releases td[data-label="Descargas"] a', { hasText: 'CSV' }).first();
    const d = (await downloads.boundingBox())!;
    expect(d.x + d.width).toBeLessThanOrEqual(390);
    // the page itself is no wider than the phone
    const html = (await page.locator('main').boundingBox())!;
    expect(html.x + html.width).toBeLessThanOrEqual(390 + 0.5);
    await ctx.close();
  });
});
