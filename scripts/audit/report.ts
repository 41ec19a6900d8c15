// report.ts — the readable audit report (Spanish or English).
//
// Guarantees:
// - Shows, in this order: the source and keys; one line per release (hash, signature, k, cells,
//   interval work); one line per check with its status; the findings (at most 15 per kind in the
//   text — the JSON report has them all); the narrowest intervals of each release; the data
//   inventory when one was taken; the verdict and exit code.
// - Prints only what is in the AuditReport, so the text never shows more than the JSON report;
//   in particular no database or log value (inventory findings carry none).
import type { AuditReport, CheckStatus } from './audit.js';
import type { CheckId } from './findings.js';
import type { IntervalSummary } from './intervals.js';
import type { Lang } from './messages.js';

const L = {
  es: {
    title: 'Auditoría de Contamos',
    server: 'servidor',
    dir: 'carpeta',
    none: '(sin publicaciones: solo inventario)',
    keys: 'Claves de publicación',
    releases: 'Publicaciones',
    noReleases: '(ninguna)',
    sigOk: 'firma válida',
    sigBad: 'FIRMA NO VÁLIDA',
    hashBad: 'HASH NO COINCIDE',
    cells: 'celdas',
    suppressed: 'suprimidas',
    lp: (s: IntervalSummary) =>
      `intervalos: componentes ${s.components} (la mayor: ${s.largestComponent} variables), PL resueltas ${s.lpSolves}, ${s.ms} ms` +
      (s.provenWithoutLp + s.decidedLocally + s.solvedOnWholeComponent > 0
        ? `; en componentes grandes: ${s.provenWithoutLp} probadas sin PL propia, ${s.decidedLocally} en vecindarios, ${s.solvedOnWholeComponent} con PL exacta`
        : ''),
    checks: 'Comprobaciones',
    checkNames: {
      source: 'Lectura del material publicado',
      authenticity: '1. Autenticidad: firmas y cadena de hashes',
      threshold: '2. Umbral k',
      intervals: '3. Intervalos de las celdas suprimidas (PL)',
      differencing: '4. Diferencias entre publicaciones',
      privacy: '4b. Privacidad diferencial: coherencia, ruido y presupuesto',
      inclusion: '5. Inclusión de reportes (recibos)',
      inventory: '6. Inventario de datos (base y registros)',
    } satisfies Record<CheckId, string>,
    status: { pass: 'OK', fail: 'FALLA', warn: 'AVISO', skipped: '—' } satisfies Record<CheckStatus, string>,
    findings: 'Hallazgos',
    noFindings: 'Ningún hallazgo.',
    fail: 'FALLA',
    warn: 'AVISO',
    more: (n: number) => `… y ${n} más de este tipo (ver el informe JSON)`,
    narrowest: 'Intervalos más estrechos',
    width: 'ancho',
    unbounded: 'sin límite',
    estimate: '(estimado: al menos)',
    inventory: 'Inventario de datos: lo que se guarda',
    rows: 'filas',
    logs: 'Registros revisados',
    lines: 'líneas',
    values: 'valores revisados',
    series: 'Series',
    unbroken: 'cadena completa',
    broken: 'CADENA ROTA',
    inclusion: (i: { receipts: number; validReceipts: number; included: number }) =>
      `Recibos: ${i.receipts}, firmas válidas ${i.validReceipts}, incluidos ${i.included}`,
    verdictOk: 'Resultado: APROBADA',
    verdictFail: 'Resultado: NO APROBADA',
    counts: (f: number, w: number) => `${f} fallas, ${w} avisos`,
    exit: 'código de salida',
  },
  en: {
    title: 'Contamos audit',
    server: 'server',
    dir: 'folder',
    none: '(no releases: inventory only)',
    keys: 'Publisher keys',
    releases: 'Releases',
    noReleases: '(none)',
    sigOk: 'signature valid',
    sigBad: 'SIGNATURE INVALID',
    hashBad: 'HASH MISMATCH',
    cells: 'cells',
    suppressed: 'suppressed',
    lp: (s: IntervalSummary) =>
      `intervals: components ${s.components} (largest: ${s.largestComponent} variables), LPs solved ${s.lpSolves}, ${s.ms} ms` +
      (s.provenWithoutLp + s.decidedLocally + s.solvedOnWholeComponent > 0
        ? `; in large components: ${s.provenWithoutLp} proven without their own LP, ${s.decidedLocally} on neighbourhoods, ${s.solvedOnWholeComponent} with exact LPs`
        : ''),
    checks: 'Checks',
    checkNames: {
      source: 'Reading the published material',
      authenticity: '1. Authenticity: signatures and hash chain',
      threshold: '2. Threshold k',
      intervals: '3. Intervals of suppressed cells (LP)',
      differencing: '4. Differences between releases',
      privacy: '4b. Differential privacy: consistency, noise and budget',
      inclusion: '5. Inclusion of reports (receipts)',
      inventory: '6. Data inventory (database and logs)',
    } satisfies Record<CheckId, string>,
    status: { pass: 'OK', fail: 'FAIL', warn: 'WARN', skipped: '—' } satisfies Record<CheckStatus, string>,
    findings: 'Findings',
    noFindings: 'No findings.',
    fail: 'FAIL',
    warn: 'WARN',
    more: (n: number) => `… and ${n} more of this kind (see the JSON report)`,
    narrowest: 'Narrowest intervals',
    width: 'width',
    unbounded: 'unbounded',
    estimate: '(estimate: at least)',
    inventory: 'Data inventory: what is kept',
    rows: 'rows',
    logs: 'Logs scanned',
    lines: 'lines',
    values: 'values scanned',
    series: 'Series',
    unbroken: 'chain complete',
    broken: 'CHAIN BROKEN',
    inclusion: (i: { receipts: number; validReceipts: number; included: number }) =>
      `Receipts: ${i.receipts}, valid signatures ${i.validReceipts}, included ${i.included}`,
    verdictOk: 'Result: PASSED',
    verdictFail: 'Result: NOT PASSED',
    counts: (f: number, w: number) => `${f} failures, ${w} warnings`,
    exit: 'exit code',
  },
};

const MAX_PER_CODE = 15;

export function renderText(report: AuditReport, lang: Lang): string {
  const t = L[lang];
  const out: string[] = [];
  out.push(t.title, '='.repeat(t.title.length));
  if (report.source.kind === 'none') out.push(t.none);
  else out.push(`${report.source.kind === 'server' ? t.server : t.dir}: ${report.source.location}`);
  if (report.source.kind !== 'none') {
    out.push(`${t.keys}: ${report.publisherKeys.length ? report.publisherKeys.join(', ') : '—'}`);
    out.push('', `${t.releases}:`);
    if (report.releases.length === 0) out.push(`  ${t.noReleases}`);
    for (const r of report.releases) {
      const parts = [
        r.id.padEnd(14),
        r.publishedOn ?? '',
        r.hash ? `${r.hash.slice(0, 12)}…` : '',
        r.hashValid ? '' : t.hashBad,
        r.signatureValid ? t.sigOk : t.sigBad,
      ];
      if (r.k !== null) parts.push(`k=${r.k} p=${r.protection}`);
      const suppressed = r.intervals?.suppressed;
      parts.push(`${r.cells} ${t.cells}${suppressed !== undefined ? ` (${t.suppressed}: ${suppressed})` : ''}`);
      out.push(`  ${parts.filter(Boolean).join('  ')}`);
      if (r.intervals) out.push(`  ${' '.repeat(14)}  ${t.lp(r.intervals)}`);
    }
    if (report.series.length) {
      out.push('', `${t.series}: ${report.series.map((s) => `${s.series} 1..${s.lastSequence} (${s.unbroken ? t.unbroken : t.broken})`).join('; ')}`);
    }
  }

  out.push('', `${t.checks}:`);
  for (const [id, status] of Object.entries(report.checks) as Array<[CheckId, CheckStatus]>) {
    out.push(`  [${t.status[status].padEnd(5)}] ${t.checkNames[id]}`);
  }
  if (report.inclusion) out.push(`          ${t.inclusion(report.inclusion)}`);

  out.push('', `${t.findings} (${t.counts(report.failures, report.warnings)}):`);
  if (report.findings.length === 0) out.push(`  ${t.noFindings}`);
  const perCode = new Map<string, number>();
  for (const f of report.findings) {
    const key = `${f.code}\u0000${f.release ?? ''}`;
    const n = (perCode.get(key) ?? 0) + 1;
    perCode.set(key, n);
    if (n > MAX_PER_CODE) continue;
    out.push(`  ${f.severity === 'fail' ? t.fail : t.warn} ${f.release ? `[${f.release}] ` : ''}${f.code}: ${f.message}`);
  }
  for (const [key, n] of perCode) if (n > MAX_PER_CODE) out.push(`  ${key.split('\u0000')[0]}${key.split('\u0000')[1] ? ` [${key.split('\u0000')[1]}]` : ''}: ${t.more(n - MAX_PER_CODE)}`);

  const withIntervals = report.releases.filter((r) => r.intervals && r.intervals.narrowest.length);
  if (withIntervals.length) {
    out.push('', `${t.narrowest}:`);
    for (const r of withIntervals) {
      out.push(`  ${r.id}:`);
      for (const c of r.intervals!.narrowest) {
        const range = `[${c.lo}, ${c.hi === null ? t.unbounded : c.hi}]`;
        out.push(`    ${c.cell.padEnd(48)} ${range.padEnd(16)} ${t.width} ${c.width === null ? '∞' : c.width}${c.exact ? '' : ` ${t.estimate}`}`);
      }
    }
  }

  const inv = report.inventory;
  if (inv) {
    out.push('', `${t.inventory}:`);
    if (inv.database) {
      out.push(`  ${inv.database.kind} ${inv.database.location}`);
      for (const tb of inv.database.tables) {
        out.push(`  - ${tb.name} (${tb.rows} ${t.rows}): ${tb.columns.map((c) => `${c.name} ${c.type}`).join(', ')}`);
      }
    }
    if (inv.logs.length) out.push(`  ${t.logs}: ${inv.logs.map((l) => `${l.file} (${l.lines} ${t.lines})`).join(', ')}`);
    out.push(`  ${inv.valuesScanned} ${t.values}, ${inv.ms} ms`);
  }

  out.push('', `${report.ok ? t.verdictOk : t.verdictFail} (${t.counts(report.failures, report.warnings)}; ${t.exit} ${report.exitCode})`, '');
  return out.join('\n');
}
