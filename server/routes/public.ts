// Public, unauthenticated routes: health, taxonomy and the well-known key document (bounded with
// every unsigned request, http/shed.ts).
import { Router } from 'express';
import { TAXONOMY_VERSION, taxonomyDocument } from '../taxonomy/taxonomy.js';
import type { ServiceContext } from '../services/context.js';
import { AppError } from '../errors.js';

export function publicRoutes(ctx: ServiceContext): { api: Router; wellKnown: Router } {
  const api = Router();
  api.get('/health', async (_req, res) => {
    try {
      await ctx.db.ping();
    } catch {
      throw new AppError('database_unavailable');
    }
    res.json({ status: 'ok' });
  });
  const taxonomy = taxonomyDocument();
  api.get('/taxonomy', (_req, res) => {
    res.setHeader('Cache-Control', 'public, max-age=3600');
    res.json(taxonomy);
  });

  const wellKnown = Router();
  wellKnown.get('/contamos.json', (_req, res) => {
    res.setHeader('Cache-Control', 'public, max-age=300');
    res.json({
      service: 'contamos',
      taxonomyVersion: TAXONOMY_VERSION,
      steward: { keyId: ctx.keys.steward.keyId, signingPublicKey: ctx.keys.steward.publicKey, sealPublicKey: ctx.keys.steward.sealPublicKey },
      publishers: ctx.keys.publishers.map((p) => ({ keyId: p.keyId, publicKey: p.publicKey })),
      receipt: { keyId: ctx.keys.receipt.keyId, publicKey: ctx.keys.receipt.publicKey },
      signatures: { algorithm: 'ed25519', httpSignatures: 'RFC 9421', contentDigest: 'RFC 9530 sha-256' },
    });
  });
  return { api, wellKnown };
}
