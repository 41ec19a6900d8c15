// server-info.ts — the public documents the CLI needs from the server: the well-known key
// document (steward's seal key, receipt key) and the taxonomy.
//
// Guarantees:
// - Both documents are fetched once per run and checked for the shape the CLI relies on; a server
//   that answers something else is refused with a plain message instead of a crash later.
// - Keys taken from the well-known document are 32-byte standard base64, as the crypto expects.
import { z } from 'zod';
import { CliError } from './io.js';
import type { ContamosClient } from './http.js';

const key32 = z.string().regex(/^[A-Za-z0-9+/]{43}=$/);

const wellKnownSchema = z.object({
  taxonomyVersion: z.string().optional(),
  steward: z.object({ keyId: z.string(), signingPublicKey: key32, sealPublicKey: key32 }),
  publishers: z.array(z.object({ keyId: z.string(), publicKey: key32 })).optional(),
  receipt: z.object({ keyId: z.string(), publicKey: key32 }),
});

export type WellKnown = z.infer<typeof wellKnownSchema>;

const codeSchema = z.object({ code: z.string(), label: z.object({ es: z.string(), en: z.string() }) });
const fieldSchema = z.object({ codes: z.array(codeSchema).optional(), min: z.number().optional() }).loose();

const taxonomySchema = z.object({
  version: z.string(),
  fields: z.record(z.string(), fieldSchema),
});

export type Taxonomy = z.infer<typeof taxonomySchema>;
export type TaxonomyCode = z.infer<typeof codeSchema>;

export async function fetchWellKnown(client: ContamosClient): Promise<WellKnown> {
  const body = await client.cachedGet<unknown>('/.well-known/contamos.json');
  const r = wellKnownSchema.safeParse(body);
  if (!r.success) {
    throw new CliError(
      `El documento de claves del servidor (${client.server.origin}/.well-known/contamos.json) no tiene la forma esperada`,
      'The server key document (/.well-known/contamos.json) does not have the expected shape',
    );
  }
  return r.data;
}

export async function fetchTaxonomy(client: ContamosClient): Promise<Taxonomy> {
  const body = await client.cachedGet<unknown>('/api/v1/taxonomy');
  const r = taxonomySchema.safeParse(body);
  if (!r.success) {
    throw new CliError('La taxonomía del servidor no tiene la forma esperada', "The server's taxonomy does not have the expected shape");
  }
  return r.data;
}
