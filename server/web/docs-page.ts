// docs-page.ts — a readable API reference at /api/v1/docs, rendered on the server from the same
// route list and zod schemas as /api/v1/openapi.json (server/openapi.ts). No third-party
// Swagger UI, no script: it works with JavaScript disabled.
import { ERRORS } from '../errors.js';
import { ROUTES, type RouteSpec, openApiDocument } from '../openapi.js';
import { html, type SafeHtml, safeHref } from './html.js';
import { type Lang, t } from './i18n.js';
import { page } from './layout.js';

type Json = Record<string, unknown>;

function typeOf(s: Json): string {
  if (Array.isArray(s.enum))
    return (s.enum as unknown[]).length > 8
      ? `${String(s.type ?? 'string')} (${(s.enum as unknown[]).length} codes)`
      : (s.enum as unknown[]).map(String).join(' | ');
  if (s.const !== undefined) return JSON.stringify(s.const);
  if (Array.isArray(s.anyOf)) return (s.anyOf as Json[]).map(typeOf).join(' | ');
  if (s.type === 'array') return `${typeOf((s.items ?? {}) as Json)}[]`;
  const base = Array.isArray(s.type) ? s.type.join(' | ') : String(s.type ?? 'any');
  const extra: string[] = [];
  if (typeof s.pattern === 'string') extra.push(`/${s.pattern}/`);
  if (typeof s.minimum === 'number') extra.push(`≥ ${s.minimum}`);
  if (typeof s.maximum === 'number' && s.maximum < 1e15) extra.push(`≤ ${s.maximum}`);
  if (typeof s.maxLength === 'number') extra.push(`≤ ${s.maxLength} chars`);
  return extra.length ? `${base} ${extra.join(', ')}` : base;
}

function fields(schema: Json | undefined, lang: Lang): SafeHtml {
  const props = (schema?.properties ?? {}) as Record<string, Json>;
  const required = new Set((schema?.required ?? []) as string[]);
  const names = Object.keys(props);
  if (names.length === 0) return html`<p class="hint">${t(lang, 'Sin campos.', 'No fields.')}</p>`;
  return html`<div class="table-scroll"><table><thead><tr><th scope="col">${t(lang, 'Campo', 'Field')}</th><th scope="col">${t(lang, 'Tipo', 'Type')}</th><th scope="col">${t(lang, 'Obligatorio', 'Required')}</th></tr></thead><tbody>
${names.map(
  (
    n,
  ) => html`<tr><td><code>${n}</code></td><td><code>${typeOf(props[n]!)}</code>${typeof props[n]!.description === 'string' ? html` — ${props[n]!.description as string}` : ''}</td><td>${required.has(n) ? t(lang, 'sí', 'yes') : t(lang, 'no', 'no')}</td></tr>
`,
)}</tbody></table></div>`;
}

function route(r: RouteSpec, lang: Lang): SafeHtml {
  const op = (openApiDocument().paths as Record<string, Record<string, Json>>)[r.path]![r.method]! as Json;
  const body = (op.requestBody as { content: { 'application/json': { schema: Json } } } | undefined)?.content['application/json'].schema;
  const ok = Object.entries(r.responses);
  const who: Record<string, string> = {
    public: t(lang, 'público', 'public'),
    member: t(lang, 'organización miembro (firmado)', 'member organisation (signed)'),
    steward: t(lang, 'administración (firmado)', 'steward (signed)'),
    publisher: t(lang, 'publicador (firmado)', 'publisher (signed)'),
  };
  return html`<section class="route" id="${String(op.operationId)}">
<h3><span class="method">${r.method.toUpperCase()}</span> ${r.path}</h3>
<p>${t(lang, r.resumen, r.summary)}. <span class="who">${t(lang, 'Quién', 'Who')}: ${who[r.who]}</span></p>
${r.params ? html`<p>${t(lang, 'Parámetros de ruta', 'Path parameters')}: ${Object.keys(r.params).map((p, i) => html`${i ? ', ' : ''}<code>${p}</code>`)}</p>` : ''}
${r.query ? html`<p>${t(lang, 'Parámetros de consulta', 'Query parameters')}: ${Object.keys(r.query.shape).map((p, i) => html`${i ? ', ' : ''}<code>${p}</code>`)}</p>` : ''}
${body ? html`<h4>${t(lang, 'Cuerpo (JSON)', 'Body (JSON)')}${r.body?.optional ? t(lang, ', opcional', ', optional') : ''}</h4>${fields(body, lang)}` : ''}
<h4>${t(lang, 'Respuestas', 'Responses')}</h4>
<ul>${ok.map(([status, res]) => html`<li><code>${status}</code> ${res.description}</li>`)}${r.errors.length ? html`<li>${t(lang, 'Rechazos', 'Refusals')}: ${[...new Set(r.errors)].map((c, i) => html`${i ? ', ' : ''}<code>${ERRORS[c][0]} ${c}</code>`)}</li>` : ''}</ul>
</section>`;
}

export function docsPage(lang: Lang): string {
  const body = html`<h1>${t(lang, 'API de Contamos (v1)', 'Contamos API (v1)')}</h1>
<p class="lead">${t(
    lang,
    'Referencia de todas las rutas. La descripción completa, generada de los mismos esquemas que validan cada solicitud, está en',
    'Reference of every route. The full description, generated from the same schemas that validate every request, is at',
  )} <a href="${safeHref('/api/v1/openapi.json')}"><code>/api/v1/openapi.json</code></a> (OpenAPI 3.1).</p>

<h2>${t(lang, 'Errores', 'Errors')}</h2>
<p>${t(lang, 'Todo rechazo tiene la forma', 'Every refusal has the shape')} <code>{ "error": { "code": "…", "message": "…", "issues": [ { "path", "message" } ]? } }</code> ${t(lang, 'con un código estable:', 'with a stable code:')}</p>
<details class="data"><summary>${t(lang, 'Códigos de error', 'Error codes')} (${Object.keys(ERRORS).length})</summary>
<div class="table-scroll"><table><thead><tr><th scope="col">${t(lang, 'Código', 'Code')}</th><th scope="col" class="num">HTTP</th><th scope="col">${t(lang, 'Mensaje', 'Message')}</th></tr></thead><tbody>
${Object.entries(ERRORS).map(
  ([code, [status, message]]) => html`<tr><td><code>${code}</code></td><td class="num">${status}</td><td>${message}</td></tr>
`,
)}</tbody></table></div></details>

<h2>${t(lang, 'Solicitudes firmadas', 'Signed requests')}</h2>
<p>${t(lang, 'Las solicitudes de organizaciones, administración y publicadores se firman con Ed25519 según HTTP Message Signatures (RFC 9421), con tres cabeceras:', 'Requests by organisations, the steward and publishers are signed with Ed25519 following HTTP Message Signatures (RFC 9421), with three headers:')}</p>
<ul>
<li><code>Content-Digest: sha-256=:&lt;base64&gt;:</code> — ${t(lang, 'SHA-256 de los bytes exactos del cuerpo (RFC 9530; del cuerpo vacío si no hay)', 'SHA-256 of the exact body bytes (RFC 9530; of the empty body when there is none)')}</li>
<li><code>Signature-Input: sig1=("@method" "@path" ["@query"] "content-digest");created=…;nonce="…";keyid="…";alg="ed25519"</code> — ${t(lang, '"@query" se cubre exactamente cuando la URL tiene consulta; created en segundos Unix; nonce de al menos 16 bytes al azar (base64url)', '"@query" is covered exactly when the URL has a query; created in Unix seconds; a nonce of at least 16 random bytes (base64url)')}</li>
<li><code>Signature: sig1=:&lt;base64&gt;:</code> — ${t(lang, 'firma Ed25519 de la base de firma RFC 9421', 'Ed25519 signature of the RFC 9421 signature base')}</li>
</ul>
<p>${t(
    lang,
    'Se rechaza una firma de más de 5 minutos o fechada en el futuro, y cada nonce se acepta una sola vez (también entre réplicas): un reintento debe firmarse de nuevo. La función signRequest del módulo compartido crypto/http-signature.ts produce exactamente esto.',
    'A signature older than 5 minutes or dated in the future is refused, and each nonce is accepted once (across replicas too): a retry must be signed again. signRequest in the shared module crypto/http-signature.ts produces exactly this.',
  )}</p>
<pre><code>Content-Digest: sha-256=:…:
Signature-Input: sig1=("@method" "@path" "content-digest");created=1767225600;nonce="…";keyid="m-…";alg="ed25519"
Signature: sig1=:…:</code></pre>

<h2>${t(lang, 'Rutas', 'Routes')}</h2>
${ROUTES.map((r) => route(r, lang))}`;
  return page({ lang, title: 'API', path: '/api/v1/docs', section: 'docs', body });
}
