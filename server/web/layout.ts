// layout.ts — the frame shared by every server-rendered page: head, header with navigation and
// language switch, footer.
//
// Guarantees: the page references only same-origin resources (one stylesheet, optionally one
// module script by URL); no inline script or style; `<link rel="icon" href="data:,">` so the
// browser does not even ask for a favicon; every text goes through the `html` escaper.
import { html, type SafeHtml, safeHref } from './html.js';
import { type Lang, t, withLang } from './i18n.js';

export type Section = 'stats' | 'submit' | 'docs' | 'none';

export interface PageInput {
  lang: Lang;
  title: string;
  /** The page's own path without query, for the language switch. */
  path: string;
  section: Section;
  body: SafeHtml;
  /** Same-origin module scripts, by path (e.g. "/static/enviar.js"). */
  scripts?: string[];
}

export const STYLESHEET = '/static/contamos.css';

export function page(input: PageInput): string {
  const { lang, title, path, section, body } = input;
  const other: Lang = lang === 'es' ? 'en' : 'es';
  const nav = (s: Section, href: string, es: string, en: string) =>
    html`<li><a href="${safeHref(withLang(href, lang))}"${s === section ? html` aria-current="page"` : ''}>${t(lang, es, en)}</a></li>`;
  const doc = html`<!doctype html>
<html lang="${lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>${title} · Contamos</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="${safeHref(STYLESHEET)}">
${(input.scripts ?? []).map(
  (s) => html`<script type="module" src="${safeHref(s)}"></script>
`,
)}</head>
<body>
<a class="skip" href="#main">${t(lang, 'Saltar al contenido', 'Skip to content')}</a>
<header class="site">
<p class="brand"><a href="${safeHref(withLang('/', lang))}">Contamos</a> <span class="tagline">${t(lang, 'contamos lo que nadie cuenta', 'counting what no one else counts')}</span></p>
<nav aria-label="${t(lang, 'Secciones', 'Sections')}">
<ul>
${nav('stats', '/estadisticas', 'Estadísticas', 'Statistics')}
${nav('submit', '/enviar', 'Enviar un reporte (organizaciones)', 'Submit a report (organisations)')}
${nav('docs', '/api/v1/docs', 'API', 'API')}
<li class="lang"><a href="${safeHref(withLang(path, other))}" hreflang="${other}" lang="${other}">${other === 'en' ? 'English' : 'Español'}</a></li>
</ul>
</nav>
</header>
<main id="main" tabindex="-1">
${body}
</main>
<footer class="site">
<p>${t(
    lang,
    'Contamos no guarda direcciones IP, cookies ni datos del navegador. Esta página no carga nada de otros sitios.',
    'Contamos keeps no IP addresses, cookies or browser data. This page loads nothing from other sites.',
  )}</p>
</footer>
</body>
</html>
`;
  return doc.value;
}
