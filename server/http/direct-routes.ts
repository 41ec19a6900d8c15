// Serves the busiest route without express's per-request machinery. express gives every request
// and response new prototypes (its request/response objects), walks its layer stack and answers
// through res.send; for report intake this measured as ~40% of the main thread's time per
// submission (a bare express JSON route costs several times a bare node one: DEVELOPERS.md).
// A direct route is run by the app's own entry point before express sees the request: the same
// handlers (the app's common middlewares, then the route's, as one chain) on Node's plain request
// and response, and the app's own error handler on failure.
// Guarantees: only a request whose method and URL match the route exactly (the pattern) is taken;
// anything else, including variants express would also route there (other letter case, a
// trailing slash, percent-encoded parameters), goes to express, where the same route is
// registered too, so every request is answered by the same handlers either way. The handlers see
// `req.params`, `req.originalUrl`, `req.baseUrl` and `req.route.path` as express would set them,
// and nothing else of express's request or response: a handler that needs more must not be a
// direct route (TypeScript cannot tell; test/unit/direct-routes.test.ts and the API tests, which
// go through this path, can). One difference: a body refused before routing (a 413) is logged
// under the route's template, where express logs "(unmatched)".
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ErrorRequestHandler, Express, Request, RequestHandler, Response } from 'express';
import { AppError } from '../errors.js';

export interface DirectRoute {
  method: string;
  /** The express template the route is registered under too, e.g. `/api/v1/reports/:id`. */
  template: string;
  /** Matches the whole URL (path and optional query); named groups become `req.params`. */
  pattern: RegExp;
  /** The whole chain for the request: the app's common middlewares, then the route's. */
  handler: RequestHandler;
}

/** Makes `app` serve `route` directly (see header); every other request goes to express as before. */
export function serveDirectly(app: Express, route: DirectRoute, onError: ErrorRequestHandler): void {
  // express's app function calls `app.handle(req, res, next)`; the HTTP server calls it without `next`.
  type Handle = (req: IncomingMessage, res: ServerResponse, next?: unknown) => void;
  const entry = app as unknown as { handle: Handle };
  const expressHandle = entry.handle.bind(app);
  const direct: Handle = (plainReq: IncomingMessage, plainRes: ServerResponse, next?: unknown): void => {
    const m = plainReq.method === route.method && next === undefined ? route.pattern.exec(plainReq.url ?? '') : null;
    if (!m) return expressHandle(plainReq, plainRes, next);
    const req = plainReq as Request;
    const res = plainRes as unknown as Response;
    req.originalUrl = plainReq.url!;
    req.baseUrl = '';
    req.params = { ...m.groups };
    (req as Request & { route: { path: string } }).route = { path: route.template };
    route.handler(req, res, (err?: unknown) => {
      onError(err || new AppError('not_found'), req, res, () => undefined);
    });
  };
  entry.handle = direct;
}
