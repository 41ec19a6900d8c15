// featured.ts — which series the public home page features: the publisher's choice.
//
// Guarantees:
// - The headline of the home page is the newest signed release (highest sequence) of the featured
//   series. A release of any other series — a test series, a one-off — never replaces it.
// - Only a publisher-signed request changes the choice (`setFeatured`), in the transaction that
//   consumes its nonce; a series with no signed release is refused (`series_not_found`, 404) and
//   nothing is written (the nonce included).
// - Until a publisher chooses, the featured series is the series of the first release ever signed
//   (lowest publication index): stable, and not taken over by whatever is published next.
import { AppError } from '../errors.js';
import type { Manifest } from '../schemas/manifest.js';
import { nonceRow } from '../db/nonces.js';
import type { Auth, ServiceContext } from './context.js';

const HOME = 'home';

export interface Featured {
  series: string | null;
  chosen: boolean;
  release: string | null;
}

async function newestOf(ctx: ServiceContext, series: string): Promise<string | null> {
  return (await ctx.db.releases.latest(series))?.id ?? null;
}

async function firstSeries(ctx: ServiceContext): Promise<string | null> {
  const rows = await ctx.db.releases.firsts();
  const first = rows.map((r) => ({ series: r.series, index: (JSON.parse(r.manifest) as Manifest).publication.index })).sort((a, b) => a.index - b.index)[0];
  return first?.series ?? null;
}

export async function getFeatured(ctx: ServiceContext): Promise<Featured> {
  const chosen = await ctx.db.featured.get(HOME);
  if (chosen !== null) {
    const release = await newestOf(ctx, chosen);
    if (release) return { series: chosen, chosen: true, release };
  }
  const series = await firstSeries(ctx);
  return { series, chosen: false, release: series ? await newestOf(ctx, series) : null };
}

export async function setFeatured(ctx: ServiceContext, auth: Auth, series: string): Promise<Featured> {
  if (!ctx.keys.publishers.some((p) => p.keyId === auth.keyId)) throw new AppError('forbidden_role');
  const release = await ctx.db.signed(nonceRow(auth), async (tx) => {
    const newest = await tx.releases.latest(series);
    if (!newest) throw new AppError('series_not_found');
    await tx.featured.set(HOME, series);
    return newest.id;
  });
  return { series, chosen: true, release };
}
