// Request bodies: read as raw bytes (the signature's Content-Digest covers the exact bytes),
// bounded by a size limit (413 beyond it), then parsed as JSON only when the content type says so
// (415 otherwise) and validated with a zod schema before any service sees them (400).
import type { IncomingHttpHeaders } from 'node:http';
import express from 'express';
import type { z } from 'zod';
import { AppError, zodIssues } from '../errors.js';
import type { PlainHandler } from './direct-routes.js';

/** What these helpers read of a request, express's or a declared route's (http/direct-routes.ts). */
export interface BodyRequest {
  body?: unknown;
  headers: IncomingHttpHeaders;
}

export function rawBody(limitBytes: number): PlainHandler {
  return express.raw({ type: () => true, limit: limitBytes, inflate: false });
}

export function bodyBytes(req: BodyRequest): Buffer {
  return Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
}

const JSON_TYPE = /^application\/json\s*(;\s*charset\s*=\s*"?utf-8"?\s*)?$/i;

/** Parses and validates a JSON body; an empty body is parsed as `{}` only when `emptyAs` allows. */
export function jsonBody<S extends z.ZodType>(req: BodyRequest, schema: S, opts: { allowEmpty?: boolean } = {}): z.output<S> {
  const bytes = bodyBytes(req);
  let value: unknown = {};
  if (bytes.length > 0 || !opts.allowEmpty) {
    if (!JSON_TYPE.test(req.headers['content-type'] ?? '')) throw new AppError('unsupported_media_type');
    let text: string;
    try {
      text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
      value = JSON.parse(text);
    } catch {
      throw new AppError('invalid_json');
    }
  }
  return parseWith(schema, value, 'invalid_body');
}

export function parseWith<S extends z.ZodType>(schema: S, value: unknown, code: 'invalid_body' | 'invalid_query' | 'invalid_path'): z.output<S> {
  const r = schema.safeParse(value);
  if (!r.success) throw new AppError(code, undefined, zodIssues(r.error));
  return r.data;
}

/** Refuses a body on requests that must not have one (GET, DELETE): a clear 400, not a silent ignore. */
export function noBody(req: BodyRequest): void {
  if (bodyBytes(req).length > 0) throw new AppError('invalid_body', 'This request takes no body.');
}

/** The content type check alone, before the signature is checked (415 comes before 401). */
export function requireJsonType(req: BodyRequest, allowEmpty = false): void {
  if (allowEmpty && bodyBytes(req).length === 0) return;
  if (!JSON_TYPE.test(req.headers['content-type'] ?? '')) throw new AppError('unsupported_media_type');
}

/** requireJsonType as the first handler of a route (`allowEmpty`: an empty body passes too). */
export function jsonType(allowEmpty = false): PlainHandler {
  return (req, _res, next) => {
    requireJsonType(req, allowEmpty);
    next();
  };
}
