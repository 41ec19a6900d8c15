// api.ts — the page's only way to talk to the server: same-origin fetches, signed in the page
// with the organisation's key (RFC 9421, crypto/http-signature.ts) when the route needs it.
//
// Guarantees: every request goes to a path of this origin (never an absolute URL); the body that
// is signed is exactly the body that is sent; no credentials mode, no cookies, no referrer; the
// signature's `created` time follows the server's clock (from the Date header of the first answer)
// so a phone with a wrong clock can still sign; errors come back as `ApiError` with the server's
// stable code.
import { signRequest } from '../../crypto/index.js';

export interface Signer {
  keyId: string;
  secretKey: string;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

/** No answer at all (offline, connection dropped): the request may or may not have arrived. */
export class NetworkError extends Error {
  constructor() {
    super('network error');
    this.name = 'NetworkError';
  }
}

let clockOffsetMs = 0;

function learnClock(res: Response): void {
  const date = res.headers.get('date');
  const server = date ? Date.parse(date) : NaN;
  if (Number.isFinite(server)) {
    const offset = server - Date.now();
    // The Date header has one-second resolution: only correct clocks that are clearly off.
    clockOffsetMs = Math.abs(offset) > 5000 ? offset : 0;
  }
}

export function serverNowSeconds(): number {
  return Math.floor((Date.now() + clockOffsetMs) / 1000);
}

async function send(path: string, init: RequestInit): Promise<{ status: number; body: unknown }> {
  if (!path.startsWith('/') || path.startsWith('//')) throw new TypeError('same-origin paths only');
  let res: Response;
  try {
    res = await fetch(path, { ...init, credentials: 'omit', referrerPolicy: 'no-referrer', cache: 'no-store' });
  } catch {
    throw new NetworkError();
  }
  learnClock(res);
  let body: unknown = null;
  const text = await res.text().catch(() => '');
  if (text) {
    try {
      body = JSON.parse(text);
    } catch {
      body = null;
    }
  }
  if (!res.ok) {
    const err = (body as { error?: { code?: unknown; message?: unknown } } | null)?.error;
    throw new ApiError(
      res.status,
      typeof err?.code === 'string' ? err.code : `http_${res.status}`,
      typeof err?.message === 'string' ? err.message : res.statusText,
    );
  }
  return { status: res.status, body };
}

export function getJson<T>(path: string): Promise<T> {
  return send(path, { method: 'GET' }).then((r) => r.body as T);
}

/** An unsigned JSON POST (enrolment: the invite is the credential). */
export function postJson<T>(path: string, value: unknown): Promise<{ status: number; body: T }> {
  return send(path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(value) }) as Promise<{ status: number; body: T }>;
}

/** A request signed with the organisation's key over method, path, query and the exact body. */
export async function signed<T>(method: 'GET' | 'PUT' | 'POST', path: string, signer: Signer, bodyText?: string): Promise<{ status: number; body: T }> {
  const body = bodyText ?? '';
  const sig = await signRequest({ method, url: path, body }, signer, { created: serverNowSeconds() });
  const headers: Record<string, string> = { ...sig };
  if (body.length > 0) headers['content-type'] = 'application/json';
  return send(path, { method, headers, ...(body.length > 0 ? { body } : {}) }) as Promise<{ status: number; body: T }>;
}
