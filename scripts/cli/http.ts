// http.ts — the CLI's HTTP client for the Contamos API.
//
// Guarantees:
// - Signed requests (member, steward) are signed with RFC 9421 through the shared crypto module
//   over the exact body bytes sent, and signed AGAIN for every attempt: a nonce is never reused,
//   so a retry cannot be refused as a replay.
// - Network failures (refused, reset, DNS, timeout) and 429/502/503/504 answers are retried with
//   exponential back-off up to `retries` times; any other answer is final. Retrying a PUT is safe
//   because submission is idempotent for an identical body.
// - Every failure becomes a `CliError` with a Spanish and an English message: `NetworkError`
//   when the server cannot be reached, `ApiError` (status, stable code, issues) for a refusal.
// - Nothing is sent but the method, path, JSON body and signature headers: no cookies, no
//   identifying user agent beyond "contamos-cli".
import { ready, signRequest } from '../../crypto/index.js';
import { CliError } from './io.js';
import type { Signer } from './keyfile.js';

export interface Issue {
  path: string;
  message: string;
}

/** The server refused the request: HTTP status, stable error code, human message, issues. */
export class ApiError extends CliError {
  constructor(
    readonly status: number,
    readonly code: string,
    readonly serverMessage: string,
    readonly issues: Issue[] = [],
  ) {
    const [es, en] = describeApiError(status, code, serverMessage);
    super(
      es,
      en,
      1,
      issues.map((i) => `${humanPath(i.path)}: ${i.message}`),
    );
    this.name = 'ApiError';
  }
}

/** A body path as a person reads it: "tables.0.1" → "tabla 1, dimensión 2 / table 1, dimension 2 (tables.0.1)". */
export function humanPath(path: string): string {
  const t = /^tables\.(\d+)(?:\.(\d+))?$/.exec(path);
  if (t) {
    const table = Number(t[1]) + 1;
    if (t[2] === undefined) return `tabla ${table} / table ${table} (${path})`;
    const dim = Number(t[2]) + 1;
    return `tabla ${table}, dimensión ${dim} / table ${table}, dimension ${dim} (${path})`;
  }
  return path;
}

/** The server could not be reached at all (after the retries). */
export class NetworkError extends CliError {
  constructor(
    readonly server: string,
    readonly reason: string,
  ) {
    super('No se pudo conectar al servidor', 'Could not reach the server', 1, [
      `servidor / server: ${server}`,
      `motivo / reason: ${reason}`,
      'Revise la dirección (--server), su conexión a internet y que el servidor esté en marcha / Check the address (--server), your connection and that the server is running.',
    ]);
    this.name = 'NetworkError';
  }
}

const MESSAGES_ES: Record<string, string> = {
  invalid_json: 'El servidor no pudo leer la solicitud (JSON no válido)',
  invalid_body: 'El servidor rechazó los datos: no tienen la forma esperada',
  invalid_query: 'El servidor rechazó los parámetros de la consulta',
  invalid_path: 'El identificador de la dirección no es válido',
  signature_missing: 'La solicitud debía ir firmada',
  signature_malformed: 'La firma de la solicitud está mal formada',
  digest_mismatch: 'El contenido no coincide con su firma',
  signature_expired: 'El servidor rechazó la firma por la hora: revise que el reloj de este equipo esté en hora',
  unknown_key: 'El servidor no conoce esta clave (¿está inscrita en este servidor?)',
  signature_invalid: 'La firma no es válida para esta clave',
  replayed_nonce: 'Solicitud repetida rechazada; vuelva a intentarlo',
  key_revoked: 'Esta clave fue revocada por la administración de la coalición',
  forbidden_role: 'Esta clave no tiene permiso para esta acción',
  not_found: 'No encontrado',
  member_not_found: 'No hay ninguna organización con ese keyId',
  dedupe_choice_invalid: 'Ese reporte no es un reporte activo de esta etiqueta de una organización cuyos reportes cuentan; no se registró nada',
  report_not_found: 'No existe ese reporte entre los suyos',
  invite_invalid: 'La invitación no existe, ya se usó o venció',
  key_already_enrolled: 'Esta clave pública ya está inscrita',
  report_conflict: 'Ya existe otro reporte distinto con este identificador',
  report_not_active: 'El reporte no está activo (retirado o reemplazado)',
  payload_too_large: 'El envío es más grande de lo permitido',
  unsupported_media_type: 'El servidor no aceptó el tipo de contenido',
  rate_limited: 'Demasiadas solicitudes; espere un momento y vuelva a intentarlo',
  daily_limit_reached: 'Esta organización ya envió hoy tantos reportes nuevos como permite el servidor; vuelva a intentarlo mañana',
  database_unavailable: 'La base de datos del servidor no está disponible; no se guardó nada. Intente más tarde',
  internal: 'Error interno del servidor; no se guardó nada',
};

function describeApiError(status: number, code: string, message: string): [string, string] {
  const es = MESSAGES_ES[code] ?? `El servidor rechazó la solicitud (HTTP ${status})`;
  return [`${es} [${code}]`, message || `The server refused the request (HTTP ${status})`];
}

export type Method = 'GET' | 'PUT' | 'POST' | 'DELETE';

export interface ClientOptions {
  server: URL;
  retries: number;
  /** Per-attempt timeout. */
  timeoutMs?: number;
  /** Base back-off delay in ms (doubled each retry). */
  backoffMs?: number;
  /** Replaceable in tests. */
  sleep?: (ms: number) => Promise<void>;
}

export interface RequestOptions {
  body?: unknown;
  /** Sign with this key; unsigned when absent. */
  signer?: Signer;
}

const RETRYABLE_STATUS = new Set([429, 502, 503, 504]);

const defaultSleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export class ContamosClient {
  readonly server: URL;
  private readonly base: string;
  private cache = new Map<string, Promise<unknown>>();

  constructor(private readonly opts: ClientOptions) {
    this.server = opts.server;
    this.base = opts.server.href.replace(/\/+$/, '');
  }

  /** Sends one request (with retries); resolves to the parsed JSON answer of a 2xx status. */
  async request<T = unknown>(method: Method, pathAndQuery: string, ro: RequestOptions = {}): Promise<{ status: number; body: T }> {
    const url = this.base + pathAndQuery;
    const target = new URL(url);
    const signedPath = target.pathname + target.search;
    const text = ro.body === undefined ? '' : JSON.stringify(ro.body);
    const sleep = this.opts.sleep ?? defaultSleep;
    let attempt = 0;
    for (;;) {
      const headers: Record<string, string> = { accept: 'application/json', 'user-agent': 'contamos-cli' };
      if (text.length > 0) headers['content-type'] = 'application/json';
      if (ro.signer) {
        await ready();
        // A fresh signature (new nonce, new created time) for every attempt.
        const sig = await signRequest({ method, url: signedPath, body: text }, { keyId: ro.signer.keyId, secretKey: ro.signer.secretKey });
        Object.assign(headers, sig);
      }
      let res: Response;
      try {
        res = await fetch(url, {
          method,
          headers,
          ...(text.length > 0 ? { body: text } : {}),
          redirect: 'error',
          signal: AbortSignal.timeout(this.opts.timeoutMs ?? 30_000),
        });
      } catch (e) {
        if (attempt < this.opts.retries) {
          await sleep(this.backoff(attempt));
          attempt++;
          continue;
        }
        throw new NetworkError(this.base, networkReason(e));
      }
      if (RETRYABLE_STATUS.has(res.status) && attempt < this.opts.retries) {
        await res.arrayBuffer().catch(() => undefined);
        const after = Number(res.headers.get('retry-after'));
        await sleep(Number.isFinite(after) && after > 0 ? Math.min(after * 1000, 30_000) : this.backoff(attempt));
        attempt++;
        continue;
      }
      const raw = await res.text().catch(() => '');
      let parsed: unknown;
      if (raw.length > 0) {
        try {
          parsed = JSON.parse(raw);
        } catch {
          throw new CliError(
            `La respuesta de ${this.base} no es JSON (HTTP ${res.status}): ¿es la dirección de un servidor Contamos?`,
            `The answer from ${this.base} is not JSON (HTTP ${res.status}): is this the address of a Contamos server?`,
          );
        }
      }
      if (res.ok) return { status: res.status, body: parsed as T };
      const err = (parsed as { error?: { code?: unknown; message?: unknown; issues?: unknown } } | undefined)?.error;
      const issues = Array.isArray(err?.issues)
        ? (err.issues as Array<{ path?: unknown; message?: unknown }>).map((i) => ({ path: String(i.path ?? ''), message: String(i.message ?? '') }))
        : [];
      throw new ApiError(
        res.status,
        typeof err?.code === 'string' ? err.code : `http_${res.status}`,
        typeof err?.message === 'string' ? err.message : '',
        issues,
      );
    }
  }

  private backoff(attempt: number): number {
    const base = this.opts.backoffMs ?? 500;
    const d = Math.min(base * 2 ** attempt, 8000);
    return d / 2 + Math.random() * (d / 2);
  }

  /** GETs a public document once per client. */
  cachedGet<T>(pathAndQuery: string): Promise<T> {
    let p = this.cache.get(pathAndQuery);
    if (!p) {
      p = this.request<T>('GET', pathAndQuery).then((r) => r.body);
      p.catch(() => this.cache.delete(pathAndQuery));
      this.cache.set(pathAndQuery, p);
    }
    return p as Promise<T>;
  }
}

function networkReason(e: unknown): string {
  if (e instanceof Error) {
    if (e.name === 'TimeoutError' || e.name === 'AbortError') return 'sin respuesta a tiempo / timed out';
    const cause = (e as { cause?: unknown }).cause as { code?: unknown; message?: unknown } | undefined;
    if (cause && typeof cause.code === 'string') {
      const known: Record<string, string> = {
        ECONNREFUSED: 'conexión rechazada / connection refused',
        ENOTFOUND: 'nombre de servidor desconocido / unknown host name',
        EAI_AGAIN: 'no se pudo resolver el nombre / name lookup failed',
        ECONNRESET: 'conexión cortada / connection reset',
        ETIMEDOUT: 'sin respuesta a tiempo / timed out',
        EHOSTUNREACH: 'servidor inalcanzable / host unreachable',
        ENETUNREACH: 'red inalcanzable / network unreachable',
        UND_ERR_CONNECT_TIMEOUT: 'sin respuesta a tiempo / connection timed out',
        UND_ERR_SOCKET: 'conexión cortada / connection closed',
        CERT_HAS_EXPIRED: 'certificado TLS vencido / TLS certificate expired',
        DEPTH_ZERO_SELF_SIGNED_CERT: 'certificado TLS no confiable / untrusted TLS certificate',
        ERR_TLS_CERT_ALTNAME_INVALID: 'el certificado TLS no corresponde al nombre / TLS certificate does not match the name',
      };
      return known[cause.code] ?? cause.code;
    }
    if (cause && typeof cause.message === 'string' && cause.message === 'bad port') return 'puerto no permitido / port not allowed';
    if (cause && typeof cause.message === 'string') return cause.message;
    if (/redirect/i.test(e.message)) return 'el servidor respondió con una redirección / the server answered with a redirect';
    return e.message;
  }
  return String(e);
}
