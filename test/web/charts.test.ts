// SVG bar charts and the statistics page rendering: numbers appear as text, suppressed cells are
// labelled "oculta para proteger a las personas" (never drawn as a number), zeros are true zeros, and labels
// are escaped.
import { describe, expect, it } from 'vitest';
import { barChart } from '../../server/web/charts.js';
import { barDimension, chartsOfTable, releaseSection, statsPage } from '../../server/web/stats-page.js';
import { SAMPLE_TOTAL, sampleManifest } from './fixtures.js';

const svgOf = (s: string) => s.slice(s.indexOf('<svg'), s.indexOf('</svg>') + 6);

describe('barChart', () => {
  const chart = barChart({
    id: 'c1',
    title: 'Tipo de hecho',
    k: 5,
    lang: 'es',
    total: 121,
    bars: [
      { label: 'Homicidio', value: 36 },
      { label: 'Secuestro', value: null },
      { label: 'Otro', value: 0 },
      { label: 'Desaparición', value: 1234 },
    ],
  }).value;

  it('writes every published number as text next to its bar', () => {
    expect(chart).toMatch(/<text[^>]*class="bar-value"[^>]*>36<\/text>/);
    expect(chart).toMatch(/<text[^>]*class="bar-value"[^>]*>1[,.\s\u00a0]?234<\/text>/);
    expect(chart).toContain('Total: 121');
  });

  it('labels a suppressed cell "oculta para proteger a las personas" and draws no quantity for it', () => {
    expect(chart).toContain('oculta para proteger a las personas');
    const row = /<g class="bar-row suppressed">[\s\S]*?<\/g>/.exec(chart)![0];
    expect(row).toContain('Secuestro');
    expect(row).toContain('fill="url(#c1-hatch)"');
    expect(row).not.toMatch(/>\s*\d+\s*</); // no number at all in the suppressed row
  });

  it('shows a published zero as 0, without a bar', () => {
    const row = /<g class="bar-row">(?:(?!<\/g>)[\s\S])*?Otro[\s\S]*?<\/g>/.exec(chart)![0];
    expect(row).toContain('class="bar-zero"');
    expect(row).toMatch(/class="bar-value"[^>]*>0</);
  });

  it('draws bars proportional to the counts', () => {
    const widths = [...chart.matchAll(/<rect class="bar" [^>]*width="(\d+)"/g)].map((m) => Number(m[1]));
    expect(widths).toHaveLength(2);
    expect(widths[1]! / widths[0]!).toBeCloseTo(1234 / 36, 0);
  });

  it('is accessible: role img, title and a description listing every value', () => {
    expect(chart).toMatch(/<svg[^>]*role="img"[^>]*aria-labelledby="c1-title c1-desc"/);
    expect(chart).toContain('<desc id="c1-desc">Homicidio: 36; Secuestro: oculta para proteger a las personas; Otro: 0; Desaparición: 1');
  });

  it('has no style attribute, no script, no external reference', () => {
    expect(chart).not.toMatch(/\sstyle=/);
    expect(chart).not.toMatch(/<script/i);
    expect(chart).not.toMatch(/(?:href|src)="https?:/);
    expect(chart).not.toMatch(/\son[a-z]+=/i);
  });

  it('speaks English with lang en', () => {
    const en = barChart({
      id: 'c2',
      title: 'Type',
      k: 3,
      lang: 'en',
      bars: [
        { label: 'Kidnapping', value: null },
        { label: 'Homicide', value: 1500 },
      ],
    }).value;
    expect(en).toContain('hidden to protect people');
    expect(en).toContain('1,500');
  });

  it('escapes labels and titles', () => {
    const evil = barChart({ id: 'c3', title: '<script>x</script>', k: 5, lang: 'es', bars: [{ label: '"><img src=x onerror=alert(1)>', value: 7 }] }).value;
    expect(evil).not.toContain('<script>');
    expect(evil).not.toContain('<img');
    expect(evil).toContain('&lt;script&gt;');
  });

  it('refuses an id that could break out of its attributes', () => {
    expect(() => barChart({ id: 'a" onload="x', title: 't', k: 5, lang: 'es', bars: [] })).toThrow();
  });
});

describe('charts of a release', () => {
  const m = sampleManifest();

  it('draws along the non-year dimension', () => {
    expect(barDimension(['year', 'region'])).toBe('region');
    expect(barDimension(['region', 'year'])).toBe('region');
    expect(barDimension(['year'])).toBe('year');
  });

  it('makes one chart per table for a single year, with every code of the dimension', () => {
    const { charts } = chartsOfTable(m, m.tables[0]!, 0, 'es');
    expect(charts).toHaveLength(1);
    expect(charts[0]!.total).toBe(SAMPLE_TOTAL);
    expect(charts[0]!.bars).toHaveLength(11);
    expect(charts[0]!.bars.find((b) => b.label === 'Homicidio / asesinato')!.value).toBe(36);
    expect(charts[0]!.bars.find((b) => b.label === 'Secuestro')!.value).toBeNull();
    expect(charts[0]!.title).toContain('Tipo de hecho');
  });

  it('renders the release: coverage, numbers, suppressed cells, downloads, verification', () => {
    const env = { manifest: m, hash: 'a'.repeat(64), signature: { keyId: 'publisher-0123456789abcdef', alg: 'ed25519' as const, value: 'c2ln' } };
    const out = releaseSection(env, 'es').value;
    for (const text of [
      'anual-1',
      'oculta para proteger a las personas',
      'Lima Metropolitana',
      'Venezuela',
      'Mujer trans',
      '2026.1',
      '/api/v1/releases/anual-1.csv',
      '/api/v1/releases/anual-1',
      'a'.repeat(64),
      'publisher-0123456789abcdef',
      'npm run audit -- --server',
      'Estas cifras son incompletas',
    ]) {
      expect(out).toContain(text);
    }
    expect(out.match(/<svg class="chart"/g)).toHaveLength(4);
    expect(out).toMatch(/<span class="fig">36<\/span> asesinatos/);
    expect(out).toMatch(/<span class="fig">39<\/span> desapariciones/);
    expect(out).toMatch(/<span class="fig">121<\/span>/);
    // the number of reports is not published, so the page cannot show one
    expect(out).not.toMatch(/Reportes contados|Reports counted|leafCount/);
  });

  it('says plainly which years repeat the previous release (held back), without a number; nothing when none is', () => {
    const env = (data: typeof m.data) => ({
      manifest: { ...m, data },
      hash: 'a'.repeat(64),
      signature: { keyId: 'publisher-0123456789abcdef', alg: 'ed25519' as const, value: 'c2ln' },
    });
    const plain = releaseSection(env(m.data.map((d) => ({ ...d, heldBack: false }))), 'es').value;
    expect(plain).not.toContain('held-back');
    const held = env(m.data.map((d) => ({ ...d, heldBack: true })));
    const es = releaseSection(held, 'es').value;
    const en = releaseSection(held, 'en').value;
    const years = m.data.map((d) => d.year).join(', ');
    expect(es).toContain(`${years}: datos de la publicación anterior.`);
    expect(en).toContain(`${years}: data of the previous release.`);
    expect(en).toContain('They will be published when the changes are larger.');
    // no count of what was held back: the note has no digit but the years'
    const note = en.slice(en.indexOf('class="held-back"'), en.indexOf('</p>', en.indexOf('class="held-back"')));
    expect(note.replace(/\d{4}/g, '')).not.toMatch(/\d/);
  });

  it('renders a whole page with the list of releases, in English too', () => {
    const env = { manifest: m, hash: 'b'.repeat(64), signature: { keyId: 'publisher-x', alg: 'ed25519' as const, value: 'c2ln' } };
    const items = [{ id: 'anual-1', series: 'anual', sequence: 1, hash: 'b'.repeat(64), publishedOn: '2026-11-28' }];
    const es = statsPage({ lang: 'es', path: '/estadisticas', items, current: env });
    expect(es).toContain('<html lang="es">');
    expect(es).toContain('href="/estadisticas?lang=en"');
    expect(es).toContain('aria-current="page">anual-1');
    const en = statsPage({ lang: 'en', path: '/estadisticas', items, current: env });
    expect(en).toContain('<html lang="en">');
    expect(en).toContain('hidden to protect people');
    expect(en).toContain('Metropolitan Lima');
    expect(en).toContain('href="/estadisticas/anual-1?lang=en"');
    expect(svgOf(en)).not.toContain('oculta');
  });

  it('says so plainly when nothing is published yet', () => {
    const out = statsPage({ lang: 'es', path: '/', items: [], current: null });
    expect(out).toContain('Todavía no hay publicaciones');
    expect(out).not.toContain('<svg');
  });

  it('escapes values from the manifest', () => {
    const evil = sampleManifest();
    evil.series = '<script>alert(1)</script>';
    evil.taxonomyVersion = '"><img src=x>';
    const out = releaseSection({ manifest: evil, hash: '<b>', signature: { keyId: '<i>', alg: 'ed25519', value: 'x' } }, 'es').value;
    expect(out).not.toContain('<script>alert');
    expect(out).not.toContain('<img src=x>');
    expect(out).not.toContain('<b>');
  });
});

describe('charts of larger releases', () => {
  it('draws one chart per year and the all-years margin, and groups of a hierarchy', () => {
    const m = sampleManifest();
    m.domains.year = ['2022', '2023'];
    m.hierarchies = { region: { 'lima-callao': ['PE-LMA', 'PE-CAL', 'PE-LIM'] } };
    const cells = [
      { key: { year: '*', region: '*' }, count: 40, suppressed: false },
      { key: { year: '*', region: 'PE-LMA' }, count: 30, suppressed: false },
      { key: { year: '*', region: 'lima-callao' }, count: 35, suppressed: false },
      { key: { year: '2022', region: '*' }, count: 15, suppressed: false },
      { key: { year: '2022', region: 'PE-LMA' }, count: 12, suppressed: false },
      { key: { year: '2022', region: 'lima-callao' }, count: null, suppressed: true },
      { key: { year: '2023', region: '*' }, count: 25, suppressed: false },
      { key: { year: '2023', region: 'PE-LMA' }, count: 18, suppressed: false },
      { key: { year: '2023', region: 'lima-callao' }, count: 23, suppressed: false },
    ];
    const { charts } = chartsOfTable(m, { dimensions: ['year', 'region'], cells }, 1, 'es');
    expect(charts.map((c) => c.title)).toEqual([
      'Región (por grupos) — todo',
      'Región — todo',
      'Región (por grupos) — 2022',
      'Región — 2022',
      'Región (por grupos) — 2023',
      'Región — 2023',
    ]);
    expect(charts[0]!.bars).toEqual([{ label: 'Lima y Callao', value: 35 }]);
    expect(charts[2]!.bars).toEqual([{ label: 'Lima y Callao', value: null }]);
    expect(charts[3]!.total).toBe(15);
    expect(new Set(charts.map((c) => c.id)).size).toBe(charts.length);
  });

  it('lists published zeros of a long dimension in words under the chart', () => {
    const m = sampleManifest();
    const { charts } = chartsOfTable(m, m.tables[1]!, 1, 'es');
    const regions = charts[0]!;
    expect(regions.bars.map((b) => b.label)).toContain('Lima Metropolitana');
    expect(regions.bars.every((b) => b.value !== 0)).toBe(true);
    expect(regions.zeros).toContain('Amazonas');
    const svg = barChart({ id: 'z', title: 'Región', k: 5, lang: 'es', bars: regions.bars, zeros: regions.zeros }).value;
    expect(svg).toContain('Sin hechos registrados (0): Lima (región), Amazonas');
    expect(svg).toContain('Amazonas: 0');
  });

  it('caps the charts of a many-dimensional table and says where the rest are', () => {
    const m = sampleManifest();
    m.domains.year = ['2021', '2022', '2023'];
    const cells: Array<{ key: Record<string, string>; count: number | null; suppressed: boolean }> = [];
    for (const year of ['*', ...m.domains.year]) {
      for (const g of ['*', ...m.domains.victimGender!]) {
        for (const it of ['*', ...m.domains.incidentType!]) cells.push({ key: { year, victimGender: g, incidentType: it }, count: 7, suppressed: false });
      }
    }
    const table = { dimensions: ['year', 'victimGender', 'incidentType'], cells };
    const { charts, omitted } = chartsOfTable(m, table, 0, 'es');
    expect(charts).toHaveLength(12);
    expect(omitted).toBe(4 * 6 - 12);
    expect(charts[0]!.title).toBe('Tipo de hecho — todo');
    const html = releaseSection({ manifest: { ...m, tables: [table] }, hash: 'h', signature: { keyId: 'k', alg: 'ed25519', value: 'v' } }, 'es').value;
    expect(html).toContain('Hay 12 gráficos más de esta tabla');
  });
});
