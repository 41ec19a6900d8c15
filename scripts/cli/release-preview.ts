// release-preview.ts — what `contamos release` shows the publisher before signing: per table how
// many figures are published and hidden, the headline figures, what changed since the series'
// previous release, and whether the release becomes the home page's headline.
//
// Guarantees: built only from the draft manifest the publisher is about to sign, the previous
// signed release of the series and the featured series (all already shown to this publisher or
// public); it computes no count of its own and never prints a hidden figure's value (a hidden cell
// has none). Every line is Spanish / English.
import type { Manifest, ManifestCell as Cell } from '../../server/schemas/manifest.js';
import type { FeaturedResponse } from '../../server/schemas/release.js';

/** What the preview reads of a manifest (the server's schema, schemas/manifest.ts). */
export type PreviewManifest = Pick<Manifest, 'id' | 'series' | 'sequence' | 'k' | 'method' | 'domains' | 'tables' | 'data'>;
/** The featured series as GET /api/v1/featured answers (schemas/release.ts). */
export type Featured = FeaturedResponse;

/** Most changed figures listed one by one (the rest are counted). */
export const MAX_CHANGES_LISTED = 15;

const keyText = (dims: string[], key: Record<string, string>) => dims.map((d) => `${d}=${key[d] === '*' ? 'total' : key[d]}`).join(', ');
const value = (c: Cell) => (c.suppressed || c.count === null ? 'oculta / hidden' : String(c.count));
const keyId = (dims: string[], key: Record<string, string>) => dims.map((d) => key[d] ?? '*').join('\u0000');

function find(m: PreviewManifest, key: Record<string, string>): Cell | undefined {
  const want = Object.keys(key);
  for (const t of m.tables) {
    if (!want.every((d) => t.dimensions.includes(d))) continue;
    const full = Object.fromEntries(t.dimensions.map((d) => [d, key[d] ?? '*']));
    const c = t.cells.find((x) => keyId(t.dimensions, x.key) === keyId(t.dimensions, full));
    if (c) return c;
  }
  return undefined;
}

export function headlineLines(m: PreviewManifest): string[] {
  const out: string[] = [];
  const years = m.domains?.year ?? [];
  for (const y of years) {
    const parts: string[] = [];
    const total = find(m, { year: y });
    if (total) parts.push(`total ${value(total)}`);
    for (const [code, es, en] of [
      ['homicide', 'asesinatos', 'murders'],
      ['disappearance', 'desapariciones', 'disappearances'],
    ] as const) {
      const c = find(m, { year: y, incidentType: code });
      if (c) parts.push(`${es} / ${en} ${value(c)}`);
    }
    if (parts.length) out.push(`    ${y}: ${parts.join('; ')}`);
  }
  if (years.length > 1) {
    const grand = find(m, {});
    if (grand) out.push(`    todos los años / all years: ${value(grand)}`);
  }
  return out;
}

export function changeLines(draft: PreviewManifest, previous: PreviewManifest | null): string[] {
  if (!previous) return ['  Primera publicación de la serie: no hay cambios que mostrar / First release of the series: no changes to show'];
  const before = new Map<string, Map<string, Cell>>();
  for (const t of previous.tables) before.set(t.dimensions.join('×'), new Map(t.cells.map((c) => [keyId(t.dimensions, c.key), c])));
  const changed: string[] = [];
  let hiddenNow = 0;
  let shownNow = 0;
  let moved = 0;
  let fresh = 0;
  for (const t of draft.tables) {
    const old = before.get(t.dimensions.join('×'));
    if (!old) {
      fresh += t.cells.length;
      continue;
    }
    for (const c of t.cells) {
      const o = old.get(keyId(t.dimensions, c.key));
      if (!o) {
        fresh++;
        continue;
      }
      const wasHidden = o.suppressed || o.count === null;
      const isHidden = c.suppressed || c.count === null;
      if (wasHidden && isHidden) continue;
      if (!wasHidden && isHidden) hiddenNow++;
      else if (wasHidden && !isHidden) shownNow++;
      else if (o.count === c.count) continue;
      else moved++;
      changed.push(`    ${keyText(t.dimensions, c.key)}: ${value(o)} → ${value(c)}`);
    }
  }
  const lines = [
    `  Cambios desde / Changes since ${previous.id}: ${moved} cifras cambian / figures change, ${hiddenNow} pasan a ocultas / become hidden, ${shownNow} se publican de nuevo / are published again${fresh ? `, ${fresh} cifras nuevas / new figures` : ''}`,
  ];
  lines.push(...changed.slice(0, MAX_CHANGES_LISTED));
  if (changed.length > MAX_CHANGES_LISTED) lines.push(`    … ${changed.length - MAX_CHANGES_LISTED} más / more`);
  return lines;
}

export function previewLines(draft: PreviewManifest, previous: PreviewManifest | null, featured: Featured): string[] {
  const years = draft.domains?.year ?? [];
  const lines = [
    'Vista previa: todavía no se ha firmado ni publicado nada / Preview: nothing is signed or published yet',
    `  Publicación / Release: ${draft.id} (serie / series ${draft.series}, n.º ${draft.sequence}), años / years ${years.join(', ')}${draft.k !== undefined ? `, k = ${draft.k}` : ', privacidad diferencial / differential privacy'}`,
    '  Tablas / Tables:',
  ];
  draft.tables.forEach((t, i) => {
    const hidden = t.cells.filter((c) => c.suppressed || c.count === null).length;
    lines.push(`    ${i + 1}. ${t.dimensions.join(' × ')}: ${t.cells.length - hidden} publicadas / published, ${hidden} ocultas / hidden`);
  });
  const heads = headlineLines(draft);
  if (heads.length) lines.push('  Cifras principales / Headline figures:', ...heads);
  for (const d of draft.data ?? [])
    if (d.heldBack) lines.push(`  ${d.year}: datos retenidos en la versión ${d.version} / data held back at version ${d.version}`);
  lines.push(...changeLines(draft, previous));
  if (featured.series === null || featured.series === draft.series) {
    lines.push(`  Portada / Home page: ${draft.id} será la publicación principal / will be the headline`);
  } else {
    lines.push(
      `  Portada / Home page: sigue mostrando la serie / keeps showing the series ${featured.series} (${featured.release}); esta publicación no la reemplaza / this release does not replace it (contamos feature --series ${draft.series} para cambiarla / to change it)`,
    );
  }
  return lines;
}
