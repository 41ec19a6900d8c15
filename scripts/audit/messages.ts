// messages.ts — the wording of every finding, and the legend of the report's words, in Spanish and
// English, in plain words.
//
// Guarantees:
// - Every FindingCode has a message in both languages (the type checker enforces it: the tables
//   are `Record<FindingCode, …>`); problem kinds travel as codes in the parameters and are worded
//   here, so a Spanish report has no English sentence in it (except a solver's or a parser's own
//   technical detail, quoted as such).
// - Messages are built from the finding's parameters only; inventory messages therefore never
//   contain a database or log value (their parameters do not carry one).
// - Technical words (k, p, interval, data version, draft, LP) are explained once in the legend that
//   the text report prints and the JSON report carries.
import type { Finding, FindingCode, ParamValue, Params } from './findings.js';

export type Lang = 'es' | 'en';

type Template = (p: Params) => string;

const s = (v: ParamValue | undefined): string => {
  if (v === null || v === undefined) return '—';
  if (Array.isArray(v)) return v.join(', ');
  return String(v);
};
const range = (p: Params, lang: Lang) => {
  const exact = p.exact !== false;
  if (p.lo === p.hi) return lang === 'es' ? `vale exactamente ${s(p.lo)}` : `is exactly ${s(p.lo)}`;
  return lang === 'es'
    ? `${exact ? 'solo puede valer' : 'queda dentro de'} ${s(p.lo)} a ${s(p.hi)}`
    : `${exact ? 'can only be' : 'lies within'} ${s(p.lo)} to ${s(p.hi)}`;
};

const ES_PROBLEM: Record<string, (p: Params) => string> = {
  'no-entry': (p) => `ninguna entrada del registro tiene el número ${s(p.index)}`,
  draft: (p) => `la entrada ${s(p.index)} del registro es un borrador sin firma`,
  different: (p) => `la entrada ${s(p.index)} del registro tiene otro contenido`,
  'other-signature': (p) => `la entrada ${s(p.index)} del registro lleva otra firma`,
  'manifest-id': (p) => `su contenido dice ser «${s(p.manifestId)}»`,
  'not-among-releases': (p) => `está firmada en el registro (entrada ${s(p.index)}) pero no figura entre las publicaciones firmadas`,
  'listed-not-available': () => 'figura en la lista pero no se pudo obtener',
  'not-listed': () => 'está disponible pero no figura en la lista',
  differs: (p) => `la lista difiere en: ${s(p.fields)}`,
  twice: () => 'figura dos veces en la lista',
};
const EN_PROBLEM: Record<string, (p: Params) => string> = {
  'no-entry': (p) => `no log entry has index ${s(p.index)}`,
  draft: (p) => `log entry ${s(p.index)} is an unsigned draft`,
  different: (p) => `log entry ${s(p.index)} has other content`,
  'other-signature': (p) => `log entry ${s(p.index)} carries another signature`,
  'manifest-id': (p) => `its content says it is "${s(p.manifestId)}"`,
  'not-among-releases': (p) => `it is signed in the log (entry ${s(p.index)}) but not among the signed releases`,
  'listed-not-available': () => 'it is listed but could not be fetched',
  'not-listed': () => 'it is available but not listed',
  differs: (p) => `the listing differs in: ${s(p.fields)}`,
  twice: () => 'it is listed twice',
};
const problem = (p: Params, lang: Lang) => (lang === 'es' ? ES_PROBLEM : EN_PROBLEM)[s(p.problem)]?.(p) ?? s(p.problem);

const STRUCTURE_ES: Record<string, (p: Params) => string> = {
  dimension: (p) => `la dimensión ${s(p.dimension)} no existe en domains o se repite`,
  'key-dims': () => 'la clave de una celda no tiene exactamente las dimensiones de la tabla',
  code: (p) => `una celda tiene un código de ${s(p.dimension)} que no está en domains ni en hierarchies`,
  year: () => 'una celda tiene un año que la entrada no cuenta',
  twice: (p) => `la celda ${s(p.cell)} aparece dos veces`,
  more: (p) => `${s(p.count)} celdas no válidas más`,
};
const STRUCTURE_EN: Record<string, (p: Params) => string> = {
  dimension: (p) => `dimension ${s(p.dimension)} is not in domains or is repeated`,
  'key-dims': () => "a cell's key does not have exactly the table's dimensions",
  code: (p) => `a cell has a code of ${s(p.dimension)} that is neither in domains nor in hierarchies`,
  year: () => 'a cell has a year the entry does not count',
  twice: (p) => `cell ${s(p.cell)} appears twice`,
  more: (p) => `${s(p.count)} more invalid cells`,
};
const INCONSISTENT_ES: Record<string, (p: Params) => string> = {
  conflict: (p) => `se publicó como ${s(p.first)} (${s(p.firstEntries)}) y como ${s(p.second)}`,
  relation: () => 'sus partes publicadas no suman lo publicado',
  published: () => 'esta cifra publicada contradice a las demás',
  additions: () => 'bajó aunque la versión dice «solo altas»',
  more: (p) => `${s(p.count)} más`,
};
const INCONSISTENT_EN: Record<string, (p: Params) => string> = {
  conflict: (p) => `published as ${s(p.first)} (${s(p.firstEntries)}) and as ${s(p.second)}`,
  relation: () => 'its published parts do not add up to it',
  published: () => 'this published count contradicts the others',
  additions: () => 'it went down although the version says "additions only"',
  more: (p) => `${s(p.count)} more`,
};
const DP_ES: Record<string, (p: Params) => string> = {
  suppressed: (p) => `la celda ${s(p.cell)} está oculta, y una entrada con privacidad diferencial no oculta nada`,
  sum: (p) => `en ${s(p.cell)} las cifras no suman sus totales`,
  twice: (p) => `${s(p.cell)} aparece con ${s(p.first)} y con ${s(p.second)}`,
  'no-margin': () => 'una celda no lleva su margen de error (errorMargin90)',
  'm-small': (p) => `m vale ${s(p.m)}, pero un incidente cae en ${s(p.minimum)} cifras distintas de estas tablas: el ruido es demasiado pequeño`,
  'rho-missing': () => 'el mecanismo gaussiano discreto necesita un rho positivo',
  'epsilon-missing': () => 'el mecanismo de Laplace discreto necesita un epsilon positivo',
  sigma2: (p) => `sigma2 vale ${s(p.value)}, pero m/(2·rho) da ${s(p.expected)}`,
  scale: (p) => `scale vale ${s(p.value)}, pero m/epsilon da ${s(p.expected)}`,
  'keep-total': () => 'keepTotal y la invariante «total» deben ir juntos',
  unreadable: () => 'una cantidad del registro de presupuesto no es un número',
  total: (p) => `el presupuesto total es ${s(p.value)}, pero ${s(p.from)} dice ${s(p.expected)}`,
  charged: (p) => `cobra ${s(p.charged)}, pero lo que cuesta esta entrada es ${s(p.cost)}`,
  before: (p) => `dice que antes se había gastado ${s(p.before)}, pero el registro suma ${s(p.spent)}`,
  'after-sum': (p) => `spentAfter (${s(p.after)}) no es spentBefore + charged`,
  overspent: (p) => `el presupuesto único del servidor se sobrepasa: ${s(p.spent)} > ${s(p.total)}`,
  beyond: (p) => `spentAfter (${s(p.after)}) pasa del total ${s(p.total)}`,
};
const DP_EN: Record<string, (p: Params) => string> = {
  suppressed: (p) => `cell ${s(p.cell)} is hidden, and a differentially private entry hides nothing`,
  sum: (p) => `at ${s(p.cell)} the counts do not add up to their totals`,
  twice: (p) => `${s(p.cell)} appears as ${s(p.first)} and as ${s(p.second)}`,
  'no-margin': () => 'a cell carries no error margin (errorMargin90)',
  'm-small': (p) => `m is ${s(p.m)}, but one incident falls into ${s(p.minimum)} distinct figures of these tables: the noise is too small`,
  'rho-missing': () => 'the discrete Gaussian mechanism needs a positive rho',
  'epsilon-missing': () => 'the discrete Laplace mechanism needs a positive epsilon',
  sigma2: (p) => `sigma2 is ${s(p.value)}, but m/(2·rho) is ${s(p.expected)}`,
  scale: (p) => `scale is ${s(p.value)}, but m/epsilon is ${s(p.expected)}`,
  'keep-total': () => 'keepTotal and the "total" invariant go together',
  unreadable: () => 'an amount of the budget ledger is not a number',
  total: (p) => `the total budget is ${s(p.value)}, but ${s(p.from)} says ${s(p.expected)}`,
  charged: (p) => `it charges ${s(p.charged)}, but this entry costs ${s(p.cost)}`,
  before: (p) => `it says ${s(p.before)} had been spent before, but the log adds up to ${s(p.spent)}`,
  'after-sum': (p) => `spentAfter (${s(p.after)}) is not spentBefore + charged`,
  overspent: (p) => `the server's one budget is overspent: ${s(p.spent)} > ${s(p.total)}`,
  beyond: (p) => `spentAfter (${s(p.after)}) is beyond the total ${s(p.total)}`,
};
const pick = (table: Record<string, (p: Params) => string>, p: Params) => table[s(p.problem)]?.(p) ?? s(p.problem);
const entries = (p: Params, lang: Lang) => (p.from ? (lang === 'es' ? ` (fijado por ${s(p.from)})` : ` (set by ${s(p.from)})`) : '');

const ES: Record<FindingCode, Template> = {
  'source-unreachable': (p) => `No se pudo leer ${s(p.origin)}: ${s(p.problem)}.`,
  'source-invalid': (p) => `${s(p.origin)} no es válido: ${s(p.problem)}.`,
  'well-known-invalid': (p) => `El documento de claves ${s(p.origin)} no es válido: ${s(p.problem)}.`,
  'publication-invalid': (p) => `La entrada (${s(p.origin)}) no sigue el formato de publicación, versión 2: ${s(p.problem)}.`,
  'signature-unknown-key': (p) => `Firmada con la clave «${s(p.keyId)}», que no figura entre las claves de publicación del servidor.`,
  'signature-invalid': (p) =>
    `La firma con la clave «${s(p.keyId)}» no es válida${p.alg ? ` (algoritmo ${s(p.alg)}, se espera ed25519)` : ''}: el contenido no es el que firmó quien publica.`,
  'signature-unpinned-key': (p) =>
    `La firma (clave «${s(p.keyId)}») no se verifica con ninguna de las ${s(p.pinned)} claves fijadas con --publisher-key` +
    (p.inKeyDocument ? ', aunque el documento de claves del servidor anuncia una clave con ese nombre: no se confía en él.' : '.'),
  'publisher-key-unpinned': (p) =>
    `El documento de claves del servidor anuncia la clave de publicación «${s(p.keyId)}», que no está entre las fijadas con --publisher-key.`,
  'hash-mismatch': (p) => `La huella publicada (${s(p.published)}) no es la del contenido (${s(p.computed)}): el contenido fue modificado.`,
  'release-log-mismatch': (p) => `Esta publicación firmada no es, byte a byte, la entrada ${s(p.index)} del registro: ${problem(p, 'es')}.`,
  'release-listing-mismatch': (p) => `La publicación firmada «${s(p.id)}»: ${problem(p, 'es')}.`,
  'log-gap': (p) => `Falta la entrada ${s(p.index)} del registro de publicaciones.`,
  'log-index': (p) => `La entrada ${s(p.index)} del registro dice ser la entrada ${s(p.says)}.`,
  'log-link': (p) => `La entrada ${s(p.index)} no encadena con la anterior del registro: cita ${s(p.previousHash)}, debería citar ${s(p.expected)}.`,
  'log-listing-mismatch': (p) => `Entrada ${s(p.index)} del registro: ${problem(p, 'es')}.`,
  'id-mismatch': (p) => `El identificador «${s(p.id)}» no corresponde: se esperaba «${s(p.expected)}» (serie-número).`,
  'chain-gap': (p) => `Falta la publicación firmada número ${s(p.sequence)} de la serie «${s(p.series)}».`,
  'chain-fork': (p) => `Hay dos publicaciones firmadas distintas con el número ${s(p.sequence)} en la serie «${s(p.series)}» (bifurcación).`,
  'chain-link': (p) =>
    `La entrada no encadena con la última publicación firmada de «${s(p.series)}»: cita ${s(p.previousHash)}, debería citar ${s(p.expected)}.`,
  'chain-sequence': (p) => `El borrador lleva el número ${s(p.sequence)} en la serie «${s(p.series)}»; la serie va por el ${s(p.expected)}.`,
  'chain-date-order': (p) =>
    `La publicación ${s(p.sequence)} de «${s(p.series)}» tiene fecha ${s(p.publishedOn)}, anterior a la de la previa (${s(p.previousPublishedOn)}).`,
  'data-years': (p) => `Los años de los datos (${s(p.data)}) no son los del filtro (${s(p.domains)}), en orden y sin repetir.`,
  'version-gap': (p) =>
    `Se usa la versión ${s(p.version)} de los datos de ${s(p.year)} cuando la más nueva hasta entonces era la ${s(p.newest)}: falta una versión.`,
  'version-since': (p) =>
    p.problem === 'null-v1'
      ? `Versión ${s(p.version)} de ${s(p.year)}: «since» debe ser nulo exactamente en la versión 1 (dice ${s(p.since)}).`
      : `Versión ${s(p.version)} de ${s(p.year)}: dice «${s(p.since)}», pero la entrada ${s(p.firstIndex)} dice «${s(p.other)}».`,
  'version-held-back-unmarked': (p) =>
    `Se cuenta ${s(p.year)} en la versión ${s(p.version)}, más antigua que la ${s(p.newest)}, sin marcarla como retenida (heldBack).`,
  'series-parameters': (p) =>
    `La serie «${s(p.series)}» cambia su umbral o su protección: k=${s(p.nowK)}, p=${s(p.nowProtection)} en vez de k=${s(p.k)}, p=${s(p.protection)}${entries(p, 'es')}.`,
  'series-method': (p) => `La serie «${s(p.series)}» cambia de método: «${s(p.now)}» en vez de «${s(p.method)}»${entries(p, 'es')}.`,
  'k-below-minimum': (p) => `Umbral k = ${s(p.k)}, por debajo del mínimo ${s(p.minimum)}: cifras de ${s(p.k)} a ${Number(p.minimum) - 1} podrían publicarse.`,
  threshold: (p) => `La cifra ${s(p.cell)} se publicó con ${s(p.count)}, un valor entre 1 y k−1 (k = ${s(p.k)}).`,
  'structure-invalid': (p) => `Tabla ${s(p.table)}: ${pick(STRUCTURE_ES, p)}.`,
  'structure-inconsistent': (p) => `Las cifras publicadas no cuadran en ${s(p.cell)}: ${pick(INCONSISTENT_ES, p)}.`,
  'structure-incomplete': (p) => `A la tabla ${s(p.table)} le faltan ${s(p.missing)} de sus ${s(p.expected)} celdas.`,
  'interval-small': (p) => `La celda oculta ${s(p.cell)} ${range(p, 'es')}: menos que el umbral k = ${s(p.k)}, así que se sabe que es pequeña.`,
  'interval-pinned': (p) =>
    p.reason === 'published-elsewhere'
      ? `La celda oculta ${s(p.cell)} ya estaba publicada antes (${s(p.lo)}): ocultarla no protege nada y señala cuál es.`
      : `La celda oculta ${s(p.cell)} se podía recalcular exactamente (${s(p.lo)}) con lo publicado hasta ese momento.`,
  'interval-narrow': (p) =>
    `La celda oculta ${s(p.cell)} queda entre ${s(p.lo)} y ${s(p.hi)}: un margen de ${s(p.width)}, menor que la protección p = ${s(p.protection)}.`,
  'hidden-small': (p) => `La cifra ${s(p.cell)}, que nadie publicó, ${range(p, 'es')}: se sabe que está entre 1 y k−1 (k = ${s(p.k)}).`,
  'interval-infeasible': (p) =>
    `Las cifras publicadas se contradicen: ningún conjunto de cifras las cumple todas (${s(p.cells)} cantidades afectadas, p. ej. ${s(p.example)}).`,
  'interval-error': (p) => `No se pudo calcular el rango de ${s(p.cell)}: ${s(p.problem)}.`,
  'change-small': (p) =>
    `El cambio de ${s(p.cell)} entre ${s(p.from)} y ${s(p.to)} ${range(p, 'es')}: se sabe que entraron o salieron entre 1 y k−1 incidentes (k = ${s(p.k)}).`,
  'dp-inconsistent': (p) => `Entrada con privacidad diferencial incoherente: ${pick(DP_ES, p)}.`,
  'dp-parameters': (p) => `Los parámetros de privacidad diferencial no cuadran: ${pick(DP_ES, p)}.`,
  'dp-ledger': (p) => `El registro del presupuesto de privacidad no cuadra: ${pick(DP_ES, p)}.`,
  'dp-invariant-unknown': (p) =>
    `La entrada publica exacta la cifra «${s(p.invariant)}», que el formato no describe: la auditoría no puede comprobar qué revela.`,
  'receipt-invalid': (p) => `El recibo del reporte ${s(p.reportId)} no está firmado por la clave de recibos del servidor (${s(p.expectedKeyId)}).`,
  'receipt-key-missing': () => `El servidor no publica una clave de recibos: no se pueden verificar los recibos.`,
  'inclusion-missing': (p) => `No hay prueba de que el reporte ${s(p.reportId)} se haya contado${p.releaseId ? ` en ${s(p.releaseId)}` : ''}.`,
  'inclusion-leaf-mismatch': (p) => `La prueba para el reporte ${s(p.reportId)} en ${s(p.releaseId)} es de otro contenido que el del recibo.`,
  'inclusion-invalid': (p) => `La prueba para el reporte ${s(p.reportId)} no lleva a la huella firmada de ${s(p.releaseId)}: no está incluido.`,
  'inclusion-release-unverified': (p) => `La publicación ${s(p.releaseId)} (para el reporte ${s(p.reportId)}) no está disponible o no es auténtica.`,
  'inclusion-fetch-error': (p) => `No se pudo pedir la prueba del reporte ${s(p.reportId)}: ${s(p.problem)}.`,
  'inventory-ip-address': (p) => where(p, 'es', 'una dirección IP'),
  'inventory-email': (p) => where(p, 'es', 'un correo electrónico'),
  'inventory-phone': (p) => where(p, 'es', 'un número de teléfono'),
  'inventory-user-agent': (p) => where(p, 'es', 'un «user agent» (identificador de navegador o programa)'),
  'inventory-narrative': (p) => where(p, 'es', 'texto narrativo sin cifrar'),
  'inventory-log-message': (p) =>
    `${s(p.file)}: ${s(p.lines)} líneas con un mensaje en lenguaje natural (líneas ${s(p.first)}…); revise que sea un mensaje fijo del programa. [REDACTED]`,
  'inventory-column-name': (p) => `La columna ${s(p.table)}.${s(p.column)} tiene un nombre que sugiere datos que no se deben guardar.`,
  'inventory-error': (p) => `No se pudo inspeccionar ${s(p.source)}: ${s(p.problem)}.`,
};

const EN: Record<FindingCode, Template> = {
  'source-unreachable': (p) => `Could not read ${s(p.origin)}: ${s(p.problem)}.`,
  'source-invalid': (p) => `${s(p.origin)} is not valid: ${s(p.problem)}.`,
  'well-known-invalid': (p) => `The key document ${s(p.origin)} is not valid: ${s(p.problem)}.`,
  'publication-invalid': (p) => `The entry (${s(p.origin)}) does not follow the release format, version 2: ${s(p.problem)}.`,
  'signature-unknown-key': (p) => `Signed with key "${s(p.keyId)}", which is not among the server's publisher keys.`,
  'signature-invalid': (p) =>
    `The signature with key "${s(p.keyId)}" is not valid${p.alg ? ` (algorithm ${s(p.alg)}, ed25519 expected)` : ''}: the content is not what the publisher signed.`,
  'signature-unpinned-key': (p) =>
    `The signature (key "${s(p.keyId)}") verifies under none of the ${s(p.pinned)} keys pinned with --publisher-key` +
    (p.inKeyDocument ? ", although the server's key document announces a key of that name: it is not trusted." : '.'),
  'publisher-key-unpinned': (p) =>
    `The server's key document announces publisher key "${s(p.keyId)}", which is not among the keys pinned with --publisher-key.`,
  'hash-mismatch': (p) => `The published fingerprint (${s(p.published)}) is not the content's (${s(p.computed)}): the content was changed.`,
  'release-log-mismatch': (p) => `This signed release is not, byte for byte, log entry ${s(p.index)}: ${problem(p, 'en')}.`,
  'release-listing-mismatch': (p) => `Signed release "${s(p.id)}": ${problem(p, 'en')}.`,
  'log-gap': (p) => `Entry ${s(p.index)} of the publication log is missing.`,
  'log-index': (p) => `Log entry ${s(p.index)} says it is entry ${s(p.says)}.`,
  'log-link': (p) => `Entry ${s(p.index)} does not chain to the log's previous entry: it cites ${s(p.previousHash)}, it should cite ${s(p.expected)}.`,
  'log-listing-mismatch': (p) => `Log entry ${s(p.index)}: ${problem(p, 'en')}.`,
  'id-mismatch': (p) => `The identifier "${s(p.id)}" is wrong: expected "${s(p.expected)}" (series-number).`,
  'chain-gap': (p) => `Signed release number ${s(p.sequence)} of series "${s(p.series)}" is missing.`,
  'chain-fork': (p) => `There are two different signed releases numbered ${s(p.sequence)} in series "${s(p.series)}" (a fork).`,
  'chain-link': (p) =>
    `The entry does not chain to the latest signed release of "${s(p.series)}": it cites ${s(p.previousHash)}, it should cite ${s(p.expected)}.`,
  'chain-sequence': (p) => `The draft is numbered ${s(p.sequence)} in series "${s(p.series)}"; the series is at ${s(p.expected)}.`,
  'chain-date-order': (p) =>
    `Release ${s(p.sequence)} of "${s(p.series)}" is dated ${s(p.publishedOn)}, before the previous one (${s(p.previousPublishedOn)}).`,
  'data-years': (p) => `The years of the data (${s(p.data)}) are not the filter's (${s(p.domains)}), in order and without repeats.`,
  'version-gap': (p) => `Version ${s(p.version)} of the ${s(p.year)} data is used when the newest so far was ${s(p.newest)}: a version is missing.`,
  'version-since': (p) =>
    p.problem === 'null-v1'
      ? `Version ${s(p.version)} of ${s(p.year)}: "since" must be null exactly for version 1 (it says ${s(p.since)}).`
      : `Version ${s(p.version)} of ${s(p.year)}: it says "${s(p.since)}", but entry ${s(p.firstIndex)} says "${s(p.other)}".`,
  'version-held-back-unmarked': (p) =>
    `${s(p.year)} is counted at version ${s(p.version)}, older than ${s(p.newest)}, without being marked held back (heldBack).`,
  'series-parameters': (p) =>
    `Series "${s(p.series)}" changes its threshold or protection: k=${s(p.nowK)}, p=${s(p.nowProtection)} instead of k=${s(p.k)}, p=${s(p.protection)}${entries(p, 'en')}.`,
  'series-method': (p) => `Series "${s(p.series)}" changes its method: "${s(p.now)}" instead of "${s(p.method)}"${entries(p, 'en')}.`,
  'k-below-minimum': (p) => `Threshold k = ${s(p.k)}, below the minimum ${s(p.minimum)}: counts from ${s(p.k)} to ${Number(p.minimum) - 1} could be published.`,
  threshold: (p) => `Count ${s(p.cell)} was published as ${s(p.count)}, a value between 1 and k−1 (k = ${s(p.k)}).`,
  'structure-invalid': (p) => `Table ${s(p.table)}: ${pick(STRUCTURE_EN, p)}.`,
  'structure-inconsistent': (p) => `The published counts do not add up at ${s(p.cell)}: ${pick(INCONSISTENT_EN, p)}.`,
  'structure-incomplete': (p) => `Table ${s(p.table)} lacks ${s(p.missing)} of its ${s(p.expected)} cells.`,
  'interval-small': (p) => `Hidden cell ${s(p.cell)} ${range(p, 'en')}: below the threshold k = ${s(p.k)}, so it is known to be small.`,
  'interval-pinned': (p) =>
    p.reason === 'published-elsewhere'
      ? `Hidden cell ${s(p.cell)} had already been published (${s(p.lo)}): hiding it protects nothing and points at it.`
      : `Hidden cell ${s(p.cell)} could be recomputed exactly (${s(p.lo)}) from what had been published by then.`,
  'interval-narrow': (p) =>
    `Hidden cell ${s(p.cell)} lies between ${s(p.lo)} and ${s(p.hi)}: a range of ${s(p.width)}, below the protection p = ${s(p.protection)}.`,
  'hidden-small': (p) => `Figure ${s(p.cell)}, which nobody published, ${range(p, 'en')}: it is known to be between 1 and k−1 (k = ${s(p.k)}).`,
  'interval-infeasible': (p) =>
    `The published counts contradict each other: no set of figures satisfies them all (${s(p.cells)} quantities affected, e.g. ${s(p.example)}).`,
  'interval-error': (p) => `Could not compute the range of ${s(p.cell)}: ${s(p.problem)}.`,
  'change-small': (p) =>
    `The change of ${s(p.cell)} between ${s(p.from)} and ${s(p.to)} ${range(p, 'en')}: it is known that between 1 and k−1 incidents came in or went out (k = ${s(p.k)}).`,
  'dp-inconsistent': (p) => `Differentially private entry inconsistent: ${pick(DP_EN, p)}.`,
  'dp-parameters': (p) => `The differential-privacy parameters do not add up: ${pick(DP_EN, p)}.`,
  'dp-ledger': (p) => `The privacy budget ledger does not add up: ${pick(DP_EN, p)}.`,
  'dp-invariant-unknown': (p) =>
    `The entry publishes figure "${s(p.invariant)}" exactly, which the format does not describe: the audit cannot check what it reveals.`,
  'receipt-invalid': (p) => `The receipt of report ${s(p.reportId)} is not signed by the server's receipt key (${s(p.expectedKeyId)}).`,
  'receipt-key-missing': () => `The server publishes no receipt key: receipts cannot be verified.`,
  'inclusion-missing': (p) => `There is no proof that report ${s(p.reportId)} was counted${p.releaseId ? ` in ${s(p.releaseId)}` : ''}.`,
  'inclusion-leaf-mismatch': (p) => `The proof for report ${s(p.reportId)} in ${s(p.releaseId)} is for other content than the receipt's.`,
  'inclusion-invalid': (p) => `The proof for report ${s(p.reportId)} does not lead to the signed fingerprint of ${s(p.releaseId)}: it is not included.`,
  'inclusion-release-unverified': (p) => `Release ${s(p.releaseId)} (for report ${s(p.reportId)}) is not available or not authentic.`,
  'inclusion-fetch-error': (p) => `Could not fetch the proof of report ${s(p.reportId)}: ${s(p.problem)}.`,
  'inventory-ip-address': (p) => where(p, 'en', 'an IP address'),
  'inventory-email': (p) => where(p, 'en', 'an e-mail address'),
  'inventory-phone': (p) => where(p, 'en', 'a phone number'),
  'inventory-user-agent': (p) => where(p, 'en', 'a user agent (browser or program identifier)'),
  'inventory-narrative': (p) => where(p, 'en', 'unencrypted narrative text'),
  'inventory-log-message': (p) =>
    `${s(p.file)}: ${s(p.lines)} lines with a natural-language message (lines ${s(p.first)}…); check it is a fixed message of the program. [REDACTED]`,
  'inventory-column-name': (p) => `Column ${s(p.table)}.${s(p.column)} has a name that suggests data that must not be kept.`,
  'inventory-error': (p) => `Could not inspect ${s(p.source)}: ${s(p.problem)}.`,
};

function where(p: Params, lang: Lang, what: string): string {
  if (p.file !== undefined) {
    return lang === 'es'
      ? `${s(p.file)}: ${s(p.lines)} líneas contienen ${what} (líneas ${s(p.first)}…). [REDACTED]`
      : `${s(p.file)}: ${s(p.lines)} lines contain ${what} (lines ${s(p.first)}…). [REDACTED]`;
  }
  return lang === 'es'
    ? `Tabla ${s(p.table)}, columna ${s(p.column)}: ${s(p.rows)} filas contienen ${what} (filas ${s(p.first)}…). [REDACTED]`
    : `Table ${s(p.table)}, column ${s(p.column)}: ${s(p.rows)} rows contain ${what} (rows ${s(p.first)}…). [REDACTED]`;
}

export function messageOf(f: Finding, lang: Lang): string {
  return (lang === 'es' ? ES : EN)[f.code](f.params);
}

/** The words of the report, explained. Keys are stable; the text follows the language. */
export function legend(lang: Lang): Record<string, string> {
  return lang === 'es'
    ? {
        log: 'Registro de publicaciones: todo lo que el servidor mostró alguna vez, en orden, firmado o no. Cada entrada cita a la anterior por su huella, así que no se puede quitar ni cambiar una sin que se note.',
        release: 'Publicada: una entrada firmada por quien publica.',
        draft: 'Borrador: una entrada calculada y mostrada a quien publica, nunca firmada. Quien la vio la conoce, así que cuenta igual que una publicada.',
        dataVersion:
          'Versión de datos (v1, v2…): cada vez que cambian los incidentes contados de un año hay una versión nueva. «Solo altas» = solo se sumaron incidentes; «cambios» = también se quitaron o corrigieron.',
        k: 'Umbral k: ninguna cifra publicada puede estar entre 1 y k−1 (con k = 5, entre 1 y 4), porque tan pocos casos pueden señalar a alguien. El 0 sí se publica.',
        p: 'Protección p: para cada celda oculta, quien junte todo lo publicado no debe poder acotarla a un rango de menos de p valores.',
        hidden: 'Ocultas: celdas que la entrada muestra como suprimidas.',
        interval:
          'Rango (mínimo y máximo posibles): los valores entre los que alguien con todo el registro puede acotar una cifra oculta, sumando y restando lo publicado.',
        lp: 'PL (programación lineal): el cálculo que da ese mínimo y máximo exactos; es el que haría un atacante.',
        component: 'Grupo independiente: cifras ligadas entre sí por sumas; cada grupo se calcula por separado.',
        witness:
          'Solución de prueba: un conjunto de cifras posible que demuestra que una cifra oculta puede valer 0 o al menos k, sin calcular su mínimo y máximo.',
      }
    : {
        log: 'Publication log: everything the server ever showed, in order, signed or not. Each entry cites the previous one by its fingerprint, so none can be removed or changed unnoticed.',
        release: 'Release: an entry signed by the publisher.',
        draft: 'Draft: an entry computed and shown to the publisher, never signed. Whoever saw it knows it, so it counts like a release.',
        dataVersion:
          'Data version (v1, v2…): each time the incidents counted for a year change, there is a new version. "Additions" = incidents were only added; "changes" = some were also removed or corrected.',
        k: 'Threshold k: no published count may be between 1 and k−1 (with k = 5, between 1 and 4), because so few cases can point at someone. Zero is published.',
        p: 'Protection p: for every hidden cell, whoever puts together everything published must not be able to narrow it to a range of fewer than p values.',
        hidden: 'Hidden: cells the entry shows as suppressed.',
        interval:
          'Range (smallest and largest possible): the values between which someone holding the whole log can pin a hidden figure, by adding and subtracting what was published.',
        lp: 'LP (linear programming): the computation that gives that exact smallest and largest value; it is what an attacker would do.',
        component: 'Independent group: figures linked to each other by sums; each group is computed separately.',
        witness:
          'Test solution: one possible set of figures that shows a hidden figure can be 0 or at least k, without computing its smallest and largest value.',
      };
}
