// Issue 19, item 6: the auditor's report in plain words — jargon explained where it appears, no
// bare "k=5 p=5" nor "componentes 2 (la mayor…), PL resueltas 8" — columns aligned even for long
// ids, and the same content in the JSON report for machines.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuditReport } from '../../scripts/audit/audit.js';
import { renderText, table } from '../../scripts/audit/report.js';
import { type Keys, auditLog, cleanTemp, makeKeys, plus, world } from './fixtures.js';

afterAll(cleanTemp);

const LONG = 'serie-con-un-nombre-largo-de-cuarenta-ch'; // 40 characters, the longest allowed
const base = { 'PE-LMA': 120, 'PE-CUS': 30, 'PE-CAJ': 4, 'PE-LOR': 5, 'PE-PUN': 61 };
const W = world(
  { region: ['PE-LMA', 'PE-CUS', 'PE-CAJ', 'PE-LOR', 'PE-PUN'] },
  {
    '2023': [
      { since: null, counts: base },
      { since: 'additions', counts: plus(base, { 'PE-LMA': 5 }) },
    ],
  },
);
const hide = [
  { year: '2023', region: 'PE-CAJ' },
  { year: '2023', region: 'PE-LOR' },
];

let keys: Keys;
let es: AuditReport;
let en: AuditReport;
beforeAll(async () => {
  keys = await makeKeys();
  const specs = [
    { series: 'anual', years: { '2023': 1 }, tables: [['year', 'region']], suppress: hide },
    { series: LONG, kind: 'draft' as const, years: { '2023': 2 }, tables: [['year', 'region']], suppress: hide },
    {
      series: LONG,
      years: { '2023': 2 },
      tables: [['year', 'region']],
      suppress: [
        { year: '2023', region: 'PE-CAJ' },
        { year: '2023', region: 'PE-CUS' },
      ],
    },
  ];
  es = await auditLog(keys, W, specs, { lang: 'es' });
  en = await auditLog(keys, W, specs, { lang: 'en' });
});

/** The lines of the block that follows a line starting with `title`, up to the next blank line. */
const block = (text: string, title: string) => {
  const lines = text.split('\n');
  const start = lines.findIndex((l) => l.startsWith(title));
  const end = lines.findIndex((l, i) => i > start && l.trim() === '');
  return lines.slice(start + 1, end);
};

describe('the text report', () => {
  it('aligns the columns of the log, even with a 40-character id', () => {
    const text = renderText(es, 'es');
    const rows = block(text, 'Registro de publicaciones');
    expect(rows).toHaveLength(4); // the header and three entries
    expect(rows.some((r) => r.includes(`${LONG}-1`))).toBe(true);
    for (const col of ['Fecha', 'Método', 'Firma']) {
      const at = rows[0]!.indexOf(col);
      const cells = rows.slice(1).map((r) => r.slice(at).split(/\s{2,}/)[0]);
      expect(
        cells.every((c) => c && !c.startsWith(' ')),
        `${col}: ${cells.join(' | ')}`,
      ).toBe(true);
    }
    const dateAt = rows[0]!.indexOf('Fecha');
    for (const r of rows.slice(1)) expect(r.slice(dateAt, dateAt + 10)).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    const sigAt = rows[0]!.indexOf('Firma');
    expect(rows.slice(1).map((r) => r.slice(sigAt))).toEqual(['válida', '(sin firma)', 'válida']);
  });

  it('aligns the findings and the narrowest ranges', () => {
    const text = renderText(en, 'en');
    const findings = block(text, 'Findings');
    const messageAt = findings.map((l) => l.indexOf('Hidden cell'));
    expect(new Set(messageAt).size).toBe(1);
    const ranges = block(text, 'Narrowest ranges');
    const ends = ranges.map((l) => l.length);
    expect(new Set(ends).size).toBe(1); // right-aligned numbers end in the same column
    expect(
      table(
        [
          ['a', '1'],
          ['long name', '100'],
        ],
        new Set([1]),
      ),
    ).toEqual(['  a            1', '  long name  100']);
  });

  it('explains its words instead of using bare jargon', () => {
    for (const [report, lang] of [
      [es, 'es'],
      [en, 'en'],
    ] as const) {
      const text = renderText(report, lang);
      expect(text).not.toMatch(/k=\d+ p=\d+/);
      expect(text).not.toMatch(/componentes \d|PL resueltas|LPs solved|components \d/);
      const legend = block(text, lang === 'es' ? 'Qué significan' : 'What the words');
      expect(legend.join(' ')).toContain(
        lang === 'es' ? 'Umbral k: ninguna cifra publicada puede estar entre 1 y k−1' : 'Threshold k: no published count may be between 1 and k−1',
      );
      expect(legend.join(' ')).toContain(lang === 'es' ? 'Protección p:' : 'Protection p:');
      expect(legend.join(' ')).toContain(lang === 'es' ? 'Borrador:' : 'Draft:');
      expect(legend.join(' ')).toContain(lang === 'es' ? 'PL (programación lineal)' : 'LP (linear programming)');
      const model = block(text, lang === 'es' ? 'Modelo global' : 'Global model')
        .join(' ')
        .replace(/\s+/g, ' ');
      expect(model).toMatch(
        lang === 'es'
          ? /problemas? de programación lineal \(PL\) en \d+ grupos? independientes? de cifras ligadas \(el mayor: \d+ cifras?\)/
          : /linear programs? \(LP\) (was|were) solved in \d+ independent groups? of linked figures \(the largest: \d+ figures?\)/,
      );
    }
  });

  it('speaks one language: a Spanish report has Spanish findings and a Spanish legend', () => {
    const text = renderText(es, 'es');
    expect(text).toContain('La celda oculta 2023 v2 · region=PE-CAJ');
    expect(text).not.toMatch(/Hidden cell|Threshold k|Publication log/);
  });
});

describe('the JSON report carries the same content', () => {
  it('has every entry, finding, range and word the text shows', () => {
    const text = renderText(es, 'es');
    for (const e of es.entries) expect(text).toContain(e.id!);
    for (const f of es.findings) expect(text).toContain(f.message);
    for (const c of es.global!.narrowest) expect(text).toContain(c.quantity);
    for (const words of Object.values(es.legend)) expect(text.replace(/\s+/g, ' ')).toContain(words);
    expect(es.entries.map((e) => [e.index, e.kind, e.k, e.protection, e.suppressed])).toEqual([
      [1, 'release', 5, 5, 4],
      [2, 'draft', 5, 5, 4],
      [3, 'release', 5, 5, 4],
    ]);
    expect(Object.keys(es.legend)).toEqual(Object.keys(en.legend));
    expect(es.global!.engine.lpSolves).toBeGreaterThanOrEqual(0);
  });
});
