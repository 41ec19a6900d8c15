// The key and the receipts beyond one browser, in Chromium on a phone (390×844) and a desktop:
// - the key file the page saves opens in the command line (same file, same passphrase), and key
//   files the command line makes — encrypted or not — open in the page; the invite link the
//   CLI prints opens the page with the code filled in;
// - "¿Se contó mi reporte?" fetches the proofs of the organisation's own reports in a release
//   (member-signed, in the page) and verifies them there against the publisher-signed root; a
//   server that alters a proof, a root or a report hash is caught, never shown as counted.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { chromiumPath, describeWithBrowser } from '../helpers/browser.js';
import type { Route } from 'playwright-core';
import { canonicalJson, generateSigningKeyPair, isKeyBox, parseKeyFile, receiptCode, sealNarrative, signDetached, unlockKeyFile } from '../../crypto/index.js';
import { pwhashSodium } from '../../scripts/cli/passphrase.js';
import { cli } from '../cli/helpers.js';
import {
  type Harness,
  type Key,
  PASSPHRASE,
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
} from './flow-harness.js';

let h: Harness;
let work: string;
beforeAll(async () => {
  if (!chromiumPath) return; // the suites below are skipped, with a line saying so
  h = await startHarness('keys');
  work = mkdtempSync(path.join(tmpdir(), 'contamos-keys-cli-'));
}, 120_000);
afterAll(async () => {
  await h?.close();
});

const withPass = { CONTAMOS_KEY_PASSPHRASE: PASSPHRASE };
const run = (argv: string[], env: Record<string, string> = withPass) => cli(argv, { server: h.serverUrl, env });

for (const vp of VIEWPORTS) {
  describeWithBrowser(`the key between page and command line — ${vp.name}`, () => {
    it('page → CLI → page, and CLI → page, with the same files', async () => {
      // The invite link printed by the CLI opens the page with the code filled in.
      const inv = await run(['invite', '--key', h.stewardKeyFile, '--public-url', h.origin], {});
      expect(inv.code, inv.stderr).toBe(0);
      const token = inv.stdout.trim();
      const link = `${h.origin}/enviar#invitacion=${token}`;
      expect(inv.stderr).toContain(link);
      const opened = await openPage(h, vp, link.slice(h.origin.length));
      const { page, ctx, errors, requests } = opened;
      expect(await page.inputValue('#invite')).toBe(token);
      await page.getByRole('button', { name: 'Crear una llave nueva' }).click();
      await page.getByRole('button', { name: 'Inscribir' }).click();
      await expect.poll(() => page.textContent('#key-state')).toContain('todavía no está guardada');
      const keyId = /(m-[A-Za-z0-9_-]{16})/.exec((await page.textContent('#key-state'))!)![1]!;
      const saved = await saveKey(page);
      await fillReport(page, 'enviado desde la página');
      await page.getByRole('button', { name: 'Cifrar y enviar' }).click();
      await expect.poll(() => page.textContent('#submit-feedback-status'), { timeout: 20_000 }).toMatch(/^Reporte recibido/);
      const pageReport = (await page.textContent('#r-id'))!;

      // Page → CLI: the very file the page saved, opened with its passphrase.
      const pageKeyFile = path.join(work, `${vp.name}-pagina.json`);
      writeFileSync(pageKeyFile, saved.text, { mode: 0o600 });
      const status = await run(['status', '--key', pageKeyFile]);
      expect(status.code, status.stderr).toBe(0);
      expect(status.stdout).toContain(pageReport);
      const sent = await run([
        'submit',
        '--key',
        pageKeyFile,
        '--year',
        '2024',
        '--region',
        'PE-CAL',
        '--type',
        'threat',
        '--gender',
        'cis-woman',
        '--nationality',
        'PE',
        '--age',
        '18-24',
        '--perpetrator',
        'client',
        '--narrative',
        'enviado desde la línea de órdenes',
      ]);
      expect(sent.code, sent.stderr).toBe(0);
      const cliReceipt = JSON.parse(sent.stdout);
      const cliCode = receiptCode(cliReceipt.reportId, cliReceipt.reportHash);
      expect(sent.stderr).toContain(`Código de recibo / Receipt code: ${cliCode}`);
      // …and back in the page: the CLI's report, with the same receipt code.
      await page.getByRole('button', { name: 'Actualizar la lista' }).click();
      await expect.poll(() => page.locator('#mine-list li', { hasText: cliReceipt.reportId }).textContent()).toContain(cliCode);
      // The file is still the page's: the CLI never rewrote it in clear.
      expect(readFileSync(pageKeyFile, 'utf8')).toBe(saved.text);
      // Without the passphrase (no terminal, no variable) or with a wrong one, the CLI says what to do.
      const none = await run(['status', '--key', pageKeyFile], {});
      expect(none.code).toBe(1);
      expect(none.stderr).toMatch(/está cifrado con una contraseña: .*CONTAMOS_KEY_PASSPHRASE/);
      const wrong = await run(['status', '--key', pageKeyFile], { CONTAMOS_KEY_PASSPHRASE: 'otra contraseña cualquiera' });
      expect(wrong.code).toBe(1);
      expect(wrong.stderr).toMatch(/La contraseña no abre .* \/ The passphrase does not open/);
      expect(errors).toEqual([]);
      expectSameOrigin(h, requests);
      await ctx.close();

      // CLI → page: a key made and enrolled with the CLI, encrypted, opens in a fresh page.
      const cliKeyFile = path.join(work, `${vp.name}-cli.json`);
      const made = await run(['keys', '--role', 'member', '--out', cliKeyFile, '--encrypt']);
      expect(made.code, made.stderr).toBe(0);
      expect(isKeyBox(JSON.parse(readFileSync(cliKeyFile, 'utf8')))).toBe(true);
      const enrolled = await run(['enrol', '--invite', await newInvite(h), '--key', cliKeyFile]);
      expect(enrolled.code, enrolled.stderr).toBe(0);
      const onDisk = readFileSync(cliKeyFile, 'utf8');
      expect(isKeyBox(JSON.parse(onDisk))).toBe(true); // still encrypted after enrolment wrote the keyId
      const cliKeyId = parseKeyFile(unlockKeyFile(await pwhashSodium(), onDisk, PASSPHRASE)).keyId!;
      expect(cliKeyId).toMatch(/^m-/);
      expect(cliKeyId).not.toBe(keyId);
      const second = await openPage(h, vp);
      await loadKeyFile(second.page, onDisk, 'org-cli.json');
      expect(await second.page.textContent('#key-state')).toContain(cliKeyId);
      expect(await second.page.isVisible('#report-section')).toBe(true); // a loaded key is already saved
      await fillReport(second.page, 'desde la página, con la llave de la línea de órdenes');
      await second.page.getByRole('button', { name: 'Cifrar y enviar' }).click();
      await expect.poll(() => second.page.textContent('#submit-feedback-status'), { timeout: 20_000 }).toMatch(/^Reporte recibido/);
      const fromPage = (await second.page.textContent('#r-id'))!;
      const back = await run(['status', '--key', cliKeyFile]);
      expect(back.code, back.stderr).toBe(0);
      expect(back.stdout).toContain(fromPage);
      await second.ctx.close();

      // And a plain (unencrypted) CLI key file: the page opens it and offers to encrypt it.
      const plainFile = path.join(work, `${vp.name}-plano.json`);
      expect((await run(['keys', '--role', 'member', '--out', plainFile], {})).code).toBe(0);
      expect((await run(['enrol', '--invite', await newInvite(h), '--key', plainFile], {})).code).toBe(0);
      const third = await openPage(h, vp);
      await loadKeyFile(third.page, readFileSync(plainFile, 'utf8'), 'org.key.json');
      expect(await third.page.isVisible('#report-section')).toBe(true);
      expect(await third.page.isVisible('#save-key')).toBe(true);
      expect(await third.page.textContent('#save-key legend')).toContain('Guardar la llave cifrada');
      await expectFits(third.page, vp);
      await third.ctx.close();
    }, 180_000);
  });
}

/** Signs a release over the given years (as the publisher would on their own machine). */
async function publish(series: string, year: number): Promise<string> {
  const draft = await api(h, 'POST', '/api/v1/releases', h.publisher, { series, filter: { year }, k: 5, tables: [['year', 'incidentType']] });
  expect(draft.status, JSON.stringify(draft.json)).toBe(201);
  const published = await api(h, 'POST', `/api/v1/releases/drafts/${draft.json.draftId}/signature`, h.publisher, {
    signature: signDetached(canonicalJson(draft.json.manifest), h.publisher.secretKey),
  });
  expect(published.status, JSON.stringify(published.json)).toBe(201);
  return published.json.manifest.id as string;
}

/** Rewrites a JSON answer on its way to the page, as a lying server (or a man in the middle) would. */
async function tamper(route: Route, change: (body: any) => void): Promise<void> {
  const res = await route.fetch();
  const body = await res.json();
  change(body);
  await route.fulfill({ response: res, body: JSON.stringify(body) });
}

const flip = (hex: string) => hex.slice(0, -1) + (hex.endsWith('0') ? '1' : '0');

VIEWPORTS.forEach((vp, i) => {
  describeWithBrowser(`¿Se contó mi reporte? — ${vp.name}`, () => {
    it('verifies in the page that the report is counted, and catches a lying server', async () => {
      const year = 2022 + i; // each viewport its own year: the two releases never overlap
      const { page, ctx, errors, requests, keyFile } = await enrolFromLink(h, vp);
      await fillReport(page, 'contado, espero', { year: String(year) });
      await page.getByRole('button', { name: 'Cifrar y enviar' }).click();
      await expect.poll(() => page.textContent('#submit-feedback-status'), { timeout: 20_000 }).toMatch(/^Reporte recibido/);
      const counted = (await page.textContent('#r-id'))!;
      const code = (await page.textContent('#r-code'))!;
      await fillReport(page, 'este se retira', { year: String(year) });
      await page.getByRole('button', { name: 'Cifrar y enviar' }).click();
      await expect
        .poll(
          async () => {
            const id = await page.textContent('#r-id');
            return Boolean(id) && id !== counted;
          },
          { timeout: 20_000 },
        )
        .toBe(true);
      const withdrawn = (await page.textContent('#r-id'))!;
      page.once('dialog', (d) => void d.accept());
      await page.getByRole('button', { name: `Retirar ${withdrawn}` }).click();
      await expect.poll(() => page.textContent('#mine-feedback-status')).toContain('retirado');

      // Four more reports from another organisation, then a release over that year.
      const kp = generateSigningKeyPair();
      const other: Key = {
        keyId: (await api(h, 'POST', '/api/v1/enrol', null, { invite: await newInvite(h), publicKey: kp.publicKey })).json.keyId,
        secretKey: kp.secretKey,
      };
      for (let n = 0; n < 4; n++) {
        const r = await api(h, 'PUT', `/api/v1/reports/${randomUUID()}`, other, {
          year,
          region: 'PE-LMA',
          incidentType: 'extortion',
          victimGender: 'trans-woman',
          victimNationality: 'VE',
          victimAgeBand: '25-34',
          perpetratorType: 'criminal-organisation',
          sealedNarrative: sealNarrative(`otro ${n}`, h.steward.sealPublicKey!),
        });
        expect(r.status).toBe(201);
      }
      const releaseId = await publish(`comprobar-${vp.name}`, year);

      // The check, in the page, opened again later (the receipts were kept on the device).
      page.once('dialog', (d) => void d.accept());
      await page.reload();
      await expect.poll(() => page.textContent('#key-feedback-status'), { timeout: 30_000 }).toMatch(/^Listo/);
      await loadKeyFile(page, keyFile);
      await expect.poll(() => page.locator('#check-release option').count()).toBeGreaterThan(0);
      await page.getByLabel('Publicación', { exact: true }).selectOption(releaseId);
      await page.getByRole('button', { name: 'Comprobar mis reportes' }).click();
      await expect
        .poll(() => page.textContent('#check-feedback-status'), { timeout: 20_000 })
        .toMatch(new RegExp(`^Publicación ${releaseId} \\(firma de publisher-[0-9a-f]+ verificada\\): 1 reporte suyo está contado, de 2 revisados`));
      const row = page.locator('#check-list li', { hasText: counted });
      expect(await row.textContent()).toContain(code);
      expect(await row.textContent()).toContain(`contado en ${releaseId}: la prueba verifica.`);
      expect(await row.textContent()).toContain('(coincide con el recibo guardado en este equipo)');
      expect(await page.locator('#check-list li', { hasText: withdrawn }).textContent()).toContain('retirado: no se cuenta (correcto).');
      await shot(page, 'comprobar', vp);
      // The proofs were asked for with a member signature, from the page.
      const proofReq = requests.find((r) => r.url().includes(`/api/v1/releases/${releaseId}/proofs`))!;
      expect(proofReq.headers()['signature-input']).toMatch(/keyid="m-/);

      // A server that alters the proof: not counted, an alarm next to the button.
      await page.route(`**/api/v1/releases/${releaseId}/proofs*`, (route) =>
        tamper(route, (b) => {
          const it = b.items.find((x: { reportId: string }) => x.reportId === counted);
          if (Array.isArray(it.proof.path) && it.proof.path.length > 0) it.proof.path[0] = flip(it.proof.path[0]);
          else it.proof.leaf = flip(it.proof.leaf);
        }),
      );
      await page.getByRole('button', { name: 'Comprobar mis reportes' }).click();
      await expect
        .poll(() => page.textContent('#check-feedback-alert'), { timeout: 20_000 })
        .toMatch(/0 reportes suyos están contados.*Atención: 1 reporte no pasó/);
      expect(await page.locator('#check-list li', { hasText: counted }).textContent()).toContain('la prueba del servidor NO verifica.');
      await page.unroute(`**/api/v1/releases/${releaseId}/proofs*`);
      // …that shows a valid-looking proof for another hash than the signed receipt's.
      await page.route(`**/api/v1/releases/${releaseId}/proofs*`, (route) =>
        tamper(route, (b) => {
          const it = b.items.find((x: { reportId: string }) => x.reportId === counted);
          it.reportHash = flip(it.reportHash);
          it.proof.leaf = it.reportHash;
        }),
      );
      await page.getByRole('button', { name: 'Comprobar mis reportes' }).click();
      await expect
        .poll(() => page.locator('#check-list li', { hasText: counted }).textContent(), { timeout: 20_000 })
        .toContain('el servidor muestra otro contenido que el de su recibo firmado.');
      await page.unroute(`**/api/v1/releases/${releaseId}/proofs*`);
      // …or that changes the release's root: the publisher's signature no longer holds.
      await page.route(`**/api/v1/releases/${releaseId}`, (route) =>
        tamper(route, (b) => {
          b.manifest.merkle.root = flip(b.manifest.merkle.root);
        }),
      );
      await page.getByRole('button', { name: 'Comprobar mis reportes' }).click();
      await expect
        .poll(() => page.textContent('#check-feedback-alert'), { timeout: 20_000 })
        .toBe(
          `No se pudo comprobar la publicación: la publicación ${releaseId} no tiene una firma válida de la coalición. No confíe en ella y avise a la administración.`,
        );
      expect(await page.locator('#check-list li').count()).toBe(0);
      await page.unroute(`**/api/v1/releases/${releaseId}`);
      await expectFits(page, vp);
      expect(errors).toEqual([]);
      await ctx.close();
    }, 180_000);
  });
});
