// messages.ts — the wording of every finding, in Spanish and English.
//
// Guarantees:
// - Every FindingCode has a message in both languages (the type checker enforces it: the tables
//   are `Record<FindingCode, …>`).
// - Messages are built from the finding's parameters only; inventory messages therefore never
//   contain a database or log value (their parameters do not carry one).
import type { Finding, FindingCode, ParamValue, Params } from './findings.js';

export type Lang = 'es' | 'en';

type Template = (p: Params) => string;

const s = (v: ParamValue | undefined): string => {
  if (v === null || v === undefined) return '—';
  if (Array.isArray(v)) return v.join(', ');
  return String(v);
};

const ES: Record<FindingCode, Template> = {
  'source-unreachable': (p) => `No se pudo leer ${s(p.origin)}: ${s(p.problem)}.`,
  'source-invalid': (p) => `${s(p.origin)} no es válido: ${s(p.problem)}.`,
  'well-known-invalid': (p) => `El documento de claves ${s(p.origin)} no es válido: ${s(p.problem)}.`,
  'release-invalid': (p) => `La publicación (${s(p.origin)}) no sigue el formato: ${s(p.problem)}.`,
  'listing-mismatch': (p) => `La lista de publicaciones no coincide con la publicación ${s(p.id)}: ${s(p.problem)}.`,
  'listing-order': (p) => `La lista de publicaciones no está en orden de serie y secuencia (posición ${s(p.position)}, ${s(p.id)}).`,
  'signature-unknown-key': (p) => `Firmada con la clave «${s(p.keyId)}», que no figura entre las claves de publicación del servidor.`,
  'signature-invalid': (p) => `La firma con la clave «${s(p.keyId)}» no es válida (${s(p.problem)}): el contenido no es el que firmó quien publica.`,
  'hash-mismatch': (p) => `El hash publicado (${s(p.published)}) no es el del contenido (${s(p.computed)}): el contenido fue modificado.`,
  'id-mismatch': (p) => `El identificador «${s(p.id)}» no corresponde: se esperaba «${s(p.expected)}».`,
  'chain-gap': (p) => `Falta la publicación número ${s(p.sequence)} de la serie «${s(p.series)}».`,
  'chain-fork': (p) => `Hay ${s(p.count)} publicaciones distintas con el número ${s(p.sequence)} en la serie «${s(p.series)}» (bifurcación).`,
  'chain-link': (p) => `La publicación ${s(p.sequence)} de «${s(p.series)}» no encadena con la anterior: dice ${s(p.previousHash)}, debería decir ${s(p.expected)}.`,
  'chain-date-order': (p) => `La publicación ${s(p.sequence)} de «${s(p.series)}» tiene fecha ${s(p.publishedOn)}, anterior a la de la previa (${s(p.previousPublishedOn)}).`,
  'threshold': (p) => `La celda ${s(p.cell)} se publicó con ${s(p.count)}, un valor entre 1 y k−1 (k = ${s(p.k)}).`,
  'structure-invalid': (p) => `Tabla ${s(p.table)}: ${s(p.problem)}.`,
  'structure-inconsistent': (p) => `Las cifras publicadas no cuadran en ${s(p.cell)}: ${s(p.problem)}.`,
  'structure-incomplete': (p) => `A la tabla ${s(p.table)} le faltan ${s(p.missing)} de sus ${s(p.expected)} celdas.`,
  'dp-inconsistent': (p) => `Publicación con privacidad diferencial incoherente en ${s(p.cell)}: ${s(p.problem)}.`,
  'dp-parameters': (p) => `Los parámetros de privacidad diferencial no cuadran: ${s(p.problem)}.`,
  'dp-ledger': (p) => `El registro del presupuesto de privacidad no cuadra: ${s(p.problem)}.`,
  'method-not-audited': (p) => `Método «${s(p.method)}»: las comprobaciones de umbral, intervalos y diferencias solo valen para «suppression» y no se hicieron.`,
  'interval-pinned': (p) =>
    p.reason === 'published-elsewhere'
      ? `La celda suprimida ${s(p.cell)} se publica en otra tabla (${s(p.lo)}): se puede leer directamente.`
      : `La celda suprimida ${s(p.cell)} se puede recalcular exactamente: vale ${s(p.lo)}.`,
  'interval-small': (p) => `La celda suprimida ${s(p.cell)} solo puede valer entre ${s(p.lo)} y ${s(p.hi)}, menos que k = ${s(p.k)}.`,
  'interval-narrow': (p) => `La celda suprimida ${s(p.cell)} queda entre ${s(p.lo)} y ${s(p.hi)}: un margen de ${s(p.width)}, menor que la protección ${s(p.protection)}.`,
  'interval-infeasible': (p) => `Las cifras publicadas se contradicen (${s(p.cells)} celdas suprimidas afectadas, p. ej. ${s(p.example)}).`,
  'interval-error': (p) => `No se pudo calcular el intervalo de ${s(p.example)} (${s(p.cells)} celdas): ${s(p.problem)}.`,
  'differencing': (p) => `La celda ${s(p.cell)} pasó de ${s(p.previous)} (en ${s(p.from)}) a ${s(p.current)}: una diferencia de ${s(p.change)}, entre 1 y k−1 (k = ${s(p.k)}).`,
  'receipt-invalid': (p) => `El recibo del reporte ${s(p.reportId)} no está firmado por la clave de recibos del servidor (${s(p.expectedKeyId)}).`,
  'receipt-key-missing': () => `El servidor no publica una clave de recibos: no se pueden verificar los recibos.`,
  'inclusion-missing': (p) => `No hay prueba de que el reporte ${s(p.reportId)} se haya contado${p.releaseId ? ` en ${s(p.releaseId)}` : ''}.`,
  'inclusion-leaf-mismatch': (p) => `La prueba para el reporte ${s(p.reportId)} en ${s(p.releaseId)} es de otro contenido que el del recibo.`,
  'inclusion-invalid': (p) => `La prueba para el reporte ${s(p.reportId)} no lleva a la raíz firmada de ${s(p.releaseId)}: no está incluido.`,
  'inclusion-release-unverified': (p) => `La publicación ${s(p.releaseId)} (para el reporte ${s(p.reportId)}) no está disponible o no es auténtica.`,
  'inclusion-fetch-error': (p) => `No se pudo pedir la prueba del reporte ${s(p.reportId)}: ${s(p.problem)}.`,
  'inventory-ip-address': (p) => where(p, 'es', 'una dirección IP'),
  'inventory-email': (p) => where(p, 'es', 'un correo electrónico'),
  'inventory-phone': (p) => where(p, 'es', 'un número de teléfono'),
  'inventory-user-agent': (p) => where(p, 'es', 'un «user agent» (identificador de navegador o programa)'),
  'inventory-narrative': (p) => where(p, 'es', 'texto narrativo sin cifrar'),
  'inventory-log-message': (p) => `${s(p.file)}: ${s(p.lines)} líneas con un mensaje en lenguaje natural (líneas ${s(p.first)}…); revise que sea un mensaje fijo del programa. [REDACTED]`,
  'inventory-column-name': (p) => `La columna ${s(p.table)}.${s(p.column)} tiene un nombre que sugiere datos que no se deben guardar.`,
  'inventory-error': (p) => `No se pudo inspeccionar ${s(p.source)}: ${s(p.problem)}.`,
};

const EN: Record<FindingCode, Template> = {
  'source-unreachable': (p) => `Could not read ${s(p.origin)}: ${s(p.problem)}.`,
  'source-invalid': (p) => `${s(p.origin)} is not valid: ${s(p.problem)}.`,
  'well-known-invalid': (p) => `The key document ${s(p.origin)} is not valid: ${s(p.problem)}.`,
  'release-invalid': (p) => `The release (${s(p.origin)}) does not follow the format: ${s(p.problem)}.`,
  'listing-mismatch': (p) => `The release listing does not match release ${s(p.id)}: ${s(p.problem)}.`,
  'listing-order': (p) => `The release listing is not in series, sequence order (position ${s(p.position)}, ${s(p.id)}).`,
  'signature-unknown-key': (p) => `Signed with key "${s(p.keyId)}", which is not among the server's publisher keys.`,
  'signature-invalid': (p) => `The signature with key "${s(p.keyId)}" is not valid (${s(p.problem)}): the content is not what the publisher signed.`,
  'hash-mismatch': (p) => `The published hash (${s(p.published)}) is not the hash of the content (${s(p.computed)}): the content was changed.`,
  'id-mismatch': (p) => `The identifier "${s(p.id)}" is wrong: expected "${s(p.expected)}".`,
  'chain-gap': (p) => `Release number ${s(p.sequence)} of series "${s(p.series)}" is missing.`,
  'chain-fork': (p) => `There are ${s(p.count)} different releases numbered ${s(p.sequence)} in series "${s(p.series)}" (a fork).`,
  'chain-link': (p) => `Release ${s(p.sequence)} of "${s(p.series)}" does not chain to the previous one: it says ${s(p.previousHash)}, it should say ${s(p.expected)}.`,
  'chain-date-order': (p) => `Release ${s(p.sequence)} of "${s(p.series)}" is dated ${s(p.publishedOn)}, before the previous one (${s(p.previousPublishedOn)}).`,
  'threshold': (p) => `Cell ${s(p.cell)} was published as ${s(p.count)}, a value between 1 and k−1 (k = ${s(p.k)}).`,
  'structure-invalid': (p) => `Table ${s(p.table)}: ${s(p.problem)}.`,
  'structure-inconsistent': (p) => `The published counts do not add up at ${s(p.cell)}: ${s(p.problem)}.`,
  'structure-incomplete': (p) => `Table ${s(p.table)} lacks ${s(p.missing)} of its ${s(p.expected)} cells.`,
  'dp-inconsistent': (p) => `Differentially private release inconsistent at ${s(p.cell)}: ${s(p.problem)}.`,
  'dp-parameters': (p) => `The differential-privacy parameters do not add up: ${s(p.problem)}.`,
  'dp-ledger': (p) => `The privacy budget ledger does not add up: ${s(p.problem)}.`,
  'method-not-audited': (p) => `Method "${s(p.method)}": the threshold, interval and differencing checks apply to "suppression" only and were not run.`,
  'interval-pinned': (p) =>
    p.reason === 'published-elsewhere'
      ? `Suppressed cell ${s(p.cell)} is published in another table (${s(p.lo)}): it can be read directly.`
      : `Suppressed cell ${s(p.cell)} can be recomputed exactly: it is ${s(p.lo)}.`,
  'interval-small': (p) => `Suppressed cell ${s(p.cell)} can only be between ${s(p.lo)} and ${s(p.hi)}, below k = ${s(p.k)}.`,
  'interval-narrow': (p) => `Suppressed cell ${s(p.cell)} lies between ${s(p.lo)} and ${s(p.hi)}: a range of ${s(p.width)}, below the protection level ${s(p.protection)}.`,
  'interval-infeasible': (p) => `The published counts contradict each other (${s(p.cells)} suppressed cells affected, e.g. ${s(p.example)}).`,
  'interval-error': (p) => `Could not compute the interval of ${s(p.example)} (${s(p.cells)} cells): ${s(p.problem)}.`,
  'differencing': (p) => `Cell ${s(p.cell)} went from ${s(p.previous)} (in ${s(p.from)}) to ${s(p.current)}: a change of ${s(p.change)}, between 1 and k−1 (k = ${s(p.k)}).`,
  'receipt-invalid': (p) => `The receipt of report ${s(p.reportId)} is not signed by the server's receipt key (${s(p.expectedKeyId)}).`,
  'receipt-key-missing': () => `The server publishes no receipt key: receipts cannot be verified.`,
  'inclusion-missing': (p) => `There is no proof that report ${s(p.reportId)} was counted${p.releaseId ? ` in ${s(p.releaseId)}` : ''}.`,
  'inclusion-leaf-mismatch': (p) => `The proof for report ${s(p.reportId)} in ${s(p.releaseId)} is for other content than the receipt's.`,
  'inclusion-invalid': (p) => `The proof for report ${s(p.reportId)} does not lead to the signed root of ${s(p.releaseId)}: it is not included.`,
  'inclusion-release-unverified': (p) => `Release ${s(p.releaseId)} (for report ${s(p.reportId)}) is not available or not authentic.`,
  'inclusion-fetch-error': (p) => `Could not fetch the proof of report ${s(p.reportId)}: ${s(p.problem)}.`,
  'inventory-ip-address': (p) => where(p, 'en', 'an IP address'),
  'inventory-email': (p) => where(p, 'en', 'an e-mail address'),
  'inventory-phone': (p) => where(p, 'en', 'a phone number'),
  'inventory-user-agent': (p) => where(p, 'en', 'a user agent (browser or program identifier)'),
  'inventory-narrative': (p) => where(p, 'en', 'unencrypted narrative text'),
  'inventory-log-message': (p) => `${s(p.file)}: ${s(p.lines)} lines with a natural-language message (lines ${s(p.first)}…); check it is a fixed message of the program. [REDACTED]`,
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
