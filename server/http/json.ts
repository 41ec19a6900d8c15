// Writes a JSON response through Node's own response API, so it works on a plain
// http.ServerResponse as well as on express's. Guarantees: the same status, body bytes and headers
// as express's `res.status(status).json(value)` for a request that is not GET or HEAD (no ETag,
// as the app disables them): Content-Type `application/json; charset=utf-8` and Content-Length;
// headers already set (security headers) are kept. test/unit/direct-routes.test.ts compares both.
import type { ServerResponse } from 'node:http';

export function sendJson(res: ServerResponse, status: number, value: unknown): void {
  const body = JSON.stringify(value);
  res.statusCode = status;
  res.setHeader('Content-Type', 'application/json; charset=utf-8');
  res.setHeader('Content-Length', Buffer.byteLength(body));
  res.end(body);
}
