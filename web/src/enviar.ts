// enviar.ts — the submission page's script (bundled by scripts/build-web.ts into web/dist/enviar.js).
//
// Guarantees:
// - The organisation's secret key exists only in this page's memory (never in localStorage,
//   IndexedDB, cookies or any request); it leaves the page only when the user downloads it,
//   encrypted with a passphrase (keybox.ts) when the libsodium build allows.
// - The narrative is padded and sealed here, with the steward's seal key from
//   /.well-known/contamos.json, before anything is sent: its plaintext never crosses the
//   network. Dedupe details are only hashed here (HMAC with the coalition secret), never sent.
// - Every member request is signed here (RFC 9421) over exactly the bytes sent.
// - A receipt is shown as received only if its signature verifies against the server's receipt
//   key and it signs the hash of exactly the body sent.
// - A retry after a lost answer re-sends the same body under the same report id, so it cannot
//   create a duplicate.
// - The page writes text with textContent only (no innerHTML), so nothing from the server or the
//   user can become markup.
import {
  type KeyFile, NarrativeTooLargeError, dedupeTag, fromBase64, generateSigningKeyPair, hasSecretKeys, parseKeyFile,
  randomBytes, ready, reportHash, sealNarrative, serializeKeyFile, toHex, verifyReceipt,
} from '../../crypto/index.js';
import { ApiError, NetworkError, getJson, postJson, signed, type Signer } from './api.js';
import { KeyBoxFormatError, WrongPassphraseError, canLockKeys, isKeyBox, lockKeyFile, unlockKeyFile, type PwhashSodium } from './keybox.js';
import { type Lang, messages } from './messages.js';

interface Code { code: string; label: { es: string; en: string } }
interface FieldDef { label: { es: string; en: string }; codes?: Code[]; min?: number; optional?: boolean }
interface Taxonomy { version: string; fields: Record<string, FieldDef> }
interface WellKnown { steward: { sealPublicKey: string }; receipt: { keyId: string; publicKey: string } }
interface Receipt { reportId: string; reportHash: string; keyId: string; signature: string }
interface OwnReport { id: string; status: string; reportHash: string; supersedes: string | null; year: number; incidentType: string; region: string }

const SELECT_FIELDS = ['quarter', 'region', 'incidentType', 'outcome', 'perpetratorType', 'victimGender', 'victimNationality', 'victimAgeBand'] as const;
const PASSPHRASE_MIN = 12;

const lang: Lang = document.documentElement.lang === 'en' ? 'en' : 'es';
const M = messages(lang);

function $<T extends HTMLElement = HTMLElement>(id: string): T {
  const el = document.getElementById(id);
  if (!el) throw new Error(`missing #${id}`);
  return el as T;
}

function status(text: string): void {
  $('alert').textContent = '';
  $('status').textContent = text;
}

function alertMsg(text: string): void {
  $('alert').textContent = text;
}

function errorText(e: unknown): string {
  if (e instanceof ApiError) return M.errors[e.code] ?? M.errorGeneric(e.message);
  if (e instanceof NetworkError) return M.networkError;
  return M.loadFailed;
}

function download(name: string, text: string, type = 'application/json'): void {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  a.hidden = true;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** Lets the browser paint a status message before a long synchronous step (Argon2id). */
const nextFrame = () => new Promise<void>((r) => setTimeout(r, 30));

function uuidV4(): string {
  const b = randomBytes(16);
  b[6] = (b[6]! & 0x0f) | 0x40;
  b[8] = (b[8]! & 0x3f) | 0x80;
  const h = toHex(b);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

// --- state ---------------------------------------------------------------------------------------

let sodium: PwhashSodium;
let taxonomy: Taxonomy;
let wk: WellKnown;
let key: KeyFile | null = null;
/** Offer to save the key: it was made here, or loaded unencrypted and can now be encrypted. */
let offerSave = false;
let lockedBox: unknown = null;
let dedupeSecret: string | null = null;
let amending: string | null = null;
let pending: { id: string; text: string; body: Record<string, unknown> } | null = null;
let lastReceipt: Receipt | null = null;
const sessionReceipts: Receipt[] = [];

function signer(): Signer {
  if (!key?.keyId || !key.signing?.secretKey) throw new Error('no enrolled key');
  return { keyId: key.keyId, secretKey: key.signing.secretKey };
}

function labelOf(field: string, code: string): string {
  return taxonomy.fields[field]?.codes?.find((c) => c.code === code)?.label[lang] ?? code;
}

// --- key -----------------------------------------------------------------------------------------

function showKeyState(): void {
  const enrolled = Boolean(key?.keyId);
  $('key-state').textContent = !key ? M.keyNone : enrolled ? M.keyReady(key.keyId!) : M.keyNotEnrolled;
  $('load-key').hidden = key !== null;
  $('new-key').hidden = key !== null;
  $('enrol').hidden = !key || enrolled;
  $('save-key').hidden = !enrolled || !offerSave;
  $('forget-key').hidden = key === null;
  $('report-section').hidden = !enrolled;
  $('mine-section').hidden = !enrolled;
  if (!enrolled) $('receipt-section').hidden = true;
}

function setKey(k: KeyFile | null, save = offerSave): void {
  key = k;
  offerSave = k !== null && save;
  lockedBox = null;
  $('unlock').hidden = true;
  showKeyState();
  if (k?.keyId) void refreshList();
}

function acceptKeyText(text: string, wasEncrypted: boolean): void {
  let k: KeyFile;
  try {
    k = parseKeyFile(text);
  } catch {
    return alertMsg(M.keyFileInvalid);
  }
  if (k.role !== 'member') return alertMsg(M.keyWrongRole);
  if (!hasSecretKeys(k) || !k.signing?.secretKey) return alertMsg(M.keyPublicOnly);
  setKey(k, !wasEncrypted && canLockKeys(sodium));
  status(M.keyLoaded);
}

async function onKeyFile(): Promise<void> {
  const input = $<HTMLInputElement>('key-file');
  const file = input.files?.[0];
  if (!file) return;
  const text = await file.text();
  input.value = '';
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return alertMsg(M.keyFileInvalid);
  }
  if (isKeyBox(json)) {
    if (!canLockKeys(sodium)) return alertMsg(M.noPwhash);
    lockedBox = json;
    $('unlock').hidden = false;
    status(M.keyLocked);
    $('unlock-passphrase').focus();
    return;
  }
  acceptKeyText(text, false);
}

async function onUnlock(): Promise<void> {
  if (!lockedBox) return;
  const pass = $<HTMLInputElement>('unlock-passphrase');
  status(M.unlocking);
  await nextFrame();
  try {
    const text = unlockKeyFile(sodium, lockedBox, pass.value);
    pass.value = '';
    acceptKeyText(text, true);
  } catch (e) {
    if (e instanceof WrongPassphraseError) alertMsg(M.wrongPassphrase);
    else if (e instanceof KeyBoxFormatError) alertMsg(M.keyFileInvalid);
    else alertMsg(M.keyFileInvalid);
  }
}

function onCreateKey(): void {
  setKey({ kind: 'contamos-key', version: 1, role: 'member', signing: generateSigningKeyPair() }, true);
  status(M.keyCreated);
  $('invite').focus();
}

async function onEnrol(): Promise<void> {
  if (!key?.signing) return;
  const invite = $<HTMLInputElement>('invite').value.trim();
  if (!invite) return alertMsg(M.inviteMissing);
  status(M.enrolling);
  try {
    const res = await postJson<{ keyId: string }>('/api/v1/enrol', { invite, publicKey: key.signing.publicKey });
    key = { ...key, keyId: res.body.keyId };
    $<HTMLInputElement>('invite').value = '';
    setKey(key);
    status(M.enrolled(res.body.keyId));
    (canLockKeys(sodium) ? $('save-passphrase') : $('save-plain-button')).focus();
  } catch (e) {
    alertMsg(errorText(e));
  }
}

async function onSaveKey(): Promise<void> {
  if (!key) return;
  const p1 = $<HTMLInputElement>('save-passphrase');
  const p2 = $<HTMLInputElement>('save-passphrase-2');
  if (p1.value.length < PASSPHRASE_MIN) return alertMsg(M.passphraseShort);
  if (p1.value !== p2.value) return alertMsg(M.passphraseMismatch);
  status(M.savingKey);
  await nextFrame();
  const box = lockKeyFile(sodium, serializeKeyFile(key), p1.value);
  p1.value = '';
  p2.value = '';
  download(lang === 'en' ? 'contamos-key.json' : 'contamos-llave.json', box);
  status(M.keySaved);
}

function onSavePlain(): void {
  if (!key) return;
  download(lang === 'en' ? 'contamos-key.json' : 'contamos-llave.json', serializeKeyFile(key));
  status(M.keySaved);
}

function onForget(): void {
  setKey(null);
  dedupeSecret = null;
  amending = null;
  pending = null;
  lastReceipt = null;
  sessionReceipts.length = 0;
  $<HTMLFormElement>('report-form').reset();
  $('mine-list').textContent = '';
  $('amend-banner').hidden = true;
  $('retry-button').hidden = true;
  $('download-receipts').hidden = true;
  status(M.keyForgotten);
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
}

function syncOutcome(): void {
  const isDisappearance = $<HTMLSelectElement>('f-incidentType').value === 'disappearance';
  $('field-outcome').hidden = !isDisappearance;
  $<HTMLSelectElement>('f-outcome').required = isDisappearance;
}

async function onDedupeSecret(): Promise<void> {
  const input = $<HTMLInputElement>('dedupe-secret');
  const file = input.files?.[0];
  if (!file) return;
  const text = (await file.text()).trim();
  input.value = '';
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
  if (!ok) return alertMsg(M.dedupeSecretInvalid);
  dedupeSecret = secret as string;
  status(M.dedupeSecretLoaded);
}

function value(id: string): string {
  return $<HTMLInputElement | HTMLSelectElement>(id).value;
}

async function onSubmit(ev: SubmitEvent): Promise<void> {
  ev.preventDefault();
  if (!key?.keyId) return;
  const narrativeEl = $<HTMLTextAreaElement>('f-narrative');
  const narrative = narrativeEl.value;
  if (!narrative.trim()) {
    alertMsg(M.narrativeEmpty);
    return narrativeEl.focus();
  }
  const incidentType = value('f-incidentType');
  const body: Record<string, unknown> = {
    year: Number(value('f-year')),
    region: value('f-region'),
    incidentType,
    perpetratorType: value('f-perpetratorType'),
    victimGender: value('f-victimGender'),
    victimNationality: value('f-victimNationality'),
    victimAgeBand: value('f-victimAgeBand'),
  };
  if (value('f-quarter')) body.quarter = Number(value('f-quarter'));
  if (incidentType === 'disappearance') body.outcome = value('f-outcome');
  try {
    body.sealedNarrative = sealNarrative(narrative, wk.steward.sealPublicKey);
  } catch (e) {
    return alertMsg(e instanceof NarrativeTooLargeError ? M.narrativeTooLong : M.loadFailed);
  }
  const details = $<HTMLInputElement>('dedupe-details').value;
  if (details.trim()) {
    if (!dedupeSecret) return alertMsg(M.dedupeNeedsBoth);
    body.dedupeTag = dedupeTag(dedupeSecret, details);
  }
  if (amending) body.supersedes = amending;
  pending = { id: uuidV4(), text: JSON.stringify(body), body };
  await sendPending();
}

async function sendPending(): Promise<void> {
  if (!pending) return;
  const submit = $<HTMLButtonElement>('submit-button');
  const retry = $<HTMLButtonElement>('retry-button');
  submit.disabled = true;
  retry.disabled = true;
  status(M.sending);
  const { id, text, body } = pending;
  try {
    const res = await signed<Receipt>('PUT', `/api/v1/reports/${id}`, signer(), text);
    pending = null;
    retry.hidden = true;
    const r = res.body;
    const ok = r !== null && typeof r === 'object' && r.reportId === id && r.keyId === wk.receipt.keyId &&
      verifyReceipt(r, wk.receipt.publicKey) && r.reportHash === reportHash(id, body);
    if (!ok) return alertMsg(M.receiptInvalid);
    // The report is stored: clear what was typed (the narrative above all) from the page.
    $<HTMLFormElement>('report-form').reset();
    $<HTMLInputElement>('dedupe-details').value = '';
    syncOutcome();
    endAmend();
    showReceipt(r);
    status(res.status === 201 ? M.received : M.alreadyReceived);
    void refreshList(false);
  } catch (e) {
    if (e instanceof NetworkError) {
      retry.hidden = false;
    } else {
      pending = null;
      retry.hidden = true;
    }
    alertMsg(errorText(e));
  } finally {
    submit.disabled = false;
    retry.disabled = false;
  }
}

function showReceipt(r: Receipt): void {
  lastReceipt = { reportId: r.reportId, reportHash: r.reportHash, keyId: r.keyId, signature: r.signature };
  sessionReceipts.push(lastReceipt);
  $('receipt-verified').textContent = M.receiptVerified(r.keyId);
  $('r-id').textContent = r.reportId;
  $('r-hash').textContent = r.reportHash;
  $('r-key').textContent = r.keyId;
  $('r-signature').textContent = r.signature;
  $('receipt-section').hidden = false;
  $('download-receipts').hidden = false;
  $('h-receipt').focus();
}

function startAmend(item: OwnReport): void {
  amending = item.id;
  $('amend-text').textContent = M.amending(item.id);
  $('amend-banner').hidden = false;
  $<HTMLInputElement>('f-year').value = String(item.year);
  $<HTMLSelectElement>('f-incidentType').value = item.incidentType;
  $<HTMLSelectElement>('f-region').value = item.region;
  syncOutcome();
  status(M.amendStarted);
  $('h-report').focus();
}

function endAmend(): void {
  amending = null;
  $('amend-banner').hidden = true;
}

// --- own reports ---------------------------------------------------------------------------------

async function refreshList(announce = true): Promise<void> {
  if (!key?.keyId) return;
  if (announce) status(M.listLoading);
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
    return alertMsg(errorText(e));
  }
  renderList(items);
  if (announce) status(M.listLoaded(items.length));
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
    const id = document.createElement('code');
    id.className = 'report-id';
    id.textContent = item.id;
    const st = document.createElement('span');
    st.className = 'report-status';
    st.textContent = statusText[item.status] ?? item.status;
    head.append(id, ' ', st);
    const what = document.createElement('p');
    what.textContent = `${item.year} · ${labelOf('incidentType', item.incidentType)} · ${labelOf('region', item.region)}`;
    li.append(head, what);
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
  status(M.withdrawing);
  try {
    await signed('POST', `/api/v1/reports/${id}/withdraw`, signer());
    if (amending === id) endAmend();
    await refreshList(false);
    status(M.withdrawn(id));
  } catch (e) {
    alertMsg(errorText(e));
  }
}

// --- start ---------------------------------------------------------------------------------------

async function main(): Promise<void> {
  $('js-needed').hidden = true;
  $('app').hidden = false;
  status(M.loading);
  try {
    const [s, tax, known] = await Promise.all([
      ready(),
      getJson<Taxonomy>('/api/v1/taxonomy'),
      getJson<WellKnown>('/.well-known/contamos.json'),
    ]);
    sodium = s as unknown as PwhashSodium;
    taxonomy = tax;
    wk = known;
  } catch (e) {
    alertMsg(e instanceof ApiError || e instanceof NetworkError ? errorText(e) : M.loadFailed);
    return;
  }
  fillForm();
  const lockable = canLockKeys(sodium);
  $('save-encrypted').hidden = !lockable;
  $('save-plain').hidden = lockable;

  $('key-file').addEventListener('change', () => void onKeyFile());
  $('unlock-button').addEventListener('click', () => void onUnlock());
  $('unlock-passphrase').addEventListener('keydown', (e) => { if (e.key === 'Enter') { e.preventDefault(); void onUnlock(); } });
  $('create-key').addEventListener('click', onCreateKey);
  $('enrol-button').addEventListener('click', () => void onEnrol());
  $('invite').addEventListener('keydown', (e) => { if (e.key === 'Enter') { e.preventDefault(); void onEnrol(); } });
  $('save-key-button').addEventListener('click', () => void onSaveKey());
  $('save-plain-button').addEventListener('click', onSavePlain);
  $('forget-key').addEventListener('click', onForget);
  $('f-incidentType').addEventListener('change', syncOutcome);
  $('dedupe-secret').addEventListener('change', () => void onDedupeSecret());
  $<HTMLFormElement>('report-form').addEventListener('submit', (e) => void onSubmit(e));
  $('retry-button').addEventListener('click', () => void sendPending());
  $('cancel-amend').addEventListener('click', () => { endAmend(); status(M.amendCancelled); });
  $('refresh-mine').addEventListener('click', () => void refreshList());
  $('download-receipt').addEventListener('click', () => {
    if (lastReceipt) download(`contamos-${M.receiptFile}-${lastReceipt.reportId}.json`, JSON.stringify(lastReceipt, null, 2) + '\n');
  });
  $('download-receipts').addEventListener('click', () => {
    download('receipts.jsonl', sessionReceipts.map((r) => JSON.stringify(r)).join('\n') + '\n', 'application/x-ndjson');
  });
  showKeyState();
  status(M.ready);
}

void main();
