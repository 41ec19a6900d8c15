// The set-up of the Chromium end-to-end tests of the submission flow: a real server process
// (scripts/start.ts, as `npm start` runs it) reached THROUGH a loopback proxy that can lose
// answers (test/helpers/tcp-proxy.ts), Debian's Chromium, and the steps a person takes in the
// page, written once: open an invite link, create and enrol a key, save it, fill a report.
// The two viewports every test runs in: a phone (390×844, touch) and a desktop (1280×800).
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect } from 'vitest';
import type { Browser, BrowserContext, Page, Request as PwRequest } from 'playwright-core';
import { launchBrowser } from '../helpers/browser.js';
import { parseKeyFile, ready, signRequest } from '../../crypto/index.js';
import { spawnServer, type ServerProcess } from '../../scripts/lib/spawn-server.js';
import { tcpProxy, type TcpProxy } from '../helpers/tcp-proxy.js';

export const ROOT = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..', '..');
export const ARTIFACTS = path.join(ROOT, 'test-artifacts');

export const VIEWPORTS = [
  { name: 'phone', viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true },
  { name: 'desktop', viewport: { width: 1280, height: 800 }, isMobile: false, hasTouch: false },
] as const;
export type Viewport = (typeof VIEWPORTS)[number];

export const PASSPHRASE = 'llama verde sobre el puente';

export interface Key {
  keyId: string;
  secretKey: string;
  sealPublicKey?: string;
  sealSecretKey?: string;
}

export interface Harness {
  dir: string;
  server: ServerProcess;
  proxy: TcpProxy;
  /** The origin the browser uses: the proxy. */
  origin: string;
  /** The server's own origin (for the test's direct API calls and the CLI). */
  serverUrl: string;
  browser: Browser;
  steward: Key;
  stewardKeyFile: string;
  publisher: Key;
  close(): Promise<void>;
}

export async function startHarness(name: string): Promise<Harness> {
  await ready();
  mkdirSync(ARTIFACTS, { recursive: true });
  const dir = mkdtempSync(path.join(tmpdir(), `contamos-${name}-`));
  const home = path.join(dir, 'home');
  const server = await spawnServer({ DATABASE_URL: `file:${path.join(dir, 'e2e.db')}`, CONTAMOS_HOME: home, LOG_LEVEL: 'info' });
  // Build the page's script once before any browser waits for it (esbuild, in memory: seconds on
  // a busy machine), so no page load carries the build.
  expect((await fetch(`${server.url}/static/enviar.js`)).status).toBe(200);
  const u = new URL(server.url);
  const proxy = await tcpProxy(u.hostname, Number(u.port));
  const s = parseKeyFile(readFileSync(path.join(home, 'steward.key.json'), 'utf8'));
  const p = parseKeyFile(readFileSync(path.join(home, 'publisher.key.json'), 'utf8'));
  const browser = await launchBrowser();
  return {
    dir,
    server,
    proxy,
    browser,
    origin: `http://127.0.0.1:${proxy.port}`,
    serverUrl: server.url,
    steward: { keyId: s.keyId!, secretKey: s.signing!.secretKey!, sealPublicKey: s.seal!.publicKey, sealSecretKey: s.seal!.secretKey! },
    stewardKeyFile: path.join(home, 'steward.key.json'),
    publisher: { keyId: p.keyId!, secretKey: p.signing!.secretKey! },
    close: async () => {
      await browser.close();
      await proxy.close();
      await server.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A request signed in the test (as the CLI would), sent straight to the server. */
export async function api(h: Harness, method: 'GET' | 'POST' | 'PUT', url: string, key: Key | null, body?: unknown): Promise<{ status: number; json: any }> {
  const text = body === undefined ? '' : JSON.stringify(body);
  const headers: Record<string, string> = text ? { 'content-type': 'application/json' } : {};
  if (key) Object.assign(headers, await signRequest({ method, url, body: text }, key));
  const res = await fetch(h.serverUrl + url, { method, headers, ...(text ? { body: text } : {}) });
  return { status: res.status, json: await res.json().catch(() => null) };
}

export async function newInvite(h: Harness): Promise<string> {
  const res = await api(h, 'POST', '/api/v1/invites', h.steward, {});
  expect(res.status).toBe(201);
  return res.json.invite as string;
}

/** Every report the server holds (the steward's view). */
export async function storedReports(h: Harness): Promise<Array<{ id: string; status: string; incidentType: string }>> {
  const out: Array<{ id: string; status: string; incidentType: string }> = [];
  let cursor: string | null = null;
  do {
    const res = await api(h, 'GET', `/api/v1/steward/reports?limit=500${cursor ? `&cursor=${cursor}` : ''}`, h.steward);
    expect(res.status).toBe(200);
    out.push(...res.json.items);
    cursor = res.json.nextCursor ?? null;
  } while (cursor);
  return out;
}

export interface OpenPage {
  ctx: BrowserContext;
  page: Page;
  requests: PwRequest[];
  errors: string[];
}

export async function openPage(h: Harness, vp: Viewport, pathAndHash = '/enviar', lang: 'es' | 'en' = 'es'): Promise<OpenPage> {
  const ctx = await h.browser.newContext({
    viewport: vp.viewport,
    isMobile: vp.isMobile,
    hasTouch: vp.hasTouch,
    acceptDownloads: true,
    locale: lang === 'en' ? 'en-GB' : 'es-PE',
  });
  const page = await ctx.newPage();
  const requests: PwRequest[] = [];
  const errors: string[] = [];
  page.on('request', (r) => requests.push(r));
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(h.origin + pathAndHash, { timeout: 90_000 });
  await expect
    .poll(() => page.textContent('#key-feedback-status'), { timeout: 30_000 })
    .toMatch(lang === 'en' ? /Ready|You received an invite/ : /Listo|Recibió una invitación/);
  return { ctx, page, requests, errors };
}

/** The requests the page made stayed on its own origin. */
export function expectSameOrigin(h: Harness, requests: PwRequest[]): void {
  expect(requests.length).toBeGreaterThan(0);
  for (const r of requests) {
    const u = r.url();
    if (u.startsWith('blob:') || u.startsWith('data:')) continue;
    expect(new URL(u).origin, u).toBe(h.origin);
  }
}

/** Saves the key in the required step; returns the downloaded file's text. */
export async function saveKey(page: Page, passphrase = PASSPHRASE): Promise<{ text: string; name: string }> {
  await page.getByLabel('Contraseña (al menos 12 caracteres; mejor varias palabras)').fill(passphrase);
  await page.getByLabel('Repita la contraseña').fill(passphrase);
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Descargar la llave cifrada' }).click()]);
  const text = readFileSync((await download.path())!, 'utf8');
  await expect.poll(() => page.isVisible('#report-section')).toBe(true);
  return { text, name: download.suggestedFilename() };
}

/** From an invite link to a saved key, as a person does it; returns the key id and the key file. */
export async function enrolFromLink(h: Harness, vp: Viewport): Promise<OpenPage & { keyId: string; keyFile: string; invite: string }> {
  const invite = await newInvite(h);
  const opened = await openPage(h, vp, `/enviar#invitacion=${invite}`);
  const { page } = opened;
  await page.getByRole('button', { name: 'Crear una llave nueva' }).click();
  expect(await page.inputValue('#invite')).toBe(invite);
  await page.getByRole('button', { name: 'Inscribir' }).click();
  await expect.poll(() => page.textContent('#key-state')).toContain('todavía no está guardada');
  const keyId = /(m-[A-Za-z0-9_-]{16})/.exec((await page.textContent('#key-state'))!)![1]!;
  const saved = await saveKey(page);
  return { ...opened, keyId, keyFile: saved.text, invite };
}

export async function fillReport(page: Page, narrative: string, opts: { year?: string; type?: string } = {}): Promise<void> {
  await page.getByLabel('Año', { exact: true }).fill(opts.year ?? '2024');
  await page.getByLabel('Región', { exact: true }).selectOption({ label: 'Lima Metropolitana' });
  await page.getByLabel('Tipo de hecho').selectOption({ label: opts.type ?? 'Extorsión (cobro de cupos)' });
  await page.getByLabel('Presunto agresor').selectOption({ label: 'Organización criminal' });
  await page.getByLabel('Género de la víctima').selectOption({ label: 'Mujer trans' });
  await page.getByLabel('Nacionalidad de la víctima').selectOption({ label: 'Venezuela' });
  await page.getByLabel('Edad de la víctima').selectOption({ label: '25–34' });
  await page.getByLabel(/Qué pasó, con nombres/).fill(narrative);
}

/** Loads a key file into the page and opens it with the passphrase. */
export async function loadKeyFile(page: Page, text: string, name = 'contamos-llave.json', passphrase = PASSPHRASE): Promise<void> {
  await page.setInputFiles('#key-file', { name, mimeType: 'application/json', buffer: Buffer.from(text) });
  await expect.poll(() => page.textContent('#key-file-name')).toBe(`Archivo elegido: ${name}`);
  if (JSON.parse(text).kind === 'contamos-key-encrypted') {
    await page.getByLabel('Contraseña de la llave').fill(passphrase);
    await page.getByRole('button', { name: 'Abrir la llave' }).click();
  }
  await expect.poll(() => page.textContent('#key-state'), { timeout: 20_000 }).toMatch(/Llave lista|Key ready/);
}

export function shot(page: Page, name: string, vp: Viewport): Promise<Buffer> {
  return page.screenshot({ path: path.join(ARTIFACTS, `flow-${vp.name}-${name}.png`), fullPage: true });
}

/** The page has no horizontal scroll at this viewport. */
export async function expectFits(page: Page, vp: Viewport): Promise<void> {
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(vp.viewport.width);
}
