// What every service needs: the Store (db/store.ts, the only way to the database) and the server's
// keys (built once at start), and who signed the request (`Auth`).
import type { Store } from '../db/store.js';
import type { DpBounds } from '../dp/bounds.js';
import type { ServerKeys } from '../keys.js';
import type { Terms } from '../open-data/terms.js';

/** Operator-set rules of publication (server/config.ts). */
export interface Policy {
  /** Smallest k any release may use (default 5). */
  minK: number;
  /** Share of a cell's incidents above which one member is flagged to the steward (default 0.75). */
  flagShare: number;
  /** Organisations per coalition of the holdings rule (1 or 2; default 2: disclosure/global/coalitions.ts). */
  holdingsCoalition: number;
}

export interface ServiceContext {
  db: Store;
  keys: ServerKeys;
  policy?: Partial<Policy>;
  /** Seconds since the epoch; replaceable in tests. */
  now(): number;
  /** The operator's differential-privacy bounds (CONTAMOS_DP_TOTAL_RHO, CONTAMOS_DP_MAX_RHO); the defaults when absent. */
  dpBounds?: DpBounds;
  /** The operator's licence and citation of releases (CONTAMOS_LICENSE…); CC BY 4.0 and the default coalition name when absent. */
  terms?: Terms;
}

export type Role = 'member' | 'steward' | 'publisher';

/** A request whose signature verified: who signed it and the nonce it used (not yet consumed). */
export interface Auth {
  keyId: string;
  role: Role;
  nonce: string;
  created: number;
}
