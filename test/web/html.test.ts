// The `html` escaper: interpolations are always text unless they are SafeHtml made by this module.
import { describe, expect, it } from 'vitest';
import { SafeHtml, escapeHtml, html, join, raw, safeHref } from '../../server/web/html.js';

describe('escapeHtml', () => {
  it('escapes the characters that can open markup or leave an attribute', () => {
    expect(escapeHtml(`<a href="x" onclick='y'>&\`</a>`)).toBe('&lt;a href=&quot;x&quot; onclick=&#39;y&#39;&gt;&amp;&#96;&lt;/a&gt;');
  });
  it('leaves ordinary text, accents and digits alone', () => {
    expect(escapeHtml('Desaparición 2023: 39 — Perú')).toBe('Desaparición 2023: 39 — Perú');
  });
});

describe('html tagged template', () => {
  it('escapes every interpolated string', () => {
    const evil = '<script>alert(1)</script>';
    const out = html`<p title="${evil}">${evil}</p>`.value;
    expect(out).toBe('<p title="&lt;script&gt;alert(1)&lt;/script&gt;">&lt;script&gt;alert(1)&lt;/script&gt;</p>');
    expect(out).not.toContain('<script>');
  });
  it('cannot be escaped from a double-quoted attribute', () => {
    const out = html`<a href="/x" title="${'" onmouseover="alert(1)'}">y</a>`.value;
    expect(out).toBe('<a href="/x" title="&quot; onmouseover=&quot;alert(1)">y</a>');
  });
  it('keeps nested html and raw as markup, but escapes strings inside arrays', () => {
    const items = ['a<b', html`<b>${'c&d'}</b>`];
    expect(html`<ul>${items.map((i) => html`<li>${i}</li>`)}</ul>`.value).toBe('<ul><li>a&lt;b</li><li><b>c&amp;d</b></li></ul>');
    expect(html`${raw('<hr>')}${'<hr>'}`.value).toBe('<hr>&lt;hr&gt;');
  });
  it('renders null, undefined and false as nothing, numbers as text', () => {
    expect(html`[${null}${undefined}${false}${0}${12.5}${true}]`.value).toBe('[012.5true]');
  });
  it('does not treat an object with a `value` field as safe', () => {
    const fake = { value: '<img src=x onerror=alert(1)>' };
    expect(html`${fake}`.value).toBe('[object Object]');
    expect(html`${{ toString: () => '<b>' }}`.value).toBe('&lt;b&gt;');
  });
  it('returns SafeHtml whose string form is the markup', () => {
    const h = html`<i>${'x'}</i>`;
    expect(h).toBeInstanceOf(SafeHtml);
    expect(String(h)).toBe('<i>x</i>');
  });
  it('join escapes items and separator', () => {
    expect(join(['<a>', html`<b></b>`], ' & ').value).toBe('&lt;a&gt; &amp; <b></b>');
  });
});

describe('safeHref', () => {
  it('accepts same-origin paths', () => {
    for (const p of ['/', '/estadisticas/anual-2', '/api/v1/releases/anual-2.csv', '/estadisticas?lang=en']) expect(safeHref(p)).toBe(p);
  });
  it('refuses other origins, scheme-relative URLs and script URLs', () => {
    for (const p of ['https://evil.example/', '//evil.example/x', 'javascript:alert(1)', 'data:text/html,x', '/x"onmouseover=1', "/x'", '/a b', 'relative']) {
      expect(() => safeHref(p)).toThrow();
    }
  });
});
