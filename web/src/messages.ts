// messages.ts — what the submission page's script says, in Spanish (default) and English.
// Plain and calm on purpose: the people using this page may be under threat and in a hurry.
//
// Guarantees: every error sentence starts by naming what failed (`failed[action]`: the key, the
// invite, the report, the list, …) and then says why, from the server's stable error code read
// in the context of that action (`reason`), so an invite problem never reads as a report problem;
// both languages have the same keys (the English object is typed by the Spanish one).
import type { Outcome } from './counted-check.js';

export type Lang = 'es' | 'en';
export type Action = 'load' | 'key' | 'enrol' | 'save' | 'report' | 'list' | 'withdraw' | 'amend' | 'discard' | 'releases' | 'check';

type Reasons = Record<string, string>;

const esGeneral: Reasons = {
  key_revoked: 'la administración de la coalición revocó esta llave. Pida una invitación nueva.',
  unknown_key: 'el servidor no conoce esta llave. ¿Está inscrita en este servidor?',
  signature_expired: 'el reloj de este equipo parece estar mal. Corríjalo y vuelva a intentarlo.',
  replayed_nonce: 'el servidor ya había recibido esta misma solicitud. Vuelva a intentarlo.',
  rate_limited: 'demasiadas solicitudes seguidas. Espere un minuto y vuelva a intentarlo.',
  daily_limit_reached: 'esta organización ya envió hoy tantos reportes nuevos como permite este servidor. No se guardó nada; vuelva a intentarlo mañana.',
  database_unavailable: 'el servidor no puede guardar en este momento. Vuelva a intentarlo en unos minutos.',
  internal: 'falló algo en el servidor. Vuelva a intentarlo en unos minutos.',
  payload_too_large: 'lo enviado es demasiado grande.',
  release_not_found: 'esa publicación no existe en este servidor.',
  report_not_found: 'ese reporte no está entre los de su organización.',
  report_not_active: 'ese reporte ya no está activo (retirado o corregido).',
};

const esByAction: Partial<Record<Action, Reasons>> = {
  enrol: {
    invite_invalid: 'la invitación no es válida: ya se usó, caducó o está mal copiada. Pida otra a la administración de la coalición.',
    invalid_body: 'la invitación está mal copiada (incompleta o con caracteres de más). Cópiela de nuevo o abra otra vez el enlace.',
    key_already_enrolled: 'esta llave ya estaba inscrita, pero esta página no conoce su identificador. Cree una llave nueva y pida otra invitación.',
    rate_limited: 'demasiadas inscripciones seguidas en este servidor. Espere un minuto y vuelva a intentarlo.',
  },
  report: {
    invalid_body: 'el servidor rechazó un dato del reporte. No se guardó nada; revise los campos.',
    report_conflict: 'ya existe otro reporte con este identificador. No se guardó nada.',
    report_not_found: 'el reporte que intenta corregir no está entre los de su organización. No se guardó nada.',
    report_not_active: 'el reporte que intenta corregir ya no está activo (retirado o corregido). No se guardó nada.',
    payload_too_large: 'el reporte es demasiado grande. No se guardó nada.',
    replayed_nonce: 'el servidor ya había recibido esta misma solicitud, así que el reporte pudo guardarse.',
  },
};

const es = {
  loading: 'Preparando el cifrado…',
  ready: 'Listo. Cargue la llave de su organización o cree una nueva.',
  readyWithInvite: 'Recibió una invitación. Paso 1: pulse «Crear una llave nueva». Paso 2: «Inscribir». Paso 3: guarde la llave.',
  keyNone: 'Todavía no hay ninguna llave en esta página.',
  keyNotEnrolled: 'Hay una llave en esta página, todavía sin inscribir. Inscríbala con la invitación.',
  keyMustSave: (keyId: string) =>
    `Llave inscrita (${keyId}), pero todavía no está guardada. Guárdela ahora: es el paso que falta antes de poder enviar reportes.`,
  keyReady: (keyId: string) => `Llave lista. Su organización firma como ${keyId}.`,
  keyCreated: 'Llave creada en este navegador. Ahora inscríbala con su invitación.',
  keyLoaded: (name: string, keyId: string) => `Llave cargada desde «${name}». Su organización firma como ${keyId}.`,
  keyLoadedNotEnrolled: (name: string) => `Llave cargada desde «${name}», todavía sin inscribir. Inscríbala con su invitación.`,
  chosenFile: (name: string) => `Archivo elegido: ${name}`,
  keyForgotten: 'La llave se borró de esta página. Lo que estaba escrito queda guardado cifrado en este equipo hasta que vuelva a cargar la llave.',
  keyFileInvalid: (name: string) => `«${name}» no es un archivo de llave de Contamos válido.`,
  keyWrongRole: (name: string) => `«${name}» no es la llave de una organización miembro.`,
  keyPublicOnly: (name: string) => `«${name}» tiene solo la parte pública de la llave; hace falta el archivo completo.`,
  keyLocked: (name: string) => `«${name}» está cifrado. Escriba su contraseña y pulse «Abrir la llave».`,
  wrongPassphrase: 'la contraseña no abre esta llave.',
  unlocking: 'Abriendo la llave (puede tardar unos segundos)…',
  unexpected: 'ocurrió un error inesperado en esta página. Vuelva a cargarla e inténtelo de nuevo.',
  enrolling: 'Inscribiendo la llave…',
  enrolled: (keyId: string) => `Llave inscrita: su organización firma como ${keyId}. Ahora guárdela.`,
  inviteMissing: 'falta la invitación. Pegue el código o abra el enlace que le enviaron.',
  inviteMalformed:
    'la invitación está mal copiada: debe ser un código de letras, números, «-» y «_», sin espacios. Cópiela de nuevo o abra otra vez el enlace.',
  savingKey: 'Cifrando la llave (puede tardar unos segundos)…',
  keySaved: (name: string) =>
    `Llave guardada como «${name}» (normalmente en la carpeta Descargas), cifrada con su contraseña. Guarde el archivo en un lugar seguro y no olvide la contraseña.`,
  keySavedPlain: (name: string) => `Llave guardada como «${name}» (normalmente en la carpeta Descargas). No está cifrada: guárdela en un lugar seguro.`,
  passphraseShort: 'la contraseña debe tener al menos 12 caracteres.',
  passphraseMismatch: 'las dos contraseñas no coinciden.',
  noPwhash: 'este servidor no tiene el cifrado con contraseña, así que no puede abrir una llave cifrada.',
  confirmForgetUnsaved:
    'Esta llave todavía no está guardada. Si la olvida, su organización ya no podrá usar esta inscripción ni retirar o corregir sus reportes. ¿Olvidarla de todos modos?',
  sending: 'Cifrando la narración y enviando el reporte…',
  received: (code: string) => `Reporte recibido. Código de recibo: ${code}. El recibo está firmado por el servidor y verificado en este navegador.`,
  alreadyReceived: (code: string) => `Este reporte ya estaba recibido (no se duplicó). Código de recibo: ${code}.`,
  receiptVerified: (keyId: string) => `Firma verificada con la clave de recibos del servidor (${keyId}), y corresponde exactamente a lo enviado.`,
  receiptInvalid:
    'El servidor respondió, pero su recibo no prueba lo que se envió. El reporte puede haberse guardado: no lo envíe de nuevo y avise a la administración de la coalición.',
  sendUnknown: (reason: string) =>
    `El envío del reporte no se confirmó: ${reason} Pulse «Reintentar el mismo envío»: se reenvía el mismo reporte, con el mismo identificador, y no se duplica.`,
  pendingFromBefore:
    'El envío de un reporte de antes no se confirmó. Pulse «Reintentar el mismo envío»: si ya había llegado, el servidor lo dice y no se duplica.',
  pendingFirst: 'primero resuelva el envío sin confirmar (reintentar o abandonar).',
  confirmAbandon:
    '¿Abandonar este envío? Puede que el servidor ya lo haya guardado: si después envía el mismo hecho otra vez, podría contarse dos veces. Antes, mire la lista «Reportes de su organización».',
  abandoned: 'Envío abandonado. Lo escrito sigue en el formulario.',
  narrativeEmpty: 'falta la narración.',
  narrativeTooLong: (n: string, max: string) => `la narración tiene ${n} caracteres y el máximo es ${max}. Acórtela.`,
  counter: (n: string, max: string) => `${n} de ${max} caracteres como máximo`,
  counterOver: (over: string, max: string) => `Sobran ${over} caracteres (máximo ${max})`,
  dedupeNeedsBoth: 'para la etiqueta de duplicados falta cargar el archivo del secreto de la coalición.',
  dedupeSecretInvalid: (name: string) => `No se cargó el secreto de la coalición: «${name}» no contiene un secreto válido.`,
  dedupeSecretLoaded: (name: string) => `Secreto de la coalición cargado desde «${name}» (solo en esta página).`,
  dedupeStillLoaded: 'El secreto de la coalición sigue cargado en esta página.',
  amending: (id: string) => `Está corrigiendo el reporte ${id}. El nuevo reporte lo reemplazará; el anterior deja de contarse.`,
  amendStarted: 'Complete el formulario con los datos corregidos. La narración debe escribirse de nuevo: el servidor no puede leer la anterior.',
  amendCancelled: 'Corrección cancelada.',
  draftRestored: 'Se recuperó lo que había escrito: estaba guardado en este equipo, cifrado con la llave de su organización.',
  confirmDiscard: '¿Borrar lo escrito en el formulario, también de este equipo?',
  draftDiscarded: 'Borrador borrado.',
  cannotStore: 'Este navegador no deja guardar el borrador en este equipo: si cierra la página, se pierde lo escrito.',
  listLoading: 'Cargando los reportes de su organización…',
  listLoaded: (n: number) => (n === 1 ? '1 reporte de su organización.' : `${n} reportes de su organización.`),
  confirmWithdraw: (id: string) => `¿Retirar el reporte ${id}? Dejará de contarse en las próximas publicaciones. No se puede deshacer.`,
  withdrawing: 'Retirando el reporte…',
  withdrawn: (id: string) => `Reporte ${id} retirado.`,
  withdraw: 'Retirar',
  amend: 'Corregir',
  statusActive: 'Activo',
  statusWithdrawn: 'Retirado',
  statusSuperseded: 'Reemplazado por una corrección',
  choose: 'Elija…',
  optionalNone: 'No se sabe / sin indicar',
  receiptFile: 'recibo',
  noReleases: 'Todavía no hay publicaciones. Cuando la coalición publique cifras, aquí podrá comprobar que sus reportes se contaron.',
  releaseOption: (id: string, date: string) => `${id} (${date})`,
  releaseOptionLatest: (id: string, date: string) => `${id} (${date}, la más reciente)`,
  checking: (id: string) => `Pidiendo las pruebas de ${id} y verificándolas en este navegador…`,
  releaseSignatureBad: (id: string) => `la publicación ${id} no tiene una firma válida de la coalición. No confíe en ella y avise a la administración.`,
  checkSummary: (id: string, counted: number, total: number, publisher: string) =>
    `Publicación ${id} (firma de ${publisher} verificada): ${counted === 1 ? '1 reporte suyo está contado' : `${counted} reportes suyos están contados`}, de ${total} revisados. Cada prueba se verificó en este navegador.`,
  checkAlarm: (n: number) =>
    `Atención: ${n === 1 ? '1 reporte no pasó' : `${n} reportes no pasaron`} la comprobación (marcados con ✗). Avise a la administración de la coalición.`,
  receiptOnDevice: '(coincide con el recibo guardado en este equipo)',
  outcome: {
    counted: (id: string) => `contado en ${id}: la prueba verifica.`,
    'bad-proof': () => 'la prueba del servidor NO verifica.',
    'receipt-mismatch': () => 'el servidor muestra otro contenido que el de su recibo firmado.',
    missing: () => 'hay un recibo en este equipo, pero el servidor no muestra este reporte.',
    withdrawn: () => 'retirado: no se cuenta (correcto).',
    superseded: () => 'reemplazado por una corrección: se cuenta la corrección.',
    'other-year': (id: string) => `de un año que ${id} no cubre.`,
    'not-counted': (id: string) => `no aparece en ${id}. Si lo envió antes de esa publicación, avise a la administración.`,
  } as Record<Outcome, (releaseId: string) => string>,
  failed: {
    load: 'No se pudo preparar la página:',
    key: 'No se pudo abrir la llave:',
    enrol: 'No se pudo inscribir la llave con la invitación:',
    save: 'No se guardó la llave:',
    report: 'No se envió el reporte:',
    list: 'No se pudo cargar la lista de reportes:',
    withdraw: 'No se pudo retirar el reporte:',
    amend: 'No se puede corregir ahora:',
    discard: 'No se puede borrar el borrador ahora:',
    releases: 'No se pudo cargar la lista de publicaciones:',
    check: 'No se pudo comprobar la publicación:',
  } as Record<Action, string>,
  reason: (action: Action, code: string): string | undefined => esByAction[action]?.[code] ?? esGeneral[code],
  serverSaid: (message: string) => `el servidor respondió: ${message}`,
  noAnswer: (action: Action): string =>
    action === 'enrol'
      ? 'no hubo respuesta del servidor. Compruebe la conexión y vuelva a pulsar «Inscribir».'
      : action === 'report'
        ? 'no hubo respuesta del servidor; el reporte pudo llegar o no.'
        : 'no hubo respuesta del servidor. Compruebe la conexión y vuelva a intentarlo.',
};

type Messages = typeof es;

const enGeneral: Reasons = {
  key_revoked: 'the coalition steward revoked this key. Ask for a new invite.',
  unknown_key: 'the server does not know this key. Is it enrolled on this server?',
  signature_expired: 'this device’s clock seems to be wrong. Correct it and try again.',
  replayed_nonce: 'the server had already received this very request. Try again.',
  rate_limited: 'too many requests in a row. Wait a minute and try again.',
  daily_limit_reached: 'this organisation has sent as many new reports today as this server allows. Nothing was stored; try again tomorrow.',
  database_unavailable: 'the server cannot store anything right now. Try again in a few minutes.',
  internal: 'something failed on the server. Try again in a few minutes.',
  payload_too_large: 'what was sent is too large.',
  release_not_found: 'that release does not exist on this server.',
  report_not_found: 'that report is not among your organisation’s.',
  report_not_active: 'that report is no longer active (withdrawn or amended).',
};

const enByAction: Partial<Record<Action, Reasons>> = {
  enrol: {
    invite_invalid: 'the invite is not valid: it was used, it expired or it was copied wrongly. Ask the coalition steward for another.',
    invalid_body: 'the invite was copied wrongly (incomplete or with extra characters). Copy it again or open the link again.',
    key_already_enrolled: 'this key was already enrolled, but this page does not know its identifier. Create a new key and ask for another invite.',
    rate_limited: 'too many enrolments in a row on this server. Wait a minute and try again.',
  },
  report: {
    invalid_body: 'the server refused a value of the report. Nothing was stored; check the fields.',
    report_conflict: 'another report already exists with this identifier. Nothing was stored.',
    report_not_found: 'the report you are amending is not among your organisation’s. Nothing was stored.',
    report_not_active: 'the report you are amending is no longer active (withdrawn or amended). Nothing was stored.',
    payload_too_large: 'the report is too large. Nothing was stored.',
    replayed_nonce: 'the server had already received this very request, so the report may have been stored.',
  },
};

const en: Messages = {
  loading: 'Preparing the encryption…',
  ready: 'Ready. Load your organisation’s key or create a new one.',
  readyWithInvite: 'You received an invite. Step 1: press “Create a new key”. Step 2: “Enrol”. Step 3: save the key.',
  keyNone: 'There is no key in this page yet.',
  keyNotEnrolled: 'There is a key in this page, not enrolled yet. Enrol it with the invite.',
  keyMustSave: (keyId) => `Key enrolled (${keyId}) but not saved yet. Save it now: it is the step left before you can submit reports.`,
  keyReady: (keyId) => `Key ready. Your organisation signs as ${keyId}.`,
  keyCreated: 'Key created in this browser. Now enrol it with your invite.',
  keyLoaded: (name, keyId) => `Key loaded from “${name}”. Your organisation signs as ${keyId}.`,
  keyLoadedNotEnrolled: (name) => `Key loaded from “${name}”, not enrolled yet. Enrol it with your invite.`,
  chosenFile: (name) => `File chosen: ${name}`,
  keyForgotten: 'The key was removed from this page. What was typed stays on this device, encrypted, until you load the key again.',
  keyFileInvalid: (name) => `“${name}” is not a valid Contamos key file.`,
  keyWrongRole: (name) => `“${name}” is not a member organisation’s key.`,
  keyPublicOnly: (name) => `“${name}” holds only the public half of the key; the full file is needed.`,
  keyLocked: (name) => `“${name}” is encrypted. Type its passphrase and press “Open the key”.`,
  wrongPassphrase: 'that passphrase does not open this key.',
  unlocking: 'Opening the key (this may take a few seconds)…',
  unexpected: 'an unexpected error happened in this page. Reload it and try again.',
  enrolling: 'Enrolling the key…',
  enrolled: (keyId) => `Key enrolled: your organisation signs as ${keyId}. Now save it.`,
  inviteMissing: 'the invite is missing. Paste the code or open the link you were sent.',
  inviteMalformed: 'the invite was copied wrongly: it is a code of letters, digits, “-” and “_”, without spaces. Copy it again or open the link again.',
  savingKey: 'Encrypting the key (this may take a few seconds)…',
  keySaved: (name) =>
    `Key saved as “${name}” (usually in the Downloads folder), encrypted with your passphrase. Keep the file somewhere safe and do not forget the passphrase.`,
  keySavedPlain: (name) => `Key saved as “${name}” (usually in the Downloads folder). It is not encrypted: keep it somewhere safe.`,
  passphraseShort: 'the passphrase must have at least 12 characters.',
  passphraseMismatch: 'the two passphrases differ.',
  noPwhash: 'this server has no passphrase encryption, so it cannot open an encrypted key.',
  confirmForgetUnsaved:
    'This key is not saved yet. If you forget it, your organisation can no longer use this enrolment nor withdraw or amend its reports. Forget it anyway?',
  sending: 'Encrypting the narrative and sending the report…',
  received: (code) => `Report received. Receipt code: ${code}. The receipt is signed by the server and verified in this browser.`,
  alreadyReceived: (code) => `This report had already been received (it was not duplicated). Receipt code: ${code}.`,
  receiptVerified: (keyId) => `Signature verified with the server’s receipt key (${keyId}), and it matches exactly what was sent.`,
  receiptInvalid:
    'The server answered, but its receipt does not prove what was sent. The report may have been stored: do not send it again and tell the coalition steward.',
  sendUnknown: (reason) =>
    `The report’s submission was not confirmed: ${reason} Press “Retry the same submission”: the same report is sent again, with the same identifier, and is not duplicated.`,
  pendingFromBefore:
    'A report’s submission from before was not confirmed. Press “Retry the same submission”: if it had arrived, the server says so and it is not duplicated.',
  pendingFirst: 'first resolve the unconfirmed submission (retry or abandon it).',
  confirmAbandon:
    'Abandon this submission? The server may have stored it already: if you later send the same incident again, it could be counted twice. First look at the list “Your organisation’s reports”.',
  abandoned: 'Submission abandoned. What you typed is still in the form.',
  narrativeEmpty: 'the narrative is missing.',
  narrativeTooLong: (n, max) => `the narrative has ${n} characters and the limit is ${max}. Shorten it.`,
  counter: (n, max) => `${n} of ${max} characters at most`,
  counterOver: (over, max) => `${over} characters too many (limit ${max})`,
  dedupeNeedsBoth: 'for the dedupe tag, load the coalition secret file first.',
  dedupeSecretInvalid: (name) => `The coalition secret was not loaded: “${name}” holds no valid secret.`,
  dedupeSecretLoaded: (name) => `Coalition secret loaded from “${name}” (in this page only).`,
  dedupeStillLoaded: 'The coalition secret is still loaded in this page.',
  amending: (id) => `You are amending report ${id}. The new report replaces it; the old one stops being counted.`,
  amendStarted: 'Fill in the form with the corrected details. The narrative must be written again: the server cannot read the old one.',
  amendCancelled: 'Amendment cancelled.',
  draftRestored: 'What you had typed was restored: it was kept on this device, encrypted with your organisation’s key.',
  confirmDiscard: 'Erase what is typed in the form, also from this device?',
  draftDiscarded: 'Draft erased.',
  cannotStore: 'This browser does not allow keeping the draft on this device: if you close the page, what you typed is lost.',
  listLoading: 'Loading your organisation’s reports…',
  listLoaded: (n) => (n === 1 ? '1 report of your organisation.' : `${n} reports of your organisation.`),
  confirmWithdraw: (id) => `Withdraw report ${id}? It will no longer be counted in future releases. This cannot be undone.`,
  withdrawing: 'Withdrawing the report…',
  withdrawn: (id) => `Report ${id} withdrawn.`,
  withdraw: 'Withdraw',
  amend: 'Amend',
  statusActive: 'Active',
  statusWithdrawn: 'Withdrawn',
  statusSuperseded: 'Replaced by an amendment',
  choose: 'Choose…',
  optionalNone: 'Unknown / not given',
  receiptFile: 'receipt',
  noReleases: 'No releases yet. When the coalition publishes figures, you can check here that your reports were counted.',
  releaseOption: (id, date) => `${id} (${date})`,
  releaseOptionLatest: (id, date) => `${id} (${date}, the latest)`,
  checking: (id) => `Fetching the proofs of ${id} and verifying them in this browser…`,
  releaseSignatureBad: (id) => `release ${id} has no valid signature of the coalition. Do not trust it and tell the steward.`,
  checkSummary: (id, counted, total, publisher) =>
    `Release ${id} (signature by ${publisher} verified): ${counted === 1 ? '1 of your reports is counted' : `${counted} of your reports are counted`}, of ${total} checked. Every proof was verified in this browser.`,
  checkAlarm: (n) => `Warning: ${n === 1 ? '1 report failed' : `${n} reports failed`} the check (marked ✗). Tell the coalition steward.`,
  receiptOnDevice: '(matches the receipt kept on this device)',
  outcome: {
    counted: (id) => `counted in ${id}: the proof verifies.`,
    'bad-proof': () => 'the server’s proof does NOT verify.',
    'receipt-mismatch': () => 'the server shows other content than your signed receipt.',
    missing: () => 'there is a receipt on this device, but the server does not show this report.',
    withdrawn: () => 'withdrawn: not counted (as it should be).',
    superseded: () => 'replaced by an amendment: the amendment is counted.',
    'other-year': (id) => `from a year ${id} does not cover.`,
    'not-counted': (id) => `not in ${id}. If you sent it before that release, tell the steward.`,
  },
  failed: {
    load: 'The page could not be prepared:',
    key: 'The key could not be opened:',
    enrol: 'The key could not be enrolled with the invite:',
    save: 'The key was not saved:',
    report: 'The report was not sent:',
    list: 'The list of reports could not be loaded:',
    withdraw: 'The report could not be withdrawn:',
    amend: 'Cannot amend now:',
    discard: 'Cannot erase the draft now:',
    releases: 'The list of releases could not be loaded:',
    check: 'The release could not be checked:',
  },
  reason: (action, code) => enByAction[action]?.[code] ?? enGeneral[code],
  serverSaid: (message) => `the server answered: ${message}`,
  noAnswer: (action) =>
    action === 'enrol'
      ? 'no answer from the server. Check the connection and press “Enrol” again.'
      : action === 'report'
        ? 'no answer from the server; the report may or may not have arrived.'
        : 'no answer from the server. Check the connection and try again.',
};

export function messages(lang: Lang): Messages {
  return lang === 'en' ? en : es;
}
export type { Messages };
