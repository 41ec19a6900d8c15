// The submission page as a person without a terminal uses it, in Chromium, on a phone (390×844)
// and on a desktop, against a real server reached through a proxy that can lose answers:
// - an invite LINK opens the form with the code filled in; the code never reaches the server in a
//   URL; a mistyped invite is reported as an invite problem, next to "Inscribir";
// - saving the key is a required step: no form before it, and leaving the page asks first;
// - status and errors sit next to the button that caused them, in live regions; a new attempt
//   clears the previous receipt and status; the narrative has a character counter;
// - a lost answer never makes a second report: the same id is retried, "Cifrar y enviar" stays
//   disabled until the send is resolved or abandoned;
// - what was typed survives a reload, only encrypted on the device, and is erased once sent;
// - the receipt has a short code, shown and downloadable.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { chromiumPath, describeWithBrowser } from '../helpers/browser.js';
import type { Page } from 'playwright-core';
import { ready, receiptCode, verifyReceipt } from '../../crypto/index.js';
import { DeviceVault, ENTRY_PREFIX, type SecretboxSodium } from '../../web/src/vault.js';
import {
  type Harness,
  VIEWPORTS,
  api,
  enrolFromLink,
  expectFits,
  expectSameOrigin,
  fillReport,
  loadKeyFile,
  newInvite,
  openPage,
  saveKey,
  shot,
  startHarness,
  storedReports,
} from './flow-harness.js';

let h: Harness;
beforeAll(async () => {
  if (!chromiumPath) return; // the suites below are skipped, with a line saying so
  h = await startHarness('flow');
}, 120_000);
afterAll(async () => {
  await h?.close();
});

/** Vertical gap in CSS pixels between the bottom of one element and the top of another. */
async function gapBelow(page: Page, above: string, below: string): Promise<number> {
  const a = (await page.locator(above).boundingBox())!;
  const b = (await page.locator(below).boundingBox())!;
  return b.y - (a.y + a.height);
}

/** Whether leaving the page now asks for confirmation. When it asks, the dialog is dismissed and
 *  the page stays as it was; when it does not, the page is left (so check that last). */
async function leavingAsks(page: Page): Promise<boolean> {
  let asked = false;
  const onDialog = (d: import('playwright-core').Dialog) => {
    if (d.type() === 'beforeunload') asked = true;
    void d.dismiss();
  };
  page.on('dialog', onDialog);
  const url = page.url();
  await page.evaluate(() => {
    window.location.href = '/estadisticas';
  });
  await page.waitForTimeout(300);
  await page.waitForLoadState();
  page.off('dialog', onDialog);
  if (!asked) expect(page.url()).not.toBe(url);
  return asked;
}

for (const vp of VIEWPORTS) {
  describeWithBrowser(`submission flow — ${vp.name} ${vp.viewport.width}×${vp.viewport.height}`, () => {
    it('invite link → key saved as a required step → report → receipt code', async () => {
      const invite = await newInvite(h);
      const { ctx, page, requests, errors } = await openPage(h, vp, `/enviar#invitacion=${invite}`);
      // The code is filled in from the fragment, which has left the address bar too.
      expect(await page.inputValue('#invite')).toBe(invite);
      expect(new URL(page.url()).hash).toBe('');
      expect(await page.isVisible('#invite-note')).toBe(true);
      await shot(page, '1-invitacion', vp);
      await page.getByRole('button', { name: 'Crear una llave nueva' }).click();
      await expect.poll(() => page.evaluate(() => document.activeElement?.id)).toBe('enrol-button');

      // A mistyped invite is an INVITE problem, said next to "Inscribir" — first caught in the page…
      await page.getByLabel('Invitación', { exact: true }).fill(`${invite.slice(0, 20)} ${invite.slice(20)}x!`);
      await page.getByRole('button', { name: 'Inscribir' }).click();
      await expect
        .poll(() => page.textContent('#enrol-feedback-alert'))
        .toMatch(/^No se pudo inscribir la llave con la invitación: la invitación está mal copiada/);
      expect(await gapBelow(page, '#enrol-button', '#enrol-feedback-alert')).toBeLessThan(80);
      // …then refused by the server (a truncated code): still about the invite, never "el reporte".
      await page.getByLabel('Invitación', { exact: true }).fill(invite.slice(0, 40));
      await page.getByRole('button', { name: 'Inscribir' }).click();
      await expect
        .poll(() => page.textContent('#enrol-feedback-alert'))
        .toMatch(/^No se pudo inscribir la llave con la invitación: la invitación no es válida/);
      expect(await page.textContent('#enrol-feedback-alert')).not.toMatch(/reporte/);
      expect(await page.getAttribute('#enrol-feedback-alert', 'role')).toBe('alert');
      // A whole pasted link works as well as the code.
      await page.getByLabel('Invitación', { exact: true }).fill(`${h.origin}/enviar#invitacion=${invite}`);
      await page.getByRole('button', { name: 'Inscribir' }).click();
      await expect.poll(() => page.textContent('#key-state')).toContain('todavía no está guardada');
      expect(await page.textContent('#enrol-feedback-alert')).toBe('');

      // Required step: the form does not exist yet, the loss is explained, leaving asks first.
      expect(await page.isVisible('#save-key')).toBe(true);
      expect(await page.textContent('#save-key legend')).toContain('paso obligatorio');
      expect(await page.textContent('#save-required')).toContain('Si la cierra sin guardar la llave, la pierde');
      expect(await page.isVisible('#report-section')).toBe(false);
      expect(await page.isVisible('#check-section')).toBe(false);
      await shot(page, '2-guardar-llave', vp);
      expect(await leavingAsks(page)).toBe(true);
      // A short passphrase is refused next to the save button.
      await page.getByLabel('Contraseña (al menos 12 caracteres; mejor varias palabras)').fill('corta');
      await page.getByRole('button', { name: 'Descargar la llave cifrada' }).click();
      await expect.poll(() => page.textContent('#save-feedback-alert')).toMatch(/^No se guardó la llave: la contraseña debe tener al menos 12 caracteres/);
      const saved = await saveKey(page);
      expect(saved.name).toBe('contamos-llave.json');
      expect(JSON.parse(saved.text).kind).toBe('contamos-key-encrypted');
      expect(await page.textContent('#key-feedback-status')).toContain('Llave guardada como «contamos-llave.json»');
      expect(await page.isVisible('#save-key')).toBe(false);

      // A report; the counter counts characters against the limit.
      const narrative = 'Amenazada por no pagar el cupo en la avenida Los Olivos; fuente: compañeras.';
      await fillReport(page, narrative);
      expect(await page.textContent('#narrative-count')).toBe(`${narrative.length} de 20,000 caracteres como máximo`);
      await page.getByRole('button', { name: 'Cifrar y enviar' }).click();
      await expect
        .poll(() => page.textContent('#submit-feedback-status'), { timeout: 20_000 })
        .toMatch(/^Reporte recibido\. Código de recibo: [0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}\./);
      expect(await page.getAttribute('#submit-feedback-status', 'role')).toBe('status');
      expect(await gapBelow(page, '#submit-button', '#submit-feedback-status')).toBeLessThan(80);
      const reportId = (await page.textContent('#r-id'))!;
      const code = (await page.textContent('#r-code'))!;
      expect(await page.textContent('#submit-feedback-status')).toContain(code);
      expect(await page.inputValue('#f-narrative')).toBe('');
      await shot(page, '3-recibo', vp);

      // The receipt downloads with its code in the name and inside; both match the signed receipt.
      const [dl] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Descargar el recibo' }).click()]);
      expect(dl.suggestedFilename()).toBe(`contamos-recibo-${code}.json`);
      const receipt = JSON.parse(readFileSync((await dl.path())!, 'utf8'));
      const wk = (await api(h, 'GET', '/.well-known/contamos.json', null)).json;
      expect(receipt.reportId).toBe(reportId);
      expect(verifyReceipt(receipt, wk.receipt.publicKey)).toBe(true);
      expect(receipt.code).toBe(receiptCode(receipt.reportId, receipt.reportHash));
      expect(code).toBe(receipt.code);
      // …and the organisation's list shows the same code beside the report.
      await expect.poll(() => page.locator('#mine-list li', { hasText: reportId }).textContent()).toContain(code);

      // The invite never travelled in a URL (only in the enrolment body, as designed).
      for (const r of requests) expect(r.url()).not.toContain(invite);
      expect(requests.filter((r) => (r.postData() ?? '').includes(invite)).map((r) => new URL(r.url()).pathname)).toEqual(['/api/v1/enrol']);
      expect(h.server.output.join('\n')).not.toContain(invite);
      expectSameOrigin(h, requests);
      await expectFits(page, vp);
      expect(errors).toEqual([]);
      // Key saved, report sent, nothing typed: leaving does not ask (and this page is then left).
      expect(await leavingAsks(page)).toBe(false);
      await ctx.close();
    }, 120_000);

    it('errors sit next to the button, name the report, and a new attempt clears the old receipt', async () => {
      const { ctx, page, errors } = await enrolFromLink(h, vp);
      await fillReport(page, 'primer reporte');
      await page.getByRole('button', { name: 'Cifrar y enviar' }).click();
      await expect.poll(() => page.isVisible('#receipt-section'), { timeout: 20_000 }).toBe(true);

      // 70,000 characters: the counter says so before sending, and sending is refused right there.
      await fillReport(page, 'x'.repeat(70_000));
      expect(await page.textContent('#narrative-count')).toBe('Sobran 50,000 caracteres (máximo 20,000)');
      expect(await page.getAttribute('#narrative-count', 'class')).toContain('over');
      await page.getByRole('button', { name: 'Cifrar y enviar' }).click();
      await expect
        .poll(() => page.textContent('#submit-feedback-alert'))
        .toBe('No se envió el reporte: la narración tiene 70,000 caracteres y el máximo es 20,000. Acórtela.');
      expect(await page.textContent('#submit-feedback-status')).toBe(''); // "Reporte recibido" is gone
      expect(await page.isVisible('#receipt-section')).toBe(false); // the previous receipt too
      expect(await page.textContent('#r-id')).toBe('');
      const alertBox = (await page.locator('#submit-feedback-alert').boundingBox())!;
      expect(alertBox.y + alertBox.height).toBeLessThanOrEqual(vp.viewport.height + (await page.evaluate(() => window.scrollY)));
      expect(await gapBelow(page, '#submit-button', '#submit-feedback-alert')).toBeLessThan(80);
      await shot(page, '4-error-junto-al-boton', vp);

      // A refusal by the server is said as a REPORT problem; the progress line is replaced by it;
      // nothing is pending, so a corrected report can be sent.
      await fillReport(page, 'segundo reporte');
      await page.route('**/api/v1/reports/*', (route) =>
        route.request().method() === 'PUT'
          ? route.fulfill({ status: 400, contentType: 'application/json', body: JSON.stringify({ error: { code: 'invalid_body', message: 'x' } }) })
          : route.continue(),
      );
      await page.getByRole('button', { name: 'Cifrar y enviar' }).click();
      await expect
        .poll(() => page.textContent('#submit-feedback-alert'))
        .toBe('No se envió el reporte: el servidor rechazó un dato del reporte. No se guardó nada; revise los campos.');
      expect(await page.textContent('#submit-feedback-status')).toBe('');
      expect(await page.isDisabled('#submit-button')).toBe(false);
      expect(await page.isVisible('#retry-button')).toBe(false);
      await page.unroute('**/api/v1/reports/*');
      await page.getByRole('button', { name: 'Cifrar y enviar' }).click();
      await expect.poll(() => page.textContent('#submit-feedback-status'), { timeout: 20_000 }).toMatch(/^Reporte recibido/);
      expect(await page.textContent('#submit-feedback-alert')).toBe('');
      await expectFits(page, vp);
      expect(errors).toEqual([]);
      await ctx.close();
    }, 120_000);

    it('a lost answer is retried under the same id and never makes a second report', async () => {
      const { ctx, page, keyId, errors } = await enrolFromLink(h, vp);
      const mine = async () => (await storedReports(h)).length;
      const before = await mine();
      await fillReport(page, 'reporte cuya respuesta se pierde');
      h.proxy.dropResponses(/^PUT \/api\/v1\/reports\//);
      const dropped = h.proxy.dropped();
      try {
        await page.getByRole('button', { name: 'Cifrar y enviar' }).click();
        // The server did store it; the page does not know, and says so next to the button.
        await expect
          .poll(() => page.textContent('#submit-feedback-alert'), { timeout: 20_000 })
          .toMatch(/^El envío del reporte no se confirmó: .*Pulse «Reintentar el mismo envío»/);
        expect(h.proxy.dropped()).toBeGreaterThan(dropped);
        expect(await mine()).toBe(before + 1);
        expect(await page.textContent('#submit-feedback-status')).toBe('');
        expect(await page.isVisible('#retry-button')).toBe(true);
        expect(await page.isVisible('#abandon-button')).toBe(true);
        // "Cifrar y enviar" cannot start another report: disabled, fields locked, Enter does nothing.
        expect(await page.isDisabled('#submit-button')).toBe(true);
        expect(await page.isDisabled('#f-narrative')).toBe(true);
        await page.locator('#submit-button').click({ force: true });
        await page.evaluate(() => (document.getElementById('report-form') as HTMLFormElement).requestSubmit());
        expect(await leavingAsks(page)).toBe(true);
        await shot(page, '5-respuesta-perdida', vp);
        // Retrying while answers are still lost changes nothing.
        const lost = h.proxy.dropped();
        await page.getByRole('button', { name: 'Reintentar el mismo envío' }).click();
        await expect.poll(() => h.proxy.dropped(), { timeout: 20_000 }).toBeGreaterThan(lost);
        await expect.poll(() => page.isVisible('#retry-button'), { timeout: 20_000 }).toBe(true);
        expect(await page.textContent('#submit-feedback-alert')).toMatch(/^El envío del reporte no se confirmó/);
        expect(await page.isDisabled('#submit-button')).toBe(true);
        expect(await mine()).toBe(before + 1);
      } finally {
        h.proxy.dropResponses(null);
      }
      // The connection is back: the same report is confirmed, with the same receipt.
      await page.getByRole('button', { name: 'Reintentar el mismo envío' }).click();
      await expect
        .poll(() => page.textContent('#submit-feedback-status'), { timeout: 20_000 })
        .toMatch(/^Este reporte ya estaba recibido \(no se duplicó\)\. Código de recibo: /);
      expect(await page.isVisible('#retry-button')).toBe(false);
      expect(await page.isDisabled('#submit-button')).toBe(false);
      expect(await mine()).toBe(before + 1);
      const own = (await api(h, 'GET', '/api/v1/steward/reports?limit=500', h.steward)).json.items as Array<{ id: string }>;
      const reportId = (await page.textContent('#r-id'))!;
      expect(own.filter((r) => r.id === reportId)).toHaveLength(1);
      await expect.poll(() => page.locator('#mine-list li').count()).toBe(1);
      expect(keyId).toMatch(/^m-/);
      expect(errors).toEqual([]);
      await ctx.close();
    }, 120_000);

    it('typed work survives a reload, only encrypted on the device, and is erased once sent', async () => {
      const { ctx, page, keyFile, errors } = await enrolFromLink(h, vp);
      const marker = `BORRADOR-${Math.random().toString(36).slice(2)}`;
      const narrative = `${marker}: Rosa, 31 años, golpeada por serenazgo en el jirón Huallaga.`;
      await fillReport(page, narrative, { type: 'Abuso policial o del serenazgo' });
      await page.locator('details.dedupe summary').click();
      await page.getByLabel('Datos que identifican el hecho (no se envían)').fill('Rosa Q., 2024-05-01, jirón Huallaga');
      // The draft is on the device, encrypted: neither the narrative nor the details in clear.
      await expect.poll(() => page.evaluate((p) => Object.keys(localStorage).filter((k) => k.startsWith(p)).length, ENTRY_PREFIX)).toBe(1);
      await page.waitForTimeout(600);
      const stored = await page.evaluate(() => JSON.stringify(localStorage));
      for (const needle of [marker, 'Huallaga', 'Rosa', Buffer.from(marker).toString('base64').slice(0, 12)]) expect(stored).not.toContain(needle);
      // Typed text: leaving asks first. Reload anyway.
      expect(await leavingAsks(page)).toBe(true);
      page.once('dialog', (d) => void d.accept());
      await page.reload();
      await expect.poll(() => page.textContent('#key-feedback-status'), { timeout: 30_000 }).toMatch(/^Listo/);
      expect(await page.isVisible('#report-section')).toBe(false);
      await loadKeyFile(page, keyFile);
      await expect.poll(() => page.inputValue('#f-narrative')).toBe(narrative);
      expect(await page.inputValue('#f-incidentType')).toBe('state-abuse');
      expect(await page.inputValue('#f-region')).toBe('PE-LMA');
      expect(await page.inputValue('#f-year')).toBe('2024');
      expect(await page.inputValue('#dedupe-details')).toBe('Rosa Q., 2024-05-01, jirón Huallaga');
      expect(await page.textContent('#draft-text')).toContain('Se recuperó lo que había escrito');
      await shot(page, '6-borrador-recuperado', vp);
      // The dedupe details need the coalition secret, which is not kept: clear them, then send.
      await page.getByLabel('Datos que identifican el hecho (no se envían)').fill('');
      await page.getByRole('button', { name: 'Cifrar y enviar' }).click();
      await expect.poll(() => page.textContent('#submit-feedback-status'), { timeout: 20_000 }).toMatch(/^Reporte recibido/);
      expect(await page.isVisible('#draft-note')).toBe(false);
      // On the device now: no draft, no pending send, one receipt — read with the key, as the page does.
      const entries = await page.evaluate((p) => Object.entries(localStorage).filter(([k]) => k.startsWith(p)), ENTRY_PREFIX);
      const sodium = (await ready()) as unknown as SecretboxSodium;
      const mem = new Map(entries);
      const vault = DeviceVault.open(sodium, JSON.parse(await unlockedKeyFile(keyFile)).signing.secretKey, {
        getItem: (k) => mem.get(k) ?? null,
        setItem: () => undefined,
        removeItem: () => undefined,
      });
      const content = vault.read();
      expect(content.draft).toBeUndefined();
      expect(content.pending).toBeUndefined();
      expect(content.receipts?.map((r) => r.reportId)).toEqual([await page.textContent('#r-id')]);
      expect(await leavingAsks(page)).toBe(false);
      expect(errors).toEqual([]);
      await ctx.close();
    }, 120_000);
  });
}

/** The plain key file inside the page's encrypted one (real Argon2id, as the CLI opens it). */
async function unlockedKeyFile(box: string): Promise<string> {
  const { unlockKeyFile } = await import('../../crypto/index.js');
  const { pwhashSodium } = await import('../../scripts/cli/passphrase.js');
  return unlockKeyFile(await pwhashSodium(), box, 'llama verde sobre el puente');
}

describeWithBrowser('the invite an organisation receives', () => {
  it('is not taken from the query string or sent anywhere by the page before enrolment', async () => {
    const invite = await newInvite(h);
    const { ctx, page, requests } = await openPage(h, VIEWPORTS[0], `/enviar?invitacion=${invite}`);
    expect(await page.inputValue('#invite')).toBe(''); // only the fragment is read
    await ctx.close();
    const withLink = await openPage(h, VIEWPORTS[0], `/enviar#invitacion=${invite}`);
    for (const r of withLink.requests) expect(r.url()).not.toContain(invite);
    expect(requests.length).toBeGreaterThan(0);
    await withLink.ctx.close();
  }, 60_000);
});
