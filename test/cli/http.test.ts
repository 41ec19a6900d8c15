// The CLI's HTTP client: retries after a dropped connection or a 503 sign the request AGAIN (new
// nonce), so the server never sees a replay; refusals become bilingual ApiErrors.
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { generateSigningKeyPair, ready } from '../../crypto/index.js';
import { ApiError, ContamosClient, NetworkError } from '../../scripts/cli/http.js';

let server: Server | undefined;
afterEach(() => new Promise<void>((r) => (server ? server.close(() => r()) : r())));

async function serve(handler: (req: IncomingMessage, n: number, res: import('node:http').ServerResponse) => void): Promise<string> {
  let n = 0;
  server = createServer((req, res) => {
    req.resume();
    req.on('end', () => handler(req, n++, res));
  });
  await new Promise<void>((r) => server!.listen(0, '127.0.0.1', () => r()));
  const addr = server.address();
  return `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}`;
}

describe('ContamosClient', () => {
  it('re-signs every attempt after a dropped connection and a 503', async () => {
    await ready();
    const seen: string[] = [];
    const url = await serve((req, n, res) => {
      seen.push(String(req.headers['signature-input']));
      if (n === 0) {
        req.socket.destroy();
        return;
      }
      if (n === 1) {
        res.writeHead(503, { 'content-type': 'application/json' }).end('{"error":{"code":"database_unavailable","message":"x"}}');
        return;
      }
      res.writeHead(201, { 'content-type': 'application/json' }).end('{"ok":true}');
    });
    const kp = generateSigningKeyPair();
    const client = new ContamosClient({ server: new URL(url), retries: 3, backoffMs: 1 });
    const r = await client.request('PUT', '/api/v1/reports/x', { body: { a: 1 }, signer: { keyId: 'm-AAAAAAAAAAAAAAAA', secretKey: kp.secretKey } });
    expect(r).toEqual({ status: 201, body: { ok: true } });
    expect(seen).toHaveLength(3);
    const nonces = seen.map((s) => /nonce="([^"]+)"/.exec(s)?.[1]);
    expect(nonces.every(Boolean)).toBe(true);
    expect(new Set(nonces).size).toBe(3);
  });

  it('gives up after the retries with a NetworkError, and maps refusals to ApiError', async () => {
    const url = await serve((req, _n, res) => {
      if (req.url === '/refuse') {
        res
          .writeHead(409, { 'content-type': 'application/json' })
          .end('{"error":{"code":"report_conflict","message":"A different report already exists under this id."}}');
        return;
      }
      if (req.url === '/html') {
        res.writeHead(200, { 'content-type': 'text/html' }).end('<html>');
        return;
      }
      req.socket.destroy();
    });
    const client = new ContamosClient({ server: new URL(url), retries: 2, backoffMs: 1 });
    await expect(client.request('GET', '/drop')).rejects.toBeInstanceOf(NetworkError);
    const e = await client.request('GET', '/refuse').catch((x: unknown) => x);
    expect(e).toBeInstanceOf(ApiError);
    expect((e as ApiError).status).toBe(409);
    expect((e as ApiError).code).toBe('report_conflict');
    expect((e as ApiError).message).toMatch(/Ya existe otro reporte distinto .* \/ A different report already exists/);
    await expect(client.request('GET', '/html')).rejects.toThrow(/no es JSON/);
  });
});
