// The server's own random secrets, kept in the database (table ServerSecret) so that every replica
// on one database uses the same value, and the dedupe ranking built on one of them.
// Guarantees:
// - a secret is 32 bytes from the operating system's CSPRNG, created once (the first replica to
//   ask inserts it; an insert that finds it present changes nothing, so replicas starting together
//   agree) and never changed afterwards;
// - no route returns it and nothing logs it: it leaves this module only as bytes for the HMAC;
// - `dedupeRank(secret, tag, memberKeyId)` is HMAC-SHA-256(secret, tag ‖ "\n" ‖ memberKeyId) in
//   lowercase hex. It does not depend on anything a member chooses when submitting (neither the
//   report id nor its content), and without the secret a member cannot tell which of the reports
//   under a tag ranks first.
import { createHmac, randomBytes } from 'node:crypto';
import type { Store } from '../db/store.js';
import type { ServiceContext } from './context.js';

const DEDUPE_RANK = 'dedupe-rank';
const HEX32 = /^[0-9a-f]{64}$/;

const cache = new WeakMap<Store, Map<string, Promise<Uint8Array>>>();

async function loadOrCreate(db: Store, name: string): Promise<Uint8Array> {
  const value = await db.secrets.getOrCreate(name, randomBytes(32).toString('hex'));
  if (value === null || !HEX32.test(value)) throw new Error(`server secret ${name} is missing or malformed`);
  return Uint8Array.from(Buffer.from(value, 'hex'));
}

/** The named secret (created on first use), read once per database handle. */
function serverSecret(ctx: ServiceContext, name: string): Promise<Uint8Array> {
  let byName = cache.get(ctx.db);
  if (!byName) cache.set(ctx.db, (byName = new Map()));
  let p = byName.get(name);
  if (!p) {
    p = loadOrCreate(ctx.db, name);
    byName.set(name, p);
    // A failure (database unavailable) is not remembered: the next call tries again.
    p.catch(() => {
      if (byName!.get(name) === p) byName!.delete(name);
    });
  }
  return p.then((bytes) => Uint8Array.from(bytes));
}

/** The secret that keys the ranking of reports under a dedupe tag (32 bytes; members never see it). */
export function dedupeRankSecret(ctx: ServiceContext): Promise<Uint8Array> {
  return serverSecret(ctx, DEDUPE_RANK);
}

/** A report's rank under its dedupe tag: the smallest ranks first. Lowercase hex. */
export function dedupeRank(secret: Uint8Array, tag: string, memberKeyId: string): string {
  // node:crypto's HMAC (the same RFC 2104 value as crypto/'s portable one, several times faster:
  // counting ranks every report under a shared tag)
  return createHmac('sha256', secret).update(`${tag}\n${memberKeyId}`).digest('hex');
}
