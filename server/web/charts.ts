// charts.ts — horizontal bar charts as inline SVG, rendered on the server (no JavaScript: they
// work with scripts disabled, e.g. Tor Browser's safest level).
//
// Guarantees:
// - Every bar's number is written next to it as text (and in the chart's <desc> and each bar's
//   <title>), so the figures are readable by screen readers and survive without colour.
// - A suppressed cell is never drawn as a quantity: it gets a short hatched marker of fixed width
//   and the neutral words "oculta para proteger a las personas" / "hidden to protect people" (a
//   hidden figure may be 0, small or large) — never a zero, never a guess. A published 0 is drawn as a true zero ("0", no bar).
// - A published 0 may instead be listed in words under the chart (`zeros`), so that a long list of
//   codes (27 regions) does not bury the non-zero bars; it is still shown, as 0.
// - Bar lengths are proportional to the published counts of the same chart only.
// - All text goes through the `html` escaper; the SVG has no script, no event attribute, no
//   `style` attribute and no external reference (the hatch pattern is defined inside the SVG).
import { html, type SafeHtml } from './html.js';
import { formatNumber, type Lang, t } from './i18n.js';

export interface ChartBar {
  label: string;
  /** The published count, or null when the cell is suppressed. */
  value: number | null;
}

export interface BarChartInput {
  /** Unique within the page; lowercase letters, digits and dashes. */
  id: string;
  title: string;
  bars: ChartBar[];
  k: number;
  lang: Lang;
  /** The margin of the chart: undefined = not shown, null = suppressed. */
  total?: number | null;
  /** Codes with a published 0 that are listed in words under the chart instead of as bars. */
  zeros?: string[];
}

export const CHART_WIDTH = 340;
const ROW = 42;
const BAR_MAX = 240;
const BAR_HEIGHT = 14;
const SUPPRESSED_WIDTH = 30;

/** The one label of a hidden figure: neutral, since it may be 0, small or large (`k` kept for callers). */
export function suppressedText(_k: number, lang: Lang): string {
  return t(lang, 'oculta para proteger a las personas', 'hidden to protect people');
}

export function valueText(value: number | null, k: number, lang: Lang): string {
  return value === null ? suppressedText(k, lang) : formatNumber(value, lang);
}

export function barChart(input: BarChartInput): SafeHtml {
  const { id, title, bars, k, lang } = input;
  if (!/^[a-z0-9-]{1,80}$/.test(id)) throw new TypeError('chart id must be [a-z0-9-]');
  const max = Math.max(1, ...bars.map((b) => b.value ?? 0));
  const height = bars.length * ROW + 4;
  const desc = [...bars.map((b) => `${b.label}: ${valueText(b.value, k, lang)}`), ...(input.zeros ?? []).map((z) => `${z}: 0`)].join('; ');
  const rows = bars.map((b, i) => {
    const y = i * ROW;
    const label = html`<text class="bar-label" x="0" y="${y + 15}" font-size="15" fill="currentColor">${b.label}</text>`;
    if (b.value === null) {
      return html`<g class="bar-row suppressed"><title>${b.label}: ${suppressedText(k, lang)}</title>${label}<rect class="bar-suppressed" x="0.5" y="${y + 21.5}" width="${SUPPRESSED_WIDTH}" height="${BAR_HEIGHT}" fill="url(#${id}-hatch)" stroke="#8a3b70" stroke-width="1"/><text class="bar-value" x="${SUPPRESSED_WIDTH + 6}" y="${y + 33}" font-size="14" font-style="italic" fill="currentColor">${suppressedText(k, lang)}</text></g>`;
    }
    const w = b.value === 0 ? 0 : Math.max(2, Math.round((b.value / max) * BAR_MAX));
    return html`<g class="bar-row"><title>${b.label}: ${formatNumber(b.value, lang)}</title>${label}${w > 0 ? html`<rect class="bar" x="0" y="${y + 21}" width="${w}" height="${BAR_HEIGHT}" fill="#8a3b70"/>` : html`<rect class="bar-zero" x="0" y="${y + 21}" width="1" height="${BAR_HEIGHT}" fill="#777777"/>`}<text class="bar-value" x="${w + 6}" y="${y + 33}" font-size="15" font-weight="bold" fill="currentColor">${formatNumber(b.value, lang)}</text></g>`;
  });
  const total = input.total === undefined ? null : html`<span class="chart-total">${t(lang, 'Total', 'Total')}: ${valueText(input.total, k, lang)}</span>`;
  const zeros = input.zeros?.length
    ? html`<p class="zeros">${t(lang, 'Sin hechos registrados (0)', 'No recorded incidents (0)')}: ${input.zeros.join(', ')}.</p>`
    : null;
  return html`<figure class="chart-figure" id="${id}">
<figcaption><span class="chart-title">${title}</span>${total ? html` ${total}` : ''}</figcaption>
<svg class="chart" viewBox="0 0 ${CHART_WIDTH} ${height}" width="${CHART_WIDTH}" height="${height}" role="img" aria-labelledby="${id}-title ${id}-desc" font-family="system-ui, sans-serif">
<title id="${id}-title">${title}</title>
<desc id="${id}-desc">${desc}</desc>
<defs><pattern id="${id}-hatch" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)"><rect width="6" height="6" fill="#f3e6ee"/><line x1="0" y1="0" x2="0" y2="6" stroke="#8a3b70" stroke-width="2"/></pattern></defs>
${rows}
</svg>
${zeros}
</figure>`;
}
