// Logging that cannot leak identifiers. The access log has exactly four fields: method, route
// TEMPLATE (never the URL, so no ids or query strings), status and latency. There is no
// serializer for requests, headers or errors: nothing else is ever passed to the logger except
// an error's class name and stable code.
import type { NextFunction, Request, Response } from 'express';
import pino, { type DestinationStream, type Logger } from 'pino';

export function createLogger(level = 'info', destination?: DestinationStream): Logger {
  const opts = { level, base: null, timestamp: pino.stdTimeFunctions.isoTime, messageKey: 'msg' };
  return destination ? pino(opts, destination) : pino(opts);
}

/** The template of the route that handled the request, e.g. `/api/v1/reports/:id`. */
export function routeTemplate(req: Request): string {
  const route = (req as Request & { route?: { path?: unknown } }).route;
  if (route && typeof route.path === 'string') return `${req.baseUrl}${route.path}`;
  return '(unmatched)';
}

export function accessLog(logger: Logger) {
  return (req: Request, res: Response, next: NextFunction) => {
    const start = process.hrtime.bigint();
    res.on('finish', () => {
      const ms = Number(process.hrtime.bigint() - start) / 1e6;
      logger.info({ method: req.method, route: routeTemplate(req), status: res.statusCode, ms: Math.round(ms * 10) / 10 }, 'request');
    });
    next();
  };
}
