// Maps anything thrown to the one JSON error shape. Body-parser refusals become 413/415/400,
// AppErrors keep their code, database outages become 503 and anything else 500. The log line
// carries only the error's class name and code — never its message, which could quote data.
import type { NextFunction, Request, Response } from 'express';
import type { PlainErrorHandler } from './direct-routes.js';
import type { Logger } from './logger.js';
import { AppError, ERRORS, type ErrorCode } from '../errors.js';
import { errorCode, isUnavailable } from '../db/errors.js';
import { sendJson } from './json.js';

function fromBodyParser(e: unknown): ErrorCode | undefined {
  const type = typeof e === 'object' && e !== null ? (e as { type?: unknown }).type : undefined;
  switch (type) {
    case 'entity.too.large':
      return 'payload_too_large';
    case 'encoding.unsupported':
    case 'charset.unsupported':
      return 'unsupported_media_type';
    case 'request.aborted':
    case 'request.size.invalid':
    case 'stream.encoding.set':
    case 'entity.verify.failed':
      return 'request_aborted';
    default:
      return undefined;
  }
}

export function errorHandler(logger: Logger): PlainErrorHandler {
  // four parameters: express tells an error handler by its arity
  // eslint-disable-next-line @typescript-eslint/no-unused-vars
  return (e, _req, res, _next) => {
    let err: AppError;
    if (e instanceof AppError) err = e;
    else {
      const code = fromBodyParser(e);
      if (code) err = new AppError(code);
      // express could not percent-decode a path parameter (e.g. `/api/v1/releases/%ff.csv`)
      else if (e instanceof URIError) err = new AppError('invalid_path');
      else if (isUnavailable(e)) err = new AppError('database_unavailable');
      else {
        err = new AppError('internal');
        logger.error({ error: e instanceof Error ? e.constructor.name : typeof e, code: errorCode(e) }, 'unhandled error');
      }
    }
    if (res.headersSent) return;
    if (err.status === 503) res.setHeader('Retry-After', '5');
    // Node's own response API: this handler also answers direct routes (http/direct-routes.ts).
    sendJson(res, err.status, { error: { code: err.code, message: err.message, ...(err.issues ? { issues: err.issues } : {}) } });
  };
}

export function notFound(_req: Request, _res: Response, next: NextFunction) {
  next(new AppError('not_found', ERRORS.not_found[1]));
}
