// What each process knows of the members in the database, so that requests under key ids nobody
// holds can be bounded without touching the database, and requests under real ones never are
// (issue 16): members' public keys (keyId → public key). A signature under a known key is checked
// with no database read; only one that verifies reads the member's row (revocation holds at once).
// Loaded on first use and merged with the database again at most once a minute (so a member
// enrolled on another replica is known here within a minute; one enrolled here at once). Entries
// are only added: a stale entry only means a database read, never a wrong answer. The global
// buckets of unauthenticated work for an app (http/rate-limit.ts, http/shed.ts) are kept here too,
// per service context.
import type { ServiceContext } from '../services/context.js';
import { GlobalBucket } from './rate-limit.js';

const REFRESH_MS = 60_000;

export class KnownSet<V> {
  private readonly map = new Map<string, V>();
  private loadedAt = -Infinity;
  private loading: Promise<void> | undefined;
  constructor(private readonly load: () => Promise<Array<[string, V]>>) {}

  async get(key: string): Promise<V | undefined> {
    const first = this.loadedAt === -Infinity;
    if (Date.now() - this.loadedAt >= REFRESH_MS && !this.loading) {
      this.loading = this.load()
        .then(
          (rows) => {
            for (const [k, v] of rows) this.map.set(k, v);
            this.loadedAt = Date.now();
          },
          () => undefined, // database unavailable: try again on the next request
        )
        .finally(() => {
          this.loading = undefined;
        });
    }
    if (first && this.loading) await this.loading;
    return this.map.get(key);
  }
  add(key: string, value: V): void {
    this.map.set(key, value);
  }
  delete(key: string): void {
    this.map.delete(key);
  }
}

export interface Known {
  memberKeys: KnownSet<string>;
  /** database look-ups of member key ids not known here (forged requests under made-up ids) */
  unknownKeyLookups: GlobalBucket;
  /** requests without a signature, enrolment aside: pages, downloads, health, taxonomy, unmatched paths */
  publicWork: GlobalBucket;
  /** enrolment attempts */
  enrolWork: GlobalBucket;
  /** attempts per invite per minute (keyed by the invite's hash) */
  perInvite: GlobalBucket;
}

const known = new WeakMap<object, Known>();

/** Per-minute sizes of the global buckets (createApp sets them from the configuration). */
export interface UnauthenticatedLimits {
  publicPerMinute: number;
  enrolPerInvitePerMinute?: number;
}

export function configureKnown(ctx: ServiceContext, limits: UnauthenticatedLimits): Known {
  const k: Known = {
    memberKeys: new KnownSet(() => ctx.db.members.allKeys()),
    unknownKeyLookups: GlobalBucket.perMinute(limits.publicPerMinute),
    publicWork: GlobalBucket.perMinute(limits.publicPerMinute),
    enrolWork: GlobalBucket.perMinute(limits.publicPerMinute),
    perInvite: new GlobalBucket(limits.enrolPerInvitePerMinute ?? 10, 60),
  };
  known.set(ctx, k);
  return k;
}

/** The context's known credentials and buckets (the defaults of the configuration if no app set them). */
export function knownOf(ctx: ServiceContext): Known {
  return known.get(ctx) ?? configureKnown(ctx, { publicPerMinute: 6000 });
}
