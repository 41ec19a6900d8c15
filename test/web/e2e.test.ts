// End to end, in a real browser (the machine's Chromium driven by playwright-core) against a real
// server process: an organisation enrols with an invite, creates its key in the page, submits a
// report in Spanish, sees the verified receipt and withdraws the report; then the statistics page,
// with JavaScript DISABLED, shows a release's chart and numbers. Throughout: no request leaves the
// server's origin, the narrative never crosses the network in plaintext, and no page has an
// inline script. Screenshots go to test-artifacts/ (and the 1280 px statistics page to
// docs/screenshot-estadisticas.png, shown in the README, when missing or with
// CONTAMOS_UPDATE_SCREENSHOTS=1).
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { randomBytes, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Browser, Page, Request as PwRequest } from 'playwright-core';
import {
  canonicalJson,
  dedupeTag,
  generateDedupeSecret,
  generateSigningKeyPair,
  openNarrative,
  parseKeyFile,
  ready,
  sealNarrative,
  serializeKeyFile,
  signDetached,
  signRequest,
  verifyReceipt,
} from '../../crypto/index.js';
import { spawnServer, type ServerProcess } from '../../scripts/lib/spawn-server.js';
import { hasSumo } from '../../server/web/bundle.js';
import { chromiumPath, describeWithBrowser, launchBrowser } from '../helpers/browser.js';

const ROOT = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..', '..');
const ARTIFACTS = path.join(ROOT, 'test-artifacts');

interface Key {
  keyId: string;
  publicKey?: string;
  secretKey: string;
  sealPublicKey?: string;
  sealSecretKey?: string;
}

let dir: string;
let server: ServerProcess;
let browser: Browser;
let steward: Key;
let publisher: Key;
let origin: string;

beforeAll(async () => {
  if (!chromiumPath) return; // skipped: no browser on this machine
  await ready();
  mkdirSync(ARTIFACTS, { recursive: true });
  dir = mkdtempSync(path.join(tmpdir(), 'contamos-web-e2e-'));
  const env = { DATABASE_URL: `file:${path.join(dir, 'e2e.db')}`, CONTAMOS_HOME: path.join(dir, 'home'), LOG_LEVEL: 'info' };
  server = await spawnServer(env);
  origin = new URL(server.url).origin;
  const s = parseKeyFile(readFileSync(path.join(dir, 'home', 'steward.key.json'), 'utf8'));
  steward = { keyId: s.keyId!, secretKey: s.signing!.secretKey!, sealPublicKey: s.seal!.publicKey, sealSecretKey: s.seal!.secretKey! };
  const p = parseKeyFile(readFileSync(path.join(dir, 'home', 'publisher.key.json'), 'utf8'));
  publisher = { keyId: p.keyId!, secretKey: p.signing!.secretKey! };
  browser = await launchBrowser();
}, 90_000);

afterAll(async () => {
  await browser?.close();
  await server?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** A request signed in the test (as the CLI or the page would), sent with fetch. */
async function api(method: 'GET' | 'POST' | 'PUT', url: string, key: Key | null, body?: unknown): Promise<{ status: number; json: any }> {
  const text = body === undefined ? '' : JSON.stringify(body);
  const headers: Record<string, string> = text ? { 'content-type': 'application/json' } : {};
  if (key) Object.assign(headers, await signRequest({ method, url, body: text }, key));
  const res = await fetch(origin + url, { method, headers, ...(text ? { body: text } : {}) });
  return { status: res.status, json: await res.json().catch(() => null) };
}

async function invite(): Promise<string> {
  const res = await api('POST', '/api/v1/invites', steward, {});
  expect(res.status).toBe(201);
  return res.json.invite as string;
}

/** Records every request of a page, with its body. */
function recordRequests(page: Page): PwRequest[] {
  const all: PwRequest[] = [];
  page.on('request', (r) => all.push(r));
  return all;
}

function expectSameOrigin(requests: PwRequest[]): void {
  expect(requests.length).toBeGreaterThan(0);
  for (const r of requests) {
    const u = r.url();
    if (u.startsWith('blob:') || u.startsWith('data:')) continue; // in-page downloads, not network
    expect(new URL(u).origin, u).toBe(origin);
  }
}

async function expectNoInlineScript(page: Page): Promise<void> {
  const scripts = await page.$$eval('script', (list) => list.map((s) => ({ src: s.getAttribute('src'), text: s.textContent ?? '' })));
  for (const s of scripts) {
    expect(s.src).toMatch(/^\/[^/]/);
    expect(s.text.trim()).toBe('');
  }
  // (the browser's own form autofill leaves empty style="" attributes on inputs: those are not ours)
  expect(await page.$$eval('[style]:not([style=""]), style', (l) => l.map((e) => e.outerHTML.slice(0, 200)))).toEqual([]);
}

describeWithBrowser('submission form (JavaScript on, 360 px)', () => {
  it('enrols, creates a key in the page, submits in Spanish, verifies the receipt and withdraws', async () => {
    const ctx = await browser.newContext({ viewport: { width: 360, height: 780 }, acceptDownloads: true, locale: 'es-PE' });
    const page = await ctx.newPage();
    const requests = recordRequests(page);
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    const marker = `NARRATIVA-${randomBytes(6).toString('hex')}`;
    const narrative = `${marker}: María Fernanda, 27 años, desaparecida en la avenida Los Olivos tras negarse a pagar el cupo.`;

    await page.goto(`${origin}/enviar`);
    await expect.poll(() => page.textContent('#key-feedback-status'), { timeout: 20_000 }).toContain('Listo');
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(360);
    await page.screenshot({ path: path.join(ARTIFACTS, 'enviar-360-inicio.png'), fullPage: true });

    // 1. A key made in the page, enrolled with an invite.
    await page.getByRole('button', { name: 'Crear una llave nueva' }).click();
    await page.getByLabel('Invitación', { exact: true }).fill(await invite());
    await page.getByLabel('Invitación', { exact: true }).press('Enter'); // the keyboard is enough
    await expect.poll(() => page.textContent('#key-state')).toMatch(/Llave inscrita \(m-.*todavía no está guardada/);
    const keyId = /(m-[A-Za-z0-9_-]{16})/.exec((await page.textContent('#key-state'))!)![1]!;

    // 2. Saving the key (required before the form appears): encrypted with a passphrase when the
    //    libsodium build allows it.
    expect(await page.isVisible('#report-section')).toBe(false);
    if (hasSumo()) {
      await page.getByLabel('Contraseña (al menos 12 caracteres; mejor varias palabras)').fill('llama verde sobre el puente');
      await page.getByLabel('Repita la contraseña').fill('llama verde sobre el puente');
      const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Descargar la llave cifrada' }).click()]);
      const saved = JSON.parse(readFileSync((await download.path())!, 'utf8'));
      expect(saved.kind).toBe('contamos-key-encrypted');
      expect(JSON.stringify(saved)).not.toContain(keyId);
    } else {
      expect(await page.isVisible('#save-plain-button')).toBe(true);
      expect(await page.isVisible('#save-key-button')).toBe(false);
      await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Descargar la llave sin cifrar' }).click()]);
    }
    await expect.poll(() => page.textContent('#key-state')).toMatch(/Llave lista\. Su organización firma como m-/);

    // 3. A report, in Spanish, every label from the taxonomy.
    await page.getByLabel('Año', { exact: true }).fill('2024');
    await page.getByLabel('Región', { exact: true }).selectOption({ label: 'Lima Metropolitana' });
    await page.getByLabel('Tipo de hecho').selectOption({ label: 'Desaparición' });
    await page.getByLabel('Desenlace (solo desapariciones)').selectOption({ label: 'Sigue desaparecida' });
    await page.getByLabel('Presunto agresor').selectOption({ label: 'Organización criminal' });
    await page.getByLabel('Género de la víctima').selectOption({ label: 'Mujer trans' });
    await page.getByLabel('Nacionalidad de la víctima').selectOption({ label: 'Venezuela' });
    await page.getByLabel('Edad de la víctima').selectOption({ label: '25–34' });
    await page.getByLabel(/Qué pasó, con nombres/).fill(narrative);
    await page.screenshot({ path: path.join(ARTIFACTS, 'enviar-360-formulario.png'), fullPage: true });
    await page.getByRole('button', { name: 'Cifrar y enviar' }).click();

    await expect.poll(() => page.isVisible('#receipt-section'), { timeout: 20_000 }).toBe(true);
    expect(await page.textContent('#receipt-verified')).toContain('Firma verificada');
    expect(await page.textContent('#submit-feedback-status')).toContain('Reporte recibido');
    expect(await page.inputValue('#f-narrative')).toBe(''); // the plaintext is cleared once stored
    const reportId = (await page.textContent('#r-id'))!;
    expect(reportId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    await page.screenshot({ path: path.join(ARTIFACTS, 'enviar-360-recibo.png'), fullPage: true });

    // The receipt downloads, and verifies here too with the published receipt key.
    const [dl] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Descargar el recibo' }).click()]);
    const receipt = JSON.parse(readFileSync((await dl.path())!, 'utf8'));
    const wk = (await api('GET', '/.well-known/contamos.json', null)).json;
    expect(receipt.reportId).toBe(reportId);
    expect(verifyReceipt(receipt, wk.receipt.publicKey)).toBe(true);

    // 4. The organisation's own list, and withdrawal.
    const row = page.locator('#mine-list li', { hasText: reportId });
    await expect.poll(() => row.textContent()).toContain('Activo');
    page.once('dialog', (d) => void d.accept());
    await page.getByRole('button', { name: `Retirar ${reportId}` }).click();
    await expect.poll(() => page.textContent('#mine-feedback-status')).toContain(`Reporte ${reportId} retirado`);
    await expect.poll(() => row.textContent()).toContain('Retirado');
    await page.screenshot({ path: path.join(ARTIFACTS, 'enviar-360-retirado.png'), fullPage: true });
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(360);

    // The server holds it withdrawn, sealed: only the steward's key opens the narrative.
    const stored = (await api('GET', '/api/v1/steward/reports?limit=500', steward)).json.items.find((r: { id: string }) => r.id === reportId);
    expect(stored.status).toBe('withdrawn');
    expect(stored.incidentType).toBe('disappearance');
    expect(stored.outcome).toBe('still-missing');
    expect(openNarrative(stored.sealedNarrative, steward.sealPublicKey!, steward.sealSecretKey!)).toBe(narrative);

    // Nothing left the origin; the narrative never travelled in plaintext; no inline script.
    expectSameOrigin(requests);
    const bodies = requests.map((r) => r.postData() ?? '').join('\n');
    expect(bodies).toContain('sealedNarrative');
    for (const needle of [marker, encodeURIComponent(marker), 'María Fernanda', 'Los Olivos', Buffer.from(narrative).toString('base64').slice(0, 24)]) {
      expect(bodies).not.toContain(needle);
    }
    for (const r of requests) expect(r.url()).not.toContain(marker);
    await expectNoInlineScript(page);
    expect(errors).toEqual([]);
    await ctx.close();
  }, 60_000);
});

describeWithBrowser('submission form in English, with a key file from the command line', () => {
  it('loads the key file, submits with a dedupe tag, amends the report', async () => {
    // The organisation made its key with the CLI (`contamos keys` + `contamos enrol`).
    const kp = generateSigningKeyPair();
    const enrolled = await api('POST', '/api/v1/enrol', null, { invite: await invite(), publicKey: kp.publicKey });
    const keyFile = serializeKeyFile({ kind: 'contamos-key', version: 1, role: 'member', keyId: enrolled.json.keyId, signing: kp });
    const secret = generateDedupeSecret();

    const ctx = await browser.newContext({ viewport: { width: 1024, height: 900 }, locale: 'en-GB' });
    const page = await ctx.newPage();
    const requests = recordRequests(page);
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`${origin}/enviar?lang=en`);
    await expect.poll(() => page.textContent('#key-feedback-status'), { timeout: 20_000 }).toContain('Ready');
    await page.setInputFiles('#key-file', { name: 'member.key.json', mimeType: 'application/json', buffer: Buffer.from(keyFile) });
    await expect.poll(() => page.textContent('#key-state')).toContain(`Key ready. Your organisation signs as ${enrolled.json.keyId}`);

    const fill = async (year: string, type: string, region: string, narrative: string) => {
      await page.getByLabel('Year', { exact: true }).fill(year);
      await page.getByLabel('Region', { exact: true }).selectOption({ label: region });
      await page.getByLabel('Incident type').selectOption({ label: type });
      await page.getByLabel('Alleged perpetrator').selectOption({ label: 'Police' });
      await page.getByLabel("Victim's gender").selectOption({ label: 'Trans woman' });
      await page.getByLabel("Victim's nationality").selectOption({ label: 'Colombia' });
      await page.getByLabel("Victim's age").selectOption({ label: '18–24' });
      await page.getByLabel(/What happened, with names/).fill(narrative);
    };
    const details = 'Carla Rojas, 2024-03-02, Jr. Huallaga 300';
    await fill('2023', 'Extortion (protection payments)', 'Callao', 'first version, with a name: Carla Rojas');
    await page.locator('details.dedupe summary').click();
    await page.setInputFiles('#dedupe-secret', {
      name: 'coalition.secret.json',
      mimeType: 'application/json',
      buffer: Buffer.from(JSON.stringify({ kind: 'contamos-dedupe-secret', version: 1, secret })),
    });
    await expect.poll(() => page.textContent('#submit-feedback-status')).toContain('Coalition secret loaded');
    await page.getByLabel('Details that identify the incident (never sent)').fill(details);
    await page.getByRole('button', { name: 'Encrypt and send' }).click();
    await expect.poll(() => page.textContent('#submit-feedback-status'), { timeout: 20_000 }).toContain('Report received');
    const firstId = (await page.textContent('#r-id'))!;

    // Amend it: the new report supersedes the first.
    await page.getByRole('button', { name: `Amend ${firstId}` }).click();
    expect(await page.textContent('#amend-text')).toContain(`You are amending report ${firstId}`);
    expect(await page.inputValue('#f-region')).toBe('PE-CAL');
    await fill('2023', 'Kidnapping', 'Callao', 'corrected version: it was a kidnapping');
    await page.getByRole('button', { name: 'Encrypt and send' }).click();
    await expect
      .poll(
        async () => {
          const id = await page.textContent('#r-id');
          return Boolean(id) && id !== firstId;
        },
        { timeout: 20_000 },
      )
      .toBe(true);
    const secondId = (await page.textContent('#r-id'))!;
    await expect.poll(() => page.locator('#mine-list li', { hasText: firstId }).textContent()).toContain('Replaced by an amendment');
    expect(await page.locator('#mine-list li', { hasText: secondId }).textContent()).toContain('Active');
    await page.screenshot({ path: path.join(ARTIFACTS, 'enviar-en-corregido.png'), fullPage: true });

    const bodies = requests.map((r) => r.postData() ?? '').filter(Boolean);
    const sent = bodies.map((b) => {
      try {
        return JSON.parse(b);
      } catch {
        return {};
      }
    });
    expect(sent.find((b) => b.incidentType === 'extortion').dedupeTag).toBe(dedupeTag(secret, details));
    expect(sent.find((b) => b.incidentType === 'kidnapping').supersedes).toBe(firstId);
    for (const needle of ['Carla', 'Huallaga', 'corrected version', secret, kp.secretKey]) expect(bodies.join('\n')).not.toContain(needle);
    expectSameOrigin(requests);
    await expectNoInlineScript(page);
    expect(errors).toEqual([]);
    await ctx.close();
  }, 60_000);
});

describeWithBrowser('statistics page (JavaScript off)', () => {
  it('shows every release, the chart and the numbers of the latest, with nothing from elsewhere', async () => {
    // Data: a member submits 24 reports for 2024; the publisher asks for a release and signs it.
    const kp = generateSigningKeyPair();
    const enrolled = await api('POST', '/api/v1/enrol', null, { invite: await invite(), publicKey: kp.publicKey });
    expect(enrolled.status).toBe(201);
    const member: Key = { keyId: enrolled.json.keyId, secretKey: kp.secretKey };
    const plan: Array<[string, string, number]> = [
      ['homicide', 'PE-LMA', 7],
      ['homicide', 'PE-CAL', 2],
      ['disappearance', 'PE-LMA', 6],
      ['extortion', 'PE-LMA', 5],
      ['extortion', 'PE-MDD', 2],
      ['kidnapping', 'PE-ARE', 2],
    ];
    for (const [incidentType, region, n] of plan) {
      for (let i = 0; i < n; i++) {
        const body = {
          year: 2024,
          region,
          incidentType,
          victimGender: i % 2 ? 'trans-woman' : 'cis-woman',
          victimNationality: i % 3 ? 'VE' : 'PE',
          victimAgeBand: '25-34',
          perpetratorType: 'criminal-organisation',
          ...(incidentType === 'disappearance' ? { outcome: 'still-missing' } : {}),
          sealedNarrative: sealNarrative(`caso ${incidentType} ${i}`, steward.sealPublicKey!),
        };
        const res = await api('PUT', `/api/v1/reports/${randomUUID()}`, member, body);
        expect(res.status).toBe(201);
      }
    }
    const draft = await api('POST', '/api/v1/releases', publisher, {
      series: 'anual',
      filter: { years: [2024] },
      k: 5,
      tables: [
        ['year', 'incidentType'],
        ['year', 'region'],
        ['year', 'victimGender'],
        ['year', 'victimNationality'],
      ],
    });
    expect(draft.status, JSON.stringify(draft.json)).toBe(201);
    const published = await api('POST', `/api/v1/releases/drafts/${draft.json.draftId}/signature`, publisher, {
      signature: signDetached(canonicalJson(draft.json.manifest), publisher.secretKey),
    });
    expect(published.status, JSON.stringify(published.json)).toBe(201);
    const releaseId = published.json.manifest.id as string;
    const byType = published.json.manifest.tables[0].cells as Array<{ key: Record<string, string>; count: number | null; suppressed: boolean }>;
    const homicides = byType.find((c) => c.key.incidentType === 'homicide')!;
    const total = byType.find((c) => c.key.incidentType === '*')!;
    expect(total.count).toBe(24);

    const ctx = await browser.newContext({ javaScriptEnabled: false, viewport: { width: 1280, height: 900 } });
    const page = await ctx.newPage();
    const requests = recordRequests(page);
    await page.goto(`${origin}/estadisticas`);

    expect(await page.textContent('h2#release-title')).toContain(releaseId);
    const charts = page.locator('svg.chart');
    expect(await charts.count()).toBeGreaterThanOrEqual(4);
    const typeChart = page.locator('figure.chart-figure').first();
    expect(await typeChart.locator('figcaption').textContent()).toContain(`Total: ${total.count}`);
    const desc = (await typeChart.locator('desc').textContent())!;
    expect(desc).toContain(homicides.suppressed ? 'Homicidio / asesinato: oculta para proteger a las personas' : `Homicidio / asesinato: ${homicides.count}`);
    expect(desc).toContain('Secuestro: oculta para proteger a las personas'); // 2 kidnappings: suppressed
    expect(await typeChart.locator('text.bar-value').allTextContents()).toContain(String(homicides.count ?? 'oculta para proteger a las personas'));
    expect(await page.textContent('.coverage')).toContain('24');
    expect(await page.getAttribute(`a[href="/api/v1/releases/${releaseId}.csv"]`, 'download')).not.toBeNull();
    expect(await page.textContent('#verificar + dl')).toContain(published.json.hash);
    expect(await page.textContent('body')).toContain('npm run audit -- --server');
    expect(await page.locator('table.releases tbody tr').count()).toBe(1);
    expectSameOrigin(requests);
    expect(requests.map((r) => new URL(r.url()).pathname).sort()).toEqual(['/estadisticas', '/static/contamos.css']);
    await expectNoInlineScript(page);

    // The README's picture: made when missing, or remade with CONTAMOS_UPDATE_SCREENSHOTS=1 (so an
    // ordinary test run does not rewrite a committed file with fresh random hashes).
    const readmeShot = path.join(ROOT, 'docs', 'screenshot-estadisticas.png');
    if (!existsSync(readmeShot) || process.env.CONTAMOS_UPDATE_SCREENSHOTS === '1') {
      mkdirSync(path.dirname(readmeShot), { recursive: true });
      await page.screenshot({ path: readmeShot, fullPage: true, clip: { x: 0, y: 0, width: 1280, height: 2000 } });
    }
    await page.screenshot({ path: path.join(ARTIFACTS, 'estadisticas-1280.png'), fullPage: true });
    await page.setViewportSize({ width: 360, height: 780 });
    await page.screenshot({ path: path.join(ARTIFACTS, 'estadisticas-360.png'), fullPage: true });
    await page.goto(`${origin}/estadisticas?lang=en`);
    expect(await page.textContent('h1')).toContain('Violence against sex workers in Peru');
    await page.screenshot({ path: path.join(ARTIFACTS, 'estadisticas-360-en.png'), fullPage: true });
    expect(existsSync(path.join(ROOT, 'docs', 'screenshot-estadisticas.png'))).toBe(true);
    // Scripts really are off: the form says it needs JavaScript instead of showing itself.
    await page.goto(`${origin}/enviar`);
    expect(await page.isVisible('#js-needed')).toBe(true);
    expect(await page.isVisible('#app')).toBe(false);
    await ctx.close();
  }, 60_000);
});
