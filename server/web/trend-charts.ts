// trend-charts.ts — line charts of each series of a release over its years, as SVG rendered on
// the server (no JavaScript), for the page and for download (SVG and PNG).
//
// Guarantees:
// - A series is one combination of a table's other dimensions (e.g. homicides, or all
//   incidents) followed over the release's years; every point is a published count of the signed
//   manifest, unchanged. The same series shown by several tables is drawn once.
// - A hidden value is a GAP: no point, no line through or to it, and the words "oculta" /
//   "hidden" under the axis at that year — never a zero, never an interpolated value. Lines join
//   only published values of consecutive years.
// - Every value is also written as text (above its point, in the chart's <desc> and in each
//   point's <title>), so the chart is readable without colour and by screen readers.
// - `trendSpecs` is deterministic for a manifest: the page and the download routes find the same
//   chart under the same id. All text goes through the `html` escaper; the SVG has no script, no
//   event attribute, no `style` attribute and no external reference.
import type { Manifest } from '../schemas/manifest.js';
import { html, type SafeHtml } from './html.js';
import { codeLabel, formatNumber, type Lang, t } from './i18n.js';

export interface TrendPoint {
  year: string;
  value: number | null;
}
export interface TrendSpec {
  id: string;
  title: string;
  points: TrendPoint[];
}

/** Most series drawn per table (every figure is still in the tables and downloads). */
export const MAX_TRENDS_PER_TABLE = 12;
export const TREND_WIDTH = 360;
export const TREND_HEIGHT = 210;
const M = { left: 44, right: 26, top: 26, bottom: 44 };
const CREDIT_HEIGHT = 14;

type Cells = Manifest['tables'][number]['cells'];
const keyOf = (dims: string[], key: Record<string, string>) => dims.map((d) => key[d] ?? '*').join('\u0000');

/** Every series over the years of the release (none when it covers fewer than two years). */
export function trendSpecs(m: Pick<Manifest, 'domains' | 'tables'>, lang: Lang): { specs: TrendSpec[]; omitted: number } {
  const years = m.domains.year ?? [];
  const specs: TrendSpec[] = [];
  let omitted = 0;
  if (years.length < 2) return { specs, omitted };
  const seen = new Set<string>();
  m.tables.forEach((table, ti) => {
    const dims = table.dimensions;
    if (!dims.includes('year')) return;
    const others = dims.filter((d) => d !== 'year');
    const cells = new Map<string, Cells[number]>();
    for (const c of table.cells) cells.set(keyOf(dims, c.key), c);
    let combos: string[][] = [[]];
    for (const d of others) {
      const codes = m.domains[d] ?? [];
      combos = combos.flatMap((c) => (codes.length === 1 ? codes : ['*', ...codes]).map((v) => [...c, v]));
    }
    combos.sort((a, b) => b.filter((v) => v === '*').length - a.filter((v) => v === '*').length);
    let shown = 0;
    for (const combo of combos) {
      const fixed: Record<string, string> = {};
      others.forEach((d, i) => {
        fixed[d] = combo[i]!;
      });
      const quantity = Object.entries(fixed)
        .filter(([, v]) => v !== '*')
        .map(([d, v]) => `${d}=${v}`)
        .sort()
        .join('&');
      if (seen.has(quantity)) continue;
      const points = years.map((year) => {
        const c = cells.get(keyOf(dims, { ...fixed, year }));
        return { year, value: !c || c.suppressed || c.count === null ? null : c.count };
      });
      if (points.every((p) => p.value === 0)) continue; // nothing recorded: no line to draw
      seen.add(quantity);
      if (shown >= MAX_TRENDS_PER_TABLE) {
        omitted++;
        continue;
      }
      shown++;
      const parts = others.filter((d) => fixed[d] !== '*').map((d) => codeLabel(d, fixed[d]!, lang));
      specs.push({
        id: `tendencia-${ti + 1}-${shown}`,
        title: parts.length ? parts.join(', ') : t(lang, 'Todos los hechos registrados', 'All recorded incidents'),
        points,
      });
    }
  });
  return { specs, omitted };
}

function niceMax(v: number): number {
  if (v <= 5) return 5;
  const p = 10 ** Math.floor(Math.log10(v));
  for (const f of [1, 2, 2.5, 5, 10]) if (f * p >= v) return f * p;
  return 10 * p;
}

export function hiddenWord(lang: Lang): string {
  return t(lang, 'oculta', 'hidden');
}

/** The chart as an <svg> element; `standalone` adds the XML namespace, a white background, colours and the credit line for a file of its own. */
export function trendSvg(spec: TrendSpec, lang: Lang, opts: { standalone?: boolean; credit?: string; citation?: string } = {}): SafeHtml {
  const { id, title, points } = spec;
  if (!/^[a-z0-9-]{1,80}$/.test(id)) throw new TypeError('chart id must be [a-z0-9-]');
  const w = TREND_WIDTH - M.left - M.right;
  const h = TREND_HEIGHT - M.top - M.bottom;
  const top = niceMax(Math.max(1, ...points.map((p) => p.value ?? 0)));
  const x = (i: number) => M.left + (points.length === 1 ? w / 2 : (i * w) / (points.length - 1));
  const y = (v: number) => M.top + h - (v / top) * h;
  const r1 = (n: number) => Math.round(n * 10) / 10;
  const valueText = (p: TrendPoint) =>
    p.value === null ? t(lang, 'oculta para proteger a las personas', 'hidden to protect people') : formatNumber(p.value, lang);
  const desc = points.map((p) => `${p.year}: ${valueText(p)}`).join('; ');
  const segments: SafeHtml[] = [];
  for (let i = 1; i < points.length; i++) {
    const a = points[i - 1]!.value;
    const b = points[i]!.value;
    if (a === null || b === null) continue; // a gap: nothing joins a hidden value
    segments.push(
      html`<line class="trend-line" x1="${r1(x(i - 1))}" y1="${r1(y(a))}" x2="${r1(x(i))}" y2="${r1(y(b))}" stroke="#8a3b70" stroke-width="2.5" stroke-linecap="round"/>`,
    );
  }
  const grid = [0, top / 2, top].map(
    (v) =>
      html`<line class="trend-grid" x1="${M.left}" y1="${r1(y(v))}" x2="${M.left + w}" y2="${r1(y(v))}" stroke="#c9bfc6" stroke-width="1"/><text x="${M.left - 6}" y="${r1(y(v) + 4)}" font-size="12" text-anchor="end" fill="currentColor">${formatNumber(v, lang)}</text>`,
  );
  const marks = points.map((p, i) => {
    const cx = r1(x(i));
    const year = html`<text class="trend-year" x="${cx}" y="${M.top + h + 18}" font-size="13" text-anchor="middle" fill="currentColor">${p.year}</text>`;
    if (p.value === null) {
      return html`<g class="trend-point hidden-value"><title>${p.year}: ${valueText(p)}</title>${year}<rect x="${r1(cx - 9)}" y="${M.top}" width="18" height="${h}" fill="url(#${id}-hatch)" opacity="0.55"/><text class="trend-hidden" x="${cx}" y="${M.top + h + 34}" font-size="12" font-style="italic" text-anchor="middle" fill="currentColor">${hiddenWord(lang)}</text></g>`;
    }
    const cy = r1(y(p.value));
    return html`<g class="trend-point"><title>${p.year}: ${valueText(p)}</title>${year}<circle cx="${cx}" cy="${cy}" r="4.5" fill="#8a3b70"/><text class="trend-value" x="${cx}" y="${r1(cy - 9)}" font-size="13" font-weight="bold" text-anchor="middle" fill="currentColor">${formatNumber(p.value, lang)}</text></g>`;
  });
  const ns = opts.standalone ? html` xmlns="http://www.w3.org/2000/svg" color="#222222"` : '';
  const height = TREND_HEIGHT + (opts.standalone && opts.credit ? CREDIT_HEIGHT : 0);
  const bg = opts.standalone
    ? html`<rect width="${TREND_WIDTH}" height="${height}" fill="#ffffff"/><text x="${M.left}" y="16" font-size="13" font-weight="bold" fill="currentColor">${title}</text>`
    : '';
  const credit =
    opts.standalone && opts.credit
      ? html`<text class="trend-credit" x="${TREND_WIDTH - 4}" y="${height - 6}" font-size="10" text-anchor="end" fill="#555555">${opts.credit}</text>`
      : '';
  return html`<svg class="trend"${ns} viewBox="0 0 ${TREND_WIDTH} ${height}" width="${TREND_WIDTH}" height="${height}" role="img" aria-labelledby="${id}-title ${id}-desc" font-family="DejaVu Sans, system-ui, sans-serif">
<title id="${id}-title">${title}</title>
<desc id="${id}-desc">${desc}</desc>${
    opts.citation
      ? html`
<metadata>${opts.citation}</metadata>`
      : ''
  }
<defs><pattern id="${id}-hatch" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)"><rect width="6" height="6" fill="#f3e6ee"/><line x1="0" y1="0" x2="0" y2="6" stroke="#8a3b70" stroke-width="1.5"/></pattern></defs>
${bg}${grid}
${segments}
${marks}
${credit}
</svg>`;
}

/** A standalone SVG file (XML declaration, namespace, background, title drawn in, and the licence, publisher and release as a credit line, with the citation as metadata). */
export function trendSvgFile(spec: TrendSpec, lang: Lang, credit: { credit?: string; citation?: string } = {}): string {
  return `<?xml version="1.0" encoding="UTF-8"?>\n${trendSvg(spec, lang, { standalone: true, ...credit }).value}\n`;
}
