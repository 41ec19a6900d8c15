// Routes declared once and served two ways: registered on express, and run by the app's own entry
// point directly on Node's request and response for the URLs that match them exactly, without
// express's per-request machinery (new prototypes for every request and response, its layer walk,
// res.send), which costs report intake, the busiest route, a large share of its main-thread time
// (docs/performance.md).
// One declaration (`declareRoute`: method, path, handlers) gives both: `mountDeclaredRoutes`
// registers the app's common middlewares as one express layer, then each declared route, and
// builds the direct dispatcher from the same declarations (the same handler chain, a pattern
// derived from the same path). Guarantees:
// - same handlers: a declared route's handlers are typed `PlainHandler`, which sees only Node's
//   request and response plus the few fields both paths set (`PlainRequest`): a handler that uses
//   anything express adds (res.json, req.query, req.get, …) does not compile, so none can behave
//   differently on the two paths;
// - same routing: the declared routes are the first express layers after the common one (mounting
//   refuses an app that already has layers), so express would route every directly served URL to
//   the same declaration; the direct path takes only an exact match (the method, the path's
//   literal text in its letter case, no trailing slash, no percent-encoding in a parameter, any
//   query), and every variant express also routes there reaches express, which runs the same chain;
// - same answers: an error (thrown, rejected or passed to next) reaches the app's error handler on
//   both paths, and a chain that ends without answering gets the 404 `not_found` that express
//   gives when no later layer serves the URL (declared routes must answer, as intake does);
//   test/unit/direct-routes.test.ts compares status, body and headers of both paths.
// One difference: a body refused before routing (a 413) is logged under the route's template,
// where express logs "(unmatched)".
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Express } from 'express';
import { AppError } from '../errors.js';
import type { Auth } from '../services/context.js';
import { chain } from './chain.js';

/** What a declared route's handlers may read of a request: Node's, plus what both paths set. */
export interface PlainRequest extends IncomingMessage {
  /** the route's parameters (set by express, or by the direct path from the pattern) */
  params: Record<string, string | string[]>;
  originalUrl: string;
  baseUrl: string;
  /** the matched route's template (express's `req.route`) */
  route?: { path: string };
  /** the raw body (http/body.ts) */
  body?: unknown;
  /** the verified credential (http/auth.ts) */
  auth?: Auth;
}
export type PlainResponse = ServerResponse;
export type PlainNext = (err?: unknown) => void;
export type PlainHandler = (req: PlainRequest, res: PlainResponse, next: PlainNext) => unknown;
export type PlainErrorHandler = (err: unknown, req: PlainRequest, res: PlainResponse, next: PlainNext) => unknown;

export type Method = 'GET' | 'PUT' | 'POST' | 'DELETE';

export interface DeclaredRoute {
  method: Method;
  /** The express path, e.g. `/api/v1/reports/:id`: literal segments and `:name` parameters only. */
  path: string;
  handlers: PlainHandler[];
}

export function declareRoute(method: Method, path: string, ...handlers: PlainHandler[]): DeclaredRoute {
  directPattern(path); // refuse at declaration a path the direct pattern could not follow
  return { method, path, handlers };
}

/**
 * The URLs the direct path takes for `path`: each literal segment as written, each `:name` one
 * segment without `%` (so express would decode it to the same text), then an optional query.
 */
export function directPattern(path: string): RegExp {
  const segments = path.split('/');
  if (segments[0] !== '' || segments.length < 2 || segments.slice(1).some((s) => s === ''))
    throw new Error(`a declared route's path is /-separated non-empty segments: ${path}`);
  const parts = segments.slice(1).map((s) => {
    if (s.startsWith(':')) {
      if (!/^:[A-Za-z_][A-Za-z0-9_]*$/.test(s)) throw new Error(`unsupported parameter in a declared route: ${s}`);
      return `(?<${s.slice(1)}>[^/?#%]+)`;
    }
    if (!/^[A-Za-z0-9._~-]+$/.test(s)) throw new Error(`unsupported segment in a declared route: ${s}`);
    return s.replace(/[.]/g, '\\.');
  });
  return new RegExp(`^/${parts.join('/')}(?:\\?.*)?$`);
}

export interface MountOptions {
  /** The middlewares every request passes, run as one express layer before any route. */
  common: PlainHandler[];
  /** The app's error handler (also registered last on express by the caller), with express's four parameters. */
  onError: PlainErrorHandler;
  /** Serve exact matches directly (default); false leaves every request to express (tests compare both). */
  direct?: boolean;
}

/** Mounts `common` and `routes` on a fresh `app` and serves exact matches directly (see header). */
export function mountDeclaredRoutes(app: Express, routes: DeclaredRoute[], opts: MountOptions): void {
  const router = (app as unknown as { router: { stack: unknown[] } }).router;
  if (router.stack.length !== 0) throw new Error('declared routes are mounted first, on an app with no layers yet');
  // express registers only a four-parameter function as an error handler
  if (opts.onError.length !== 4) throw new Error('the error handler takes four parameters (err, req, res, next)');
  app.use(chain(...opts.common));
  for (const r of routes) app[r.method.toLowerCase() as 'get' | 'put' | 'post' | 'delete'](r.path, chain(...r.handlers));
  if (opts.direct === false) return;
  const direct = routes.map((r) => ({ method: r.method, template: r.path, pattern: directPattern(r.path), handler: chain(...opts.common, ...r.handlers) }));

  // express's app function calls `app.handle(req, res, next)`; the HTTP server calls it without `next`.
  type Handle = (req: IncomingMessage, res: ServerResponse, next?: unknown) => void;
  const entry = app as unknown as { handle: Handle };
  const expressHandle = entry.handle.bind(app);
  entry.handle = (plainReq: IncomingMessage, plainRes: ServerResponse, next?: unknown): void => {
    // mounted inside another app (a `next` is passed): express's path throughout
    if (next !== undefined) return expressHandle(plainReq, plainRes, next);
    const url = plainReq.url ?? '';
    for (const r of direct) {
      if (plainReq.method !== r.method) continue;
      const m = r.pattern.exec(url);
      if (!m) continue;
      const req = plainReq as PlainRequest;
      req.originalUrl = url;
      req.baseUrl = '';
      req.params = { ...m.groups };
      req.route = { path: r.template };
      r.handler(req, plainRes, (err?: unknown) => {
        opts.onError(err || new AppError('not_found'), req, plainRes, () => undefined);
      });
      return;
    }
    expressHandle(plainReq, plainRes, next);
  };
}
