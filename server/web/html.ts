// html.ts — the one way server-rendered pages are written: an `html` tagged template that escapes
// every interpolated value.
//
// Guarantees:
// - Every interpolated value is escaped (& < > " ' and `) unless it is a `SafeHtml` — which only
//   `html` itself, `raw` (for constants written in this code base, never for data) and `join`
//   produce. So a release field, a taxonomy label or a query parameter can never open a tag, an
//   attribute or a script; it is always text.
// - Arrays are rendered item by item (each escaped the same way) and concatenated; `null`,
//   `undefined` and `false` render as nothing (so `${cond && html`…`}` works); numbers and
//   booleans as their string form.
// - Attribute values must be written in double quotes in templates (`href="${x}"`): with quotes
//   escaped, a value cannot leave its attribute. `safeHref` additionally refuses anything but a
//   same-origin path, so no interpolated link can point to another origin or a `javascript:` URL.

/** A string known to be safe HTML (produced by `html`, `raw` or `join`). */
export class SafeHtml {
  constructor(readonly value: string) {}
  toString(): string {
    return this.value;
  }
}

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;', '`': '&#96;' };

/** Escapes text for use in HTML text or a double-quoted attribute value. */
export function escapeHtml(s: string): string {
  return s.replace(/[&<>"'`]/g, (c) => ESCAPES[c]!);
}

function render(value: unknown): string {
  if (value instanceof SafeHtml) return value.value;
  if (value === null || value === undefined || value === false) return '';
  if (Array.isArray(value)) return value.map(render).join('');
  return escapeHtml(String(value));
}

/** Tagged template: literal parts are kept, interpolations escaped (see header). */
export function html(strings: TemplateStringsArray, ...values: unknown[]): SafeHtml {
  let out = strings[0]!;
  for (let i = 0; i < values.length; i++) out += render(values[i]) + strings[i + 1]!;
  return new SafeHtml(out);
}

/** Marks a constant of this code base as HTML. Never call it with data from a request or the database. */
export function raw(trusted: string): SafeHtml {
  return new SafeHtml(trusted);
}

/** Renders items (escaped unless SafeHtml) separated by `sep` (also escaped unless SafeHtml). */
export function join(items: readonly unknown[], sep: unknown = ''): SafeHtml {
  return new SafeHtml(items.map(render).join(render(sep)));
}

/**
 * A same-origin link target: a path starting with a single "/" and made only of URL-safe
 * characters. Anything else (another origin, "//host", "javascript:", spaces, quotes) throws.
 */
export function safeHref(path: string): string {
  if (!/^\/(?!\/)[A-Za-z0-9\-._~!$&'()*+,;=:@/%?#]*$/.test(path) || /["'`<>\\]/.test(path)) {
    throw new TypeError('not a same-origin path');
  }
  return path;
}
