// Runtime configuration from the environment, validated once at start. Defaults give the
// embedded set-up: SQLite under ./data, keys under ./.contamos, listening on 127.0.0.1:8080, and
// the differential-privacy bounds of dp/bounds.ts (a server that would start with bounds it
// cannot honour — not exact decimals, a per-release bound above the total or above the ceiling —
// refuses to start).
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { DP_DEFAULT_MAX_RHO, DP_DEFAULT_TOTAL_RHO, readDpBounds } from './dp/bounds.js';
import { DEFAULT_DATABASE_URL } from './db/url.js';

const env = z
  .object({
    PORT: z.coerce.number().int().min(0).max(65535).default(8080),
    HOST: z.string().default('127.0.0.1'),
    DATABASE_URL: z.string().min(1).default(DEFAULT_DATABASE_URL),
    CONTAMOS_HOME: z.string().min(1).default('.contamos'),
    /** The server's key file itself (e.g. a compose secret); default `<CONTAMOS_HOME>/server-keys.json`. */
    CONTAMOS_KEY_FILE: z.string().min(1).optional(),
    /** `1`: make demo keys even in production (NODE_ENV=production) when none are configured. */
    CONTAMOS_DEMO: z.enum(['0', '1']).default('0'),
    /** `production` (the image sets it): never make demo keys unless CONTAMOS_DEMO=1. */
    NODE_ENV: z.string().default('development'),
    /** A file holding the PostgreSQL password (e.g. a compose secret), put into DATABASE_URL. */
    DATABASE_PASSWORD_FILE: z.string().min(1).optional(),
    LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'silent']).default('info'),
    BODY_LIMIT_BYTES: z.coerce
      .number()
      .int()
      .min(1024)
      .max(10_000_000)
      .default(128 * 1024),
    RATE_LIMIT_PER_MINUTE: z.coerce.number().int().min(1).default(600),
    PUBLIC_RATE_LIMIT_PER_MINUTE: z.coerce.number().int().min(1).default(6000),
    /** Smallest k any release may use (no request can go below it). */
    CONTAMOS_MIN_K: z.coerce.number().int().min(2).max(100).default(5),
    /**
     * Organisations per coalition the holdings rule protects against: 2 (default) any organisation
     * (all its keys) and any two colluding ones; 1 one organisation at a time, as DESIGN.md asks at
     * least (fewer hidden cells, less time: docs/performance.md). Set it before the first release.
     */
    CONTAMOS_HOLDINGS_COALITION: z.coerce.number().int().min(1).max(2).default(2),
    /** Share of a cell's incidents from one member above which the steward is told (flags). */
    CONTAMOS_FLAG_SHARE: z.coerce.number().gt(0).lt(1).default(0.75),
    /** The server's whole differential-privacy budget, zCDP rho, shared by every DP series. */
    CONTAMOS_DP_TOTAL_RHO: z.string().default(DP_DEFAULT_TOTAL_RHO),
    /** The most one DP release may spend, zCDP rho (a pure-DP release of epsilon costs epsilon²/2). */
    CONTAMOS_DP_MAX_RHO: z.string().default(DP_DEFAULT_MAX_RHO),
    /** Who publishes the releases, as cited (open-data/terms.ts); default "Coalición Contamos". */
    CONTAMOS_COALITION_NAME: z.string().max(200).optional(),
    /** SPDX id of the releases' licence (default CC-BY-4.0); title and URL known for common ones. */
    CONTAMOS_LICENSE: z
      .string()
      .regex(/^[A-Za-z0-9.+-]{1,64}$/, 'an SPDX licence id, e.g. CC-BY-4.0')
      .optional(),
    CONTAMOS_LICENSE_TITLE: z.string().max(200).optional(),
    CONTAMOS_LICENSE_URL: z.url({ protocol: /^https?$/ }).optional(),
    /** Citation template: {coalition} {title} {id} {series} {date} {year} {hash} {url}. */
    CONTAMOS_CITATION: z.string().max(500).optional(),
    /** The site's public origin (https://…), for absolute links in citations and data packages. */
    CONTAMOS_PUBLIC_URL: z.url({ protocol: /^https?$/ }).optional(),
    /** New reports one member may send per UTC day (429 daily_limit_reached beyond); 0: no limit. */
    CONTAMOS_MEMBER_DAILY_REPORTS: z.coerce.number().int().min(0).default(5000),
    /** Enrolment attempts per invite per minute. */
    CONTAMOS_ENROL_ATTEMPTS_PER_INVITE: z.coerce.number().int().min(1).default(10),
    /** PostgreSQL: seconds between two mixes of the stored order of reports and members (db/mix-stored-order.ts). */
    CONTAMOS_MIX_INTERVAL_S: z.coerce.number().int().min(60).max(86_400).default(3600),
    /** PostgreSQL: connections of the intake's own pool (db/pg-intake.ts); more is slower on a small machine (docs/performance.md). */
    CONTAMOS_PG_INTAKE_CONNECTIONS: z.coerce.number().int().min(1).max(100).default(4),
  })
  .transform((c, ctx) => {
    let url: string;
    try {
      url = withPasswordFile(c.DATABASE_URL, c.DATABASE_PASSWORD_FILE);
    } catch (e) {
      ctx.addIssue({ code: 'custom', message: (e as Error).message, path: ['DATABASE_PASSWORD_FILE'] });
      return z.NEVER;
    }
    try {
      return {
        ...c,
        DATABASE_URL: url,
        allowDemoKeys: c.NODE_ENV !== 'production' || c.CONTAMOS_DEMO === '1',
        dpBounds: readDpBounds(c.CONTAMOS_DP_TOTAL_RHO, c.CONTAMOS_DP_MAX_RHO),
      };
    } catch (e) {
      // readDpBounds's messages start with the variable at fault
      const message = (e as Error).message;
      ctx.addIssue({ code: 'custom', message, path: [message.startsWith('CONTAMOS_DP_MAX_RHO') ? 'CONTAMOS_DP_MAX_RHO' : 'CONTAMOS_DP_TOTAL_RHO'] });
      return z.NEVER;
    }
  });

export type Config = z.output<typeof env>;

/** DATABASE_URL with the password read from `file` (trailing newline dropped); unchanged without one. */
export function withPasswordFile(url: string, file: string | undefined): string {
  if (!file) return url;
  const password = readFileSync(file, 'utf8').replace(/\r?\n$/, '');
  if (!password) throw new Error('DATABASE_PASSWORD_FILE is empty');
  const u = new URL(url);
  if (!/^postgres(ql)?:$/.test(u.protocol)) throw new Error('DATABASE_PASSWORD_FILE is only for a postgresql:// DATABASE_URL');
  u.password = encodeURIComponent(password);
  return u.toString();
}

export function loadConfig(source: NodeJS.ProcessEnv = process.env): Config {
  return env.parse(source);
}
