// What each process knows of the credentials in the database, so that requests under credentials
// nobody holds can be bounded without touching the database, and requests under real ones never
// are (issue 16):
// - members' public keys (keyId → public key): a signature under a cached key is checked with no
//   database read; only one that verifies reads the member's row (revocation holds at once);
// - the hashes of open invites: an enrolment presenting one is never refused by the global bound.
// Each is loaded on first use and merged with the database again at most once a minute (so a
// member enrolled, or an invite made, on another replica is known here within a minute; the
// ones made here at once). Entries are only added (and an invite removed when used here): a stale
// entry only means a database read, never a wrong answer. The global buckets of unauthenticated
// work for an app (http/rate-limit.ts) are kept here too, per service context.
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
      this.loading = this.load().then(
        (rows) => { for (const [k, v] of rows) this.map.set(k, v); this.loadedAt = Date.now(); },
        () => undefined, // database unavailable: try again on the next request
      ).finally(() => { this.loading = undefined; });
    }
    if (first && this.loading) await this.loading;
    return this.map.get(key);
  }
  add(key: string, value: V): void { this.map.set(key, value); }
  delete(key: string): void { this.map.delete(key); }
}

export interface Known {
  memberKeys: KnownSet<string>;
  invites: KnownSet<true>;
  /** database look-ups of member key ids not known here (forged requests under made-up ids) */
  unknownKeyLookups: GlobalBucket;
  /** public routes: pages, downloads, health, taxonomy, unmatched paths */
  publicWork: GlobalBucket;
  /** enrolment attempts whose invite is not known here */
  unknownInvites: GlobalBucket;
  /** attempts per invite (keyed by the invite's hash) */
  perInvite: GlobalBucket;
}

const known = new WeakMap<object, Known>();

/** Per-minute sizes of the global buckets (createApp sets them from the configuration). */
export interface UnauthenticatedLimits { publicPerMinute: number; enrolPerInvitePerMinute?: number }

export function configureKnown(ctx: ServiceContext, limits: UnauthenticatedLimits): Known {
  const k: Known = {
    memberKeys: new KnownSet(async () => (await ctx.db.prisma.member.findMany({ select: { keyId: true, publicKey: true } })).map((m) => [m.keyId, m.publicKey])),
    invites: new KnownSet(async () => (await ctx.db.prisma.invite.findMany({ where: { expiresAt: { gt: ctx.now() } }, select: { tokenHash: true } })).map((i) => [i.tokenHash, true as const])),
    unknownKeyLookups: new GlobalBucket(limits.publicPerMinute, 'unknown-keys'),
    publicWork: new GlobalBucket(limits.publicPerMinute, 'public'),
    unknownInvites: new GlobalBucket(limits.publicPerMinute, 'unknown-invites'),
    perInvite: new GlobalBucket(limits.enrolPerInvitePerMinute ?? 10, 'invite'),
  };
  known.set(ctx, k);
  return k;
}

/** The context's known credentials and buckets (the defaults of the configuration if no app set them). */
export function knownOf(ctx: ServiceContext): Known {
  return known.get(ctx) ?? configureKnown(ctx, { publicPerMinute: 6000 });
}
