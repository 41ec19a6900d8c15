// submit-page.ts — the shell of the submission form at /enviar. The page itself holds no data:
// the form's field labels and options come from the taxonomy (fetched by the page's script from
// /api/v1/taxonomy), and all cryptography happens in the page's script (web/src/enviar.ts).
//
// Guarantees: one external module script, no inline script or style; without JavaScript the page
// says plainly that the form needs it (the encryption runs in the browser) and points to the
// statistics, which need none; every control has a label, groups are fieldsets with legends, and
// every action has its own status and error lines right after its control (role="status" and
// role="alert", so screen readers announce them), filled by the script (web/src/feedback.ts).
import { html, safeHref } from './html.js';
import { type Lang, t, withLang } from './i18n.js';
import { page } from './layout.js';

export const SUBMIT_SCRIPT = '/static/enviar.js';

const FIELDS: Array<{ field: string; group: 'when' | 'what' | 'victim' }> = [
  { field: 'year', group: 'when' },
  { field: 'quarter', group: 'when' },
  { field: 'region', group: 'when' },
  { field: 'incidentType', group: 'what' },
  { field: 'outcome', group: 'what' },
  { field: 'perpetratorType', group: 'what' },
  { field: 'victimGender', group: 'victim' },
  { field: 'victimNationality', group: 'victim' },
  { field: 'victimAgeBand', group: 'victim' },
];

function field(f: string) {
  // Labels are filled from the taxonomy by the script; the ids tie label, control and hint.
  if (f === 'year') {
    return html`<div class="field" id="field-year"><label for="f-year" data-field-label="year"></label><input id="f-year" name="year" type="number" inputmode="numeric" required min="1990" step="1"></div>`;
  }
  const optional = f === 'quarter';
  return html`<div class="field" id="field-${f}"${f === 'outcome' ? html` hidden` : ''}><label for="f-${f}" data-field-label="${f}"></label><select id="f-${f}" name="${f}"${optional ? '' : html` required`}></select></div>`;
}

/** The status line (progress, success) and the error line of one action, next to its control. */
function feedback(id: string) {
  return html`<div class="feedback" id="${id}"><p class="status" id="${id}-status" role="status"></p><p class="alert" id="${id}-alert" role="alert"></p></div>`;
}

/** Step 1: the organisation's key — open a saved one or create one, enrol it, save it. */
function keySection(lang: Lang) {
  return html`<section id="key-section" aria-labelledby="h-key">
<h2 id="h-key">${t(lang, '1. La llave de su organización', '1. Your organisation’s key')}</h2>
<p id="invite-note" class="notice" hidden>${t(
    lang,
    'Recibió una invitación: ya está copiada abajo. Paso 1: pulse «Crear una llave nueva». Paso 2: «Inscribir». Paso 3: guarde la llave. Después aparece el formulario.',
    'You received an invite: it is already filled in below. Step 1: press “Create a new key”. Step 2: “Enrol”. Step 3: save the key. Then the form appears.',
  )}</p>
<p id="key-state" class="key-state">${t(lang, 'Todavía no hay ninguna llave en esta página.', 'There is no key in this page yet.')}</p>

<fieldset id="load-key">
<legend>${t(lang, 'Usar una llave guardada', 'Use a saved key')}</legend>
<label for="key-file">${t(lang, 'Archivo de llave (.json), guardado desde esta página o desde la línea de órdenes', 'Key file (.json), saved from this page or from the command line')}</label>
<input type="file" id="key-file" accept=".json,application/json" aria-describedby="key-file-name">
<p id="key-file-name" class="file-name" aria-live="polite"></p>
<div id="unlock" hidden>
<label for="unlock-passphrase">${t(lang, 'Contraseña de la llave', 'Key passphrase')}</label>
<input type="password" id="unlock-passphrase" autocomplete="current-password">
<button type="button" id="unlock-button">${t(lang, 'Abrir la llave', 'Open the key')}</button>
</div>
</fieldset>

<fieldset id="new-key">
<legend>${t(lang, 'O crear una llave nueva', 'Or create a new key')}</legend>
<p class="hint">${t(
    lang,
    'La llave se crea en este navegador. Después la inscribe con la invitación que le dio la administración de la coalición.',
    'The key is created in this browser. You then enrol it with the invite the coalition steward gave you.',
  )}</p>
<button type="button" id="create-key">${t(lang, 'Crear una llave nueva', 'Create a new key')}</button>
</fieldset>
${feedback('key-feedback')}

<fieldset id="enrol" hidden>
<legend>${t(lang, 'Inscribir la llave con una invitación', 'Enrol the key with an invite')}</legend>
<p class="hint" id="invite-hint">${t(
    lang,
    'La invitación es un código de un solo uso (o el enlace que lo contiene). Solo se envía la parte pública de la llave.',
    'The invite is a one-time code (or the link that holds it). Only the public half of the key is sent.',
  )}</p>
<label for="invite">${t(lang, 'Invitación', 'Invite')}</label>
<input id="invite" type="text" autocomplete="off" autocapitalize="off" spellcheck="false" aria-describedby="invite-hint">
<button type="button" id="enrol-button">${t(lang, 'Inscribir', 'Enrol')}</button>
${feedback('enrol-feedback')}
</fieldset>

<fieldset id="save-key" hidden>
<legend><span id="save-legend-required">${t(lang, 'Guardar la llave (paso obligatorio)', 'Save the key (required step)')}</span><span id="save-legend-optional" hidden>${t(lang, 'Guardar la llave cifrada', 'Save the key, encrypted')}</span></legend>
<div id="save-required">
<p class="warning">${t(
    lang,
    'La llave solo existe en esta página. Si la cierra sin guardar la llave, la pierde: su organización no podrá retirar ni corregir sus reportes ni comprobar que se contaron, y tendrá que pedir otra invitación.',
    'The key exists only in this page. If you close it without saving the key, it is lost: your organisation cannot withdraw or amend its reports nor check that they were counted, and must ask for another invite.',
  )}</p>
</div>
<p class="hint" id="save-hint">${t(
    lang,
    'Se descarga un archivo cifrado con su contraseña: quien lo encuentre no puede usarlo sin ella. Guárdelo en un lugar seguro (por ejemplo una memoria USB) y no olvide la contraseña: nadie puede recuperarla. Con el archivo y la contraseña, vuelve a usar la llave en cualquier navegador o en la línea de órdenes.',
    'A file encrypted with your passphrase is downloaded: whoever finds it cannot use it without the passphrase. Keep it somewhere safe (a USB stick, for example) and do not forget the passphrase: no one can recover it. With the file and the passphrase you can use the key again in any browser or on the command line.',
  )}</p>
<p id="save-optional" class="hint" hidden>${t(
    lang,
    'El archivo que cargó no está cifrado. Puede guardar una copia cifrada con una contraseña y borrar la otra.',
    'The file you loaded is not encrypted. You can save a copy encrypted with a passphrase and delete the other.',
  )}</p>
<div id="save-encrypted">
<label for="save-passphrase">${t(lang, 'Contraseña (al menos 12 caracteres; mejor varias palabras)', 'Passphrase (at least 12 characters; several words are best)')}</label>
<input type="password" id="save-passphrase" autocomplete="new-password" aria-describedby="save-hint">
<label for="save-passphrase-2">${t(lang, 'Repita la contraseña', 'Repeat the passphrase')}</label>
<input type="password" id="save-passphrase-2" autocomplete="new-password">
<button type="button" id="save-key-button">${t(lang, 'Descargar la llave cifrada', 'Download the encrypted key')}</button>
</div>
<div id="save-plain" hidden>
<p class="warning">${t(
    lang,
    'Este servidor no tiene instalada la función de cifrado con contraseña. Puede descargar la llave sin cifrar: guárdela en un lugar seguro, porque quien tenga el archivo puede firmar en nombre de su organización.',
    'This server does not have passphrase encryption installed. You can download the key unencrypted: keep it somewhere safe, because whoever has the file can sign on behalf of your organisation.',
  )}</p>
<button type="button" id="save-plain-button">${t(lang, 'Descargar la llave sin cifrar', 'Download the key unencrypted')}</button>
</div>
${feedback('save-feedback')}
</fieldset>
<p><button type="button" id="forget-key" hidden>${t(lang, 'Olvidar la llave en esta página', 'Forget the key in this page')}</button></p>
</section>`;
}

export function submitPage(lang: Lang): string {
  const group = (g: 'when' | 'what' | 'victim') => FIELDS.filter((x) => x.group === g).map((x) => field(x.field));
  const body = html`<h1>${t(lang, 'Enviar un reporte', 'Submit a report')}</h1>
<p class="lead">${t(
    lang,
    'Para las organizaciones miembro de la coalición. Aquí su organización registra un hecho de violencia, recibe un recibo firmado y puede retirar o corregir sus propios reportes.',
    'For the coalition’s member organisations. Here your organisation records an incident of violence, receives a signed receipt and can withdraw or amend its own reports.',
  )}</p>

<section class="explain" aria-labelledby="h-privacy">
<h2 id="h-privacy">${t(lang, 'Qué se cifra y qué ve el servidor', 'What is encrypted and what the server sees')}</h2>
<ul>
<li><strong>${t(lang, 'La narración se cifra en este navegador.', 'The narrative is encrypted in this browser.')}</strong> ${t(
    lang,
    'Lo que pasó, nombres, lugares y fuentes se sellan con la llave de la administración de la coalición antes de salir de este equipo. El servidor no puede leerla; solo la administración puede abrirla, en su propio equipo.',
    'What happened, names, places and sources are sealed with the coalition steward’s key before they leave this device. The server cannot read it; only the steward can open it, on their own computer.',
  )}</li>
<li><strong>${t(lang, 'El servidor ve solo las respuestas de las listas', 'The server sees only the answers from the lists')}</strong> ${t(
    lang,
    '(año, región, tipo de hecho, presunto agresor, género, nacionalidad y edad de la víctima) y un identificador al azar de su organización. No conoce el nombre de su organización, no guarda su dirección IP ni usa cookies.',
    '(year, region, incident type, alleged perpetrator, victim’s gender, nationality and age) and a random identifier of your organisation. It does not know your organisation’s name, keeps no IP address and uses no cookies.',
  )}</li>
<li><strong>${t(lang, 'Su llave se queda en la memoria de esta página.', 'Your key stays in this page’s memory.')}</strong> ${t(
    lang,
    'Firma cada envío aquí mismo y nunca se envía. Al cerrar la página desaparece: por eso se guarda, cifrada con una contraseña, antes de enviar reportes.',
    'It signs each submission right here and is never sent. When you close the page it is gone: that is why it is saved, encrypted with a passphrase, before you submit reports.',
  )}</li>
<li><strong>${t(lang, 'Lo que escribe queda en este equipo solo cifrado.', 'What you type stays on this device only encrypted.')}</strong> ${t(
    lang,
    'Si la página se cierra antes de enviar, lo escrito se recupera al volver a cargar la llave; nadie puede leerlo sin ella. Se borra cuando el reporte llega.',
    'If the page closes before you send, what you typed comes back when you load the key again; no one can read it without the key. It is erased when the report arrives.',
  )}</li>
</ul>
</section>

<p id="js-needed" class="notice">${t(
    lang,
    'Este formulario necesita JavaScript, porque el cifrado se hace en su navegador y nunca en el servidor. Las estadísticas públicas funcionan sin JavaScript.',
    'This form needs JavaScript, because the encryption happens in your browser and never on the server. The public statistics work without JavaScript.',
  )} <a href="${safeHref(withLang('/estadisticas', lang))}">${t(lang, 'Ver las estadísticas', 'See the statistics')}</a></p>

<div id="app" hidden>
${feedback('page-feedback')}

${keySection(lang)}

<section id="report-section" aria-labelledby="h-report" hidden>
<h2 id="h-report" tabindex="-1">${t(lang, '2. Nuevo reporte', '2. New report')}</h2>
<div id="amend-banner" class="notice" hidden>
<p id="amend-text"></p>
<button type="button" id="cancel-amend">${t(lang, 'Cancelar la corrección', 'Cancel the amendment')}</button>
</div>
<div id="draft-note" class="notice" hidden>
<p id="draft-text"></p>
<button type="button" id="discard-draft">${t(lang, 'Borrar lo escrito', 'Erase what is typed')}</button>
</div>
<p class="hint">${t(
    lang,
    'Lo que escribe se guarda en este equipo solo cifrado con la llave de su organización, y se borra cuando el reporte llega.',
    'What you type is kept on this device only encrypted with your organisation’s key, and erased when the report arrives.',
  )}</p>
<form id="report-form">
<div id="report-fields">
<fieldset>
<legend>${t(lang, 'Cuándo y dónde', 'When and where')}</legend>
${group('when')}
</fieldset>
<fieldset>
<legend>${t(lang, 'Qué pasó', 'What happened')}</legend>
${group('what')}
</fieldset>
<fieldset>
<legend>${t(lang, 'La víctima', 'The victim')}</legend>
${group('victim')}
</fieldset>
<fieldset>
<legend>${t(lang, 'Narración (se cifra en este navegador)', 'Narrative (encrypted in this browser)')}</legend>
<label for="f-narrative">${t(lang, 'Qué pasó, con nombres, lugares y fuentes si los conoce', 'What happened, with names, places and sources if you know them')}</label>
<p class="hint" id="narrative-hint">${t(
    lang,
    'Solo la administración de la coalición podrá leer este texto. Nunca se publica ni se cuenta.',
    'Only the coalition steward will be able to read this text. It is never published or counted.',
  )}</p>
<textarea id="f-narrative" name="narrative" rows="8" required aria-describedby="narrative-hint narrative-count"></textarea>
<p id="narrative-count" class="hint counter"></p>
</fieldset>
<details class="dedupe">
<summary>${t(lang, 'Evitar que el mismo hecho se cuente dos veces (opcional)', 'Avoid counting the same incident twice (optional)')}</summary>
<p class="hint" id="dedupe-hint">${t(
    lang,
    'Si su organización tiene el secreto de la coalición, escriba aquí los datos que identifican el hecho (nombre de la víctima, fecha, lugar). Con ellos se calcula en este navegador una etiqueta: el servidor solo ve la etiqueta, nunca estos datos, y cuenta una vez los reportes de distintas organizaciones con la misma etiqueta.',
    'If your organisation has the coalition secret, write here the details that identify the incident (victim’s name, date, place). A tag is computed from them in this browser: the server sees only the tag, never these details, and counts once the reports of different organisations with the same tag.',
  )}</p>
<label for="dedupe-secret">${t(lang, 'Archivo del secreto de la coalición', 'Coalition secret file')}</label>
<input type="file" id="dedupe-secret" accept=".json,.txt,application/json,text/plain" aria-describedby="dedupe-file-name">
<p id="dedupe-file-name" class="file-name" aria-live="polite"></p>
<label for="dedupe-details">${t(lang, 'Datos que identifican el hecho (no se envían)', 'Details that identify the incident (never sent)')}</label>
<input type="text" id="dedupe-details" autocomplete="off" aria-describedby="dedupe-hint">
</details>
</div>
<p class="actions"><button type="submit" id="submit-button">${t(lang, 'Cifrar y enviar', 'Encrypt and send')}</button>
<button type="button" id="retry-button" hidden>${t(lang, 'Reintentar el mismo envío', 'Retry the same submission')}</button>
<button type="button" id="abandon-button" hidden>${t(lang, 'Abandonar este envío', 'Abandon this submission')}</button></p>
${feedback('submit-feedback')}
</form>
</section>

<section id="receipt-section" aria-labelledby="h-receipt" hidden>
<h2 id="h-receipt" tabindex="-1">${t(lang, 'Recibo firmado', 'Signed receipt')}</h2>
<p class="receipt-code-line">${t(lang, 'Código de recibo:', 'Receipt code:')} <strong id="r-code" class="receipt-code"></strong></p>
<p class="hint">${t(
    lang,
    'Anote este código o descargue el recibo: con él reconoce este reporte en «¿Se contó mi reporte?» y en la lista de su organización.',
    'Write this code down or download the receipt: with it you recognise this report in “Was my report counted?” and in your organisation’s list.',
  )}</p>
<p id="receipt-verified" class="ok"></p>
<details class="receipt-details">
<summary>${t(lang, 'Recibo completo', 'Full receipt')}</summary>
<dl class="hashes">
<dt>${t(lang, 'Reporte', 'Report')}</dt><dd><code id="r-id"></code></dd>
<dt>${t(lang, 'Hash del reporte', 'Report hash')}</dt><dd><code class="hash" id="r-hash"></code></dd>
<dt>${t(lang, 'Clave de recibos del servidor', 'Server receipt key')}</dt><dd><code id="r-key"></code></dd>
<dt>${t(lang, 'Firma', 'Signature')}</dt><dd><code class="hash" id="r-signature"></code></dd>
</dl>
</details>
<p><button type="button" id="download-receipt">${t(lang, 'Descargar el recibo', 'Download the receipt')}</button></p>
</section>

<section id="check-section" aria-labelledby="h-check" hidden>
<h2 id="h-check">${t(lang, '3. ¿Se contó mi reporte?', '3. Was my report counted?')}</h2>
<p class="hint">${t(
    lang,
    'Cada publicación firma una raíz (Merkle) de todos los reportes que contó. Esta página pide al servidor la prueba de cada reporte de su organización y la comprueba aquí mismo contra esa raíz firmada: no hace falta confiar en el servidor.',
    'Each release signs a (Merkle) root of every report it counted. This page asks the server for the proof of each of your organisation’s reports and checks it right here against that signed root: you need not trust the server.',
  )}</p>
<p id="check-release-field"><label for="check-release">${t(lang, 'Publicación', 'Release')}</label>
<select id="check-release"></select></p>
<p><button type="button" id="check-button">${t(lang, 'Comprobar mis reportes', 'Check my reports')}</button></p>
${feedback('check-feedback')}
<ul id="check-list" class="checks" aria-label="${t(lang, 'Resultado de la comprobación', 'Result of the check')}"></ul>
</section>

<section id="mine-section" aria-labelledby="h-mine" hidden>
<h2 id="h-mine">${t(lang, '4. Reportes de su organización', '4. Your organisation’s reports')}</h2>
<p><button type="button" id="refresh-mine">${t(lang, 'Actualizar la lista', 'Refresh the list')}</button>
<button type="button" id="download-receipts" hidden>${t(lang, 'Descargar los recibos guardados en este equipo', 'Download the receipts kept on this device')}</button></p>
${feedback('mine-feedback')}
<p id="mine-empty" hidden>${t(lang, 'Su organización todavía no tiene reportes.', 'Your organisation has no reports yet.')}</p>
<ul id="mine-list" class="reports" aria-label="${t(lang, 'Reportes de su organización', 'Your organisation’s reports')}"></ul>
</section>
</div>`;
  return page({ lang, title: t(lang, 'Enviar un reporte', 'Submit a report'), path: '/enviar', section: 'submit', body, scripts: [SUBMIT_SCRIPT] });
}
