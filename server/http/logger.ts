// Logging that cannot leak identifiers or times. The access log line has exactly five fields:
// `msg` ("request"), method, route TEMPLATE in its canonical (registered) case — never the URL,
// so no ids, query strings or the letter case a client chose — status and latency. No line
// carries a time: a log copy cannot be lined up with the order reports are stored in (see
// SECURITY.md, "What a copy of the logs shows"); whatever collects the output (docker, journald)
// may add its own clock, which compose.yaml turns off for the replicas. Informational lines carry
// no `level` (it would be the same on every line); warnings and errors say theirs. There is no
// serializer for requests, headers or errors: nothing else is ever passed to the logger except
// an error's class name and stable code.
import type { PlainHandler, PlainRequest } from './direct-routes.js';

/** The fields of an access-log line, exactly (tests parse every line against this). */
export const ACCESS_LOG_FIELDS = ['method', 'ms', 'msg', 'route', 'status'] as const;

const LEVELS = { debug: 20, info: 30, notice: 35, warn: 40, error: 50, fatal: 60, silent: Infinity } as const;
export type LogLevel = keyof typeof LEVELS;
type LogFn = (fieldsOrMsg: Record<string, unknown> | string, msg?: string) => void;
/** `notice`: the few lines an operator always needs (where the server listens), at any level but `silent`. */
export interface Logger {
  debug: LogFn;
  info: LogFn;
  notice: LogFn;
  warn: LogFn;
  error: LogFn;
  fatal: LogFn;
}
/** Where lines go: standard output by default; tests pass a stream that keeps them. */
export interface LogDestination {
  write(line: string): unknown;
}

/**
 * One JSON object per line: the fields given, then `msg`; `level` only on warnings and errors.
 * (pino, used before, cannot leave out its level and time without writing invalid JSON.)
 */
export function createLogger(level: string = 'info', destination: LogDestination = process.stdout): Logger {
  const min = LEVELS[level as LogLevel] ?? LEVELS.info;
  const at = (name: Exclude<LogLevel, 'silent'>): LogFn => {
    if (LEVELS[name] < min && !(name === 'notice' && min !== Infinity)) return () => undefined;
    return (fieldsOrMsg, msg) => {
      const fields = typeof fieldsOrMsg === 'string' ? {} : fieldsOrMsg;
      const line = { ...(name === 'info' || name === 'debug' ? {} : { level: name }), ...fields, msg: typeof fieldsOrMsg === 'string' ? fieldsOrMsg : msg };
      destination.write(`${JSON.stringify(line)}\n`);
    };
  };
  return { debug: at('debug'), info: at('info'), notice: at('notice'), warn: at('warn'), error: at('error'), fatal: at('fatal') };
}

/**
 * The template of the route that handled the request, e.g. `/api/v1/reports/:id`. Express matches
 * paths case-insensitively and `req.baseUrl` is the client's spelling of the mount path; every
 * mount path of the app is a lower-case literal, so lower-casing it gives the registered one.
 */
export function routeTemplate(req: Pick<PlainRequest, 'baseUrl'> & { route?: { path?: unknown } }): string {
  const route = req.route;
  if (route && typeof route.path === 'string') return `${req.baseUrl.toLowerCase()}${route.path}`;
  return '(unmatched)';
}

/**
 * Access log. The template is taken when express assigns `req.route` (the mount path is in
 * `req.baseUrl` only then: express restores it when an error leaves a router, so reading it at the
 * end would log `/enrol` for a refused `/api/v1/enrol`).
 */
export function accessLog(logger: Logger): PlainHandler {
  return (req, res, next) => {
    const start = process.hrtime.bigint();
    let route: unknown = (req as { route?: unknown }).route;
    let template = route ? routeTemplate(req) : '(unmatched)';
    Object.defineProperty(req, 'route', {
      configurable: true,
      enumerable: true,
      get: () => route,
      set: (v: unknown) => {
        route = v;
        template = routeTemplate(req);
      },
    });
    res.on('finish', () => {
      const ms = Number(process.hrtime.bigint() - start) / 1e6;
      logger.info({ method: req.method, route: template, status: res.statusCode, ms: Math.round(ms) }, 'request');
    });
    next();
  };
}
