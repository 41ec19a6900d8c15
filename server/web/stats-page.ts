// stats-page.ts — the public statistics page: every published release, and one release in full
// (what it covers, charts, data tables, downloads, how to verify it). Pure rendering from the
// published envelope (docs/release-format.md): this page verifies nothing and computes no count
// of its own, it only shows what the signed manifest says.
//
// Guarantees:
// - Server-rendered HTML with inline SVG charts: readable with JavaScript disabled.
// - A suppressed cell is always shown as "oculta para proteger a las personas / hidden to protect
//   people", linked to the paragraph that says why (#por-que-ocultas), never as a number; a
//   published 0 is shown as 0.
// - No data table repeats a figure: the "Total" of a dimension with a single code (the year of a
//   one-year release) is the same figure as that code's row and is not listed twice.
// - Over two or more years, every series is also drawn as a line over the years
//   (trend-charts.ts), hidden years as gaps, each downloadable as SVG and PNG.
// - Tables show every column on a phone: below 40rem each row is a block whose cells carry their
//   column's name (data-label, shown by the stylesheet), so nothing is off screen.
// - The operator's licence and the release's citation are shown (open-data/terms.ts).
// - Every value from the manifest (codes, series, hashes…) is escaped; links are same-origin
//   paths built from release ids (`releaseId` of schemas/manifest.ts, which the manifest's id matches).
// - The page states what the count covers (series, years, k, protection, method, taxonomy
//   version), that the numbers are incomplete, and which years repeat the previous release's data
//   (held back: `heldBack`), without saying by how much. It shows no number of reports: the format does
//   not publish one (it would be an unprotected count).
import { barChart, suppressedText } from './charts.js';
import { citationOf, licenceLine, type Terms, termsOf } from '../open-data/terms.js';
import { type TrendSpec, trendSpecs, trendSvg } from './trend-charts.js';

/** Trend charts shown at once; the others are one click away (a <details>, no JavaScript). */
export const TRENDS_SHOWN = 6;
import { html, type SafeHtml, safeHref } from './html.js';
import { codeLabel, dimensionLabel, formatNumber, type Lang, t, withLang } from './i18n.js';
import { page } from './layout.js';
import type { Manifest, ManifestCell, ReleaseEnvelope } from '../schemas/manifest.js';

type Cell = ManifestCell;
type ReleaseTable = Manifest['tables'][number];
export interface ReleaseListItem {
  id: string;
  series: string;
  sequence: number;
  hash: string;
  publishedOn: string;
  years?: string[];
}

/** Most charts drawn per table; every cell is still in the data table and the downloads. */
export const MAX_CHARTS_PER_TABLE = 12;
/** Most rows shown per data table on the page (the CSV has them all). */
export const MAX_TABLE_ROWS = 1500;

const keyOf = (dims: string[], key: Record<string, string>) => dims.map((d) => key[d] ?? '*').join('\u0000');

function slug(s: string): string {
  return (
    s
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-|-$/g, '')
      .slice(0, 40) || 'x'
  );
}

function label(dim: string, code: string, lang: Lang): string {
  return dim === 'year' && code !== '*' ? code : codeLabel(dim, code, lang);
}

/** The dimension drawn along the bars: the last one that is not the year (or the year itself). */
export function barDimension(dims: string[]): string {
  return [...dims].reverse().find((d) => d !== 'year') ?? dims[0]!;
}

interface ChartSpec {
  title: string;
  bars: Array<{ label: string; value: number | null }>;
  zeros: string[];
  total: number | null | undefined;
  id: string;
}

/** Above this many bars, published zeros are listed in words under the chart instead of drawn. */
export const MAX_BARS_WITH_ZEROS = 12;

/** The charts of one table: one per combination of the other dimensions (margins first). */
export function chartsOfTable(m: Manifest, table: ReleaseTable, tableIndex: number, lang: Lang): { charts: ChartSpec[]; omitted: number } {
  const dims = table.dimensions;
  const cells = new Map<string, Cell>();
  for (const c of table.cells) cells.set(keyOf(dims, c.key), c);
  const barDim = barDimension(dims);
  const groupDims = dims.filter((d) => d !== barDim);
  // A dimension with a single code has a margin equal to that code: draw the code only.
  const choices = groupDims.map((d) => {
    const codes = m.domains[d] ?? [];
    return codes.length === 1 ? codes : ['*', ...codes];
  });
  let combos: string[][] = [[]];
  for (const ch of choices) combos = combos.flatMap((c) => ch.map((v) => [...c, v]));
  combos.sort((a, b) => b.filter((v) => v === '*').length - a.filter((v) => v === '*').length);

  const barCodeLists: Array<{ codes: string[]; suffix: string }> = [{ codes: m.domains[barDim] ?? [], suffix: '' }];
  const groups = m.hierarchies?.[barDim];
  if (groups && Object.keys(groups).length > 0) {
    barCodeLists.unshift({ codes: Object.keys(groups), suffix: t(lang, ' (por grupos)', ' (by group)') });
  }

  const charts: ChartSpec[] = [];
  let omitted = 0;
  for (const combo of combos) {
    const fixed: Record<string, string> = {};
    groupDims.forEach((d, i) => {
      fixed[d] = combo[i]!;
    });
    const lookup = (barCode: string): Cell | undefined => cells.get(keyOf(dims, { ...fixed, [barDim]: barCode }));
    const totalCell = lookup('*');
    if (totalCell && !totalCell.suppressed && totalCell.count === 0) continue; // nothing to draw: a true zero
    const parts = groupDims.map((d, i) => (combo[i] === '*' ? null : label(d, combo[i]!, lang))).filter((p): p is string => p !== null);
    for (const list of barCodeLists) {
      let bars = list.codes
        .map((code) => ({ code, cell: lookup(code) }))
        .filter((b): b is { code: string; cell: Cell } => b.cell !== undefined)
        .map((b) => ({ label: label(barDim, b.code, lang), value: b.cell.suppressed ? null : b.cell.count }));
      if (bars.length === 0) continue;
      let zeros: string[] = [];
      if (bars.length > MAX_BARS_WITH_ZEROS) {
        zeros = bars.filter((b) => b.value === 0).map((b) => b.label);
        bars = bars.filter((b) => b.value !== 0);
      }
      if (charts.length >= MAX_CHARTS_PER_TABLE) {
        omitted++;
        continue;
      }
      const scope = parts.length > 0 ? ` — ${parts.join(', ')}` : groupDims.length > 0 ? t(lang, ' — todo', ' — all') : '';
      charts.push({
        id: `t${tableIndex + 1}-${slug(barDim)}-${charts.length + 1}`,
        title: `${dimensionLabel(barDim, lang)}${list.suffix}${scope}`,
        bars,
        zeros,
        total: totalCell ? (totalCell.suppressed ? null : totalCell.count) : undefined,
      });
    }
  }
  return { charts, omitted };
}

/** A hidden figure: the neutral words, linked to why figures are hidden. */
function hiddenText(lang: Lang): SafeHtml {
  return html`<a class="hidden-why" href="#por-que-ocultas">${suppressedText(0, lang)}</a>`;
}

function valueCell(c: Cell, lang: Lang, label: string, margin?: number): SafeHtml {
  if (c.suppressed || c.count === null) return html`<td class="num suppressed" data-label="${label}">${hiddenText(lang)}</td>`;
  return margin === undefined
    ? html`<td class="num" data-label="${label}">${formatNumber(c.count, lang)}</td>`
    : html`<td class="num" data-label="${label}">${formatNumber(c.count, lang)} ± ${formatNumber(margin, lang)}</td>`;
}

/** The cells worth a row: a "*" on a dimension with one code is that code's figure again. */
export function distinctCells(m: Pick<Manifest, 'domains'>, table: ReleaseTable): Cell[] {
  const single = table.dimensions.filter((d) => (m.domains[d] ?? []).length === 1);
  if (single.length === 0) return table.cells;
  const have = new Set(table.cells.map((c) => keyOf(table.dimensions, c.key)));
  return table.cells.filter((c) => {
    if (!single.some((d) => c.key[d] === '*')) return true;
    const same = { ...c.key };
    for (const d of single) if (same[d] === '*') same[d] = m.domains[d]![0]!;
    return !have.has(keyOf(table.dimensions, same));
  });
}

function dataTable(m: Manifest, table: ReleaseTable, i: number, lang: Lang): SafeHtml {
  const all = distinctCells(m, table);
  const rows = all.slice(0, MAX_TABLE_ROWS);
  const heads = table.dimensions.map((d) => dimensionLabel(d, lang));
  const countHead = t(lang, 'Hechos', 'Incidents');
  return html`<details class="data">
<summary>${t(lang, 'Tabla de datos', 'Data table')} (${formatNumber(all.length, lang)} ${t(lang, 'cifras', 'figures')})</summary>
<div class="table-scroll">
<table class="stack">
<caption>${t(lang, 'Tabla', 'Table')} ${i + 1}: ${heads.join(' × ')}</caption>
<thead><tr>${heads.map((h) => html`<th scope="col">${h}</th>`)}<th scope="col" class="num">${countHead}</th></tr></thead>
<tbody>
${rows.map(
  (
    c,
  ) => html`<tr>${table.dimensions.map((d, j) => html`<td data-label="${heads[j]}">${label(d, c.key[d] ?? '*', lang)}</td>`)}${valueCell(c, lang, countHead, m.dp?.errorMargin90)}</tr>
`,
)}</tbody>
</table>
</div>
${all.length > rows.length ? html`<p>${t(lang, `Se muestran ${rows.length} cifras; todas están en el CSV.`, `${rows.length} figures shown; all are in the CSV.`)}</p>` : ''}
</details>`;
}

function yearsOf(m: Manifest): string[] {
  return m.domains.year ?? m.data.map((d) => String(d.year));
}

function methodText(m: Manifest, lang: Lang): string {
  if (m.method === 'suppression' && m.k !== undefined) {
    return t(
      lang,
      `Supresión de celdas: ninguna cifra publicada está entre 1 y ${m.k - 1}; se ocultan además otras celdas para que las ocultas no puedan deducirse restando totales ni comparando con publicaciones anteriores de la serie.`,
      `Cell suppression: no published figure is between 1 and ${m.k - 1}; further cells are hidden so that hidden ones cannot be worked out by subtracting totals or by comparing with earlier releases of the series.`,
    );
  }
  if (m.method === 'dp' && m.dp) {
    const p = m.dp.rho !== undefined ? `ρ = ${m.dp.rho} (zCDP)` : `ε = ${m.dp.epsilon}`;
    return t(
      lang,
      `Privacidad diferencial: a cada cifra se le suma ruido aleatorio (${m.dp.mechanism === 'discrete-gaussian' ? 'gaussiano discreto' : 'Laplace discreto'}, ${p}); luego se ajustan para que sean enteros no negativos y sumen sus totales. Cada cifra puede diferir de la real en ±${m.dp.errorMargin90} con 90 % de probabilidad (antes del ajuste). Presupuesto de privacidad del servidor (compartido por todas sus publicaciones con privacidad diferencial) gastado hasta esta publicación: ρ = ${m.dp.ledger.spentAfter} de ${m.dp.ledger.total}.${m.dp.keepTotal ? ' El total general se publica exacto.' : ''}`,
      `Differential privacy: random noise is added to every figure (${m.dp.mechanism === 'discrete-gaussian' ? 'discrete Gaussian' : 'discrete Laplace'}, ${p}); they are then adjusted to be non-negative integers that add up to their totals. Each figure may differ from the true one by ±${m.dp.errorMargin90} with 90% probability (before adjustment). Privacy budget of the server (shared by all its differentially private releases) spent up to this release: ρ = ${m.dp.ledger.spentAfter} of ${m.dp.ledger.total}.${m.dp.keepTotal ? ' The grand total is published exactly.' : ''}`,
    );
  }
  return m.method;
}

/** Headline figures: per year, the total and (when the release has them) homicides and disappearances. */
function keyFigures(m: Manifest, lang: Lang): SafeHtml | null {
  const years = yearsOf(m);
  const find = (key: Record<string, string>): Cell | undefined => {
    for (const tb of m.tables) {
      if (!Object.keys(key).every((d) => tb.dimensions.includes(d))) continue;
      const want = keyOf(tb.dimensions, key);
      const c = tb.cells.find((x) => keyOf(tb.dimensions, x.key) === want);
      if (c) return c;
    }
    return undefined;
  };
  const items: SafeHtml[] = [];
  for (const y of years) {
    const parts: SafeHtml[] = [];
    const total = find({ year: y });
    const item = (c: Cell, what: string) =>
      c.suppressed || c.count === null
        ? html`<li>${what}: <span class="fig-protected">${hiddenText(lang)}</span></li>`
        : html`<li><span class="fig">${formatNumber(c.count, lang)}</span> ${what}</li>`;
    if (total) parts.push(item(total, t(lang, 'hechos de violencia registrados', 'incidents of violence recorded')));
    for (const [code, es, en] of [
      ['homicide', 'asesinatos', 'murders'],
      ['disappearance', 'desapariciones', 'disappearances'],
    ] as const) {
      const c = find({ year: y, incidentType: code });
      if (c) parts.push(item(c, t(lang, es, en)));
    }
    if (parts.length) items.push(html`<div class="year-figures"><h3>${y}</h3><ul>${parts}</ul></div>`);
  }
  return items.length
    ? html`<section class="key-figures" aria-labelledby="cifras"><h2 id="cifras">${t(lang, 'Cifras principales', 'Key figures')}</h2><div class="figures">${items}</div></section>`
    : null;
}

/** For a one-year release: where its years are followed over time (the newest release of each series covering several years, this year among them). */
function trendElsewhere(m: Manifest, items: ReleaseListItem[], lang: Lang): SafeHtml {
  const years = yearsOf(m);
  const newest = new Map<string, ReleaseListItem>();
  for (const r of items) {
    if ((r.years?.length ?? 0) < 2 || !years.every((y) => r.years!.includes(y))) continue;
    const have = newest.get(r.series);
    if (!have || have.sequence < r.sequence) newest.set(r.series, r);
  }
  const links = [...newest.values()];
  return html`<section aria-labelledby="tendencias">
<h2 id="tendencias">${t(lang, 'Evolución por año', 'Over the years')}</h2>
<p class="note">${t(lang, `Esta publicación cubre un solo año (${years.join(', ')}).`, `This release covers a single year (${years.join(', ')}).`)} ${
    links.length > 0
      ? html`${t(lang, 'La evolución por año está en', 'The trend over the years is in')} ${links.map((r, i) => html`${i > 0 ? ', ' : ''}<a href="${safeHref(withLang(`/estadisticas/${r.id}`, lang))}">${r.id}</a> (${r.years!.join('–')})`)}.`
      : t(lang, 'Todavía no hay una publicación de varios años que la incluya.', 'No release covering several years includes it yet.')
  }</p>
</section>`;
}

/** Years this release repeats from the series' previous release (holdBack "auto"), said plainly; no number. */
function heldBackNote(m: Manifest, lang: Lang): SafeHtml | '' {
  const held = m.data.filter((d) => d.heldBack).map((d) => String(d.year));
  if (held.length === 0) return '';
  const years = held.join(', ');
  return html`<p class="held-back"><strong>${t(lang, `${years}: datos de la publicación anterior.`, `${years}: data of the previous release.`)}</strong> ${t(
    lang,
    'Llegaron reportes nuevos que todavía cambian poco las cifras principales: publicarlos ahora podría dejar ver lo que informó una sola persona u organización. Se publicarán cuando los cambios sean mayores.',
    'New reports have arrived that still change the key figures only a little: publishing them now could show what one person or organisation reported. They will be published when the changes are larger.',
  )}</p>`;
}

export function releaseSection(env: ReleaseEnvelope, lang: Lang, terms: Terms = termsOf(), items: ReleaseListItem[] = []): SafeHtml {
  const m = env.manifest;
  const years = yearsOf(m);
  const id = m.id;
  const jsonHref = safeHref(`/api/v1/releases/${id}`);
  const csvHref = safeHref(`/api/v1/releases/${id}.csv`);
  const pkgHref = safeHref(`/api/v1/releases/${id}/datapackage.json`);
  const hxlHref = safeHref(`/api/v1/releases/${id}/data-hxl.csv`);
  const citation = citationOf(terms, { id, series: m.series, publishedOn: m.publishedOn, hash: env.hash });
  const trends = trendSpecs(m as unknown as Parameters<typeof trendSpecs>[0], lang);
  const langQ = lang === 'en' ? '?lang=en' : '';
  const trendFigure = (spec: TrendSpec) => html`<figure class="chart-figure trend-figure" id="${spec.id}">
<figcaption><span class="chart-title">${spec.title}</span></figcaption>
${trendSvg(spec, lang)}
<p class="chart-downloads">${t(lang, 'Descargar', 'Download')}: <a href="${safeHref(`/api/v1/releases/${id}/charts/${spec.id}.svg${langQ}`)}" download>SVG</a> · <a href="${safeHref(`/api/v1/releases/${id}/charts/${spec.id}.png${langQ}`)}" download>PNG</a></p>
</figure>`;
  const tables = m.tables.map((table, i) => {
    const { charts, omitted } = chartsOfTable(m, table, i, lang);
    return html`<section class="release-table" aria-labelledby="tabla-${i + 1}">
<h3 id="tabla-${i + 1}">${t(lang, 'Por', 'By')} ${table.dimensions.map((d) => dimensionLabel(d, lang).toLowerCase()).join(t(lang, ' y ', ' and '))}</h3>
<div class="charts">
${charts.map((c) => barChart({ id: c.id, title: c.title, bars: c.bars, zeros: c.zeros, total: c.total, k: m.k ?? 0, lang }))}
</div>
${omitted > 0 ? html`<p class="note">${t(lang, `Hay ${omitted} gráficos más de esta tabla; sus cifras están en la tabla de datos y en las descargas.`, `There are ${omitted} more charts for this table; their figures are in the data table and the downloads.`)}</p>` : ''}
${charts.length === 0 ? html`<p class="note">${t(lang, 'Esta tabla no tiene hechos registrados.', 'This table has no recorded incidents.')}</p>` : ''}
${dataTable(m, table, i, lang)}
</section>`;
  });
  return html`<article class="release" aria-labelledby="release-title">
<h2 id="release-title">${t(lang, 'Publicación', 'Release')} <code>${id}</code>: ${years.join(', ')}</h2>
<p class="meta">${t(lang, 'Serie', 'Series')} <code>${m.series}</code>, ${t(lang, 'n.º', 'no.')} ${m.sequence} · ${t(lang, 'publicada el', 'published on')} <time datetime="${m.publishedOn}">${m.publishedOn}</time></p>

<div class="incomplete" role="note">
<p><strong>${t(lang, 'Estas cifras son incompletas.', 'These figures are incomplete.')}</strong> ${t(
    lang,
    'Solo cuentan los hechos que las organizaciones de la coalición conocieron y registraron. Muchas violencias nunca se denuncian ni se conocen, y no existe una estadística oficial con la que compararlas. Cada cifra es un mínimo, no el total real.',
    'They count only the incidents that the coalition’s organisations learned of and recorded. Much violence is never reported or known, and there are no official statistics to compare with. Every figure is a minimum, not the real total.',
  )}</p>
${heldBackNote(m, lang)}
</div>

${keyFigures(m, lang)}



${
  trends.specs.length > 0
    ? html`<section aria-labelledby="tendencias">
<h2 id="tendencias">${t(lang, 'Evolución por año', 'Over the years')}</h2>
<p class="note">${t(lang, 'Cada gráfico sigue una serie a lo largo de los años. Un año con la cifra oculta queda como un hueco rayado: la línea no lo cruza.', 'Each chart follows one series over the years. A year whose figure is hidden is a hatched gap: the line does not cross it.')}</p>
<div class="charts trends">
${trends.specs.slice(0, TRENDS_SHOWN).map(trendFigure)}
</div>
${
  trends.specs.length > TRENDS_SHOWN
    ? html`<details class="more-trends">
<summary>${t(lang, `Ver ${trends.specs.length - TRENDS_SHOWN} series más`, `See ${trends.specs.length - TRENDS_SHOWN} more series`)}</summary>
<div class="charts trends">
${trends.specs.slice(TRENDS_SHOWN).map(trendFigure)}
</div>
</details>`
    : ''
}
${trends.omitted > 0 ? html`<p class="note">${t(lang, `Hay ${trends.omitted} series más; sus cifras están en las tablas y en las descargas.`, `There are ${trends.omitted} more series; their figures are in the tables and the downloads.`)}</p>` : ''}
</section>`
    : yearsOf(m).length === 1
      ? trendElsewhere(m, items, lang)
      : ''
}

<section aria-labelledby="graficos">
<h2 id="graficos">${t(lang, 'Gráficos y tablas', 'Charts and tables')}</h2>
<p class="legend" id="por-que-ocultas"><span class="swatch swatch-suppressed" aria-hidden="true"></span> ${
    m.method === 'dp'
      ? t(
          lang,
          'En esta publicación no se oculta ninguna cifra: todas llevan ruido aleatorio (ver el método).',
          'No figure is hidden in this release: all carry random noise (see the method).',
        )
      : t(
          lang,
          `Por qué hay cifras ocultas: las marcas rayadas y las celdas «oculta para proteger a las personas» son cifras que no se publican. Se oculta toda cifra entre 1 y ${(m.k ?? 1) - 1}, y además otras cifras (que pueden ser 0, pequeñas o grandes) que permitirían deducir una cifra pequeña restando totales o comparando publicaciones. Una cifra oculta no dice nada de su tamaño.`,
          `Why some figures are hidden: the hatched markers and the cells “hidden to protect people” are figures that are not published. Every figure between 1 and ${(m.k ?? 1) - 1} is hidden, and so are other figures (which may be 0, small or large) that would let someone work out a small figure by subtracting totals or comparing releases. A hidden figure says nothing about its size.`,
        )
  }</p>
<div class="release-tables">
${tables}
</div>
</section>

<section aria-labelledby="cobertura">
<h2 id="cobertura">${t(lang, 'Qué cubre esta publicación', 'What this release covers')}</h2>
<dl class="coverage">
<dt>${t(lang, 'Serie y número', 'Series and number')}</dt><dd><code>${m.series}</code> · ${m.sequence}</dd>
<dt>${t(lang, 'Años', 'Years')}</dt><dd>${years.join(', ') || '—'}</dd>
<dt>${t(lang, 'Qué se cuenta', 'What is counted')}</dt><dd>${t(
    lang,
    'hechos informados por organizaciones miembro, en reportes activos (los retirados o corregidos no se cuentan; un mismo hecho informado por varias organizaciones con la misma etiqueta de duplicados se cuenta una sola vez).',
    'incidents reported by member organisations, in active reports (withdrawn or amended ones are not counted; one incident reported by several organisations under the same dedupe tag is counted once).',
  )}</dd>
${m.k !== undefined ? html`<dt>${t(lang, 'Umbral k', 'Threshold k')}</dt><dd>${m.k} — ${t(lang, `ninguna cifra publicada está entre 1 y ${m.k - 1}`, `no published figure is between 1 and ${m.k - 1}`)}</dd>` : ''}
${m.protection !== undefined ? html`<dt>${t(lang, 'Nivel de protección', 'Protection level')}</dt><dd>${m.protection}</dd>` : ''}
<dt>${t(lang, 'Método', 'Method')}</dt><dd>${methodText(m, lang)}</dd>
<dt>${t(lang, 'Versión de la taxonomía', 'Taxonomy version')}</dt><dd><code>${m.taxonomyVersion}</code></dd>
</dl>
</section>

<section aria-labelledby="descargas">
<h2 id="descargas">${t(lang, 'Descargas', 'Downloads')}</h2>
<ul class="downloads">
<li><a href="${csvHref}" download>${t(lang, 'Tabla CSV (una fila por cifra, con etiquetas y nivel: total, grupo o código)', 'CSV table (one row per figure, with labels and level: total, group or item)')}</a> <code>${csvHref}</code></li>
<li><a href="${pkgHref}">${t(lang, 'Paquete de datos (Frictionless: esquema, licencia, cita, firma)', 'Data package (Frictionless: schema, licence, citation, signature)')}</a> <code>${pkgHref}</code></li>
<li><a href="${hxlHref}" download>${t(lang, 'CSV con etiquetas HXL', 'CSV with HXL hashtags')}</a></li>
<li><a href="${safeHref('/api/v1/releases.zip')}" download>${t(lang, 'Todas las publicaciones en un zip', 'Every release in one zip')}</a></li>
<li><a href="${jsonHref}">${t(lang, 'Publicación firmada (JSON)', 'Signed release (JSON)')}</a> <code>${jsonHref}</code></li>
<li><a href="${safeHref('/.well-known/contamos.json')}">${t(lang, 'Claves públicas (publicadores, recibos, administración)', 'Public keys (publishers, receipts, steward)')}</a></li>
</ul>
</section>

<section aria-labelledby="licencia">
<h2 id="licencia">${t(lang, 'Licencia y cómo citar', 'Licence and how to cite')}</h2>
<p>${t(lang, 'Puede reutilizar estas cifras con la licencia', 'You may reuse these figures under the licence')} <strong>${licenceLine(terms)}</strong>, ${t(lang, 'citando a', 'crediting')} ${terms.coalition}.</p>
<p>${t(lang, 'Cítela así:', 'Cite it as:')}</p>
<blockquote class="citation"><p>${citation}</p></blockquote>
</section>

<section aria-labelledby="verificar">
<h2 id="verificar">${t(lang, 'Cómo verificar esta publicación', 'How to verify this release')}</h2>
<dl class="hashes">
<dt>${t(lang, 'Hash (SHA-256 del manifiesto canónico)', 'Hash (SHA-256 of the canonical manifest)')}</dt><dd><code class="hash">${env.hash}</code></dd>
<dt>${t(lang, 'Hash de la publicación anterior', 'Hash of the previous release')}</dt><dd><code class="hash">${m.previousHash ?? t(lang, 'ninguna (primera de la serie)', 'none (first of the series)')}</code></dd>
<dt>${t(lang, 'Clave del publicador', 'Publisher key')}</dt><dd><code>${env.signature.keyId}</code> (${env.signature.alg})</dd>
<dt>${t(lang, 'Firma', 'Signature')}</dt><dd><code class="hash">${env.signature.value}</code></dd>
<dt>${t(lang, 'Raíz Merkle de los reportes contados', 'Merkle root of the counted reports')}</dt><dd><code class="hash">${m.merkle.root}</code></dd>
</dl>
<p>${t(
    lang,
    'Cualquiera puede comprobar, solo con material público, la firma, la cadena de hashes de la serie, el umbral y que ninguna celda oculta pueda deducirse. Con una copia del código de Contamos:',
    'Anyone can check, from public material alone, the signature, the series’ hash chain, the threshold and that no hidden cell can be worked out. With a copy of the Contamos code:',
  )}</p>
<pre><code>npm run audit -- --server URL</code></pre>
<p>${t(
    lang,
    'donde URL es la dirección de este sitio. La firma es Ed25519 sobre el JSON canónico (RFC 8785) del manifiesto, con la clave del publicador publicada en /.well-known/contamos.json. Cada organización puede además comprobar, con su recibo, que su reporte fue contado (prueba de inclusión Merkle).',
    'where URL is this site’s address. The signature is Ed25519 over the canonical JSON (RFC 8785) of the manifest, with the publisher key published at /.well-known/contamos.json. Each organisation can also check, with its receipt, that its report was counted (Merkle inclusion proof).',
  )}</p>
</section>
</article>`;
}

function releaseList(items: ReleaseListItem[], currentId: string | null, lang: Lang): SafeHtml {
  const h = {
    release: t(lang, 'Publicación', 'Release'),
    series: t(lang, 'Serie', 'Series'),
    no: t(lang, 'N.º', 'No.'),
    date: t(lang, 'Fecha', 'Date'),
    hash: 'Hash',
    downloads: t(lang, 'Descargas', 'Downloads'),
  };
  return html`<section aria-labelledby="todas">
<h2 id="todas">${t(lang, 'Todas las publicaciones', 'All releases')}</h2>
<p><a href="${safeHref('/api/v1/releases.zip')}" download>${t(lang, 'Descargar todas en un zip (paquetes de datos, CSV, JSON firmado)', 'Download all in one zip (data packages, CSV, signed JSON)')}</a></p>
<div class="table-scroll">
<table class="releases stack">
<thead><tr><th scope="col">${h.release}</th><th scope="col">${h.series}</th><th scope="col" class="num">${h.no}</th><th scope="col">${h.date}</th><th scope="col">${h.hash}</th><th scope="col">${h.downloads}</th></tr></thead>
<tbody>
${items.map(
  (
    r,
  ) => html`<tr${r.id === currentId ? html` class="current"` : ''}><td data-label="${h.release}"><a href="${safeHref(withLang(`/estadisticas/${r.id}`, lang))}"${r.id === currentId ? html` aria-current="page"` : ''}>${r.id}</a></td><td data-label="${h.series}">${r.series}</td><td class="num" data-label="${h.no}">${r.sequence}</td><td data-label="${h.date}"><time datetime="${r.publishedOn}">${r.publishedOn}</time></td><td data-label="${h.hash}"><code>${r.hash.slice(0, 16)}…</code></td><td data-label="${h.downloads}"><a href="${safeHref(`/api/v1/releases/${r.id}.csv`)}" download>CSV</a> · <a href="${safeHref(`/api/v1/releases/${r.id}/datapackage.json`)}">datapackage.json</a> · <a href="${safeHref(`/api/v1/releases/${r.id}`)}">JSON</a></td></tr>
`,
)}</tbody>
</table>
</div>
</section>`;
}

/** The latest release: the most recent publication date, then the highest sequence. */
export function latestRelease(items: ReleaseListItem[]): ReleaseListItem | undefined {
  return [...items].sort((a, b) => (a.publishedOn === b.publishedOn ? a.sequence - b.sequence : a.publishedOn < b.publishedOn ? -1 : 1)).at(-1);
}

export function statsPage(input: { lang: Lang; path: string; items: ReleaseListItem[]; current: ReleaseEnvelope | null; terms?: Terms }): string {
  const { lang, items, current } = input;
  const intro = html`<h1>${t(lang, 'Violencia contra trabajadoras sexuales en el Perú: lo que contamos', 'Violence against sex workers in Peru: what we count')}</h1>
<p class="lead">${t(
    lang,
    'Organizaciones de trabajadoras sexuales registran los asesinatos, desapariciones, extorsiones, secuestros, trata y abusos policiales que sufren las personas a las que acompañan. El Estado no cuenta estas muertes; estas cifras son las únicas que existen. Se publican solo de forma agregada, con las cifras pequeñas ocultas para que nadie pueda ser identificada, y firmadas para que cualquiera pueda verificarlas.',
    'Organisations of sex workers record the murders, disappearances, extortion, kidnappings, trafficking and police abuse suffered by the people they serve. The state does not count these deaths; these figures are the only ones that exist. They are published only in aggregate, with small figures hidden so that no one can be identified, and signed so that anyone can verify them.',
  )}</p>`;
  const body =
    current === null
      ? html`${intro}<section class="empty"><h2>${t(lang, 'Todavía no hay publicaciones', 'No releases yet')}</h2><p>${t(
          lang,
          'Cuando la coalición publique sus primeras cifras, aparecerán aquí con sus gráficos, sus tablas descargables y la forma de verificarlas.',
          'When the coalition publishes its first figures, they will appear here with their charts, downloadable tables and how to verify them.',
        )}</p></section>`
      : html`${intro}${releaseSection(current, lang, input.terms, items)}${releaseList(items, current.manifest.id, lang)}`;
  return page({
    lang,
    title: current ? `${t(lang, 'Estadísticas', 'Statistics')} ${current.manifest.id}` : t(lang, 'Estadísticas', 'Statistics'),
    path: input.path,
    section: 'stats',
    body,
  });
}

export function notFoundPage(lang: Lang, path: string): string {
  return page({
    lang,
    path,
    section: 'none',
    title: t(lang, 'No encontrado', 'Not found'),
    body: html`<h1>${t(lang, 'No encontrado', 'Not found')}</h1><p>${t(lang, 'No existe esa publicación.', 'There is no such release.')} <a href="${safeHref(withLang('/estadisticas', lang))}">${t(lang, 'Ver todas las publicaciones', 'See all releases')}</a></p>`,
  });
}
