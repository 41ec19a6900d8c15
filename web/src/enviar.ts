// enviar.ts — the submission page's script (bundled by scripts/build-web.ts into web/dist/enviar.js).
//
// Guarantees:
// - The organisation's secret key exists only in this page's memory (never in localStorage,
//   IndexedDB, cookies or any request); it leaves the page only when the person downloads it,
//   encrypted with a passphrase (crypto/keybox.ts) when the libsodium build allows. A key made
//   and enrolled here must be saved before the report form appears, and leaving the page while
//   it is unsaved, while a send is unresolved or with typed text asks for confirmation.
// - The narrative is padded and sealed here, with the steward's seal key from
//   /.well-known/contamos.json, before anything is sent: its plaintext never crosses the
//   network. Dedupe details are only hashed here (HMAC with the coalition secret), never sent.
//   Typed work is kept on this device only encrypted under the organisation's key (vault.ts),
//   restored when that key is loaded again, and deleted once the report is received.
// - Every member request is signed here (RFC 9421) over exactly the bytes sent.
// - A receipt is shown as received only if its signature verifies against the server's receipt
//   key and it signs the hash of exactly the body sent.
// - A send whose outcome is unknown keeps its report id and body (in memory and in the vault)
//   until it is resolved or the person abandons it explicitly; meanwhile only that same report
//   can be sent again ("Cifrar y enviar" is disabled), so a lost answer cannot create a
//   duplicate (send-outcome.ts).
// - Status and errors appear next to the control that caused them and are announced to screen
//   readers (feedback.ts); each error says what failed (the key, the invite, the report, …).
// - The page writes text with textContent only (no innerHTML), so nothing from the server or the
//   user can become markup.
import {
  type KeyFile,
  NarrativeTooLargeError,
  canLockKeys,
  dedupeTag,
  fromBase64,
  generateSigningKeyPair,
  hasSecretKeys,
  isKeyBox,
  KeyBoxFormatError,
  lockKeyFile,
  parseKeyFile,
  type PwhashSodium,
  randomBytes,
  ready,
  receiptCode,
  reportHash,
  sealNarrative,
  serializeKeyFile,
  toHex,
  unlockKeyFile,
  verifyReceipt,
  WrongPassphraseError,
} from '../../crypto/index.js';
import { ApiError, NetworkError, getJson, postJson, signed, type Signer } from './api.js';
import { type CheckResult, ReleaseSignatureError, type ReleaseItem, checkRelease, latestRelease } from './counted-check.js';
import { $, download, nextFrame } from './dom.js';
import { Feedback } from './feedback.js';
import { inviteFromFragment, inviteFromText, isPlausibleInvite } from './invite-link.js';
import { type Action, type Lang, messages } from './messages.js';
import { NARRATIVE_MAX_CHARS, narrativeLength } from './narrative-limit.js';
import { failureKind } from './send-outcome.js';
import { DeviceVault, type Draft, type PendingSend, type StoredReceipt, type VaultContent } from './vault.js';

interface Code {
  code: string;
  label: { es: string; en: string };
}
interface FieldDef {
  label: { es: string; en: string };
  codes?: Code[];
  min?: number;
  optional?: boolean;
}
interface Taxonomy {
  version: string;
  fields: Record<string, FieldDef>;
}
interface WellKnown {
  steward: { sealPublicKey: string };
  receipt: { keyId: string; publicKey: string };
  publishers?: Array<{ keyId: string; publicKey: string }>;
}
type Receipt = StoredReceipt;
interface OwnReport {
  id: string;
  status: string;
  reportHash: string;
  supersedes: string | null;
  year: number;
  incidentType: string;
  region: string;
}

const SELECT_FIELDS = ['quarter', 'region', 'incidentType', 'outcome', 'perpetratorType', 'victimGender', 'victimNationality', 'victimAgeBand'] as const;
const DRAFT_FIELDS = ['year', ...SELECT_FIELDS, 'narrative'] as const;
const PASSPHRASE_MIN = 12;

const lang: Lang = document.documentElement.lang === 'en' ? 'en' : 'es';
const M = messages(lang);
const fb = {
  page: new Feedback('page-feedback'),
  key: new Feedback('key-feedback'),
  enrol: new Feedback('enrol-feedback'),
  save: new Feedback('save-feedback'),
  submit: new Feedback('submit-feedback'),
  check: new Feedback('check-feedback'),
  mine: new Feedback('mine-feedback'),
};

function reasonOf(action: Action, e: unknown): string {
  if (e instanceof ApiError) return M.reason(action, e.code) ?? M.serverSaid(e.message);
  if (e instanceof NetworkError) return M.noAnswer(action);
  return M.unexpected;
}

/** "What failed: why." */
function failed(action: Action, e: unknown): string {
  return `${M.failed[action]} ${reasonOf(action, e)}`;
}

function uuidV4(): string {
  const b = randomBytes(16);
  b[6] = (b[6]! & 0x0f) | 0x40;
  b[8] = (b[8]! & 0x3f) | 0x80;
  const h = toHex(b);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

function storage(): Storage | null {
  try {
    return window.localStorage;
  } catch {
    return null;
  }
}

const number = new Intl.NumberFormat(lang === 'en' ? 'en-GB' : 'es-PE');

// --- state ---------------------------------------------------------------------------------------

let sodium: PwhashSodium & { crypto_secretbox_NONCEBYTES: number };
let taxonomy: Taxonomy;
let wk: WellKnown;
let key: KeyFile | null = null;
/** Enrolled in this page and not saved yet: the key exists nowhere else. The form waits. */
let mustSave = false;
/** A key file was loaded unencrypted: encrypting it is offered, not required. */
let offerSave = false;
let lockedBox: unknown = null;
let lockedName = '';
let dedupeSecret: string | null = null;
let amending: string | null = null;
/** A send whose outcome is not known yet: only this report (same id, same body) may be sent. */
let pending: PendingSend | null = null;
let sending = false;
let vault: DeviceVault | null = null;
let kept: VaultContent = {};
let lastReceipt: Receipt | null = null;
let draftTimer: ReturnType<typeof setTimeout> | undefined;

function signer(): Signer {
  if (!key?.keyId || !key.signing?.secretKey) throw new Error('no enrolled key');
  return { keyId: key.keyId, secretKey: key.signing.secretKey };
}

function labelOf(field: string, code: string): string {
  return taxonomy.fields[field]?.codes?.find((c) => c.code === code)?.label[lang] ?? code;
}

function receipts(): Receipt[] {
  return kept.receipts ?? [];
}

/** Writes what is kept on this device; says so once when the browser refuses to store. */
let storeWarned = false;
function persist(): void {
  if (!vault) return;
  if (!vault.write(kept) && !storeWarned && (kept.draft || kept.pending)) {
    storeWarned = true;
    $('draft-note').hidden = false;
    $('draft-text').textContent = M.cannotStore;
  }
}

// --- key -----------------------------------------------------------------------------------------

function enrolled(): boolean {
  return Boolean(key?.keyId);
}

function showKeyState(): void {
  const isEnrolled = enrolled();
  $('key-state').textContent = !key ? M.keyNone : mustSave ? M.keyMustSave(key.keyId!) : isEnrolled ? M.keyReady(key.keyId!) : M.keyNotEnrolled;
  $('load-key').hidden = key !== null;
  $('new-key').hidden = key !== null;
  $('enrol').hidden = !key || isEnrolled;
  $('save-key').hidden = !isEnrolled || !(mustSave || offerSave);
  $('save-required').hidden = !mustSave;
  $('save-optional').hidden = mustSave;
  $('save-legend-required').hidden = !mustSave;
  $('save-legend-optional').hidden = mustSave;
  $('forget-key').hidden = key === null;
  const ready = isEnrolled && !mustSave;
  $('report-section').hidden = !ready;
  $('check-section').hidden = !ready;
  $('mine-section').hidden = !ready;
  if (!ready) $('receipt-section').hidden = true;
  $('invite-note').hidden = isEnrolled || $<HTMLInputElement>('invite').value === '';
}

/** The key is enrolled and saved (or loaded from a file): open the form and what the device keeps. */
function keyReady(): void {
  if (!key?.signing?.secretKey || !key.keyId) return;
  vault = DeviceVault.open(sodium, key.signing.secretKey, storage());
  kept = vault.read();
  restoreKept();
  void refreshList(false);
  void loadReleases();
}

function setKey(k: KeyFile | null): void {
  key = k;
  lockedBox = null;
  $('unlock').hidden = true;
  showKeyState();
}

function acceptKeyText(text: string, name: string, wasEncrypted: boolean): void {
  let k: KeyFile;
  try {
    k = parseKeyFile(text);
  } catch {
    return fb.key.error(`${M.failed.key} ${M.keyFileInvalid(name)}`);
  }
  if (k.role !== 'member') return fb.key.error(`${M.failed.key} ${M.keyWrongRole(name)}`);
  if (!hasSecretKeys(k) || !k.signing?.secretKey) return fb.key.error(`${M.failed.key} ${M.keyPublicOnly(name)}`);
  mustSave = false;
  offerSave = Boolean(k.keyId) && !wasEncrypted && canLockKeys(sodium);
  setKey(k);
  if (k.keyId) {
    fb.key.ok(M.keyLoaded(name, k.keyId));
    keyReady();
  } else {
    fb.key.ok(M.keyLoadedNotEnrolled(name));
    $('invite').focus();
  }
}

async function onKeyFile(): Promise<void> {
  const input = $<HTMLInputElement>('key-file');
  const file = input.files?.[0];
  if (!file) return;
  $('key-file-name').textContent = M.chosenFile(file.name);
  const text = await file.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return fb.key.error(`${M.failed.key} ${M.keyFileInvalid(file.name)}`);
  }
  if (isKeyBox(json)) {
    if (!canLockKeys(sodium)) return fb.key.error(`${M.failed.key} ${M.noPwhash}`);
    lockedBox = json;
    lockedName = file.name;
    $('unlock').hidden = false;
    fb.key.progress(M.keyLocked(file.name));
    $('unlock-passphrase').focus();
    return;
  }
  acceptKeyText(text, file.name, false);
}

async function onUnlock(): Promise<void> {
  if (!lockedBox) return;
  const pass = $<HTMLInputElement>('unlock-passphrase');
  fb.key.progress(M.unlocking);
  await nextFrame();
  try {
    const text = unlockKeyFile(sodium, lockedBox, pass.value);
    pass.value = '';
    acceptKeyText(text, lockedName, true);
  } catch (e) {
    fb.key.error(
      `${M.failed.key} ${e instanceof WrongPassphraseError ? M.wrongPassphrase : e instanceof KeyBoxFormatError ? M.keyFileInvalid(lockedName) : M.unexpected}`,
    );
    pass.focus();
  }
}

function onCreateKey(): void {
  mustSave = false;
  offerSave = false;
  setKey({ kind: 'contamos-key', version: 1, role: 'member', signing: generateSigningKeyPair() });
  fb.key.ok(M.keyCreated);
  const invite = $<HTMLInputElement>('invite');
  (invite.value ? $('enrol-button') : invite).focus();
}

async function onEnrol(): Promise<void> {
  if (!key?.signing) return;
  const input = $<HTMLInputElement>('invite');
  const invite = inviteFromText(input.value);
  if (!invite) {
    input.focus();
    return fb.enrol.error(`${M.failed.enrol} ${M.inviteMissing}`);
  }
  if (!isPlausibleInvite(invite)) {
    input.focus();
    return fb.enrol.error(`${M.failed.enrol} ${M.inviteMalformed}`);
  }
  const button = $<HTMLButtonElement>('enrol-button');
  button.disabled = true;
  fb.enrol.progress(M.enrolling);
  try {
    const res = await postJson<{ keyId: string }>('/api/v1/enrol', { invite, publicKey: key.signing.publicKey });
    key = { ...key, keyId: res.body.keyId };
    input.value = '';
    fb.enrol.clear();
    mustSave = true;
    offerSave = false;
    setKey(key);
    fb.save.progress(M.enrolled(res.body.keyId));
    (canLockKeys(sodium) ? $('save-passphrase') : $('save-plain-button')).focus();
  } catch (e) {
    fb.enrol.error(failed('enrol', e));
  } finally {
    button.disabled = false;
  }
}

function keyFileName(): string {
  return lang === 'en' ? 'contamos-key.json' : 'contamos-llave.json';
}

function afterSaved(name: string, encrypted: boolean): void {
  const wasRequired = mustSave;
  mustSave = false;
  offerSave = false;
  showKeyState();
  fb.save.clear();
  fb.key.ok(encrypted ? M.keySaved(name) : M.keySavedPlain(name));
  if (wasRequired) {
    keyReady();
    $('h-report').focus();
  }
}

async function onSaveKey(): Promise<void> {
  if (!key) return;
  const p1 = $<HTMLInputElement>('save-passphrase');
  const p2 = $<HTMLInputElement>('save-passphrase-2');
  if (p1.value.length < PASSPHRASE_MIN) {
    p1.focus();
    return fb.save.error(`${M.failed.save} ${M.passphraseShort}`);
  }
  if (p1.value !== p2.value) {
    p2.focus();
    return fb.save.error(`${M.failed.save} ${M.passphraseMismatch}`);
  }
  fb.save.progress(M.savingKey);
  await nextFrame();
  const box = lockKeyFile(sodium, serializeKeyFile(key), p1.value);
  p1.value = '';
  p2.value = '';
  download(keyFileName(), box);
  afterSaved(keyFileName(), true);
}

function onSavePlain(): void {
  if (!key) return;
  download(keyFileName(), serializeKeyFile(key));
  afterSaved(keyFileName(), false);
}

function onForget(): void {
  if (mustSave && !window.confirm(M.confirmForgetUnsaved)) return;
  if (vault) saveDraftNow();
  setKey(null);
  mustSave = false;
  offerSave = false;
  vault = null;
  kept = {};
  dedupeSecret = null;
  amending = null;
  pending = null;
  lastReceipt = null;
  $<HTMLFormElement>('report-form').reset();
  lockForm(false);
  updateSendButtons();
  updateCounter();
  $('mine-list').textContent = '';
  $('check-list').textContent = '';
  $('amend-banner').hidden = true;
  $('draft-note').hidden = true;
  $('key-file-name').textContent = '';
  $('dedupe-file-name').textContent = '';
  $<HTMLInputElement>('key-file').value = '';
  for (const f of Object.values(fb)) f.clear();
  showKeyState();
  fb.key.ok(M.keyForgotten);
}

// --- form ----------------------------------------------------------------------------------------

function fillForm(): void {
  document.querySelectorAll<HTMLElement>('[data-field-label]').forEach((el) => {
    const f = el.dataset.fieldLabel!;
    el.textContent = taxonomy.fields[f]?.label[lang] ?? f;
  });
  const year = $<HTMLInputElement>('f-year');
  year.min = String(taxonomy.fields.year?.min ?? 1990);
  year.max = String(new Date().getFullYear());
  for (const f of SELECT_FIELDS) {
    const select = $<HTMLSelectElement>(`f-${f}`);
    select.textContent = '';
    const first = document.createElement('option');
    first.value = '';
    first.textContent = f === 'quarter' ? M.optionalNone : M.choose;
    select.append(first);
    for (const c of taxonomy.fields[f]?.codes ?? []) {
      const o = document.createElement('option');
      o.value = c.code;
      o.textContent = c.label[lang];
      select.append(o);
    }
  }
  syncOutcome();
  updateCounter();
}

function syncOutcome(): void {
  const isDisappearance = $<HTMLSelectElement>('f-incidentType').value === 'disappearance';
  $('field-outcome').hidden = !isDisappearance;
  $<HTMLSelectElement>('f-outcome').required = isDisappearance;
}

function control(field: string): HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement {
  return $<HTMLInputElement>(`f-${field}`);
}

function value(field: string): string {
  return control(field).value;
}

function updateCounter(): void {
  const n = narrativeLength($<HTMLTextAreaElement>('f-narrative').value);
  const el = $('narrative-count');
  const over = n > NARRATIVE_MAX_CHARS;
  el.textContent = over
    ? M.counterOver(number.format(n - NARRATIVE_MAX_CHARS), number.format(NARRATIVE_MAX_CHARS))
    : M.counter(number.format(n), number.format(NARRATIVE_MAX_CHARS));
  el.classList.toggle('over', over);
}

async function onDedupeSecret(): Promise<void> {
  const input = $<HTMLInputElement>('dedupe-secret');
  const file = input.files?.[0];
  if (!file) return;
  $('dedupe-file-name').textContent = M.chosenFile(file.name);
  const text = (await file.text()).trim();
  let secret: unknown = text;
  if (text.startsWith('{')) {
    try {
      const doc = JSON.parse(text) as { kind?: unknown; secret?: unknown };
      secret = doc.kind === 'contamos-dedupe-secret' ? doc.secret : undefined;
    } catch {
      secret = undefined;
    }
  }
  let ok = false;
  try {
    ok = typeof secret === 'string' && fromBase64(secret).length >= 16;
  } catch {
    ok = false;
  }
  if (!ok) return fb.submit.error(M.dedupeSecretInvalid(file.name));
  dedupeSecret = secret as string;
  fb.submit.ok(M.dedupeSecretLoaded(file.name));
}

/** Form controls locked while a send is unresolved: what would be re-sent is the pending body. */
function lockForm(locked: boolean): void {
  $('report-fields')
    .querySelectorAll<HTMLInputElement>('input, select, textarea, button')
    .forEach((el) => {
      el.disabled = locked;
    });
}

function updateSendButtons(): void {
  const submit = $<HTMLButtonElement>('submit-button');
  const retry = $<HTMLButtonElement>('retry-button');
  const abandon = $<HTMLButtonElement>('abandon-button');
  submit.disabled = sending || pending !== null;
  // Retry and abandon appear once an attempt has failed, never while one is under way.
  retry.hidden = pending === null || sending;
  abandon.hidden = pending === null || sending;
}

function hideReceipt(): void {
  $('receipt-section').hidden = true;
  for (const id of ['r-code', 'r-id', 'r-hash', 'r-key', 'r-signature', 'receipt-verified']) $(id).textContent = '';
  lastReceipt = null;
}

async function onSubmit(ev: SubmitEvent): Promise<void> {
  ev.preventDefault();
  if (!key?.keyId || pending || sending) return;
  hideReceipt();
  fb.submit.clear();
  const narrativeEl = $<HTMLTextAreaElement>('f-narrative');
  const narrative = narrativeEl.value;
  if (!narrative.trim()) {
    narrativeEl.focus();
    return fb.submit.error(`${M.failed.report} ${M.narrativeEmpty}`);
  }
  const n = narrativeLength(narrative);
  if (n > NARRATIVE_MAX_CHARS) {
    narrativeEl.focus();
    return fb.submit.error(`${M.failed.report} ${M.narrativeTooLong(number.format(n), number.format(NARRATIVE_MAX_CHARS))}`);
  }
  const incidentType = value('incidentType');
  const body: Record<string, unknown> = {
    year: Number(value('year')),
    region: value('region'),
    incidentType,
    perpetratorType: value('perpetratorType'),
    victimGender: value('victimGender'),
    victimNationality: value('victimNationality'),
    victimAgeBand: value('victimAgeBand'),
  };
  if (value('quarter')) body.quarter = Number(value('quarter'));
  if (incidentType === 'disappearance') body.outcome = value('outcome');
  try {
    body.sealedNarrative = sealNarrative(narrative, wk.steward.sealPublicKey);
  } catch (e) {
    return fb.submit.error(
      `${M.failed.report} ${e instanceof NarrativeTooLargeError ? M.narrativeTooLong(number.format(n), number.format(NARRATIVE_MAX_CHARS)) : M.unexpected}`,
    );
  }
  const details = $<HTMLInputElement>('dedupe-details').value;
  if (details.trim()) {
    if (!dedupeSecret) return fb.submit.error(`${M.failed.report} ${M.dedupeNeedsBoth}`);
    body.dedupeTag = dedupeTag(dedupeSecret, details);
  }
  if (amending) body.supersedes = amending;
  // From here on this report has an id: it is kept (also on the device) until it is resolved.
  pending = { id: uuidV4(), text: JSON.stringify(body), amending };
  kept.pending = pending;
  kept.draft = collectDraft();
  persist();
  lockForm(true);
  await sendPending();
}

async function sendPending(): Promise<void> {
  if (!pending || sending) return;
  sending = true;
  updateSendButtons();
  hideReceipt();
  fb.submit.progress(M.sending);
  const { id, text } = pending;
  try {
    const res = await signed<Receipt>('PUT', `/api/v1/reports/${id}`, signer(), text);
    const r = res.body;
    const ok =
      r !== null &&
      typeof r === 'object' &&
      r.reportId === id &&
      r.keyId === wk.receipt.keyId &&
      verifyReceipt(r, wk.receipt.publicKey) &&
      r.reportHash === reportHash(id, JSON.parse(text) as object);
    pending = null;
    delete kept.pending;
    if (!ok) {
      persist();
      lockForm(false);
      return fb.submit.error(M.receiptInvalid);
    }
    // The report is stored: forget what was typed (the narrative above all), here and on the device.
    const receipt: Receipt = { reportId: r.reportId, reportHash: r.reportHash, keyId: r.keyId, signature: r.signature };
    delete kept.draft;
    kept.receipts = [...receipts().filter((x) => x.reportId !== receipt.reportId), receipt];
    persist();
    lockForm(false);
    $<HTMLFormElement>('report-form').reset();
    $('dedupe-file-name').textContent = dedupeSecret ? M.dedupeStillLoaded : '';
    syncOutcome();
    updateCounter();
    endAmend();
    $('draft-note').hidden = true;
    const code = receiptCode(receipt.reportId, receipt.reportHash);
    fb.submit.ok(res.status === 201 ? M.received(code) : M.alreadyReceived(code));
    showReceipt(receipt);
    void refreshList(false);
  } catch (e) {
    if (failureKind(e) === 'refused') {
      pending = null;
      delete kept.pending;
      persist();
      lockForm(false);
      fb.submit.error(failed('report', e));
    } else {
      fb.submit.error(M.sendUnknown(reasonOf('report', e)));
    }
  } finally {
    sending = false;
    updateSendButtons();
  }
}

function onAbandon(): void {
  if (!pending || sending) return;
  if (!window.confirm(M.confirmAbandon)) return;
  pending = null;
  delete kept.pending;
  persist();
  lockForm(false);
  updateSendButtons();
  fb.submit.ok(M.abandoned);
}

function showReceipt(r: Receipt): void {
  lastReceipt = r;
  $('receipt-verified').textContent = M.receiptVerified(r.keyId);
  $('r-code').textContent = receiptCode(r.reportId, r.reportHash);
  $('r-id').textContent = r.reportId;
  $('r-hash').textContent = r.reportHash;
  $('r-key').textContent = r.keyId;
  $('r-signature').textContent = r.signature;
  $('receipt-section').hidden = false;
  $('download-receipts').hidden = receipts().length === 0;
}

function startAmend(item: OwnReport): void {
  if (pending) return fb.mine.error(`${M.failed.amend} ${M.pendingFirst}`);
  amending = item.id;
  $('amend-text').textContent = M.amending(item.id);
  $('amend-banner').hidden = false;
  $<HTMLInputElement>('f-year').value = String(item.year);
  $<HTMLSelectElement>('f-incidentType').value = item.incidentType;
  $<HTMLSelectElement>('f-region').value = item.region;
  syncOutcome();
  hideReceipt();
  fb.submit.progress(M.amendStarted);
  scheduleDraftSave();
  $('h-report').focus();
}

function endAmend(): void {
  amending = null;
  $('amend-banner').hidden = true;
}

// --- drafts (kept on this device, encrypted: vault.ts) --------------------------------------------

function collectDraft(): Draft {
  const fields: Record<string, string> = {};
  for (const f of DRAFT_FIELDS) fields[f] = value(f);
  fields.dedupeDetails = $<HTMLInputElement>('dedupe-details').value;
  return { fields, amending };
}

function draftIsEmpty(d: Draft): boolean {
  return d.amending === null && Object.entries(d.fields).every(([, v]) => v.trim() === '');
}

function saveDraftNow(): void {
  clearTimeout(draftTimer);
  draftTimer = undefined;
  if (!vault || pending) return;
  const d = collectDraft();
  if (draftIsEmpty(d)) {
    if (!kept.draft) return;
    delete kept.draft;
  } else kept.draft = d;
  persist();
}

function scheduleDraftSave(): void {
  if (!vault || pending) return;
  clearTimeout(draftTimer);
  draftTimer = setTimeout(saveDraftNow, 400);
}

function fillDraft(d: Draft): void {
  for (const f of DRAFT_FIELDS) {
    const v = d.fields?.[f];
    if (typeof v === 'string') control(f).value = v;
  }
  const details = d.fields?.dedupeDetails;
  if (typeof details === 'string') {
    $<HTMLInputElement>('dedupe-details').value = details;
    if (details.trim()) ($('dedupe-details').closest('details') as HTMLDetailsElement).open = true;
  }
  syncOutcome();
  if (typeof d.fields?.outcome === 'string') control('outcome').value = d.fields.outcome;
  if (typeof d.amending === 'string') {
    amending = d.amending;
    $('amend-text').textContent = M.amending(d.amending);
    $('amend-banner').hidden = false;
  }
  updateCounter();
}

function restoreKept(): void {
  if (kept.draft) {
    fillDraft(kept.draft);
    $('draft-note').hidden = false;
    $('draft-text').textContent = M.draftRestored;
  }
  if (kept.pending && typeof kept.pending.id === 'string' && typeof kept.pending.text === 'string') {
    pending = kept.pending;
    lockForm(true);
    updateSendButtons();
    fb.submit.error(M.pendingFromBefore);
  }
  $('download-receipts').hidden = receipts().length === 0;
}

function onDiscardDraft(): void {
  if (pending) return fb.submit.error(`${M.failed.discard} ${M.pendingFirst}`);
  if (!window.confirm(M.confirmDiscard)) return;
  delete kept.draft;
  persist();
  $<HTMLFormElement>('report-form').reset();
  syncOutcome();
  endAmend();
  updateCounter();
  $('draft-note').hidden = true;
  fb.submit.ok(M.draftDiscarded);
}

function hasTypedText(): boolean {
  if (!enrolled() || mustSave) return false;
  return $<HTMLTextAreaElement>('f-narrative').value.trim() !== '' || $<HTMLInputElement>('dedupe-details').value.trim() !== '';
}

// --- own reports ---------------------------------------------------------------------------------

async function refreshList(announce = true): Promise<void> {
  if (!key?.keyId) return;
  if (announce) fb.mine.progress(M.listLoading);
  const items: OwnReport[] = [];
  try {
    let cursor: string | null = null;
    do {
      const q: string = cursor ? `?cursor=${cursor}&limit=500` : '?limit=500';
      const res: { body: { items: OwnReport[]; nextCursor: string | null } } = await signed('GET', `/api/v1/reports${q}`, signer());
      items.push(...res.body.items);
      cursor = res.body.nextCursor;
    } while (cursor);
  } catch (e) {
    return fb.mine.error(failed('list', e));
  }
  renderList(items);
  if (announce) fb.mine.ok(M.listLoaded(items.length));
}

function codeOf(id: string, hash: string): string {
  try {
    return receiptCode(id, hash);
  } catch {
    return '';
  }
}

function renderList(items: OwnReport[]): void {
  const list = $('mine-list');
  list.textContent = '';
  $('mine-empty').hidden = items.length > 0;
  const statusText: Record<string, string> = { active: M.statusActive, withdrawn: M.statusWithdrawn, superseded: M.statusSuperseded };
  for (const item of items) {
    const li = document.createElement('li');
    li.className = `report report-${item.status}`;
    const head = document.createElement('p');
    const code = document.createElement('strong');
    code.className = 'receipt-code';
    code.textContent = codeOf(item.id, item.reportHash);
    const st = document.createElement('span');
    st.className = 'report-status';
    st.textContent = statusText[item.status] ?? item.status;
    head.append(code, ' ', st);
    const id = document.createElement('p');
    const idCode = document.createElement('code');
    idCode.className = 'report-id';
    idCode.textContent = item.id;
    id.append(idCode);
    const what = document.createElement('p');
    what.textContent = `${item.year} · ${labelOf('incidentType', item.incidentType)} · ${labelOf('region', item.region)}`;
    li.append(head, id, what);
    if (item.status === 'active') {
      const actions = document.createElement('p');
      const w = document.createElement('button');
      w.type = 'button';
      w.textContent = M.withdraw;
      w.setAttribute('aria-label', `${M.withdraw} ${item.id}`);
      w.addEventListener('click', () => void onWithdraw(item.id));
      const a = document.createElement('button');
      a.type = 'button';
      a.textContent = M.amend;
      a.setAttribute('aria-label', `${M.amend} ${item.id}`);
      a.addEventListener('click', () => startAmend(item));
      actions.append(w, ' ', a);
      li.append(actions);
    }
    list.append(li);
  }
}

async function onWithdraw(id: string): Promise<void> {
  if (!window.confirm(M.confirmWithdraw(id))) return;
  fb.mine.progress(M.withdrawing);
  try {
    await signed('POST', `/api/v1/reports/${id}/withdraw`, signer());
    if (amending === id) endAmend();
    await refreshList(false);
    fb.mine.ok(M.withdrawn(id));
  } catch (e) {
    fb.mine.error(failed('withdraw', e));
  }
}

// --- ¿Se contó mi reporte? -----------------------------------------------------------------------

async function loadReleases(): Promise<void> {
  const select = $<HTMLSelectElement>('check-release');
  select.textContent = '';
  let items: ReleaseItem[];
  try {
    items = (await getJson<{ items: ReleaseItem[] }>('/api/v1/releases')).items;
  } catch (e) {
    return fb.check.error(failed('releases', e));
  }
  const latest = latestRelease(items);
  $('check-button').hidden = items.length === 0;
  $('check-release-field').hidden = items.length === 0;
  if (!latest) return fb.check.ok(M.noReleases);
  const ordered = [latest, ...items.filter((i) => i.id !== latest.id).reverse()];
  for (const it of ordered) {
    const o = document.createElement('option');
    o.value = it.id;
    o.textContent = it === latest ? M.releaseOptionLatest(it.id, it.publishedOn) : M.releaseOption(it.id, it.publishedOn);
    select.append(o);
  }
  fb.check.clear();
}

async function onCheck(): Promise<void> {
  const releaseId = $<HTMLSelectElement>('check-release').value;
  if (!releaseId || !key?.keyId) return;
  const button = $<HTMLButtonElement>('check-button');
  button.disabled = true;
  $('check-list').textContent = '';
  fb.check.progress(M.checking(releaseId));
  try {
    const result = await checkRelease(
      {
        getJson,
        signedGet: async (path) => (await signed('GET', path, signer())).body as never,
        publishers: wk.publishers ?? [],
        receipts: new Map(receipts().map((r) => [r.reportId, r])),
      },
      releaseId,
    );
    renderCheck(result);
  } catch (e) {
    fb.check.error(e instanceof ReleaseSignatureError ? `${M.failed.check} ${M.releaseSignatureBad(releaseId)}` : failed('check', e));
  } finally {
    button.disabled = false;
  }
}

function renderCheck(result: CheckResult): void {
  const list = $('check-list');
  list.textContent = '';
  const counted = result.items.filter((i) => i.outcome === 'counted').length;
  const isAlarm = (o: string) => o === 'bad-proof' || o === 'receipt-mismatch' || o === 'missing';
  const alarms = result.items.filter((i) => isAlarm(i.outcome)).length;
  const order: Record<string, number> = {
    'bad-proof': 0,
    'receipt-mismatch': 0,
    missing: 0,
    counted: 1,
    'not-counted': 2,
    'other-year': 3,
    superseded: 4,
    withdrawn: 4,
  };
  for (const it of [...result.items].sort((a, b) => (order[a.outcome] ?? 9) - (order[b.outcome] ?? 9))) {
    const li = document.createElement('li');
    li.className = `check check-${it.outcome}`;
    const mark = document.createElement('span');
    mark.className = 'check-mark';
    mark.setAttribute('aria-hidden', 'true');
    mark.textContent = it.outcome === 'counted' ? '✓' : isAlarm(it.outcome) ? '✗' : '–';
    const code = document.createElement('strong');
    code.className = 'receipt-code';
    code.textContent = it.code ?? it.reportId;
    const text = document.createElement('span');
    text.textContent = ` ${M.outcome[it.outcome](result.releaseId)}${it.receiptOnDevice && it.outcome === 'counted' ? ` ${M.receiptOnDevice}` : ''}`;
    const id = document.createElement('code');
    id.className = 'report-id';
    id.textContent = it.reportId;
    li.append(mark, ' ', code, text, ' ', id);
    list.append(li);
  }
  const summary = M.checkSummary(result.releaseId, counted, result.items.length, result.publisherKeyId);
  if (alarms > 0) fb.check.error(`${summary} ${M.checkAlarm(alarms)}`);
  else fb.check.ok(summary);
}

// --- leaving the page ----------------------------------------------------------------------------

function onBeforeUnload(e: BeforeUnloadEvent): void {
  saveDraftNow();
  if (mustSave || pending !== null || sending || hasTypedText()) {
    e.preventDefault();
    e.returnValue = '';
  }
}

// --- start ---------------------------------------------------------------------------------------

function takeInviteFromLink(): void {
  const invite = inviteFromFragment(window.location.hash);
  if (invite === null) return;
  // The fragment never reached the server; drop it from the address bar and history too.
  window.history.replaceState(null, '', window.location.pathname + window.location.search);
  $<HTMLInputElement>('invite').value = invite;
  $('invite-note').hidden = false;
}

async function main(): Promise<void> {
  $('js-needed').hidden = true;
  $('app').hidden = false;
  takeInviteFromLink();
  fb.page.progress(M.loading);
  try {
    const [s, tax, known] = await Promise.all([ready(), getJson<Taxonomy>('/api/v1/taxonomy'), getJson<WellKnown>('/.well-known/contamos.json')]);
    sodium = s as unknown as typeof sodium;
    taxonomy = tax;
    wk = known;
  } catch (e) {
    fb.page.error(failed('load', e));
    return;
  }
  fillForm();
  const lockable = canLockKeys(sodium);
  $('save-encrypted').hidden = !lockable;
  $('save-plain').hidden = lockable;

  $('key-file').addEventListener('change', () => void onKeyFile());
  $('unlock-button').addEventListener('click', () => void onUnlock());
  $('unlock-passphrase').addEventListener('keydown', (e) => {
    if (e.key === 'Enter') {
      e.preventDefault();
      void onUnlock();
    }
  });
  $('create-key').addEventListener('click', onCreateKey);
  $('enrol-button').addEventListener('click', () => void onEnrol());
  $('invite').addEventListener('keydown', (e) => {
    if (e.key === 'Enter') {
      e.preventDefault();
      void onEnrol();
    }
  });
  $('save-key-button').addEventListener('click', () => void onSaveKey());
  $('save-passphrase-2').addEventListener('keydown', (e) => {
    if (e.key === 'Enter') {
      e.preventDefault();
      void onSaveKey();
    }
  });
  $('save-plain-button').addEventListener('click', onSavePlain);
  $('forget-key').addEventListener('click', onForget);
  $('f-incidentType').addEventListener('change', syncOutcome);
  $('f-narrative').addEventListener('input', updateCounter);
  const form = $<HTMLFormElement>('report-form');
  form.addEventListener('input', scheduleDraftSave);
  form.addEventListener('change', scheduleDraftSave);
  form.addEventListener('submit', (e) => void onSubmit(e));
  $('dedupe-secret').addEventListener('change', () => void onDedupeSecret());
  $('retry-button').addEventListener('click', () => void sendPending());
  $('abandon-button').addEventListener('click', onAbandon);
  $('discard-draft').addEventListener('click', onDiscardDraft);
  $('cancel-amend').addEventListener('click', () => {
    endAmend();
    scheduleDraftSave();
    fb.submit.ok(M.amendCancelled);
  });
  $('refresh-mine').addEventListener('click', () => void refreshList());
  $('check-button').addEventListener('click', () => void onCheck());
  $('download-receipt').addEventListener('click', () => {
    if (!lastReceipt) return;
    const code = receiptCode(lastReceipt.reportId, lastReceipt.reportHash);
    download(`contamos-${M.receiptFile}-${code}.json`, JSON.stringify({ ...lastReceipt, code }, null, 2) + '\n');
  });
  $('download-receipts').addEventListener('click', () => {
    download(
      'receipts.jsonl',
      receipts()
        .map((r) => JSON.stringify(r))
        .join('\n') + '\n',
      'application/x-ndjson',
    );
  });
  window.addEventListener('beforeunload', onBeforeUnload);
  window.addEventListener('pagehide', saveDraftNow);
  updateSendButtons();
  showKeyState();
  fb.page.clear();
  fb.key.progress($<HTMLInputElement>('invite').value ? M.readyWithInvite : M.ready);
}

void main();
