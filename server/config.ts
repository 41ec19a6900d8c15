// Runtime configuration from the environment, validated once at start. Defaults give the
// embedded set-up: SQLite under ./data, keys under ./.contamos, listening on 127.0.0.1:8080.
import { z } from 'zod';
import { DEFAULT_DATABASE_URL } from './db/url.js';

const env = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(8080),
  HOST: z.string().default('127.0.0.1'),
  DATABASE_URL: z.string().min(1).default(DEFAULT_DATABASE_URL),
  CONTAMOS_HOME: z.string().min(1).default('.contamos'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'silent']).default('info'),
  BODY_LIMIT_BYTES: z.coerce.number().int().min(1024).max(10_000_000).default(128 * 1024),
  RATE_LIMIT_PER_MINUTE: z.coerce.number().int().min(1).default(600),
  PUBLIC_RATE_LIMIT_PER_MINUTE: z.coerce.number().int().min(1).default(6000),
  /** Smallest k any release may use (no request can go below it). */
  CONTAMOS_MIN_K: z.coerce.number().int().min(2).max(100).default(5),
});

export type Config = z.infer<typeof env>;

export function loadConfig(source: NodeJS.ProcessEnv = process.env): Config {
  return env.parse(source);
}
