// report.ts — the readable audit report (Spanish or English), in plain words.
//
// Guarantees:
// - Prints only what is in the AuditReport, so the text never shows more than the JSON report
//   (`--json`); in particular no database or log value (inventory findings carry none).
// - Shows, in this order: the source and the keys signatures were checked against; the
//   publication log as a table (one row per entry); series and data versions; one line per check
//   with its status; what the global model is and how much work it took, in words; the findings
//   (at most 15 per kind and entry in the text — the JSON report has them all); the narrowest
//   ranges of hidden cells; the privacy budget; the inventory; what the words mean; the verdict.
// - Every table is aligned whatever the length of ids and cell names (columns are as wide as
//   their widest value; numbers are right-aligned).
// - No bare jargon: k, p, versions, drafts, ranges, LP are explained in the legend printed with
//   the report, and the work figures are sentences, not abbreviations.
import type { AuditReport, CheckStatus, EntryReport } from './audit.js';
import type { CheckId } from './findings.js';
import type { Lang } from './messages.js';

/** Rows of cells, padded to aligned columns; `right` marks right-aligned columns. */
export function table(rows: string[][], right: ReadonlySet<number> = new Set(), indent = '  '): string[] {
  const widths: number[] = [];
  for (const r of rows) r.forEach((c, i) => (widths[i] = Math.max(widths[i] ?? 0, [...c].length)));
  return rows.map((r) =>
    (
      indent +
      r
        .map((c, i) => {
          const pad = ' '.repeat((widths[i] ?? 0) - [...c].length);
          return right.has(i) ? pad + c : i === r.length - 1 ? c : c + pad;
        })
        .join('  ')
    ).trimEnd(),
  );
}

const L = {
  es: {
    title: 'Auditoría de Contamos',
    server: 'Origen: servidor',
    dir: 'Origen: carpeta',
    none: 'Origen: ninguno (solo inventario de datos)',
    keysPinned: 'Claves de publicación (fijadas con --publisher-key; no se usan las que anuncia el servidor)',
    keysDocument: 'Claves de publicación (las que anuncia el servidor en /.well-known/contamos.json)',
    noKeys: 'ninguna',
    log: (n: number, r: number, d: number) =>
      `Registro de publicaciones: ${n} ${n === 1 ? 'entrada' : 'entradas'} (${r} ${r === 1 ? 'publicada y firmada' : 'publicadas y firmadas'}, ${d} ${d === 1 ? 'borrador nunca firmado' : 'borradores nunca firmados'})`,
    noEntries: '(vacío)',
    head: ['N.º', 'Tipo', 'Identificador', 'Fecha', 'Datos (año y versión)', 'Método', 'k', 'p', 'Celdas', 'Ocultas', 'Firma'],
    release: 'publicada',
    draft: 'borrador',
    unreadable: 'ilegible',
    suppression: 'supresión',
    dp: 'privacidad dif.',
    sigOk: 'válida',
    sigBad: 'NO VÁLIDA',
    sigNone: '(sin firma)',
    hashBad: ' · HUELLA ALTERADA',
    additions: 'altas',
    changes: 'cambios',
    held: 'retenida',
    series: 'Series',
    seriesLine: (name: string, method: string, r: number, d: number, ok: boolean) =>
      `${name} (${method}): ${r} ${r === 1 ? 'publicada' : 'publicadas'}, ${d} ${d === 1 ? 'borrador' : 'borradores'}, ${ok ? 'cadena completa' : 'CADENA ROTA'}`,
    versions: 'Versiones de datos',
    checks: 'Comprobaciones',
    checkNames: {
      source: 'Lectura del material publicado',
      signatures: '1. Firmas: cada publicación firmada verifica con una clave de publicación y es la entrada del registro',
      chains: '2. Cadenas: el registro y cada serie, sin huecos ni bifurcaciones',
      versions: '3. Versiones de datos coherentes; k, p y método fijos en cada serie',
      threshold: '4. Umbral k: ninguna cifra publicada entre 1 y k−1',
      intervals: '5. Rangos de todo lo oculto, con todas las entradas del registro a la vez',
      changes: '6. Cambios entre versiones de datos: ninguno se deduce entre 1 y k−1',
      privacy: '7. Privacidad diferencial: coherencia, ruido y presupuesto único del servidor',
      inclusion: '8. Inclusión de reportes (recibos y pruebas)',
      inventory: 'Inventario de datos (base y registros del servidor)',
    } satisfies Record<CheckId, string>,
    status: { pass: 'OK', fail: 'FALLA', warn: 'AVISO', skipped: '—' } satisfies Record<CheckStatus, string>,
    global: 'Modelo global (lo que puede calcular quien tiene todas las entradas del registro)',
    globalLines: (r: AuditReport) => {
      const g = r.global!;
      const e = g.engine;
      const s = (ms: number) => `${(ms / 1000).toFixed(1).replace('.', ',')} s`;
      const n = (x: number, one: string, many: string) => `${x} ${x === 1 ? one : many}`;
      return [
        `${n(g.slices.length, 'versión', 'versiones')} de datos × ${n(g.coordinates, 'combinación', 'combinaciones')} de categorías = ${n(g.variables, 'cifra desconocida', 'cifras desconocidas')}, ligadas por ${n(g.relations, 'suma', 'sumas')}` +
          (g.additionsLinks ? ` y por la condición «solo altas» en ${n(g.additionsLinks, 'cambio', 'cambios')} de versión.` : '.'),
        `Se fijaron ${n(g.publishedCounts, 'cifra publicada', 'cifras publicadas')}; quedaron ${n(e.unknowns, 'cifra', 'cifras')} por acotar, con ${n(e.rows, 'ecuación', 'ecuaciones')}.`,
        `Se revisaron ${n(g.checked.suppressed, 'celda oculta', 'celdas ocultas')}, ${n(g.checked.hidden, 'cifra que nadie publicó', 'cifras que nadie publicó')} y ${n(g.checked.changes + g.checked.yearSetChanges, 'cambio', 'cambios')} entre versiones de datos.`,
        `${e.decidedWithoutOwnLp} ${e.decidedWithoutOwnLp === 1 ? 'se decidió' : 'se decidieron'} sin un cálculo propio (con soluciones de prueba o con cotas); ${e.solvedExactly} ${e.solvedExactly === 1 ? 'necesitó' : 'necesitaron'} su mínimo y máximo exactos.`,
        `En total se ${e.lpSolves === 1 ? 'resolvió' : 'resolvieron'} ${n(e.lpSolves, 'problema', 'problemas')} de programación lineal (PL) en ${n(e.components, 'grupo independiente', 'grupos independientes')} de cifras ligadas (el mayor: ${n(e.largestComponent, 'cifra', 'cifras')}), en ${s(g.ms)}.`,
      ];
    },
    findings: (f: number, w: number) => `Hallazgos (${f} fallas, ${w} avisos)`,
    noFindings: 'Ningún hallazgo.',
    fail: 'FALLA',
    warn: 'AVISO',
    more: (code: string, n: number) => `… y ${n} más de «${code}» (ver el informe JSON)`,
    narrowest: (n: number, of: number, exact: boolean) =>
      `Rangos más estrechos de celdas ocultas (mínimo y máximo que se pueden deducir; ${exact ? `todas las ${of} celdas ocultas` : `entre ${n === 1 ? 'la única' : `las ${n}`} de ${of} celdas ocultas cuyo rango se calculó exacto; las demás se aprobaron con soluciones de prueba, --exact los calcula todos`})`,
    narrowHead: ['Cifra oculta', 'Mínimo', 'Máximo', 'Ancho'],
    unbounded: 'sin límite',
    ledger: 'Presupuesto de privacidad diferencial (uno solo para todo el servidor, en rho)',
    ledgerHead: ['N.º', 'Entrada', 'Serie', 'Gasta', 'Antes', 'Después', 'Total'],
    inclusion: (i: { receipts: number; validReceipts: number; included: number; release: string | null }) =>
      `Recibos: ${i.receipts}; con firma válida: ${i.validReceipts}; incluidos${i.release ? ` en ${i.release}` : ''}: ${i.included}`,
    inventory: 'Inventario de datos: lo que se guarda',
    rows: 'filas',
    logs: 'Registros revisados',
    lines: 'líneas',
    values: (n: number, ms: number) => `${n} valores revisados en ${ms} ms`,
    legend: 'Qué significan las palabras de este informe',
    verdictOk: 'Resultado: APROBADA',
    verdictFail: 'Resultado: NO APROBADA',
    counts: (f: number, w: number) => `${f} fallas, ${w} avisos`,
    exit: 'código de salida',
  },
  en: {
    title: 'Contamos audit',
    server: 'Source: server',
    dir: 'Source: folder',
    none: 'Source: none (data inventory only)',
    keysPinned: 'Publisher keys (pinned with --publisher-key; the ones the server announces are not used)',
    keysDocument: 'Publisher keys (the ones the server announces in /.well-known/contamos.json)',
    noKeys: 'none',
    log: (n: number, r: number, d: number) =>
      `Publication log: ${n} ${n === 1 ? 'entry' : 'entries'} (${r} released and signed, ${d} ${d === 1 ? 'draft' : 'drafts'} never signed)`,
    noEntries: '(empty)',
    head: ['No.', 'Kind', 'Identifier', 'Date', 'Data (year and version)', 'Method', 'k', 'p', 'Cells', 'Hidden', 'Signature'],
    release: 'release',
    draft: 'draft',
    unreadable: 'unreadable',
    suppression: 'suppression',
    dp: 'diff. privacy',
    sigOk: 'valid',
    sigBad: 'INVALID',
    sigNone: '(unsigned)',
    hashBad: ' · FINGERPRINT ALTERED',
    additions: 'additions',
    changes: 'changes',
    held: 'held back',
    series: 'Series',
    seriesLine: (name: string, method: string, r: number, d: number, ok: boolean) =>
      `${name} (${method}): ${r} ${r === 1 ? 'release' : 'releases'}, ${d} ${d === 1 ? 'draft' : 'drafts'}, ${ok ? 'chain complete' : 'CHAIN BROKEN'}`,
    versions: 'Data versions',
    checks: 'Checks',
    checkNames: {
      source: 'Reading the published material',
      signatures: '1. Signatures: every signed release verifies under a publisher key and is its log entry',
      chains: '2. Chains: the log and every series, without gaps or forks',
      versions: '3. Data versions consistent; k, p and method fixed in every series',
      threshold: '4. Threshold k: no published count between 1 and k−1',
      intervals: '5. Ranges of everything hidden, with all log entries at once',
      changes: '6. Changes between data versions: none deducible between 1 and k−1',
      privacy: "7. Differential privacy: consistency, noise and the server's one budget",
      inclusion: '8. Inclusion of reports (receipts and proofs)',
      inventory: 'Data inventory (database and server logs)',
    } satisfies Record<CheckId, string>,
    status: { pass: 'OK', fail: 'FAIL', warn: 'WARN', skipped: '—' } satisfies Record<CheckStatus, string>,
    global: 'Global model (what someone holding every log entry can compute)',
    globalLines: (r: AuditReport) => {
      const g = r.global!;
      const e = g.engine;
      const s = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
      const n = (x: number, one: string, many: string) => `${x} ${x === 1 ? one : many}`;
      return [
        `${n(g.slices.length, 'data version', 'data versions')} × ${n(g.coordinates, 'combination', 'combinations')} of categories = ${n(g.variables, 'unknown figure', 'unknown figures')}, linked by ${n(g.relations, 'sum', 'sums')}` +
          (g.additionsLinks ? ` and by the "additions only" condition in ${n(g.additionsLinks, 'version step', 'version steps')}.` : '.'),
        `${n(g.publishedCounts, 'published figure was', 'published figures were')} fixed; ${n(e.unknowns, 'figure was', 'figures were')} left to bound, with ${n(e.rows, 'equation', 'equations')}.`,
        `Checked: ${n(g.checked.suppressed, 'hidden cell', 'hidden cells')}, ${n(g.checked.hidden, 'figure nobody published', 'figures nobody published')} and ${n(g.checked.changes + g.checked.yearSetChanges, 'change', 'changes')} between data versions.`,
        `${e.decidedWithoutOwnLp} ${e.decidedWithoutOwnLp === 1 ? 'was' : 'were'} decided without a computation of their own (by test solutions or bounds); ${e.solvedExactly} needed their exact smallest and largest value.`,
        `In all, ${n(e.lpSolves, 'linear program (LP) was', 'linear programs (LP) were')} solved in ${n(e.components, 'independent group', 'independent groups')} of linked figures (the largest: ${n(e.largestComponent, 'figure', 'figures')}), in ${s(g.ms)}.`,
      ];
    },
    findings: (f: number, w: number) => `Findings (${f} failures, ${w} warnings)`,
    noFindings: 'No findings.',
    fail: 'FAIL',
    warn: 'WARN',
    more: (code: string, n: number) => `… and ${n} more of "${code}" (see the JSON report)`,
    narrowest: (n: number, of: number, exact: boolean) =>
      `Narrowest ranges of hidden cells (smallest and largest value that can be deduced; ${exact ? `all ${of} hidden cells` : `among the ${n} of ${of} hidden cells whose range was computed exactly; the others passed by test solutions, --exact computes them all`})`,
    narrowHead: ['Hidden figure', 'Smallest', 'Largest', 'Width'],
    unbounded: 'unbounded',
    ledger: 'Differential-privacy budget (one for the whole server, in rho)',
    ledgerHead: ['No.', 'Entry', 'Series', 'Spends', 'Before', 'After', 'Total'],
    inclusion: (i: { receipts: number; validReceipts: number; included: number; release: string | null }) =>
      `Receipts: ${i.receipts}; validly signed: ${i.validReceipts}; included${i.release ? ` in ${i.release}` : ''}: ${i.included}`,
    inventory: 'Data inventory: what is kept',
    rows: 'rows',
    logs: 'Logs scanned',
    lines: 'lines',
    values: (n: number, ms: number) => `${n} values scanned in ${ms} ms`,
    legend: 'What the words of this report mean',
    verdictOk: 'Result: PASSED',
    verdictFail: 'Result: NOT PASSED',
    counts: (f: number, w: number) => `${f} failures, ${w} warnings`,
    exit: 'exit code',
  },
};

const MAX_PER_CODE = 15;

function wrap(text: string, width: number, indent: string): string[] {
  const out: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/)) {
    if (line && line.length + 1 + word.length > width) {
      out.push(indent + line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  if (line) out.push(indent + line);
  return out;
}

export function renderText(report: AuditReport, lang: Lang): string {
  const t = L[lang];
  const out: string[] = [];
  out.push(t.title, '='.repeat(t.title.length));
  if (report.source.kind === 'none') out.push(t.none);
  else out.push(`${report.source.kind === 'server' ? t.server : t.dir} ${report.source.location}`);

  if (report.source.kind !== 'none') {
    const pinned = report.options.pinnedKeys > 0;
    out.push(`${pinned ? t.keysPinned : t.keysDocument}: ${report.keys.length ? report.keys.map((k) => k.keyId ?? k.origin ?? '?').join(', ') : t.noKeys}`);
    out.push('', `${t.log(report.log.entries, report.log.releases, report.log.drafts)}:`);
    if (report.entries.length === 0) out.push(`  ${t.noEntries}`);
    else {
      const data = (e: EntryReport) =>
        e.data
          .map(
            (d) =>
              `${d.year} v${d.version}${d.since ? ` (${d.since === 'additions' ? t.additions : t.changes}${d.heldBack ? `, ${t.held}` : ''})` : d.heldBack ? ` (${t.held})` : ''}`,
          )
          .join(' + ');
      const rows = [
        t.head,
        ...report.entries.map((e) => [
          String(e.index),
          e.kind === 'release' ? t.release : e.kind === 'draft' ? t.draft : t.unreadable,
          e.id ?? '?',
          e.publishedOn ?? '',
          data(e),
          e.method === 'suppression' ? t.suppression : e.method === 'dp' ? t.dp : '',
          e.k === null ? '' : String(e.k),
          e.protection === null ? '' : String(e.protection),
          String(e.cells),
          String(e.suppressed),
          (e.signatureValid === null ? t.sigNone : e.signatureValid ? t.sigOk : t.sigBad) + (e.hashValid || e.hash === null ? '' : t.hashBad),
        ]),
      ];
      out.push(...table(rows, new Set([0, 6, 7, 8, 9])));
    }
    if (report.series.length) {
      out.push('', `${t.series}:`);
      for (const s of report.series) out.push(`  ${t.seriesLine(s.series, s.method === 'dp' ? t.dp : t.suppression, s.releases, s.drafts, s.unbroken)}`);
    }
    if (report.versions.length) {
      out.push('', `${t.versions}:`);
      for (const y of report.versions) {
        out.push(
          `  ${y.year}: ${y.versions.map((v) => `v${v.version}${v.since ? ` (${v.since === 'additions' ? t.additions : t.changes})` : ''}`).join(', ')}`,
        );
      }
    }
  }

  out.push('', `${t.checks}:`);
  for (const [id, status] of Object.entries(report.checks) as Array<[CheckId, CheckStatus]>) {
    out.push(`  [${t.status[status].padEnd(5)}] ${t.checkNames[id]}`);
  }
  if (report.inclusion) out.push(`          ${t.inclusion(report.inclusion)}`);

  if (report.global) {
    out.push('', `${t.global}:`);
    for (const line of t.globalLines(report)) out.push(...wrap(line, 100, '  ').map((l, i) => (i === 0 ? `  - ${l.trimStart()}` : `  ${l}`)));
  }

  out.push('', `${t.findings(report.failures, report.warnings)}:`);
  if (report.findings.length === 0) out.push(`  ${t.noFindings}`);
  const perCode = new Map<string, number>();
  const lines: string[][] = [];
  for (const f of report.findings) {
    const key = `${f.code}\u0000${f.release ?? ''}`;
    const n = (perCode.get(key) ?? 0) + 1;
    perCode.set(key, n);
    if (n > MAX_PER_CODE) continue;
    lines.push([f.severity === 'fail' ? t.fail : t.warn, f.release ?? '', `${f.message} (${f.code})`]);
  }
  out.push(...table(lines));
  const extra = new Map<string, number>();
  for (const [key, n] of perCode) if (n > MAX_PER_CODE) extra.set(key.split('\u0000')[0]!, (extra.get(key.split('\u0000')[0]!) ?? 0) + n - MAX_PER_CODE);
  for (const [code, n] of Object.entries(report.omitted)) extra.set(code, (extra.get(code) ?? 0) + (n ?? 0));
  for (const [code, n] of extra) out.push(`  ${t.more(code, n)}`);

  const narrow = report.global?.narrowest ?? [];
  if (narrow.length) {
    out.push('', `${t.narrowest(report.global!.exactRanges, report.global!.checked.suppressed, report.options.exact)}:`);
    out.push(
      ...table(
        [t.narrowHead, ...narrow.map((c) => [c.quantity, String(c.lo), c.hi === null ? t.unbounded : String(c.hi), c.width === null ? '∞' : String(c.width)])],
        new Set([1, 2, 3]),
      ),
    );
  }

  if (report.dp?.ledger.length) {
    out.push('', `${t.ledger}:`);
    out.push(
      ...table(
        [
          t.ledgerHead,
          ...report.dp.ledger.map((l) => [String(l.index), l.label, l.series, l.charged ?? '?', l.spentBefore ?? '?', l.spentAfter ?? '?', l.total ?? '?']),
        ],
        new Set([0, 3, 4, 5, 6]),
      ),
    );
  }

  const inv = report.inventory;
  if (inv) {
    out.push('', `${t.inventory}:`);
    if (inv.database) {
      out.push(`  ${inv.database.kind} ${inv.database.location}`);
      for (const tb of inv.database.tables) out.push(`  - ${tb.name} (${tb.rows} ${t.rows}): ${tb.columns.map((c) => `${c.name} ${c.type}`).join(', ')}`);
    }
    if (inv.logs.length) out.push(`  ${t.logs}: ${inv.logs.map((l) => `${l.file} (${l.lines} ${t.lines})`).join(', ')}`);
    out.push(`  ${t.values(inv.valuesScanned, inv.ms)}`);
  }

  if (report.source.kind !== 'none') {
    out.push('', `${t.legend}:`);
    for (const text of Object.values(report.legend)) out.push(...wrap(text, 100, '    ').map((l, i) => (i === 0 ? `  - ${l.trimStart()}` : l)));
  }

  out.push('', `${report.ok ? t.verdictOk : t.verdictFail} (${t.counts(report.failures, report.warnings)}; ${t.exit} ${report.exitCode})`, '');
  return out.join('\n');
}
