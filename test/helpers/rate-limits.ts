// Helpers of the rate-limit red teams (redteam-intake-charge, redteam-charged-nonce): a pinned
// minute, captured signed requests an outsider can send again, answers as "status code", and how
// much of a member's minute is left.
import request from 'supertest';
import { expect } from 'vitest';
import { signRequest } from '../../crypto/index.js';
import { signed, type SigningKey, type TestApp } from './app.js';

/** Moves the server's clock to second 1 of the next minute (signatures made now stay fresh). */
export function pinMinute(t: TestApp): void {
  const real = Math.floor(Date.now() / 1000);
  t.clock.offset = 60 - (real % 60) + 1;
}

/** The server's clock (seconds): what a request signed "now" for it must state as created. */
export const serverNow = (t: TestApp): number => Math.floor(Date.now() / 1000) + t.clock.offset;

/**
 * Moves the server's clock to 12:00:01 UTC of today: a test that steps minutes and counts a day
 * stays within one UTC day whenever it runs (near midnight, stepping minutes crossed into the next
 * day and reset the daily bound). Requests must then be signed with `created: serverNow(t)`.
 */
export function pinMidday(t: TestApp): void {
  const real = Math.floor(Date.now() / 1000);
  t.clock.offset = Math.floor(real / 86_400) * 86_400 + 43_201 - real;
}

/** A signed request, captured: its exact headers and body, to send again as an outsider would. */
export async function capture(t: TestApp, key: SigningKey, method: 'PUT' | 'GET', url: string, body?: unknown, nonce?: string, created?: number) {
  const text = body === undefined ? '' : JSON.stringify(body);
  const headers = await signRequest({ method, url, body: text }, key, { nonce, created });
  return () =>
    method === 'GET' ? request(t.app).get(url).set(headers) : request(t.app).put(url).set(headers).set('content-type', 'application/json').send(text);
}

/** A captured submission of `body` under report id `id`. */
export const captureReport = (t: TestApp, key: SigningKey, id: string, body: unknown) => capture(t, key, 'PUT', `/api/v1/reports/${id}`, body);

export const codeOf = (r: { status: number; body: { error?: { code: string } } }) => (r.status >= 400 ? `${r.status} ${r.body.error?.code}` : `${r.status}`);

/** GETs until the first 429: how many of the member's requests this minute still allows (at most `max`). */
export async function allowanceLeft(t: TestApp, key: SigningKey, max: number): Promise<number> {
  for (let i = 0; i <= max; i++) {
    const r = await signed(t.app, 'GET', '/api/v1/reports', key);
    if (r.status === 429) return i;
    expect(r.status).toBe(200);
  }
  return max + 1;
}
