// dedupe-secret.ts — `contamos dedupe-secret`: make the coalition's dedupe secret.
//
// Guarantees: 32 random bytes generated locally, written with mode 0600, never overwriting a file,
// never printed. The steward shares the file with member organisations over a safe channel; the
// server never sees it (it only sees the HMAC tags computed with it).
import { generateDedupeSecret, ready } from '../../../crypto/index.js';
import { requireStr, resolvePath } from '../args.js';
import type { Command } from '../command.js';
import { dedupeSecretFileText } from '../dedupe-secret.js';
import { writeNewPrivateFile } from '../files.js';
import { EXIT_OK, println } from '../io.js';

export const dedupeSecretCommand: Command = {
  name: 'dedupe-secret',
  summary: 'crear el secreto de deduplicación de la coalición / create the coalition dedupe secret',
  help: `Uso / Usage: contamos dedupe-secret --out FILE

  Crea el secreto con el que las organizaciones calculan etiquetas de deduplicación (HMAC) en su
  propio equipo. Compártalo solo por un canal seguro; nunca se envía al servidor.
  Creates the secret organisations use to compute dedupe tags (HMAC) on their own devices. Share
  it only over a safe channel; it is never sent to the server.

  --out FILE    archivo a crear (0600) / file to create (0600)`,
  options: { out: { type: 'string' } },
  async run({ io, values }) {
    const out = resolvePath(io, requireStr(values, 'out'));
    await ready();
    writeNewPrivateFile(out, dedupeSecretFileText(generateDedupeSecret()));
    println(io.stdout, `Secreto creado / Secret created: ${out} (0600)`);
    println(io.stdout, 'Úselo con / Use it with: contamos submit|import … --dedupe-secret ' + out);
    return EXIT_OK;
  },
};
